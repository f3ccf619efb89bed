"""Device profiles: the parameter ranges and safety limits of one stimulator model.

The defaults are DESIGN.md §3-§4. A profile may narrow or widen them; everything that validates
or limits stimulation reads them from here, never from constants of its own.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeviceProfile:
    name: str = "default"
    contact_count: int = 16
    max_areas: int = 4
    max_programs: int = 8
    # amplitude: 0 to 25.5 mA in 0.05 mA steps
    max_amplitude_ua: int = 25_500
    amplitude_step_ua: int = 50
    min_pulse_width_us: int = 20
    max_pulse_width_us: int = 1_000
    max_interphase_gap_us: int = 100
    # tonic 2 to 1,200 Hz; high frequency up to 10 kHz; burst trains 1 to 100 Hz of 200 to 1,200 Hz
    min_rate_mhz: int = 2_000
    max_rate_mhz: int = 1_200_000
    min_hf_rate_mhz: int = 1_000_000
    max_hf_rate_mhz: int = 10_000_000
    min_burst_rate_mhz: int = 1_000
    max_burst_rate_mhz: int = 100_000
    min_intra_burst_rate_mhz: int = 200_000
    max_intra_burst_rate_mhz: int = 1_200_000
    max_pulses_per_burst: int = 16
    max_passive_window_us: int = 20_000
    recharge_ratios: tuple[int, ...] = (1, 2, 5, 10)
    max_soft_start_ms: int = 60_000
    max_cycle_ms: int = 24 * 3600 * 1000
    # collision rule: worst-case displacement of any pulse by other areas, ticks
    max_displacement_ticks: int = 2_000
    # safety (DESIGN §4)
    contact_area_mm2: float = 12.0
    charge_density_limit_uc_cm2: float = 30.0
    shannon_k: float = 1.85
    compliance_mv: int = 12_000
    supply_headroom_mv: int = 1_000
    converter_efficiency: float = 0.8
    impedance_short_ohm: int = 250
    impedance_open_ohm: int = 4_000
    case_impedance_ohm: int = 100
    # passive recharge: time constant of the coupling capacitor discharge through tissue
    passive_recharge_tau_us: int = 2_000

    @property
    def max_cathode_charge_pc(self) -> int:
        """Largest charge per phase on one cathode (pC) that satisfies both limits.

        Shannon: log10(D) + log10(Q) <= k with D = Q/A (uC/cm2, uC)  =>  Q^2 <= 10^k * A.
        Density: Q <= limit * A. An exact integer (see `charge_limit`), so every implementation
        (Python, C) compares integers the same way.
        """
        from firmware_model.charge_limit import max_cathode_charge_pc

        return max_cathode_charge_pc(self.contact_area_mm2, self.charge_density_limit_uc_cm2, self.shannon_k)
