"""The capture format: every byte of a session, with direction and a monotonic timestamp.

A capture is a UTF-8 text file of JSON lines. The first line is a header, each later line one chunk
of bytes as it was read from or written to the port::

    {"format": "scs-capture", "version": 1, "target": "sim", "started": "2026-11-23T06:00:00Z"}
    {"t_ns": 1042, "dir": "h2d", "data": "0103..00"}
    {"t_ns": 2310, "dir": "d2h", "data": "0581..00"}

``t_ns`` is nanoseconds on a monotonic clock since the capture started; ``dir`` is ``h2d`` (host to
device) or ``d2h``; ``data`` is hex. Chunks of one direction concatenate to that direction's stream.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

FORMAT = "scs-capture"
VERSION = 1
DIRECTIONS = ("h2d", "d2h")


class CaptureError(ValueError):
    pass


@dataclass(frozen=True)
class Chunk:
    t_ns: int
    direction: str
    data: bytes
    line: int  # 1-based line in the file


class CaptureWriter:
    """Appends chunks to a capture; thread-safe; flushes each line so a crash loses nothing."""

    def __init__(self, stream: IO[str], target: str = "", clock_ns=time.monotonic_ns):
        self._stream = stream
        self._clock = clock_ns
        self._t0 = clock_ns()
        self._lock = threading.Lock()
        header = {"format": FORMAT, "version": VERSION, "target": target,
                  "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        self._write(header)

    @classmethod
    def open(cls, path: str | Path, target: str = "") -> CaptureWriter:
        return cls(open(path, "w", encoding="utf-8"), target)

    def _write(self, obj: dict) -> None:
        self._stream.write(json.dumps(obj, separators=(",", ":")) + "\n")
        self._stream.flush()

    def record(self, direction: str, data: bytes) -> None:
        if direction not in DIRECTIONS:
            raise ValueError(f"direction {direction!r} is not allowed: h2d or d2h")
        if data:
            with self._lock:
                self._write({"t_ns": self._clock() - self._t0, "dir": direction, "data": data.hex()})

    def close(self) -> None:
        with self._lock:
            self._stream.close()


def read_capture(path: str | Path) -> tuple[dict, list[Chunk]]:
    """Header and chunks of a capture; CaptureError names the line and what is wrong."""
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CaptureError(f"{p}: no such capture file (a JSON-lines capture of a session)") from None
    except (OSError, UnicodeDecodeError) as e:
        raise CaptureError(f"{p}: unreadable: {e}") from None
    return parse_capture(lines, str(p))


def parse_capture(lines: list[str], source: str = "<capture>") -> tuple[dict, list[Chunk]]:
    if not lines:
        raise CaptureError(f"{source}: empty file, expected a {FORMAT} header line")
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError as e:
        raise CaptureError(f"{source}:1: header is not JSON: {e}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise CaptureError(f"{source}:1: not a capture (header needs \"format\": \"{FORMAT}\")")
    if header.get("version") != VERSION:
        raise CaptureError(f"{source}:1: capture version {header.get('version')!r}, this reader reads {VERSION}")
    chunks = []
    last_t = 0
    for i, text in enumerate(lines[1:], 2):
        if not text.strip():
            continue
        try:
            obj = json.loads(text)
            t, d, data = obj["t_ns"], obj["dir"], bytes.fromhex(obj["data"])
        except (json.JSONDecodeError, KeyError, TypeError, ValueError) as e:
            raise CaptureError(f"{source}:{i}: bad record ({type(e).__name__}: {e}); "
                               "expected {\"t_ns\": int, \"dir\": \"h2d\"|\"d2h\", \"data\": hex}") from None
        if d not in DIRECTIONS or not isinstance(t, int) or t < last_t:
            raise CaptureError(f"{source}:{i}: dir must be h2d or d2h and t_ns a non-decreasing integer")
        last_t = t
        chunks.append(Chunk(t, d, data, i))
    return header, chunks
