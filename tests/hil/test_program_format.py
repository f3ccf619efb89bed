"""One program format: `scs simulate` and `scs logic` take the same scenario TOML and the same JSON
list of AREA_WRITE field sets; an area that stops at turn-on is a warning naming the area, the contact
and the reason, and --strict makes it exit 1. The README's scenario example makes pulses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

from firmware_model.scenario.program import load_program, stopped_at_turn_on
from firmware_model.scenario.stimulation import ScenarioError, load_scenario
from firmware_model.stimulation.scheduler import Scheduler
from hil.analysis import logic
from hil.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
#: the README's example with its anode on the 5,000 ohm contact, as it was before issue 21
OPEN_ANODE = """name = "Tonic 50 Hz"
duration = "1s"
[impedance]
default_ohm = 1000
contacts = { "3" = 5000 }
[[area]]
cathodes = { "2" = 100 }
anodes = [3]
amplitude_ua = 4000
pulse_width_us = 300
rate_hz = 50
"""


def readme_scenario() -> str:
    text = (ROOT / "README.md").read_text()
    m = re.search(r"Scenario format.*?```toml[^\n]*\n(.*?)```", text, re.S)
    assert m, "the README has a scenario format block"
    return m.group(1)


def test_the_readme_scenario_example_makes_pulses_of_its_area_without_a_warning(tmp_path, capsys):
    path = tmp_path / "readme.toml"
    path.write_text(readme_scenario())
    assert stopped_at_turn_on(load_scenario(path)) == []
    assert main(["simulate", str(path), "--duration", "3s", "--out", str(tmp_path / "t.npz"), "--strict"]) == 0
    assert "warning" not in capsys.readouterr().err
    timeline = np.load(tmp_path / "t.npz")["timeline"]
    assert len(timeline) == 150 and timeline["amplitude_ua"].max() == 4000  # 50 Hz for 3 s, ramped up in 2 s


def test_an_area_that_stops_at_turn_on_is_a_warning_naming_area_contact_and_reason(tmp_path, capsys):
    path = tmp_path / "open.toml"
    path.write_text(OPEN_ANODE)
    assert main(["simulate", str(path)]) == 0
    err = capsys.readouterr().err
    assert err == ("scs simulate: warning: Tonic 50 Hz: area 0 stops at turn-on: contact 3 is 5000 ohm, open "
                   "(above the impedance window 250 to 4000 ohm): the area is faulted\n")


def test_strict_makes_an_area_that_stops_at_turn_on_exit_1_in_simulate_and_logic(tmp_path, capsys):
    path = tmp_path / "open.toml"
    path.write_text(OPEN_ANODE)
    assert main(["simulate", str(path), "--strict"]) == 1
    assert main(["logic", "--program", str(path), "--expect", str(tmp_path / "want.vcd"), "--strict"]) == 1
    err = capsys.readouterr().err
    assert "scs logic: warning: Tonic 50 Hz: area 0 stops at turn-on: contact 3 is 5000 ohm" in err
    assert main(["logic", "--program", str(path), "--expect", str(tmp_path / "want.vcd")]) == 0


def test_a_shorted_contact_is_named_as_below_the_window(tmp_path):
    path = tmp_path / "short.toml"
    path.write_text(OPEN_ANODE.replace('"3" = 5000', '"2" = 100'))
    [stop] = stopped_at_turn_on(load_scenario(path))
    assert (stop.area, stop.contact, stop.ohm) == (0, 2, 100) and "shorted (below" in stop.reason


@pytest.mark.parametrize("name", ["tonic", "four_areas", "burst_cycled"])
def test_scs_logic_takes_a_scenario_toml_with_its_impedances_and_profile(name):
    sc = load_scenario(ROOT / f"examples/{name}.toml")
    want = Scheduler(sc.program, sc.profile, sc.impedances).generate(0, 200_000)
    got = logic.reference(logic.load_program(str(ROOT / f"examples/{name}.toml")), 200_000)
    assert len(got) > 0 and np.array_equal(got, want)


def test_scs_logic_writes_the_pins_of_a_scenario_toml(tmp_path, capsys):
    vcd = tmp_path / "want.vcd"
    assert main(["logic", "--program", str(ROOT / "examples/burstdr.toml"), "--expect", str(vcd),
                 "--span-ticks", "50000"]) == 0
    assert vcd.read_text().count("\n1!") == 2 * 5  # CATH rises for 5 pulses in each of the 2 bursts


def test_scs_simulate_takes_the_area_write_json_scs_logic_takes(tmp_path, capsys):
    path = tmp_path / "four.json"
    path.write_text(json.dumps(logic.load_areas("four-areas")))
    assert main(["simulate", str(path), "--out", str(tmp_path / "t.npz")]) == 0
    timeline = np.load(tmp_path / "t.npz")["timeline"]
    assert set(timeline["area"].tolist()) == {0, 1, 2, 3}
    assert np.array_equal(timeline, logic.reference(logic.load_program(str(path)), 1_000_000))


def test_an_area_write_json_missing_a_field_names_the_area_and_field(tmp_path):
    areas = logic.load_areas("hf10")
    broken = [{k: v for k, v in areas[0].items() if k != "rate_mhz"}]
    path = tmp_path / "p.json"
    path.write_text(json.dumps(broken))
    with pytest.raises(ScenarioError, match=r"p.json: area\[0\].rate_mhz: missing \(AREA_WRITE fields: "):
        load_program(path)
