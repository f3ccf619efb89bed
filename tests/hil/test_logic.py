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

from hil.analysis import logic

pytestmark = [pytest.mark.tools,
              pytest.mark.skipif(shutil.which("sigrok-cli") is None, reason="needs sigrok-cli (install-system-deps)")]
ROOT = Path(__file__).resolve().parents[2]


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
    with pytest.raises(logic.PinCaptureError, match=r"lacks the channels CATH \(CATH\), RECH"):
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


@pytest.mark.qemu
@pytest.mark.skipif(not (shutil.which("qemu-system-arm") and shutil.which("arm-none-eabi-nm")),
                    reason="needs qemu-system-arm and the ARM toolchain")
def test_the_edges_the_board_drove_in_qemu_pass_the_logic_analyzer_check(tmp_path):
    """qemu-rt models no GPIO, so the evidence is the edge queue's slots, where the timer interrupt
    leaves each edge it drove (pins, DAC current, due tick, lateness): read from the emulator's memory,
    turned into the pin capture a logic analyzer would record, and checked through sigrok and the
    decoder against the reference, like a capture of a real board."""
    from hil.board.build import build_arm
    from hil.harness.conformance.support import area, program, wait
    from hil.targets.qemu import QemuTarget
    from protocol.spec.catalog import Role

    nm = subprocess.run(["arm-none-eabi-nm", str(build_arm())], capture_output=True, text=True, check=True).stdout
    address = next(int(line.split()[0], 16) for line in nm.splitlines() if line.endswith(" scs_board_edges"))
    slot = np.dtype([("due", "<u8"), ("amplitude_ua", "<u2"), ("dac_code", "<u2"), ("pins", "u1"), ("area", "u1"),
                     ("flags", "u1"), ("late", "u1"), ("pin_word", "<u4"), ("dac_word", "<u4")])
    # 1 kHz with a gap and 2:1 recharge: four edges a pulse; the 10 ms lookahead leaves most slots history
    tonic = [area(0, 1, amplitude_ua=3000, pulse_width_us=100, rate_mhz=1_000_000, interphase_gap_us=20,
                  recharge_ratio=2)]
    target = QemuTarget(realtime=True)
    b = target.bridge()
    try:
        b.login(Role.CLINICIAN)
        program(b, 0, tonic)
        b.call("STIM_SET", on=1)
        wait(b, 50_000, False)
        b.call("STIM_SET", on=0)
        wait(b, 1_000, False)
        slots = np.frombuffer(target.read_memory(address, 256 * slot.itemsize), dtype=slot)
    finally:
        b.close()
        target.close()
    fired = np.sort(slots[slots["flags"] & 0x80 != 0], order="due")
    assert len(fired) > 150 and not fired["late"].any(), "every edge fired on its due tick"
    # 3000 uA floors to code 481 and 1500 uA to 240: the cathodic phase gets 2 x 240, so both phases
    # carry 240 codes x 200 us at the pins (481 would leave one code x 100 us unreturned every pulse)
    assert set(fired[fired["pins"] == 2]["dac_code"]) == {240}, "anodic phase: amplitude / ratio, floored"
    assert set(fired[fired["pins"] == 1]["dac_code"]) == {480}, "cathodic phase: exactly ratio x the anodic code"
    assert set(fired[fired["pins"] == 0]["dac_code"]) == {0}
    logic.write_pin_vcd([(int(e["due"]) + int(e["late"]), int(e["pins"])) for e in fired], tmp_path / "board.vcd")
    logic.convert(tmp_path / "board.vcd", tmp_path / "board.sr", "vcd")
    pulses = logic.decode(logic.capture_vcd(tmp_path / "board.sr"))
    assert len(pulses) > 35
    assert logic.compare(pulses, tonic) == []
