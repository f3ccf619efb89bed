"""Function size: no function of the firmware (C), the toolkit (Python) or the generated Wireshark
dissector (Lua) over 80 lines or a cyclomatic complexity of 15 (lizard), except the few listed in
`ALLOWED` while they are being split; the largest functions of the whole tree are printed as
information (`pytest -s tests/test_code_size.py`)."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

lizard = pytest.importorskip("lizard", reason="lizard is in the test extra (make test installs it)")

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES, MAX_CCN = 80, 15
#: every function the limits apply to: the C firmware (sources, headers, the generated protocol header),
#: the other C of the tree (the scheduler's merge kernel, the QEMU observer plugin), the Python packages
#: and the generated Lua dissector
TREE = sorted({*(ROOT / "hil/board/core").rglob("*.[ch]"), *(ROOT / "hil/board/ports").rglob("*.[ch]"),
               *(ROOT / "hil/board/include").glob("*.h"), *(ROOT / "hil/board/qemu_plugin").rglob("*.c"),
               *(ROOT / "firmware_model").rglob("*.c"),
               *(ROOT / "firmware_model").rglob("*.py"), *(ROOT / "protocol").rglob("*.py"),
               *(ROOT / "hil").rglob("*.py"), *(ROOT / "protocol").rglob("*.lua")})
#: (file, function) -> why it may still be over a limit. Only functions another branch is splitting right
#: now belong here; delete an entry once its function is split (the stale-entry test says when).
ALLOWED = {
}


@functools.cache
def _tree_functions() -> list:
    """(path relative to the root, lizard's function info) for every function of TREE, analysed once."""
    return [(path.relative_to(ROOT), f) for path in TREE for f in lizard.analyze_file(str(path)).function_list]


def test_the_largest_functions_are_reported():
    rows = sorted(_tree_functions(), key=lambda pf: (pf[1].cyclomatic_complexity, pf[1].length), reverse=True)[:10]
    print("\nlargest functions (lizard): CCN, lines, function")
    for path, f in rows:
        print(f"  {f.cyclomatic_complexity:4d} {f.length:5d}  {path}:{f.start_line} {f.name}")
    assert rows


def test_the_python_complexity_grades_are_reported():
    radon = pytest.importorskip("radon.complexity", reason="radon is in the test extra")
    blocks = [(b.complexity, path.relative_to(ROOT), b.fullname) for path in TREE if path.suffix == ".py"
              for b in radon.cc_visit(path.read_text(encoding="utf-8"))]
    grades = {g: sum(1 for c, _, _ in blocks if radon.cc_rank(c) == g) for g in "ABCDEF"}
    print(f"\nradon: {len(blocks)} blocks, grades {grades}, average CCN {sum(c for c, _, _ in blocks) / len(blocks):.2f}")
    assert blocks


def _too_big(f) -> bool:
    return f.length > MAX_LINES or f.cyclomatic_complexity > MAX_CCN


def test_every_language_of_the_tree_is_analysed():
    counts = {suffix: sum(1 for path, _ in _tree_functions() if path.suffix == suffix) for suffix in (".c", ".py", ".lua")}
    assert all(n > 0 for n in counts.values()), counts


def test_no_function_is_over_80_lines_or_complexity_15_but_the_allowed_ones():
    big = [f"{path}:{f.start_line} {f.name}: {f.length} lines, CCN {f.cyclomatic_complexity}"
           for path, f in _tree_functions() if _too_big(f) and (path.as_posix(), f.name) not in ALLOWED]
    assert big == [], f"split these functions (limits: {MAX_LINES} lines, CCN {MAX_CCN})"


def test_every_allowed_function_still_exists_and_is_still_over_a_limit():
    still_big = {(path.as_posix(), f.name) for path, f in _tree_functions() if _too_big(f)}
    stale = sorted(set(ALLOWED) - still_big)
    assert stale == [], "now within the limits (or renamed): delete these entries from ALLOWED"
