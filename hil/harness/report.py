"""The run's report where JUnit is written: the target's identity, failing tests' exchanges, a lost target."""

from __future__ import annotations

import pytest

from hil.harness.state import EXCHANGE_SECTION, STATE
from hil.targets.base import IDENTITY_PROPERTIES as IDENTITY


def stop_message(lost: str) -> str:
    """The one line about a lost target: pytest prints it as "Interrupted: ..." (not repeated here)."""
    return f"scs: {lost}; the run was stopped"


class Reporter:
    """Where JUnit is written (the controller under xdist): the identity as suite properties, the
    decoded exchange of a failing test in its system-out; a lost target stops the run."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.session: pytest.Session | None = None

    def pytest_sessionstart(self, session: pytest.Session) -> None:
        self.session = session

    @pytest.hookimpl(trylast=True)
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        from _pytest.junitxml import xml_key

        state = self.config.stash[STATE]
        props = dict(report.user_properties)
        if "scs_lost" in props and self.session is not None:  # (also from a worker) stop the whole run
            state.lost = state.lost or str(props["scs_lost"])
            self.session.shouldstop = stop_message(state.lost)
            dsession = self.config.pluginmanager.getplugin("dsession")
            if dsession is not None:
                dsession.shouldstop = stop_message(state.lost)
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

    def pytest_terminal_summary(self, terminalreporter) -> None:
        state = self.config.stash[STATE]
        captures = state.run_dir / "captures"
        if captures.is_dir():
            n = len(list(captures.glob("*.jsonl")))
            terminalreporter.write_line(f"scs: captures of {n} failing tests in {captures} "
                                        "(read one with: scs capture show FILE)")
