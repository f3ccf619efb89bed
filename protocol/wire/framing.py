"""Frames on the wire.

Decoded frame layout (little-endian)::

    version u8 | message id u8 | flags u8 | sequence u16 | payload ... |
    [counter u32 | tag 8 bytes]   (when flags & SIGNED) | CRC-32/ISO-HDLC u32

The CRC covers every byte before it. The frame is COBS-encoded and followed by one 0x00 delimiter.
A CRC detects noise, not tampering: in a session the HMAC tag (see `security`) does that.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from typing import NamedTuple

from cobs import cobs

VERSION = 1
HEADER = struct.Struct("<BBBH")
COUNTER = struct.Struct("<I")
CRC = struct.Struct("<I")
TAG_BYTES = 8
MAX_PAYLOAD = 1024

FLAG_RESPONSE = 0x01
FLAG_EVENT = 0x02
FLAG_SIGNED = 0x04
KNOWN_FLAGS = FLAG_RESPONSE | FLAG_EVENT | FLAG_SIGNED

MAX_DECODED = HEADER.size + MAX_PAYLOAD + COUNTER.size + TAG_BYTES + CRC.size
#: COBS adds one byte per 254 and one at the start; the delimiter is not counted
MAX_ENCODED = MAX_DECODED + MAX_DECODED // 254 + 1


def crc32(data: bytes) -> int:
    """CRC-32/ISO-HDLC (poly 0x04C11DB7 reflected, init and xorout 0xFFFFFFFF; check 0xCBF43926)."""
    return zlib.crc32(data) & 0xFFFFFFFF


class FrameError(ValueError):
    """A frame that can't be accepted; ``reason`` is one of: cobs, short, crc, version, flags, length, oversize."""

    def __init__(self, reason: str, detail: str, raw: bytes = b""):
        self.reason = reason
        self.raw = raw
        super().__init__(f"{reason}: {detail}")


class Frame(NamedTuple):
    """One decoded frame (a tuple: cheap to build once per received frame)."""

    msg_id: int
    flags: int
    seq: int
    payload: bytes
    counter: int | None = None
    tag: bytes | None = None
    version: int = VERSION
    signed_body: bytes = b""  # header + payload + counter: what the tag authenticates

    @property
    def is_response(self) -> bool:
        return bool(self.flags & FLAG_RESPONSE)

    @property
    def is_event(self) -> bool:
        return bool(self.flags & FLAG_EVENT)

    @property
    def is_signed(self) -> bool:
        return bool(self.flags & FLAG_SIGNED)


Signer = Callable[[bytes], bytes]


def encode_frame(msg_id: int, seq: int, payload: bytes, flags: int = 0,
                 counter: int | None = None, signer: Signer | None = None) -> bytes:
    """Wire bytes (COBS + delimiter) of one frame. With ``signer``, the frame carries ``counter``
    and ``signer(header + payload + counter)`` as its tag."""
    if len(payload) > MAX_PAYLOAD:
        raise ValueError(f"payload of {len(payload)} bytes is not allowed: at most {MAX_PAYLOAD}")
    if not 0 <= seq <= 0xFFFF:
        raise ValueError(f"sequence number {seq} is not allowed: 0 to 65535")
    if signer is not None:
        flags |= FLAG_SIGNED
    body = HEADER.pack(VERSION, msg_id, flags, seq) + payload
    if signer is not None:
        if counter is None or not 0 <= counter <= 0xFFFFFFFF:
            raise ValueError(f"frame counter {counter} is not allowed: 0 to 2^32-1")
        body += COUNTER.pack(counter)
        tag = signer(body)
        if len(tag) != TAG_BYTES:
            raise ValueError(f"tag of {len(tag)} bytes, expected {TAG_BYTES}")
        body += tag
    body += CRC.pack(crc32(body))
    return cobs.encode(body) + b"\x00"


