"""The device's event log: a bounded ring of what happened, each with its tick.

Kinds and codes are shared with the protocol's EVENT and EVENT_LOG_ENTRY messages. The log lives in
retained memory: it survives resets and power loss (a reset is itself logged).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from protocol.spec.catalog import load_catalog
from protocol.spec.generated import EventKind, FaultCode, ModeCode, ResetCode

__all__ = ["EventKind", "FaultCode", "ModeCode", "ResetCode", "SECURITY_CODES", "LogEntry", "EventLog"]


#: the security event code of a refused request is its result code
SECURITY_CODES = {r.name: r.code for r in load_catalog().results}


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
