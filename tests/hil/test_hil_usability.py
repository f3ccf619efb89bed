"""HIL for real labs: fail fast, a lost target stops the run, Ctrl-C, per-run folders, readable failing
exchanges in JUnit, expect-style matching, parallel workers, and the CLI's small promises."""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import textwrap
import threading
import time
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hil.cli.main import build_parser, main
from hil.harness.preflight import TargetUnavailable, connect, hint_for
from hil.link.expect import ExpectTimeout
from hil.targets import make_target
from protocol.spec.catalog import Role

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def scs(*args: str, cwd: Path = ROOT, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-P", "-m", "hil.cli", *args], capture_output=True, text=True,
                          timeout=timeout, cwd=cwd, env=ENV)


def run_pytest(folder: Path, *args: str, timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:labgrid",
                           "-o", "addopts=", str(folder), *args], capture_output=True, text=True, cwd=folder,
                          timeout=timeout, env=ENV)


class SilentServer:
    """A TCP port that accepts connections and never answers (a board that is powered off)."""

    def __init__(self):
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                self.conns.append(self.sock.accept()[0])
            except OSError:
                return

    def close(self) -> None:
        self.sock.close()
        for c in self.conns:
            c.close()


# --- fail fast -----------------------------------------------------------------------------------
@pytest.fixture
def silent():
    server = SilentServer()
    yield f"socket://127.0.0.1:{server.port}"
    server.close()


@pytest.mark.parametrize("case", ["unknown", "missing device", "silent port", "bad keys", "missing keys"])
def test_scs_hil_against_an_unusable_target_exits_2_in_under_10_s_with_one_message(tmp_path, silent, case):
    bad_keys = tmp_path / "keys.toml"
    bad_keys.write_text("this is not a key file\n")
    args = {"unknown": ["--target", "bogus"], "missing device": ["--target", "/dev/ttyNOPE"],
            "silent port": ["--target", silent], "bad keys": ["--target", "model", "--keys", str(bad_keys)],
            "missing keys": ["--target", "model", "--keys", str(tmp_path / "nope.toml")]}[case]
    started = time.monotonic()
    proc = scs("hil", *args, cwd=tmp_path, timeout=60)
    elapsed = time.monotonic() - started
    assert proc.returncode == 2, proc.stdout + proc.stderr
    # the 10 s bound is the pre-flight's own (next test); here only: not a run of the whole suite
    assert elapsed < 30, f"took {elapsed:.1f} s"
    errors = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(errors) == 1 and "Traceback" not in proc.stderr, proc.stderr
    named = {"unknown": "bogus", "missing device": "/dev/ttyNOPE", "silent port": "no response to DEVICE_INFO_GET",
             "bad keys": str(bad_keys), "missing keys": "nope.toml"}[case]
    assert named in errors[0]
    assert "passed" not in proc.stdout and "conformance" not in proc.stdout.split("\n", 1)[-1]


def test_the_pre_flight_gives_up_within_its_budget_even_when_the_port_hangs(monkeypatch):
    import hil.harness.preflight as preflight

    release = threading.Event()
    monkeypatch.setattr(preflight, "probe", lambda target: release.wait(60))  # a port that never returns
    started = time.monotonic()
    with pytest.raises(TargetUnavailable, match="target model: no answer within 0.5 s"):
        connect("model", budget_s=0.5)
    release.set()
    assert time.monotonic() - started < 10
    policy = preflight.PROBE_POLICY
    assert policy.timeout_s * policy.attempts < preflight.PREFLIGHT_S <= 10, "a silent device fails inside 10 s"


@pytest.mark.slow
def test_the_pytest_plugin_stops_before_any_test_when_the_target_does_not_answer(tmp_path, silent):
    (tmp_path / "test_x.py").write_text("def test_a(scs):\n    pass\n\ndef test_b(scs):\n    pass\n")
    proc = run_pytest(tmp_path, "--scs-target", silent)
    assert proc.returncode == 2, proc.stdout
    assert proc.stdout.count("no response to DEVICE_INFO_GET") == 1 and "no tests ran" in proc.stdout


