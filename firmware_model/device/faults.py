"""The active faults: raising one logs a FAULT event, clearing one logs FAULT_CLEARED (once each)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from firmware_model.device.eventlog import EventKind, FaultCode, ModeCode

LogFn = Callable[[EventKind, int, int], None]


class Faults:
    def __init__(self, log: LogFn):
        self._active: set[FaultCode] = set()
        self._log = log

    def raise_(self, code: FaultCode, detail: int = 0) -> bool:
        """Set the fault; True (and logged) when it was not set."""
        if code in self._active:
            return False
        self._active.add(code)
        self._log(EventKind.FAULT, code, detail)
        return True

    def clear(self, code: FaultCode) -> bool:
        """Clear the fault; True (and logged) when it was set."""
        if code not in self._active:
            return False
        self._active.discard(code)
        self._log(EventKind.MODE, ModeCode.FAULT_CLEARED, code)
        return True

    def flags(self) -> int:
        """STATUS.fault_flags: bit n set while fault code n is active."""
        return sum(1 << int(f) for f in self._active)

    def __contains__(self, code: object) -> bool:
        return code in self._active

    def __iter__(self) -> Iterator[FaultCode]:
        return iter(sorted(self._active))

    def __len__(self) -> int:
        return len(self._active)
