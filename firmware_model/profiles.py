"""Device profiles: the parameter ranges and safety limits of one stimulator model.

The defaults are the device definition's limits (protocol/device.toml). A profile may narrow or
widen them; everything that validates or limits stimulation reads them from here, never from
constants of its own.
"""

from __future__ import annotations

from dataclasses import dataclass

from protocol import generated as dev
from protocol.definition import cathode_charge_limit_pc


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

    @property
    def max_cathode_charge_pc(self) -> int:
        """Largest charge per phase on one cathode (pC) that satisfies both limits.

        Shannon: log10(D) + log10(Q) <= k with D = Q/A (uC/cm2, uC)  =>  Q <= sqrt(10^k * A).
        Density: Q <= limit * A. Computed once as an integer so every implementation (Python, C)
        compares integers the same way.
        """
        return cathode_charge_limit_pc(self.contact_area_mm2, self.charge_density_limit_uc_cm2, self.shannon_k)
