"""Function size: no function of the split C core or the split device model over about 80 lines or a
cyclomatic complexity of 15 (lizard); the largest functions of the whole tree are printed as
information (`pytest -s tests/test_code_size.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

lizard = pytest.importorskip("lizard", reason="lizard is in the test extra (make test installs it)")

ROOT = Path(__file__).resolve().parents[1]
MAX_LINES, MAX_CCN = 80, 15
#: the parts split along the request table (the C core but its pulse scheduler, the device model)
SPLIT = [*(p for p in (ROOT / "hil/board/src/portable").glob("*.c") if p.name != "therapy.c"),
         *(ROOT / "firmware_model" / f"{n}.py" for n in ("device", "handlers", "settings", "settings_codec", "power",
                                                          "pulse_output", "adaptive", "leads", "faults", "nvm")),
         ROOT / "protocol/catalog.py", ROOT / "protocol/definition.py", *(ROOT / "protocol/codegen").glob("*.py")]
TREE = [*(ROOT / "hil/board/src").rglob("*.c"), *(ROOT / "firmware_model").rglob("*.py"),
        *(ROOT / "protocol").rglob("*.py"), *(ROOT / "hil").rglob("*.py")]


def _functions(paths):
    for path in paths:
        for f in lizard.analyze_file(str(path)).function_list:
            yield path.relative_to(ROOT), f


def test_the_largest_functions_are_reported():
    rows = sorted(_functions(TREE), key=lambda pf: (pf[1].cyclomatic_complexity, pf[1].length), reverse=True)[:10]
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


def test_no_function_of_the_split_core_and_model_is_over_80_lines_or_complexity_15():
    big = [f"{path}:{f.start_line} {f.name}: {f.length} lines, CCN {f.cyclomatic_complexity}"
           for path, f in _functions(SPLIT) if f.length > MAX_LINES or f.cyclomatic_complexity > MAX_CCN]
    assert big == []
