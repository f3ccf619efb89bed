"""protocol/wireshark/scs.lua: a Wireshark/tshark dissector generated from the catalog (as mavgen
does for MAVLink), for captures exported by `scs capture export --pcapng` (see `protocol/capture/pcapng.py`).

Every field of every message becomes a filterable field ``scs.<message>.<field>`` (lower case), e.g.
``scs.area_write.amplitude_ua``; the frame header gives ``scs.msg``, ``scs.seq``, ``scs.flags.*``,
``scs.counter``, ``scs.tag`` and ``scs.crc``; result codes show their names, and so do an event's
kind and code (``scs.event.code_name``: the code named by the enum of its kind, from the definition).
"""

from __future__ import annotations

from protocol.capture.pcapng import LINKTYPE_USER0, NOT_A_FRAME
from protocol.capture.view import event_names, is_event_record
from protocol.spec.catalog import Catalog, Field, Kind, Message, load_catalog
from protocol.wire.framing import COUNTER, CRC, FLAG_EVENT, FLAG_RESPONSE, FLAG_SIGNED, HEADER, TAG_BYTES

_PROTO_FIELD = {"u8": "uint8", "u16": "uint16", "u32": "uint32", "u64": "uint64",
                "i8": "int8", "i16": "int16", "i32": "int32", "i64": "int64"}
_USER_ENCAP = {147 + i: f"USER{i}" for i in range(16)}


def _lua_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def _label(f: Field) -> str:
    return f"{f.name} ({f.unit})" if f.unit else f.name


def _field_decl(m: Message, f: Field, var: str) -> str:
    abbrev = f"scs.{m.name.lower()}.{f.name}"
    if f.base == "bytes":
        return f"{var} = ProtoField.bytes({_lua_str(abbrev)}, {_lua_str(_label(f))})"
    values = ", RESULTS" if f.name == "result" and m.name != "DEVICE_INFO" else ""
    if f.name == "kind" and is_event_record(x.name for x in m.fields):
        values = ", EVENT_KINDS"
    return (f"{var} = ProtoField.{_PROTO_FIELD[f.base]}({_lua_str(abbrev)}, {_lua_str(_label(f))}, base.DEC"
            f"{values})")


def render_lua() -> str:
    cat = load_catalog()
    return "\n".join(_preamble(cat) + _layouts(cat) + _registration() + _dissector())


def _preamble(cat: Catalog) -> list[str]:
    """Header comment, the protocol object, name tables and the header fields."""
    return [
        "-- GENERATED from protocol/spec/messages.toml by `python -m protocol.codegen`. Do not edit.",
        "-- Wireshark/tshark dissector for scs-hil captures exported with `scs capture export --pcapng`.",
        "-- Use: tshark -X lua_script:scs.lua -r capture.pcapng -V   (or copy to Wireshark's plugins folder)",
        f"-- Link type DLT_USER{LINKTYPE_USER0 - 147} ({LINKTYPE_USER0}): a direction byte, then the frame without COBS.",
        "",
        f'local scs = Proto("scs", "scs-hil remote-control protocol v{cat.protocol_version}")',
        "",
        "local RESULTS = {",
        *[f"  [{r.code}] = {_lua_str(r.name)}," for r in cat.results],
        "}",
        "local EVENT_KINDS = {",
        *[f"  [{k}] = {_lua_str(name)}," for k, (name, _) in event_names().items()],
        "}",
        "-- per event kind: its codes' names",
        "local EVENT_CODES = {",
        *[f"  [{k}] = {{{', '.join(f'[{c}] = {_lua_str(n)}' for c, n in codes.items())}}},"
          for k, (_, codes) in event_names().items()],
        "}",
        "local NAMES = {",
        *[f"  [0x{m.id:02x}] = {_lua_str(m.name)}," for m in cat.messages],
        "}",
        "",
        "local hf = {",
        '  direction = ProtoField.uint8("scs.direction", "Direction", base.DEC, '
        '{[0] = "host to device", [1] = "device to host"}, 0x7f),',
        '  version = ProtoField.uint8("scs.version", "Protocol version"),',
        '  msg_id = ProtoField.uint8("scs.msg_id", "Message id", base.HEX, NAMES),',
        '  msg = ProtoField.string("scs.msg", "Message"),',
        '  flags = ProtoField.uint8("scs.flags", "Flags", base.HEX),',
        f'  response = ProtoField.bool("scs.flags.response", "Response", 8, nil, 0x{FLAG_RESPONSE:02x}),',
        f'  event = ProtoField.bool("scs.flags.event", "Event", 8, nil, 0x{FLAG_EVENT:02x}),',
        f'  signed = ProtoField.bool("scs.flags.signed", "Signed", 8, nil, 0x{FLAG_SIGNED:02x}),',
        '  seq = ProtoField.uint16("scs.seq", "Sequence number"),',
        '  counter = ProtoField.uint32("scs.counter", "Session counter"),',
        '  tag = ProtoField.bytes("scs.tag", "Tag (truncated HMAC-SHA256)"),',
        f'  crc = ProtoField.uint32("scs.crc", {_lua_str(cat.crc)}, base.HEX),',
        '  raw = ProtoField.bytes("scs.raw", "Bytes that are not a COBS frame"),',
        '  event_code_name = ProtoField.string("scs.event.code_name", "Event code name"),',
        "}",
        "",
        "-- per message: its fields in wire order {ProtoField, scalar size, count (0: variable bytes), array?, name}",
        "local LAYOUT = {}",
    ]


