"""Role fixtures that work together: clinician, patient and tester each run every call in their own
role's session on one device (logging in again when another role took the link), a second device
has its own fixtures, and every fixture is listed with its role and what it may do."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from hil.harness.roles import RoleError, RoleSession
from hil.link.bridge import RequestRefused
from hil.targets import make_target
from protocol.capture.format import CaptureWriter, read_capture
from protocol.capture.view import decode_capture
from protocol.spec.catalog import Role, load_catalog

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
CAT = load_catalog()


def run_pytest(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-P", "-m", "pytest", "-p", "no:cacheprovider", "-p", "no:labgrid",
                           "-o", "addopts=", "-W", "ignore::DeprecationWarning", str(folder),
                           "--scs-runs", str(folder / "runs"), *args], capture_output=True, text=True, cwd=folder,
                          env=ENV, timeout=300)


@pytest.fixture
def bridge(tmp_path):
    target = make_target("model")
    capture = CaptureWriter.open(tmp_path / "c.jsonl", target="model")
    b = target.bridge(capture=capture)
    target.factory_reset(b)
    yield b
    b.close()
    capture.close()
    target.close()


def hellos(tmp_path: Path) -> list[int]:
    """The roles of the handshakes (HELLO) recorded so far, in order."""
    header, chunks = read_capture(tmp_path / "c.jsonl")
    return [r.fields.role for r in decode_capture(chunks).records if r.message == "HELLO"]


def test_each_role_session_runs_its_calls_as_its_role_and_logs_in_again_only_when_another_took_the_link(
        bridge, tmp_path):
    from hil.harness.conformance.support import area

    clinician, patient = RoleSession(bridge, Role.CLINICIAN), RoleSession(bridge, Role.PATIENT)
    clinician.call("AREA_WRITE", program=0, area=0, **area(0, 1))
    clinician.call("PROGRAM_COMMIT", program=0, area_count=1)
    with pytest.raises(RequestRefused) as refused:
        patient.call("AREA_WRITE", program=0, area=0, **area(0, 1))
    assert refused.value.result == "NOT_PERMITTED" and bridge.role is Role.PATIENT
    clinician.call("LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=3500, patient_selectable=1)
    patient.call("STATUS_GET")
    patient.call("STATUS_GET")
    bridge.capture.close()
    assert hellos(tmp_path) == [Role.CLINICIAN, Role.PATIENT, Role.CLINICIAN, Role.PATIENT]


def test_a_role_session_logs_in_again_after_the_device_was_reset(bridge):
    tester = RoleSession(bridge, Role.TEST)
    tester.call("CLOCK_ADVANCE", ticks=10)
    tester.call("RESET", kind=0)  # a soft reset ends the session
    assert bridge.role is None
    assert tester.call("CLOCK_ADVANCE", ticks=10) is not None and bridge.role is Role.TEST


def test_expect_event_and_wait_until_run_in_the_role_session_that_asks(bridge):
    tester, clinician = RoleSession(bridge, Role.TEST), RoleSession(bridge, Role.CLINICIAN)
    clinician.call("STATUS_GET")
    tester.call("IMPEDANCE_INPUT", contact=0, ohms=60_000)
    clinician.call("STATUS_GET")  # the clinician takes the link back before the tester waits
    assert tester.expect_event("FAULT", "IMPEDANCE_OPEN", within_ticks=20_000_000).detail & 1
    assert clinician.wait_until(lambda s: s.fault_flags != 0, timeout_s=2).fault_flags


def test_a_role_fixture_refuses_to_log_in_as_another_role_and_names_the_fixture_to_take(bridge):
    patient = RoleSession(bridge, Role.PATIENT)
    with pytest.raises(RoleError, match="take the `clinician` fixture for a clinician session"):
        patient.login(Role.CLINICIAN)
    with pytest.raises(RoleError, match="take the `tester` fixture"):
        patient.login(Role.TEST)
    patient.login()  # its own role: a fresh handshake
    assert bridge.role is Role.PATIENT


TOGETHER = textwrap.dedent("""
    from hil.harness.conformance.support import area
    from protocol.spec.catalog import Role

    def test_three_roles_in_one_test(scs, clinician, patient, tester):
        clinician.call("AREA_WRITE", program=0, area=0, **area(0, 1, amplitude_ua=3000))
        clinician.call("PROGRAM_COMMIT", program=0, area_count=1)
        assert scs.role is Role.CLINICIAN
        clinician.call("LIMITS_WRITE", program=0, area=0, min_amplitude_ua=2000, max_amplitude_ua=3500,
                       patient_selectable=1)
        assert patient.call("AMPLITUDE_STEP", area=0, steps=20).amplitude_ua[0] == 3500
        assert scs.role is Role.PATIENT
        tester.call("CLOCK_ADVANCE", ticks=1000)
        assert scs.role is Role.TEST
        clinician.call("AREA_READ", program=0, area=0)
        assert scs.role is Role.CLINICIAN
