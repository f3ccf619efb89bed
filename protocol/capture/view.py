"""A capture as text a person reads: every frame decoded, with its time, direction, message, fields,
tag verdict and the checker's violations inline (`scs capture show`, `scs check --decode`, and the
exchange of a failing test in its report and JUnit ``system-out``)."""

from __future__ import annotations

from functools import cache
from typing import Any

from protocol.capture.checker import Checker, FrameRecord
from protocol.capture.format import Chunk
from protocol.session import DeviceKeys
from protocol.spec.catalog import Catalog, load_catalog

ARROWS = {"h2d": "host->dev", "d2h": "dev->host"}
MAX_BYTES_SHOWN = 24


def decode_capture(chunks: list[Chunk], keys: DeviceKeys | None = None, deadline_ms: int = 250,
                   catalog: Catalog | None = None) -> Checker:
    """Run the checker over ``chunks``; its ``records`` hold every frame, its ``violations`` all findings."""
    checker = Checker(catalog or load_catalog(), deadline_ms, keys)
    checker.check(chunks)
    return checker


@cache
def event_names() -> dict[int, tuple[str, dict[int, str]]]:
    """EventKind value -> (kind name, {code: code name}): each kind's codes are the enum its member
    names in the definition (``codes``; "Result": the catalog's result codes)."""
    from protocol.spec.definition import load_definition

    defn = load_definition()
    out = {}
    for m in defn.enum("EventKind").members:
        if m.codes == "Result":
            codes = {r.code: r.name for r in load_catalog().results}
        else:
            codes = {c.value: c.name for c in defn.enum(m.codes).members} if m.codes else {}
        out[m.value] = (m.name, codes)
    return out


def is_event_record(field_names) -> bool:
    """EVENT and EVENT_LOG_ENTRY: an EventKind ``kind`` and a ``code`` named by it."""
    return {"tick", "kind", "code", "detail"} <= set(field_names)


def _named_event(fields: dict[str, Any]) -> dict[str, Any]:
    """``kind`` and ``code`` as names where the definition has them (else the numbers)."""
    kind_name, codes = event_names().get(fields["kind"], (None, {}))
    return {**fields, "kind": kind_name or fields["kind"], "code": codes.get(fields["code"], fields["code"])}


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
            fields = rec.fields._asdict()
            fields = _named_event(fields) if is_event_record(fields) else fields
            line += "  " + " ".join(f"{k}={format_value(k, v, catalog)}" for k, v in fields.items()
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
             + ("" if keys else " (tags not verified: no keys)")
             + (f" ({checker.key_problem})" if checker.key_problem else "")]
    if last is not None and len(records) > last:
        lines.append(f"... {len(records) - last} earlier frames not shown")
        records = records[-last:]
    for rec in records:
        lines += format_record(rec, catalog)
    shown = {id(v) for r in checker.records for v in r.violations}
    lines += [f"{'':14s}!! {v.kind}: {v.message} ({v.position})" for v in checker.violations if id(v) not in shown]
    return "\n".join(lines)
