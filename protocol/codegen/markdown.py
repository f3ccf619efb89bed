"""docs/protocol.md: the protocol document, generated from the catalog."""

from __future__ import annotations

from protocol import endpoint, security, security_doc
from protocol.catalog import Kind, load_catalog
from protocol.framing import MAX_DECODED, MAX_ENCODED


def _doc_block(text: str) -> str:
    return "\n".join(line[4:] if line.startswith("    ") else line for line in text.strip().splitlines())


def render_markdown() -> str:
    cat = load_catalog()
    out = [
        "# scs-hil remote-control protocol",
        "",
        "<!-- GENERATED from protocol/messages.toml by `python -m protocol.codegen`. Do not edit. -->",
        "",
        f"Protocol version {cat.protocol_version}. All integers little-endian. One tick = the device's `tick_ns`.",
        "",
        "## Frames",
        "",
        "```",
        "version u8 | message id u8 | flags u8 | sequence u16 | payload (0..%d bytes) |" % cat.max_payload,
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
        _doc_block(security.__doc__.split("\n", 2)[2]),
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
            out.append(f"| {off} | `{f.name}` | {f.type} | {f.unit} | {rng} | {f.doc} |")
    out.append("")
    return "\n".join(out)
