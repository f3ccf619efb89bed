"""Build the dev-board firmware (ARM image and host library) with its Makefile, when needed."""

from __future__ import annotations

import fcntl
import shutil
import subprocess
from pathlib import Path

BOARD = Path(__file__).resolve().parent
BUILD = BOARD / "build"
ELF = BUILD / "scs_board.elf"
HOST_LIB = BUILD / "libscsfw.so"


class BuildError(RuntimeError):
    pass


def _make(target: str) -> str:
    if shutil.which("make") is None:
        raise BuildError("make is missing (Debian: apt-get install make)")
    BUILD.mkdir(exist_ok=True)
    with open(BUILD / ".lock", "w") as lock:  # pytest-xdist workers each start a QEMU: one build at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        proc = subprocess.run(["make", "-C", str(BOARD), target], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"building the board firmware ({target}) failed:\n{proc.stdout}{proc.stderr}")
    return proc.stdout


def build_arm() -> Path:
    if shutil.which("arm-none-eabi-gcc") is None:
        raise BuildError("arm-none-eabi-gcc is missing: make test installs it (Debian: gcc-arm-none-eabi, "
                         "libnewlib-arm-none-eabi)")
    _make("arm")
    return ELF


def build_host() -> Path:
    _make("host")
    return HOST_LIB


def size_report() -> dict[str, int]:
    """Flash and RAM use of the ARM image (bytes)."""
    out = subprocess.run(["arm-none-eabi-size", str(build_arm())], capture_output=True, text=True, check=True).stdout
    text, data, bss = (int(x) for x in out.splitlines()[1].split()[:3])
    return {"flash": text + data, "ram": data + bss}
