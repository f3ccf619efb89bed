"""Fault to safe outputs, from the observer's log (hil/board/observer.py): how many instructions the
fault handler executed up to its store that drove the pins low and its store that set the DAC to 0.

The plugin marks the handler's first instruction (``M <pc> <insns>``) and logs every store to GPIOB
BSRR and DAC_DHR12R1 (``S <addr> <insns> <vns>``) with QEMU's MMIO trace line (the value) just before
it. The mark's count is taken before the marked instruction runs, a store's after it: the handler's
n-th instruction is at mark + n. Exception entry itself costs no instruction in QEMU (on a Cortex-M4
it takes 12 cycles, about 71 ns at 168 MHz, before the handler's first instruction).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hil.analysis.pins import DAC_DHR12R1, GPIOB_BSRR, NS_PER_INSN, PIN_SHIFT

ALL_PINS_RESET = 0xF << (PIN_SHIFT + 16)  # BSRR BR12..BR15


@dataclass(frozen=True)
class FaultToSafe:
    """One fault as the pins saw it."""

    pins_low_insns: int  # the handler's instruction that drove PB12-15 low (1 = its first)
    dac_zero_insns: int  # the one that wrote DAC code 0
    pins_before: int     # PB12..15 (bits 0..3) just before the fault

    @property
    def pins_low_ns(self) -> int:
        return self.pins_low_insns * NS_PER_INSN

    @property
    def dac_zero_ns(self) -> int:
        return self.dac_zero_insns * NS_PER_INSN


def faults(log: Path, handler: int) -> list[FaultToSafe]:
    """Every entry of the fault handler at address ``handler`` in ``log``, with its safe stores."""
    found: list[FaultToSafe] = []
    entry: int | None = None
    pins, pending, pins_low, pins_before = 0, None, None, 0
    for line in Path(log).read_text(errors="replace").splitlines():
        if line.startswith("memory_region_ops_write") and (f"addr 0x{GPIOB_BSRR:08x} " in line):
            pending = int(line.split(" value ", 1)[1].split()[0], 16)
        elif line.startswith("M ") and int(line.split()[1], 16) == handler:
            entry, pins_low, pins_before = int(line.split()[2]), None, pins
        elif line.startswith(f"S 0x{GPIOB_BSRR:08x} ") and pending is not None:
            value, pending = pending, None
            pins = (pins | (value >> PIN_SHIFT & 0xF)) & ~(value >> (PIN_SHIFT + 16) & 0xF)
            if entry is not None and value & ALL_PINS_RESET == ALL_PINS_RESET and pins_low is None:
                pins_low = int(line.split()[2]) - entry
        elif line.startswith(f"S 0x{DAC_DHR12R1:08x} ") and entry is not None and pins_low is not None:
            found.append(FaultToSafe(pins_low, int(line.split()[2]) - entry, pins_before))
            entry = None
    return found


def measure(kinds: tuple[int, ...] = (0, 2)) -> list[tuple[str, FaultToSafe]]:
    """Boot qemu-rt with the observer, stimulate, inject each FaultKind in ``kinds`` (default: the two
    the fault handler takes) and return what the pins saw (for bench_board.py and the README)."""
    from hil.board.image import symbols as _symbols
    from hil.board.observer import FAULT_SYMBOL
    from hil.targets.qemu_observed import ObservedQemuTarget
    from protocol.spec.catalog import Role
    from protocol.spec.generated import FaultKind
    from protocol.wire.codec import make

    out = []
    target = ObservedQemuTarget()
    try:
        handler = _symbols(target.elf)[FAULT_SYMBOL][0] & ~1
        b = target.bridge()
        for kind in kinds:
            b.login(Role.TEST)
            b.call("STIM_SET", on=0)
            log = target.log
            b.request(make(b.catalog, "FAULT_INJECT", kind=kind))
            target.await_reboot(b)
            out += [(FaultKind(kind).name, f) for f in faults(log, handler)]
        b.close()
    finally:
        target.close()
    return out


if __name__ == "__main__":
    for name, f in measure():
        print(f"{name}: pins low at the handler's instruction {f.pins_low_insns} ({f.pins_low_ns} ns), "
              f"DAC 0 at {f.dac_zero_insns} ({f.dac_zero_ns} ns) at 8 ns/instruction")
