"""The processor's supervision as the model sees it: why it last reset, the fault record its fault
handler kept in retained memory, and the restart policy (docs/faults.md).

The model has no registers: a record it keeps says which exception was taken and which fault was
injected; the register fields are 0. The board fills them (PC, LR, xPSR, CFSR, HFSR, MMFAR, BFAR, SP).
"""

from __future__ import annotations

from dataclasses import dataclass

from protocol.spec.generated import FaultKind, ResetCause

#: IPSR exception numbers
HARD_FAULT_EXCEPTION = 3
NOT_INJECTED = 255

#: resets after which stimulation stays off until a STIM_SET turns it on (the restart policy): every
#: reset the device did not expect. After power-on, the reset pin or an unknown cause, the stored
#: on/off state applies, as before.
HOLDING_CAUSES = frozenset({ResetCause.WATCHDOG, ResetCause.SOFTWARE, ResetCause.BROWN_OUT, ResetCause.LOCKUP})

#: what each injected fault does on a board: the exception its handler takes (0: none) and the cause
#: the next boot reads
OUTCOME: dict[FaultKind, tuple[int, ResetCause]] = {
    FaultKind.HARD_FAULT: (HARD_FAULT_EXCEPTION, ResetCause.SOFTWARE),
    FaultKind.STACK_OVERFLOW: (HARD_FAULT_EXCEPTION, ResetCause.SOFTWARE),
    FaultKind.HANG: (0, ResetCause.WATCHDOG),
    FaultKind.BROWN_OUT: (0, ResetCause.BROWN_OUT),
}


@dataclass(frozen=True)
class FaultRecord:
    """What a fault handler saved before the reset (FAULT_RECORD's fields after reset_cause/valid)."""

    exception: int = 0
    fault_kind: int = NOT_INJECTED
    pc: int = 0
    lr: int = 0
    xpsr: int = 0
    cfsr: int = 0
    hfsr: int = 0
    mmfar: int = 0
    bfar: int = 0
    sp: int = 0
    uptime_ticks: int = 0


def injected(kind: FaultKind, uptime_ticks: int) -> tuple[FaultRecord | None, ResetCause]:
    """The record (None when no handler runs: a watchdog or brown-out reset) and the next reset cause."""
    exception, cause = OUTCOME[kind]
    return (FaultRecord(exception, int(kind), uptime_ticks=uptime_ticks) if exception else None), cause


def holds_stimulation(cause: ResetCause) -> bool:
    """The restart policy: after this reset, stimulation waits for a STIM_SET."""
    return cause in HOLDING_CAUSES
