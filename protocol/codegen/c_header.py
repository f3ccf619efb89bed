"""C11 header: protocol constants, the definition's enums, limits, fuel-gauge constants and settings
image layout, and per message a typed struct with little-endian encode/decode functions (so the
firmware never writes an offset by hand) and the range table of its fields. Beside it,
core/scs_handlers.h declares one handler per request and core/scs_requests.c holds the request table
(id, role, flags, size, field table, handler) that the firmware's dispatcher searches."""

from __future__ import annotations

from protocol.spec.catalog import C_TYPES, Field, Kind, Message, Role, load_catalog
from protocol.spec.definition import Definition, EnumDef, load_definition
from protocol.wire.framing import COUNTER, CRC, HEADER, MAX_DECODED, MAX_ENCODED, TAG_BYTES

PREAMBLE = """\
/* scs_protocol.h: GENERATED from protocol/spec/messages.toml and protocol/spec/device.toml by
 * `python -m protocol.codegen`. Do not edit. */
#ifndef SCS_PROTOCOL_H
#define SCS_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
"""

LE_HELPERS = """\
/* Little-endian loads and stores of the wire and the settings image. */
static inline uint64_t scs_get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0u;
    for (unsigned i = 0u; i < n; i++) {
        const uint64_t byte = (uint64_t)p[i];
        const unsigned shift = 8u * i;
        v |= (byte << shift);
    }
    return v;
}
static inline void scs_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0u; i < n; i++) {
        const unsigned shift = 8u * i;
        p[i] = (uint8_t)(v >> shift);
    }
}
"""

FIELD_TABLE = """\
/* Field descriptors: the codec's range checks, table-driven (first failing field wins, as in Python). */
typedef struct {
    uint16_t offset;
    uint8_t size;      /* bytes per element: 1, 2, 4, 8; 0 for byte strings */
    uint8_t count;     /* elements (1 for scalars) */
    uint8_t is_signed;
    uint8_t checked;   /* 1 when the range is narrower than the type */
    int64_t min;
    int64_t max;
} scs_field_t;
"""


def _lit(v: int, base: str) -> str:
    return f"{v}u" if base.startswith("u") else f"({v})"


def _snake(name: str) -> str:
    return name.lower()


def _protocol_constants(cat) -> list[str]:
    return [
        f"#define SCS_PROTOCOL_VERSION {cat.protocol_version}u",
        f"#define SCS_MAX_PAYLOAD {cat.max_payload}u",
        f"#define SCS_HEADER_SIZE {HEADER.size}u /* version u8, msg id u8, flags u8, seq u16 */",
        f"#define SCS_COUNTER_SIZE {COUNTER.size}u",
        f"#define SCS_TAG_SIZE {TAG_BYTES}u /* HMAC-SHA256 truncated */",
        f"#define SCS_CRC_SIZE {CRC.size}u /* {cat.crc}: poly 0x04C11DB7 reflected, init/xorout 0xFFFFFFFF */",
        f"#define SCS_MAX_DECODED {MAX_DECODED}u",
        f"#define SCS_MAX_ENCODED {MAX_ENCODED}u",
        f"#define SCS_NONCE_SIZE {cat.nonce_bytes}u",
        "#define SCS_FLAG_RESPONSE 0x01u",
        "#define SCS_FLAG_EVENT 0x02u",
        "#define SCS_FLAG_SIGNED 0x04u",
        "",
    ]


def _c_enum(type_name: str, rows: list[tuple[str, int, str]]) -> list[str]:
    out = ["typedef enum {"]
    for i, (name, value, doc) in enumerate(rows):
        comma = "," if i < len(rows) - 1 else ""
        out.append(f"    {name} = {value}{comma}" + (f" /* {doc} */" if doc else ""))
    return out + [f"}} {type_name};", ""]


