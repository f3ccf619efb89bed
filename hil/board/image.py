"""The firmware image and its emulator process: symbol addresses of the ELF (``arm-none-eabi-nm``),
and a child process (QEMU) that dies with its parent."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

from hil.board.build import BuildError


def die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


def symbols(elf: Path) -> dict[str, tuple[int, int]]:
    """Address and size of the ``.noinit`` section and of the image's symbols (``arm-none-eabi-nm``)."""
    out: dict[str, tuple[int, int]] = {}
    sections = subprocess.run(["arm-none-eabi-size", "-A", str(elf)], capture_output=True, text=True, check=True)
    for line in sections.stdout.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == ".noinit":
            out[".noinit"] = (int(parts[2]), int(parts[1]))
    nm = subprocess.run(["arm-none-eabi-nm", "-S", str(elf)], capture_output=True, text=True, check=True)
    for line in nm.stdout.splitlines():
        parts = line.split()
        if len(parts) == 4:
            out[parts[3]] = (int(parts[0], 16), int(parts[1], 16))
    if ".noinit" not in out or "scs_emulator_seed" not in out:
        raise BuildError(f"{elf}: no .noinit section or scs_emulator_seed symbol")
    return out
