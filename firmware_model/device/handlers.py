"""One handler per device request, and the table the device dispatches through.

A handler gets the device, the request's catalog entry, the decoded request and the session's role,
and returns the response message instance. `HANDLERS` is built once at import and checked against
the catalog then: a request without a handler (or a handler for no request) fails at load, not at
the first request.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from firmware_model.battery.usage import DAY_TICKS
from firmware_model.device.adaptive import Posture
from firmware_model.device.eventlog import EventKind, FaultCode, ModeCode
from firmware_model.device.settings import AdaptiveSettings, ProgramSlot
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation import safety
from firmware_model.stimulation.area_fields import AREA_FIELDS, area_from_fields, area_to_fields, field_of_error
from firmware_model.stimulation.interleave import InterleaveError
from firmware_model.stimulation.params import Area, ParameterError, Program
from firmware_model.stimulation.safety import SafetyLimitError
from firmware_model.stimulation.scheduler import Scheduler
from protocol.spec import generated as dev
from protocol.spec.catalog import Catalog, Kind, Message, Role, load_catalog
from protocol.spec.generated import Capability
from protocol.wire.codec import make

if TYPE_CHECKING:
    from firmware_model.device.device import Device

Handler = Callable[["Device", Message, Any, Role], Any]

ALL_AREAS = dev.ALL_AREAS

HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"two handlers for {name}")
        HANDLERS[name] = fn
        return fn
    return register


def result(d: Device, msg: Message, name: str, field: str | int | None = None) -> Any:
    """A RESULT answer; ``field`` names the request field it is about (by name or index)."""
    index = dev.NO_FIELD
    if isinstance(field, int):
        index = field
    elif field is not None:
        index = [f.name for f in msg.fields].index(field)
    return make(d.catalog, "RESULT", request_id=msg.id, result=d.catalog.result_code(name), field=index)


def ok(d: Device, msg: Message) -> Any:
    return result(d, msg, "OK")


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


# ======================================================================================= therapy
@handles("STIM_SET")
def stim_set(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    if not obj.on:
        d.stim_stop()
        d.mri_saved_on = False  # leaving MRI mode will not turn it back on
        d.settings = replace(d.settings, stim_on=False)
        d.save()
        return ok(d, msg)
    if d.stim_on:
        return ok(d, msg)
    if d.active_program() is None or d.power.cutoff:
        return result(d, msg, "WRONG_STATE", "on")
    if FaultCode.WATCHDOG in d.faults:
        # a clinician or patient turning stimulation back on acknowledges the watchdog fault
        d.faults.clear(FaultCode.WATCHDOG)
        d.output.stalled = False
    d.check_impedance()
    d.stim_start()
    d.settings = replace(d.settings, stim_on=True)
    d.save()
    return ok(d, msg)


@handles("PROGRAM_SELECT")
def program_select(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    slot = d.settings.programs[obj.program]
    if slot is None:
        return result(d, msg, "WRONG_STATE", "program")
    if role is Role.PATIENT and not slot.selectable:
        return result(d, msg, "NOT_PERMITTED", "program")
    was_on = d.stim_on
    d.stim_stop(log=False)
    d.settings = replace(d.settings, active_program=obj.program)
    d.applied = d.remembered_amplitudes()
    d.target = list(d.applied)
    d.adaptive.ramp_next_tick = None
    d.log_event(EventKind.MODE, ModeCode.PROGRAM_SELECTED, obj.program)
    if was_on:
        d.stim_start()
    d.save()
    return ok(d, msg)


def _stepped(d: Device, prog: Program, slot: ProgramSlot, areas: range | tuple[int], steps: int) -> tuple[list[int], bool]:
    """The applied amplitudes after ``steps`` amplitude steps on ``areas``, inside each area's window
    and safe maximum; and whether any was clamped."""
    new, clamped = list(d.applied), False
    for i in areas:
        lo, hi = slot.limits[i]
        hi = min(hi, safety.max_safe_amplitude_ua(prog.areas[i], d.profile))
        want = d.applied[i] + steps * d.profile.amplitude_step_ua
        got = min(max(want, lo), hi)
        clamped |= got != want
        new[i] = got
    return new, clamped


@handles("AMPLITUDE_STEP")
def amplitude_step(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    prog = d.active_program()
    c = d.catalog
    if prog is None:
        return make(c, "AMPLITUDE", result=c.result_code("WRONG_STATE"), amplitude_ua=d.padded(d.applied))
    n = len(prog.areas)
    if obj.area != ALL_AREAS and obj.area >= n:
        return result(d, msg, "OUT_OF_RANGE", "area")
    index = d.settings.active_program
    slot = d.settings.programs[index]
    assert slot is not None
    new, clamped = _stepped(d, prog, slot, range(n) if obj.area == ALL_AREAS else (obj.area,), obj.steps)
    d.applied = new
    d.target = list(new)
    d.adaptive.ramp_next_tick = None
    d.settings = d.settings.with_program(index, slot.remember(d.memory_key(), tuple(new)))
    d.retarget()
    d.save()
    return make(c, "AMPLITUDE", result=c.result_code("LIMIT_CLAMPED" if clamped else "OK"),
                amplitude_ua=d.padded(new))


# ------------------------------------------------------------- checks shared with the settings image
Problem = tuple[str, str]   # (result name, request field it is about)


def area_problem(obj: Any, profile: DeviceProfile) -> tuple[Area | None, Problem | None]:
    """An AREA_WRITE's area (its own rules and the safety limits), or why it is refused."""
    fields = {name: getattr(obj, name) for name in AREA_FIELDS}
    try:
        area = area_from_fields(fields, profile)
        safety.check_area(area, profile)
    except SafetyLimitError:
        return None, ("UNSAFE", "amplitude_ua")
    except ParameterError as e:
        return None, ("OUT_OF_RANGE", field_of_error(e.field))
    return area, None


