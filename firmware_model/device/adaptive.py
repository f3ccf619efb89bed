"""AdaptiveStim: the sensed posture, applied after it held for the dwell time, and the amplitude ramp.

When AdaptiveStim is on, the amplitudes remembered for the new posture become the target and the
applied amplitudes move toward it one amplitude step at a time, at most ``ramp_ua_per_s``.
"""

from __future__ import annotations

from protocol.spec.generated import MEMORY_KEYS, Posture

__all__ = ["AdaptiveStim", "MEMORY_KEYS", "MEMORY_KEY_OFF", "Posture"]


#: remembered amplitudes are kept per posture, and under one more key while AdaptiveStim is off
MEMORY_KEY_OFF = len(Posture)
assert MEMORY_KEYS == len(Posture) + 1


class AdaptiveStim:
    """Posture input and ramp timing (ticks). The amplitudes themselves belong to the device."""

    def __init__(self) -> None:
        self.posture = Posture.UPRIGHT
        self.pending: tuple[Posture, int] | None = None   # (posture, tick it was first sensed)
        self.ramp_next_tick: int | None = None

    def memory_key(self, enabled: bool) -> int:
        return int(self.posture) if enabled else MEMORY_KEY_OFF

    def sense(self, posture: Posture, now: int) -> None:
        """A posture reading: it applies once it held for the dwell time (a change restarts the wait)."""
        if self.pending is None or self.pending[0] is not posture:
            self.pending = (posture, now) if posture is not self.posture else None

    def posture_due_tick(self, dwell_ms: int) -> int | None:
        return None if self.pending is None else self.pending[1] + dwell_ms * 1000

    def apply_due_posture(self, now: int, dwell_ms: int) -> bool:
        """Apply the pending posture if it held long enough; True when the posture changed."""
        due = self.posture_due_tick(dwell_ms)
        if self.pending is None or due is None or now < due:
            return False
        self.posture, self.pending = self.pending[0], None
        return True

    def start_ramp(self, applied: list[int], target: list[int], now: int, step_ua: int, rate_ua_per_s: int) -> None:
        """Schedule the next step toward the target (none when there)."""
        if applied == target:
            self.ramp_next_tick = None
            return
        self.ramp_next_tick = now + -(-step_ua * 1_000_000 // rate_ua_per_s)

    def ramp_due(self, now: int) -> bool:
        return self.ramp_next_tick is not None and now >= self.ramp_next_tick

    @staticmethod
    def ramp_step(applied: list[int], target: list[int], step_ua: int) -> list[int]:
        """Every area one step closer to its target."""
        return [a + step_ua if t > a else a - step_ua if t < a else a for a, t in zip(applied, target)]
