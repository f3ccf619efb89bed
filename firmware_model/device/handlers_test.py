"""Handlers of the test role's requests: simulated inputs (posture, impedance, charger coupling), trace, clock, reset."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from firmware_model.device.adaptive import Posture
from firmware_model.device.handler_table import handles, ok, result
from protocol.spec.catalog import Message, Role
from protocol.spec.generated import FaultKind
from protocol.wire.codec import make

if TYPE_CHECKING:
    from firmware_model.device.device import Device

# ======================================================================== simulated inputs, test hooks
@handles("POSTURE_INPUT")
def posture_input(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    d.adaptive.sense(Posture(obj.posture), d.clock)
    return ok(d, msg)


@handles("IMPEDANCE_INPUT")
def impedance_input(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    d.leads.lead_ohms[obj.contact] = obj.ohms
    return ok(d, msg)


@handles("RECHARGE_COUPLING_INPUT")
def recharge_coupling_input(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    if d.power.battery is None or d.power.primary:  # nothing to recharge
        return result(d, msg, "WRONG_STATE")
    d.power.couple(obj.separation_mm, obj.misalignment_mm, obj.transmit_mw)
    return ok(d, msg)


@handles("TRACE_START")
def trace_start(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    d.output.trace_start(min(obj.max_pulses, d.cfg.trace_capacity))
    return ok(d, msg)


@handles("TRACE_STOP")
def trace_stop(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    d.output.tracing = False
    return ok(d, msg)


@handles("TRACE_DUMP")
def trace_dump(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    trace = d.output.trace
    recs = trace[obj.offset:obj.offset + obj.count]
    return make(d.catalog, "TRACE_DATA", offset=obj.offset, total=len(trace), count=len(recs),
                records=recs.tobytes())


@handles("CLOCK_ADVANCE")
def clock_advance(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    d.advance(obj.ticks)
    return make(d.catalog, "CLOCK", ticks=d.clock)


@handles("RESET")
def reset(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    # the answer goes out first; the host sees the reset in the event log and STATUS
    d.pending_reset = obj.kind
    return ok(d, msg)




@handles("FAULT_INJECT")
def fault_inject(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    # the answer goes out first; the host then sees the reboot (FAULT_RECORD, the BOOT event)
    d.pending_fault = FaultKind(obj.kind)
    return ok(d, msg)
