"""The pin observer: QEMU with ``observer.so`` (hil/board/qemu_plugin), evidence from outside the firmware.

Every launch writes one log (``-D``): the plugin's records (stores to the pin, DAC and watchdog
registers, WFIs, the board clock's reads, each with its exact instruction count and QEMU's virtual
clock) interleaved in order with QEMU's own trace of MMIO writes (the values). `hil.analysis.pins`
reads it. The board runs in ``-icount shift=3,sleep=off`` (8 ns an instruction); nothing stops it
(a gdb stop would move the icount clock). See docs/pin-evidence.md.
"""

from __future__ import annotations

import itertools
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path

from hil.board.build import BOARD, BUILD, BuildError
from hil.board.watchdog import IwdgEmulator
from hil.targets.qemu import QemuTarget, _die_with_parent, _symbols

PLUGIN_DIR = BOARD / "qemu_plugin"
PLUGIN = BUILD / "observer.so"
#: the icount shift the observer's arithmetic assumes: 2^3 = 8 ns of virtual time an instruction
ICOUNT_SHIFT = 3
#: the function the therapy core calls for the tick it takes at STIM_SET (hw.clock in therapy.c):
#: its entry is marked, and the first clock read after the mark is the tick the firmware used
CLOCK_SYMBOL = "board_clock"
#: the handler of every processor fault (hil/board/ports/stm32f4/fault.c)
FAULT_SYMBOL = "Fault_Handler"
#: the plugin's records and the values of MMIO writes; with clock_values also of MMIO reads (the TIM2
#: counter: the bias without QEMU's exported clock; every MMIO read: a much larger log)
TRACE_EVENTS = "plugin,trace:memory_region_ops_write"


def build_plugin() -> Path:
    """Build ``observer.so`` with the host's C compiler (make -C hil/board/qemu_plugin) when needed."""
    if shutil.which("gcc") is None and shutil.which("cc") is None:
        raise BuildError("a C compiler is missing to build the QEMU observer plugin (Debian: gcc)")
    BUILD.mkdir(exist_ok=True)
    proc = subprocess.run(["make", "-C", str(PLUGIN_DIR), f"BUILD={BUILD}"], capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"building the QEMU observer plugin failed:\n{proc.stdout}{proc.stderr}")
    return PLUGIN


def mark_addresses(elf: Path) -> list[int]:
    """Entry addresses the plugin marks: the firmware's clock function (its STIM_SET tick) and its
    fault handler (the fault-to-safe count starts at its first instruction)."""
    symbols = _symbols(elf)
    return [symbols[name][0] & ~1 for name in (CLOCK_SYMBOL, FAULT_SYMBOL) if name in symbols]


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


class ObservedQemuTarget(QemuTarget):
    """``qemu-rt`` with the observer loaded: each launch (power cycles start a new QEMU) logs into a
    new file in ``log_dir``; ``log`` is the current launch's."""

    def __init__(self, keys=None, log_dir: Path | None = None, clock_values: bool = False):
        self.clock_values = clock_values
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="scs-observer-"))
        self.logs: list[Path] = []
        self._launches = itertools.count()
        super().__init__(keys, icount_shift=ICOUNT_SHIFT, realtime=True)

    def extra_qemu_args(self) -> list[str]:
        self.logs.append(self.log_dir / f"observer-{next(self._launches)}.log")
        self.iwdg = IwdgEmulator(self.logs[-1])
        return observer_args(self.elf, self.logs[-1], self.clock_values)

    def watchdog_expired(self) -> bool:
        """The IWDG the firmware set up, emulated from this launch's kicks (hil/board/watchdog.py)."""
        return self.iwdg.expired(self._qmp("query-replay")["icount"])

    @property
    def log(self) -> Path:
        return self.logs[-1]
