"""pytest plugin (entry point ``pytest11: scs``): target selection, connected sessions, captures.

- ``--scs-target`` (or ``SCS_TARGET``): ``sim`` (default, as for `scs hil`), ``model``, ``qemu``,
  ``labgrid`` (the NetworkSerialPort of labgrid's ``--lg-env`` target; the default when ``--lg-env``
  is given), ``serial:URL`` or a pyserial URL. ``--scs-target2``: a second device (the ``*2`` fixtures).
- ``--scs-keys FILE``: role keys of a real device (simulated targets use the development keys);
  ``--scs-keys2`` for the second (default: the same file).
- ``--scs-runs DIR``: each run gets its own folder ``DIR/<UTC time>-<pid>`` (default under the
  system's temp dir) for the captures of failing tests; it is printed at the end of the run.
  ``--scs-keep-captures``: every test's capture, passing ones too, with ``captures/index.json``.
- Pre-flight: before the first test, the target is opened, must answer DEVICE_INFO within 10 s and
  accept a handshake with the keys; otherwise the run stops with one message and exit status 2. A
  target lost mid-run (a test fails on the link and the target no longer answers) stops the run.
- Fixtures (`hil.harness.fixtures`): ``scs_target`` (session), ``scs_info`` (what the device
  reports), ``scs`` (a bridge to a factory-reset device, function scope), ``clinician``, ``patient``
  and ``tester`` (that bridge in each role's own session), and ``scs_target2``, ``scs_info2``,
  ``scs2``, ``clinician2``, ``patient2``, ``tester2`` for the second device.
- ``@pytest.mark.needs(Capability.X)``: skip unless the target reports it; the reason names what is
  missing and what the target has, in the terminal summary and JUnit.
- JUnit XML: the target's identity as test-suite properties (also under pytest-xdist, where every
  worker has its own target instance) and on each test; the decoded exchange of a failing test in its
  ``system-out`` (and in the terminal report).
"""

from __future__ import annotations

import functools
import os
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from hil.harness.report import Reporter, stop_message
from hil.harness.run_targets import SIMULATED, close_targets, explicit_target, preflight, stop_with, target_spec
from hil.harness.state import CAPTURES, EXCHANGE_SECTION, STATE, State
from hil.targets import DEFAULT_TARGET

pytest_plugins = ("hil.harness.fixtures",)

EXCHANGE_FRAMES = 200  # a failing test's report shows at most its last 200 frames
RUN_DIR_ENV = "SCS_RUN_DIR"  # set by `scs hil`: this run's folder, exactly
__all__ = ["RUN_DIR_ENV", "new_run_dir", "provide_target", "runs_folder_problem", "target_spec"]


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scs", "scs-hil targets")
    group.addoption("--scs-target", default=None,
                    help=f"target spec (default: $SCS_TARGET, else 'labgrid' with --lg-env, else '{DEFAULT_TARGET}')")
    group.addoption("--scs-target2", default=None,
                    help="a second target for the scs2/clinician2/patient2/tester2 fixtures (default: none: they skip)")
    group.addoption("--scs-keys", default=None, help="key file with the target's role keys")
    group.addoption("--scs-keys2", default=None, help="key file of the second target (default: --scs-keys)")
    group.addoption("--scs-runs", "--scs-captures", dest="scs_runs", default=None,
                    help="folder for per-run folders of captures (default: <tmp>/scs-runs)")
    from hil.harness import requirements

    requirements.addoption(group)
    group.addoption("--scs-keep-captures", action="store_true", default=False,
                    help="keep every test's capture, passing ones too, with captures/index.json in the run folder")


def new_run_dir(base: str | Path | None) -> Path:
    """A fresh folder name for this run's files (never the last run's)."""
    root = Path(base) if base else Path(tempfile.gettempdir()) / "scs-runs"
    stamp = time.strftime("%Y%m%d-%H%M%S", time.gmtime())
    return root / f"{stamp}-{os.getpid()}"


def runs_folder_problem(base: str | Path | None) -> str | None:
    """Why the runs folder can't hold this run's folder (created here if missing), or None; the
    reason starts with the folder's name."""
    root = Path(base) if base else Path(tempfile.gettempdir()) / "scs-runs"
    if root.exists() and not root.is_dir():
        return f"{root}: is a file, not a folder"
    try:
        root.mkdir(parents=True, exist_ok=True)
        tempfile.TemporaryDirectory(dir=root).cleanup()  # writable? (os.access says yes to root)
    except OSError as e:
        return f"{root}: can't create or write a folder there ({e.strerror or e})"
    return None


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(capability): skip unless the target reports this capability "
                                       "(protocol.spec.generated.Capability); the reason names it")
    from hil.harness import requirements

    requirements.configure(config)  # the requirement marker, the measure fixture, the test record
    runs = config.getoption("scs_runs")
    if runs and getattr(config, "workerinput", None) is None and not os.environ.get(RUN_DIR_ENV):
        problem = runs_folder_problem(runs)
        if problem:
            pytest.exit(f"scs: --scs-runs {problem}", returncode=2)
    worker_input = getattr(config, "workerinput", None)
    if worker_input is not None and "scs_run_dir" in worker_input:
        run_dir = Path(worker_input["scs_run_dir"])
    elif os.environ.get(RUN_DIR_ENV):
        run_dir = Path(os.environ[RUN_DIR_ENV])
    else:
        run_dir = new_run_dir(config.getoption("scs_runs"))
    config.stash[STATE] = State(target_spec(config), run_dir, config.getoption("scs_target2"))
    config.pluginmanager.register(Reporter(config), "scs_reporter")
    if config.pluginmanager.hasplugin("xdist"):
        config.pluginmanager.register(_XdistController(), "scs_xdist")


