"""Build the dev-board firmware (ARM image and host library) with its Makefile, when needed.

The builds go to a per-user cache folder keyed by the hash of the board's sources
(``$XDG_CACHE_HOME/scs-hil/board-<hash>/``, else ``~/.cache/...``), never beside the sources: an
installed package's folder may not be writable, and a checkout and a wheel of other sources never share
a build. ``make -C hil/board`` by hand still builds into ``hil/board/build``.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import shutil
import subprocess
import sys
from functools import cache
from pathlib import Path

BOARD = Path(__file__).resolve().parent
#: what the build reads: the C sources, headers, linker script, Makefile and provisioning tool
SOURCE_SUFFIXES = (".c", ".h", ".ld")
SOURCE_NAMES = ("Makefile", "provision.py")


class BuildError(RuntimeError):
    pass


def sources() -> list[Path]:
    """Every file the board's build reads, wherever the layout puts it (a ``build`` folder excluded)."""
    found = []
    for path in BOARD.rglob("*"):
        rel = path.relative_to(BOARD)
        if rel.parts[0] == "build" or not path.is_file():
            continue
        if path.suffix in SOURCE_SUFFIXES or path.name in SOURCE_NAMES:
            found.append(path)
    return sorted(found)


def source_hash() -> str:
    digest = hashlib.sha256()
    for path in sources():
        digest.update(path.relative_to(BOARD).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def cache_root() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scs-hil"


@cache
def build_dir() -> Path:
    """This process's build folder: the same sources always build into the same one."""
    return cache_root() / f"board-{source_hash()}"


def _make(target: str, product: Path) -> Path:
    if shutil.which("make") is None:
        raise BuildError("make is missing (Debian: apt-get install make)")
    build = build_dir()
    build.mkdir(parents=True, exist_ok=True)
    with open(build / ".lock", "w") as lock:  # pytest-xdist workers each start a QEMU: one build at a time
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not product.exists():
            print(f"scs: building the board firmware ({target}) in {build}", file=sys.stderr, flush=True)
        proc = subprocess.run(["make", "-C", str(BOARD), f"BUILD={build}", f"PYTHON={sys.executable}", target],
                              capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"building the board firmware ({target}) in {build} failed:\n{proc.stdout}{proc.stderr}")
    return product


def build_arm() -> Path:
    if shutil.which("arm-none-eabi-gcc") is None:
        raise BuildError("arm-none-eabi-gcc is missing: make test installs it (Debian: gcc-arm-none-eabi, "
                         "libnewlib-arm-none-eabi)")
    return _make("arm", build_dir() / "scs_board.elf")


def build_host() -> Path:
    return _make("host", build_dir() / "libscsfw.so")


def development_keys_file() -> Path:
    """The key file of the development image (a build without KEYS makes its keys at random)."""
    return build_dir() / "dev-keys.toml"


def size_report() -> dict[str, int]:
    """Flash, static RAM (data, bss and the retained .noinit) and the reserved stack of the ARM image (bytes)."""
    out = subprocess.run(["arm-none-eabi-size", "-A", str(build_arm())], capture_output=True, text=True, check=True).stdout
    sections = {parts[0]: int(parts[1]) for parts in (line.split() for line in out.splitlines()[2:]) if len(parts) == 3}
    flash = sum(sections.get(s, 0) for s in (".isr_vector", ".text", ".ARM.exidx", ".data"))
    ram = sum(sections.get(s, 0) for s in (".data", ".bss", ".noinit"))
    return {"flash": flash, "ram": ram, "stack": sections.get(".stack", 0)}
