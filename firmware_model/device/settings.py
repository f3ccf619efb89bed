"""The device's persistent settings as typed, frozen values.

`Settings` is what survives a reset: the stored programs with the patient's amplitude window per area,
the amplitudes remembered per posture, the active program, whether stimulation was on, AdaptiveStim's
preferences and the handshake back-off. Every change makes a new value (`dataclasses.replace`).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from firmware_model.device.adaptive import MEMORY_KEYS
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import Area


@dataclass(frozen=True)
class ProgramSlot:
    """One stored program: its areas, the patient's window (min_ua, max_ua) per area, whether the patient
    may select it, and per memory key (posture, or AdaptiveStim off) the amplitudes last chosen."""

    areas: tuple[Area, ...]
    limits: tuple[tuple[int, int], ...]
    selectable: bool = True
    remembered: tuple[tuple[int, ...] | None, ...] = (None,) * MEMORY_KEYS

    def __post_init__(self) -> None:
        if not self.areas or len(self.limits) != len(self.areas):
            raise ValueError(f"a program has 1 or more areas and one (min, max) window each, got "
                             f"{len(self.areas)} areas and {len(self.limits)} windows")
        if len(self.remembered) != MEMORY_KEYS:
            raise ValueError(f"remembered amplitudes: {MEMORY_KEYS} memory keys, got {len(self.remembered)}")
        for amps in self.remembered:
            if amps is not None and len(amps) != len(self.areas):
                raise ValueError(f"remembered amplitudes: one per area ({len(self.areas)}), got {len(amps)}")

    @classmethod
    def new(cls, areas: tuple[Area, ...]) -> ProgramSlot:
        """A freshly committed program: the window is 0 to each area's programmed amplitude."""
        return cls(areas, tuple((0, a.amplitude_ua) for a in areas))

    def with_limits(self, area: int, lo: int, hi: int, selectable: bool) -> ProgramSlot:
        """New window of one area; remembered amplitudes outside it are brought inside."""
        limits = tuple((lo, hi) if i == area else w for i, w in enumerate(self.limits))
        remembered = tuple(None if amps is None else tuple(min(max(a, lo), hi) if i == area else a
                                                           for i, a in enumerate(amps))
                           for amps in self.remembered)
        return replace(self, limits=limits, selectable=selectable, remembered=remembered)

    def remember(self, key: int, amps: tuple[int, ...]) -> ProgramSlot:
        return replace(self, remembered=tuple(amps if k == key else r for k, r in enumerate(self.remembered)))


@dataclass(frozen=True)
class AdaptiveSettings:
    enabled: bool = False
    dwell_ms: int = 5_000
    ramp_ua_per_s: int = 1_000


@dataclass(frozen=True)
class HandshakeBackoff:
    failed_handshakes: int = 0
    backoff_until: int = 0   # ticks


@dataclass(frozen=True)
class Settings:
    programs: tuple[ProgramSlot | None, ...]
    active_program: int = 0
    stim_on: bool = False
    adaptive: AdaptiveSettings = field(default_factory=AdaptiveSettings)
    security: HandshakeBackoff = field(default_factory=HandshakeBackoff)

    def __post_init__(self) -> None:
        if not 0 <= self.active_program < len(self.programs):
            raise ValueError(f"active program {self.active_program} is not one of the "
                             f"{len(self.programs)} program slots (0 to {len(self.programs) - 1})")

    @classmethod
    def defaults(cls, profile: DeviceProfile, adaptive: AdaptiveSettings) -> Settings:
        return cls(programs=(None,) * profile.max_programs, adaptive=adaptive)

    def with_program(self, index: int, slot: ProgramSlot | None) -> Settings:
        return replace(self, programs=tuple(slot if i == index else p for i, p in enumerate(self.programs)))
