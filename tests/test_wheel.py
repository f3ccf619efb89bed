"""A normal install works: the wheel (built from the sdist, as ``python -m build`` does) installs into a
fresh venv, and from a folder outside the checkout ``scs simulate``, ``scs hil --target model`` and
``scs hil --target qemu`` run; the QEMU one builds the firmware from the installed package's sources
into the user's cache, never into site-packages."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
#: set by the editable checkout's test runs; an installed package must do without them
CHECKOUT_VARIABLES = ("PYTHONPATH", "PYTEST_ADDOPTS", "VIRTUAL_ENV", "PYTHONSAFEPATH", "SCS_TARGET", "SCS_NATIVE")


class Installed:
    def __init__(self, venv: Path, work: Path, cache: Path):
        self.venv, self.work, self.cache = venv, work, cache
        self.env = {k: v for k, v in os.environ.items() if k not in CHECKOUT_VARIABLES}
        self.env["PATH"] = f"{venv / 'bin'}{os.pathsep}{self.env.get('PATH', '')}"
        self.env["XDG_CACHE_HOME"] = str(cache)

    def scs(self, *args: str, timeout: float = 900) -> subprocess.CompletedProcess[str]:
        return subprocess.run([str(self.venv / "bin" / "scs"), *args], cwd=self.work, env=self.env, capture_output=True,
                              text=True, timeout=timeout)

    def site_packages(self) -> Path:
        out = subprocess.run([str(self.venv / "bin" / "python"), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True, env=self.env)
        return Path(out.stdout.strip())


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Installed:
    pytest.importorskip("build", reason="python -m build is missing (pip install -e '.[test]')")
    tmp = tmp_path_factory.mktemp("wheel")
    dist = tmp / "dist"
    subprocess.run([sys.executable, "-m", "build", "--outdir", str(dist), str(ROOT)], check=True, capture_output=True,
                   timeout=600)
    [wheel] = dist.glob("*.whl")
    work = tmp / "elsewhere"
    work.mkdir()
    installed = Installed(tmp / "venv", work, tmp / "cache")
    subprocess.run([sys.executable, "-m", "venv", str(installed.venv)], check=True, capture_output=True, timeout=300,
                   env=installed.env)
    pip = subprocess.run([str(installed.venv / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)],
                         capture_output=True, text=True, timeout=900, cwd=work, env=installed.env)
    assert pip.returncode == 0, pip.stderr
    return installed


def test_the_installed_package_is_not_the_checkout(installed):
    out = subprocess.run([str(installed.venv / "bin" / "python"), "-c", "import hil; print(hil.__file__)"],
                         cwd=installed.work, env=installed.env, capture_output=True, text=True, check=True).stdout
    assert Path(out.strip()).is_relative_to(installed.site_packages())
    assert not Path(out.strip()).is_relative_to(ROOT)


def test_scs_simulate_runs_an_example_with_the_compiled_merge_kernel_built_in_the_cache(installed):
    scenario = installed.work / "four_areas.toml"
    shutil.copy(ROOT / "examples" / "four_areas.toml", scenario)
    run = installed.scs("simulate", scenario.name, "--duration", "1s", "--out", "timeline.npz")
    assert run.returncode == 0, run.stdout + run.stderr
    assert (installed.work / "timeline.npz").exists()
    kernels = list((installed.cache / "scs-hil").glob("merge-*.so"))
    assert kernels, "the merge kernel was not compiled from the installed merge.c"
    assert f"compiling the merge kernel into {kernels[0]}" in run.stderr


def test_scs_hil_passes_against_the_model(installed):
    run = installed.scs("hil", "--target", "model")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]


@pytest.mark.qemu
@pytest.mark.skipif(shutil.which("qemu-system-arm") is None or shutil.which("arm-none-eabi-gcc") is None,
                    reason="qemu-system-arm or the ARM toolchain is missing (make test installs them)")
def test_scs_hil_builds_the_firmware_from_the_installed_package_and_passes_in_qemu(installed):
    run = installed.scs("hil", "--target", "qemu")
    assert run.returncode == 0, run.stdout[-4000:] + run.stderr[-2000:]
    [image] = (installed.cache / "scs-hil").glob("board-*/scs_board.elf")
    assert image.stat().st_size > 0
    assert f"building the board firmware (arm) in {image.parent}" in run.stdout + run.stderr
    site = installed.site_packages()
    assert not (site / "hil" / "board" / "build").exists(), "the build wrote into site-packages"
