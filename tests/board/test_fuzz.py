"""The project's fuzz harnesses (fuzz/), each for a few seconds from its committed corpus: libFuzzer
with ASan and UBSan over the board core's receive path (raw and in a session) and settings decode,
atheris over framing, codec and the device's request path (raw and in a session). `make fuzz
FUZZ_SECONDS=N` runs them longer."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

FUZZ = Path(__file__).resolve().parents[2] / "fuzz"
SECONDS = 3
pytestmark = pytest.mark.tools  # clang libFuzzer with ASan/UBSan, atheris


def _missing(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing: the README's test command installs it (make test)")
    pytest.skip(f"{what} is not installed (make test installs it)")


@pytest.fixture(scope="module")
def c_harnesses():
    if shutil.which("clang") is None:
        _missing("clang")
    proc = subprocess.run(["make", "-C", str(FUZZ), "build"], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return FUZZ / "build"


@pytest.mark.parametrize("name", ["receive", "settings"])
def test_libfuzzer_with_asan_and_ubsan_finds_nothing_in_the_board_core(c_harnesses, tmp_path, name):
    proc = subprocess.run([str(c_harnesses / f"fuzz_{name}"), f"-max_total_time={SECONDS}", "-timeout=10",
                           f"-artifact_prefix={tmp_path}/", str(tmp_path), str(FUZZ / "corpus" / name)],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done" in proc.stderr


@pytest.mark.parametrize("name", ["framing", "codec", "device", "session"])
def test_atheris_finds_nothing_in_the_protocol_or_the_device(tmp_path, name):
    try:
        import atheris  # noqa: F401
    except ImportError:
        _missing("atheris (pip: atheris)")
    env = {**os.environ, "PYTHONPATH": str(FUZZ.parent)}
    proc = subprocess.run([sys.executable, str(FUZZ / "atheris_protocol.py"), name, f"-max_total_time={SECONDS}",
                           "-timeout=10", f"-artifact_prefix={tmp_path}/", str(tmp_path), str(FUZZ / "corpus" / name)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Done" in proc.stderr