def _enums(cat, d: Definition) -> list[str]:
    out = _c_enum("scs_role_t", [(f"SCS_ROLE_{r.name}", int(r), "") for r in Role])
    out += _c_enum("scs_result_t", [(f"SCS_RESULT_{r.name}", r.code, r.doc) for r in cat.results])
    out += _c_enum("scs_msg_id_t", [(f"SCS_MSG_{m.name}", m.id, "") for m in cat.messages])
    for e in d.enums:
        out += _definition_enum(e)
    return out


def _definition_enum(e: EnumDef) -> list[str]:
    type_name = e.c_name.lower() + "_t"
    return [f"/* {e.name}: {e.doc} */"] + _c_enum(type_name, [(f"{e.c_name}_{m.name}", m.value, m.doc)
                                                             for m in e.members])


def _number(v: int | float) -> str:
    if isinstance(v, bool):
        return str(int(v))
    if isinstance(v, int):
        return f"{v}u" if v >= 0 else f"({v})"
    return f"{float(v)!r}f"  # single precision: the board's FPU (FPv4-SP) has no double


def _constants(d: Definition) -> list[str]:
    out = ["/* device limits */"]
    for k, v in d.limits.items():
        if isinstance(v, list):
            out.append(f"#define SCS_{k.upper()}_COUNT {len(v)}u")
            out.append(f"#define SCS_{k.upper()} {{{', '.join(_number(x) for x in v)}}}")
        else:
            out.append(f"#define SCS_{k.upper()} {_number(v)}")
    out.append(f"#define SCS_MAX_CATHODE_CHARGE_PC {d.max_cathode_charge_pc}u")
    out += ["", "/* fuel gauge */"]
    for k, v in d.fuel_gauge.items():
        if k.endswith("ocv"):  # a table: the rechargeable cell's (ocv) and the primary cell's (primary_ocv)
            out.append(f"#define SCS_GAUGE_{k.upper()}_POINTS {len(v)}u")
            out.append(f"#define SCS_GAUGE_{k.upper()}_SOC {{{', '.join(_number(s) for s, _ in v)}}}")
            out.append(f"#define SCS_GAUGE_{k.upper()}_V {{{', '.join(_number(x) for _, x in v)}}}")
        else:
            out.append(f"#define SCS_GAUGE_{k.upper()} {_number(v)}")
    out += ["", "/* sessions and handshakes */"]
    out += [f"#define SCS_{k.upper()} {_number(v)}" for k, v in d.security.items()]
    return out + [""]


def _settings(d: Definition) -> list[str]:
    s = d.settings
    out = [
        "/* settings image: header | programs x (program fields | areas x (area record | window)) | CRC-32 */",
        f"#define SCS_SETTINGS_VERSION {s.version}u",
        f"#define SCS_SETTINGS_MAGIC 0x{s.magic:08X}u /* the slot framing's first word */",
        f"#define SCS_SETTINGS_SLOT_SIZE {s.slot_size}u",
        f"#define SCS_SETTINGS_PAGE_SIZE {s.page_size}u",
        f"#define SCS_SETTINGS_MEMORY_KEYS {s.memory_keys}u",
        f"#define SCS_SETTINGS_HEADER_SIZE {s.header_size}u",
        f"#define SCS_SETTINGS_PROGRAM_STRIDE {s.program_size}u /* program fields, then its area records */",
        f"#define SCS_SETTINGS_AREA_STRIDE {s.area_record_size}u /* area fields, then the window */",
        f"#define SCS_SETTINGS_AREA_FROM SCS_MSG_{s.area_message} /* its payload from byte {s.area_skip} on */",
        f"#define SCS_SETTINGS_AREA_SKIP {s.area_skip}u",
        f"#define SCS_SETTINGS_SIZE {s.size}u /* CRC-32 included */",
        "",
    ]
    out += _record("SCS_SETTINGS_HEADER", "scs_settings_header", s.header, None)
    out += _record("SCS_SETTINGS_PROGRAM", "scs_settings_program", s.program, None)
    out += _record("SCS_SETTINGS_WINDOW", "scs_settings_window", s.area_extra, None)
    return out


