"""The C core's own e^x and e^x - 1 (core/fmath.c: single precision from + - * / alone, so the board and
the host library compute the same bits), through the host library, against Python's double-precision
math over the whole range the gauge can ask for and past both ends: below -87 (e^x under the normal
floats: 0 and -1) and above 88 (clamped there, where e^x is still under FLT_MAX)."""

from __future__ import annotations

import ctypes
import math

import numpy as np
import pytest

from hil.board.host import BoardCore
from tests.support.protocol_harness import KEYS

#: relative error allowed against the exactly rounded float: a few ulps of single precision (2^-23)
REL_TOL = 4 * 2.0 ** -23
XS = [float(np.float32(x)) for x in np.linspace(-86.9, 87.9, 4001)] + [-1e-3, -1e-7, 0.0, 1e-7, 1e-3, 0.34, -0.34]


@pytest.fixture(scope="module")
def fmath():
    lib = BoardCore(KEYS).lib  # the host library (instrumented under the coverage gate)
    for name in ("scs_expf", "scs_expm1f"):
        getattr(lib, name).argtypes, getattr(lib, name).restype = [ctypes.c_float], ctypes.c_float
    return lib


@pytest.mark.requirement("SRS-BATT-003")
def test_e_to_the_x_is_within_a_few_ulps_of_the_exact_value_over_the_gauges_range(fmath):
    worst = max(abs(fmath.scs_expf(x) / float(np.float32(math.exp(x))) - 1) for x in XS)
    assert worst <= REL_TOL, f"scs_expf is off by {worst:.2e} relative"


@pytest.mark.requirement("SRS-BATT-003")
def test_e_to_the_x_minus_one_keeps_its_precision_near_zero(fmath):
    """Where e^x - 1 is small, computing e^x then subtracting 1 would lose every digit: x = 1e-7 gives
    1.0000000e-07 here, not 1.1920929e-07."""
    for x in XS:
        want = float(np.float32(math.expm1(x)))
        got = fmath.scs_expm1f(x)
        assert abs(got - want) <= REL_TOL * max(abs(want), 1e-30), (x, got, want)


@pytest.mark.requirement("SRS-BATT-003")
def test_past_the_ends_e_to_the_x_is_zero_below_minus_87_and_clamped_at_88(fmath):
    assert fmath.scs_expf(-87.5) == 0.0 and fmath.scs_expf(-1e30) == 0.0
    assert fmath.scs_expm1f(-87.5) == -1.0
    assert fmath.scs_expf(1e30) == fmath.scs_expf(88.0) == pytest.approx(math.exp(88.0), rel=REL_TOL)
    assert fmath.scs_expm1f(100.0) == fmath.scs_expm1f(88.0)
    assert math.isfinite(fmath.scs_expf(88.0))
