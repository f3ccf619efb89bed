"""MISRA C:2012 gate: cppcheck's misra addon over the board firmware, against the deviation record.

``python -m hil.evidence.misra [--out misra.txt]`` runs ``cppcheck --addon=misra`` (Debian cppcheck
2.10) over every C file of hil/board (found by glob, whatever the folder layout), parses the
findings, and matches each with docs/misra-deviations.md: a table row ``| rule | scope | status |
rationale |`` covers the findings of that rule in that scope. Scopes are the names below (each a
set of globs relative to hil/board, old and new layouts) or globs. Exits 1 on any finding not
covered; the report gives the counts by rule and scope so the fixes can be planned.
"""

from __future__ import annotations

import argparse
import fnmatch
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BOARD = ROOT / "hil" / "board"
DEVIATIONS = ROOT / "docs" / "misra-deviations.md"
SCOPES = {
    "generated": ("include/scs_protocol.h", "core/scs_fields.c", "core/scs_handlers.h", "core/scs_requests.c"),
    "core": ("src/portable/*", "core/*"),
    "host-port": ("src/host/*", "ports/host/*"),
    "stm32-port": ("src/stm32/*", "ports/stm32f4/*", "ports/stm32/*"),
    "all": ("*",),
}
_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+):(?P<id>[\w.-]+):(?P<msg>.*)$")
_RULE = re.compile(r"^(\d+\.\d+|cppcheck-[\w]+)$")


class MisraError(ValueError):
    pass


@dataclass(frozen=True)
class Finding:
    path: str   # relative to the board folder
    line: int
    rule: str   # "18.4", or "cppcheck-<id>" for cppcheck's own checks
    message: str


@dataclass(frozen=True)
class Deviation:
    rule: str
    scopes: tuple[str, ...]   # globs
    status: str
    rationale: str

    def covers(self, f: Finding) -> bool:
        return f.rule == self.rule and any(fnmatch.fnmatch(f.path, g) for g in self.scopes)


#: folders of hil/board that are not firmware: the QEMU observer plugin is test equipment that runs
#: inside QEMU's process on the host, never on the device (docs/misra-deviations.md says so)
NOT_FIRMWARE = ("build", "qemu_plugin")


def sources(board: Path = BOARD) -> list[Path]:
    """Every C source and header of the firmware (no build output, no test equipment)."""
    return sorted(p for p in board.rglob("*.[ch]") if not set(NOT_FIRMWARE) & set(p.relative_to(board).parts))


def run_cppcheck(board: Path = BOARD) -> str:
    if shutil.which("cppcheck") is None:
        raise MisraError("cppcheck is missing (Debian: apt-get install cppcheck)")
    files = sources(board)
    includes = sorted({p.parent for p in files if p.suffix == ".h"})
    cmd = ["cppcheck", "-q", "--addon=misra", "--std=c11", "--template={file}:{line}:{id}:{message}",
           *(f"-I{d.relative_to(board)}" for d in includes), *(str(p.relative_to(board)) for p in files if p.suffix == ".c")]
    proc = subprocess.run(cmd, cwd=board, capture_output=True, text=True)
    if proc.returncode != 0:
        raise MisraError(f"cppcheck failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    return proc.stderr


def parse_findings(text: str) -> list[Finding]:
    out = []
    for line in text.splitlines():
        m = _LINE.match(line.strip())
        if not m or m["file"] == "nofile":
            continue
        rid = m["id"]
        rule = rid.removeprefix("misra-c2012-") if rid.startswith("misra-c2012-") else f"cppcheck-{rid}"
        out.append(Finding(m["file"], int(m["line"]), rule, m["msg"].strip()))
    return sorted(set(out), key=lambda f: (f.path, f.line, f.rule))


def _scope_globs(cell: str, where: str) -> tuple[str, ...]:
    globs: list[str] = []
    for name in (s.strip().strip("`") for s in cell.split(",")):
        if name in SCOPES:
            globs += SCOPES[name]
        elif "/" in name or "*" in name or name.endswith((".c", ".h")):
            globs.append(name)
        else:
            raise MisraError(f"{where}: scope {name!r} is neither a glob nor one of {', '.join(SCOPES)}")
    return tuple(globs)


def parse_deviations(text: str, where: str = "deviations") -> list[Deviation]:
    """Rows ``| rule | scope | status | rationale |`` of the record's tables (header rows skipped)."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")] if line.lstrip().startswith("|") else []
        if len(cells) < 4 or not _RULE.match(cells[0]):
            continue
        if not cells[3]:
            raise MisraError(f"{where}:{n}: rule {cells[0]} has no rationale")
        out.append(Deviation(cells[0], _scope_globs(cells[1], f"{where}:{n}"), cells[2], cells[3]))
    if not out:
        raise MisraError(f"{where}: no deviation rows (| rule | scope | status | rationale |)")
    return out


def _area(path: str) -> str:
    return next((name for name, globs in SCOPES.items() if any(fnmatch.fnmatch(path, g) for g in globs)), "other")


def _table(findings: list[Finding]) -> list[str]:
    """Counts by rule (most first), a column per scope."""
    by_rule = Counter(f.rule for f in findings)
    areas = sorted({_area(f.path) for f in findings})
    per = Counter((f.rule, _area(f.path)) for f in findings)
    lines = [f"{'rule':<22}{'total':>7}" + "".join(f"{a:>12}" for a in areas)]
    for rule, n in sorted(by_rule.items(), key=lambda kv: (-kv[1], kv[0])):
        lines.append(f"{rule:<22}{n:>7}" + "".join(f"{per[(rule, a)]:>12}" for a in areas))
    return lines


def report(findings: list[Finding], deviations: list[Deviation]) -> tuple[str, list[Finding]]:
    """The text report and the findings no deviation covers."""
    uncovered = [f for f in findings if not any(d.covers(f) for d in deviations)]
    lines = [f"MISRA C:2012 (cppcheck misra addon): {len(findings)} findings, {len(findings) - len(uncovered)} covered "
             f"by docs/misra-deviations.md, {len(uncovered)} not covered", "", *_table(findings)]
    unused = [d for d in deviations if not any(d.covers(f) for f in findings)]
    if unused:
        lines += ["", "deviations that cover no finding (remove them once fixed):"]
        lines += [f"  {d.rule} {', '.join(d.scopes)}" for d in unused]
    if uncovered:
        lines += ["", "findings not covered by a deviation:"]
        lines += [f"  {f.path}:{f.line}: {f.rule} {f.message}" for f in uncovered]
    return "\n".join(lines) + "\n", uncovered


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hil.evidence.misra", description=__doc__.splitlines()[0])
    ap.add_argument("--board", type=Path, default=BOARD)
    ap.add_argument("--deviations", type=Path, default=DEVIATIONS)
    ap.add_argument("--findings", type=Path, help="cppcheck output saved before (FILE:LINE:ID:MESSAGE lines) instead of a run")
    ap.add_argument("--out", type=Path, help="write the report here (also printed)")
    args = ap.parse_args(argv)
    try:
        text = args.findings.read_text(encoding="utf-8") if args.findings else run_cppcheck(args.board)
        deviations = parse_deviations(args.deviations.read_text(encoding="utf-8"), str(args.deviations))
    except (MisraError, OSError) as e:
        print(f"misra: {e}", file=sys.stderr)
        return 2
    out, uncovered = report(parse_findings(text), deviations)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(out, encoding="utf-8")
    print(out, end="")
    return 1 if uncovered else 0


if __name__ == "__main__":
    sys.exit(main())
