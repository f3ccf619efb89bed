"""Safety limits at their exact edges: compliance per pulse on an exact load, charge limits as integers."""

from __future__ import annotations

from decimal import Decimal, localcontext
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation import safety
from firmware_model.stimulation.params import Area, Contacts, Program
from firmware_model.stimulation.safety import (
    ContactImpedances,
    SafetyLimitError,
    max_safe_amplitude_ua,
)
from firmware_model.stimulation.scheduler import Scheduler
from firmware_model.stimulation.timeline import FLAG_OUT_OF_COMPLIANCE, FLAG_RAMPING
from tests.support.strategies import contacts

FAST = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def ohms(**by_contact: int) -> ContactImpedances:
    z = [1000] * 16
    for k, v in by_contact.items():
        z[int(k[1:])] = v
    return ContactImpedances(tuple(z))


def area(amplitude_ua: int, contacts: Contacts, width_us: int = 20, **kw) -> Area:
    kw.setdefault("rate_mhz", 50_000)
    return Area(contacts=contacts, amplitude_ua=amplitude_ua, pulse_width_us=width_us, **kw)


# --- compliance ---------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-GEN-COMPLIANCE")
def test_11_ma_into_exactly_12000_over_11_ohm_is_exactly_12_v_and_neither_capped_nor_flagged():
    # cathode 1000 ohm in series with (anode 1000 ohm || case 100 ohm) = 1000 + 1000/11 = 12000/11 ohm
    a = area(11_000, Contacts(cathodes=((0, 100),), anodes=(1,), case_anode=True))
    assert safety.load_ohm(a, ohms(), DeviceProfile()) == Fraction(12_000, 11)
    tl = Scheduler(Program((a,)), impedances=ohms()).generate(0, 100_000)
    assert np.all(tl["amplitude_ua"] == 11_000)
    assert not np.any(tl["flags"] & FLAG_OUT_OF_COMPLIANCE)


@pytest.mark.requirement("SRS-GEN-COMPLIANCE")
def test_12_002_v_is_capped_to_the_step_below_and_flagged():
    # cathodes 25 % on 1001 ohm, 75 % on 1000 ohm: 1000.25 ohm; anode 500 ohm; 8 mA * 1500.25 ohm = 12.002 V
    a = area(8_000, Contacts(cathodes=((0, 25), (1, 75)), anodes=(2,)))
    z = ohms(c0=1001, c1=1000, c2=500)
    assert safety.load_ohm(a, z, DeviceProfile()) == Fraction(600_100, 400)
    tl = Scheduler(Program((a,)), impedances=z).generate(0, 100_000)
    assert np.all(tl["amplitude_ua"] == 7_950)
    assert np.all(tl["flags"] & FLAG_OUT_OF_COMPLIANCE)


