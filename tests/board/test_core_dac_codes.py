"""The DAC codes the C core gives a pulse's two phases (core/pulse_output.c, scs_phase_codes), through
the host library, against the pin analysis's reference (hil/analysis/dac.py, phase_dac_codes): for every
amplitude step the definition allows, every active recharge ratio and passive recharge. With active
recharge the cathodic code is exactly ratio times the recharge code, so the two phases (ratio x the
width at 1/ratio of the current) carry the same charge at the pins."""

from __future__ import annotations

import ctypes

import pytest

from hil.analysis import dac
from hil.board.host import BoardCore
from protocol.spec import generated as dev
from tests.support.protocol_harness import KEYS

AMPLITUDES_UA = range(0, dev.MAX_AMPLITUDE_UA + 1, dev.AMPLITUDE_STEP_UA)


@pytest.fixture(scope="module")
def phase_codes():
    fn = BoardCore(KEYS).lib.scs_phase_codes  # the host library (instrumented under the coverage gate)
    fn.argtypes = [ctypes.c_uint16, ctypes.c_uint8, ctypes.POINTER(ctypes.c_uint16), ctypes.POINTER(ctypes.c_uint16)]
    fn.restype = None

    def call(amplitude_ua: int, active_ratio: int) -> tuple[int, int]:
        cathodic, recharge = ctypes.c_uint16(), ctypes.c_uint16()
        fn(amplitude_ua, active_ratio, ctypes.byref(cathodic), ctypes.byref(recharge))
        return cathodic.value, recharge.value
    return call


@pytest.mark.requirement("SRS-PIN-007", "SRS-SCHED-006")
@pytest.mark.parametrize("ratio", dev.RECHARGE_RATIOS)
def test_active_recharge_codes_are_in_the_exact_ratio_and_at_most_ratio_minus_one_steps_under_the_amplitude(
        phase_codes, ratio):
    for amplitude_ua in AMPLITUDES_UA:
        cathodic, recharge = phase_codes(amplitude_ua, ratio)
        assert (cathodic, recharge) == dac.phase_dac_codes(amplitude_ua, amplitude_ua // ratio), amplitude_ua
        assert cathodic == ratio * recharge, f"{amplitude_ua} uA: the phases' charges differ at the pins"
        assert recharge == dac.dac_code(amplitude_ua // ratio)
        assert 0 <= dac.dac_code(amplitude_ua) - cathodic <= ratio - 1, amplitude_ua


@pytest.mark.requirement("SRS-PIN-007")
def test_passive_recharge_drives_the_amplitude_floored_and_no_recharge_current(phase_codes):
    for amplitude_ua in AMPLITUDES_UA:
        assert phase_codes(amplitude_ua, 0) == (dac.dac_code(amplitude_ua), 0) == dac.phase_dac_codes(amplitude_ua, 0)
    assert phase_codes(dev.MAX_AMPLITUDE_UA, 0) == (dev.DAC_CODE_MAX, 0), "full scale drives the largest amplitude"


def test_the_reference_refuses_a_recharge_current_that_does_not_divide_the_amplitude():
    with pytest.raises(ValueError, match="recharge current 700 uA does not divide the amplitude 1500 uA"):
        dac.phase_dac_codes(1500, 700)
