"""Safety supervisor arithmetic (DESIGN §4): charge limits, compliance, contact impedance.

All checks are exact: integer comparisons against limits derived once from the profile (the charge
limit: `charge_limit`), and rational arithmetic for the load and the compliance edge, so no
rounding moves a limit either way.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from math import floor

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import Area, ParameterError, Program


class SafetyLimitError(ParameterError):
    """Programming refused because a pulse would break a safety limit."""


@dataclass(frozen=True)
class ContactImpedances:
    """Measured impedance of each lead contact, ohms (index = contact)."""

    ohms: tuple[int, ...]

    @classmethod
    def uniform(cls, ohm: int, profile: DeviceProfile | None = None) -> ContactImpedances:
        n = (profile or DeviceProfile()).contact_count
        return cls((ohm,) * n)

    def __post_init__(self) -> None:
        for i, z in enumerate(self.ohms):
            if isinstance(z, bool) or not isinstance(z, int) or z < 0:
                raise ParameterError(f"impedance[{i}]", z, "a non-negative integer in ohms")

    def faulted(self, profile: DeviceProfile) -> frozenset[int]:
        """Contacts outside the window [short, open] ohms: shorted or open (lead broken/migrated)."""
        return frozenset(i for i, z in enumerate(self.ohms)
                         if z < profile.impedance_short_ohm or z > profile.impedance_open_ohm)


def load_ohm(area: Area, impedances: ContactImpedances, profile: DeviceProfile) -> Fraction:
    """Load seen by the output stage, ohms, exact (docs/load-model.md).

    The cathodes carry their share of the current each: the voltage the stage needs is the
    share-weighted sum sum(share_i * Z_i) / 100. The anodes (and the case, ``case_impedance_ohm``,
    when it is an anode) return the current in parallel: 1 / sum(1 / Z_j). A 0-ohm anode (a short)
    makes the return path 0 ohms. The two are in series.
    """
    cathode = Fraction(sum(share * impedances.ohms[i] for i, share in area.contacts.cathodes), 100)
    returns = [impedances.ohms[i] for i in area.contacts.anodes]
    if area.contacts.case_anode:
        returns.append(profile.case_impedance_ohm)
    if any(z == 0 for z in returns):
        return cathode
    return cathode + 1 / sum((Fraction(1, z) for z in returns), Fraction(0))


def compliance_limit_ua(load: Fraction | int, profile: DeviceProfile) -> int:
    """Largest current (a multiple of the amplitude step) the compliance voltage can drive into ``load``:
    the largest step at or below exactly V / Z (uA = mV * 1000 / ohm)."""
    if load <= 0:
        return profile.max_amplitude_ua
    ua = floor(Fraction(profile.compliance_mv * 1000) / Fraction(load))
    return min(profile.max_amplitude_ua, ua - ua % profile.amplitude_step_ua)


def within_compliance(amplitude_ua: int, load: Fraction | int, profile: DeviceProfile) -> bool:
    """Exactly whether I * Z <= the compliance voltage."""
    return amplitude_ua * Fraction(load) <= Fraction(profile.compliance_mv * 1000)


def max_safe_amplitude_ua(area: Area, profile: DeviceProfile) -> int:
    """Largest amplitude (multiple of the step) whose charge per phase on every cathode is within limits.

    Cathode charge = amplitude x width x share / 100 (pC) <= profile.max_cathode_charge_pc.
    """
    top_share = max(share for _, share in area.contacts.cathodes)
    ua = profile.max_cathode_charge_pc * 100 // (area.pulse_width_us * top_share)
    ua = min(ua, profile.max_amplitude_ua)
    return ua - ua % profile.amplitude_step_ua


def cathode_charges_pc(area: Area, amplitude_ua: int) -> dict[int, int]:
    """Charge per phase on each cathode, pC (floor; the limit check uses the exact product)."""
    return {i: amplitude_ua * area.pulse_width_us * share // 100 for i, share in area.contacts.cathodes}


def check_area(area: Area, profile: DeviceProfile, index: int = 0) -> None:
    """Refuse an area whose programmed amplitude would break the charge limits."""
    limit = max_safe_amplitude_ua(area, profile)
    if area.amplitude_ua > limit:
        raise SafetyLimitError(
            f"areas[{index}].amplitude_ua", area.amplitude_ua,
            f"at most {limit} uA at {area.pulse_width_us} us on this contact set "
            f"(charge limit {profile.max_cathode_charge_pc} pC per phase per cathode: "
            f"Shannon k={profile.shannon_k}, {profile.charge_density_limit_uc_cm2} uC/cm2, "
            f"{profile.contact_area_mm2} mm2 contacts)")


def check_program(program: Program, profile: DeviceProfile) -> None:
    for i, area in enumerate(program.areas):
        check_area(area, profile, i)


def safety_margin_pct(area: Area, profile: DeviceProfile) -> float:
    """Headroom between the programmed charge and the limit, percent of the limit."""
    worst = max(cathode_charges_pc(area, area.amplitude_ua).values())
    return 100.0 * (1.0 - worst / profile.max_cathode_charge_pc)
