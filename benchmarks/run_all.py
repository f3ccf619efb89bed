"""Runs every benchmark (benchmarks/bench_*.py), appends each run to the history (benchmarks/history.py)
and prints each ratio beside the previous run's, flagging a drop of more than 20 % loudly.

Run: ``python benchmarks/run_all.py [--quick] [--no-record] [NAME ...]`` (``make bench`` runs it whole).
``--quick`` runs each benchmark's quick mode and records nothing (quick figures are not comparable).
Exit status 1 when a benchmark failed (its own targets) or a ratio dropped by more than 20 %.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.history import append, compare, make_record, previous  # noqa: E402

HERE = Path(__file__).resolve().parent


def benchmarks(names: list[str]) -> list[Path]:
    found = sorted(HERE.glob("bench_*.py"))
    if not names:
        return found
    chosen = [p for p in found if p.stem in names or p.stem.removeprefix("bench_") in names]
    unknown = set(names) - {p.stem for p in chosen} - {p.stem.removeprefix("bench_") for p in chosen}
    if unknown:
        raise SystemExit(f"no benchmark named {', '.join(sorted(unknown))}; there are: "
                         f"{', '.join(p.stem.removeprefix('bench_') for p in found)}")
    return chosen


def run(path: Path, quick: bool) -> tuple[list[dict], int]:
    """Run one benchmark, echoing its lines as they come; (its cases, its exit status)."""
    proc = subprocess.Popen([sys.executable, str(path), *(["--quick"] if quick else [])], stdout=subprocess.PIPE,
                            text=True)
    cases = []
    assert proc.stdout is not None
    for line in proc.stdout:
        print(line, end="", flush=True)
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict) and "case" in obj:
            cases.append(obj)
    return cases, proc.wait()


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="each benchmark's quick mode; records nothing")
    ap.add_argument("--no-record", action="store_true", help="compare with the history but do not append")
    ap.add_argument("names", nargs="*", help="only these benchmarks (scheduler, protocol, ...)")
    args = ap.parse_args(argv)
    failed, drops = [], []
    for path in benchmarks(args.names):
        print(f"== {path.stem}{' --quick' if args.quick else ''}", flush=True)
        cases, code = run(path, args.quick)
        if code != 0:
            failed.append(f"{path.stem} (exit status {code})")
        if args.quick:
            continue
        record = make_record(path.stem, cases, code)
        lines, dropped = compare(record, previous(path.stem))
        print(f"-- {path.stem}: ratios against the previous run")
        print("\n".join(lines) if lines else "  (no ratios)")
        drops += dropped
        if not args.no_record:
            print(f"-- recorded in {append(record)}")
    if drops:
        print("\n" + "!" * 72 + f"\n!!! {len(drops)} RATIO(S) DROPPED BY MORE THAN 20 % SINCE THE PREVIOUS RUN:")
        print("\n".join(f"!!!   {d}" for d in drops) + "\n" + "!" * 72)
    if failed:
        print(f"failed: {', '.join(failed)}")
    return 1 if failed or drops else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
