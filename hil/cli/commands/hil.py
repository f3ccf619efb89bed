"""`scs hil [--target sim|model|qemu|URL] [--junit FILE] [-k EXPR] [-n N] [--keep-captures] [-- PYTEST ARGS]`:
run the conformance suite (arguments after ``--`` go to pytest unchanged: ``-- -x``, ``-- -k roles``).

Pre-flight first: the target must open and answer DEVICE_INFO within 10 s (with readable keys), else
one message and exit 2 before any test runs. Then a readable report: the target as it describes
itself, results per area of the suite, each failure with its reason and capture, and the run folder.

Exit status: 0 all passed, 1 a test failed, 2 the target (or an option) is unusable, also when the
target was lost mid-run, 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections import defaultdict
from pathlib import Path

from rich.console import Console
from rich.table import Table

from hil.cli.errors import UsageError
from hil.cli.types import positive_int
from hil.targets import DEFAULT_TARGET


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--target", default=DEFAULT_TARGET,
                   help="sim, model, qemu, qemu-rt (real time), serial:URL or a pyserial URL")
    p.add_argument("--junit", metavar="FILE", help="also write JUnit XML (with the target's identity)")
    p.add_argument("--keys", help="key file with the target's role keys (real boards)")
    p.add_argument("--runs", default=None, metavar="DIR",
                   help="folder for this run's folder of captures and Hypothesis data (default: <tmp>/scs-runs)")
    p.add_argument("-k", dest="select", help="only tests matching this pytest -k expression")
    p.add_argument("-n", "--workers", default=None, metavar="N",
                   help=f"run on N pytest-xdist workers (1 to {max_workers()}: 4 per CPU core), each with its own "
                        "target instance (sim, qemu, model); needs pytest-xdist")
    p.add_argument("--keep-captures", action="store_true",
                   help="keep every test's capture, passing ones too, in the run folder with captures/index.json")
    p.add_argument("-v", "--verbose", action="store_true", help="pytest's own output too")
    p.add_argument("pytest_args", nargs="*", metavar="-- PYTEST_ARGS",
                   help="after --: arguments passed to pytest unchanged (e.g. -- -x -k roles)")


def max_workers() -> int:
    """4 per CPU core: every worker starts its own virtual board or QEMU."""
    return 4 * (os.cpu_count() or 1)


def workers(text: str | None, target: str) -> int | None:
    """The number of workers ``-n`` asks for, checked: a whole number within the bound, pytest-xdist
    installed, a target each worker can start its own of; `UsageError` (one line) otherwise."""
    if text is None:
        return None
    allowed = f"1 to {max_workers()} (4 per CPU core: each worker starts its own target)"
    try:
        value = positive_int(text)
    except (argparse.ArgumentTypeError, ValueError):
        value = 0
    if not 1 <= value <= max_workers():
        raise UsageError(f"-n {text}: not allowed: {allowed}")
    if target not in ("sim", "qemu", "model"):
        raise UsageError(f"-n {text}: one device can't serve several workers; -n needs sim, qemu or model")
    import importlib.util

    if importlib.util.find_spec("xdist") is None:
        raise UsageError(f"-n {text}: needs pytest-xdist, which is not installed (pip install pytest-xdist, "
                         "or run without -n)")
    return value


class _Report:
    """A pytest plugin that collects outcomes for the summary."""

    def __init__(self):
        self.outcomes: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
        self.failures: list[tuple[str, str, str]] = []
        self.skips: dict[str, int] = defaultdict(int)
        self.lost: str | None = None

    def pytest_runtest_logreport(self, report):
        props = dict(report.user_properties)
        self.lost = self.lost or props.get("scs_lost")
        if report.when == "call" or (report.when == "setup" and report.outcome != "passed"):
            module = report.nodeid.split("::")[0].rsplit("/", 1)[-1].removeprefix("test_").removesuffix(".py")
            outcome = "failed" if report.failed else report.outcome
            self.outcomes[module][outcome] += 1
            if report.skipped and isinstance(report.longrepr, tuple):
                self.skips[str(report.longrepr[2]).removeprefix("Skipped: ")] += 1
            if report.failed:
                capture = props.get("scs_capture", "")
                reason = str(report.longrepr.reprcrash.message) if hasattr(report.longrepr, "reprcrash") else str(report.longrepr)
                self.failures.append((report.nodeid.split("::", 1)[-1], reason.splitlines()[0][:160], capture))


def _provided_target(target, info):
    """A plugin handing the pre-flight's open target to the scs plugin (no second board or QEMU)."""
    import pytest

    from hil.harness.plugin import provide_target

    class ProvidedTarget:
        @pytest.hookimpl(trylast=True)  # after the scs plugin made its state
        def pytest_configure(self, config):
            provide_target(config, target, info)

    return ProvidedTarget()


def _check_keys(args: argparse.Namespace) -> None:
    """(`scs` checks --junit with every other output path before any command runs.)"""
    if args.keys and not Path(args.keys).is_file():
        raise UsageError(f"--keys {args.keys}: no such key file (create one with `scs keys new`)")


