"""Every external program and library file the build and the tests use comes from a Debian package that
scripts/install-system-deps.sh installs (scripts/debian-packages.txt), so a package once installed by
hand can't hide a gap in the list: a new machine gets all of it."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = [pytest.mark.tools,
              pytest.mark.skipif(shutil.which("dpkg") is None, reason="not a Debian system (no dpkg)")]

PACKAGE_LIST = Path(__file__).resolve().parents[1] / "scripts" / "debian-packages.txt"

#: the programs that the Makefiles, hil/board/build.py, firmware_model/stimulation/native, the QEMU
#: target and the tests call
PROGRAMS = ["make", "gcc", "cc", "clang", "arm-none-eabi-gcc", "arm-none-eabi-size", "arm-none-eabi-nm",
            "arm-none-eabi-objcopy", "qemu-system-arm", "sigrok-cli", "tshark", "ser2net"]


def listed_packages() -> set[str]:
    lines = (line.split("#", 1)[0].strip() for line in PACKAGE_LIST.read_text().splitlines())
    return {line for line in lines if line}


def owners(path: str) -> set[str]:
    """The packages that own ``path`` (``dpkg -S``), architecture qualifiers dropped."""
    out = subprocess.run(["dpkg", "-S", path], capture_output=True, text=True).stdout
    found = set()
    for line in out.splitlines():
        names, _, owned = line.rpartition(": ")
        if owned == path:
            found |= {n.strip().split(":")[0] for n in names.split(",")}
    return found


def symlink_chain(path: str) -> list[str]:
    """``path`` and each link it goes through (/usr/bin/cc -> /etc/alternatives/cc -> /usr/bin/gcc),
    each normalised, then its real path (a linker's ``../../..`` and usrmerge folders resolved)."""
    chain = [os.path.normpath(path)]
    while os.path.islink(chain[-1]) and len(chain) < 10:
        chain.append(os.path.normpath(os.path.join(os.path.dirname(chain[-1]), os.readlink(chain[-1]))))
    return [*chain, os.path.realpath(path)]


def owning_listed_package(path: str) -> tuple[set[str], set[str]]:
    """(the listed packages that own ``path`` or a link on its way, every owner found)."""
    every: set[str] = set()
    for step in symlink_chain(path):
        every |= owners(step)
    return every & listed_packages(), every


def compiler_file(compiler: list[str], name: str) -> str:
    out = subprocess.run([*compiler, f"-print-file-name={name}"], capture_output=True, text=True, check=True)
    return os.path.normpath(out.stdout.strip())


def library_files() -> list[str]:
    """The library files the builds link: the C library and libm of the host (libscsfw.so, merge.c),
    newlib and nano.specs of the ARM image, clang's fuzzer and sanitizer runtimes (fuzz/)."""
    arm = ["arm-none-eabi-gcc", "-mcpu=cortex-m4", "-mthumb"]
    files = [compiler_file(["gcc"], "libc.so"), compiler_file(["gcc"], "libm.so"), "/usr/include/stdio.h",
             compiler_file(arm, "libc.a"), compiler_file(arm, "libm.a"), compiler_file(arm, "nano.specs"),
             compiler_file(arm, "nosys.specs")]
    runtime = subprocess.run(["clang", "--print-runtime-dir"], capture_output=True, text=True, check=True).stdout.strip()
    fuzzer = sorted(glob.glob(os.path.join(runtime, "libclang_rt.fuzzer*.a")))
    assert fuzzer, f"clang's libFuzzer runtime (libclang_rt.fuzzer*.a) is missing from {runtime}"
    sanitizers = [os.path.join(runtime, f"libclang_rt.{n}-x86_64.a") for n in ("asan", "ubsan_standalone")]
    return files + fuzzer + sanitizers


def test_the_package_list_is_one_name_a_line_without_duplicates():
    lines = [line.split("#", 1)[0].strip() for line in PACKAGE_LIST.read_text().splitlines()]
    names = [line for line in lines if line]
    assert all(len(n.split()) == 1 for n in names), names
    assert len(names) == len(set(names))


@pytest.mark.parametrize("program", PROGRAMS)
def test_every_program_the_build_and_tests_call_comes_from_a_listed_package(program):
    path = shutil.which(program)
    assert path is not None, f"{program} is missing: scripts/install-system-deps.sh installs it"
    listed, every = owning_listed_package(path)
    assert listed, f"{path} comes from {sorted(every) or 'no Debian package'}, none of them in {PACKAGE_LIST.name}"


def test_every_library_file_the_builds_link_comes_from_a_listed_package():
    for path in library_files():
        assert os.path.exists(path), f"{path} is missing: scripts/install-system-deps.sh installs it"
        listed, every = owning_listed_package(path)
        assert listed, f"{path} comes from {sorted(every) or 'no Debian package'}, none of them in {PACKAGE_LIST.name}"