def commit_problem(areas: tuple[Area, ...], profile: DeviceProfile) -> Problem | None:
    """PROGRAM_COMMIT: the areas must share the output stage (interleaving) within the limits."""
    try:
        Scheduler(Program(areas), profile)
    except (InterleaveError, SafetyLimitError):
        return "UNSAFE", "area_count"
    return None


def limits_problem(obj: Any, prog: Program, profile: DeviceProfile) -> Problem | None:
    """LIMITS_WRITE on a stored program: a window of whole steps, within the area's safe maximum."""
    if obj.min_amplitude_ua > obj.max_amplitude_ua:
        return "OUT_OF_RANGE", "min_amplitude_ua"
    step = profile.amplitude_step_ua
    if obj.min_amplitude_ua % step or obj.max_amplitude_ua % step:
        return "OUT_OF_RANGE", "min_amplitude_ua" if obj.min_amplitude_ua % step else "max_amplitude_ua"
    if obj.max_amplitude_ua > safety.max_safe_amplitude_ua(prog.areas[obj.area], profile):
        return "UNSAFE", "max_amplitude_ua"
    return None


def adaptive_problem(obj: Any, profile: DeviceProfile) -> Problem | None:
    if obj.ramp_ua_per_s % profile.amplitude_step_ua:
        return "OUT_OF_RANGE", "ramp_ua_per_s"
    return None


@handles("AREA_WRITE")
def area_write(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    area, problem = area_problem(obj, d.profile)
    if problem is not None or area is None:
        return result(d, msg, *(problem or ("UNSAFE", "amplitude_ua")))
    d.staged[(obj.program, obj.area)] = area
    return ok(d, msg)


@handles("PROGRAM_COMMIT")
def program_commit(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    staged = [d.staged.get((obj.program, i)) for i in range(obj.area_count)]
    areas = tuple(a for a in staged if a is not None)
    if len(areas) != len(staged):
        return result(d, msg, "WRONG_STATE", "area_count")
    problem = commit_problem(areas, d.profile)
    if problem is not None:
        return result(d, msg, *problem)
    d.settings = d.settings.with_program(obj.program, ProgramSlot.new(areas))
    for i in range(obj.area_count):
        d.staged.pop((obj.program, i), None)
    d.log_event(EventKind.MODE, ModeCode.PROGRAM_STORED, obj.program)
    if obj.program == d.settings.active_program:
        was_on = d.stim_on
        d.stim_stop(log=False)
        d.applied = d.remembered_amplitudes()
        d.target = list(d.applied)
        if was_on:
            d.stim_start()
    d.save()
    return ok(d, msg)


@handles("LIMITS_WRITE")
def limits_write(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    prog = d.program(obj.program)
    slot = d.settings.programs[obj.program]
    if prog is None or slot is None or obj.area >= len(prog.areas):
        return result(d, msg, "WRONG_STATE", "area")
    problem = limits_problem(obj, prog, d.profile)
    if problem is not None:
        return result(d, msg, *problem)
    lo, hi = obj.min_amplitude_ua, obj.max_amplitude_ua
    d.settings = d.settings.with_program(obj.program, slot.with_limits(obj.area, lo, hi, bool(obj.patient_selectable)))
    if obj.program == d.settings.active_program and obj.area < len(d.applied):
        for arr in (d.applied, d.target):
            arr[obj.area] = min(max(arr[obj.area], lo), hi)
        d.retarget()
    d.save()
    return ok(d, msg)


@handles("ADAPTIVE_SET")
def adaptive_set(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    problem = adaptive_problem(obj, d.profile)
    if problem is not None:
        return result(d, msg, *problem)
    d.settings = replace(d.settings, adaptive=AdaptiveSettings(bool(obj.enabled), obj.dwell_ms, obj.ramp_ua_per_s))
    d.save()
    return ok(d, msg)


@handles("MRI_MODE_SET")
def mri_mode_set(d: Device, msg: Message, obj: Any, role: Role) -> Any:
    if obj.enter:
        if d.mri:
            return ok(d, msg)
        if d.faults:
            return result(d, msg, "WRONG_STATE", "enter")
        d.mri_saved_on = d.stim_on
        d.stim_stop(log=False)
        d.mri = True
        d.log_event(EventKind.MODE, ModeCode.MRI_ENTER)
        return ok(d, msg)
    if not d.mri:
        return ok(d, msg)
    d.mri = False
    d.log_event(EventKind.MODE, ModeCode.MRI_EXIT)
    if d.mri_saved_on and d.active_program() is not None and not d.power.cutoff:
        d.stim_start()
    return ok(d, msg)


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


def check_complete(table: dict[str, Handler], catalog: Catalog) -> None:
    """Every device request of the catalog (but the session layer's) has exactly one handler, and every
    handler a request."""
    requests = {m.name for m in catalog.messages if m.kind is Kind.REQUEST} - dev.SESSION
    missing, extra = requests - table.keys(), table.keys() - requests
    if missing or extra:
        raise RuntimeError(f"device handler table does not match the catalog: missing {sorted(missing)}, "
                           f"handlers for no request {sorted(extra)}")


check_complete(HANDLERS, load_catalog())
