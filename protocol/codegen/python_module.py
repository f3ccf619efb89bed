"""protocol/spec/generated.py: the definition's enums and constants as Python (typed, so mypy checks uses)."""

from __future__ import annotations

from protocol.spec.catalog import load_catalog
from protocol.spec.definition import load_definition


def _const(name: str, v: object, annotation: str = "") -> str:
    """One assignment; a long sequence gets one item per line."""
    if isinstance(v, list):
        v = tuple(tuple(x) if isinstance(x, list) else x for x in v)
    head = f"{name.upper()}{annotation} = "
    line = head + ("frozenset({" + ", ".join(repr(x) for x in sorted(v)) + "})" if isinstance(v, frozenset) else repr(v))
    if len(line) <= 110 or not isinstance(v, (tuple, frozenset)):
        return line
    items = sorted(v) if isinstance(v, frozenset) else list(v)
    body = "".join(f"    {x!r},\n" for x in items)
    return head + ("frozenset({\n" + body + "})" if isinstance(v, frozenset) else "(\n" + body + ")")


def render_python() -> str:
    d = load_definition()
    cat = load_catalog()
    out = ['"""GENERATED from protocol/spec/device.toml and protocol/spec/messages.toml by `python -m protocol.codegen`.',
           "", "Do not edit: change the definition and regenerate (a test fails when this file is stale).",
           '"""', "", "from __future__ import annotations", "", "import enum", "", ""]
    for e in d.enums:
        base = "enum.IntFlag" if e.kind == "flags" else "enum.IntEnum"
        out.append(f"class {e.name}({base}):")
        out.append(f'    """{e.doc}"""')
        out.append("")
        for m in e.members:
            out.append(f"    {m.name} = {m.value}" + (f"  # {m.doc}" if m.doc else ""))
        out += ["", ""]
        if e.kind == "flags":
            out.append(f"{e.name.upper()}_LABELS = {{")
            out += [f"    {e.name}.{m.name}: {m.label!r}," for m in e.members]
            out += ["}", "", ""]
    out.append("# device limits")
    out += [_const(k, v) for k, v in d.limits.items()]
    out.append(f"MAX_CATHODE_CHARGE_PC = {d.max_cathode_charge_pc}")
    out += ["", "# fuel gauge"]
    out += [_const(k, v) for k, v in d.fuel_gauge.items()]
    out += ["", "# sessions and handshakes"]
    out += [_const(k, v) for k, v in d.security.items()]
    s, r = d.settings, d.security_record
    out += ["", "# settings image", f"SETTINGS_VERSION = {s.version}", f"SETTINGS_MAGIC = 0x{s.magic:08X}",
            f"SETTINGS_SLOT_SIZE = {s.slot_size}", f"SETTINGS_PAGE_SIZE = {s.page_size}", f"SETTINGS_SIZE = {s.size}",
            f"MEMORY_KEYS = {s.memory_keys}",
            "", "# security record: header | role record x keyed roles | CRC-32, in a slot of 32-bit words",
            f"SECURITY_RECORD_WORDS = {r.slot_words}", f"SECURITY_RECORD_KEYED_ROLES = {r.keyed_roles}",
            f"SECURITY_RECORD_HEADER_SIZE = {r.header_size}", f"SECURITY_RECORD_ROLE_SIZE = {r.role_size}",
            f"SECURITY_RECORD_BODY_SIZE = {r.body_size}  # what the CRC-32 covers",
            f"SECURITY_RECORD_SIZE = {r.size}  # CRC-32 included",
            f"SECURITY_RECORD_FORMAT = {r.struct_format!r}  # struct: the body, header then role records",
            _const("security_record_header", tuple(f.name for f in r.header), ": tuple[str, ...]"),
            _const("security_record_role", tuple(f.name for f in r.role), ": tuple[str, ...]"),
            "", "# per-message attributes", "#: requests accepted in MRI mode (STIM_SET also, to turn stimulation off)"]
    for name in ("mri_allowed", "mri_stop_only", "test_only", "session"):
        out.append(_const(name, frozenset(getattr(d, name)), ": frozenset[str]"))
    out.append(_const("requests", tuple(m.name for m in cat.requests), ": tuple[str, ...]"))
    out.append("")
    return "\n".join(out)
