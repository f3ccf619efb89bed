"""The ``[battery]``, ``[usage]`` and ``[recharge]`` tables of a scenario: every key typed and range-checked.

An error names the file, the user's key (``recharge.every_days``), the value as written in TOML and
what is allowed, e.g. ``recharge.every_days: 1.5 is not allowed: a whole number of days from 1 to 365``.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from firmware_model.scenario.stimulation import ScenarioError, show


@dataclass(frozen=True)
class Key:
    """One key: ``kind`` number | integer | choice; bounds ``lo``..``hi``, open ends excluded."""

    kind: str
    lo: float = 0.0
    hi: float = 0.0
    unit: str = ""
    lo_open: bool = False
    hi_open: bool = False
    choices: tuple[str, ...] = ()

    def allowed(self) -> str:
        if self.kind == "choice":
            return " or ".join(json.dumps(c) for c in self.choices)
        what = "a whole number" if self.kind == "integer" else "a number"
        unit = f" {self.unit}" if self.unit else ""
        lo = f"{_num(self.lo)}{' (excluded)' if self.lo_open else ''}"
        hi = f"{_num(self.hi)}{' (excluded)' if self.hi_open else ''}"
        return f"{what}{' of' + unit if unit else ''} from {lo} to {hi}"


def _num(x: float) -> str:
    return f"{x:g}"


def _hour() -> Key:
    return Key("number", 0, 24, "hours", hi_open=True)


SPEC: dict[str, dict[str, Key]] = {
    "battery": {
        "type": Key("choice", choices=("rechargeable", "primary")),
        "capacity_mah": Key("number", 1, 100_000, "mAh"),
        "initial_soc": Key("number", 0, 1, "(state of charge, 1 = full)", lo_open=True),
        "years": Key("number", 0, 30, "years", lo_open=True),
    },
    "usage": {
        "hours_per_day": Key("number", 0, 24, "hours"),
        "stim_start_hour": _hour(),
        "quiescent_ua": Key("number", 0, 10_000, "uA"),
        "telemetry_ua": Key("number", 0, 100_000, "uA"),
        "telemetry_min_per_day": Key("number", 0, 1440, "minutes"),
        "telemetry_start_hour": _hour(),
    },
    "recharge": {
        "every_days": Key("integer", 1, 365, "days"),
        "start_hour": _hour(),
        "duration_min": Key("number", 0, 1440, "minutes", lo_open=True),
        "separation_mm": Key("number", 0, 100, "mm"),
        "misalignment_mm": Key("number", 0, 100, "mm"),
        "max_transmit_w": Key("number", 0, 10, "W"),
    },
}


def check(source: str, table: str, name: str, value: Any) -> Any:
    """The value of ``table.name`` if it is allowed, else `ScenarioError` naming it."""
    key = SPEC[table][name]
    where = f"{table}.{name}"
    bad = ScenarioError(source, where, f"{show(value)} is not allowed: {key.allowed()}")
    if key.kind == "choice":
        if not isinstance(value, str) or value not in key.choices:
            raise bad
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise bad
    if key.kind == "integer" and not isinstance(value, int):
        raise bad
    if not math.isfinite(value):
        raise bad
    if value < key.lo or value > key.hi or (key.lo_open and value == key.lo) or (key.hi_open and value == key.hi):
        raise bad
    return value


def checked_table(source: str, raw: dict, table: str) -> dict[str, Any]:
    """``raw[table]`` with unknown keys refused and every value checked."""
    t = raw.get(table, {})
    if not isinstance(t, dict):
        raise ScenarioError(source, table, f"{show(t)} is not allowed: a table, e.g. [{table}]")
    allowed = SPEC[table]
    for k in t:
        if k not in allowed:
            raise ScenarioError(source, f"{table}.{k}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
    return {k: check(source, table, k, v) for k, v in t.items()}
