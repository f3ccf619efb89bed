"""Argument types shared by the `scs` commands: each rejects a bad value with a message naming what is
allowed (argparse turns it into one line and exit status 2)."""

from __future__ import annotations

import argparse

DEVICE_ID_MAX = 2**64 - 1


def _integer(text: str, what: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{what} {text!r} is not an integer (decimal, or hex with 0x)") from None


def device_id(text: str) -> int:
    """A device id: 1 to 2^64-1 (0 is never a device)."""
    value = _integer(text, "device id")
    if not 1 <= value <= DEVICE_ID_MAX:
        raise argparse.ArgumentTypeError(f"device id {text} is not allowed: 1 to 2^64-1 ({DEVICE_ID_MAX})")
    return value


def tcp_port(text: str) -> int:
    """A TCP port: 0 (pick a free one) to 65535."""
    value = _integer(text, "port")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port {text} is not allowed: 0 (any free port) to 65535")
    return value


SPEED_MAX = 1e6  # a million device seconds per wall second: beyond, the paced clock's float loses ticks


def clock_speed(text: str) -> float:
    """Device clock / wall clock: 0 (the clock moves only on CLOCK_ADVANCE) or a finite ratio up to 1e6."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"speed {text!r} is not a number") from None
    if not 0 <= value <= SPEED_MAX:  # also refuses nan and inf
        raise argparse.ArgumentTypeError(
            f"speed {text} is not allowed: 0 (clock moves only on CLOCK_ADVANCE) or a ratio up to {SPEED_MAX:g}")
    return value


def positive_int(text: str) -> int:
    value = _integer(text, "value")
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} is not allowed: 1 or more")
    return value
