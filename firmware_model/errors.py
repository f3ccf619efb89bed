"""`ParameterError` and the range checks shared by the profile and the stimulation parameters.

A module of its own so `profiles.py` (which `params.py` imports) can raise the same error.
"""

from __future__ import annotations

import math


class ParameterError(ValueError):
    """A parameter is out of range or inconsistent. ``field`` names it."""

    def __init__(self, field_name: str, value: object, allowed: str):
        self.field = field_name
        self.value = value
        self.allowed = allowed
        super().__init__(f"{field_name} = {value!r} is not allowed: {allowed}")


def check_range(name: str, value: int, lo: int, hi: int, unit: str = "") -> None:
    """An integer (never a bool or a float) in [lo, hi]."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(name, value, f"an integer from {lo} to {hi}{(' ' + unit) if unit else ''}")
    if not lo <= value <= hi:
        raise ParameterError(name, value, f"{lo} to {hi}{(' ' + unit) if unit else ''}")


def check_number(name: str, value: float, lo: float, hi: float, unit: str = "", lo_open: bool = False) -> None:
    """A finite int or float (never a bool or a string) in [lo, hi], or (lo, hi] when ``lo_open``."""
    span = f"greater than {lo:g} and at most {hi:g}" if lo_open else f"from {lo:g} to {hi:g}"
    allowed = f"a number {span}{(' ' + unit) if unit else ''}"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ParameterError(name, value, allowed)
    if not (math.isfinite(value) and (lo < value if lo_open else lo <= value) and value <= hi):
        raise ParameterError(name, value, allowed)
