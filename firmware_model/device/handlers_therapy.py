"""Handlers of the therapy requests: stimulation on/off, program choice, amplitude, areas, limits, AdaptiveStim, MRI mode."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from firmware_model.device.eventlog import EventKind, FaultCode, ModeCode
from firmware_model.device.handler_table import handles, ok, result
from firmware_model.device.rules import adaptive_problem, area_problem, commit_problem, limits_problem
from firmware_model.device.settings import AdaptiveSettings, ProgramSlot
from firmware_model.stimulation import safety
from firmware_model.stimulation.params import Program
from protocol.spec import generated as dev
from protocol.spec.catalog import Message, Role
from protocol.wire.codec import make

if TYPE_CHECKING:
    from firmware_model.device.device import Device

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
    if obj.area != dev.ALL_AREAS and obj.area >= n:
        return result(d, msg, "OUT_OF_RANGE", "area")
    index = d.settings.active_program
    slot = d.settings.programs[index]
    assert slot is not None
    new, clamped = _stepped(d, prog, slot, range(n) if obj.area == dev.ALL_AREAS else (obj.area,), obj.steps)
    d.applied = new
    d.target = list(new)
    d.adaptive.ramp_next_tick = None
    d.settings = d.settings.with_program(index, slot.remember(d.memory_key(), tuple(new)))
    d.retarget()
    d.save()
    return make(c, "AMPLITUDE", result=c.result_code("LIMIT_CLAMPED" if clamped else "OK"),
                amplitude_ua=d.padded(new))


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