def parse_frame(encoded: bytes) -> Frame:
    """One frame from its COBS bytes (without the delimiter); FrameError says what is wrong."""
    if len(encoded) > MAX_ENCODED:
        raise FrameError("oversize", f"{len(encoded)} encoded bytes, at most {MAX_ENCODED}", encoded)
    try:
        raw = cobs.decode(encoded)
    except cobs.DecodeError as e:
        raise FrameError("cobs", str(e), encoded) from None
    if len(raw) < HEADER.size + CRC.size:
        raise FrameError("short", f"{len(raw)} bytes, at least {HEADER.size + CRC.size}", encoded)
    (crc,) = CRC.unpack_from(raw, len(raw) - CRC.size)
    if zlib.crc32(memoryview(raw)[:-CRC.size]) != crc:
        raise FrameError("crc", "CRC-32 mismatch", encoded)
    version, msg_id, flags, seq = HEADER.unpack_from(raw, 0)
    if version != VERSION:
        raise FrameError("version", f"protocol version {version}, this side speaks {VERSION}", encoded)
    if flags & ~KNOWN_FLAGS:
        raise FrameError("flags", f"unknown flag bits 0x{flags & ~KNOWN_FLAGS:02x}", encoded)
    end = len(raw) - CRC.size
    counter = tag = None
    if flags & FLAG_SIGNED:
        if end - HEADER.size < COUNTER.size + TAG_BYTES:
            raise FrameError("length", "signed frame too short for counter and tag", encoded)
        tag = raw[end - TAG_BYTES:end]
        (counter,) = COUNTER.unpack_from(raw, end - TAG_BYTES - COUNTER.size)
        end -= TAG_BYTES + COUNTER.size
    payload = raw[HEADER.size:end]
    if len(payload) > MAX_PAYLOAD:
        raise FrameError("length", f"payload of {len(payload)} bytes, at most {MAX_PAYLOAD}", encoded)
    signed_body = raw[:end + COUNTER.size] if tag is not None else b""
    return Frame(msg_id, flags, seq, payload, counter, tag, version, signed_body)


class StreamDecoder:
    """Frames from a byte stream in any chunking.

    Bytes accumulate until a 0x00 delimiter; the buffer never holds more than one maximal encoded
    frame: past that, bytes are discarded until the next delimiter and reported as an oversize error.
    ``dropped_bytes`` counts every byte that did not end up in an accepted frame.
    """

    def __init__(self) -> None:
        self._buf = bytearray()
        self._overflow = 0
        self.dropped_bytes = 0
        self.frames = 0
        self.errors = 0

    def feed(self, data: bytes) -> list[Frame | FrameError]:
        if not self._buf and not self._overflow and data.find(b"\x00") == len(data) - 1 > 0:
            # fast path: exactly one whole frame
            try:
                frame = parse_frame(data[:-1])
                self.frames += 1
                return [frame]
            except FrameError as e:
                self.errors += 1
                self.dropped_bytes += len(data)
                return [e]
        out: list[Frame | FrameError] = []
        start = 0
        while True:
            end = data.find(b"\x00", start)
            piece = data[start:] if end < 0 else data[start:end]
            if self._overflow:
                self._overflow += len(piece)
            elif len(self._buf) + len(piece) > MAX_ENCODED:
                self._overflow = len(self._buf) + len(piece)
                self._buf.clear()
            else:
                self._buf += piece
            if end < 0:
                return out
            start = end + 1
            if self._overflow:
                out.append(FrameError("oversize", f"{self._overflow} bytes without a delimiter, at most {MAX_ENCODED}"))
                self.dropped_bytes += self._overflow + 1
                self.errors += 1
                self._overflow = 0
                continue
            if not self._buf:
                continue  # back-to-back delimiters: idle line, nothing dropped
            encoded = bytes(self._buf)
            self._buf.clear()
            try:
                out.append(parse_frame(encoded))
                self.frames += 1
            except FrameError as e:
                out.append(e)
                self.errors += 1
                self.dropped_bytes += len(encoded) + 1

    @property
    def buffered(self) -> int:
        """Bytes held in memory (at most MAX_ENCODED)."""
        return len(self._buf)

    @property
    def undelimited(self) -> int:
        """Bytes since the last delimiter, including those discarded as oversize: at the end of a
        stream, all of them are an unfinished frame."""
        return len(self._buf) + self._overflow