class _HypothesisInRunFolder:
    """Hypothesis keeps its database in the run folder, not in ./.hypothesis (xdist workers inherit
    the environment variable). Set from inside pytest: importing hypothesis before pytest.main makes
    pytest warn that it can't rewrite hypothesis's asserts (two warnings in every run)."""

    def __init__(self, run_dir: Path):
        self.where = run_dir / "hypothesis"
        os.environ["HYPOTHESIS_STORAGE_DIRECTORY"] = str(self.where)

    def pytest_configure(self, config) -> None:
        try:
            from hypothesis.configuration import set_hypothesis_home_dir
        except ImportError:
            return
        set_hypothesis_home_dir(self.where)


def run(args: argparse.Namespace) -> int:
    import pytest

    from hil.harness.plugin import new_run_dir, runs_folder_problem
    from hil.harness.preflight import TargetUnavailable, connect

    _check_keys(args)
    problem = runs_folder_problem(args.runs)
    if problem:
        raise UsageError(f"--runs {problem}")
    console = Console(width=max(Console().width, 110))
    args.workers = workers(args.workers, args.target)
    console.print(f"[bold]scs hil[/]: conformance suite against target [bold]{args.target}[/]")
    try:
        target, info = connect(args.target, args.keys)
    except TargetUnavailable as e:
        print(f"scs hil: {e}; no test ran", file=sys.stderr)
        return 2
    run_dir = new_run_dir(args.runs)
    console.print(f"{info.name}: firmware {info.firmware_version}, protocol {info.protocol_version}, "
                  f"device 0x{info.device_id:012x}, capabilities {', '.join(info.capability_names) or 'none'}",
                  highlight=False)
    report = _Report()
    # no:benchmark: pytest-benchmark, when installed, would leave .benchmarks/ in the working directory.
    # The PytestAssertRewriteWarning: this command imported the installed packages before pytest starts,
    # so pytest can't rewrite them; the conformance tests themselves are rewritten as usual.
    pytest_args = ["--pyargs", "hil.harness.conformance", "--scs-target", args.target, "--scs-runs", str(run_dir.parent),
                   "-p", "no:cacheprovider", "-p", "no:labgrid", "-p", "no:benchmark", "-o", "addopts=",
                   "-W", "ignore::DeprecationWarning", "-W", "ignore::pytest.PytestAssertRewriteWarning"]
    if args.keys:
        pytest_args += ["--scs-keys", args.keys]
    if args.junit:
        pytest_args += ["--junitxml", args.junit]
    if args.select:
        pytest_args += ["-k", args.select]
    if args.keep_captures:
        pytest_args += ["--scs-keep-captures"]
    plugins: list = [report, _HypothesisInRunFolder(run_dir)]
    if args.workers:
        target.close()  # every worker starts its own instance
        pytest_args += ["-n", str(args.workers)]
        plugins.append(_provided_target(None, info))
    else:
        plugins.append(_provided_target(target, info))
    pytest_args += ["-v"] if args.verbose else ["-q", "--no-header", "--no-summary", "-rN"]
    pytest_args += args.pytest_args
    try:
        code = _run_pytest(pytest, pytest_args, plugins, run_dir)
    finally:
        if not args.workers:
            target.close()
    return _summarise(console, report, code, run_dir)


def _run_pytest(pytest, pytest_args: list[str], plugins: list, run_dir: Path) -> int:
    from hil.harness.plugin import RUN_DIR_ENV

    saved = os.environ.get(RUN_DIR_ENV)
    os.environ[RUN_DIR_ENV] = str(run_dir)  # the folder printed here is the run's folder
    try:
        return int(pytest.main(pytest_args, plugins=plugins))
    finally:
        if saved is None:
            os.environ.pop(RUN_DIR_ENV, None)
        else:
            os.environ[RUN_DIR_ENV] = saved


def _summarise(console: Console, report: _Report, code: int, run_dir: Path) -> int:
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
    _print_evidence(console, report, run_dir)
    summary = f"{totals['passed']} passed, {totals['failed']} failed" + (f", {totals['skipped']} skipped" if totals["skipped"] else "")
    if report.lost:
        console.print(f"[red]scs hil: {report.lost}; the run was stopped[/]", highlight=False)
        console.print(f"stopped: {summary}")
        return 2
    if code == int(pytest_exit_code("INTERRUPTED")):
        console.print(f"[red]interrupted[/]: {summary}", highlight=False)
        return 130
    if code == 5 or not report.outcomes:
        console.print("[red]no conformance test ran[/]")
        return 1
    console.print(summary)
    return 0 if code == 0 else 1


def _print_evidence(console: Console, report: _Report, run_dir: Path) -> None:
    """Failures with their captures, skips with their reasons, the run folder and the captures' index."""
    for name, reason, capture in report.failures:
        console.print(f"[red]FAILED[/] {name}: {reason}" + (f"\n       capture: {capture} (scs capture show {capture})"
                                                          if capture else ""), highlight=False)
    for reason, n in sorted(report.skips.items()):
        console.print(f"[yellow]SKIPPED[/] {n}: {reason}", highlight=False)
    if run_dir.is_dir():
        console.print(f"run folder: {run_dir}", highlight=False)
    index = run_dir / "captures" / "index.json"
    if index.is_file():
        console.print(f"captures of every test: {index.parent} (index: {index})", highlight=False)


def pytest_exit_code(name: str) -> int:
    import pytest

    return int(getattr(pytest.ExitCode, name))
