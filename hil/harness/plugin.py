"""pytest plugin (entry point ``pytest11: scs``): target selection, connected sessions, captures.

- ``--scs-target`` (or ``SCS_TARGET``): ``sim`` (default, as for `scs hil`), ``model``, ``qemu``,
  ``labgrid`` (the NetworkSerialPort of labgrid's ``--lg-env`` target; the default when ``--lg-env``
  is given), ``serial:URL`` or a pyserial URL.
- ``--scs-keys FILE``: role keys of a real device (simulated targets use the development keys).
- ``--scs-runs DIR``: each run gets its own folder ``DIR/<UTC time>-<pid>`` (default under the
  system's temp dir) for the captures of failing tests; it is printed at the end of the run.
- Pre-flight: before the first test, the target is opened and must answer DEVICE_INFO within 10 s;
  otherwise the run stops with one message and exit status 2. A target lost mid-run (a test fails on
  the link and the target no longer answers) stops the run with one message.
- Fixtures: ``scs_target`` (session), ``scs_info`` (what the device reports), ``scs`` (a bridge to a
  factory-reset device, function scope), ``clinician``, ``patient`` and ``tester`` (the same bridge logged in;
  ``tester`` with the test role).
- JUnit XML: the target's identity as test-suite properties (also under pytest-xdist, where every
  worker has its own target instance) and on each test; the decoded exchange of a failing test in its
  ``system-out`` (and in the terminal report).
"""

from __future__ import annotations

import functools
import os
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

from hil.harness.report import Reporter, stop_message
from hil.harness.state import EXCHANGE_SECTION, STATE, State
from hil.targets import DEFAULT_TARGET

_TARGET_ENV = "SCS_TARGET"
EXCHANGE_FRAMES = 200  # a failing test's report shows at most its last 200 frames
RUN_DIR_ENV = "SCS_RUN_DIR"  # set by `scs hil`: this run's folder, exactly


_CAPTURE = pytest.StashKey[Path]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scs", "scs-hil targets")
    group.addoption("--scs-target", default=None,
                    help=f"target spec (default: ${_TARGET_ENV}, else 'labgrid' with --lg-env, else '{DEFAULT_TARGET}')")
    group.addoption("--scs-keys", default=None, help="key file with the target's role keys")
    group.addoption("--scs-runs", "--scs-captures", dest="scs_runs", default=None,
                    help="folder for per-run folders of captures (default: <tmp>/scs-runs)")
    from hil.harness import requirements

    requirements.addoption(group)


def target_spec(config: pytest.Config) -> str:
    spec = config.getoption("--scs-target") or os.environ.get(_TARGET_ENV)
    if spec:
        return spec
    if getattr(config.option, "lg_env", None) or os.environ.get("LG_ENV"):
        return "labgrid"
    return DEFAULT_TARGET


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
    config.addinivalue_line("markers", "needs(capability): skip unless the target reports this capability bit")
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
    config.stash[STATE] = State(target_spec(config), run_dir)
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


def _uses_target(items: list[pytest.Item]) -> bool:
    return any("scs_target" in getattr(item, "fixturenames", ()) for item in items)


def _stop_with(config: pytest.Config, message: str) -> None:
    pytest.exit(f"scs: {message}", returncode=2)


SIMULATED = ("model", "sim", "qemu")


def _explicit_target(config: pytest.Config) -> bool:
    return bool(config.getoption("--scs-target") or os.environ.get(_TARGET_ENV) or target_spec(config) == "labgrid")


@pytest.hookimpl(tryfirst=True)
def pytest_sessionstart(session: pytest.Session) -> None:
    """Under xdist, the controller checks an explicitly chosen target once (its workers collect)."""
    config = session.config
    state = config.stash[STATE]
    if not _is_xdist_controller(config) or state.preflown or not _explicit_target(config):
        return
    workers = config.getoption("numprocesses")
    if state.spec not in SIMULATED and workers not in (None, 0, 1, "0", "1"):
        _stop_with(config, f"target {state.spec}: one device can't serve several pytest-xdist workers; run without "
                   "-n, or with a simulated target (sim, qemu, model), each worker starting its own")
    from hil.harness.preflight import TargetUnavailable, connect

    try:
        target, _info = connect(_resolve_spec(config, state.spec), config.getoption("--scs-keys"))
    except TargetUnavailable as e:
        _stop_with(config, str(e))
    target.close()


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    """Pre-flight: the target answers before any test runs, or the run stops with one message."""
    config = session.config
    state = config.stash[STATE]
    if state.target is not None or not _uses_target(session.items) or _is_xdist_controller(config):
        return
    from hil.harness.preflight import TargetUnavailable, connect

    try:
        state.target, state.info = connect(_resolve_spec(config, state.spec), config.getoption("--scs-keys"))
    except TargetUnavailable as e:
        if getattr(config, "workerinput", None) is None:
            _stop_with(config, str(e))
        state.unavailable = f"scs: {e}"  # a worker can't exit cleanly: its first test fails, then it stops
        session.shouldstop = state.unavailable


