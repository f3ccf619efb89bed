"""C11 header: protocol constants, message ids, result codes, payload layouts (offsets and sizes,
so the firmware reads fields with explicit little-endian loads, free of struct padding) and ranges."""

from __future__ import annotations

from protocol.catalog import C_TYPES, Kind, load_catalog
from protocol.framing import COUNTER, CRC, HEADER, MAX_DECODED, MAX_ENCODED, TAG_BYTES


def _c(name: str) -> str:
    return name.upper()


def render_c_header() -> str:
    cat = load_catalog()
    out = [
        "/* scs_protocol.h: GENERATED from protocol/messages.toml by `python -m protocol.codegen`. Do not edit. */",
        "#ifndef SCS_PROTOCOL_H",
        "#define SCS_PROTOCOL_H",
        "",
        "#include <stdint.h>",
        "",
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
        "typedef enum {",
        "    SCS_ROLE_NONE = 0,",
        "    SCS_ROLE_PATIENT = 1,",
        "    SCS_ROLE_CLINICIAN = 2,",
        "    SCS_ROLE_TEST = 3",
        "} scs_role_t;",
        "",
        "typedef enum {",
    ]
    out += [f"    SCS_RESULT_{r.name} = {r.code}{',' if i < len(cat.results) - 1 else ''} /* {r.doc} */"
            for i, r in enumerate(cat.results)]
    out += ["} scs_result_t;", "", "typedef enum {"]
    out += [f"    SCS_MSG_{m.name} = 0x{m.id:02X}{',' if i < len(cat.messages) - 1 else ''}"
            for i, m in enumerate(cat.messages)]
    out += ["} scs_msg_id_t;", ""]
    for m in cat.messages:
        p = f"SCS_{m.name}"
        out.append(f"/* {m.name} (0x{m.id:02X}, {m.kind.value}"
                   + (f", role {m.role.name.lower()}, response {m.response}" if m.kind is Kind.REQUEST else "")
                   + (", changes state" if m.changes_state else "") + f"): {m.doc} */")
        if m.kind is Kind.REQUEST:
            out.append(f"#define {p}_ROLE SCS_ROLE_{m.role.name}")
            out.append(f"#define {p}_RESPONSE SCS_MSG_{m.response}")
            out.append(f"#define {p}_CHANGES_STATE {1 if m.changes_state else 0}")
        out.append(f"#define {p}_SIZE {m.fixed_size}u" + (" /* plus variable bytes */" if m.has_variable_tail else ""))
        for f, off in m.offsets():
            q = f"{p}_{_c(f.name)}"
            ctype = "uint8_t" if f.base == "bytes" else C_TYPES[f.base]
            out.append(f"#define {q}_OFFSET {off}u /* {ctype}{f'[{f.count}]' if f.count > 1 or f.base == 'bytes' else ''}"
                       + (f", {f.unit}" if f.unit else "") + " */")
            if f.base != "bytes":
                if f.count > 1:
                    out.append(f"#define {q}_COUNT {f.count}u")
                lo, hi = f.bounds()
                if f.min is not None:
                    out.append(f"#define {q}_MIN {_lit(lo, f.base)}")
                if f.max is not None:
                    out.append(f"#define {q}_MAX {_lit(hi, f.base)}")
        out.append("")
    out += [
        "/* Field descriptors: the codec's range checks, table-driven (first failing field wins, as in Python). */",
        "typedef struct {",
        "    uint16_t offset;",
        "    uint8_t size;      /* bytes per element: 1, 2, 4, 8; 0 for byte strings */",
        "    uint8_t count;     /* elements (1 for scalars) */",
        "    uint8_t is_signed;",
        "    uint8_t checked;   /* 1 when the range is narrower than the type */",
        "    int64_t min, max;",
        "} scs_field_t;",
        "",
    ]
    for m in cat.messages:
        if m.kind is not Kind.REQUEST:
            continue
        rows = []
        for f, off in m.offsets():
            if f.base == "bytes":
                rows.append(f"{{{off}u, 0u, {f.count}u, 0u, 0u, 0, 0}}")
                continue
            lo, hi = f.bounds()
            checked = int((lo, hi) != f.type_range())
            size = int(f.base[1:]) // 8
            rows.append(f"{{{off}u, {size}u, {f.count}u, {int(f.base[0] == 'i')}u, {checked}u, {lo}, {hi}}}")
        body = ", ".join(rows) if rows else "{0u, 0u, 0u, 0u, 0u, 0, 0}"
        out.append(f"static const scs_field_t SCS_{m.name}_FIELDS[] = {{{body}}};")
        out.append(f"#define SCS_{m.name}_FIELD_COUNT {len(m.fields)}u")
    out += ["", "#endif /* SCS_PROTOCOL_H */", ""]
    return "\n".join(out)


def _lit(v: int, base: str) -> str:
    if base.startswith("u"):
        return f"{v}u"
    return f"({v})"
