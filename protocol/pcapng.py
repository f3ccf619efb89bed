"""Export a capture as pcapng for Wireshark/tshark, one packet per frame on the wire.

Link type DLT_USER0 (147); each packet is a one-byte pseudo-header then the frame with its COBS
encoding removed (header, payload, counter and tag, CRC)::

    direction u8 (0 host to device, 1 device to host; +0x80: not a valid COBS frame, raw bytes follow)

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

from protocol.capture import Chunk

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


def write_pcapng(out: BinaryIO, header: dict, chunks: list[Chunk]) -> int:
    """Write the pcapng; returns the number of packets."""
    app = _option(4, b"scs-hil capture export")  # shb_userappl
    out.write(_block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1) + app + END_OF_OPTIONS))
    name = _option(2, f"scs serial link to {header.get('target') or 'target'}".encode())  # if_name
    tsresol = _option(9, b"\x09")  # nanoseconds
    out.write(_block(1, struct.pack("<HHI", LINKTYPE_USER0, 0, 0) + name + tsresol + END_OF_OPTIONS))
    t0 = start_ns(header)
    count = 0
    for t_ns, direction, pseudo, data in frames_of(chunks):
        packet = bytes([pseudo]) + data
        ts = t0 + t_ns
        flags = _option(2, struct.pack("<I", _EPB_FLAGS_DIR[direction]))
        body = struct.pack("<IIIII", 0, ts >> 32, ts & 0xFFFFFFFF, len(packet), len(packet))
        body += packet + b"\x00" * (-len(packet) % 4) + flags + END_OF_OPTIONS
        out.write(_block(6, body))
        count += 1
    return count


def export_pcapng(path: str | Path, header: dict, chunks: list[Chunk]) -> int:
    with open(path, "wb") as f:
        return write_pcapng(f, header, chunks)