def _security_record(d: Definition) -> list[str]:
    r = d.security_record
    out = [
        "/* security record, in a slot of SCS_SECURITY_RECORD_WORDS 32-bit words (erased: all ones):",
        " * header | role record x SCS_SECURITY_RECORD_KEYED_ROLES (patient, clinician, test) | CRC-32 */",
        f"#define SCS_SECURITY_RECORD_WORDS {r.slot_words}u",
        f"#define SCS_SECURITY_RECORD_KEYED_ROLES {r.keyed_roles}u",
        f"#define SCS_SECURITY_RECORD_ROLES_OFFSET {r.header_size}u",
        f"#define SCS_SECURITY_RECORD_BODY_SIZE {r.body_size}u /* what the CRC-32 covers; the CRC follows */",
        f"#define SCS_SECURITY_RECORD_SIZE {r.size}u /* CRC-32 included */",
        "",
    ]
    out += _record("SCS_SECURITY_RECORD_HEADER", "scs_security_record_header", r.header, None)
    out += _record("SCS_SECURITY_RECORD_ROLE", "scs_security_record_role", r.role, None)
    return out


def _c_member(f: Field) -> str:
    if f.is_variable:
        return f"    const uint8_t *{f.name}; /* variable length */\n    size_t {f.name}_len;"
    if f.base == "bytes":
        return f"    uint8_t {f.name}[{f.count}];"
    return f"    {C_TYPES[f.base]} {f.name}" + (f"[{f.count}];" if f.is_array else ";") + (f" /* {f.unit} */" if f.unit else "")


def _get(f: Field, at: str) -> str:
    n = int(f.base[1:]) // 8
    raw = f"scs_get_le({at}, {n}u)"
    if f.base.startswith("i"):
        return f"({C_TYPES[f.base]})({C_TYPES['u' + f.base[1:]]}){raw}"
    return f"({C_TYPES[f.base]}){raw}"


def _decode_lines(fields: tuple[Field, ...]) -> list[str]:
    out, off = [], 0
    for f in fields:
        if f.is_variable:
            out += [f"    m->{f.name} = &p[{off}u];", f"    m->{f.name}_len = 0u;",
                    f"    if (len > {off}u) {{", f"        m->{f.name}_len = len - {off}u;", "    }"]
        elif f.base == "bytes":
            out.append(f"    (void)memcpy(m->{f.name}, &p[{off}u], {f.count}u);")
        elif f.is_array:
            step = int(f.base[1:]) // 8
            out.append(f"    for (unsigned i = 0u; i < {f.count}u; i++) {{")
            out.append(f"        m->{f.name}[i] = {_get(f, f'&p[{off}u + ({step}u * i)]')};")
            out.append("    }")
        else:
            out.append(f"    m->{f.name} = {_get(f, f'&p[{off}u]')};")
        off += f.size
    return out


def _encode_lines(fields: tuple[Field, ...]) -> tuple[list[str], str]:
    out, off, tail = [], 0, ""
    for f in fields:
        if f.is_variable:
            out.append(f"    (void)memcpy(&p[{off}u], m->{f.name}, m->{f.name}_len);")
            tail = f" + m->{f.name}_len"
        elif f.base == "bytes":
            out.append(f"    (void)memcpy(&p[{off}u], m->{f.name}, {f.count}u);")
        elif f.is_array:
            step = int(f.base[1:]) // 8
            out.append(f"    for (unsigned i = 0u; i < {f.count}u; i++) {{")
            out.append(f"        scs_put_le(&p[{off}u + ({step}u * i)], (uint64_t)m->{f.name}[i], {step}u);")
            out.append("    }")
        else:
            n = int(f.base[1:]) // 8
            out.append(f"    scs_put_le(&p[{off}u], (uint64_t)m->{f.name}, {n}u);")
        off += f.size
    return out, f"{off}u{tail}"


