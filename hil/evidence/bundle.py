"""``make evidence``: the whole evidence bundle in one folder, hashed.

Runs the conformance suite on each target (JUnit and test record per target), the project tests that
name requirements (tests/, marker ``requirement``), the C and Python coverage (with the conformance
suite on the ``core`` target: the C core in process, instrumented), the MISRA gate, the SBOM, the
requirements' staleness check and the traceability matrix; writes index.html linking everything and
SHA256SUMS over every file. Every step runs even when an earlier gate failed; the exit status is 1
when any gate failed (the index says which).
"""

from __future__ import annotations

import argparse
import hashlib
import html
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TARGETS = ("model", "sim", "qemu", "qemu-rt")
SUMS = "SHA256SUMS"


@dataclass(frozen=True)
class Step:
    name: str
    status: int
    output: str


def _step(name: str, cmd: list[str], log: Path) -> Step:
    print(f"evidence: {name} ...", flush=True)
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    text = proc.stdout + proc.stderr
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(text, encoding="utf-8")
    tail = "\n".join(text.strip().splitlines()[-3:])
    print(f"evidence: {name}: exit {proc.returncode}\n{tail}", flush=True)
    return Step(name, proc.returncode, text)


def run_steps(out: Path, targets: tuple[str, ...]) -> list[Step]:
    py, logs = sys.executable, out / "logs"
    steps = [_step(f"conformance on {t}", [py, "-m", "pytest", "-q", "hil/harness/conformance", "--scs-target", t,
                                           f"--junitxml={out / 'junit' / f'{t}.xml'}",
                                           "--scs-record", str(out / "records" / f"{t}.json")], logs / f"conformance-{t}.txt")
             for t in targets]
    steps.append(_step("project tests naming requirements", [py, "-m", "pytest", "-q", "tests", "-m", "requirement",
                                                             f"--junitxml={out / 'junit' / 'tests.xml'}",
                                                             "--scs-record", str(out / "records" / "tests.json")],
                       logs / "project-tests.txt"))
    build = ROOT / "hil" / "board" / "build" / "coverage"
    steps.append(_step("coverage", [py, "-m", "hil.evidence.coverage", "--out", str(out / "coverage"), "--build", str(build),
                                    "--record", str(out / "records" / "host.json"),
                                    "--core-record", str(out / "records" / "core.json"),
                                    "--core-junit", str(out / "junit" / "core.xml")], logs / "coverage.txt"))
    steps.append(_step("misra", [py, "-m", "hil.evidence.misra", "--out", str(out / "misra.txt")], logs / "misra.txt"))
    steps.append(_step("sbom", [py, "-m", "hil.evidence.sbom", "--out", str(out / "sbom.cdx.json")], logs / "sbom.txt"))
    steps.append(_step("requirements up to date", [py, "-m", "hil.evidence.requirements", "--check"], logs / "requirements.txt"))
    steps.append(_step("traceability", [py, "-m", "hil.evidence.trace", "--records", str(out / "records"), "--out", str(out)],
                       logs / "traceability.txt"))
    for scratch in ("profiles", "core.profdata", "python.coverage"):
        path = out / "coverage" / scratch
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    for stale in (out / "coverage").glob("python.coverage.*"):
        stale.unlink()
    return steps


def index_html(out: Path, steps: list[Step]) -> str:
    cov = json.loads((out / "coverage" / "coverage.json").read_text()) if (out / "coverage" / "coverage.json").exists() else {}
    trace = json.loads((out / "traceability.json").read_text()) if (out / "traceability.json").exists() else {}
    rows = "".join(f"<tr class={'ok' if s.status == 0 else 'bad'}><td>{html.escape(s.name)}</td><td>{s.status}</td></tr>"
                   for s in steps)
    links = [("traceability.html", "traceability matrix: requirements x tests x targets, with measurements"),
             ("traceability.json", "the same, machine-readable"), ("coverage/c-html/index.html", "C core coverage (llvm-cov)"),
             ("coverage/python-html/index.html", "Python coverage (coverage.py)"), ("coverage/coverage.json", "coverage figures"),
             ("misra.txt", "MISRA C:2012 report against docs/misra-deviations.md"), ("sbom.cdx.json", "CycloneDX SBOM"),
             (SUMS, "SHA-256 of every file")]
    links += [(f"records/{p.name}", "test record") for p in sorted((out / "records").glob("*.json"))]
    links += [(f"junit/{p.name}", "JUnit XML") for p in sorted((out / "junit").glob("*.xml"))]
    items = "".join(f"<li><a href='{html.escape(h)}'>{html.escape(h)}</a>: {html.escape(d)}</li>" for h, d in links)
    figures = ", ".join(f"{k} {cov[k]} %" for k in ("line_percent", "branch_percent", "mcdc_percent", "python_line_percent")
                        if k in cov)
    untested = ", ".join(trace.get("untested", [])) or "none"
    failing = ", ".join(trace.get("failing", [])) or "none"
    return ("<!doctype html><html><head><meta charset=utf-8><title>scs-hil evidence</title><style>"
            "body{font-family:sans-serif}.ok{background:#efe}.bad{background:#fdd}td{padding:2px 8px}</style></head><body>"
            f"<h1>scs-hil evidence</h1><h2>Gates</h2><table>{rows}</table><p>Coverage: {figures}</p>"
            f"<p>Untested requirements: {html.escape(untested)}</p><p>Failing requirements: {html.escape(failing)}</p>"
            f"<h2>Files</h2><ul>{items}</ul></body></html>\n")


def write_sums(out: Path) -> Path:
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.relative_to(out).as_posix()}"
             for p in sorted(out.rglob("*")) if p.is_file() and p.name != SUMS]
    (out / SUMS).write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out / SUMS


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hil.evidence.bundle", description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "evidence")
    ap.add_argument("--targets", default=",".join(TARGETS), help=f"comma-separated (default {','.join(TARGETS)})")
    args = ap.parse_args(argv)
    out = args.out.resolve()
    for sub in ("records", "junit"):
        shutil.rmtree(out / sub, ignore_errors=True)
    steps = run_steps(out, tuple(t for t in args.targets.split(",") if t))
    (out / "index.html").write_text(index_html(out, steps), encoding="utf-8")
    write_sums(out)
    failed = [s.name for s in steps if s.status != 0]
    print(f"evidence: {out} ({'gates failed: ' + ', '.join(failed) if failed else 'every gate passed'})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
