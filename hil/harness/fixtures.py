"""The plugin's fixtures (`pytest --fixtures` lists each with its role and what it may do).

One device, one link, one session at a time: ``scs`` is the bridge to a factory-reset device with a
capture of the test; ``clinician``, ``patient`` and ``tester`` are that same bridge used as one role
each (`hil.harness.roles.RoleSession`): a call through one logs in again when another role has the
link. The ``2`` fixtures are the same for a second device (``--scs-target2``), skipped without it.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import pytest

from hil.harness.pins_export import export_pins
from hil.harness.roles import RoleSession
from hil.harness.run_targets import open_target
from hil.harness.state import CAPTURES, STATE, capture_name, needs_reason
from protocol.spec.catalog import Role


# --- the first device ----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def scs_target(request: pytest.FixtureRequest):
    """The target (``--scs-target``, default sim), opened and pre-flown once per run: its ``bridge()``,
    ``factory_reset``, ``hardware_reset``, ``power_cycle``, ``reference_device``."""
    return open_target(request.config, 1)


@pytest.fixture(scope="session")
def scs_info(scs_target, request: pytest.FixtureRequest):
    """The target as DEVICE_INFO describes it (`hil.targets.TargetInfo`): name, firmware, protocol,
    device id, tick, capabilities (``scs_info.has(Capability.TRACE)``)."""
    return _info(request.config, scs_target, 1)


@pytest.fixture
def scs(request: pytest.FixtureRequest, scs_target, scs_info):
    """No role: the bridge to the device, reset to factory settings, recording the test's capture.
    It may send what needs no session (DEVICE_INFO_GET, the handshake); log in with
    ``scs.login(Role.X)`` for more. Honours ``@pytest.mark.needs(Capability.X)``."""
    yield from _bridge(request, scs_target, scs_info, 1)


@pytest.fixture
def clinician(scs):
    """Role clinician, in its own session on the ``scs`` bridge (logs in again when another role
    took the link). May: AREA_WRITE, PROGRAM_COMMIT, AREA_READ, LIMITS_WRITE, IMPEDANCE_GET, FAULT_RECORD_GET,
    ADAPTIVE_SET, EVENT_LOG_READ, RESET, TIMING_GET, and everything a patient may. Not the test
    role's inputs, clock or trace (NOT_PERMITTED)."""
    return RoleSession(scs, Role.CLINICIAN)


@pytest.fixture
def patient(scs):
    """Role patient, in its own session on the ``scs`` bridge (logs in again when another role took
    the link). May: STATUS_GET, STIM_SET, PROGRAM_SELECT, AMPLITUDE_STEP (inside the clinician's
    limits), LIMITS_READ, MRI_MODE_SET, CHARGING_STATUS_GET, CLOCK_GET, SESSION_END. Clinician
    requests are refused with NOT_PERMITTED."""
    return RoleSession(scs, Role.PATIENT)


@pytest.fixture
def tester(scs):
    """Role test (bench boards and simulated targets), in its own session on the ``scs`` bridge
    (logs in again when another role took the link). May: IMPEDANCE_INPUT, POSTURE_INPUT,
    RECHARGE_COUPLING_INPUT, CLOCK_ADVANCE (a virtual clock), TRACE_START, TRACE_STOP, TRACE_DUMP, FAULT_INJECT
    (a processor fault, a hang, a stack overflow or a brown-out; test builds only),
    and everything a clinician may."""
    return RoleSession(scs, Role.TEST)


# --- a second device -----------------------------------------------------------------------------
@pytest.fixture(scope="session")
def scs_target2(request: pytest.FixtureRequest):
    """The second target (``--scs-target2 SPEC``, e.g. the model beside a board); tests that use it
    skip when it is not given."""
    return open_target(request.config, 2)


@pytest.fixture(scope="session")
def scs_info2(scs_target2, request: pytest.FixtureRequest):
    """The second target as its DEVICE_INFO describes it."""
    return _info(request.config, scs_target2, 2)


@pytest.fixture
def scs2(request: pytest.FixtureRequest, scs_target2, scs_info2):
    """No role: the bridge to the second device, reset to factory settings, with its own capture."""
    yield from _bridge(request, scs_target2, scs_info2, 2)


@pytest.fixture
def clinician2(scs2):
    """Role clinician on the second device: may what ``clinician`` may (AREA_WRITE, LIMITS_WRITE, ...)."""
    return RoleSession(scs2, Role.CLINICIAN)


@pytest.fixture
def patient2(scs2):
    """Role patient on the second device: may what ``patient`` may (STIM_SET, AMPLITUDE_STEP, ...)."""
    return RoleSession(scs2, Role.PATIENT)


@pytest.fixture
def tester2(scs2):
    """Role test on the second device: may what ``tester`` may (IMPEDANCE_INPUT, CLOCK_ADVANCE, ...)."""
    return RoleSession(scs2, Role.TEST)


# --- shared --------------------------------------------------------------------------------------
def _info(config: pytest.Config, target, which: int):
    state = config.stash[STATE]
    slot = state.slot(which)
    if slot.info is None:
        bridge = target.bridge()
        try:
            slot.info = target.describe(bridge)
        finally:
            bridge.close()
    return slot.info


def _bridge(request: pytest.FixtureRequest, target, info, which: int):
    """A bridge to a factory-reset device recording a capture; the capture is kept in the run
    folder when the test fails (or always with ``--scs-keep-captures``)."""
    from protocol.capture.format import CaptureWriter

    needs = request.node.get_closest_marker("needs")
    if needs is not None and not info.has(needs.args[0]):
        pytest.skip(needs_reason(info, needs.args[0]))
    # not tmp_path: its teardown breaks when Ctrl-C lands in this fixture's setup
    fd, name = tempfile.mkstemp(prefix="scs-capture-", suffix=".jsonl")
    os.close(fd)
    capture_path = Path(name)
    capture = CaptureWriter.open(capture_path, target=info.name)
    request.node.stash.setdefault(CAPTURES, {})[which] = capture_path
    first_launch = len(getattr(target, "logs", ()))
    try:
        bridge = target.bridge(capture=capture)
        try:
            target.factory_reset(bridge)
            yield bridge
        finally:
            bridge.close()
    finally:
        capture.close()
        export_pins(request, target, first_launch)
        _keep(request, capture_path, which)
        capture_path.unlink(missing_ok=True)


def _keep(request: pytest.FixtureRequest, capture_path: Path, which: int) -> None:
    rep = getattr(request.node, "scs_rep_call", None) or getattr(request.node, "scs_rep_setup", None)
    keep_all = request.config.getoption("scs_keep_captures")
    if rep is None or not (rep.failed or keep_all):
        return
    keep = request.config.stash[STATE].run_dir / "captures"
    keep.mkdir(parents=True, exist_ok=True)
    dest = keep / capture_name(request.node.nodeid, which)
    shutil.copy(capture_path, dest)
    request.node.user_properties.append(("scs_capture" if which == 1 else "scs_capture2", str(dest)))
