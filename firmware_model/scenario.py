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
import re
import tomllib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from firmware_model.params import (
    TICKS_PER_SECOND,
    Area,
    Contacts,
    Cycling,
    ParameterError,
    Program,
    RechargeMode,
    Waveform,
)
from firmware_model.profiles import DeviceProfile
from firmware_model.safety import ContactImpedances


class ScenarioError(ValueError):
    def __init__(self, source: str, key: str, reason: str):
        self.source, self.key, self.reason = source, key, reason
        super().__init__(f"{source}: {key}: {reason}")


_UNITS = {"us": 1, "ms": 1_000, "s": TICKS_PER_SECOND, "min": 60 * TICKS_PER_SECOND,
          "h": 3600 * TICKS_PER_SECOND, "d": 86_400 * TICKS_PER_SECOND}


def parse_duration_ticks(text: str) -> int:
    """'10s', '250ms', '1.5h', '3d' -> integer ticks (1 tick = 1 us). Must be whole ticks and > 0."""
    m = re.fullmatch(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s|min|h|d)\s*", str(text))
    if not m:
        raise ValueError(f"duration {text!r} is not allowed: a number with a unit (us, ms, s, min, h, d), e.g. '10s'")
    ticks = Decimal(m.group(1)) * _UNITS[m.group(2)]
    if ticks != ticks.to_integral_value() or ticks <= 0:
        raise ValueError(f"duration {text!r} is not allowed: a positive whole number of microseconds")
    return int(ticks)


def hz_to_mhz(value: Any) -> int:
    """A rate in Hz given as int/float/str, to integer mHz without float rounding surprises."""
    try:
        mhz = Decimal(str(value)) * 1000
    except InvalidOperation:
        raise ValueError(f"{value!r} is not a number") from None
    if mhz != mhz.to_integral_value():
        raise ValueError(f"{value!r} Hz has more than 3 decimals (rates are exact to 1 mHz)")
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
        raise ScenarioError(src, f"{key}.{sorted(unknown)[0]}", f"unknown key; allowed: {', '.join(sorted(_AREA_KEYS))}")
    for required in ("cathodes", "amplitude_ua", "pulse_width_us", "rate_hz"):
        if required not in d:
            raise ScenarioError(src, f"{key}.{required}", "missing (required)")
    try:
        cath = d["cathodes"]
        if not isinstance(cath, dict):
            raise ParameterError("cathodes", cath, 'a table of contact = share, e.g. { "0" = 100 }')
        cathodes = tuple(sorted((int(c), s) for c, s in cath.items()))
        anodes = tuple(d.get("anodes", ()))
        cyc = d.get("cycling")
        cycling = None
        if cyc is not None:
            if not isinstance(cyc, dict) or set(cyc) != {"on_s", "off_s"}:
                raise ParameterError("cycling", cyc, "a table { on_s = N, off_s = N }")
            cycling = Cycling(on_ms=int(Decimal(str(cyc["on_s"])) * 1000), off_ms=int(Decimal(str(cyc["off_s"])) * 1000))
        try:
            waveform = Waveform(d.get("waveform", "tonic"))
        except ValueError:
            raise ParameterError("waveform", d.get("waveform"), "tonic, burst or high_frequency") from None
        try:
            recharge = RechargeMode(d.get("recharge", "passive" if waveform is Waveform.BURST else "active"))
        except ValueError:
            raise ParameterError("recharge", d.get("recharge"), "active or passive") from None
        try:
            rate = hz_to_mhz(d["rate_hz"])
            intra = hz_to_mhz(d.get("intra_burst_rate_hz", 0))
        except ValueError as e:
            raise ParameterError("rate_hz", d["rate_hz"], str(e)) from None
        return Area(
            contacts=Contacts(cathodes=cathodes, anodes=anodes, case_anode=bool(d.get("case_anode", False))),
            amplitude_ua=d["amplitude_ua"], pulse_width_us=d["pulse_width_us"], rate_mhz=rate, waveform=waveform,
            interphase_gap_us=d.get("interphase_gap_us", 0), recharge=recharge,
            recharge_ratio=d.get("recharge_ratio", 1), passive_window_us=d.get("passive_window_us", 0),
            pulses_per_burst=d.get("pulses_per_burst", 1), intra_burst_rate_mhz=intra, cycling=cycling,
            soft_start_ms=d.get("soft_start_ms", 0), profile=profile)
    except ParameterError as e:
        raise ScenarioError(src, f"{key}.{e.field}", f"{e.value!r} is not allowed: {e.allowed}") from None
    except (TypeError, ValueError) as e:
        raise ScenarioError(src, key, str(e)) from None


def scenario_from_dict(d: dict, source: str = "<scenario>") -> Scenario:
    unknown = set(d) - _TOP_KEYS
    if unknown:
        raise ScenarioError(source, sorted(unknown)[0], f"unknown key; allowed: {', '.join(sorted(_TOP_KEYS))}")
    prof = d.get("profile", {})
    fields = {f.name for f in dataclasses.fields(DeviceProfile)}
    for k in prof:
        if k not in fields:
            raise ScenarioError(source, f"profile.{k}", f"unknown profile field; allowed: {', '.join(sorted(fields))}")
    try:
        profile = DeviceProfile(**prof)
    except TypeError as e:
        raise ScenarioError(source, "profile", str(e)) from None
    imp = d.get("impedance", {})
    default = imp.get("default_ohm", 1000)
    ohms = [default] * profile.contact_count
    for c, z in imp.get("contacts", {}).items():
        try:
            idx = int(c)
            ohms[idx] = z
        except (ValueError, IndexError):
            raise ScenarioError(source, f"impedance.contacts.{c}",
                                f"a contact index 0 to {profile.contact_count - 1}") from None
    try:
        impedances = ContactImpedances(tuple(ohms))
    except ParameterError as e:
        raise ScenarioError(source, f"impedance.{e.field}", e.allowed) from None
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
        raise ScenarioError(str(p), "(file)", "no such file") from None
    except (OSError, UnicodeDecodeError) as e:
        raise ScenarioError(str(p), "(file)", f"unreadable: {e}") from None
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ScenarioError(str(p), "(syntax)", f"not valid TOML: {e}") from None
    return scenario_from_dict(data, str(p))
