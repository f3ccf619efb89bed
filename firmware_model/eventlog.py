"""The device's event log: a bounded ring of what happened, each with its tick.

Kinds and codes are shared with the protocol's EVENT and EVENT_LOG_ENTRY messages. The log lives in
retained memory: it survives resets and power loss (a reset is itself logged).
"""

from __future__ import annotations

import enum
from collections import deque
from dataclasses import dataclass


class EventKind(enum.IntEnum):
    FAULT = 0
    BATTERY = 1
    SECURITY = 2
    RESET = 3
    MODE = 4
    RECHARGE = 5


class FaultCode(enum.IntEnum):
    """Fault codes; bit n of STATUS.fault_flags is code n."""

    IMPEDANCE_OPEN = 1
    IMPEDANCE_SHORT = 2
    WATCHDOG = 3
    BATTERY_CUTOFF = 4
    OVER_TEMPERATURE = 5
    NVM_CORRUPT = 6


class ModeCode(enum.IntEnum):
    STIM_ON = 1
    STIM_OFF = 2
    MRI_ENTER = 3
    MRI_EXIT = 4
    PROGRAM_SELECTED = 5
    PROGRAM_STORED = 6
    POSTURE_APPLIED = 7
    AREA_STOPPED = 8
    FAULT_CLEARED = 9


class ResetCode(enum.IntEnum):
    SOFT = 0
    POWER_LOSS = 1
    DEFAULTS_LOADED = 2
    SLOT_FALLBACK = 3
    FACTORY = 4


#: security event code = the result code of the refusal; 32 is the summary of unauthenticated refusals
SECURITY_CODES = {"BAD_FRAME": 1, "UNKNOWN_MESSAGE": 2, "NOT_PERMITTED": 5, "NOT_AUTHENTICATED": 6, "REPLAY": 7,
                  "WRONG_STATE": 8, "BUSY": 9, "BAD_TAG": 11, "STALE_COUNTER": 12, "VERSION_MISMATCH": 14,
                  "STORAGE_ERROR": 15}


@dataclass(frozen=True)
class LogEntry:
    tick: int
    kind: EventKind
    code: int
    detail: int = 0


class EventLog:
    def __init__(self, capacity: int = 128):
        self.capacity = capacity
        self._ring: deque[LogEntry] = deque(maxlen=capacity)
        self.dropped = 0

    def add(self, tick: int, kind: EventKind, code: int, detail: int = 0) -> LogEntry:
        if self._ring and tick < self._ring[-1].tick:
            raise ValueError(f"event at tick {tick} is older than the last logged ({self._ring[-1].tick})")
        if len(self._ring) == self.capacity:
            self.dropped += 1
        entry = LogEntry(tick, kind, int(code), detail & 0xFFFFFFFF)
        self._ring.append(entry)
        return entry

    def replace_last(self, tick: int, kind: EventKind, code: int, detail: int = 0) -> LogEntry:
        """Update the newest entry in place (a summary that counts repeated refusals)."""
        if not self._ring:
            raise IndexError("the log is empty")
        if len(self._ring) > 1 and tick < self._ring[-2].tick:
            raise ValueError(f"event at tick {tick} is older than the entry before it ({self._ring[-2].tick})")
        entry = LogEntry(tick, kind, int(code), detail & 0xFFFFFFFF)
        self._ring[-1] = entry
        return entry

    def __len__(self) -> int:
        return len(self._ring)

    def __getitem__(self, i: int) -> LogEntry:
        return self._ring[i]

    def entries(self) -> list[LogEntry]:
        return list(self._ring)
