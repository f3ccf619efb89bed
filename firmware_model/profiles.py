"""Device profiles: the parameter ranges and safety limits of one stimulator model.

The defaults are the device definition's limits (protocol/spec/device.toml, via protocol/spec/generated.py). A
profile may narrow or widen them within physically sensible bounds (`PROFILE_BOUNDS`: mostly what the
protocol's field widths can carry, u8/u16/u32, and what a stimulator can physically be), checked on
construction; everything that validates or limits stimulation reads them from here, never from
constants of its own.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from fractions import Fraction

from firmware_model.errors import ParameterError, check_number, check_range
from protocol.spec import generated as dev
from protocol.spec.definition import cathode_charge_limit_pc


@dataclass(frozen=True)
class DeviceProfile:
    name: str = "default"
    contact_count: int = dev.CONTACT_COUNT
    max_areas: int = dev.MAX_AREAS
    max_programs: int = dev.MAX_PROGRAMS
    max_amplitude_ua: int = dev.MAX_AMPLITUDE_UA
    amplitude_step_ua: int = dev.AMPLITUDE_STEP_UA
    min_pulse_width_us: int = dev.MIN_PULSE_WIDTH_US
    max_pulse_width_us: int = dev.MAX_PULSE_WIDTH_US
    max_interphase_gap_us: int = dev.MAX_INTERPHASE_GAP_US
    min_rate_mhz: int = dev.MIN_RATE_MHZ
    max_rate_mhz: int = dev.MAX_RATE_MHZ
    min_hf_rate_mhz: int = dev.MIN_HF_RATE_MHZ
    max_hf_rate_mhz: int = dev.MAX_HF_RATE_MHZ
    min_burst_rate_mhz: int = dev.MIN_BURST_RATE_MHZ
    max_burst_rate_mhz: int = dev.MAX_BURST_RATE_MHZ
    min_intra_burst_rate_mhz: int = dev.MIN_INTRA_BURST_RATE_MHZ
    max_intra_burst_rate_mhz: int = dev.MAX_INTRA_BURST_RATE_MHZ
    max_pulses_per_burst: int = dev.MAX_PULSES_PER_BURST
    max_passive_window_us: int = dev.MAX_PASSIVE_WINDOW_US
    recharge_ratios: tuple[int, ...] = dev.RECHARGE_RATIOS
    max_soft_start_ms: int = dev.MAX_SOFT_START_MS
    max_cycle_ms: int = dev.MAX_CYCLE_MS
    max_displacement_ticks: int = dev.MAX_DISPLACEMENT_TICKS
    contact_area_mm2: float = dev.CONTACT_AREA_MM2
    charge_density_limit_uc_cm2: float = dev.CHARGE_DENSITY_LIMIT_UC_CM2
    shannon_k: float = dev.SHANNON_K
    compliance_mv: int = dev.COMPLIANCE_MV
    supply_headroom_mv: int = dev.SUPPLY_HEADROOM_MV
    converter_efficiency: float = dev.CONVERTER_EFFICIENCY
    impedance_short_ohm: int = dev.IMPEDANCE_SHORT_OHM
    impedance_open_ohm: int = dev.IMPEDANCE_OPEN_OHM
    case_impedance_ohm: int = dev.CASE_IMPEDANCE_OHM
    passive_recharge_tau_us: int = dev.PASSIVE_RECHARGE_TAU_US

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not 1 <= len(self.name) <= 64:
            raise ParameterError("name", self.name, "a string of 1 to 64 characters")
        for f in fields(self):
            bounds = PROFILE_BOUNDS.get(f.name)
            if bounds is None:
                continue
            lo, hi, unit = bounds
            value = getattr(self, f.name)
            if isinstance(lo, int) and isinstance(hi, int):
                check_range(f.name, value, lo, hi, unit)
            else:
                check_number(f.name, value, lo, hi, unit, lo_open=f.name in _OPEN_BELOW)
        self._check_recharge_ratios()
        self._check_consistency()

    def _check_recharge_ratios(self) -> None:
        ratios = self.recharge_ratios
        allowed = (f"a non-empty list of distinct integers 1 to 255, each dividing amplitude_step_ua "
                   f"({self.amplitude_step_ua} uA) so active recharge balances charge exactly")
        if not isinstance(ratios, (tuple, list)) or not ratios or len(set(map(repr, ratios))) != len(ratios):
            raise ParameterError("recharge_ratios", ratios, allowed)
        for r in ratios:
            if isinstance(r, bool) or not isinstance(r, int) or not 1 <= r <= 255 or self.amplitude_step_ua % r:
                raise ParameterError("recharge_ratios", ratios, allowed)
        object.__setattr__(self, "recharge_ratios", tuple(ratios))  # a TOML array arrives as a list

    def _check_consistency(self) -> None:
        """Pairs of limits in order, and decimals the exact charge limit can take (`charge_limit`)."""
        for lo_name, hi_name in _ORDERED:
            lo, hi = getattr(self, lo_name), getattr(self, hi_name)
            if lo > hi:
                raise ParameterError(lo_name, lo, f"at most {hi_name} = {hi}")
        if self.max_amplitude_ua < self.amplitude_step_ua:
            raise ParameterError("max_amplitude_ua", self.max_amplitude_ua,
                                 f"at least amplitude_step_ua = {self.amplitude_step_ua} uA")
        if self.impedance_short_ohm >= self.impedance_open_ohm:
            raise ParameterError("impedance_short_ohm", self.impedance_short_ohm,
                                 f"below impedance_open_ohm = {self.impedance_open_ohm} ohm")
        if (Fraction(str(self.shannon_k)) * 1000).denominator != 1:  # keeps the exact Shannon test small
            raise ParameterError("shannon_k", self.shannon_k, "at most 3 decimals (1.5 to 2.5)")

    @property
    def max_cathode_charge_pc(self) -> int:
        """Largest charge per phase on one cathode (pC) that satisfies both limits.

        Shannon: log10(D) + log10(Q) <= k with D = Q/A (uC/cm2, uC)  =>  Q^2 <= 10^k * A.
        Density: Q <= limit * A. An exact integer (`protocol.spec.charge_limit`), so every
        implementation (Python, C) compares integers the same way.
        """
        return cathode_charge_limit_pc(self.contact_area_mm2, self.charge_density_limit_uc_cm2, self.shannon_k)


#: field -> (lowest, highest, unit) a profile may set. Integer bounds: the value must be an int (never a
#: float or bool); float bounds: a finite number. Chosen so every computation stays finite and exact:
#: the wire widths of the protocol (amplitudes and ohms u16, gaps and ratios u8, rates and cycles u32),
#: a compliance of 1 to 50 V, contact areas 1 to 50 mm2 (the exact charge limit is pinned over that
#: range), and at most the device definition's contacts, programs and areas per program (the wire, the
#: settings image and the board have room for no more; the scheduler's sort keys are sized for them;
#: a profile may have fewer), Shannon k 1.5 to 2.5 (the literature uses 1.5-2), efficiency above 0, and a
#: passive recharge time constant of at least 1 us.
PROFILE_BOUNDS: dict[str, tuple[int, int, str] | tuple[float, float, str]] = {
    "contact_count": (1, dev.CONTACT_COUNT,
                      "contacts (the device definition's contact_count: AREA_WRITE carries no more cathode shares)"),
    "max_areas": (1, dev.MAX_AREAS, "areas (the device definition's max_areas: the settings image and the board hold no more)"),
    "max_programs": (1, dev.MAX_PROGRAMS,
                     "programs (the device definition's max_programs: the wire's program index and the settings image hold no more)"),
    "max_amplitude_ua": (1, 65_535, "uA"),
    "amplitude_step_ua": (1, 1_000, "uA"),
    "min_pulse_width_us": (1, 65_535, "us"),
    "max_pulse_width_us": (1, 65_535, "us"),
    "max_interphase_gap_us": (0, 255, "us"),
    "min_rate_mhz": (1, 100_000_000, "mHz"),
    "max_rate_mhz": (1, 100_000_000, "mHz"),
    "min_hf_rate_mhz": (1, 100_000_000, "mHz"),
    "max_hf_rate_mhz": (1, 100_000_000, "mHz"),
    "min_burst_rate_mhz": (1, 100_000_000, "mHz"),
    "max_burst_rate_mhz": (1, 100_000_000, "mHz"),
    "min_intra_burst_rate_mhz": (1, 100_000_000, "mHz"),
    "max_intra_burst_rate_mhz": (1, 100_000_000, "mHz"),
    "max_pulses_per_burst": (2, 255, "pulses"),
    "max_passive_window_us": (1, 65_535, "us"),
    "max_soft_start_ms": (0, 65_535, "ms"),
    "max_cycle_ms": (1, 4_294_967_295, "ms"),
    "max_displacement_ticks": (0, 1_000_000, "ticks"),
    "contact_area_mm2": (1.0, 50.0, "mm2"),
    "charge_density_limit_uc_cm2": (1.0, 100.0, "uC/cm2"),
    "shannon_k": (1.5, 2.5, ""),
    "compliance_mv": (1_000, 50_000, "mV"),
    "supply_headroom_mv": (0, 10_000, "mV"),
    "converter_efficiency": (0.0, 1.0, ""),
    "impedance_short_ohm": (0, 65_535, "ohm"),
    "impedance_open_ohm": (1, 65_535, "ohm"),
    "case_impedance_ohm": (0, 65_535, "ohm"),
    "passive_recharge_tau_us": (1, 1_000_000, "us"),
}
#: float fields whose lower bound is excluded (an efficiency of 0 would make every pulse cost infinite energy)
_OPEN_BELOW = frozenset({"converter_efficiency"})
#: (minimum, maximum) pairs that must be in order
_ORDERED = (("min_pulse_width_us", "max_pulse_width_us"), ("min_rate_mhz", "max_rate_mhz"),
            ("min_hf_rate_mhz", "max_hf_rate_mhz"), ("min_burst_rate_mhz", "max_burst_rate_mhz"),
            ("min_intra_burst_rate_mhz", "max_intra_burst_rate_mhz"))
