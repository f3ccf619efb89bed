"""scripts/fresh-debian-check.sh (the README's two commands on a new Debian 12, in a debootstrap'd
chroot) is a tool for a release check, not a CI step: it needs root, network and about 15 minutes. What
runs here is its refusals: each is one line naming what is missing, exit 2, before anything is
downloaded, mounted or written."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "fresh-debian-check.sh"


def refusal(cmd: list[str], env: dict | None = None) -> str:
    """The script's one line on stderr; it printed nothing else and exited 2."""
    proc = subprocess.run(cmd, input=SCRIPT.read_text(), capture_output=True, text=True, timeout=60, env=env)
    assert (proc.returncode, proc.stdout) == (2, ""), proc
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("fresh-debian-check: "), proc.stderr
    return lines[0]


def test_without_root_it_says_so_and_does_nothing(tmp_path):
    target = tmp_path / "debian"
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("root here, and no setpriv (util-linux) to drop to another user")
        cmd = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "bash", "-s", "--", str(target)]
    else:
        cmd = ["bash", "-s", "--", str(target)]
    assert refusal(cmd) == "fresh-debian-check: needs root (debootstrap, chroot and mounts); run it with sudo"
    assert not target.exists()


@pytest.mark.skipif(os.geteuid() != 0, reason="the next refusals come after the root check")
def test_without_debootstrap_it_names_the_package(tmp_path):
    target = tmp_path / "debian"
    env = {**os.environ, "PATH": "/usr/bin:/bin"}  # debootstrap lives in /usr/sbin
    assert refusal(["bash", "-s", "--", str(target)], env) == (
        "fresh-debian-check: needs debootstrap (apt-get install debootstrap)")
    assert not target.exists()


@pytest.mark.skipif(os.geteuid() != 0 or shutil.which("debootstrap") is None, reason="needs root and debootstrap")
def test_a_folder_that_exists_is_refused_untouched(tmp_path):
    (tmp_path / "keep").write_text("mine")
    assert refusal(["bash", "-s", "--", str(tmp_path)]) == (
        f"fresh-debian-check: {tmp_path} exists: give a folder that does not")
    assert [p.name for p in tmp_path.iterdir()] == ["keep"]
