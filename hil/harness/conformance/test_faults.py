"""Processor faults (docs/faults.md): FAULT_INJECT makes the device fault, hang, overflow its stack or
brown out. On every target the protocol shows the reboot, the reset cause and the fault record, that
stimulation waits to be turned on again, and that the settings and the security record survived. On
qemu-rt the observer's pin record shows the outputs safe within the documented number of the fault
handler's instructions (device.toml fault_safe_pin_insns / fault_safe_dac_insns)."""

from __future__ import annotations

import pytest

from hil.analysis import pins
from hil.analysis.fault_safe import MAX_INJECTIONS, busy_area_fields, faults
from hil.harness.conformance.support import CAT, area, program
from protocol.spec.catalog import Role
from protocol.spec.generated import (
    FAULT_SAFE_DAC_INSNS,
    FAULT_SAFE_PIN_INSNS,
    Capability,
    EventKind,
    FaultCode,
    FaultKind,
    ResetCause,
    ResetCode,
)
from protocol.wire.codec import make

HANDLED = {FaultKind.HARD_FAULT, FaultKind.STACK_OVERFLOW}  # the fault handler runs and keeps a record
CAUSE = {FaultKind.HARD_FAULT: ResetCause.SOFTWARE, FaultKind.STACK_OVERFLOW: ResetCause.SOFTWARE,
         FaultKind.HANG: ResetCause.WATCHDOG, FaultKind.BROWN_OUT: ResetCause.BROWN_OUT}
HARD_FAULT_EXCEPTION = 3
AREA = area(0, 1, amplitude_ua=2000, pulse_width_us=200, rate_mhz=1_000_000)


def _needs(scs_target, scs_info, kind: FaultKind) -> None:
    if not scs_info.has(Capability.TEST_BUILD):
        pytest.skip("capability: test build (FAULT_INJECT exists in test builds only)")
    if kind is FaultKind.HANG and not scs_target.watchdog:
        pytest.skip(f"capability: watchdog ({scs_info.name} has no IWDG: QEMU models none, qemu-rt emulates it)")


def _stimulating(b, stimulus: dict = AREA) -> dict:
    program(b, 0, [stimulus])
    b.call("PROGRAM_SELECT", program=0)
    b.call("STIM_SET", on=1)
    return b.call("AREA_READ", program=0, area=0)._asdict()


def _inject(scs_target, b, kind: FaultKind):
    """FAULT_INJECT, the reboot, a new test session; the pin log of the launch that faulted, if any."""
    log = getattr(scs_target, "log", None)
    assert b.request(make(CAT, "FAULT_INJECT", kind=int(kind))).result == "OK"
    scs_target.await_reboot(b)
    b.login(Role.TEST)
    return log


def _events_since_boot(b) -> list:
    total = b.call("EVENT_LOG_READ", index=0).total
    entries = [b.call("EVENT_LOG_READ", index=i) for i in range(max(0, total - 8), total)]
    boots = [i for i, e in enumerate(entries) if e.kind == EventKind.BOOT]
    return entries[boots[-1]:] if boots else []


@pytest.mark.requirement("SRS-FAULT-003", "SRS-SAFE-004")
@pytest.mark.parametrize("kind", list(FaultKind), ids=lambda k: k.name.lower())
def test_a_fault_reboots_and_reports_its_cause_and_record(scs_target, scs_info, tester, kind):
    _needs(scs_target, scs_info, kind)
    _stimulating(tester)
    _inject(scs_target, tester, kind)
    record = tester.call("FAULT_RECORD_GET")
    assert ResetCause(record.reset_cause) is CAUSE[kind]
    assert record.valid == (kind in HANDLED)
    if kind in HANDLED:
        assert record.exception == HARD_FAULT_EXCEPTION and record.fault_kind == kind
    boot = _events_since_boot(tester)
    assert boot and boot[0].code == CAUSE[kind], "the boot is reported as an event with its cause"


@pytest.mark.requirement("SRS-FAULT-004", "SRS-SAFE-004")
@pytest.mark.parametrize("kind", list(FaultKind), ids=lambda k: k.name.lower())
def test_after_a_fault_stimulation_waits_to_be_turned_on_again(scs_target, scs_info, tester, kind):
    _needs(scs_target, scs_info, kind)
    _stimulating(tester)
    _inject(scs_target, tester, kind)
    assert tester.call("STATUS_GET").stim_on == 0
    tester.call("STIM_SET", on=1)
    assert tester.call("STATUS_GET").stim_on == 1


