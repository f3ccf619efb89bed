"""The pulse output: the running scheduler and its pulse stream, the pulse trace, and the watchdog's
view of whether the scheduler is still being serviced."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from firmware_model.battery.usage import average_stim_power_w
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import Program
from firmware_model.stimulation.pulse_stream import PulseStream
from firmware_model.stimulation.safety import ContactImpedances
from firmware_model.stimulation.scheduler import Scheduler

TRACE_RECORD = np.dtype([("tick", "<u8"), ("area", "u1"), ("amplitude_ua", "<u2")])


class PulseOutput:
    def __init__(self, now: int):
        self.on = False
        self.sched: Scheduler | None = None
        self.stream: PulseStream | None = None
        self.power_w = 0.0
        self.heartbeat = now            # pulses went out up to this tick
        self.stalled = False            # fault injection: the scheduler stopped being serviced
        self.trace = np.zeros(0, dtype=TRACE_RECORD)
        self.tracing = False
        self.trace_limit = 0
        self.observer: Callable[[np.ndarray], None] | None = None

    def start(self, prog: Program, profile: DeviceProfile, measured: ContactImpedances, applied: list[int],
              now: int) -> None:
        self.sched = Scheduler(prog, profile, measured).derive(amplitudes_ua=tuple(applied))
        self.stream = PulseStream(self.sched, now)
        self.on = True
        self.heartbeat = now
        self._update_load()

    def stop(self) -> None:
        self.on = False
        self.sched = None
        self.stream = None
        self._update_load()

    def retarget(self, applied: list[int], measured: ContactImpedances, now: int) -> None:
        """Apply new amplitudes or impedances to running stimulation, continuing the same pulse grid."""
        if self.on and self.sched is not None and self.stream is not None:
            self.sched = self.sched.derive(amplitudes_ua=tuple(applied), impedances=measured)
            self.stream.retarget(self.sched, now)
            self._update_load()

    def _update_load(self) -> None:
        self.power_w = average_stim_power_w(self.sched) if self.on and self.sched is not None else 0.0

    def stopped_areas(self) -> set[int]:
        return set(self.sched.stopped_areas) if self.sched is not None else set()

    def watchdog_expired(self, now: int, watchdog_ticks: int) -> bool:
        return self.on and self.stalled and now >= self.heartbeat + watchdog_ticks

    def watchdog_due_tick(self, watchdog_ticks: int) -> int | None:
        return self.heartbeat + watchdog_ticks if self.on and self.stalled else None

    def emit(self, until: int) -> None:
        """Pulses with nominal start before ``until`` go out (to the trace and any observer)."""
        if not self.on or self.stream is None:
            return
        if self.stalled:
            until = min(until, self.heartbeat)
        else:
            self.heartbeat = max(self.heartbeat, until)
        if not (self.tracing or self.observer):
            self.stream.skip_until(until)
            return
        pulses = self.stream.take_until(until)
        if not len(pulses):
            return
        if self.observer is not None:
            self.observer(pulses)
        if self.tracing:
            self._record(pulses)

    def _record(self, pulses: np.ndarray) -> None:
        room = self.trace_limit - len(self.trace)
        rec = np.zeros(min(room, len(pulses)), dtype=TRACE_RECORD)
        rec["tick"] = pulses["start_tick"][:len(rec)]
        rec["area"] = pulses["area"][:len(rec)]
        rec["amplitude_ua"] = pulses["amplitude_ua"][:len(rec)]
        self.trace = np.concatenate([self.trace, rec])
        if len(self.trace) >= self.trace_limit:
            self.tracing = False

    def trace_start(self, max_pulses: int) -> None:
        self.trace = np.zeros(0, dtype=TRACE_RECORD)
        self.trace_limit = max_pulses
        self.tracing = True
