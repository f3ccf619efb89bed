"""The per-run test record (JSON): every test's outcome, duration, requirement IDs and measurements,
keyed by the identity of the device it ran on.

Written by the pytest plugin at the end of a run (``--scs-record PATH``, else ``record.json`` in the
run's folder when a target was used); read by the traceability matrix (`hil.evidence.trace`).

    {"schema": "scs-hil-record/1", "created_utc": "...",
     "device": {"target", "firmware_version", "protocol_version", "device_id", "tick_ns",
                "capabilities", "image_sha256"},
     "summary": {"passed": n, "failed": n, "skipped": n, "error": n},
     "tests": [{"nodeid", "outcome", "duration_s", "requirements": [...], "measurements": [...]}]}
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA = "scs-hil-record/1"
OUTCOMES = ("passed", "failed", "skipped", "error")
#: JUnit identity property (hil.targets.base.IDENTITY_PROPERTIES) -> record key
IDENTITY_KEYS = {"scs_target": "target", "scs_firmware": "firmware_version", "scs_protocol": "protocol_version",
                 "scs_device_id": "device_id", "scs_tick_ns": "tick_ns", "scs_capabilities": "capabilities",
                 "scs_image_sha256": "image_sha256"}
HOST_TARGET = "host"  # tests that ran without a device


class RecordError(ValueError):
    pass


@dataclass
class TestResult:
    nodeid: str
    outcome: str = "passed"
    duration_s: float = 0.0
    requirements: list[str] = field(default_factory=list)
    measurements: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"nodeid": self.nodeid, "outcome": self.outcome, "duration_s": round(self.duration_s, 6),
                "requirements": self.requirements, "measurements": self.measurements}


def outcome_of(when: str, report_outcome: str, previous: str) -> str:
    """The test's outcome after one phase's report (setup, call, teardown)."""
    if report_outcome == "failed":
        return "failed" if when == "call" else ("error" if previous != "failed" else previous)
    if report_outcome == "skipped" and when in ("setup", "call"):
        return "skipped"
    return previous


def device_identity(properties: dict[str, Any]) -> dict[str, Any]:
    """The device keys of a record from JUnit identity properties (absent ones are None)."""
    out: dict[str, Any] = {key: properties.get(prop) for prop, key in IDENTITY_KEYS.items()}
    if out["target"] is None:
        out["target"] = HOST_TARGET
    if isinstance(out["capabilities"], str):
        out["capabilities"] = [c for c in out["capabilities"].split(",") if c]
    return out


def build(device: dict[str, Any], tests: list[TestResult]) -> dict[str, Any]:
    summary = {o: sum(1 for t in tests if t.outcome == o) for o in OUTCOMES}
    return {"schema": SCHEMA, "created_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "device": device, "summary": summary, "tests": [t.as_dict() for t in tests]}


def write(path: Path, record: dict[str, Any]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(record, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(path)
    return path


def read(path: Path) -> dict[str, Any]:
    """A record, checked: its schema, a device with a target, tests with known outcomes."""
    try:
        rec = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise RecordError(f"{path}: not a readable test record ({e})") from None
    if not isinstance(rec, dict) or rec.get("schema") != SCHEMA:
        raise RecordError(f"{path}: not a test record (schema must be {SCHEMA!r})")
    if not isinstance(rec.get("device"), dict) or not rec["device"].get("target"):
        raise RecordError(f"{path}: the record names no device target")
    bad = [t.get("nodeid") for t in rec.get("tests", []) if t.get("outcome") not in OUTCOMES]
    if bad:
        raise RecordError(f"{path}: tests {bad[:3]} have an outcome other than {', '.join(OUTCOMES)}")
    return rec