@pytest.mark.slow
def test_a_pytest_run_without_scs_fixtures_never_opens_a_target(tmp_path):
    (tmp_path / "test_plain.py").write_text("def test_plain():\n    assert True\n")
    proc = run_pytest(tmp_path, "--scs-target", "/dev/ttyNOPE")
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout


def test_an_rfc2217_url_without_ign_set_control_gets_a_hint_when_it_times_out():
    assert "?ign_set_control" in hint_for("rfc2217://lab:4000", "timeout while waiting for option 'control'")
    assert "?ign_set_control" in hint_for("rfc2217://lab:4000", "no response to DEVICE_INFO_GET")
    assert hint_for("rfc2217://lab:4000", "Connection refused") == ""
    assert hint_for("rfc2217://lab:4000?ign_set_control", "timeout while waiting") == ""


@pytest.mark.lab
def test_an_rfc2217_port_exported_from_a_pty_without_ign_set_control_fails_fast_with_the_hint(tmp_path):
    if shutil.which("ser2net") is None:
        if os.environ.get("CI"):
            pytest.fail("ser2net is missing: the README's test command installs it (make test)")
        pytest.skip("ser2net not installed (make test installs it)")
    from tests.support.board_keys import published_key_file

    board = subprocess.Popen([sys.executable, "-P", "-m", "hil.cli", "board", "--pty", "--speed", "0",
                              "--keys", str(published_key_file(tmp_path))], cwd=ROOT,
                             env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    s2n = None
    try:
        pty_path = board.stdout.readline().split("listening on ", 1)[1].strip()
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        config = tmp_path / "ser2net.yaml"
        config.write_text(f"connection: &board\n  accepter: telnet(rfc2217),tcp,127.0.0.1,{port}\n"
                          f"  connector: serialdev,{pty_path},115200n81,local\n")
        # ser2net 4.3 runs a console on stdin/stdout: pipes (it gives up on /dev/null)
        s2n = subprocess.Popen(["ser2net", "-n", "-c", str(config), "-p", "0"], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        started = time.monotonic()
        proc = scs("hil", "--target", f"rfc2217://127.0.0.1:{port}", timeout=60)
        assert proc.returncode == 2 and time.monotonic() - started < 30, proc.stdout + proc.stderr
        assert "add ?ign_set_control to the URL" in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    finally:
        for p in (s2n, board):
            if p is not None:
                p.terminate()
                p.wait(timeout=10)
        board.stdout.close()
        board.stderr.close()
        if s2n is not None:
            s2n.stdin.close()
            s2n.stdout.close()


def test_connect_describes_a_working_target_and_names_a_broken_one():
    target, info = connect("model")
    try:
        assert info.name == "model" and info.device_id == 0x5C5000000001
    finally:
        target.close()
    with pytest.raises(TargetUnavailable, match="target toaster: unknown target"):
        connect("toaster")


LOST = textwrap.dedent("""
    def test_one(patient):
        assert patient.call("STATUS_GET").stim_on == 0

    def test_board_dies(patient, scs_target):
        scs_target.proc.kill()
        scs_target.proc.wait()
        patient.call("STATUS_GET")

    def test_three(patient):
        pass

    def test_four(patient):
        pass
""")


@pytest.mark.slow
def test_a_target_lost_mid_run_stops_the_run_with_one_message_naming_it(tmp_path):
    (tmp_path / "test_lost.py").write_text(LOST)
    proc = run_pytest(tmp_path, "--scs-target", "sim", "--scs-runs", str(tmp_path / "runs"))
    out = proc.stdout
    assert proc.returncode == 2 and "1 failed, 1 passed" in out, out  # pytest: interrupted
    assert "test_three" not in out and "termios" not in out
    assert out.count("scs: target sim lost during test_lost.py::test_board_dies: the virtual board exited") == 1
    assert out.count("lost during") == 1, "one message about the lost target (pytest's Interrupted line)"


@pytest.mark.slow
def test_ctrl_c_exits_130_and_the_summary_says_the_run_was_interrupted():
    proc = subprocess.Popen([sys.executable, "-P", "-m", "hil.cli", "hil", "--target", "model"], cwd=ROOT, env=ENV,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        proc.stdout.readline()  # the header
        proc.stdout.readline()  # the target's identity
        while proc.stdout.read(1) not in (".", ""):
            pass  # wait for the first test to pass
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 130, out + err
    assert "interrupted" in out.splitlines()[-1] and "passed" in out.splitlines()[-1]


# --- captures, JUnit, run folders -----------------------------------------------------------------
FAILING = textwrap.dedent("""
    def test_fails(clinician):
        clinician.call("AREA_READ", program=1, area=0)
        assert False, "on purpose"

    def test_passes(patient):
        assert patient.call("STATUS_GET").stim_on == 0
""")


@pytest.mark.slow
def test_a_failing_tests_exchange_is_decoded_into_junit_system_out_and_each_run_keeps_its_own_folder(tmp_path):
    (tmp_path / "test_f.py").write_text(FAILING)
    runs = tmp_path / "runs"
    seen: list[Path] = []
    for i in range(2):
        junit = tmp_path / f"j{i}.xml"
        proc = run_pytest(tmp_path, "--scs-target", "model", "--scs-runs", str(runs), f"--junitxml={junit}")
        assert proc.returncode == 1 and "1 failed, 1 passed" in proc.stdout, proc.stdout
        root = ET.parse(junit).getroot()
        case = next(c for c in root.iter("testcase") if c.get("name") == "test_fails")
        out = case.find("system-out").text
        assert "AREA_READ  program=1 area=0" in out and "tag ok" in out and "host->dev" in out
        passing = next(c for c in root.iter("testcase") if c.get("name") == "test_passes")
        assert passing.find("system-out") is None
        props = {p.get("name"): p.get("value") for p in root.find(".//properties").iter("property")}
        assert props["scs_target"] == "model" and props["scs_device_id"] == "0x5c5000000001"
        new = [f for f in sorted(runs.iterdir()) if f not in seen]
        assert len(new) == 1, "every run gets a new folder; the last run's stays"
        seen += new
        assert len(list((new[0] / "captures").glob("*.jsonl"))) == 1
        assert str(new[0] / "captures") in proc.stdout, "the run prints where its captures are"


@pytest.mark.slow
def test_scs_hil_keeps_hypothesis_data_in_the_run_folder_not_the_working_directory(tmp_path):
    proc = scs("hil", "--target", "model", "-k", "differential", "--runs", str(tmp_path / "runs"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (tmp_path / ".hypothesis").exists()
    assert list((tmp_path / "runs").glob("*/hypothesis")), "hypothesis's database lives in the run folder"
    assert "run folder: " + str(tmp_path / "runs") in proc.stdout.replace("\n", "")


@pytest.mark.slow
def test_scs_hil_runs_without_warnings_and_leaves_nothing_in_the_working_directory(tmp_path):
    proc = scs("hil", "--target", "model", "-k", "differential", "-v", "--runs", str(tmp_path / "runs"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "warning" not in proc.stdout.lower(), proc.stdout
    assert sorted(p.name for p in tmp_path.iterdir()) == ["runs"], "no .benchmarks/, .hypothesis/, ..."


# --- expect-style matching -----------------------------------------------------------------------
@pytest.fixture
def clinician():
    target = make_target("model")
    bridge = target.bridge()
    bridge.login(Role.CLINICIAN)
    yield bridge
    bridge.close()
    target.close()


def start_therapy(b) -> None:
    from hil.harness.conformance.support import FOUR_AREAS, program

    program(b, 0, FOUR_AREAS[:1])
    b.call("PROGRAM_SELECT", program=0)
    b.call("STIM_SET", on=1)


def test_expect_event_returns_the_matching_event_by_kind_and_code_name(clinician):
    start_therapy(clinician)
    event = clinician.expect_event("MODE", code="STIM_ON")
    assert event.kind == 4 and event.code == 1
    clinician.call("STIM_SET", on=0)
    assert clinician.expect_event("mode", "stim_off").code == 2


def test_expect_event_within_ticks_advances_a_virtual_clock_only_until_the_event(tester):
    tester.call("IMPEDANCE_INPUT", contact=0, ohms=60_000)  # an open contact, found at the next check
    start = tester.call("CLOCK_GET").ticks
    event = tester.expect_event("FAULT", "IMPEDANCE_OPEN", within_ticks=20_000_000)
    assert start < event.tick <= start + 10_000_000, "the impedance check runs every 10 s of device time"
    now = tester.call("CLOCK_GET").ticks
    assert event.tick <= now <= event.tick + 20_000_000 // 8, "advanced in eighths, stopping at the match"


def test_an_expect_timeout_says_what_was_expected_and_lists_the_last_events(tester):
    start_therapy(tester)
    with pytest.raises(ExpectTimeout) as e:
        tester.expect_event("FAULT", "WATCHDOG", within_ticks=1000)
    text = str(e.value)
    assert "no EVENT FAULT WATCHDOG within 1000 ticks" in text and "MODE STIM_ON" in text
    with pytest.raises(ValueError, match="not allowed for MODE: STIM_ON, STIM_OFF"):
        tester.expect_event("MODE", "STIM_SIDEWAYS")


def test_wait_until_returns_the_status_that_satisfies_the_predicate_or_shows_the_last_one(clinician):
    start_therapy(clinician)
    assert clinician.wait_until(lambda s: s.stim_on == 1, timeout_s=2).stim_on == 1
    with pytest.raises(ExpectTimeout) as e:
        clinician.wait_until(lambda s: s.stim_on == 0, timeout_s=0.2, what="stimulation off")
    assert "stimulation off did not hold" in str(e.value) and "stim_on=1" in str(e.value)
    assert "last events seen" in str(e.value)


# --- parallel runs -------------------------------------------------------------------------------
PARALLEL = textwrap.dedent("""
    import os
    import pytest

    @pytest.mark.parametrize("i", range(4))
    def test_one_instance_per_worker(scs, scs_target, record_property, i):
        record_property("board_pid", scs_target.proc.pid)
        record_property("worker", os.environ.get("PYTEST_XDIST_WORKER", "none"))
        assert scs.device_info().device_id == 0x5C5000000001
""")


@pytest.mark.slow
def test_under_xdist_each_worker_has_its_own_virtual_board_and_junit_keeps_the_identity(tmp_path):
    (tmp_path / "test_par.py").write_text(PARALLEL)
    junit = tmp_path / "par.xml"
    proc = run_pytest(tmp_path, "-n", "2", "--scs-target", "sim", f"--junitxml={junit}", "-p", "xdist")
    assert proc.returncode == 0 and "4 passed" in proc.stdout, proc.stdout + proc.stderr
    root = ET.parse(junit).getroot()
    suite_props = {p.get("name"): p.get("value") for p in root.find(".//properties").iter("property")}
    assert suite_props["scs_target"] == "sim" and suite_props["scs_tick_ns"] == "1000"
    pids: dict[str, set] = {}
    for case in root.iter("testcase"):
        props = {p.get("name"): p.get("value") for p in case.iter("property")}
        assert props["scs_target"] == "sim"
        pids.setdefault(props["worker"], set()).add(props["board_pid"])
    assert set(pids) == {"gw0", "gw1"}, pids
    assert all(len(p) == 1 for p in pids.values()) and pids["gw0"] != pids["gw1"], "one board per worker"


def test_a_real_device_is_not_shared_by_xdist_workers(tmp_path):
    (tmp_path / "test_x.py").write_text("def test_a(scs):\n    pass\n")
    proc = run_pytest(tmp_path, "-n", "2", "--scs-target", "/dev/ttyNOPE", "-p", "xdist")
    assert proc.returncode == 2 and "can't serve several pytest-xdist workers" in proc.stdout, proc.stdout
    bad = scs("hil", "--target", "/dev/ttyACM0", "-n", "2")
    assert bad.returncode == 2 and "-n needs sim, qemu or model" in bad.stderr


@pytest.mark.slow
@pytest.mark.parametrize("target", ["sim", pytest.param("qemu", marks=pytest.mark.qemu)])
def test_the_conformance_suite_passes_on_two_workers(tmp_path, target):
    if target == "qemu" and (shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None):
        if os.environ.get("CI"):
            pytest.fail("qemu-system-arm or arm-none-eabi-gcc missing: make test installs them")
        pytest.skip("qemu-system-arm or arm-none-eabi-gcc not installed (make test installs them)")
    junit = tmp_path / "junit.xml"
    proc = scs("hil", "--target", target, "-n", "2", "--junit", str(junit), cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 failed" in proc.stdout
    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().find(".//properties").iter("property")}
    assert props["scs_target"] == target and "pulse trace" in props["scs_capabilities"]


# --- CLI polish ----------------------------------------------------------------------------------
def test_scs_version_prints_the_package_version(capsys):
    from hil.cli.main import version

    with pytest.raises(SystemExit) as e:
        main(["--version"])
    assert e.value.code == 0 and capsys.readouterr().out.strip() == f"scs {version()}"


@pytest.mark.parametrize("device_id", ["-1", "0", str(2**64), "0x1_0000_0000_0000_0000", "twelve"])
def test_keys_new_refuses_device_ids_outside_1_to_2_64_minus_1(tmp_path, device_id):
    proc = scs("keys", "new", "--device-id", device_id, "--out", str(tmp_path / "k.toml"))
    assert proc.returncode == 2 and "device id" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "k.toml").exists()


def test_keys_new_accepts_the_largest_device_id_and_scs_reads_it_back(tmp_path):
    from protocol.session import KeyStore

    proc = scs("keys", "new", "--device-id", str(2**64 - 1), "--out", str(tmp_path / "k.toml"))
    assert proc.returncode == 0, proc.stderr
    assert KeyStore.load(tmp_path / "k.toml").devices[0].device_id == 2**64 - 1


@pytest.mark.parametrize("port", ["99999", "-1", "http"])
def test_scs_board_refuses_a_bad_tcp_port_without_a_traceback(port):
    proc = scs("board", "--tcp", port, timeout=30)
    assert proc.returncode == 2 and "--tcp" in proc.stderr and "Traceback" not in proc.stderr
    assert "0 (any free port) to 65535" in proc.stderr or "not an integer" in proc.stderr


def test_output_paths_are_checked_before_any_work(tmp_path):
    started = time.monotonic()
    proc = scs("simulate", str(ROOT / "examples/four_areas.toml"), "--duration", "1000h",
               "--out", str(tmp_path / "missing" / "t.npz"), timeout=60)
    assert proc.returncode == 2 and "folder" in proc.stderr and "does not exist" in proc.stderr
    assert time.monotonic() - started < 30, "refused before simulating 1000 hours"
    assert scs("hil", "--junit", str(tmp_path), "--target", "model").returncode == 2
    assert scs("capture", "export", "--pcapng", str(tmp_path / "no" / "x.pcapng"), "c.jsonl").returncode == 2


def test_errors_name_the_users_keys_and_values_not_internal_ones(tmp_path):
    text = (ROOT / "examples/tonic.toml").read_text()
    import re

    bad = re.sub(r"(?m)^rate_hz = .*$", "rate_hz = 5000000", text, count=1)
    (tmp_path / "s.toml").write_text(bad)
    proc = scs("simulate", str(tmp_path / "s.toml"))
    assert proc.returncode == 2 and "rate_hz: 5000000 is not allowed" in proc.stderr and " Hz" in proc.stderr
    assert "rate_mhz" not in proc.stderr and "mHz" not in proc.stderr
    battery = (ROOT / "examples/battery_hf10.toml").read_text().replace("every_days = 1", "every_days = 0")
    (tmp_path / "b.toml").write_text(battery)
    proc = scs("battery", str(tmp_path / "b.toml"))
    assert proc.returncode == 2 and "every_days: 0 is not allowed" in proc.stderr
    assert "RechargeHabit(" not in proc.stderr and "Coupling(" not in proc.stderr


def test_pytest_and_scs_hil_default_to_the_same_target():
    from hil.harness.plugin import DEFAULT_TARGET

    hil = build_parser()._subparsers._group_actions[0].choices["hil"]
    assert hil.get_default("target") == DEFAULT_TARGET == "sim"


def _all_parsers(parser: argparse.ArgumentParser, path: str = "scs"):
    yield path, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, child in action.choices.items():
                yield from _all_parsers(child, f"{path} {name}")


def test_every_commands_help_shows_its_defaults():
    for path, parser in _all_parsers(build_parser()):
        text = parser.format_help().replace("\n", " ")
        text = " ".join(text.split())
        for action in parser._actions:
            if not action.option_strings or action.default in (None, False, argparse.SUPPRESS):
                continue
            assert f"default: {action.default}" in text or "(default)" in text, (path, action.dest)


def test_a_test_needing_matplotlib_skips_with_the_reason_when_it_is_missing(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None; import pytest; "
            f"sys.exit(pytest.main(['-q', '-rs', '-p', 'no:cacheprovider', '-p', 'no:labgrid', '-o', 'addopts=', "
            f"'{ROOT}/tests/hil/test_cli_simulate.py', '-k', 'plot']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120)
    assert proc.returncode == 0 and "1 skipped" in proc.stdout, proc.stdout
    assert "needs the plot extra (matplotlib): pip install 'scs-hil[plot]'" in proc.stdout


@pytest.mark.parametrize("runs", ["file", "/proc/nope"])
def test_an_unusable_runs_folder_stops_scs_hil_and_pytest_at_start_with_one_line(tmp_path, runs):
    if runs == "file":
        runs = str(tmp_path / "a-file")
        Path(runs).write_text("not a folder")
    proc = scs("hil", "--target", "model", "--runs", runs, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and f"--runs {runs}:" in proc.stderr
    assert "passed" not in proc.stdout and "Traceback" not in proc.stderr
    (tmp_path / "t").mkdir()
    (tmp_path / "t" / "test_a.py").write_text("def test_a():\n    pass\n")
    proc = run_pytest(tmp_path / "t", "--scs-runs", runs)
    assert proc.returncode == 2 and f"--scs-runs {runs}:" in proc.stderr + proc.stdout
    assert "1 passed" not in proc.stdout


@pytest.mark.parametrize("speed", ["nan", "inf", "-inf", "-1", "1e7", "fast"])
def test_scs_board_refuses_a_speed_that_is_not_a_finite_ratio_and_says_what_is_allowed(speed):
    proc = scs("board", "--pty", f"--speed={speed}", timeout=30)
    assert proc.returncode == 2 and "--speed" in proc.stderr and "Traceback" not in proc.stderr
    assert "up to 1e+06" in proc.stderr or "not a number" in proc.stderr


@pytest.mark.parametrize("url, given", [("socket://127.0.0.1:99999", "TCP port 99999"),
                                        ("rfc2217://127.0.0.1:99999?ign_set_control", "TCP port 99999"),
                                        ("socket://127.0.0.1:0", "TCP port 0"),
                                        ("socket://127.0.0.1", "names no TCP port")])
def test_a_target_url_with_a_bad_tcp_port_is_refused_naming_the_port_and_the_range(url, given):
    with pytest.raises(TargetUnavailable) as e:
        connect(url, budget_s=5)
    assert f"target {url}: " in str(e.value) and given in str(e.value) and "PORT 1 to 65535" in str(e.value)


def test_keys_new_refuses_the_same_device_id_twice_in_any_spelling(tmp_path, capsys):
    assert main(["keys", "new", "--device-id", "1", "--device-id", "0x1", "--out", str(tmp_path / "k.toml")]) == 2
    assert "--device-id 0x1 given twice" in capsys.readouterr().err
    assert not (tmp_path / "k.toml").exists()


def test_a_key_file_listing_a_device_id_twice_is_refused_naming_the_entry(tmp_path):
    from protocol.session import KeyFileError, KeyStore, new_key_file

    path = tmp_path / "k.toml"
    path.write_text(new_key_file([7, 7]))
    with pytest.raises(KeyFileError, match=r"device\[1\]: device_id 7 is listed twice"):
        KeyStore.load(path)


def test_simulate_plot_without_matplotlib_is_refused_before_simulating(tmp_path):
    code = ("import sys; sys.modules['matplotlib'] = None; from hil.cli.main import main; "
            f"sys.exit(main(['simulate', '{ROOT}/examples/four_areas.toml', '--duration', '10s', "
            f"'--plot', '{tmp_path}/p.png']))")
    proc = subprocess.run([sys.executable, "-P", "-c", code], capture_output=True, text=True, cwd=ROOT, env=ENV,
                          timeout=120)
    assert proc.returncode == 2 and "--plot needs matplotlib" in proc.stderr
    assert proc.stdout == "", "refused before the simulation printed its summary"


def test_capture_show_into_a_closed_pipe_exits_quietly_with_141(tmp_path):
    from tests.support.captures import session

    capture = tmp_path / "c.jsonl"
    lines = session().capture_lines()
    import json

    records = [json.loads(line) for line in lines[1:]] * 200  # far more output than a pipe buffer holds
    capture.write_text("\n".join(lines[:1] + [json.dumps({**r, "t_ns": i}) for i, r in enumerate(records)]) + "\n")
    proc = subprocess.Popen([sys.executable, "-P", "-m", "hil.cli", "capture", "show", str(capture)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=ROOT, env=ENV)
    assert proc.stdout is not None and proc.stderr is not None
    assert proc.stdout.readline()  # like `head -1`: one line, then the reader is gone
    proc.stdout.close()
    err = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141 and err == ""


def test_a_pty_whose_board_side_closed_is_described_in_words_not_as_a_tuple():
    import pty

    from hil.harness.preflight import lost_cause

    board_side, port_side = pty.openpty()
    target = make_target(os.ttyname(port_side))
    try:
        target.open_port()
        os.close(board_side)
        cause = lost_cause(target)
        assert cause is not None and "Input/output error (errno 5)" in cause and "(5, '" not in cause
    finally:
        target.close()
        os.close(port_side)


@pytest.mark.parametrize("command", [["hil", "--target", "model"], ["check", "c.jsonl"], ["capture", "show", "c.jsonl"],
                                     ["board", "--pty"]])
def test_keys_naming_a_folder_is_refused_saying_it_is_a_folder(tmp_path, capsys, command):
    assert main([*command, "--keys", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"--keys {tmp_path}: is a folder; give a key file" in err and err.count("\n") == 1


def test_the_pytest_plugin_says_a_keys_folder_is_a_folder(tmp_path):
    (tmp_path / "test_a.py").write_text("def test_a(scs):\n    pass\n")
    proc = run_pytest(tmp_path, "--scs-target", "model", "--scs-keys", str(tmp_path))
    assert proc.returncode == 2 and f"key file {tmp_path}: is a folder" in proc.stdout + proc.stderr


@pytest.mark.parametrize("workers", ["0", "100000", str(4 * (os.cpu_count() or 1) + 1)])
def test_scs_hil_n_is_bounded_by_4_workers_per_core_with_a_clear_error(workers):
    proc = scs("hil", "--target", "model", "-n", workers, timeout=60)
    assert proc.returncode == 2 and "argument -n/--workers" in proc.stderr and "not allowed" in proc.stderr
    assert "passed" not in proc.stdout
    if workers != "0":
        assert f"1 to {4 * (os.cpu_count() or 1)} (4 per CPU core" in proc.stderr


def test_expect_names_every_event_kinds_codes_as_the_definition_does():
    from hil.link.expect import event_code
    from protocol.capture.view import event_names
    from protocol.spec.generated import BatteryState, EventKind, RechargeState

    assert event_code(EventKind.BATTERY, "recharge_soon") == BatteryState.RECHARGE_SOON
    assert event_code(EventKind.RECHARGE, "complete") == RechargeState.COMPLETE
    for kind, (_, codes) in event_names().items():
        for value, name in codes.items():
            assert event_code(EventKind(kind), name) == value