def _layouts(cat: Catalog) -> list[str]:
    """One ProtoField per message field and the LAYOUT table the dissector walks."""
    out: list[str] = []
    for m in cat.messages:
        entries = []
        for f in m.fields:
            var = f"hf[{_lua_str(m.name.lower() + '.' + f.name)}]"
            out.append(_field_decl(m, f, var))
            if f.base == "bytes":
                entries.append(f"{{{var}, 1, {f.count}, false, {_lua_str(f.name)}}}")
            else:
                entries.append(f"{{{var}, {f.size // f.count}, {f.count}, {'true' if f.is_array else 'false'}, "
                               f"{_lua_str(f.name)}}}")
        kind = {Kind.REQUEST: "request", Kind.RESPONSE: "response", Kind.EVENT: "event"}[m.kind]
        result_at = next((str(off) for f, off in m.offsets() if f.name == "result" and m.name != "DEVICE_INFO"), "nil")
        offsets = {f.name: off for f, off in m.offsets()}
        event_at = f"{{{offsets['kind']}, {offsets['code']}}}" if is_event_record(offsets) else "nil"
        out.append(f"LAYOUT[0x{m.id:02x}] = {{name = {_lua_str(m.name)}, kind = {_lua_str(kind)}, "
                   f"size = {m.fixed_size}, result_at = {result_at}, event_at = {event_at}, "
                   f"fields = {{{', '.join(entries)}}}}}")
    return out


def _registration() -> list[str]:
    """Field and expert registration, and the payload walker."""
    return [
        "",
        "local fields = {}",
        "for _, f in pairs(hf) do table.insert(fields, f) end",
        "scs.fields = fields",
        "",
        'local ef_short = ProtoExpert.new("scs.short", "Payload shorter than the message", expert.group.MALFORMED, '
        "expert.severity.ERROR)",
        'local ef_unknown = ProtoExpert.new("scs.unknown", "Unknown message id", expert.group.MALFORMED, '
        "expert.severity.WARN)",
        "scs.experts = {ef_short, ef_unknown}",
        "",
        "local function payload_fields(buf, tree, layout)",
        "  local off = 0",
        "  for _, e in ipairs(layout.fields) do",
        "    local field, size, count, array = e[1], e[2], e[3], e[4]",
        "    if count == 0 then",
        "      if buf:len() > off then tree:add(field, buf(off)) end",
        "      return",
        "    end",
        "    local span = size * count",
        "    if array then",
        "      local sub = tree:add(buf(off, span), e[5] .. \" [\" .. count .. \"]\")",
        "      for i = 0, count - 1 do sub:add_le(field, buf(off + i * size, size)) end",
        "    elseif size == count then",
        "      tree:add(field, buf(off, span))",
        "    else",
        "      tree:add_le(field, buf(off, span))",
        "    end",
        "    off = off + span",
        "  end",
        "end",
    ]


def _dissector() -> list[str]:
    """The dissector (split into local helpers, each small) and its registration for the link type."""
    return _header_and_trailer() + _message() + _frame()


def _signed(flags: str) -> str:
    return f"bit32.band({flags}, 0x{FLAG_SIGNED:02x}) ~= 0"


