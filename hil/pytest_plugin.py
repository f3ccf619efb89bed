"""pytest plugin (entry point ``pytest11: scs``): target selection, connected sessions, captures.

- ``--scs-target`` (or ``SCS_TARGET``): ``model``, ``sim``, ``qemu``, ``serial:URL`` or a pyserial URL.
- ``--scs-keys FILE``: role keys of a real device (simulated targets use the development keys).
- ``--scs-captures DIR``: where the capture of every failing test is kept (default ``scs-captures``).
- Fixtures: ``scs_target`` (session), ``scs_info`` (what the device reports), ``scs`` (a bridge to a
  factory-reset device, function scope), ``clinician``, ``patient`` and ``tester`` (the same bridge logged in; ``tester`` with the test role).
- The target's identity goes into JUnit XML as test-suite properties.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

_TARGET_ENV = "SCS_TARGET"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("scs", "scs-hil targets")
    group.addoption("--scs-target", default=None, help=f"target spec (default: ${_TARGET_ENV}, else 'model')")
    group.addoption("--scs-keys", default=None, help="key file with the target's role keys")
    group.addoption("--scs-captures", default="scs-captures", help="directory for the captures of failing tests")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "needs(capability): skip unless the target reports this capability bit")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    rep = outcome.get_result()
    setattr(item, f"scs_rep_{rep.when}", rep)


@pytest.fixture(scope="session")
def scs_target(request: pytest.FixtureRequest):
    from hil.targets import make_target

    spec = request.config.getoption("--scs-target") or os.environ.get(_TARGET_ENV) or "model"
    keys = None
    key_file = request.config.getoption("--scs-keys")
    if key_file:
        from protocol.security import KeyStore

        keys = KeyStore.load(key_file).devices[0]
    target = make_target(spec, keys=keys) if keys else make_target(spec)
    yield target
    target.close()


@pytest.fixture(scope="session")
def scs_info(scs_target, record_testsuite_property):
    bridge = scs_target.bridge()
    try:
        info = scs_target.describe(bridge)
    finally:
        bridge.close()
    for k, v in info.as_properties().items():
        record_testsuite_property(k, v)
    return info


@pytest.fixture
def scs(request: pytest.FixtureRequest, scs_target, scs_info, tmp_path: Path):
    """A bridge to the target, reset to factory settings, recording a capture of the test."""
    from protocol.capture import CaptureWriter

    needs = request.node.get_closest_marker("needs")
    if needs is not None and not scs_info.has(needs.args[0]):
        pytest.skip(f"target {scs_info.name} lacks capability {needs.args[0]}")
    capture_path = tmp_path / "capture.jsonl"
    capture = CaptureWriter.open(capture_path, target=scs_info.name)
    bridge = scs_target.bridge(capture=capture)
    scs_target.factory_reset(bridge)
    yield bridge
    bridge.close()
    capture.close()
    rep = getattr(request.node, "scs_rep_call", None)
    if rep is not None and rep.failed:
        keep = Path(request.config.getoption("--scs-captures"))
        keep.mkdir(parents=True, exist_ok=True)
        dest = keep / (request.node.nodeid.replace("/", "_").replace("::", "__") + ".jsonl")
        shutil.copy(capture_path, dest)
        request.node.user_properties.append(("scs_capture", str(dest)))


@pytest.fixture
def clinician(scs):
    from protocol.catalog import Role

    scs.login(Role.CLINICIAN)
    return scs


@pytest.fixture
def tester(scs):
    """The bridge logged in with the test role (stimulus inputs, clock, trace; all a clinician may)."""
    from protocol.catalog import Role

    scs.login(Role.TEST)
    return scs


@pytest.fixture
def patient(scs):
    from protocol.catalog import Role

    scs.login(Role.PATIENT)
    return scs