@pytest.mark.requirement("SRS-FAULT-005")
@pytest.mark.parametrize("kind", list(FaultKind), ids=lambda k: k.name.lower())
def test_a_fault_keeps_the_settings_and_the_security_record(scs_target, scs_info, tester, kind):
    _needs(scs_target, scs_info, kind)
    written = _stimulating(tester)
    _inject(scs_target, tester, kind)  # logging in again proves the keys; the record's CRC is checked at boot
    assert tester.call("AREA_READ", program=0, area=0)._asdict() == written
    assert not tester.call("STATUS_GET").fault_flags & (1 << FaultCode.NVM_CORRUPT)
    resets = [e.code for e in _events_since_boot(tester) if e.kind == EventKind.RESET]
    assert ResetCode.DEFAULTS_LOADED not in resets and ResetCode.SLOT_FALLBACK not in resets


@pytest.mark.requirement("SRS-SAFE-004")
@pytest.mark.parametrize("kind", sorted(HANDLED), ids=lambda k: k.name.lower())
def test_the_fault_handler_drives_the_outputs_safe_within_its_bound(scs_target, scs_info, tester, kind, measure):
    """The fault lands while a pulse drives the pins: a program busy 96 % of the time, and the fault
    injected again (at most MAX_INJECTIONS times) until the observer saw a pin high at the handler's
    entry. Deciding on the pins' state, never on time."""
    _needs(scs_target, scs_info, kind)
    if getattr(scs_target, "log", None) is None:
        pytest.skip(f"capability: pin observer ({scs_info.name} shows no pins; qemu-rt does)")
    from hil.board.image import symbols as _symbols
    from hil.board.observer import FAULT_SYMBOL

    handler = _symbols(scs_target.elf)[FAULT_SYMBOL][0] & ~1
    for _ in range(MAX_INJECTIONS):
        _stimulating(tester, busy_area_fields())
        seen = faults(_inject(scs_target, tester, kind), handler)
        assert len(seen) == 1, "the handler ran once"
        f = seen[0]
        if f.pins_before:
            break
    measure("fault_pins_before", f.pins_before, "PB12-15 bits", low=1)
    assert f.pins_before, f"no fault of {MAX_INJECTIONS} landed during a pulse"
    assert f.pins_low_insns is not None and f.dac_zero_insns is not None, "PB12-15 driven low and DAC code 0 written"
    measure("fault_pins_low", f.pins_low_insns, "instructions", high=FAULT_SAFE_PIN_INSNS)
    measure("fault_dac_zero", f.dac_zero_insns, "instructions", high=FAULT_SAFE_DAC_INSNS)
    assert f.pins_low_insns <= FAULT_SAFE_PIN_INSNS and f.dac_zero_insns <= FAULT_SAFE_DAC_INSNS
    # on a chip with the timer-driven path (OC=1) a DAC code written while its trigger is on waits for the
    # next TIM8 compare, and TIM8's DMA may write a pin word after the handler's: both are switched off
    assert f.dac_zero_reaches_the_output, "the DAC's trigger is off before code 0 is written"
    assert f.path_stopped_insns is not None, "TIM8 stopped and DMA2 stream 2 disabled"
    assert f.pins_low_again_insns is not None, "PB12-15 driven low again once nothing else can write them"


@pytest.mark.requirement("SRS-FAULT-006")
@pytest.mark.parametrize("kind", [FaultKind.HANG, FaultKind.BROWN_OUT], ids=lambda k: k.name.lower())
def test_a_watchdog_or_brown_out_reset_leaves_the_outputs_low(scs_target, scs_info, tester, kind):
    _needs(scs_target, scs_info, kind)
    if getattr(scs_target, "log", None) is None:
        pytest.skip(f"capability: pin observer ({scs_info.name} shows no pins; qemu-rt does)")
    _stimulating(tester)
    record = pins.parse_log(_inject(scs_target, tester, kind))
    assert record.pin_writes and record.pin_writes[-1].pins == 0, "the last pin state before the reset is all low"
