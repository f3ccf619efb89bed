"""Scenario files (TOML): a program, its contacts' impedances, profile overrides and a duration.

```toml
name = "Tonic 50 Hz"
duration = "10s"                 # us, ms, s, min, h, d
[profile]                        # optional DeviceProfile overrides
compliance_mv = 12000
[impedance]
default_ohm = 1000
contacts = { "3" = 5000 }        # optional per-contact overrides
[[area]]
waveform = "tonic"               # tonic | burst | high_frequency
cathodes = { "0" = 100 }         # contact -> current share, percent
anodes = [1]
case_anode = false
amplitude_ua = 4000
pulse_width_us = 300
rate_hz = 50                     # exact to 0.001 Hz
```
Every error names the file, the key and what is allowed (`ScenarioError`).
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import (
    TICKS_PER_SECOND,
    Area,
    Contacts,
    Cycling,
    ParameterError,
    Program,
    RechargeMode,
    Waveform,
)
from firmware_model.stimulation.safety import ContactImpedances


class ScenarioError(ValueError):
    def __init__(self, source: str, key: str, reason: str):
        self.source, self.key, self.reason = source, key, reason
        super().__init__(f"{source}: {key}: {reason}")


_UNITS = {"us": 1, "ms": 1_000, "s": TICKS_PER_SECOND, "min": 60 * TICKS_PER_SECOND,
          "h": 3600 * TICKS_PER_SECOND, "d": 86_400 * TICKS_PER_SECOND}


def show(value: Any) -> str:
    """A value as the user wrote it in TOML (never a Python repr)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, float):
        if math.isnan(value):
            return "nan"
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return f"{value:g}" if abs(value) < 1e15 else f"{value:e}"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    return "a value of another kind"


