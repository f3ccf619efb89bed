"""Board farms on labgrid: the conformance suite runs through a real labgrid coordinator and exporter
on localhost, on a place acquired like a lab user would, with the virtual board's pty exported by
the exporter's own ser2net (the README's lab setup, step by step)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PLACE = "scs-sim"
STEP_S = 30  # bound on every labgrid step
pytestmark = pytest.mark.lab  # labgrid coordinator, exporter and client, ser2net


def _require_lab() -> None:
    missing = [tool for tool in ("labgrid-coordinator", "labgrid-exporter", "labgrid-client", "ser2net")
               if shutil.which(tool) is None]
    if missing:
        if os.environ.get("CI"):
            pytest.fail(f"{', '.join(missing)} missing: the README's test command installs them (make test)")
        pytest.skip(f"{', '.join(missing)} not installed (make test installs them)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(address: str) -> bool:
    host, port = address.split(":")
    with socket.socket() as s:
        return s.connect_ex((host, int(port))) == 0


def _start(cmd: list[str], log: Path, **kw) -> subprocess.Popen:
    """A helper process in its own process group (ended with everything it started, e.g. ser2net)."""
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, start_new_session=True, **kw)


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # whatever it started (the exporter's ser2net)
    except ProcessLookupError:
        pass
    if proc.stdin is not None:
        proc.stdin.close()


def _wait_for(what: str, check, log: Path) -> None:
    deadline = time.monotonic() + STEP_S
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"{what} within {STEP_S} s:\n{log.read_text()}")


def _client(env: dict, *args: str) -> str:
    proc = subprocess.run(["labgrid-client", *args], capture_output=True, text=True, env=env, timeout=STEP_S)
    assert proc.returncode == 0, f"labgrid-client {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """Virtual board on a pty, labgrid coordinator and exporter on 127.0.0.1, a place for the board."""
    _require_lab()
    tmp_path = tmp_path_factory.mktemp("lab")
    procs: list[subprocess.Popen] = []
    board = None
    try:
        from tests.support.board_keys import published_key_file

        board = subprocess.Popen([sys.executable, "-P", "-m", "hil.cli", "board", "--pty", "--speed", "0",
                                  "--keys", str(published_key_file(tmp_path))],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                                 start_new_session=True)
        procs.append(board)
        line = board.stdout.readline()
        assert "listening on " in line, line
        pty_path = line.split("listening on ", 1)[1].strip()
        address = f"127.0.0.1:{_free_port()}"
        coordinator_log = tmp_path / "coordinator.log"
        # the coordinator keeps places.yaml and resources.yaml in its working directory
        procs.append(_start(["labgrid-coordinator", "--listen", address], coordinator_log, cwd=tmp_path))
        _wait_for("the coordinator listens", lambda: _listening(address), coordinator_log)
        (tmp_path / "exporter.yaml").write_text(
            f"scs-lab:\n  RawSerialPort:\n    port: {pty_path}\n    speed: 115200\n")
        exporter_log = tmp_path / "exporter.log"
        # the exporter's ser2net polls the stdin it inherits: a pipe, never /dev/null (CI has no stdin)
        procs.append(_start(["labgrid-exporter", "--coordinator", address, "--name", "scs-exporter",
                             "--hostname", "127.0.0.1", str(tmp_path / "exporter.yaml")], exporter_log,
                            stdin=subprocess.PIPE, cwd=tmp_path))
        env = {**os.environ, "LG_COORDINATOR": address}
        _wait_for("the exporter registers its NetworkSerialPort",
                  lambda: "NetworkSerialPort" in subprocess.run(["labgrid-client", "resources"], capture_output=True,
                                                                text=True, env=env, timeout=STEP_S).stdout,
                  exporter_log)
        _client(env, "-p", PLACE, "create")
        _client(env, "-p", PLACE, "add-match", "scs-exporter/scs-lab/NetworkSerialPort")
        _client(env, "-p", PLACE, "acquire")
        yield env, address, tmp_path
        _client(env, "-p", PLACE, "release")
    finally:
        for proc in reversed(procs):
            _stop(proc)
        if board is not None:
            board.stdout.close()
            board.stderr.close()


def test_the_conformance_suite_runs_on_a_place_acquired_through_a_labgrid_coordinator(lab, tmp_path):
    env, address, _ = lab
    (tmp_path / "env.yaml").write_text(
        f"targets:\n  main:\n    resources:\n      RemotePlace:\n        name: {PLACE}\n"
        f"options:\n  coordinator_address: {address}\n")
    junit = tmp_path / "lab.xml"
    proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
                           "--pyargs", "hil.harness.conformance", "--lg-env", str(tmp_path / "env.yaml"),
                           "-k", "identity_and_messages",
                           f"--junitxml={junit}", "-W", "ignore::DeprecationWarning"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert " passed" in proc.stdout and "failed" not in proc.stdout
    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert props["scs_target"].startswith("rfc2217://127.0.0.1:") and "ign_set_control" in props["scs_target"]
    assert props["scs_device_id"] == "0x5c5000000001"
    shown = _client(env, "-p", PLACE, "show")
    assert "acquired:" in shown and "NetworkSerialPort" in shown


def test_an_unacquired_place_stops_the_run_with_one_message_naming_labgrid(lab, tmp_path):
    env, address, _ = lab
    _client(env, "-p", PLACE, "release")
    (tmp_path / "env.yaml").write_text(
        f"targets:\n  main:\n    resources:\n      RemotePlace:\n        name: {PLACE}\n"
        f"options:\n  coordinator_address: {address}\n")
    proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-p", "no:cacheprovider", "-o", "addopts=", "-q",
                           "--pyargs", "hil.harness.conformance", "--lg-env", str(tmp_path / "env.yaml")],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert proc.returncode == 2, proc.stdout[-3000:] + proc.stderr[-2000:]
    assert "target labgrid" in proc.stdout and " passed" not in proc.stdout
    _client(env, "-p", PLACE, "acquire")  # the fixture releases it
