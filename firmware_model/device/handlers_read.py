"""Handlers of the read requests: identity, status, timing, areas, limits, impedance, charging, log, clock."""

from __future__ import annotations

from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from firmware_model.clock import DAY_TICKS
from firmware_model.device.handler_table import handles
from firmware_model.device.processor import FaultRecord
from firmware_model.stimulation.area_fields import area_to_fields
from protocol.spec import generated as dev
from protocol.spec.catalog import Message, Role
from protocol.spec.generated import Capability
from protocol.wire.codec import make

if TYPE_CHECKING:
    from firmware_model.device.device import Device

# ======================================================================================= reading
@handles("DEVICE_INFO_GET")
def device_info_get(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    p = d.profile
    caps = Capability.VIRTUAL_CLOCK | Capability.INPUTS | Capability.TRACE
    if d.cfg.trial:
        caps |= Capability.TRIAL
    elif not d.power.primary:
        caps |= Capability.RECHARGEABLE
    if d.cfg.test_build and d.cfg.keys.test is not None:
        caps |= Capability.TEST_BUILD
    if d.cfg.development_keys:
        caps |= Capability.DEVELOPMENT_KEYS
    if d.cfg.entropy is not None:
        caps |= Capability.ENTROPY
    return make(d.catalog, "DEVICE_INFO", protocol_version=d.catalog.protocol_version,
                firmware_version=dev.FIRMWARE_VERSION, device_id=d.cfg.device_id, tick_ns=dev.TICK_NS,
                capabilities=int(caps),
                contact_count=p.contact_count, max_programs=p.max_programs, max_areas=p.max_areas,
                amplitude_step_ua=p.amplitude_step_ua, max_amplitude_ua=p.max_amplitude_ua,
                max_cathode_charge_pc=p.max_cathode_charge_pc, compliance_mv=p.compliance_mv)


@handles("STATUS_GET")
def status_get(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    soc, mv, bstate, rstate, temp = d.power.status()
    return make(d.catalog, "STATUS", stim_on=int(d.stim_on), active_program=d.settings.active_program,
                amplitude_ua=d.padded(d.applied), clock_ticks=d.clock, battery_soc_permille=soc,
                battery_mv=mv, battery_state=bstate, recharge_state=rstate, temperature_mc=temp,
                fault_flags=d.faults.flags(), mri_mode=int(d.mri), device_mode=int(d.cfg.trial),
                posture=int(d.adaptive.posture), trial_day=d.clock // DAY_TICKS if d.cfg.trial else 0,
                late_pulses=0)  # the model has no hardware timer: its pulses are never late


@handles("TIMING_GET")
def timing_get(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    """Output timer and link counters: none on the model (no hardware timer, no interrupts)."""
    return make(d.catalog, "TIMING", counts_per_tick=0, edges=0, pulses=0, late_edges=0, late_pulses=0,
                worst_latency_counts=0, idle_counts=0, elapsed_counts=0, rx_overruns=0, rx_high_water=0,
                worst_request_counts=0, last_request_counts=0)


@handles("AREA_READ")
def area_read(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    c = d.catalog
    prog = d.program(obj.program)
    if prog is None or obj.area >= len(prog.areas):
        return make(c, "AREA", result=c.result_code("WRONG_STATE"), program=obj.program, area=obj.area,
                    pulse_width_us=0, rate_mhz=0, recharge_ratio=0, pulses_per_burst=0)
    return make(c, "AREA", result=0, program=obj.program, area=obj.area, **area_to_fields(prog.areas[obj.area]))


@handles("LIMITS_READ")
def limits_read(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    c = d.catalog
    slot = d.settings.programs[obj.program]
    if slot is None or obj.area >= len(slot.limits):
        return make(c, "LIMITS", result=c.result_code("WRONG_STATE"))
    lo, hi = slot.limits[obj.area]
    return make(c, "LIMITS", result=0, min_amplitude_ua=lo, max_amplitude_ua=hi,
                patient_selectable=int(slot.selectable))


@handles("IMPEDANCE_GET")
def impedance_get(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    measured = d.leads.measured
    faulted = measured.faulted(d.profile)
    return make(d.catalog, "IMPEDANCE", ohms=tuple(min(z, 0xFFFF) for z in measured.ohms),
                faulted_mask=sum(1 << i for i in faulted))


@handles("CHARGING_STATUS_GET")
def charging_status_get(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    soc, _, _, rstate, temp = d.power.status()
    current, received = d.power.charging()
    return make(d.catalog, "CHARGING_STATUS", recharge_state=rstate, battery_current_ua=current,
                received_mw=received, temperature_mc=temp, battery_soc_permille=soc)


@handles("EVENT_LOG_READ")
def event_log_read(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    c = d.catalog
    if obj.index >= len(d.log):
        return make(c, "EVENT_LOG_ENTRY", result=c.result_code("OUT_OF_RANGE"), index=obj.index, total=len(d.log))
    e = d.log[obj.index]
    return make(c, "EVENT_LOG_ENTRY", result=0, index=obj.index, total=len(d.log), tick=e.tick,
                kind=int(e.kind), code=e.code, detail=e.detail)


@handles("CLOCK_GET")
def clock_get(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    return make(d.catalog, "CLOCK", ticks=d.clock)




@handles("FAULT_RECORD_GET")
def fault_record_get(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    record = d.fault_record or FaultRecord()
    return make(d.catalog, "FAULT_RECORD", reset_cause=int(d.reset_cause), valid=int(d.fault_record is not None),
                **asdict(record))
