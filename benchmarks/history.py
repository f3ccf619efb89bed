"""The benchmarks' history: one JSON line per benchmark run (machine, CPU, commit, date, each case's
figures and ratios) in ``benchmarks/history.jsonl`` (committed with the code, so the next machine has the
last figures to compare with; ``SCS_BENCH_HISTORY=FILE`` writes elsewhere), and the comparison of a run's
ratios with the previous run's of the same benchmark.

A ratio is a field named ``*ratio*``, ``*speedup*`` or ``efficiency`` (targets excluded): a figure
measured against a baseline in the same run, so the machine's speed mostly cancels out (``target*`` and
``goal*`` fields are the limits, not ratios). Higher is better
unless the case lists the field in ``lower_is_better``. A ratio that got worse by more than 20 % is a drop.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DROP = 0.20


def history_file() -> Path:
    return Path(os.environ.get("SCS_BENCH_HISTORY") or ROOT / "benchmarks" / "history.jsonl")


def is_ratio(key: str, value: object) -> bool:
    named = "ratio" in key or "speedup" in key or key == "efficiency"
    given = key.startswith(("target", "goal"))  # a limit the benchmark states, not a measurement
    return named and not given and isinstance(value, int | float) and not isinstance(value, bool)


def ratios(case: dict) -> dict[str, float]:
    return {k: v for k, v in case.items() if is_ratio(k, v)}


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine()


def commit() -> str:
    """HEAD's hash, with ``-dirty`` when tracked files differ from it; ``unknown`` outside git."""
    def git(*args: str) -> str:
        return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout.strip()
    try:
        head = git("rev-parse", "HEAD")
        return head + ("-dirty" if git("status", "--porcelain", "--untracked-files=no") else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine() -> dict:
    return {"host": platform.node(), "cpu": cpu_model(), "cpus": os.cpu_count(), "python": platform.python_version(),
            "load_average_1min": round(os.getloadavg()[0], 2)}


def make_record(bench: str, cases: list[dict], exit_code: int) -> dict:
    return {"bench": bench, "date": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
            "commit": commit(), "machine": machine(), "exit_code": exit_code,
            "cases": {c["case"]: {"figures": c, "ratios": ratios(c)} for c in cases}}


def previous(bench: str, path: Path | None = None) -> dict | None:
    """The last recorded run of ``bench``, or None."""
    path = path or history_file()
    if not path.exists():
        return None
    last = None
    for line in path.read_text().splitlines():
        if line.strip():
            rec = json.loads(line)
            if rec.get("bench") == bench:
                last = rec
    return last


def append(record: dict, path: Path | None = None) -> Path:
    path = path or history_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as f:
        f.write(json.dumps(record, sort_keys=True) + "\n")
    return path


def change(now: float, before: float, lower_is_better: bool) -> float | None:
    """How much better (+) or worse (-) ``now`` is than ``before``, as a fraction; None without a base."""
    if before == 0 or now == 0:
        return None
    return before / now - 1 if lower_is_better else now / before - 1


def compare(record: dict, before: dict | None) -> tuple[list[str], list[str]]:
    """(a line per ratio: now beside the previous run's, the drops of more than 20 %)."""
    lines, drops = [], []
    old_cases = (before or {}).get("cases", {})
    for case, entry in record["cases"].items():
        lower = set(entry["figures"].get("lower_is_better", ()))
        for key, now in entry["ratios"].items():
            was = old_cases.get(case, {}).get("ratios", {}).get(key)
            if was is None:
                lines.append(f"  {case} {key}: {now} (no previous run)")
                continue
            delta = change(now, was, key in lower)
            shown = "" if delta is None else f", {delta:+.0%}{' (lower is better)' if key in lower else ''}"
            line = f"  {case} {key}: {now} (previous {was}{shown})"
            if delta is not None and delta < -DROP:
                line += f"   <<<<<< DROP OF {-delta:.0%} >>>>>>"
                drops.append(f"{record['bench']}: {case} {key} {was} -> {now} ({delta:+.0%})")
            lines.append(line)
    return lines, drops
