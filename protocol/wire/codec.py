"""Payload codec driven by the catalog: message instances <-> little-endian bytes.

Decoding never raises anything but `DecodeError`, which carries the result code a device answers
with (BAD_LENGTH, OUT_OF_RANGE with the field index, UNKNOWN_MESSAGE).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

from protocol.spec.catalog import Catalog, Field, Message
from protocol.spec.generated import NO_FIELD
from protocol.wire.framing import MAX_PAYLOAD


class DecodeError(ValueError):
    def __init__(self, result: str, message: str, field_index: int = NO_FIELD):
        self.result = result
        self.field_index = field_index
        super().__init__(message)


class EncodeError(ValueError):
    pass


def _check(msg: Message, index: int, f: Field, value: Any, err: type) -> None:
    if f.base == "bytes":
        if not isinstance(value, (bytes, bytearray)) or (f.count and len(value) != f.count):
            raise _mk(err, msg, index, f, value, f"{f.count} bytes" if f.count else "bytes")
        return
    lo, hi = f.bounds()
    values = value if f.is_array else (value,)
    if f.is_array and (not isinstance(value, (tuple, list)) or len(value) != f.count):
        raise _mk(err, msg, index, f, value, f"{f.count} values, each {f.describe_range()}")
    for v in values:
        if isinstance(v, bool) or not isinstance(v, int) or not lo <= v <= hi:
            raise _mk(err, msg, index, f, value, f.describe_range())


def _mk(err: type, msg: Message, index: int, f: Field, value: Any, allowed: str) -> Exception:
    text = f"{msg.name}.{f.name} = {value!r} is not allowed: {allowed}"
    if err is DecodeError:
        return DecodeError("OUT_OF_RANGE", text, index)
    return EncodeError(text)


class _Compiled:
    """Per-message fast path, generated as Python source once per message (as `namedtuple` does):
    one struct call, array fields spliced with ``*``, range checks only for fields narrower than
    their type (the struct already bounds the rest)."""

    def __init__(self, msg: Message):
        self.msg = msg
        fixed = [f for f in msg.fields if not f.is_variable]
        self.fixed = msg.fixed_size
        self.variable = msg.has_variable_tail
        self.tail = msg.fields[-1].name if self.variable else None
        args, conds, obj_conds, ctor, i = [], [], [], [], 0
        for f in fixed:
            narrow = f.base != "bytes" and f.bounds() != f.type_range()
            lo, hi = f.bounds() if narrow else (0, 0)
            if f.is_array:
                args.append(f"*o.{f.name}")
                item = f"t[{i}:{i + f.count}]"
                ctor.append(item)
                if narrow:
                    conds.append(f"{lo} <= min({item}) and max({item}) <= {hi}")
                    obj_conds.append(f"{lo} <= min(o.{f.name}) and max(o.{f.name}) <= {hi}")
                i += f.count
            else:
                args.append(f"o.{f.name}")
                ctor.append(f"t[{i}]")
                if narrow:
                    conds.append(f"{lo} <= t[{i}] <= {hi}")
                    obj_conds.append(f"{lo} <= o.{f.name} <= {hi}")
                i += 1
        if self.variable:
            ctor.append(f"bytes(b[{self.fixed}:])")
        ok = " and ".join(conds) or "True"
        src = (f"def pack(o):\n    if not ({' and '.join(obj_conds) or 'True'}):\n        raise ValueError\n"
               f"    return S.pack({', '.join(args)})\n"
               f"def unpack(b):\n    t = S.unpack_from(b, 0)\n    if not ({ok}):\n        return None\n"
               f"    return T({', '.join(ctor)})\n")
        ns = {"S": msg.struct, "T": msg.type}
        exec(compile(src, f"<codec {msg.name}>", "exec"), ns)
        self.pack: Callable[[Any], bytes]
        self.unpack: Callable[[bytes], Any]
        self.pack, self.unpack = ns["pack"], ns["unpack"]


def _codec(msg: Message) -> _Compiled:
    c = msg.__dict__.get("_codec")
    if c is None:
        c = _Compiled(msg)
        object.__setattr__(msg, "_codec", c)  # a cache of derived code on the immutable message
    return c


def _full_check(msg: Message, obj: Any, err: type) -> None:
    for i, f in enumerate(msg.fields):
        _check(msg, i, f, getattr(obj, f.name), err)


def encode_payload(msg: Message, obj: Any) -> bytes:
    """Payload bytes of ``obj`` (an instance of ``msg.type``); EncodeError names a bad field."""
    c = _codec(msg)
    try:
        out = c.pack(obj)
    except (ValueError, TypeError, struct.error):
        _full_check(msg, obj, EncodeError)  # names the field
        raise EncodeError(f"{msg.name}: fields do not pack") from None
    if c.tail is not None:
        tail = getattr(obj, c.tail)
        if not isinstance(tail, (bytes, bytearray)):
            _full_check(msg, obj, EncodeError)
        if len(out) + len(tail) > MAX_PAYLOAD:
            raise EncodeError(f"{msg.name}.{c.tail}: {len(tail)} bytes exceed the frame's payload limit")
        out += bytes(tail)
    return out


def decode_payload(msg: Message, payload: bytes) -> Any:
    """Instance of ``msg.type`` from payload bytes; DecodeError on bad length or range."""
    c = _codec(msg)
    n = len(payload)
    if n != c.fixed and not (c.variable and n > c.fixed):
        want = f"at least {c.fixed}" if c.variable else str(c.fixed)
        raise DecodeError("BAD_LENGTH", f"{msg.name}: payload of {n} bytes, expected {want}")
    obj = c.unpack(payload)
    if obj is None:
        fixed = [f for f in msg.fields if not f.is_variable]
        flat = msg.struct.unpack_from(payload, 0)
        i = 0
        for index, f in enumerate(fixed):
            v = tuple(flat[i:i + f.count]) if f.is_array else flat[i]
            i += f.count if f.is_array else 1
            _check(msg, index, f, v, DecodeError)
    return obj


def make(catalog: Catalog, name: str, **fields: Any) -> Any:
    """Build an instance of message ``name``; fields left out default to zero / empty."""
    msg = catalog[name]
    for f in msg.fields:
        if f.name not in fields:
            if f.base == "bytes":
                fields[f.name] = bytes(f.count)
            elif f.is_array:
                fields[f.name] = (0,) * f.count
            else:
                fields[f.name] = max(0, f.bounds()[0]) if f.min is not None else 0
    unknown = set(fields) - {f.name for f in msg.fields}
    if unknown:
        raise EncodeError(f"{name} has no field {sorted(unknown)[0]!r}; fields: {', '.join(f.name for f in msg.fields)}")
    return msg.type(**fields)
