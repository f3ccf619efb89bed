"""docs/protocol.md: the protocol document, generated from the catalog."""

from __future__ import annotations

from protocol.spec.catalog import Field, Kind, load_catalog
from protocol.spec.definition import Definition, load_definition
from protocol.wire.framing import MAX_DECODED, MAX_ENCODED


def _doc_block(text: str) -> str:
    return "\n".join(line[4:] if line.startswith("    ") else line for line in text.strip().splitlines())


def render_markdown() -> str:
    from protocol.session import (
        endpoint,
        handshake,
        security_doc,  # here: they use protocol/spec/generated.py, written first
    )

    cat = load_catalog()
    out = [
        "# scs-hil remote-control protocol",
        "",
        "<!-- GENERATED from protocol/spec/messages.toml and protocol/spec/device.toml by `python -m protocol.codegen`. Do not edit. -->",
        "",
        f"Protocol version {cat.protocol_version}. All integers little-endian. One tick = the device's `tick_ns`.",
        "",
        "## Frames",
        "",
        "```text",
        f"version u8 | message id u8 | flags u8 | sequence u16 | payload (0..{cat.max_payload} bytes) |",
        "[counter u32 | tag 8 bytes]   when flags & SIGNED | CRC u32",
        "```",
        "",
        "- Flags: 0x01 response, 0x02 event, 0x04 signed. Unknown flag bits make the frame invalid.",
        f"- CRC: **{cat.crc}** (poly 0x04C11DB7 reflected, init 0xFFFFFFFF, xorout 0xFFFFFFFF, check 0xCBF43926) "
        "over every byte before it. A CRC detects noise, not tampering.",
        f"- The frame is COBS-encoded and followed by a 0x00 delimiter. A sender starts with a 0x00 when the line "
        "was idle or noisy, so garbage ends at a delimiter. Maximum frame: "
        f"{MAX_DECODED} bytes decoded, {MAX_ENCODED} encoded; receivers discard longer runs and resynchronise "
        "at the next delimiter.",
        "- Sequence numbers 1..65535 wrap; a response echoes its request's number. Events carry 0.",
        "- Exactly once: a state-changing request retransmitted with the same sequence number, message id and payload "
        "gets the cached response and is not executed again (the device keeps the last 8).",
        "",
        "## Device pipeline",
        "",
        _doc_block(endpoint.__doc__.split("\n", 2)[2]),
        "",
        "## Sessions",
        "",
        _doc_block(handshake.__doc__.split("\n", 2)[2]),
        "",
        "## Result codes",
        "",
        "| code | name | meaning |",
        "|---:|---|---|",
    ]
    out += [f"| {r.code} | `{r.name}` | {r.doc} |" for r in cat.results]
    out += ["", security_doc.render()]
    out += ["", "## Messages", "", "| id | name | kind | role | response | changes state |", "|---|---|---|---|---|---|"]
    for m in cat.messages:
        req = m.kind is Kind.REQUEST
        out.append(f"| 0x{m.id:02X} | [`{m.name}`](#{m.name.lower()}) | {m.kind.value} | "
                   f"{m.role.name.lower() if req else ''} | {m.response} | {'yes' if m.changes_state else ''} |")
    for m in cat.messages:
        out += ["", f"### {m.name}", "", f"0x{m.id:02X}, {m.kind.value}"
                + (f", role **{m.role.name.lower()}**, answered by `{m.response}`" if m.kind is Kind.REQUEST else "")
                + (", changes state (exactly once)" if m.changes_state else "")
                + (", simulated input" if m.input else "") + f". {m.doc}", ""]
        if not m.fields:
            out.append("No payload.")
            continue
        out += ["| offset | field | type | unit | range | notes |", "|---:|---|---|---|---|---|"]
        for f, off in m.offsets():
            rng = "" if f.base == "bytes" else f.describe_range().replace(f" {f.unit}", "") if f.unit else f.describe_range()
            out.append(f"| {off} | `{f.name}` | {_type(f)} | {f.unit} | {rng} | {f.doc} |")
    out += _definition()
    out.append("")
    return "\n".join(out)


def _type(f: Field) -> str:
    """The field's type with array lengths as numbers (the catalog may name them)."""
    return f"{f.base}[{f.count}]" if f.is_array else f.type


def _definition() -> list[str]:
    """The device definition (device.toml): enums, per-message attributes, limits, fuel gauge, settings."""
    d = load_definition()
    out = ["", "## Device definition", "",
           "Generated from `protocol/spec/device.toml`: the codes, limits and layouts the model and the board share.", ""]
    for e in d.enums:
        out += [f"### {e.name}", "", f"{e.doc}" + (" Bit flags." if e.kind == "flags" else ""), "",
                "| value | name | meaning |", "|---:|---|---|"]
        out += [f"| {m.value} | `{m.name}` | {m.doc} |" for m in e.members]
        out.append("")
    out += ["### Request attributes", "", "| request | MRI mode | test only |", "|---|---|---|"]
    for m in load_catalog().requests:
        mri = "yes" if m.name in d.mri_allowed else "to stop only" if m.name in d.mri_stop_only else ""
        out.append(f"| `{m.name}` | {mri} | {'yes' if m.name in d.test_only else ''} |")
    out += ["", "### Limits", "", "| name | value |", "|---|---:|"]
    out += [f"| `{k}` | {v} |" for k, v in d.limits.items()]
    out.append(f"| `max_cathode_charge_pc` (derived) | {d.max_cathode_charge_pc} |")
    out += ["", "### Fuel gauge", "", "| name | value |", "|---|---:|"]
    out += [f"| `{k}` | {v} |" for k, v in d.fuel_gauge.items()]
    return out + _settings(d)


def _settings(d: Definition) -> list[str]:
    s = d.settings
    out = ["", "### Settings image", "",
           f"Version {s.version}, {s.size} bytes (CRC-32 included), in a {s.slot_size}-byte slot of a two-slot store "
           "(magic `SCS1` u32, sequence u32, length u32, image, CRC-32 of all before it; written to the older "
           "slot, first page last). Fixed layout, little-endian: the header, then "
           f"{s.max_programs} program records of {s.program_size} bytes (the program fields, then "
           f"{s.max_areas} area records of {s.area_record_size} bytes: the `{s.area_message}` payload from byte "
           f"{s.area_skip} on, then the window), then the image's CRC-32. A loaded image is checked field by "
           "field as the requests that set it; anything else loads the safe defaults.", ""]
    for title, fields in (("header", s.header), ("program fields", s.program), ("window (after the area)", s.area_extra)):
        out += [f"{title}:", "", "| offset | field | type | notes |", "|---:|---|---|---|"]
        off = 0
        for f in fields:
            out.append(f"| {off} | `{f.name}` | {_type(f)} | {f.doc} |")
            off += f.size
        out.append("")
    return out
