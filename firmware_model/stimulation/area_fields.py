"""An `Area` as flat named integers (the layout of the protocol's AREA_WRITE/AREA and of the NVM
image), and back. Field names and codes are those of the message catalog."""

from __future__ import annotations

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import Area, Contacts, Cycling, RechargeMode, Waveform
from protocol.spec.generated import CONTACT_COUNT, RechargeCode, WaveformCode

WAVEFORM_CODES = {w: int(WaveformCode[w.name]) for w in Waveform}
RECHARGE_CODES = {r: int(RechargeCode[r.name]) for r in RechargeMode}
#: AREA_WRITE field name for each `Area` parameter that can be out of range (for OUT_OF_RANGE's field)
AREA_FIELDS = ("waveform", "cathode_share_pct", "anode_mask", "case_anode", "amplitude_ua", "pulse_width_us",
               "rate_mhz", "interphase_gap_us", "recharge", "recharge_ratio", "passive_window_us",
               "pulses_per_burst", "intra_burst_rate_mhz", "cycle_on_ms", "cycle_off_ms", "soft_start_ms")


def area_to_fields(area: Area) -> dict:
    """The wire's fields of ``area``: cathode shares for every contact the message carries (the
    definition's ``contact_count``; a profile with fewer contacts leaves the rest at 0)."""
    shares = [0] * CONTACT_COUNT
    for idx, share in area.contacts.cathodes:
        shares[idx] = share
    return {
        "waveform": WAVEFORM_CODES[area.waveform],
        "cathode_share_pct": tuple(shares),
        "anode_mask": sum(1 << i for i in area.contacts.anodes),
        "case_anode": int(area.contacts.case_anode),
        "amplitude_ua": area.amplitude_ua,
        "pulse_width_us": area.pulse_width_us,
        "rate_mhz": area.rate_mhz,
        "interphase_gap_us": area.interphase_gap_us,
        "recharge": RECHARGE_CODES[area.recharge],
        "recharge_ratio": area.recharge_ratio,
        "passive_window_us": area.passive_window_us,
        "pulses_per_burst": area.pulses_per_burst,
        "intra_burst_rate_mhz": area.intra_burst_rate_mhz,
        "cycle_on_ms": area.cycling.on_ms if area.cycling else 0,
        "cycle_off_ms": area.cycling.off_ms if area.cycling else 0,
        "soft_start_ms": area.soft_start_ms,
    }


def area_from_fields(f: dict, profile: DeviceProfile) -> Area:
    """Build (and so validate) an Area; raises ParameterError naming the parameter."""
    from firmware_model.stimulation.params import ParameterError

    waveform = {v: k for k, v in WAVEFORM_CODES.items()}.get(f["waveform"])
    recharge = {v: k for k, v in RECHARGE_CODES.items()}.get(f["recharge"])
    if waveform is None:
        raise ParameterError("waveform", f["waveform"], "0 tonic, 1 burst, 2 high frequency")
    if recharge is None:
        raise ParameterError("recharge", f["recharge"], "0 active, 1 passive")
    cathodes = tuple((i, s) for i, s in enumerate(f["cathode_share_pct"]) if s)
    anodes = tuple(i for i in range(profile.contact_count) if f["anode_mask"] >> i & 1)
    if f["anode_mask"] >> profile.contact_count:
        raise ParameterError("anode_mask", f["anode_mask"], f"bits 0 to {profile.contact_count - 1}")
    on, off = f["cycle_on_ms"], f["cycle_off_ms"]
    if (on == 0) != (off == 0):
        raise ParameterError("cycle_on_ms" if on == 0 else "cycle_off_ms", 0,
                             "both cycle times zero (no cycling) or both positive")
    return Area(contacts=Contacts(cathodes=cathodes, anodes=anodes, case_anode=bool(f["case_anode"])),
                amplitude_ua=f["amplitude_ua"], pulse_width_us=f["pulse_width_us"], rate_mhz=f["rate_mhz"],
                waveform=waveform, interphase_gap_us=f["interphase_gap_us"], recharge=recharge,
                recharge_ratio=f["recharge_ratio"], passive_window_us=f["passive_window_us"],
                pulses_per_burst=f["pulses_per_burst"], intra_burst_rate_mhz=f["intra_burst_rate_mhz"],
                cycling=Cycling(on, off) if on else None, soft_start_ms=f["soft_start_ms"], profile=profile)


def field_of_error(parameter: str) -> str:
    """The AREA_WRITE field that a ParameterError's field name refers to."""
    base = parameter.split(".")[0].split("[")[0]
    if base == "contacts":
        return "anode_mask" if "anode" in parameter and "cathode" not in parameter else "cathode_share_pct"
    if base == "cycling":
        return "cycle_on_ms" if "on" in parameter else "cycle_off_ms"
    return base if base in AREA_FIELDS else "amplitude_ua"
