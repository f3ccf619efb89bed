"""Wrong keys are found at once and blamed on the keys: the pre-flight logs in before the first test,
and `scs check` says once that a key file verifies none of a capture's handshakes."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from hil.cli.main import main
from protocol.capture.checker import Checker
from protocol.capture.format import parse_capture
from protocol.session import KeyStore, new_key_file
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import make
from tests.support.protocol_harness import KEYS, Pair

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
CAT = load_catalog()


def other_keys(folder: Path, device_id: int = KEYS.device_id) -> Path:
    path = folder / "other-keys.toml"
    path.write_text(new_key_file([device_id], test_role=True))
    return path


@pytest.fixture
def board_with_its_own_keys(tmp_path):
    """`scs board` without --keys: fresh keys that neither the development keys nor other files match."""
    board = subprocess.Popen([sys.executable, "-P", "-m", "hil.cli", "board", "--tcp", "0", "--speed", "0",
                              "--flash", str(tmp_path / "flash.bin")], cwd=tmp_path, env=ENV,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        url = ""
        while "listening on " not in url:
            url = board.stdout.readline()
            assert url, board.stderr.read()
            if "fresh keys for this run in " in url:
                board.key_file = Path(url.split(" in ", 1)[1].strip())  # type: ignore[attr-defined]
        board.url = url.split("listening on ", 1)[1].strip()  # type: ignore[attr-defined]
        yield board
    finally:
        board.terminate()
        board.wait(timeout=10)
        board.stdout.close()
        board.stderr.close()


# --- pre-flight ----------------------------------------------------------------------------------
def test_scs_hil_without_the_boards_key_file_stops_at_pre_flight_with_exit_2_and_one_line(board_with_its_own_keys):
    proc = subprocess.run([sys.executable, "-P", "-m", "hil.cli", "hil", "--target", board_with_its_own_keys.url],
                          capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert "clinician handshake failed with the development keys (no key file given)" in line
    assert "device 0x5c5000000001" in line and "pass the device's own key file: --keys FILE" in line
    assert "no test ran" in line and "passed" not in proc.stdout


def test_pytest_with_a_wrong_key_file_stops_before_the_first_test_naming_file_device_role_and_option(
        board_with_its_own_keys, tmp_path):
    wrong = other_keys(tmp_path)
    (tmp_path / "test_one.py").write_text("def test_one(clinician):\n    clinician.call('STATUS_GET')\n")
    proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:labgrid",
                           "-o", "addopts=", str(tmp_path), "--scs-target", board_with_its_own_keys.url,
                           "--scs-keys", str(wrong)], capture_output=True, text=True, cwd=tmp_path, env=ENV,
                          timeout=120)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 2, out
    assert f"with key file {wrong} for device 0x5c5000000001" in out and "--scs-keys FILE" in out
    assert "no tests ran" in out


def test_the_pre_flight_checks_the_test_role_too_and_accepts_the_right_keys(board_with_its_own_keys, tmp_path):
    from hil.harness.preflight import TargetUnavailable, connect

    right = board_with_its_own_keys.key_file
    text = right.read_text()
    test_key = re.search(r'test_key = "([0-9a-f]+)"', text).group(1)
    wrong_test = tmp_path / "wrong-test-key.toml"
    wrong_test.write_text(text.replace(test_key, "ab" * 32))
    target, info = connect(board_with_its_own_keys.url, right)
    target.close()
    assert info.device_id == 0x5C5000000001
    with pytest.raises(TargetUnavailable, match=f"the test handshake failed with key file {wrong_test}"):
        connect(board_with_its_own_keys.url, wrong_test)


# --- scs check ------------------------------------------------------------------------------------
def clinician_session() -> list[str]:
    """A conformant clinician session that writes an area (what a wrong key file used to call an attack)."""
    p = Pair()
    p.request(make(CAT, "DEVICE_INFO_GET"))
    p.login(Role.CLINICIAN)
    p.request(make(CAT, "STATUS_GET"))
    p.request(make(CAT, "AREA_WRITE", program=0, area=0))
    p.login(Role.PATIENT)
    p.request(make(CAT, "STATUS_GET"))
    return p.capture_lines()


def test_keys_that_verify_no_handshake_are_reported_once_not_as_violations_per_frame(tmp_path):
    wrong = KeyStore.load(other_keys(tmp_path)).devices[0]
    _, chunks = parse_capture(clinician_session())
    checker = Checker(CAT, keys=wrong)
    assert checker.check(chunks) == [], "no false accusation such as 'device executed AREA_WRITE from a bad-tag frame'"
    assert checker.key_problem is not None and checker.key_problem.startswith("the tags don't verify with this key file")
    assert "2 handshakes (clinician, patient)" in checker.key_problem
    assert {r.tag for r in checker.records if r.tag is not None} == {"unverified"}


def test_the_right_keys_verify_every_tag_and_raise_no_key_problem():
    _, chunks = parse_capture(clinician_session())
    checker = Checker(CAT, keys=KEYS)
    assert checker.check(chunks) == [] and checker.key_problem is None
    assert "ok" in {r.tag for r in checker.records}


def test_keys_of_another_device_name_the_captures_device(tmp_path):
    wrong = KeyStore.load(other_keys(tmp_path, device_id=0x5C5000000009)).devices[0]
    _, chunks = parse_capture(clinician_session())
    checker = Checker(CAT, keys=wrong)
    checker.check(chunks)
    assert "keys of device 0x5c5000000009; the capture's device is 0x5c5000000001" in checker.key_problem


def test_scs_check_with_a_wrong_key_file_says_so_in_one_line_and_exits_2(tmp_path, capsys):
    capture = tmp_path / "session.jsonl"
    capture.write_text("\n".join(clinician_session()) + "\n")
    wrong = other_keys(tmp_path)
    assert main(["check", str(capture), "--keys", str(wrong)]) == 2
    out = capsys.readouterr()
    [line] = out.err.strip().splitlines()
    assert line.startswith(f"scs check: error: the tags don't verify with this key file: {wrong}")
    text = " ".join(out.out.split())
    assert "bad-tag frame" not in text and "no violations (tags not verified)" in text


def test_a_handshake_failing_among_verified_ones_is_still_a_violation(tmp_path):
    """The same keys verify the other handshake, so the failing one is the device's, reported once."""
    impostor = KeyStore.load(other_keys(tmp_path)).devices[0]
    first = Pair()
    first.login(Role.CLINICIAN)
    first.request(make(CAT, "STATUS_GET"))
    second = Pair(keys=impostor, seed=2)
    second.login(Role.CLINICIAN, keys=impostor)
    second.request(make(CAT, "AREA_WRITE", program=0, area=0))
    later = [json.dumps({**json.loads(line), "t_ns": json.loads(line)["t_ns"] + 10**9})
             for line in second.capture_lines()[1:]]  # after the first session, under one header
    lines = first.capture_lines() + later
    _, chunks = parse_capture(lines)
    checker = Checker(CAT, keys=KEYS)
    violations = checker.check(chunks)
    assert checker.key_problem is None
    assert [v.message for v in violations if v.kind == "auth"] == [
        "CHALLENGE device proof does not verify for role clinician (the same keys verify the capture's other handshakes)"]
