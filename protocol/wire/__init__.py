"""The wire: frames (COBS, CRC-32), the payload codec, and exactly-once delivery."""

from __future__ import annotations

from protocol.wire.codec import DecodeError, EncodeError, decode_payload, encode_payload, make
from protocol.wire.framing import Frame, FrameError, StreamDecoder, encode_frame, parse_frame
from protocol.wire.reliability import NoResponseError, ResponseCache, RetryPolicy, SequenceNumbers, send_with_retries

__all__ = [
    "DecodeError", "EncodeError", "Frame", "FrameError", "NoResponseError", "ResponseCache", "RetryPolicy", "SequenceNumbers",
    "StreamDecoder", "decode_payload", "encode_frame", "encode_payload", "make", "parse_frame", "send_with_retries",
]