def parse_duration_ticks(text: str) -> int:
    """'10s', '250ms', '1.5h', '3d' -> integer ticks (1 tick = 1 us). Must be whole ticks and > 0."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s|min|h|d)\s*", str(text))
    if not m:
        raise ValueError(f"duration {show(text)} is not allowed: a number with a unit (us, ms, s, min, h, d), e.g. \"10s\"")
    ticks = Decimal(m.group(1)) * _UNITS[m.group(2)]
    if ticks != ticks.to_integral_value() or ticks <= 0:
        raise ValueError(f"duration {show(text)} is not allowed: a positive whole number of microseconds")
    return int(ticks)


def hz_to_mhz(value: Any) -> int:
    """A rate in Hz given as int/float/str, to integer mHz without float rounding surprises."""
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError(f"{show(value)} is not a number")
    try:
        mhz = Decimal(str(value)) * 1000
    except InvalidOperation:
        raise ValueError(f"{show(value)} is not a number") from None
    if not mhz.is_finite():
        raise ValueError(f"{show(value)} is not a finite number")
    if mhz != mhz.to_integral_value():
        raise ValueError(f"{show(value)} Hz has more than 3 decimals (rates are exact to 1 mHz)")
    return int(mhz)


@dataclass(frozen=True)
class Scenario:
    name: str
    program: Program
    profile: DeviceProfile
    impedances: ContactImpedances
    duration_ticks: int
    raw: dict = dataclasses.field(repr=False, compare=False, default_factory=dict)


_AREA_KEYS = {"waveform", "cathodes", "anodes", "case_anode", "amplitude_ua", "pulse_width_us", "rate_hz",
              "interphase_gap_us", "recharge", "recharge_ratio", "passive_window_us", "pulses_per_burst",
              "intra_burst_rate_hz", "cycling", "soft_start_ms"}
_TOP_KEYS = {"name", "duration", "profile", "impedance", "area", "battery", "usage", "recharge"}


def _area(src: str, i: int, d: dict, profile: DeviceProfile) -> Area:
    key = f"area[{i}]"
    if not isinstance(d, dict):
        raise ScenarioError(src, key, "a table")
    unknown = set(d) - _AREA_KEYS
    if unknown:
        raise ScenarioError(src, f"{key}.{min(unknown)}", f"unknown key; allowed: {', '.join(sorted(_AREA_KEYS))}")
    for required in ("cathodes", "amplitude_ua", "pulse_width_us", "rate_hz"):
        if required not in d:
            raise ScenarioError(src, f"{key}.{required}", "missing (required)")
    try:
        return _area_from_table(d, profile)
    except ParameterError as e:
        raise ScenarioError(src, f"{key}.{e.field}", f"{show(e.value)} is not allowed: {e.allowed}") from None
    except (TypeError, ValueError) as e:
        raise ScenarioError(src, key, str(e)) from None


def _area_from_table(d: dict, profile: DeviceProfile) -> Area:
    """The `Area` of a table whose keys are known; raises ParameterError, TypeError or ValueError."""
    cathodes = _cathodes(d["cathodes"], profile)
    anodes = _anodes(d.get("anodes", []), profile)
    case_anode = d.get("case_anode", False)
    if not isinstance(case_anode, bool):
        raise ParameterError("case_anode", case_anode, "true or false")
    cycling = _cycling(d.get("cycling"), profile)
    waveform, recharge = _waveform_and_recharge(d)
    rate, intra = _rate_mhz(d, "rate_hz", None), _rate_mhz(d, "intra_burst_rate_hz", 0)
    return Area(
        contacts=Contacts(cathodes=cathodes, anodes=anodes, case_anode=case_anode),
        amplitude_ua=d["amplitude_ua"], pulse_width_us=d["pulse_width_us"], rate_mhz=rate, waveform=waveform,
        interphase_gap_us=d.get("interphase_gap_us", 0), recharge=recharge,
        recharge_ratio=d.get("recharge_ratio", 1), passive_window_us=d.get("passive_window_us", 0),
        pulses_per_burst=d.get("pulses_per_burst", 1), intra_burst_rate_mhz=intra, cycling=cycling,
        soft_start_ms=d.get("soft_start_ms", 0), profile=profile)


def _rate_mhz(d: dict, key: str, default: int | None) -> int:
    value = d[key] if default is None else d.get(key, default)
    try:
        return hz_to_mhz(value)
    except ValueError as e:
        raise ParameterError(key, value, f"a rate in Hz, exact to 0.001 Hz ({e})") from None


def _contact_index(key: str, text: object, profile: DeviceProfile) -> int:
    """A contact index as written (a TOML key or integer): decimal digits only, 0 to contact_count - 1."""
    last = profile.contact_count - 1
    if isinstance(text, str) and text.isascii() and text.isdigit() and int(text) <= last:
        return int(text)
    if isinstance(text, int) and not isinstance(text, bool) and 0 <= text <= last:
        return text
    raise ParameterError(key, text, f"a contact index 0 to {last}")


def _cathodes(cath: object, profile: DeviceProfile) -> tuple[tuple[int, int], ...]:
    if not isinstance(cath, dict):
        raise ParameterError("cathodes", cath, 'a table of contact = share, e.g. { "0" = 100 }')
    return tuple(sorted((_contact_index(f"cathodes.{show(c)}", c, profile), s) for c, s in cath.items()))


def _anodes(anodes: object, profile: DeviceProfile) -> tuple[int, ...]:
    if not isinstance(anodes, list):
        raise ParameterError("anodes", anodes, f"an array of contact indices 0 to {profile.contact_count - 1}")
    return tuple(_contact_index("anodes", a, profile) for a in anodes)


def _seconds_to_ms(key: str, value: object, max_ms: int) -> int:
    """A cycling time in seconds (whole milliseconds, 0.001 s to ``max_ms``) to integer ms, exactly."""
    allowed = f"a number of seconds from 0.001 to {Decimal(max_ms) / 1000:f}, in whole milliseconds"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ParameterError(key, value, allowed)
    ms = Decimal(str(value)) * 1000
    if ms != ms.to_integral_value() or not 1 <= ms <= max_ms:
        raise ParameterError(key, value, allowed)
    return int(ms)


def _cycling(cyc: object, profile: DeviceProfile) -> Cycling | None:
    if cyc is None:
        return None
    if not isinstance(cyc, dict) or set(cyc) != {"on_s", "off_s"}:
        raise ParameterError("cycling", cyc, "a table { on_s = N, off_s = N }")
    return Cycling(on_ms=_seconds_to_ms("cycling.on_s", cyc["on_s"], profile.max_cycle_ms),
                   off_ms=_seconds_to_ms("cycling.off_s", cyc["off_s"], profile.max_cycle_ms))


def _waveform_and_recharge(d: dict) -> tuple[Waveform, RechargeMode]:
    """Recharge defaults to passive for burst (monophasic pulses), active otherwise."""
    try:
        waveform = Waveform(d.get("waveform", "tonic"))
    except ValueError:
        raise ParameterError("waveform", d.get("waveform"), "tonic, burst or high_frequency") from None
    try:
        recharge = RechargeMode(d.get("recharge", "passive" if waveform is Waveform.BURST else "active"))
    except ValueError:
        raise ParameterError("recharge", d.get("recharge"), "active or passive") from None
    return waveform, recharge


def _profile(source: str, prof: object) -> DeviceProfile:
    """The `[profile]` table as a validated DeviceProfile; errors name ``profile.<key>`` and the range."""
    if not isinstance(prof, dict):
        raise ScenarioError(source, "profile", "a table of DeviceProfile fields")
    fields = {f.name for f in dataclasses.fields(DeviceProfile)}
    for k in prof:
        if k not in fields:
            raise ScenarioError(source, f"profile.{k}", f"unknown profile field; allowed: {', '.join(sorted(fields))}")
    try:
        return DeviceProfile(**prof)
    except ParameterError as e:
        raise ScenarioError(source, f"profile.{e.field}", f"{show(e.value)} is not allowed: {e.allowed}") from None


def _impedances(source: str, imp: object, profile: DeviceProfile) -> ContactImpedances:
    """The `[impedance]` table: ``default_ohm`` and per-contact overrides keyed by contact index."""
    if not isinstance(imp, dict):
        raise ScenarioError(source, "impedance", "a table { default_ohm = N, contacts = { \"3\" = N } }")
    unknown = set(imp) - {"default_ohm", "contacts"}
    if unknown:
        raise ScenarioError(source, f"impedance.{min(unknown)}", "unknown key; allowed: contacts, default_ohm")
    last = profile.contact_count - 1
    contacts = imp.get("contacts", {})
    if not isinstance(contacts, dict):
        raise ScenarioError(source, "impedance.contacts", f'a table of contact = ohm, e.g. {{ "3" = 5000 }}, contact 0 to {last}')
    ohms = [imp.get("default_ohm", 1000)] * profile.contact_count
    for c, z in contacts.items():
        # decimal digits only: int() would also take "-1" (Python's last element), " 3" or "1_0"
        if not (c.isascii() and c.isdigit()) or int(c) > last:
            raise ScenarioError(source, f"impedance.contacts.{show(c)}", f"a contact index 0 to {last}")
        ohms[int(c)] = z
    try:
        return ContactImpedances(tuple(ohms))
    except ParameterError as e:
        index = e.field.removeprefix("impedance[").rstrip("]")
        where = f"contacts.{show(index)}" if index in contacts else "default_ohm"
        raise ScenarioError(source, f"impedance.{where}", f"{show(e.value)} is not allowed: {e.allowed}") from None


def scenario_from_dict(d: dict, source: str = "<scenario>") -> Scenario:
    unknown = set(d) - _TOP_KEYS
    if unknown:
        raise ScenarioError(source, min(unknown), f"unknown key; allowed: {', '.join(sorted(_TOP_KEYS))}")
    profile = _profile(source, d.get("profile", {}))
    impedances = _impedances(source, d.get("impedance", {}), profile)
    areas = d.get("area")
    if not areas or not isinstance(areas, list):
        raise ScenarioError(source, "area", "at least one [[area]] table")
    built = tuple(_area(source, i, a, profile) for i, a in enumerate(areas))
    try:
        program = Program(built, name=str(d.get("name", "")))
    except ParameterError as e:
        raise ScenarioError(source, e.field, e.allowed) from None
    try:
        duration = parse_duration_ticks(d.get("duration", "1s"))
    except ValueError as e:
        raise ScenarioError(source, "duration", str(e)) from None
    return Scenario(str(d.get("name", Path(source).stem)), program, profile, impedances, duration, d)


def load_scenario(path: str | Path) -> Scenario:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(str(p), "(file)", "no such file (a scenario TOML, e.g. examples/tonic.toml)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(str(p), "(file)", f"unreadable: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(str(p), "(syntax)", f"not valid TOML: {e}") from None
    return scenario_from_dict(data, str(p))
