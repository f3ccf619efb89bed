"""Evidence you can keep: every test's capture with an index, skip reasons that name the capability
(terminal and JUnit), pytest arguments through `scs hil -- ...`, and a `-n` that can't work refused
in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def scs(*args: str, cwd: Path = ROOT, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-P", "-m", "hil.cli", *args], capture_output=True, text=True,
                          timeout=600, cwd=cwd, env=env or ENV)


def run_folder(runs: Path) -> Path:
    [folder] = list(runs.iterdir())
    return folder


# --- kept captures -------------------------------------------------------------------------------
def test_keep_captures_keeps_every_tests_capture_with_an_index_of_test_outcome_capture_and_duration(tmp_path):
    proc = scs("hil", "--target", "model", "--keep-captures", "--runs", str(tmp_path / "runs"),
               "--", "-k", "patient_selects or hardware_timed or wrong_state_unsafe")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    captures = run_folder(tmp_path / "runs") / "captures"
    index = json.loads((captures / "index.json").read_text())
    by_outcome = {row["outcome"] for row in index}
    assert "passed" in by_outcome
    for row in index:
        assert set(row) >= {"test", "outcome", "capture", "duration_s"} and row["duration_s"] >= 0
        if row["outcome"] == "passed":
            kept = captures / row["capture"]
            assert kept.is_file() and '"dir"' in kept.read_text(), "a passing test's capture is kept"
    assert "captures of every test" in proc.stdout


def test_without_keep_captures_a_passing_test_leaves_no_capture(tmp_path):
    proc = scs("hil", "--target", "model", "--runs", str(tmp_path / "runs"), "--", "-k", "patient_selects")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not (run_folder(tmp_path / "runs") / "captures").exists()


# --- skip reasons --------------------------------------------------------------------------------
def test_skip_reasons_name_the_missing_capability_and_the_targets_in_the_summary_and_junit(tmp_path):
    junit = tmp_path / "results.xml"
    proc = scs("hil", "--target", "model", "--junit", str(junit), "--", "-k", "realtime")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    reason = "needs hardware-timed pulses; target model has: virtual clock, simulated inputs, pulse trace"
    assert reason in " ".join(proc.stdout.split())
    skipped = [s.get("message", "") for s in ET.parse(junit).getroot().iter("skipped")]
    assert skipped and any(reason in m for m in skipped), skipped
    has = "; target model has: virtual clock, simulated inputs, pulse trace"
    assert all(m.startswith("needs ") and has in m for m in skipped), skipped
    assert not any("capability 32" in m or "lacks capability" in m for m in skipped)


NEEDS = textwrap.dedent("""
    import pytest
    from protocol.spec.generated import Capability

    @pytest.mark.needs(Capability.HARDWARE_TIMED | Capability.TRACE)
    def test_needs_a_board(scs):
        pass
""")


def test_pytests_terminal_summary_lists_skips_by_their_capability_reason(tmp_path):
    (tmp_path / "test_needs.py").write_text(NEEDS)
    proc = subprocess.run([sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:labgrid",
                           "-o", "addopts=", str(tmp_path), "--scs-target", "model", "--scs-runs",
                           str(tmp_path / "runs")], capture_output=True, text=True, cwd=tmp_path, env=ENV, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert ("scs: skipped 1 test: needs hardware-timed pulses; target model has: virtual clock, simulated inputs, "
            "pulse trace, rechargeable, test build") in proc.stdout, "only what is missing is named as needed"


# --- pytest arguments through scs hil ------------------------------------------------------------
def test_arguments_after_a_double_dash_go_to_pytest(tmp_path):
    proc = scs("hil", "--target", "model", "--runs", str(tmp_path / "runs"), "--", "-k", "patient_selects", "-x")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "1 passed, 0 failed" in proc.stdout


def test_a_bad_pytest_argument_after_the_double_dash_is_not_a_pass(tmp_path):
    proc = scs("hil", "--target", "model", "--runs", str(tmp_path / "runs"), "--", "--no-such-option")
    assert proc.returncode != 0 and "passed" not in proc.stdout.splitlines()[-1]


# --- -n that can't work --------------------------------------------------------------------------
@pytest.mark.parametrize("value", ["abc", "0", "-1", "2.5", "100000"])
def test_a_bad_n_exits_2_with_one_line(value):
    proc = scs("hil", "--target", "model", "-n", value)
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert line.startswith(f"scs hil: error: -n {value}: not allowed: 1 to ") and "4 per CPU core" in line
    assert "passed" not in proc.stdout


def test_n_without_pytest_xdist_exits_2_with_one_line_saying_what_to_install(tmp_path):
    (tmp_path / "sitecustomize.py").write_text("import sys\nsys.modules['xdist'] = None  # as if not installed\n")
    env = {**ENV, "PYTHONPATH": f"{tmp_path}{os.pathsep}{ROOT}"}
    proc = subprocess.run([sys.executable, "-m", "hil.cli", "hil", "--target", "model", "-n", "2"],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path, env=env)
    assert proc.returncode == 2, proc.stdout + proc.stderr
    [line] = proc.stderr.strip().splitlines()
    assert line == ("scs hil: error: -n 2: needs pytest-xdist, which is not installed (pip install pytest-xdist, "
                    "or run without -n)")


def test_n_with_a_real_device_exits_2_with_one_line():
    proc = scs("hil", "--target", "/dev/ttyACM9", "-n", "2")
    assert proc.returncode == 2
    [line] = proc.stderr.strip().splitlines()
    assert "one device can't serve several workers" in line