def _resolve_spec(config: pytest.Config, spec: str) -> str:
    """The spec to open: labgrid's environment names its serial port."""
    if spec == "labgrid":
        from hil.harness.preflight import TargetUnavailable
        from hil.targets.base import TargetError
        from hil.targets.labgrid import url_from_config

        try:
            return url_from_config(config)
        except TargetError as e:
            raise TargetUnavailable(f"target labgrid: {e}") from None
    return spec


def pytest_unconfigure(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is not None and state.target is not None and state.owned:
        state.target.close()
        state.target = None


# --- fixtures ------------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def scs_target(request: pytest.FixtureRequest):
    state = request.config.stash[STATE]
    if state.unavailable:
        pytest.fail(state.unavailable, pytrace=False)
    if state.target is None:  # collected late (e.g. a plugin filtered items after the pre-flight)
        from hil.harness.preflight import TargetUnavailable, connect

        try:
            state.target, state.info = connect(_resolve_spec(request.config, state.spec),
                                               request.config.getoption("--scs-keys"))
        except TargetUnavailable as e:
            _stop_with(request.config, str(e))
    return state.target


@pytest.fixture(scope="session")
def scs_info(scs_target, request: pytest.FixtureRequest):
    state = request.config.stash[STATE]
    if state.info is None:
        bridge = scs_target.bridge()
        try:
            state.info = scs_target.describe(bridge)
        finally:
            bridge.close()
    return state.info


@pytest.fixture
def scs(request: pytest.FixtureRequest, scs_target, scs_info):
    """A bridge to the target, reset to factory settings, recording a capture of the test."""
    from protocol.capture.format import CaptureWriter

    needs = request.node.get_closest_marker("needs")
    if needs is not None and not scs_info.has(needs.args[0]):
        pytest.skip(f"target {scs_info.name} lacks capability {needs.args[0]}")
    # not tmp_path: its teardown breaks when Ctrl-C lands in this fixture's setup
    fd, name = tempfile.mkstemp(prefix="scs-capture-", suffix=".jsonl")
    os.close(fd)
    capture_path = Path(name)
    capture = CaptureWriter.open(capture_path, target=scs_info.name)
    request.node.stash[_CAPTURE] = capture_path
    first_launch = len(getattr(scs_target, "logs", ()))
    try:
        bridge = scs_target.bridge(capture=capture)
        try:
            scs_target.factory_reset(bridge)
            yield bridge
        finally:
            bridge.close()
    finally:
        capture.close()
        _export_pins(request, scs_target, first_launch)
        rep = getattr(request.node, "scs_rep_call", None) or getattr(request.node, "scs_rep_setup", None)
        if rep is not None and rep.failed:
            keep = request.config.stash[STATE].run_dir / "captures"
            keep.mkdir(parents=True, exist_ok=True)
            dest = keep / (request.node.nodeid.replace("/", "_").replace("::", "__") + ".jsonl")
            shutil.copy(capture_path, dest)
            request.node.user_properties.append(("scs_capture", str(dest)))
        capture_path.unlink(missing_ok=True)


def _export_pins(request: pytest.FixtureRequest, target: Any, first_launch: int) -> None:
    """A target with the pin observer (qemu-rt): the test's pin record as a sigrok file (PB12-15 and
    the DAC) in the run folder's ``pins/``, named for the test, which PulseView and `scs logic` open."""
    if not getattr(target, "pin_observer", False):
        return
    if len(target.logs) == first_launch:  # no new launch during the test: the current one
        first_launch = max(first_launch - 1, 0)
    name = request.node.nodeid.replace("/", "_").replace("::", "__")
    for part in "[]":
        name = name.replace(part, "_")
    try:
        written = target.export_pins(request.config.stash[STATE].run_dir / "pins" / f"{name}.sr", first_launch)
    except (OSError, ValueError) as e:  # an unreadable record is reported, never fails the test
        request.node.user_properties.append(("scs_pins_error", str(e)))
        return
    request.node.user_properties.extend(("scs_pins", str(p)) for p in written)


@pytest.fixture
def clinician(scs):
    from protocol.spec.catalog import Role

    scs.login(Role.CLINICIAN)
    return scs


@pytest.fixture
def tester(scs):
    """The bridge logged in with the test role (stimulus inputs, clock, trace; all a clinician may)."""
    from protocol.spec.catalog import Role

    scs.login(Role.TEST)
    return scs


@pytest.fixture
def patient(scs):
    from protocol.spec.catalog import Role

    scs.login(Role.PATIENT)
    return scs


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
    capture = item.stash.get(_CAPTURE, None)
    if capture is not None and capture.exists():
        rep.sections.append((EXCHANGE_SECTION, _decoded_exchange(capture, getattr(state.target, "keys", None))))
    if call.excinfo is not None and isinstance(call.excinfo.value, _link_errors()) and state.lost is None:
        from hil.harness.preflight import lost_cause

        cause = lost_cause(state.target)
        if cause is not None:
            state.lost = f"target {state.spec} lost during {item.nodeid}: {cause}"
            rep.user_properties.append(("scs_lost", state.lost))
            item.session.shouldstop = stop_message(state.lost)