class _XdistController:
    def pytest_configure_node(self, node) -> None:
        """Every worker writes into the controller's run folder."""
        node.workerinput["scs_run_dir"] = str(node.config.stash[STATE].run_dir)


def provide_target(config: pytest.Config, target: Any, info: Any) -> None:
    """Use an already open (pre-flown) target; its opener closes it."""
    state = config.stash[STATE]
    state.target, state.info, state.owned, state.preflown = target, info, False, True


def _is_xdist_controller(config: pytest.Config) -> bool:
    return getattr(config, "workerinput", None) is None and bool(getattr(config.option, "numprocesses", None)) \
        and config.getoption("dist", "no") != "no"


def _uses(items: list[pytest.Item], fixture: str) -> bool:
    return any(fixture in getattr(item, "fixturenames", ()) for item in items)


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist, the controller checks an explicitly chosen target once (its workers collect)."""
    config = session.config
    state = config.stash[STATE]
    if not _is_xdist_controller(config) or state.preflown or not explicit_target(config):
        return
    workers = config.getoption("numprocesses")
    if state.spec not in SIMULATED and workers not in (None, 0, 1, "0", "1"):
        stop_with(config, f"target {state.spec}: one device can't serve several pytest-xdist workers; run without "
                  "-n, or with a simulated target (sim, qemu, model), each worker starting its own")
    from hil.harness.preflight import TargetUnavailable
    from hil.harness.run_targets import connect_slot

    try:
        target, _info = connect_slot(config, 1)
    except TargetUnavailable as e:
        stop_with(config, str(e))
    target.close()


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Pre-flight: the targets answer and accept the keys before any test runs, or the run stops."""
    config = session.config
    state = config.stash[STATE]
    if _is_xdist_controller(config):
        return
    on_worker = getattr(config, "workerinput", None) is not None
    if state.target is None and _uses(session.items, "scs_target"):
        preflight(config, 1, on_worker)
    if state.spec2 and state.second.target is None and not state.unavailable and _uses(session.items, "scs_target2"):
        preflight(config, 2, on_worker)
    if state.unavailable:
        session.shouldstop = state.unavailable


def pytest_unconfigure(config: pytest.Config) -> None:
    close_targets(config)


# --- reports -------------------------------------------------------------------------------------
@functools.cache
def _link_errors() -> tuple[type, ...]:
    """Failures that may mean the target is gone (then its health is checked)."""
    import termios

    import serial

    from hil.link.bridge import LinkError
    from hil.targets.base import TargetError
    from protocol.wire.reliability import NoResponseError

    return (LinkError, TargetError, NoResponseError, serial.SerialException, termios.error, OSError)


def _decoded_exchange(path: Path, keys: Any = None) -> str:
    from protocol.capture.format import CaptureError, read_capture
    from protocol.capture.view import render

    try:
        header, chunks = read_capture(path)
        return render(chunks, header, keys, last=EXCHANGE_FRAMES)
    except (CaptureError, OSError) as e:
        return f"(capture unreadable: {e})"


def _add_exchanges(item: pytest.Item, rep: pytest.TestReport, state: State) -> None:
    for which, capture in sorted(item.stash.get(CAPTURES, {}).items()):
        if capture.exists():
            target = state.slot(which).target
            text = _decoded_exchange(capture, getattr(target, "keys", None))
            rep.sections.append((EXCHANGE_SECTION, text if which == 1 else f"(second target)\n{text}"))


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"scs_rep_{rep.when}", rep)
    state = item.config.stash.get(STATE, None)
    if state is None or state.target is None:
        return
    if rep.when == "setup" and "scs_info" in getattr(item, "fixturenames", ()) and state.info is not None:
        item.user_properties.extend(state.info.as_properties().items())
    if not rep.failed or rep.when == "teardown":
        return
    _add_exchanges(item, rep, state)
    if call.excinfo is not None and isinstance(call.excinfo.value, _link_errors()) and state.lost is None:
        from hil.harness.preflight import lost_cause

        cause = lost_cause(state.target)
        if cause is not None:
            state.lost = f"target {state.spec} lost during {item.nodeid}: {cause}"
            rep.user_properties.append(("scs_lost", state.lost))
            item.session.shouldstop = stop_message(state.lost)
