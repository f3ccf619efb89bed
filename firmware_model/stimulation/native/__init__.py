"""An optional compiled kernel for the scheduler's hot loop (C, built on first use with the system's
C compiler) into the per-user cache folder ``$XDG_CACHE_HOME/scs-hil/`` (else ``~/.cache/scs-hil/``),
named by the source's hash, never beside the source (an installed package's folder may not be
writable); the first build prints one line saying where. Everything works without it: `load()` returns None and the numpy path runs. Set
SCS_NATIVE=0 to force the numpy path (the tests run both and compare them)."""

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
    text = SOURCE.read_bytes()
    cache_dir = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "scs-hil"
    lib = cache_dir / f"merge-{hashlib.sha256(text).hexdigest()[:16]}.so"
    try:
        if not lib.exists():
            cache_dir.mkdir(parents=True, exist_ok=True)
            print(f"scs: compiling the merge kernel into {lib}", file=sys.stderr, flush=True)
            with tempfile.NamedTemporaryFile(dir=cache_dir, suffix=".so", delete=False) as tmp:
                pass
            subprocess.run([cc, "-O2", "-shared", "-fPIC", "-std=c11", str(SOURCE), "-o", tmp.name],
                           check=True, capture_output=True)
            os.replace(tmp.name, lib)  # atomic: concurrent processes never load a half-written file
        so = ctypes.CDLL(str(lib))
    except (OSError, subprocess.CalledProcessError):
        return None
    fn = so.scs_merge_fcfs
    p = ctypes.c_void_p
    fn.argtypes = [p, p, ctypes.c_int, p, p, p, ctypes.c_int, p, ctypes.c_int64, p]
    fn.restype = ctypes.c_int64
    return fn