def _header_and_trailer() -> list[str]:
    """Lua helpers for the frame header (returns the message id and flags) and the trailer."""
    return [
        "",
        "-- version, message id, flags, sequence number; returns the id and the flags",
        "local function header_fields(f, tree)",
        "  tree:add(hf.version, f(0, 1))",
        "  local id = f(1, 1):uint()",
        "  tree:add(hf.msg_id, f(1, 1))",
        "  local flags = f(2, 1):uint()",
        "  local ft = tree:add(hf.flags, f(2, 1))",
        "  ft:add(hf.response, f(2, 1))",
        "  ft:add(hf.event, f(2, 1))",
        "  ft:add(hf.signed, f(2, 1))",
        "  tree:add_le(hf.seq, f(3, 2))",
        "  return id, flags",
        "end",
        "",
        "-- payload length: the frame without header and trailer (CRC, and counter and tag if signed)",
        "local function payload_length(f, flags)",
        f"  local trailer = {CRC.size}",
        f"  if {_signed('flags')} then trailer = trailer + {COUNTER.size + TAG_BYTES} end",
        f"  return f:len() - {HEADER.size} - trailer",
        "end",
        "",
        "-- session counter and tag of a signed frame, then the CRC",
        "local function trailer_fields(f, tree, flags, plen)",
        f"  if {_signed('flags')} then",
        f"    local at = {HEADER.size} + plen",
        f"    tree:add_le(hf.counter, f(at, {COUNTER.size}))",
        f"    tree:add(hf.tag, f(at + {COUNTER.size}, {TAG_BYTES}))",
        "  end",
        f"  tree:add_le(hf.crc, f(f:len() - {CRC.size}, {CRC.size}))",
        "end",
    ]


def _message() -> list[str]:
    """Lua helpers for an event's names and for the message name and payload (returns the info column's text)."""
    return [
        "",
        "-- an event's kind and code by name (the code's enum depends on the kind); returns them as text",
        "local function event_names(payload, tree, at)",
        "  local kind = payload(at[1], 1):uint()",
        "  local code = payload(at[2], 2):le_uint()",
        "  local name = (EVENT_CODES[kind] or {})[code]",
        "  if name then tree:add(hf.event_code_name, payload(at[2], 2), name) end",
        '  return (EVENT_KINDS[kind] or tostring(kind)) .. " " .. (name or tostring(code))',
        "end",
        "",
        "-- the message and its payload fields; returns the info column (with the result, if any)",
        "local function message_fields(f, tree, id, plen, arrow)",
        "  local layout = LAYOUT[id]",
        '  local info = arrow .. (layout and layout.name or string.format("unknown 0x%02x", id)) .. " seq " .. f(3, 2):le_uint()',
        "  if not layout then",
        "    tree:add_proto_expert_info(ef_unknown)",
        "    return info",
        "  end",
        "  tree:add(hf.msg, f(1, 1), layout.name)",
        f"  local payload = plen > 0 and f({HEADER.size}, plen) or nil",
        "  if plen < layout.size then",
        "    tree:add_proto_expert_info(ef_short)",
        "  elseif payload then",
        "    local pt = tree:add(payload, layout.name .. \" (\" .. layout.kind .. \", \" .. plen .. \" bytes)\")",
        "    payload_fields(payload, pt, layout)",
        "    if layout.event_at then",
        '      info = info .. " " .. event_names(payload, pt, layout.event_at)',
        "    end",
        "    if layout.result_at then",
        '      info = info .. " " .. (RESULTS[payload(layout.result_at, 1):uint()] or "?")',
        "    end",
        "  end",
        "  return info",
        "end",
    ]


def _frame() -> list[str]:
    """The dissector function: direction, then the frame's parts; registered for the capture's link type."""
    return [
        "",
        "function scs.dissector(buf, pinfo, root)",
        "  pinfo.cols.protocol = \"SCS\"",
        "  local tree = root:add(scs, buf())",
        "  local dir = buf(0, 1):uint()",
        "  tree:add(hf.direction, buf(0, 1))",
        '  local arrow = (bit32.band(dir, 0x7f) == 0) and "host->dev " or "dev->host "',
        f"  if bit32.band(dir, 0x{NOT_A_FRAME:02x}) ~= 0 then",
        "    tree:add(hf.raw, buf(1))",
        '    pinfo.cols.info = arrow .. "not a COBS frame"',
        "    return",
        "  end",
        "  local f = buf(1)",
        f"  if f:len() < {HEADER.size + CRC.size} then",
        "    tree:add_proto_expert_info(ef_short)",
        "    return",
        "  end",
        "  local id, flags = header_fields(f, tree)",
        "  local plen = payload_length(f, flags)",
        "  if plen < 0 then",
        "    tree:add_proto_expert_info(ef_short)",
        "    return",
        "  end",
        "  local info = message_fields(f, tree, id, plen, arrow)",
        "  trailer_fields(f, tree, flags, plen)",
        "  pinfo.cols.info = info",
        "end",
        "",
        "local encaps = wtap_encaps or wtap",
        f'DissectorTable.get("wtap_encap"):add(encaps.{_USER_ENCAP[LINKTYPE_USER0]}, scs)',
        "",
    ]
