"""Measurements with limits, as OpenHTF records them: a test states what it measured, in which unit,
against which limits, and the verdict goes with the value into JUnit and the run's test record.

``measure(name, value, unit, low=..., high=..., marginal_low=..., marginal_high=...)`` (the fixture
of the same name) records one `Measurement` in the test's ``user_properties`` (property
``scs_measurement``, a JSON object) and fails the test when the value is outside ``[low, high]``.
A value inside the limits but outside the marginal band ``[marginal_low, marginal_high]`` passes as
MARGINAL: within specification, close to a limit.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass
from typing import Any

import pytest

PROPERTY = "scs_measurement"
PASS, MARGINAL, FAIL = "PASS", "MARGINAL", "FAIL"


class MeasurementError(ValueError):
    """A measurement stated wrongly (limits out of order, a value that is not a number)."""


@dataclass(frozen=True)
class Measurement:
    name: str
    value: float
    unit: str
    low: float | None = None
    high: float | None = None
    marginal_low: float | None = None
    marginal_high: float | None = None

    def __post_init__(self) -> None:
        if not self.name or not isinstance(self.value, int | float) or isinstance(self.value, bool):
            raise MeasurementError(f"measurement {self.name!r}: a name and a number are needed, got {self.value!r}")
        if isinstance(self.value, float) and math.isnan(self.value):
            raise MeasurementError(f"measurement {self.name}: the value is NaN")
        bounds = [b for b in (self.low, self.marginal_low, self.marginal_high, self.high) if b is not None]
        if bounds != sorted(bounds):
            raise MeasurementError(f"measurement {self.name}: limits must be ordered low <= marginal_low <= "
                                   f"marginal_high <= high, got {bounds}")

    @property
    def outcome(self) -> str:
        if (self.low is not None and self.value < self.low) or (self.high is not None and self.value > self.high):
            return FAIL
        if (self.marginal_low is not None and self.value < self.marginal_low) or \
                (self.marginal_high is not None and self.value > self.marginal_high):
            return MARGINAL
        return PASS

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "outcome": self.outcome}

    def describe(self) -> str:
        lo = "-inf" if self.low is None else f"{self.low:g}"
        hi = "+inf" if self.high is None else f"{self.high:g}"
        return f"{self.name} = {self.value:g} {self.unit} ({self.outcome}; limits [{lo}, {hi}])"


def record(item: Any, m: Measurement) -> Measurement:
    """Store ``m`` on the pytest item (JUnit property and test record); fail the test on FAIL."""
    item.user_properties.append((PROPERTY, json.dumps(m.as_dict(), sort_keys=True)))
    if m.outcome == FAIL:
        pytest.fail(f"measurement out of limits: {m.describe()}", pytrace=False)
    return m


def measurements_of(user_properties: list[tuple[str, Any]]) -> list[dict[str, Any]]:
    """The measurements a report's ``user_properties`` hold, in the order they were taken."""
    return [json.loads(v) for k, v in user_properties if k == PROPERTY]


class Recorder:
    """What the ``measure`` fixture returns: call it like `Measurement`."""

    def __init__(self, item: Any):
        self.item = item

    def __call__(self, name: str, value: float, unit: str, **limits: float | None) -> Measurement:
        return record(self.item, Measurement(name, value, unit, **limits))


@pytest.fixture
def measure(request: pytest.FixtureRequest) -> Recorder:
    """Record a value with its unit and limits (see the module's doc); a value out of limits fails."""
    return Recorder(request.node)
