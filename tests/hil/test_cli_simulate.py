"""`scs simulate`: summary, output files and clean failures on bad scenario files."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from firmware_model.scenario.stimulation import ScenarioError, load_scenario, parse_duration_ticks
from firmware_model.stimulation.scheduler import Scheduler
from hil.cli.main import main
from tests.support.optional import need_matplotlib

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.toml"))


@pytest.mark.parametrize("path", [p for p in EXAMPLES if "area" in p.read_text()], ids=lambda p: p.stem)
def test_every_bundled_example_scenario_simulates(path, capsys):
    assert main(["simulate", str(path), "--duration", "200ms"]) == 0
    out = capsys.readouterr().out
    assert "pulses" in out and "margin" in out


def test_the_bundled_examples_cover_tonic_burst_cycled_burst_hf10_and_four_areas():
    names = {p.stem for p in EXAMPLES}
    assert {"tonic", "burstdr", "burst_cycled", "hf10", "four_areas"} <= names
    assert len(load_scenario(ROOT / "examples/four_areas.toml").program.areas) == 4


def test_simulate_writes_timeline_vcd_and_plot(tmp_path, capsys):
    need_matplotlib()
    out, vcd, png = tmp_path / "t.npz", tmp_path / "w.vcd", tmp_path / "w.png"
    rc = main(["simulate", str(ROOT / "examples/four_areas.toml"), "--duration", "100ms",
               "--out", str(out), "--vcd", str(vcd), "--plot", str(png)])
    assert rc == 0
    sc = load_scenario(ROOT / "examples/four_areas.toml")
    expected = Scheduler(sc.program, sc.profile, sc.impedances).generate(0, 100_000)
    assert np.load(out)["timeline"].tobytes() == expected.tobytes()
    text = vcd.read_text()
    assert "$timescale 1 us $end" in text and "area0_cathodic" in text and "area3_busy" in text
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_vcd_has_one_rising_busy_edge_per_pulse(tmp_path):
    vcd = tmp_path / "w.vcd"
    assert main(["simulate", str(ROOT / "examples/hf10.toml"), "--duration", "10ms", "--vcd", str(vcd)]) == 0
    lines = vcd.read_text().splitlines()
    busy_id = next(line.split()[3] for line in lines if line.startswith("$var") and " area0_busy " in line)
    rises = [line for line in lines if line == "1" + busy_id]
    assert len(rises) == 100  # 10 kHz for 10 ms


@pytest.mark.parametrize("body, key", [
    ('name = "x"\n', "area"),
    ('[[area]]\ncathodes = { "0" = 100 }\nanodes = [1]\npulse_width_us = 300\nrate_hz = 50\n', "area[0].amplitude_ua"),
    ('[[area]]\ncathodes = { "0" = 100 }\nanodes = [1]\namplitude_ua = 4000\npulse_width_us = 3000\nrate_hz = 50\n',
     "area[0].pulse_width_us"),
    ('[[area]]\ncathodes = { "0" = 100 }\nanodes = [1]\namplitude_ua = 4000\npulse_width_us = 300\nrate_hz = 50\n'
     'colour = "red"\n', "area[0].colour"),
    ('duration = "ten seconds"\n[[area]]\ncathodes = { "0" = 100 }\nanodes = [1]\namplitude_ua = 4000\n'
     'pulse_width_us = 300\nrate_hz = 50\n', "duration"),
    ('[[area]\n', "(syntax)"),
    ('[profile]\nvoltage = 3\n[[area]]\n', "profile.voltage"),
])
def test_bad_scenario_files_name_the_file_and_key_and_exit_2(tmp_path, capsys, body, key):
    path = tmp_path / "bad.toml"
    path.write_text(body)
    with pytest.raises(ScenarioError) as e:
        load_scenario(path)
    assert e.value.key == key
    assert main(["simulate", str(path)]) == 2
    err = capsys.readouterr().err
    assert str(path) in err and key in err and "Traceback" not in err


def test_an_unsafe_program_is_refused_with_exit_2_and_the_limit_named(tmp_path, capsys):
    path = tmp_path / "unsafe.toml"
    path.write_text('[[area]]\ncathodes = { "0" = 100 }\nanodes = [1]\namplitude_ua = 12000\n'
                    'pulse_width_us = 300\nrate_hz = 50\n')
    assert main(["simulate", str(path)]) == 2
    assert "program refused" in capsys.readouterr().err


def test_missing_file_fails_without_traceback_from_the_console_script():
    proc = subprocess.run([sys.executable, "-m", "hil.cli", "simulate", "no/such/file.toml"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2
    assert "no such file" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.parametrize("text, ticks", [("10s", 10_000_000), ("250ms", 250_000), ("1.5h", 5_400_000_000),
                                         ("3d", 259_200_000_000), ("7us", 7)])
def test_durations_parse_to_exact_ticks(text, ticks):
    assert parse_duration_ticks(text) == ticks


@pytest.mark.parametrize("text", ["0s", "1.5us", "-1s", "10", "10 parsecs"])
def test_durations_that_are_not_whole_positive_ticks_are_refused(text):
    with pytest.raises(ValueError, match="not allowed"):
        parse_duration_ticks(text)


@pytest.mark.parametrize("name, written", [("foo.txt", "foo.txt.npz"), ("foo", "foo.npz"), ("t.npz", "t.npz")])
def test_simulate_out_prints_the_path_it_actually_writes(tmp_path, capsys, name, written):
    rc = main(["simulate", str(ROOT / "examples/tonic.toml"), "--duration", "100ms", "--out", str(tmp_path / name)])
    assert rc == 0
    assert f"timeline: {tmp_path / written}" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir()] == [written]
    assert len(np.load(tmp_path / written)["timeline"]) == 5


@pytest.mark.parametrize("name", ["d", "e"])
def test_simulate_out_refuses_a_folder_before_simulating(tmp_path, capsys, name):
    (tmp_path / "d").mkdir()
    (tmp_path / "e.npz").mkdir()  # --out e would write e.npz
    assert main(["simulate", str(ROOT / "examples/tonic.toml"), "--out", str(tmp_path / name)]) == 2
    err = capsys.readouterr().err
    assert "folder" in err and err.count("\n") == 1 and "Errno" not in err