""")


@pytest.mark.parametrize("target", ["model", "sim"])
def test_clinician_patient_and_tester_work_together_in_one_test(tmp_path, target):
    (tmp_path / "test_together.py").write_text(TOGETHER)
    proc = run_pytest(tmp_path, "-q", "--scs-target", target)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


TWO_DEVICES = textwrap.dedent("""
    from hil.harness.conformance.support import area
    from protocol.wire.codec import make

    def test_two_devices(scs_target, scs_target2, clinician, clinician2, patient2):
        assert scs_target is not scs_target2
        clinician.call("AREA_WRITE", program=0, area=0, **area(0, 1, amplitude_ua=3000))
        clinician.call("PROGRAM_COMMIT", program=0, area_count=1)
        assert clinician.call("AREA_READ", program=0, area=0).amplitude_ua == 3000
        other = clinician2.request(make(clinician2.catalog, "AREA_READ", program=0, area=0))
        assert other.result == "WRONG_STATE", "the second device has no program 0: a device of its own"
        assert patient2.call("STATUS_GET").stim_on == 0
""")


def test_a_second_target_has_its_own_device_and_role_fixtures(tmp_path):
    (tmp_path / "test_two.py").write_text(TWO_DEVICES)
    proc = run_pytest(tmp_path, "-q", "--scs-target", "model", "--scs-target2", "sim")
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


def test_without_a_second_target_its_tests_skip_saying_which_option_to_pass(tmp_path):
    (tmp_path / "test_two.py").write_text(TWO_DEVICES)
    proc = run_pytest(tmp_path, "-q", "-rs", "--scs-target", "model")
    assert proc.returncode == 0 and "1 skipped" in proc.stdout, proc.stdout + proc.stderr
    assert "needs a second target: pass --scs-target2 SPEC" in proc.stdout


def requests_of(role: Role) -> list[str]:
    return [m.name for m in CAT.requests if m.role is role]


def test_every_fixture_is_listed_with_its_role_and_what_it_may_do(tmp_path):
    (tmp_path / "test_nothing.py").write_text("def test_nothing():\n    pass\n")
    proc = run_pytest(tmp_path, "--fixtures", "-q", "--scs-target", "model")
    listing = proc.stdout
    docs: dict[str, str] = {}
    name = ""
    for line in listing.splitlines():
        if " -- " in line and not line.startswith(" "):  # "name [scope] -- where"
            name = line.split(" ", 1)[0]
            docs[name] = ""
        elif line.startswith("    ") and name:
            docs[name] += " " + line.strip()
    for fixture, role in (("patient", Role.PATIENT), ("clinician", Role.CLINICIAN), ("tester", Role.TEST)):
        text = docs[fixture]
        assert f"Role {role.name.lower()}" in text
        missing = [name for name in requests_of(role) if name not in text]
        assert not missing, f"{fixture} does not list {missing}"
    for fixture in ("scs", "scs_target", "scs_info", "scs2", "scs_target2", "scs_info2", "clinician2", "patient2",
                    "tester2"):
        assert len(docs.get(fixture, "")) > 40, f"{fixture}: {docs.get(fixture)}"
    guide = (ROOT / "docs" / "testing.md").read_text()
    for fixture in ("clinician", "patient", "tester", "scs2", "clinician2", "patient2", "tester2"):
        assert f"`{fixture}`" in guide
