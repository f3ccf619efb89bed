"""The rules a request must meet before it changes the device, shared by the request handlers and the
settings image (an image whose CRC checks but whose fields break a rule is refused the same way)."""

from __future__ import annotations

from typing import Any

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation import safety
from firmware_model.stimulation.area_fields import AREA_FIELDS, area_from_fields, field_of_error
from firmware_model.stimulation.interleave import InterleaveError
from firmware_model.stimulation.params import Area, ParameterError, Program
from firmware_model.stimulation.safety import SafetyLimitError
from firmware_model.stimulation.scheduler import Scheduler

Problem = tuple[str, str]   # (result name, request field it is about)

#: request fields that count the profile's programs and areas: field -> (profile count, the largest
#: value is the count minus this). The wire's own bounds are the definition's maxima; a profile may
#: have fewer, and what lies past them is refused here, before any handler runs.
PROFILE_COUNTED = {"program": ("max_programs", 1), "area": ("max_areas", 1), "area_count": ("max_areas", 0)}


def profile_count_problem(msg: Any, obj: Any, profile: DeviceProfile) -> Problem | None:
    """A request's program or area index past this profile's counts (fields with a declared maximum
    only: AMPLITUDE_STEP's area also takes the all-areas code)."""
    for f in msg.fields:
        counted = PROFILE_COUNTED.get(f.name)
        if counted is not None and f.max is not None and getattr(obj, f.name) > getattr(profile, counted[0]) - counted[1]:
            return "OUT_OF_RANGE", f.name
    return None


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


