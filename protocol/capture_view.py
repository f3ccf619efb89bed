"""A capture as text a person reads: every frame decoded, with its time, direction, message, fields,
tag verdict and the checker's violations inline (`scs capture show`, `scs check --decode`, and the
exchange of a failing test in its report and JUnit ``system-out``)."""

from __future__ import annotations

from typing import Any

from protocol.capture import Chunk
from protocol.catalog import Catalog, load_catalog
from protocol.checker import Checker, FrameRecord
from protocol.security import DeviceKeys

ARROWS = {"h2d": "host->dev", "d2h": "dev->host"}
MAX_BYTES_SHOWN = 24


def decode_capture(chunks: list[Chunk], keys: DeviceKeys | None = None, deadline_ms: int = 250,
                   catalog: Catalog | None = None) -> Checker:
    """Run the checker over ``chunks``; its ``records`` hold every frame, its ``violations`` all findings."""
    checker = Checker(catalog or load_catalog(), deadline_ms, keys)
    checker.check(chunks)
    return checker


def format_value(name: str, value: Any, catalog: Catalog) -> str:
    if isinstance(value, (bytes, bytearray)):
        shown = bytes(value[:MAX_BYTES_SHOWN]).hex()
        return shown + (f"...({len(value)} bytes)" if len(value) > MAX_BYTES_SHOWN else "")
    if isinstance(value, tuple):
        return "[" + ",".join(str(v) for v in value) + "]"
    if name == "result":
        return catalog.result_name(value)
    return str(value)


def format_record(rec: FrameRecord, catalog: Catalog) -> list[str]:
    """One line for the frame, one more per violation found at it."""
    p = rec.position
    head = f"{p.t_ns / 1e6:10.3f} ms  {ARROWS[p.direction]}  "
    if rec.frame is None:
        line = head + f"(no frame: {rec.error})"
    else:
        f = rec.frame
        kind = "event" if f.is_event else "resp" if f.is_response else "req"
        name = rec.message or f"unknown id 0x{f.msg_id:02x}"
        line = head + f"seq {f.seq:5d} {kind:5s} {name}"
        if rec.fields is not None:
            line += "  " + " ".join(f"{k}={format_value(k, v, catalog)}" for k, v in rec.fields._asdict().items()
                                   if not (rec.message == "DEVICE_INFO" and k == "result"))
        if f.is_signed:
            line += f"  [counter {f.counter}, tag {rec.tag}]"
    out = [line]
    out += [f"{'':14s}!! {v.kind}: {v.message}" for v in rec.violations]
    return out


def render(chunks: list[Chunk], header: dict, keys: DeviceKeys | None = None, deadline_ms: int = 250,
           last: int | None = None) -> str:
    """The decoded exchange as text; ``last`` keeps only that many final frames (long captures)."""
    catalog = load_catalog()
    checker = decode_capture(chunks, keys, deadline_ms, catalog)
    records = checker.records
    lines = [f"capture of {header.get('target') or 'unknown target'} started {header.get('started', '?')}: "
             f"{checker.frames} frames, {len(checker.violations)} violations"
             + ("" if keys else " (tags not verified: no keys)")]
    if last is not None and len(records) > last:
        lines.append(f"... {len(records) - last} earlier frames not shown")
        records = records[-last:]
    for rec in records:
        lines += format_record(rec, catalog)
    shown = {id(v) for r in checker.records for v in r.violations}
    lines += [f"{'':14s}!! {v.kind}: {v.message} ({v.position})" for v in checker.violations if id(v) not in shown]
    return "\n".join(lines)
