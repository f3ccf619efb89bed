"""Generated files: fresh, and the C header agrees with the Python codec byte for byte."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from protocol.codegen import OUTPUTS, ROOT, stale
from protocol.codegen.c_header import render_c_header
from protocol.spec.catalog import load_catalog

CAT = load_catalog()


def test_generated_header_and_protocol_doc_are_not_stale():
    assert stale() == [], "run: python -m protocol.codegen"


def test_staleness_is_detected(tmp_path, monkeypatch):
    import protocol.codegen as cg

    copy = tmp_path / "scs_protocol.h"
    copy.write_text(render_c_header() + "/* edited */\n")
    monkeypatch.setattr(cg, "OUTPUTS", {copy: render_c_header})
    assert cg.stale() == [copy]


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_c_header_compiles_strictly_and_matches_the_python_layout(tmp_path):
    lines = ['#include <stdio.h>', '#include "scs_protocol.h"', "int main(void) {"]
    expected = []
    for m in CAT.messages:
        p = f"SCS_{m.name}"
        lines.append(f'    printf("%u %u\\n", (unsigned)SCS_MSG_{m.name}, (unsigned){p}_SIZE);')
        expected.append(f"{m.id} {m.fixed_size}")
        for f, off in m.offsets():
            lines.append(f'    printf("%u\\n", (unsigned){p}_{f.name.upper()}_OFFSET);')
            expected.append(str(off))
    for r in CAT.results:
        lines.append(f'    printf("%d\\n", (int)SCS_RESULT_{r.name});')
        expected.append(str(r.code))
    lines += ["    return 0;", "}"]
    src = tmp_path / "layout.c"
    src.write_text("\n".join(lines) + "\n")
    include = next(p for p in OUTPUTS if p.suffix == ".h").parent
    exe = tmp_path / "layout"
    subprocess.run(["gcc", "-std=c11", "-Wall", "-Wextra", "-Werror", "-pedantic", f"-I{include}", str(src),
                    "-o", str(exe)], check=True, capture_output=True, text=True)
    out = subprocess.run([str(exe)], check=True, capture_output=True, text=True).stdout.split("\n")
    assert out[:-1] == expected


def test_protocol_doc_names_the_crc_and_every_message():
    doc = (ROOT / "docs" / "protocol.md").read_text()
    assert "CRC-32/ISO-HDLC" in doc
    for m in CAT.messages:
        assert f"### {m.name}" in doc
