"""Requirement IDs on tests and the run's test record (registered by `hil.harness.plugin`).

- Marker ``@pytest.mark.requirement("SRS-SCHED-001", ...)``: the IDs a test verifies (docs/requirements).
  Each ID becomes a JUnit property ``requirement`` of the test case, and goes into the test record.
- ``--scs-record PATH``: the per-run test record (`hil.evidence.record`) is written there at the end
  of the run; without it, into the run's folder as ``record.json`` when the run used a target.
- Fixture ``measure`` (`hil.harness.measurements`): values with units and limits.
"""

from __future__ import annotations

import functools
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest

from hil.evidence import record as rec
from hil.harness import measurements

PROPERTY = "requirement"
ID_RE = re.compile(r"^SRS-[A-Z0-9]+(?:-[A-Z0-9_]+)*-\d{3}$|^SRS-GEN-[A-Z0-9_-]+$")


def addoption(group: Any) -> None:
    group.addoption("--scs-record", default=None, metavar="PATH",
                    help="write the run's test record (JSON: outcomes, requirement IDs, measurements, device identity) here")


def configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "requirement(*ids): the requirement IDs (docs/requirements) this test verifies")
    config.pluginmanager.register(measurements, "scs_measurements")
    config.pluginmanager.register(_Hooks(config), "scs_requirements")


def requirement_ids(item: pytest.Item) -> list[str]:
    """The IDs of every ``requirement`` marker on the item (module, class and function), in order."""
    ids: list[str] = []
    for mark in item.iter_markers("requirement"):
        for rid in mark.args:
            if not isinstance(rid, str) or not ID_RE.match(rid):
                raise pytest.UsageError(f"{item.nodeid}: requirement ID {rid!r} is not an ID such as SRS-SCHED-001 "
                                        "or SRS-GEN-RESULT-OK")
            if rid not in ids:
                ids.append(rid)
    return sorted(ids)


@functools.cache
def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def image_sha256(target: Any) -> str | None:
    """The SHA-256 of the firmware image the target runs, when it has one (QEMU: its ELF)."""
    elf = getattr(target, "elf", None)
    return _sha256(str(elf)) if elf is not None and Path(elf).is_file() else None


class _Hooks:
    def __init__(self, config: pytest.Config):
        self.config = config
        self.results: dict[str, rec.TestResult] = {}
        self.identity: dict[str, Any] = {}

    def pytest_collection_modifyitems(self, items: list[pytest.Item]) -> None:
        for item in items:
            item.user_properties.extend((PROPERTY, rid) for rid in requirement_ids(item))

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        outcome = yield
        report = outcome.get_result()
        if report.when != "setup" or "scs_info" not in getattr(item, "fixturenames", ()):
            return
        from hil.harness.state import STATE

        state = item.config.stash.get(STATE, None)
        digest = image_sha256(state.target) if state is not None and state.target is not None else None
        if digest and ("scs_image_sha256", digest) not in item.user_properties:
            item.user_properties.append(("scs_image_sha256", digest))
            report.user_properties.append(("scs_image_sha256", digest))

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if getattr(self.config, "workerinput", None) is not None:
            return  # the controller keeps the record
        props = list(report.user_properties)
        result = self.results.setdefault(report.nodeid, rec.TestResult(report.nodeid))
        result.outcome = rec.outcome_of(report.when, report.outcome, result.outcome)
        result.duration_s += report.duration
        result.requirements = sorted({*result.requirements, *(str(v) for k, v in props if k == PROPERTY)})
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            result.measurements = measurements.measurements_of(props)
        for k, v in props:
            if k in rec.IDENTITY_KEYS:
                self.identity.setdefault(k, v)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if getattr(self.config, "workerinput", None) is not None or not self.results:
            return
        path = self.config.getoption("scs_record")
        if path is None:
            if not self.identity:
                return
            from hil.harness.state import STATE

            path = self.config.stash[STATE].run_dir / "record.json"
        rec.write(Path(path), rec.build(rec.device_identity(self.identity), list(self.results.values())))

    def pytest_terminal_summary(self, terminalreporter) -> None:
        path = self.config.getoption("scs_record")
        if path and self.results:
            terminalreporter.write_line(f"scs: test record of {len(self.results)} tests in {path}")
