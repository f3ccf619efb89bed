"""Export a capture as pcapng for Wireshark/tshark, one packet per frame on the wire.

Link type DLT_USER0 (147); each packet is a one-byte pseudo-header then the frame with its COBS
encoding removed (header, payload, counter and tag, CRC)::

    direction u8 (0 host to device, 1 device to host; +0x80: not a valid COBS frame, raw bytes follow)

A run of bytes longer than the protocol's largest encoded frame (``framing.MAX_ENCODED``) is never a
frame: it is exported as raw bytes cut to that length (captured length < original length, as for a
snap length) with a packet comment saying so, so that the file stays valid for tshark/Wireshark
(which refuse packets over 262144 bytes).

Timestamps have nanosecond resolution: the capture's start time plus each frame's ``t_ns``
(the time its delimiter was recorded). The dissector for this link type is generated from the
catalog (`protocol/codegen/wireshark.py`, file `protocol/wireshark/scs.lua`).
"""

from __future__ import annotations

import calendar
import struct
import time
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from cobs import cobs

from protocol.capture.format import Chunk
from protocol.wire.framing import MAX_ENCODED

LINKTYPE_USER0 = 147
DIRECTION = {"h2d": 0, "d2h": 1}
NOT_A_FRAME = 0x80
_EPB_FLAGS_DIR = {"h2d": 2, "d2h": 1}  # pcapng epb_flags: 2 outbound (from the host), 1 inbound


def _block(block_type: int, body: bytes) -> bytes:
    body += b"\x00" * (-len(body) % 4)
    total = len(body) + 12
    return struct.pack("<II", block_type, total) + body + struct.pack("<I", total)


def _option(code: int, value: bytes) -> bytes:
    return struct.pack("<HH", code, len(value)) + value + b"\x00" * (-len(value) % 4)


END_OF_OPTIONS = struct.pack("<HH", 0, 0)


def frames_of(chunks: list[Chunk]) -> Iterator[tuple[int, str, int, bytes]]:
    """(t_ns, direction, pseudo-header byte, bytes) for every delimited frame of both directions."""
    buffers = {"h2d": bytearray(), "d2h": bytearray()}
    for ch in chunks:
        buf = buffers[ch.direction]
        start = 0
        data = ch.data
        while True:
            end = data.find(b"\x00", start)
            if end < 0:
                buf += data[start:]
                break
            buf += data[start:end]
            start = end + 1
            if not buf:
                continue  # an idle delimiter
            encoded = bytes(buf)
            buf.clear()
            if len(encoded) > MAX_ENCODED:
                yield ch.t_ns, ch.direction, DIRECTION[ch.direction] | NOT_A_FRAME, encoded
                continue
            try:
                yield ch.t_ns, ch.direction, DIRECTION[ch.direction], cobs.decode(encoded)
            except cobs.DecodeError:
                yield ch.t_ns, ch.direction, DIRECTION[ch.direction] | NOT_A_FRAME, encoded


def start_ns(header: dict) -> int:
    """The capture's start as nanoseconds since the epoch (0 when the header has no valid time)."""
    try:
        return calendar.timegm(time.strptime(header.get("started", ""), "%Y-%m-%dT%H:%M:%SZ")) * 1_000_000_000
    except ValueError:
        return 0


def _packet_block(ts: int, direction: str, packet: bytes, comment: str = "") -> bytes:
    """An enhanced packet block; ``packet`` is cut to 1 + MAX_ENCODED bytes (orig_len keeps its length)."""
    captured = packet[:1 + MAX_ENCODED]
    options = _option(1, comment.encode()) if comment else b""  # opt_comment
    options += _option(2, struct.pack("<I", _EPB_FLAGS_DIR[direction]))
    body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(captured), min(len(packet), 0xFFFFFFFF))
    return _block(6, body + captured + b"\x00" * (-len(captured) % 4) + options + END_OF_OPTIONS)


def write_pcapng(out: BinaryIO, header: dict, chunks: list[Chunk], notes: list[str] | None = None) -> int:
    """Write the pcapng; returns the number of packets. Each oversized run of bytes (cut to
    MAX_ENCODED) adds a line to ``notes``."""
    app = _option(4, b"scs-hil capture export")  # shb_userappl
    out.write(_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + app + END_OF_OPTIONS))
    name = _option(2, f"scs serial link to {header.get('target') or 'target'}".encode())  # if_name
    tsresol = _option(9, b"\x09")  # nanoseconds
    out.write(_block(1, struct.pack("<HHI", LINKTYPE_USER0, 0, 0) + name + tsresol + END_OF_OPTIONS))
    t0 = start_ns(header)
    count = 0
    for t_ns, direction, pseudo, data in frames_of(chunks):
        comment = ""
        if len(data) > MAX_ENCODED:
            comment = f"oversize: {len(data)} bytes without a delimiter (a frame is at most {MAX_ENCODED}); " \
                      f"only the first {MAX_ENCODED} are kept"
            if notes is not None:
                notes.append(f"packet {count + 1} ({direction}, t={t_ns} ns): {comment}")
        out.write(_packet_block(t0 + t_ns, direction, bytes([pseudo]) + data, comment))
        count += 1
    return count


def export_pcapng(path: str | Path, header: dict, chunks: list[Chunk], notes: list[str] | None = None) -> int:
    with open(path, "wb") as f:
        return write_pcapng(f, header, chunks, notes)
