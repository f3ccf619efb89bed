"""`scs hil [--target sim|model|qemu|URL] [--junit FILE] [-k EXPR]`: run the conformance suite.

Prints a readable report: the target as it describes itself, results per area of the suite, and for
each failure its reason and the capture kept for `scs check`. Exit 0 when everything passed.
"""

from __future__ import annotations

import argparse
from collections import defaultdict

from rich.console import Console
from rich.table import Table


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", default="sim", help="sim (default), model, qemu, serial:URL or a pyserial URL")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML (with the target's identity)")
    p.add_argument("--keys", help="key file with the target's role keys (real boards)")
    p.add_argument("--captures", default="scs-captures", help="where captures of failing tests are kept")
    p.add_argument("-k", dest="select", help="only tests matching this pytest -k expression")
    p.add_argument("-v", "--verbose", action="store_true", help="pytest's own output too")


class _Report:
    """A pytest plugin that collects outcomes for the summary."""

    def __init__(self):
        self.outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.failures: list[tuple[str, str, str]] = []
        self.properties: dict[str, str] = {}

    def pytest_runtest_logreport(self, report):
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            module = report.nodeid.split("::")[0].rsplit("/", 1)[-1].removeprefix("test_").removesuffix(".py")
            outcome = "failed" if report.failed else report.outcome
            self.outcomes[module][outcome] += 1
            if report.failed:
                capture = dict(report.user_properties).get("scs_capture", "")
                reason = str(report.longrepr.reprcrash.message) if hasattr(report.longrepr, "reprcrash") else str(report.longrepr)
                self.failures.append((report.nodeid.split("::", 1)[-1], reason.splitlines()[0][:160], capture))


def run(args: argparse.Namespace) -> int:
    import pytest

    report = _Report()
    pytest_args = ["--pyargs", "hil.conformance", "--scs-target", args.target, "--scs-captures", args.captures,
                   "-p", "no:cacheprovider", "-o", "addopts=", "-W", "ignore::DeprecationWarning"]
    if args.keys:
        pytest_args += ["--scs-keys", args.keys]
    if args.junit:
        pytest_args += ["--junitxml", args.junit]
    if args.select:
        pytest_args += ["-k", args.select]
    pytest_args += ["-v"] if args.verbose else ["-q", "--no-header", "--no-summary", "-rN"]
    console = Console(width=max(Console().width, 110))
    console.print(f"[bold]scs hil[/]: conformance suite against target [bold]{args.target}[/]")
    code = pytest.main(pytest_args, plugins=[report])
    table = Table(title="conformance")
    for col in ("area", "passed", "failed", "skipped"):
        table.add_column(col, justify="right" if col != "area" else "left")
    totals: defaultdict[str, int] = defaultdict(int)
    for module, counts in sorted(report.outcomes.items()):
        table.add_row(module.replace("_", " "), str(counts["passed"]), str(counts["failed"]), str(counts["skipped"]))
        for k, v in counts.items():
            totals[k] += v
    table.add_row("[bold]total", f"[bold]{totals['passed']}", f"[bold]{totals['failed']}", f"[bold]{totals['skipped']}")
    console.print(table)
    for name, reason, capture in report.failures:
        console.print(f"[red]FAILED[/] {name}: {reason}" + (f"\n       capture: {capture} (scs check {capture})" if capture else ""))
    if code == 5 or not report.outcomes:
        console.print("[red]no conformance test ran[/]")
        return 1
    console.print(f"{totals['passed']} passed, {totals['failed']} failed" + (f", {totals['skipped']} skipped" if totals["skipped"] else ""))
    return 0 if code == 0 else 1
