"""The pins seen from outside the firmware: QEMU's TCG plugin (hil/board/qemu_plugin) records every
store to the output pins and the DAC with its exact virtual time; the record alone is compared with
the reference scheduler on the absolute schedule (the tick the firmware took at STIM_SET plus
SCS_START_LEAD_TICKS), never aligned on the first pulse."""

from __future__ import annotations

import shutil
import subprocess

import numpy as np
import pytest

from hil.analysis import dac, pins
from hil.harness.conformance.support import HF10, area, program, reference_timeline, wait

pytestmark = pytest.mark.qemu

TONIC = [area(0, 1, amplitude_ua=3000, pulse_width_us=300, rate_mhz=130_000, interphase_gap_us=20)]
PROGRAMS = {"tonic": TONIC, "hf10": HF10}
SPAN_TICKS = 60_000  # 60 ms of stimulation each: 7 tonic pulses, 600 HF10 pulses


@pytest.fixture(scope="module")
def observed(tmp_path_factory):
    for tool in ("arm-none-eabi-gcc", "qemu-system-arm", "gcc"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} not installed (make test installs it)")
    from hil.targets.qemu_observed import ObservedQemuTarget
    from protocol.spec.catalog import Role

    target = ObservedQemuTarget(log_dir=tmp_path_factory.mktemp("observer"))
    ends = {}
    try:
        b = target.bridge()
        b.login(Role.TEST)
        for name, areas in PROGRAMS.items():
            program(b, 0, areas)
            b.call("STIM_SET", on=1)
            ends[name] = wait(b, SPAN_TICKS, False)  # the device clock: every pulse due before it has fired
            b.call("STIM_SET", on=0)
        b.close()
    finally:
        target.close()  # QEMU exits: its log is complete
    record = pins.parse_log(target.log)
    from hil.board.observer import CLOCK_SYMBOL

    runs = pins.runs(record, target.marks[CLOCK_SYMBOL])  # the start clock's marks, not the stop's
    assert len(runs) == len(PROGRAMS), "the plugin marked one STIM_SET clock read per program"
    return record, dict(zip(PROGRAMS, runs)), ends, target.log


def _reference(name: str, run: pins.Run) -> np.ndarray:
    return reference_timeline(PROGRAMS[name], SPAN_TICKS * 4)


@pytest.mark.requirement("SRS-PIN-004", "SRS-PIN-001")
@pytest.mark.parametrize("name", PROGRAMS)
def test_the_pins_carry_every_reference_pulse_with_its_phases_area_and_dac_code(observed, name):
    record, runs, ends, _ = observed
    run = runs[name]
    seen, want = pins.pulses(run.writes), _reference(name, run)
    due_before_end = int(np.sum(want["start_tick"] + run.origin_tick < ends[name]))
    assert len(seen) >= due_before_end > 0, "every pulse due before the last clock read is on the pins"
    for k, (p, w) in enumerate(zip(seen, want)):
        assert round((p.cathodic_end_ns - p.start_ns) / 1000) == w["width_us"], f"pulse {k}: cathodic width"
        assert round((p.end_ns - p.start_ns) / 1000) == w["end_tick"] - w["start_tick"], f"pulse {k}: occupancy"
        want_code = dac.phase_dac_codes(int(w["amplitude_ua"]), int(w["recharge_amplitude_ua"]))[0]
        assert (p.area, p.dac_code) == (w["area"], want_code), f"pulse {k}"
    reports = pins.compare(run, want)
    assert reports and all(r.matches for r in reports), "each pin write drives the reference's pins and DAC code"


@pytest.mark.requirement("SRS-PIN-004", "SRS-PIN-005")
@pytest.mark.parametrize("name", PROGRAMS)
def test_every_edge_is_written_within_one_tick_after_its_absolute_due_tick(observed, name, record_property):
    _, runs, _, _ = observed
    run = runs[name]
    reports = pins.compare(run, _reference(name, run))
    summary = pins.lateness_summary(reports)
    record_property(f"lateness_{name}", summary)
    print(f"\n{name}: STIM_SET tick {run.stim_set_tick}, origin {run.origin_tick}: {summary}")
    late = np.array([r.lateness_ns for r in reports])
    assert late.min() >= 0, "no edge is written before its due tick"
    assert late.max() < 2 * pins.NS_PER_TICK, "no edge is written more than a tick late"


@pytest.mark.requirement("SRS-PIN-005")
@pytest.mark.parametrize("name", PROGRAMS)
def test_every_edge_is_written_within_its_due_tick(observed, name):
    _, runs, _, _ = observed
    run = runs[name]
    late = [r.lateness_ns for r in pins.compare(run, _reference(name, run))]
    assert all(0 <= ns < pins.NS_PER_TICK for ns in late), f"lateness {min(late)}..{max(late)} ns"


def test_the_capture_opens_in_sigrok_as_the_boards_four_pins(observed, tmp_path):
    if shutil.which("sigrok-cli") is None:
        pytest.skip("sigrok-cli not installed")
    _, runs, _, _ = observed
    writes = runs["tonic"].writes
    sr = pins.write_sr(writes, tmp_path / "tonic.sr", samplerate_hz=1_000_000)
    out = subprocess.run(["sigrok-cli", "-i", str(sr), "-O", "bits"], capture_output=True, text=True, check=True)
    names = {line.split(":")[0] for line in out.stdout.splitlines() if ":" in line}
    assert set(pins.CHANNELS) <= names
    cath = "".join(line.split(":", 1)[1] for line in out.stdout.splitlines() if line.startswith("CATH:"))
    rises = cath.replace(" ", "").count("01")
    assert rises == len(pins.pulses(writes)), "every pulse is one rising edge of CATH in the file"


@pytest.mark.requirement("SRS-PIN-006")
def test_the_watchdog_is_kicked_and_the_core_sleeps_between_edges(observed):
    record, _, _, _ = observed
    assert record.watchdog_kicks and record.sleeps
    assert record.bias_checks > 100, "the two bias sources (QEMU's clock, the instruction count) agreed"
