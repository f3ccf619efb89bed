"""The run's report where JUnit is written: the target's identity, failing tests' exchanges, a lost
target, the skip reasons by capability, and the index of kept captures."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field

import pytest

from hil.harness.state import EXCHANGE_SECTION, STATE
from hil.targets.base import IDENTITY_PROPERTIES as IDENTITY

INDEX = "index.json"


def stop_message(lost: str) -> str:
    """The one line about a lost target: pytest prints it as "Interrupted: ..." (not repeated here)."""
    return f"scs: {lost}; the run was stopped"


@dataclass
class _Entry:
    """One test of the index: its outcome over setup, call and teardown, its time, its captures."""

    outcome: str = "passed"
    duration_s: float = 0.0
    captures: dict = field(default_factory=dict)

    def add(self, report: pytest.TestReport) -> None:
        self.duration_s += report.duration
        if report.failed:
            self.outcome = "error" if report.when != "call" and self.outcome == "passed" else "failed"
        elif report.skipped and self.outcome == "passed":
            self.outcome = "skipped"
        for name, value in report.user_properties:
            if name in ("scs_capture", "scs_capture2"):
                self.captures[name] = value


class Reporter:
    """Where JUnit is written (the controller under xdist): the identity as suite properties, the
    decoded exchange of a failing test in its system-out; a lost target stops the run."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.session: pytest.Session | None = None
        self.entries: dict[str, _Entry] = {}
        self.skips: Counter = Counter()

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        state = self.config.stash[STATE]
        props = dict(report.user_properties)
        if "scs_lost" in props and self.session is not None:  # (also from a worker) stop the whole run
            state.lost = state.lost or str(props["scs_lost"])
            self.session.shouldstop = stop_message(state.lost)
            dsession = self.config.pluginmanager.getplugin("dsession")
            if dsession is not None:
                dsession.shouldstop = stop_message(state.lost)
        self.entries.setdefault(report.nodeid, _Entry()).add(report)
        if report.skipped and isinstance(report.longrepr, tuple) and "needs " in str(report.longrepr[2]):
            self.skips[str(report.longrepr[2]).removeprefix("Skipped: ")] += 1
        self._junit(report, props)

    def _junit(self, report: pytest.TestReport, props: dict) -> None:
        from _pytest.junitxml import xml_key

        state = self.config.stash[STATE]
        xml = self.config.stash.get(xml_key, None)
        if xml is None:
            return
        for name in IDENTITY:
            if name in props and name not in state.properties_added:
                xml.add_global_property(name, props[name])
                state.properties_added.add(name)
        if report.failed and report.when in ("setup", "call"):
            text = "\n".join(content for title, content in report.sections if title == EXCHANGE_SECTION)
            if text:
                import xml.etree.ElementTree as ET

                from _pytest.junitxml import bin_xml_escape

                node = ET.Element("system-out")
                node.text = bin_xml_escape(text)
                xml.node_reporter(report).append(node)

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        if getattr(self.config, "workerinput", None) is None and self.config.getoption("scs_keep_captures"):
            self.write_index()

    def write_index(self) -> None:
        """captures/index.json: every test with its outcome, time and capture (file names in that folder)."""
        folder = self.config.stash[STATE].run_dir / "captures"
        folder.mkdir(parents=True, exist_ok=True)
        rows = []
        for nodeid, e in self.entries.items():
            row = {"test": nodeid, "outcome": e.outcome, "duration_s": round(e.duration_s, 6),
                   "capture": _name(e.captures.get("scs_capture"))}
            if "scs_capture2" in e.captures:
                row["capture2"] = _name(e.captures["scs_capture2"])
            rows.append(row)
        (folder / INDEX).write_text(json.dumps(rows, indent=1) + "\n")

    def pytest_terminal_summary(self, terminalreporter) -> None:
        for reason, n in sorted(self.skips.items()):
            terminalreporter.write_line(f"scs: skipped {n} test{'s' if n != 1 else ''}: {reason}")
        state = self.config.stash[STATE]
        captures = state.run_dir / "captures"
        if not captures.is_dir():
            return
        n = len(list(captures.glob("*.jsonl")))
        if self.config.getoption("scs_keep_captures"):
            terminalreporter.write_line(f"scs: captures of {n} tests in {captures}, listed in {captures / INDEX} "
                                        "(read one with: scs capture show FILE)")
        else:
            terminalreporter.write_line(f"scs: captures of {n} failing tests in {captures} "
                                        "(read one with: scs capture show FILE)")


def _name(path: str | None) -> str | None:
    return None if path is None else path.rsplit("/", 1)[-1]
