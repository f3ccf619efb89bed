"""Targets, the virtual dev board, the pytest plugin and `scs hil`, end to end."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import serial

from hil.link.bridge import Bridge
from hil.link.model_port import default_keys
from hil.targets import TargetError, make_target
from protocol.spec.catalog import Role

ROOT = Path(__file__).resolve().parents[2]


def scs(*args: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-P", "-m", "hil.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=ROOT)


def properties(junit: Path) -> dict[str, str]:
    root = ET.parse(junit).getroot()
    return {p.get("name"): p.get("value") for p in root.iter("property")}


@pytest.mark.slow
@pytest.mark.parametrize("target", ["model", "sim"])
def test_the_conformance_suite_passes_on_the_model_and_the_virtual_board(tmp_path, target):
    junit = tmp_path / "junit.xml"
    proc = scs("hil", "--target", target, "--junit", str(junit))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 failed" in proc.stdout and "conformance" in proc.stdout
    props = properties(junit)
    assert props["scs_target"] == target and props["scs_device_id"] == "0x5c5000000001"
    assert props["scs_tick_ns"] == "1000" and "pulse trace" in props["scs_capabilities"]


def test_a_target_describes_itself_from_what_the_device_reports():
    with make_target("model") as t:
        b = t.bridge()
        info = t.describe(b)
        b.close()
    assert info.protocol_version == 1 and info.tick_ns == 1000 and info.firmware_version == "0.1.0"
    with pytest.raises(TargetError, match="unknown target"):
        make_target("toaster")
    with pytest.raises(TargetError, match="cannot open /dev/ttyNOPE"):
        make_target("/dev/ttyNOPE").open_port()


def _start_board(*args: str) -> tuple[subprocess.Popen, str]:
    """Start `scs board` with the published test keys; the port it listens on."""
    key_file = ROOT / "build" / "test-keys.toml"
    key_file.parent.mkdir(exist_ok=True)
    from protocol.session import key_file_text

    key_file.write_text(key_file_text(default_keys()))
    proc = subprocess.Popen([sys.executable, "-P", "-m", "hil.cli", "board", "--keys", str(key_file), *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT)
    line = proc.stdout.readline()
    if "listening on " not in line:
        proc.kill()
        raise AssertionError(line + proc.stderr.read())
    return proc, line.split("listening on ", 1)[1].strip()


def test_the_virtual_board_serves_tcp_paces_its_clock_and_exits_cleanly_on_sigterm():
    proc, where = _start_board("--tcp", "0", "--speed", "10")
    try:
        assert where.startswith("socket://127.0.0.1:")
        with Bridge(serial.serial_for_url(where, timeout=0.05), keys=default_keys()) as b:
            b.login(Role.CLINICIAN)
            t1 = b.call("CLOCK_GET").ticks
            time.sleep(0.2)
            t2 = b.call("CLOCK_GET").ticks
        assert 1_000_000 <= t2 - t1 <= 5_000_000, "ten times faster than the wall clock"
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
        assert "stopped" in proc.stderr.read()
        proc.stdout.close()
        proc.stderr.close()


def test_the_virtual_board_on_a_pty_survives_a_client_reconnecting():
    proc, path = _start_board("--pty", "--speed", "0")
    try:
        for _ in range(2):
            with Bridge(serial.Serial(path, 115200, timeout=0.05), keys=default_keys()) as b:
                assert b.device_info().device_id == 0x5C5000000001
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        proc.stdout.close()
        proc.stderr.close()


def test_bad_board_options_exit_2_without_a_traceback():
    proc = scs("board", "--speed", "-1")
    assert proc.returncode == 2 and "not allowed" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.slow
def test_a_failing_test_keeps_its_capture_and_junit_names_the_target(tmp_path):
    (tmp_path / "test_fails.py").write_text(textwrap.dedent("""
        def test_fails(clinician):
            clinician.call("STATUS_GET")
            assert False, "on purpose"

        def test_passes(patient):
            assert patient.call("STATUS_GET").stim_on == 0
    """))
    captures = tmp_path / "caps"
    junit = tmp_path / "j.xml"
    proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path),
                           "--scs-target", "model", "--scs-captures", str(captures), f"--junitxml={junit}",
                           "-o", "addopts="], capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert proc.returncode == 1 and "1 failed, 1 passed" in proc.stdout, proc.stdout
    kept = list(captures.rglob("*.jsonl"))  # in this run's own folder under --scs-captures
    assert len(kept) == 1 and "test_fails" in kept[0].name
    assert str(kept[0].parent) in proc.stdout, "the run prints where its captures went"
    check = scs("check", str(kept[0]))
    assert check.returncode == 0, check.stdout
    assert properties(junit)["scs_target"] == "model"


@pytest.mark.slow
def test_scs_target_can_come_from_the_environment(tmp_path):
    (tmp_path / "test_env.py").write_text("def test_env(scs_info):\n    assert scs_info.name == 'sim'\n")
    env = {**os.environ, "SCS_TARGET": "sim"}
    proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path),
                           "-o", "addopts="], capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 0, proc.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.lab
def test_the_conformance_suite_passes_through_ser2net_over_rfc2217(tmp_path):
    if shutil.which("ser2net") is None:
        if os.environ.get("CI"):
            pytest.fail("ser2net is missing: the README's test command installs it (make test)")
        pytest.skip("ser2net not installed (make test installs it)")
    board, pty_path = _start_board("--pty", "--speed", "1")
    port = _free_port()
    config = tmp_path / "ser2net.yaml"
    config.write_text(f"connection: &board\n  accepter: telnet(rfc2217),tcp,127.0.0.1,{port}\n"
                      f"  connector: serialdev,{pty_path},115200n81,local\n")
    # ser2net polls its stdin: give it a pipe (epoll refuses /dev/null)
    s2n = subprocess.Popen(["ser2net", "-n", "-c", str(config), "-p", "0"], stdin=subprocess.PIPE,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        proc = scs("hil", "--target", f"rfc2217://127.0.0.1:{port}?ign_set_control", timeout=600)
        assert proc.returncode == 0, proc.stdout + proc.stderr
        assert "0 failed" in proc.stdout
    finally:
        s2n.terminate()
        s2n.wait(timeout=10)
        board.terminate()
        board.wait(timeout=10)
        for f in (s2n.stdin, s2n.stdout, board.stdout, board.stderr):
            f.close()