def _offsets(prefix: str, fields: tuple[Field, ...]) -> list[str]:
    out, off = [], 0
    for f in fields:
        q = f"{prefix}_{f.name.upper()}"
        ctype = "uint8_t" if f.base == "bytes" else C_TYPES[f.base]
        arr = f"[{f.count}]" if f.count > 1 or f.base == "bytes" else ""
        out.append(f"#define {q}_OFFSET {off}u /* {ctype}{arr}" + (f", {f.unit}" if f.unit else "") + " */")
        if f.base != "bytes":
            if f.count > 1:
                out.append(f"#define {q}_COUNT {f.count}u")
            lo, hi = f.bounds()
            if f.min is not None:
                out.append(f"#define {q}_MIN {_lit(lo, f.base)}")
            if f.max is not None:
                out.append(f"#define {q}_MAX {_lit(hi, f.base)}")
        off += f.size
    return out


def _record(prefix: str, name: str, fields: tuple[Field, ...], doc: str | None) -> list[str]:
    """Offsets, a typed struct and its decode/encode functions (encode returns the bytes written)."""
    size = sum(f.size for f in fields)
    out = ([doc] if doc else []) + [f"#define {prefix}_SIZE {size}u" + (" /* plus variable bytes */"
                                                                        if fields and fields[-1].is_variable else "")]
    out += _offsets(prefix, fields)
    out.append("typedef struct {")
    out += [_c_member(f) for f in fields] or ["    uint8_t unused; /* no payload */"]
    out.append(f"}} {name}_t;")
    decode = _decode_lines(fields)
    uses_len = any(f.is_variable for f in fields)
    out.append(f"static inline void {name}_decode(const uint8_t *p, size_t len, {name}_t *m)")
    out.append("{")
    out += ([] if uses_len else ["    (void)len;"]) + ([] if decode else ["    (void)p;", "    (void)m;"]) + decode
    out.append("}")
    encode, total = _encode_lines(fields)
    out.append(f"static inline size_t {name}_encode(const {name}_t *m, uint8_t *p)")
    out.append("{")
    out += encode or ["    (void)m;", "    (void)p;"]
    out += [f"    return {total};", "}", ""]
    return out


def _message(m: Message, d: Definition) -> list[str]:
    p = f"SCS_{m.name}"
    doc = (f"/* {m.name} (0x{m.id:02X}, {m.kind.value}"
           + (f", role {m.role.name.lower()}, response {m.response}" if m.kind is Kind.REQUEST else "")
           + (", changes state" if m.changes_state else "") + f"): {m.doc} */")
    out = [doc]
    if m.kind is Kind.REQUEST:
        out.append(f"#define {p}_ROLE SCS_ROLE_{m.role.name}")
        out.append(f"#define {p}_RESPONSE SCS_MSG_{m.response}")
        out.append(f"#define {p}_CHANGES_STATE {1 if m.changes_state else 0}")
    return out + _record(p, f"scs_msg_{_snake(m.name)}", m.fields, None)


def _field_rows(cat) -> list[tuple[str, int, str]]:
    """Per request: the table's name, its length and its initialiser."""
    tables = []
    for m in cat.requests:
        rows = []
        for f, off in m.offsets():
            if f.base == "bytes":
                rows.append(f"{{{off}u, 0u, {f.count}u, 0u, 0u, 0, 0}}")
                continue
            lo, hi = f.bounds()
            checked = int((lo, hi) != f.type_range())
            rows.append(f"{{{off}u, {int(f.base[1:]) // 8}u, {f.count}u, {int(f.base[0] == 'i')}u, {checked}u, {lo}, {hi}}}")
        body = ", ".join(rows) if rows else "{0u, 0u, 0u, 0u, 0u, 0, 0}"
        tables.append((f"SCS_{m.name}_FIELDS", max(len(rows), 1), body))
    return tables


def _field_tables(cat) -> list[str]:
    """Declared here, defined once in the generated scs_fields.c (MISRA C:2012 rule 5.9: no object with
    internal linkage in a header that several translation units include)."""
    out = [FIELD_TABLE]
    for (name, n, _), m in zip(_field_rows(cat), cat.requests):
        out.append(f"extern const scs_field_t {name}[{n}u];")
        out.append(f"#define SCS_{m.name}_FIELD_COUNT {len(m.fields)}u")
    return out + [""]


