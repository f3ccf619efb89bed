"""Generators of the files derived from the catalog and the device definition: the C header, the
Python constants module (protocol/spec/generated.py), docs/protocol.md, the generated region of docs/design.md and the Wireshark dissector
(protocol/wireshark/scs.lua).

`python -m protocol.codegen` rewrites them; `python -m protocol.codegen --check` exits 1 when
either is stale (the test suite runs the same check).
"""

from __future__ import annotations

from pathlib import Path

from protocol.codegen.c_header import render_c_fields, render_c_handlers, render_c_header, render_c_requests
from protocol.codegen.markdown import render_design_region, render_markdown
from protocol.codegen.python_module import render_python
from protocol.codegen.wireshark import render_lua

ROOT = Path(__file__).resolve().parents[2]
#: in writing order: protocol/spec/generated.py first, since the codec the others import uses it
OUTPUTS = {
    ROOT / "protocol" / "spec" / "generated.py": render_python,
    ROOT / "hil" / "board" / "include" / "scs_protocol.h": render_c_header,
    ROOT / "hil" / "board" / "core" / "scs_fields.c": render_c_fields,
    ROOT / "hil" / "board" / "core" / "scs_handlers.h": render_c_handlers,
    ROOT / "hil" / "board" / "core" / "scs_requests.c": render_c_requests,
    ROOT / "docs" / "protocol.md": render_markdown,
    ROOT / "docs" / "design.md": render_design_region,   # its marked region only
    ROOT / "protocol" / "wireshark" / "scs.lua": render_lua,
}


def stale() -> list[Path]:
    return [p for p, render in OUTPUTS.items() if not p.exists() or p.read_text(encoding="utf-8") != render()]


def write_all() -> list[Path]:
    written = []
    for p, render in OUTPUTS.items():
        p.parent.mkdir(parents=True, exist_ok=True)
        text = render()
        if not p.exists() or p.read_text(encoding="utf-8") != text:
            p.write_text(text, encoding="utf-8")
            written.append(p)
    return written
