"""The traceability matrix: requirements (docs/requirements/*.sdoc) x tests x targets (test records).

``python -m hil.evidence.trace --records evidence/records --out evidence`` writes traceability.json
(top-level keys ``requirements``, each with ``id``, ``title``, ``tests`` and ``results`` per target,
then ``untested``, ``failing``, ``unknown`` and ``devices``) and traceability.html, and exits 1 when a
requirement has no test or only skipped ones (``untested``), when any of its tests failed on any
target (``failing``), or when a test names an ID no requirement has (``unknown``).
"""

from __future__ import annotations

import argparse
import html
import json
import sys
from pathlib import Path
from typing import Any

from hil.evidence import record
from hil.evidence.sdoc import Requirement, SdocError, read_requirements

ROOT = Path(__file__).resolve().parents[2]


def _records(paths: list[Path]) -> list[dict[str, Any]]:
    files = [f for p in paths for f in (sorted(p.glob("*.json")) if p.is_dir() else [p])]
    return [record.read(f) for f in files]


def _collect(rows: dict[str, dict[str, Any]], records: list[dict[str, Any]]) -> set[str]:
    """Each test's result under the requirements it names, per target; returns the unknown IDs."""
    unknown: set[str] = set()
    for rec in records:
        target = rec["device"]["target"]
        for t in rec["tests"]:
            for rid in t["requirements"]:
                row = rows.get(rid)
                if row is None:
                    unknown.add(rid)
                    continue
                if t["nodeid"] not in row["tests"]:
                    row["tests"].append(t["nodeid"])
                row["results"].setdefault(target, []).append(
                    {"test": t["nodeid"], "outcome": t["outcome"], "measurements": t["measurements"]})
    return unknown


def _passed(row: dict[str, Any]) -> bool:
    return any(r["outcome"] == "passed" for rs in row["results"].values() for r in rs)


def matrix(reqs: list[Requirement], records: list[dict[str, Any]]) -> dict[str, Any]:
    rows: dict[str, dict[str, Any]] = {
        r.uid: {"id": r.uid, "title": r.title, "section": r.section, "document": r.document, "tests": [], "results": {}}
        for r in reqs}
    unknown = _collect(rows, records)
    failing = [rid for rid, row in rows.items() if _failed(row)]
    untested = [rid for rid, row in rows.items() if not _passed(row) and rid not in failing]
    for row in rows.values():
        row["tests"].sort()
        row["status"] = "failing" if row["id"] in failing else "untested" if row["id"] in untested else "verified"
    return {"requirements": list(rows.values()), "untested": untested, "failing": failing, "unknown": sorted(unknown),
            "devices": {rec["device"]["target"]: rec["device"] for rec in records}}


def _failed(row: dict[str, Any]) -> bool:
    return any(r["outcome"] in ("failed", "error") for rs in row["results"].values() for r in rs)


def _measurements_html(ms: list[dict[str, Any]]) -> str:
    def lim(v: Any) -> str:
        return "" if v is None else f"{v:g}"
    return "".join(f"<br><small>{html.escape(m['name'])} = {m['value']:g} {html.escape(m['unit'])} "
                   f"[{lim(m['low'])}, {lim(m['high'])}] <b>{m['outcome']}</b></small>" for m in ms)


def _cell(results: list[dict[str, Any]]) -> str:
    if not results:
        return "<td class=none>-</td>"
    items = "".join(f"<li class={r['outcome']}>{html.escape(r['test'].split('::')[-1])}: {r['outcome']}"
                    f"{_measurements_html(r['measurements'])}</li>" for r in results)
    worst = "failed" if any(r["outcome"] in ("failed", "error") for r in results) else \
        "passed" if any(r["outcome"] == "passed" for r in results) else "skipped"
    return f"<td class={worst}><ul>{items}</ul></td>"


def render_html(m: dict[str, Any]) -> str:
    targets = sorted(m["devices"])
    head = "".join(f"<th>{html.escape(t)}</th>" for t in targets)
    rows = "".join(
        f"<tr id='{html.escape(r['id'])}' class={r['status']}><td><b>{html.escape(r['id'])}</b><br>"
        f"{html.escape(r['title'])}<br><small>{r['status']}</small></td>"
        + "".join(_cell(r["results"].get(t, [])) for t in targets) + "</tr>" for r in m["requirements"])
    devices = "".join(f"<tr><td>{html.escape(t)}</td><td><code>{html.escape(json.dumps(d, sort_keys=True))}</code></td></tr>"
                      for t, d in sorted(m["devices"].items()))
    style = ("body{font-family:sans-serif}td,th{border:1px solid #ccc;vertical-align:top;padding:4px}"
             "table{border-collapse:collapse}.failed,.error,.failing{background:#fdd}.passed{background:#efe}"
             ".skipped,.untested,.none{background:#ffd}ul{margin:0;padding-left:1em}")
    lists = "".join(f"<p><b>{k}</b>: {', '.join(html.escape(x) for x in m[k]) or 'none'}</p>"
                    for k in ("untested", "failing", "unknown"))
    return (f"<!doctype html><html><head><meta charset=utf-8><title>Traceability</title><style>{style}</style></head>"
            f"<body><h1>Traceability: requirements x tests x targets</h1>{lists}<h2>Devices</h2><table>{devices}</table>"
            f"<h2>Matrix</h2><table><tr><th>requirement</th>{head}</tr>{rows}</table></body></html>\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m hil.evidence.trace", description=__doc__.splitlines()[0])
    ap.add_argument("--requirements", type=Path, default=ROOT / "docs" / "requirements", help="folder of .sdoc files")
    ap.add_argument("--records", type=Path, nargs="+", required=True, help="test records (files or folders of *.json)")
    ap.add_argument("--out", type=Path, required=True, help="folder for traceability.json and traceability.html")
    args = ap.parse_args(argv)
    try:
        m = matrix(read_requirements(args.requirements), _records(args.records))
    except (SdocError, record.RecordError) as e:
        print(f"trace: {e}", file=sys.stderr)
        return 2
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "traceability.json").write_text(json.dumps(m, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    (args.out / "traceability.html").write_text(render_html(m), encoding="utf-8")
    n = len(m["requirements"])
    print(f"traceability: {n} requirements, {n - len(m['untested']) - len(m['failing'])} verified, "
          f"{len(m['untested'])} untested, {len(m['failing'])} failing, {len(m['unknown'])} unknown IDs")
    for key in ("untested", "failing", "unknown"):
        if m[key]:
            print(f"  {key}: {', '.join(m[key])}")
    return 1 if m["untested"] or m["failing"] or m["unknown"] else 0


if __name__ == "__main__":
    sys.exit(main())