@pytest.mark.requirement("SRS-GEN-COMPLIANCE", "SRS-SCHED-005")
def test_a_soft_start_flags_only_the_pulses_above_the_compliance_edge():
    # 6 kohm: 12 V drives at most 2 mA; the ramp to 4 mA crosses it half way
    a = area(4_000, Contacts(cathodes=((0, 100),), anodes=(1,)), rate_mhz=1_000_000, soft_start_ms=100)
    tl = Scheduler(Program((a,)), impedances=ohms(c0=3000, c1=3000)).generate(0, 200_000)
    ramp = tl["flags"] & FLAG_RAMPING > 0
    first = tl[0]
    assert first["amplitude_ua"] == 50 and not first["flags"] & FLAG_OUT_OF_COMPLIANCE
    flagged = (tl["flags"] & FLAG_OUT_OF_COMPLIANCE) > 0
    requested = np.where(ramp, 50 * np.minimum(80, 1 + 80 * tl["start_tick"] // 100_000), 4_000)
    assert np.array_equal(flagged, requested > 2_000)
    assert np.array_equal(tl["amplitude_ua"], np.minimum(requested, 2_000))
    assert 0 < np.count_nonzero(flagged) < len(tl)
    tot = Scheduler(Program((a,)), impedances=ohms(c0=3000, c1=3000)).totals(0, 200_000)
    assert tot.out_of_compliance == (np.count_nonzero(flagged),)


def independent_load(a: Area, z: tuple[int, ...], case_ohm: int) -> Fraction:
    """Shares of the current through the cathodes; anodes and case in parallel; in series."""
    v_per_amp = sum(Fraction(share, 100) * z[i] for i, share in a.contacts.cathodes)
    g = sum((Fraction(1, z[j]) for j in a.contacts.anodes), Fraction(0))
    if a.contacts.case_anode:
        g += Fraction(1, case_ohm)
    return v_per_amp + 1 / g


@FAST
@given(c=contacts(), z=st.lists(st.integers(250, 4000), min_size=16, max_size=16),
       amp=st.integers(0, 510).map(lambda n: 50 * n))
@pytest.mark.requirement("SRS-GEN-COMPLIANCE")
def test_delivered_current_is_the_largest_step_at_or_below_exactly_v_over_z(c, z, amp):
    prof = DeviceProfile()
    a = area(min(amp, max_safe_amplitude_ua(area(0, c), prof)), c)
    tl = Scheduler(Program((a,)), impedances=ContactImpedances(tuple(z))).generate(0, 40_000)
    load = independent_load(a, tuple(z), prof.case_impedance_ohm)
    twelve_volts_uv = 12_000_000  # uA * ohm = uV
    delivered = int(tl["amplitude_ua"][0])
    assert delivered % 50 == 0 and delivered <= a.amplitude_ua
    assert delivered * load <= twelve_volts_uv
    assert delivered == a.amplitude_ua or (delivered + 50) * load > twelve_volts_uv
    assert bool(tl["flags"][0] & FLAG_OUT_OF_COMPLIANCE) == (a.amplitude_ua * load > twelve_volts_uv)


# --- charge limits ------------------------------------------------------------------------------

def limits_hold(q_pc: int, area_mm2: int) -> bool:
    """Independent, 80 digits: log10(D) + log10(Q) <= 1.85 and D <= 30 (Q in uC, D in uC/cm2)."""
    with localcontext() as ctx:
        ctx.prec = 80
        q = Decimal(q_pc) / Decimal(10**6)
        if q == 0:
            return True
        d = q / (Decimal(area_mm2) / 100)
        return d <= 30 and d.log10() + q.log10() <= Decimal("1.85")


@pytest.mark.requirement("SRS-GEN-CHARGE-LIMIT", "SRS-SAFE-001")
@pytest.mark.parametrize("area_mm2", range(1, 51))
def test_charge_limit_is_the_exact_integer_and_the_boundary_amplitude_is_right_on_both_sides(area_mm2):
    prof = DeviceProfile(contact_area_mm2=float(area_mm2))
    limit = prof.max_cathode_charge_pc
    assert isinstance(limit, int)
    assert limits_hold(limit, area_mm2) and not limits_hold(limit + 1, area_mm2)
    bipole = Contacts(cathodes=((0, 100),), anodes=(1,))
    for width in (1000, 333, 20):
        top = max_safe_amplitude_ua(area(0, bipole, width, profile=prof), prof)
        assert limits_hold(top * width, area_mm2)
        Scheduler(Program((area(top, bipole, width, profile=prof),)), prof)
        if top + 50 <= prof.max_amplitude_ua:
            assert not limits_hold((top + 50) * width, area_mm2)
            with pytest.raises(SafetyLimitError):
                Scheduler(Program((area(top + 50, bipole, width, profile=prof),)), prof)


@pytest.mark.requirement("SRS-GEN-CHARGE-LIMIT")
@pytest.mark.parametrize("area_mm2, amplitude_ua", [(3, 900), (6, 1800)])
def test_exactly_30_uc_per_cm2_is_accepted(area_mm2, amplitude_ua):
    prof = DeviceProfile(contact_area_mm2=float(area_mm2))
    # amplitude x 1 ms = area x 30 uC/cm2 exactly
    assert amplitude_ua * 1000 == area_mm2 * 30 * 10**4 == prof.max_cathode_charge_pc
    a = area(amplitude_ua, Contacts(cathodes=((0, 100),), anodes=(1,)), 1000, profile=prof)
    Scheduler(Program((a,)), prof)


def test_the_default_contacts_keep_the_published_limit_the_board_uses():
    assert DeviceProfile().max_cathode_charge_pc == 2_914_678

