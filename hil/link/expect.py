"""Expect-style matching on a bridge (pytest-embedded's ``dut.expect``, pymavlink's ``recv_match``).

- ``expect_event(bridge, kind, code=..., within_ticks=...)``: the next EVENT of that kind (and code),
  consuming the events before it. With ``within_ticks`` the event must happen within that many device
  ticks from now: on a virtual clock the device clock is advanced (in steps, stopping at the match),
  on a real clock the host waits that long (plus ``timeout_s`` for the link).
- ``wait_until(bridge, predicate, timeout_s)``: poll STATUS until ``predicate(status)`` holds.

A timeout raises `ExpectTimeout` (an AssertionError: the test fails, it does not error) whose message
says what was expected and lists the last events and the last status seen.
"""

from __future__ import annotations

import enum
import time
from collections import deque
from collections.abc import Callable
from typing import Any

from firmware_model.device.eventlog import EventKind
from protocol.capture.view import event_names

HISTORY = 12
VIRTUAL_CLOCK = 1  # DEVICE_INFO capability bit
#: each kind's codes by name, as the definition names them (the same names as `scs capture show`)
_CODES: dict[EventKind, Any] = {EventKind(k): enum.IntEnum(f"{name.title()}Code", {n: c for c, n in codes.items()})
                                for k, (name, codes) in event_names().items() if codes}


class ExpectTimeout(AssertionError):
    pass


def event_kind(kind: EventKind | int | str) -> EventKind:
    try:
        if isinstance(kind, str):
            return EventKind[kind.upper()]
        return EventKind(int(kind))
    except (KeyError, ValueError):
        raise ValueError(f"event kind {kind!r} is not allowed: {', '.join(k.name for k in EventKind)}") from None


def event_code(kind: EventKind, code: int | str | enum.IntEnum) -> int:
    if isinstance(code, str):
        names = _CODES.get(kind)
        if names is None or code.upper() not in names.__members__:
            allowed = ", ".join(names.__members__) if names else "an integer"
            raise ValueError(f"event code {code!r} is not allowed for {kind.name}: {allowed}")
        return int(names[code.upper()])
    return int(code)


def describe_event(e: Any) -> str:
    try:
        kind = EventKind(e.kind)
        names = _CODES.get(kind)
        code = names(e.code).name if names is not None and e.code in names._value2member_map_ else str(e.code)
        kind_name = kind.name
    except ValueError:
        kind_name, code = str(e.kind), str(e.code)
    return f"tick {e.tick} {kind_name} {code} detail {e.detail}"


def history(bridge) -> deque:
    """The last events this module saw on ``bridge`` (matching or not)."""
    seen = getattr(bridge, "_expect_history", None)
    if seen is None:
        seen = bridge._expect_history = deque(maxlen=HISTORY)
    return seen


def _seen_text(bridge) -> str:
    seen = list(history(bridge)) + list(bridge.events.queue)[-HISTORY:]  # consumed, then still queued
    return "; ".join(describe_event(e) for e in seen[-HISTORY:]) if seen else "none"


def _has_virtual_clock(bridge) -> bool:
    caps = getattr(bridge, "_expect_capabilities", None)
    if caps is None:
        caps = bridge._expect_capabilities = bridge.device_info().capabilities
    return bool(caps & VIRTUAL_CLOCK)


def _next_matching(bridge, want: Callable[[Any], bool], wait_s: float) -> Any | None:
    """Consume events (already received, then arriving within ``wait_s``) until one matches."""
    deadline = time.monotonic() + wait_s
    while True:
        e = bridge.wait_event(max(0.0, min(0.05, deadline - time.monotonic())))
        if e is not None:
            history(bridge).append(e)
            if want(e):
                return e
            continue
        if time.monotonic() >= deadline:
            return None


def expect_event(bridge, kind: EventKind | int | str, code: int | str | None = None, *,
                 within_ticks: int | None = None, timeout_s: float = 1.0, steps: int = 8) -> Any:
    """The first EVENT of ``kind`` (and ``code``); see the module doc. Returns the event message."""
    k = event_kind(kind)
    c = None if code is None else event_code(k, code)
    what = f"EVENT {k.name}" + ("" if code is None else f" {code}")

    def matches(e) -> bool:
        return e.kind == k and (c is None or e.code == c)

    if within_ticks is None:
        found = _next_matching(bridge, matches, timeout_s)
        if found is None:
            raise ExpectTimeout(f"{bridge.name}: no {what} within {timeout_s:g} s; last events seen: {_seen_text(bridge)}")
        return found
    if within_ticks < 0:
        raise ValueError(f"within_ticks {within_ticks} is not allowed: 0 or more")
    start = bridge.call("CLOCK_GET").ticks
    end = start + within_ticks
    found = _next_matching(bridge, matches, 0.0)
    if found is None and _has_virtual_clock(bridge):
        step = max(1, -(-within_ticks // max(1, steps)))
        now = start
        while found is None and now < end:
            advance = min(step, end - now)
            bridge.call("CLOCK_ADVANCE", ticks=advance)  # events of the advance arrive after its answer
            now += advance
            found = _next_matching(bridge, matches, 0.0)
    elif found is None:
        tick_ns = getattr(bridge, "_expect_tick_ns", None) or bridge.device_info().tick_ns
        found = _next_matching(bridge, matches, within_ticks * tick_ns / 1e9 + timeout_s)
    if found is not None and found.tick <= end:
        return found
    late = f" (it came at tick {found.tick}, {found.tick - start} ticks after the start)" if found is not None else ""
    raise ExpectTimeout(f"{bridge.name}: no {what} within {within_ticks} ticks (ticks {start} to {end}){late}; "
                        f"last events seen: {_seen_text(bridge)}")


def wait_until(bridge, predicate: Callable[[Any], bool], timeout_s: float = 5.0, poll_s: float = 0.05,
               advance_ticks: int = 0, what: str = "") -> Any:
    """Poll STATUS until ``predicate(status)`` is true; return that status. ``advance_ticks``: on a
    virtual clock, CLOCK_ADVANCE this much between polls (device time moves only then)."""
    deadline = time.monotonic() + timeout_s
    polls = 0
    while True:
        status = bridge.call("STATUS_GET")
        polls += 1
        if predicate(status):
            return status
        if time.monotonic() >= deadline:
            label = what or getattr(predicate, "__name__", "the condition")
            fields = " ".join(f"{k}={v}" for k, v in status._asdict().items())
            raise ExpectTimeout(f"{bridge.name}: {label} did not hold within {timeout_s:g} s ({polls} polls); "
                                f"last status: {fields}; last events seen: {_seen_text(bridge)}")
        if advance_ticks:
            bridge.call("CLOCK_ADVANCE", ticks=advance_ticks)
        time.sleep(poll_s)
