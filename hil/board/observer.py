"""The pin observer: QEMU with ``observer.so`` (hil/board/qemu_plugin), evidence from outside the firmware.

Every launch writes one log (``-D``): the plugin's records (stores to the pin, DAC and watchdog
registers, WFIs, the board clock's reads, each with its exact instruction count and QEMU's virtual
clock) interleaved in order with QEMU's own trace of MMIO writes (the values). `hil.analysis.pins`
reads it. The board runs in ``-icount shift=3,sleep=off`` (8 ns an instruction); nothing stops it
(a gdb stop would move the icount clock). See docs/pin-evidence.md.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hil.board.build import BOARD, BuildError, build_dir
from hil.board.image import die_with_parent as _die_with_parent
from hil.board.image import symbols as _symbols

PLUGIN_DIR = BOARD / "qemu_plugin"
#: the icount shift the observer's arithmetic assumes: 2^3 = 8 ns of virtual time an instruction
ICOUNT_SHIFT = 3
#: the function the therapy core calls for the tick it takes at STIM_SET (hw.clock in therapy.c):
#: its entry is marked, and the first clock read after the mark is the tick the firmware used
CLOCK_SYMBOL = "scs_stim_clock"
#: the function STIM_SET off (and every stop) enters before the queue is cut: the stop's instant
OFF_SYMBOL = "scs_stim_off"
#: the handler of every processor fault (hil/board/ports/stm32f4/fault.c): the fault-to-safe count starts
#: at its first instruction
FAULT_SYMBOL = "Fault_Handler"
MARK_SYMBOLS = (CLOCK_SYMBOL, OFF_SYMBOL, FAULT_SYMBOL)
#: the plugin's records and the values of MMIO writes; with clock_values also of MMIO reads (the TIM2
#: counter: the bias without QEMU's exported clock; every MMIO read: a much larger log)
TRACE_EVENTS = "plugin,trace:memory_region_ops_write"


def build_plugin() -> Path:
    """Build ``observer.so`` with the host's C compiler (make -C hil/board/qemu_plugin) when needed."""
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        raise BuildError("a C compiler is missing to build the QEMU observer plugin (Debian: gcc)")
    out = build_dir()  # the per-user cache folder keyed by the board's sources (the plugin's among them)
    out.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["make", "-C", str(PLUGIN_DIR), f"BUILD={out}"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"building the QEMU observer plugin failed:\n{proc.stdout}{proc.stderr}")
    return out / "observer.so"


def mark_pcs(elf: Path) -> dict[str, int]:
    """Entry addresses the plugin marks, by symbol: the start clock (its STIM_SET tick) and the stop."""
    symbols = _symbols(elf)
    return {name: symbols[name][0] & ~1 for name in MARK_SYMBOLS if name in symbols}


def mark_addresses(elf: Path) -> list[int]:
    return list(mark_pcs(elf).values())


def observer_args(elf: Path, log: Path, clock_values: bool = False) -> list[str]:
    """The QEMU arguments that load the observer into a launch of ``elf`` and log to ``log``
    (``clock_values``: also trace every MMIO read, for the bias from the board clock's values)."""
    plugin = ",".join([str(build_plugin()), *(f"mark={a:#x}" for a in mark_addresses(elf))])
    events = TRACE_EVENTS + (",trace:memory_region_ops_read" if clock_values else "")
    return ["-plugin", plugin, "-d", events, "-D", str(log)]


def launch(elf: Path, extra_args: Sequence[str] = (), log: Path | None = None,
           clock_values: bool = False) -> tuple[subprocess.Popen[bytes], Path]:
    """Start ``qemu-system-arm -M netduinoplus2`` on ``elf`` in ``-icount shift=3,sleep=off`` with the
    observer and ``extra_args`` (serial, loaders...); return the process and the log's path. The
    process dies with its parent; the caller stops it (the log is complete once QEMU exits)."""
    if log is None:
        log = Path(tempfile.mkdtemp(prefix="scs-observer-")) / "observer.log"
    cmd = ["qemu-system-arm", "-M", "netduinoplus2", "-nographic", "-monitor", "none", "-kernel", str(elf),
           "-icount", f"shift={ICOUNT_SHIFT},sleep=off", *observer_args(elf, log, clock_values), *extra_args]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
    return proc, log
