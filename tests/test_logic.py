"""Logic-analyzer evidence: captures of the board's pins go through Debian's real sigrok-cli (its VCD
input, its session format, its VCD output), are decoded into pulses and compared with the reference."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from hil import logic

pytestmark = pytest.mark.skipif(shutil.which("sigrok-cli") is None, reason="needs sigrok-cli (install-system-deps)")
ROOT = Path(__file__).resolve().parents[1]


def through_sigrok(timeline: np.ndarray, tmp_path: Path, offset: int = 777) -> list[logic.Pulse]:
    """Pins of a timeline -> VCD -> sigrok's .sr -> sigrok's VCD output -> pulses."""
    logic.write_vcd(timeline, tmp_path / "pins.vcd", offset_ticks=offset)
    logic.convert(tmp_path / "pins.vcd", tmp_path / "pins.sr", "vcd")
    return logic.decode(logic.capture_vcd(tmp_path / "pins.sr"))


@pytest.mark.parametrize("name", ["four-areas", "burstdr", "hf10", "cycled"])
def test_a_capture_of_the_reference_through_sigrok_decodes_to_the_reference(tmp_path, name):
    areas = logic.load_areas(name)
    timeline = logic.reference(areas, 60_000)
    pulses = through_sigrok(timeline, tmp_path)
    assert len(pulses) == len(timeline)
    assert [p.start_tick - 777 for p in pulses] == timeline["start_tick"].tolist()
    assert logic.compare(pulses, areas) == []


def test_one_pulse_one_tick_late_fails_naming_that_pulse(tmp_path):
    areas = logic.load_areas("four-areas")
    timeline = logic.reference(areas, 60_000)
    timeline["start_tick"][17] += 1
    want = int(timeline["start_tick"][17]) - 1
    problems = logic.compare(through_sigrok(timeline, tmp_path), areas)
    assert problems == [(f"pulse 17: area 2 at tick {want + 1} from the first pulse; the reference has area 2 at "
                         f"tick {want}")]


def test_a_phase_one_tick_short_fails_naming_the_pulse_and_phase(tmp_path):
    areas = logic.load_areas("hf10")
    timeline = logic.reference(areas, 20_000)
    timeline["recharge_width_us"][40] -= 1
    problems = logic.compare(through_sigrok(timeline, tmp_path), areas)
    assert problems == [("pulse 40 (area 0, tick 4000): phases (30, 0, 29) ticks (cathodic, gap, recharge); "
                         "the reference has (30, 0, 30)")]


def test_a_capture_without_the_board_pins_is_refused_naming_what_is_missing(tmp_path):
    vcd = tmp_path / "other.vcd"
    vcd.write_text("$timescale 1 us $end\n$scope module x $end\n$var wire 1 ! D0 $end\n$upscope $end\n"
                   "$enddefinitions $end\n#0\n0!\n#10\n1!\n#20\n")
    with pytest.raises(logic.CaptureError, match=r"lacks the channels CATH \(CATH\), RECH"):
        logic.decode(logic.capture_vcd(vcd, "vcd"))


def _scs(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-P", "-m", "hil.cli", "logic", *args], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, check=False)


def test_scs_logic_checks_a_capture_file_with_renamed_channels_and_exits_by_the_verdict(tmp_path):
    areas = logic.load_areas("burstdr")
    timeline = logic.reference(areas, 120_000)
    logic.write_vcd(timeline, tmp_path / "pins.vcd")
    text = (tmp_path / "pins.vcd").read_text()
    for pin, ch in zip(logic.PINS, ("D4", "D5", "D6", "D7")):
        text = text.replace(f" {pin} $end", f" {ch} $end")
    (tmp_path / "pins.vcd").write_text(text)
    (tmp_path / "prog.json").write_text(json.dumps(areas))
    logic.convert(tmp_path / "pins.vcd", tmp_path / "pins.sr", "vcd")
    ok = _scs("--program", str(tmp_path / "prog.json"), "--capture", str(tmp_path / "pins.sr"), "--pins", "D4,D5,D6,D7")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "every one on the reference tick" in ok.stdout
    wrong = _scs("--program", "hf10", "--capture", str(tmp_path / "pins.sr"), "--pins", "D4,D5,D6,D7")
    assert wrong.returncode == 1 and "pulse 1:" in wrong.stdout
    bad = _scs("--program", "nope", "--capture", str(tmp_path / "pins.sr"))
    assert bad.returncode == 2 and "four-areas, burstdr, hf10, cycled" in bad.stderr and "Traceback" not in bad.stderr


def test_scs_logic_writes_the_expected_pins_that_then_check_clean(tmp_path):
    out = _scs("--program", "cycled", "--expect", str(tmp_path / "want.vcd"), "--span-ticks", "100000")
    assert out.returncode == 0, out.stderr
    check = _scs("--program", "cycled", "--capture", str(tmp_path / "want.vcd"), "--format", "vcd")
    assert check.returncode == 0, check.stdout + check.stderr
