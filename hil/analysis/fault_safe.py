"""Fault to safe outputs, from the observer's log (hil/board/observer.py): how many instructions the
fault handler executed up to its store that drove the pins low and its store that set the DAC to 0,
and whether it turned the DAC's trigger off before that store and stopped the timer-driven output path
(TIM8 and the DMA stream that copies pin words into BSRR, make arm OC=1) and drove the pins low again.

The plugin marks the handler's first instruction (``M <pc> <insns>``) and logs every store to GPIOB
BSRR, the DAC, TIM8 CR1 and DMA2 stream 2 CR (``S <addr> <insns> <vns>``) with QEMU's MMIO trace line
(the value) just before it. The mark's count is taken before the marked instruction runs, a store's
after it: the handler's n-th instruction is at mark + n. Exception entry itself costs no instruction in
QEMU (on a Cortex-M4 it takes 12 cycles, about 71 ns at 168 MHz, before the handler's first
instruction). QEMU models neither TIM8, DMA nor the DAC: what the log shows is that the handler wrote
the values that stop them on a chip.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from hil.analysis.pins import DAC_DHR12R1, GPIOB_BSRR, NS_PER_INSN, PIN_SHIFT, trace_value

ALL_PINS_RESET = 0xF << (PIN_SHIFT + 16)  # BSRR BR12..BR15
DAC_CR, TIM8_CR1, DMA2_S2CR = 0x40007400, 0x40010400, 0x40026440
DAC_CR_TEN1, TIM_CR1_CEN, DMA_SXCR_EN = 1 << 2, 1, 1
#: stores later than this many instructions after the handler's entry are not the handler's safe sequence
HANDLER_WINDOW_INSNS = 32


@dataclass(frozen=True)
class FaultToSafe:
    """One fault as the pins saw it: instruction numbers of the handler (1 = its first), None if absent."""

    pins_low_insns: int | None         # the store that drove PB12-15 low
    dac_zero_insns: int | None         # the store of DAC code 0
    dac_trigger_off_insns: int | None  # the DAC_CR store with the trigger (TEN1) off
    path_stopped_insns: int | None     # the later of TIM8 stopped and DMA2 stream 2 disabled
    pins_low_again_insns: int | None   # PB12-15 low once more, after the path stopped
    pins_before: int                   # PB12..15 (bits 0..3) just before the fault

    @property
    def pins_low_ns(self) -> int | None:
        return None if self.pins_low_insns is None else self.pins_low_insns * NS_PER_INSN

    @property
    def dac_zero_ns(self) -> int | None:
        return None if self.dac_zero_insns is None else self.dac_zero_insns * NS_PER_INSN

    @property
    def dac_zero_reaches_the_output(self) -> bool:
        """Code 0 was written with the trigger already off (with it on, the code waits for a compare)."""
        return None not in (self.dac_trigger_off_insns, self.dac_zero_insns) and \
            self.dac_trigger_off_insns < self.dac_zero_insns  # type: ignore[operator]


def _first(stores: list[tuple[int, int, int]], addr: int, safe, after: int = 0) -> int | None:
    return next((n for a, v, n in stores if a == addr and n > after and safe(v)), None)


def _summarise(stores: list[tuple[int, int, int]], pins_before: int) -> FaultToSafe:
    """(address, value, handler instruction) of the handler's stores -> its safe sequence."""
    def all_low(v: int) -> bool:
        return v & ALL_PINS_RESET == ALL_PINS_RESET

    timer = _first(stores, TIM8_CR1, lambda v: not v & TIM_CR1_CEN)
    dma = _first(stores, DMA2_S2CR, lambda v: not v & DMA_SXCR_EN)
    stopped = None if timer is None or dma is None else max(timer, dma)
    return FaultToSafe(
        pins_low_insns=_first(stores, GPIOB_BSRR, all_low),
        dac_zero_insns=_first(stores, DAC_DHR12R1, lambda v: v & 0xFFF == 0),
        dac_trigger_off_insns=_first(stores, DAC_CR, lambda v: not v & DAC_CR_TEN1),
        path_stopped_insns=stopped,
        pins_low_again_insns=None if stopped is None else _first(stores, GPIOB_BSRR, all_low, after=stopped),
        pins_before=pins_before)


