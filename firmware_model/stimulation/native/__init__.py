"""An optional compiled kernel for the scheduler's hot loop (C, built on first use with the system's
C compiler) into the per-user cache folder ``$XDG_CACHE_HOME/scs-hil/`` (else ``~/.cache/scs-hil/``),
named by the source's hash, never beside the source (an installed package's folder may not be
writable); the first build prints one line saying where. Everything works without it: `load()`
returns None and the numpy path runs. Set SCS_NATIVE=0 to force the numpy path (the tests run both and
compare them). SCS_NATIVE_CFLAGS adds compiler flags (the tests build it with -fsanitize=address); the
cached library is keyed by them and by the compiler too."""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from functools import cache
from pathlib import Path

SOURCE = Path(__file__).with_name("merge.c")


@cache
def load():
    if os.environ.get("SCS_NATIVE", "1") == "0":
        return None
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if cc is None:
        return None
    extra = os.environ.get("SCS_NATIVE_CFLAGS", "").split()
    text = SOURCE.read_bytes() + " ".join([cc, *extra]).encode()  # another compiler, another library
    cache_dir = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scs-hil"
    lib = cache_dir / f"merge-{hashlib.sha256(text).hexdigest()[:16]}.so"
    try:
        if not lib.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            print(f"scs: compiling the merge kernel into {lib}", file=sys.stderr, flush=True)
            with tempfile.NamedTemporaryFile(dir=cache_dir, suffix=".so", delete=False) as tmp:
                pass
            subprocess.run([cc, "-O3", "-shared", "-fPIC", "-std=c11", *extra, str(SOURCE), "-o", tmp.name],
                           check=True, capture_output=True)
            os.replace(tmp.name, lib)  # atomic: concurrent processes never load a half-written file
        so = ctypes.CDLL(str(lib))
    except (OSError, subprocess.CalledProcessError):
        return None
    return Kernel(so)


class Kernel:
    """merge.c's entry points, typed: ``fcfs`` merges the areas' grids, ``pattern`` walks a merged
    hyperperiod, ``max_areas`` is the most areas either accepts."""

    def __init__(self, so: ctypes.CDLL):
        p, i64, cint = ctypes.c_void_p, ctypes.c_int64, ctypes.c_int
        self.fcfs = so.scs_merge_fcfs
        self.fcfs.argtypes = [p, cint, p, p, cint, p, i64, i64, p]
        self.fcfs.restype = i64
        self.pattern = so.scs_merge_pattern
        self.pattern.argtypes = [p, cint, p, p, cint, p, p, i64, i64, i64, i64, i64, i64, p]
        self.pattern.restype = i64
        self.max_areas = int(so.scs_merge_max_areas())