def render_c_fields() -> str:
    """hil/board/core/scs_fields.c: the field tables the header declares."""
    out = ["/* scs_fields.c: GENERATED from protocol/spec/messages.toml by `python -m protocol.codegen`. Do not edit.",
           " * The range tables of the request fields, declared in scs_protocol.h. */",
           '#include "scs_protocol.h"', ""]
    out += [f"const scs_field_t {name}[{n}u] = {{{body}}};" for name, n, body in _field_rows(load_catalog())]
    return "\n".join(out) + "\n"


def _request_flags(m, d: Definition) -> str:
    flags = [("SCS_REQ_CHANGES_STATE", m.changes_state), ("SCS_REQ_MRI_OK", m.name in d.mri_allowed),
             ("SCS_REQ_MRI_STOP_ONLY", m.name in d.mri_stop_only), ("SCS_REQ_TEST_ONLY", m.name in d.test_only),
             ("SCS_REQ_SESSION", m.name in d.session)]
    return " | ".join(n for n, on in flags if on) or "0u"


def _request_table(cat, d: Definition) -> list[str]:
    return ["/* Request flags of the request table (core/scs_requests.c). */",
            "#define SCS_REQ_CHANGES_STATE 0x01u /* answered exactly once per sequence number */",
            "#define SCS_REQ_MRI_OK 0x02u        /* accepted in MRI mode */",
            "#define SCS_REQ_MRI_STOP_ONLY 0x04u /* accepted in MRI mode only to stop (the handler checks) */",
            "#define SCS_REQ_TEST_ONLY 0x08u     /* exists for test benches */",
            "#define SCS_REQ_SESSION 0x10u       /* the session layer (handshake) */",
            f"#define SCS_REQUEST_COUNT {len(cat.requests)}u",
            ""]


_GENERATED_BY = "GENERATED from protocol/spec/messages.toml and device.toml by `python -m protocol.codegen`. Do not edit."


def render_c_handlers() -> str:
    """hil/board/core/scs_handlers.h: one handler per request (the firmware defines each scs_on_<name>;
    a missing one fails the link)."""
    cat = load_catalog()
    out = [f"/* scs_handlers.h: {_GENERATED_BY}", " * The request handlers; core/scs_requests.c points at them. */",
           "#ifndef SCS_HANDLERS_H", "#define SCS_HANDLERS_H", "#include <stdint.h>", "",
           '#include "platform.h"', ""]
    out += [f"void scs_on_{_snake(m.name)}(scs_fw_t *fw, uint16_t seq, const uint8_t *p);" for m in cat.requests]
    out += ["", "#endif", ""]
    return "\n".join(out)


def render_c_requests() -> str:
    """hil/board/core/scs_requests.c: the request table the dispatcher searches."""
    cat, d = load_catalog(), load_definition()
    out = [f"/* scs_requests.c: {_GENERATED_BY}", " * The request table declared in core.h. */",
           '#include "core.h"', "", "const scs_request_t SCS_REQUEST_TABLE[SCS_REQUEST_COUNT] = {"]
    rows = [f"    {{SCS_MSG_{m.name}, SCS_ROLE_{m.role.name}, ({_request_flags(m, d)}), SCS_{m.name}_SIZE, "
            f"SCS_{m.name}_FIELDS, SCS_{m.name}_FIELD_COUNT, scs_on_{_snake(m.name)}}}" for m in cat.requests]
    out += [r + "," for r in rows[:-1]] + [rows[-1], "};", ""]
    return "\n".join(out)


def render_c_header() -> str:
    cat = load_catalog()
    d = load_definition()
    out = [PREAMBLE] + _protocol_constants(cat) + _enums(cat, d) + _constants(d) + [LE_HELPERS]
    for m in cat.messages:
        out += _message(m, d)
    out += _settings(d) + _security_record(d) + _field_tables(cat) + _request_table(cat, d)
    out += ["#endif /* SCS_PROTOCOL_H */", ""]
    return "\n".join(out)