def faults(log: Path, handler: int) -> list[FaultToSafe]:
    """Every entry of the fault handler at address ``handler`` in ``log``, with its safe stores."""
    found: list[FaultToSafe] = []
    pending: dict[int, int] = {}
    pins, entry, pins_before = 0, None, 0
    stores: list[tuple[int, int, int]] = []
    for line in Path(log).read_text(errors="replace").splitlines():
        if line.startswith("memory_region_ops_write"):
            addr, value = trace_value(line)
            pending[addr] = value
        elif line.startswith("M ") and int(line.split()[1], 16) == handler:
            if entry is not None:
                found.append(_summarise(stores, pins_before))
            entry, stores, pins_before = int(line.split()[2]), [], pins
        elif line.startswith("S "):
            _, addr_text, insns_text, _ = line.split()
            addr = int(addr_text, 16)
            if addr not in pending:
                continue
            stored = pending.pop(addr)
            if addr == GPIOB_BSRR:
                pins = (pins | (stored >> PIN_SHIFT & 0xF)) & ~(stored >> (PIN_SHIFT + 16) & 0xF)
            if entry is not None and int(insns_text) - entry <= HANDLER_WINDOW_INSNS:
                stores.append((addr, stored, int(insns_text) - entry))
    if entry is not None:
        found.append(_summarise(stores, pins_before))
    return found


def busy_area_fields() -> dict:
    """AREA_WRITE fields of a 1 kHz tonic area whose pulse (480 us, a 20 us gap, 480 us of recharge)
    drives a pin 96 % of the time: a fault injected at any moment most likely lands during a pulse."""
    from firmware_model.stimulation.area_fields import area_to_fields
    from firmware_model.stimulation.params import Area, Contacts

    return area_to_fields(Area(Contacts(cathodes=((0, 100),), anodes=(1,)), amplitude_ua=2000, pulse_width_us=480,
                               rate_mhz=1_000_000, interphase_gap_us=20))


#: injections until one lands during a pulse: all miss with probability 0.04 ** 6 (4e-9)
MAX_INJECTIONS = 6


def measure(kinds: tuple[int, ...] = (0, 2)) -> list[tuple[str, FaultToSafe]]:
    """Boot qemu-rt with the observer, stimulate with `busy_area_fields`, inject each FaultKind in
    ``kinds`` (default: the two the fault handler takes), again until the observer saw a pin high at the
    handler's entry (at most `MAX_INJECTIONS`), and return what the pins saw (bench_board.py, the README)."""
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
            for _ in range(MAX_INJECTIONS):
                b.login(Role.TEST)
                b.call("AREA_WRITE", program=0, area=0, **busy_area_fields())
                b.call("PROGRAM_COMMIT", program=0, area_count=1)
                b.call("PROGRAM_SELECT", program=0)
                b.call("STIM_SET", on=1)
                log = target.log
                b.request(make(b.catalog, "FAULT_INJECT", kind=kind))
                target.await_reboot(b)
                seen = faults(log, handler)
                if seen and seen[-1].pins_before:
                    break
            out += [(FaultKind(kind).name, seen[-1])] if seen else []
        b.close()
    finally:
        target.close()
    return out


if __name__ == "__main__":
    for name, f in measure():
        print(f"{name} (PB12-15 were {f.pins_before:04b}): pins low at the handler's instruction {f.pins_low_insns} ({f.pins_low_ns} ns), "
              f"DAC 0 at {f.dac_zero_insns} ({f.dac_zero_ns} ns) at 8 ns/instruction, its trigger off at "
              f"{f.dac_trigger_off_insns}; TIM8 and DMA2 stopped by {f.path_stopped_insns}, pins low again at "
              f"{f.pins_low_again_insns}")
