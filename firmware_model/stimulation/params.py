"""Stimulation parameters: contacts, areas and programs.

Every type is a frozen dataclass validated on construction against a `DeviceProfile`
(see `profiles.py`). Units are in the names: ``_ua`` micro-amperes, ``_us`` microseconds
(= ticks, 1 tick = 1 us), ``_mhz`` milli-hertz, ``_pct`` integer percent.
A bad value raises `ParameterError` naming the field, the value and what is allowed.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from firmware_model.clock import PERIOD_NUMERATOR as PERIOD_NUMERATOR  # re-exported
from firmware_model.clock import TICKS_PER_SECOND as TICKS_PER_SECOND  # re-exported
from firmware_model.clock import pulse_start_tick as pulse_start_tick  # re-exported
from firmware_model.errors import ParameterError as ParameterError  # re-exported
from firmware_model.errors import check_range as check_range
from firmware_model.profiles import DeviceProfile


def first_pulse_at_or_after(tick: int, rate_mhz: int) -> int:
    """Smallest k with ``pulse_start_tick(k) >= tick`` (tick >= 0)."""
    return -(-tick * rate_mhz // PERIOD_NUMERATOR)


class Waveform(enum.Enum):
    TONIC = "tonic"
    BURST = "burst"
    HIGH_FREQUENCY = "high_frequency"


class RechargeMode(enum.Enum):
    ACTIVE = "active"  # anodic phase driven by the current source
    PASSIVE = "passive"  # output shorted through the coupling capacitor for a window


@dataclass(frozen=True)
class Contacts:
    """Electrode configuration of one area.

    ``cathodes`` maps contact index (0..15) to its integer current share in percent; the shares sum
    to 100. ``anodes`` lists anode contacts; ``case_anode`` makes the IPG case an anode too.
    """

    cathodes: tuple[tuple[int, int], ...]
    anodes: tuple[int, ...] = ()
    case_anode: bool = False

    def validate(self, profile: DeviceProfile) -> None:
        n = profile.contact_count
        if not self.cathodes:
            raise ParameterError("contacts.cathodes", self.cathodes, "at least one cathode")
        seen: set[int] = set()
        for idx, share in self.cathodes:
            check_range("contacts.cathode", idx, 0, n - 1, "(contact index)")
            check_range(f"contacts.cathode[{idx}].share_pct", share, 1, 100, "%")
            if idx in seen:
                raise ParameterError("contacts.cathode", idx, "each contact at most once")
            seen.add(idx)
        total = sum(s for _, s in self.cathodes)
        if total != 100:
            raise ParameterError("contacts.cathode shares", total, "shares summing to exactly 100 %")
        for idx in self.anodes:
            check_range("contacts.anode", idx, 0, n - 1, "(contact index)")
            if idx in seen:
                raise ParameterError("contacts.anode", idx, "a contact that is not already a cathode or anode")
            seen.add(idx)
        if not self.anodes and not self.case_anode:
            raise ParameterError("contacts.anodes", self.anodes, "at least one anode contact or the case as anode")

    @property
    def used(self) -> tuple[int, ...]:
        return tuple(sorted({i for i, _ in self.cathodes} | set(self.anodes)))


@dataclass(frozen=True)
class Cycling:
    """Stimulation on for ``on_ms``, off for ``off_ms``, repeating from the program start."""

    on_ms: int
    off_ms: int

    def validate(self, profile: DeviceProfile) -> None:
        check_range("cycling.on_ms", self.on_ms, 1, profile.max_cycle_ms, "ms")
        check_range("cycling.off_ms", self.off_ms, 1, profile.max_cycle_ms, "ms")

    @property
    def on_ticks(self) -> int:
        return self.on_ms * 1000

    @property
    def period_ticks(self) -> int:
        return (self.on_ms + self.off_ms) * 1000


#: rate range per waveform: (profile attribute of the minimum, of the maximum, unit shown in errors)
_TONIC_RATE_LIMITS = ("min_rate_mhz", "max_rate_mhz", "mHz (tonic)")
_RATE_LIMITS = {
    Waveform.HIGH_FREQUENCY: ("min_hf_rate_mhz", "max_hf_rate_mhz", "mHz (high frequency)"),
    Waveform.BURST: ("min_burst_rate_mhz", "max_burst_rate_mhz", "mHz (burst rate)"),
    Waveform.TONIC: _TONIC_RATE_LIMITS,
}


@dataclass(frozen=True)
class Area:
    """One pulse train on its own contact configuration.

    Tonic and high-frequency areas emit one biphasic (or passively recharged) pulse per period
    at ``rate_mhz``. Burst areas emit ``pulses_per_burst`` monophasic pulses ``intra_burst_rate_mhz``
    apart, bursts repeating at ``rate_mhz``, with one passive recharge window after the last pulse.
    Active recharge: the anodic phase lasts ``recharge_ratio`` x ``pulse_width_us`` at
    ``amplitude_ua / recharge_ratio`` so the net charge is exactly zero (ratio 1 = symmetric).
    """

    contacts: Contacts
    amplitude_ua: int
    pulse_width_us: int
    rate_mhz: int
    waveform: Waveform = Waveform.TONIC
    interphase_gap_us: int = 0
    recharge: RechargeMode = RechargeMode.ACTIVE
    recharge_ratio: int = 1
    passive_window_us: int = 0
    pulses_per_burst: int = 1
    intra_burst_rate_mhz: int = 0
    cycling: Cycling | None = None
    soft_start_ms: int = 0
    profile: DeviceProfile = field(default_factory=DeviceProfile, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Checks run in this order so the first error reported is the same whatever else is wrong.
        self.contacts.validate(self.profile)
        self._check_levels()
        self._check_recharge()
        if self.waveform is Waveform.BURST:
            self._check_burst()
        else:
            self._check_single_pulse()
        self._check_cycling()

    def _check_levels(self) -> None:
        """Amplitude, width, gap, soft start and the rate range of the waveform."""
        p = self.profile
        check_range("amplitude_ua", self.amplitude_ua, 0, p.max_amplitude_ua, "uA")
        if self.amplitude_ua % p.amplitude_step_ua:
            raise ParameterError("amplitude_ua", self.amplitude_ua, f"a multiple of {p.amplitude_step_ua} uA")
        check_range("pulse_width_us", self.pulse_width_us, p.min_pulse_width_us, p.max_pulse_width_us, "us")
        check_range("interphase_gap_us", self.interphase_gap_us, 0, p.max_interphase_gap_us, "us")
        check_range("soft_start_ms", self.soft_start_ms, 0, p.max_soft_start_ms, "ms")
        lo, hi, unit = _RATE_LIMITS.get(self.waveform, _TONIC_RATE_LIMITS)
        check_range("rate_mhz", self.rate_mhz, getattr(p, lo), getattr(p, hi), unit)

    def _check_recharge(self) -> None:
        p = self.profile
        if self.recharge is RechargeMode.ACTIVE:
            if self.recharge_ratio not in p.recharge_ratios:
                raise ParameterError(
                    "recharge_ratio", self.recharge_ratio,
                    f"one of {p.recharge_ratios} (divides the {p.amplitude_step_ua} uA step, so charge balances exactly)")
            if self.passive_window_us:
                raise ParameterError("passive_window_us", self.passive_window_us, "0 with active recharge")
        else:
            check_range("passive_window_us", self.passive_window_us, 1, p.max_passive_window_us, "us")
            if self.recharge_ratio != 1:
                raise ParameterError("recharge_ratio", self.recharge_ratio, "1 with passive recharge")

    def _check_burst(self) -> None:
        p = self.profile
        if self.recharge is not RechargeMode.PASSIVE:
            raise ParameterError("recharge", self.recharge.value, "passive for burst (monophasic pulses)")
        check_range("pulses_per_burst", self.pulses_per_burst, 2, p.max_pulses_per_burst)
        check_range("intra_burst_rate_mhz", self.intra_burst_rate_mhz,
                    p.min_intra_burst_rate_mhz, p.max_intra_burst_rate_mhz, "mHz")
        spacing = PERIOD_NUMERATOR // self.intra_burst_rate_mhz
        if self.pulse_width_us >= spacing:
            raise ParameterError("pulse_width_us", self.pulse_width_us,
                                 f"shorter than the intra-burst spacing of {spacing} us")
        if self.burst_span_ticks > PERIOD_NUMERATOR // self.rate_mhz:
            raise ParameterError(
                "pulses_per_burst", self.pulses_per_burst,
                f"a burst (pulses + recharge window = {self.burst_span_ticks} us) that fits the burst period "
                f"of {PERIOD_NUMERATOR // self.rate_mhz} us")

    def _check_single_pulse(self) -> None:
        """Tonic and high frequency: one pulse per period, no burst fields."""
        if self.pulses_per_burst != 1:
            raise ParameterError("pulses_per_burst", self.pulses_per_burst, "1 unless the waveform is burst")
        if self.intra_burst_rate_mhz:
            raise ParameterError("intra_burst_rate_mhz", self.intra_burst_rate_mhz, "0 unless the waveform is burst")
        if self.occupancy_ticks > PERIOD_NUMERATOR // self.rate_mhz:
            raise ParameterError(
                "pulse_width_us", self.pulse_width_us,
                f"a pulse whose occupancy ({self.occupancy_ticks} us incl. gap and recharge) fits its period "
                f"of {PERIOD_NUMERATOR // self.rate_mhz} us")

    def _check_cycling(self) -> None:
        if self.cycling is not None:
            self.cycling.validate(self.profile)
            if self.soft_start_ms > self.cycling.on_ms:
                raise ParameterError("soft_start_ms", self.soft_start_ms, f"at most cycling.on_ms = {self.cycling.on_ms}")

    # --- derived timing, all in ticks -------------------------------------------------------
    @property
    def recharge_width_us(self) -> int:
        """Width of the phase after the cathodic pulse: anodic phase or passive window."""
        if self.recharge is RechargeMode.ACTIVE:
            return self.pulse_width_us * self.recharge_ratio
        return self.passive_window_us

    @property
    def occupancy_ticks(self) -> int:
        """Output-stage occupancy of a tonic/HF pulse (burst: of the last pulse of a burst)."""
        return self.pulse_width_us + self.interphase_gap_us + self.recharge_width_us

    @property
    def burst_offsets_ticks(self) -> tuple[int, ...]:
        """Starts of the pulses of one burst relative to the burst start."""
        if self.waveform is not Waveform.BURST:
            return (0,)
        return tuple(pulse_start_tick(i, self.intra_burst_rate_mhz) for i in range(self.pulses_per_burst))

    @property
    def burst_span_ticks(self) -> int:
        return self.burst_offsets_ticks[-1] + self.occupancy_ticks

    def pulse_occupancies_ticks(self) -> tuple[int, ...]:
        """Occupancy of each pulse of one burst (tonic/HF: one pulse). Only the last is recharged."""
        if self.waveform is not Waveform.BURST:
            return (self.occupancy_ticks,)
        return (self.pulse_width_us,) * (self.pulses_per_burst - 1) + (self.occupancy_ticks,)

    @property
    def work_per_period_ticks(self) -> int:
        return sum(self.pulse_occupancies_ticks())

    @property
    def min_period_ticks(self) -> int:
        """Smallest spacing between two consecutive period starts (floor of the exact period)."""
        return PERIOD_NUMERATOR // self.rate_mhz

    def with_amplitude(self, amplitude_ua: int) -> Area:
        from dataclasses import replace

        return replace(self, amplitude_ua=amplitude_ua)


@dataclass(frozen=True)
class Program:
    """Up to ``profile.max_areas`` areas interleaved on one output stage."""

    areas: tuple[Area, ...]
    name: str = ""

    def __post_init__(self) -> None:
        if not self.areas:
            raise ParameterError("areas", (), "at least one area")
        limit = self.areas[0].profile.max_areas
        if len(self.areas) > limit:
            raise ParameterError("areas", len(self.areas), f"at most {limit} areas per program")
