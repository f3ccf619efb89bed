"""Pin evidence from the QEMU observer's log (hil/board/observer.py): edges, pulses, a sigrok file,
and the comparison with the reference scheduler on the absolute schedule.

Time: in ``-icount shift=3,sleep=off`` QEMU's virtual clock is 8 ns x instructions executed plus a
bias that grows only while the core sleeps (WFI). Each record carries its instruction count; the bias
comes from QEMU's virtual clock logged with the record, or else from the first read of the board
clock (TIM2, 1 count = 1 ns of that clock) after each WFI. Both are checked against each other when
present. Board ticks are 1 us of that clock: tick = ns // 1000 (TIM2 starts at 0 at power-on).

Schedule: the firmware starts a program at the tick its clock function returns while it handles
STIM_SET (the first clock read after the plugin's mark on that function) plus
``START_LEAD_TICKS`` (the device definition's start_lead_ticks, SCS_START_LEAD_TICKS in C); pulse k is
due at that origin plus the reference timeline's ``start_tick``. Never aligned on the first pulse seen.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from hil.analysis import dac
from protocol.spec import generated as dev

NS_PER_INSN = 8
NS_PER_TICK = dev.TICK_NS
START_LEAD_TICKS = dev.START_LEAD_TICKS  # a program's first pulse is due this long after STIM_SET (hardware-timed)
GPIOB_ODR, GPIOB_BSRR, DAC_DHR12R1, IWDG_KR, TIM2_CNT = 0x40020414, 0x40020418, 0x40007408, 0x40003000, 0x40000024
PIN_SHIFT = 12  # PB12 cathodic, PB13 recharge, PB14-15 area
CATHODIC, RECHARGE = 0x1, 0x2
CHANNELS = ("CATH", "RECH", "AREA0", "AREA1", "DAC")  # the names `scs logic` decodes (hil.analysis.logic)


class ObserverLogError(ValueError):
    """A log the observer did not write, or whose records do not pair with QEMU's MMIO trace."""


@dataclass(frozen=True)
class PinWrite:
    """One store to the output pins (GPIOB BSRR/ODR): the four pins after it, and the DAC code then."""

    time_ns: int
    pins: int      # PB12..PB15 as bits 0..3
    dac_code: int  # the DAC holding register when the pins changed (the firmware writes it right after)

    @property
    def tick(self) -> int:
        return self.time_ns // NS_PER_TICK


@dataclass(frozen=True)
class Record:
    """Everything the observer saw, in board time (ns since power-on)."""

    pin_writes: tuple[PinWrite, ...]
    dac_writes: tuple[tuple[int, int], ...]     # (time_ns, code)
    watchdog_kicks: tuple[int, ...]             # time_ns of each IWDG_KR = 0xAAAA
    sleeps: tuple[int, ...]                     # time_ns each WFI executed
    marks: tuple[tuple[int, int, int], ...]  # (pc, time_ns, the first clock read after it, ns)
    bias_checks: int                            # records whose two bias sources agreed
    bias_source: str                            # "qemu clock" or "board clock reads"


@dataclass(frozen=True)
class Pulse:
    """A pulse on the pins: cathodic rise to fall, recharge rise to fall (ns), area, the DAC code of its
    cathodic phase and of its recharge phase (None without one)."""

    start_ns: int
    cathodic_end_ns: int
    recharge_start_ns: int | None
    end_ns: int
    area: int
    dac_code: int
    recharge_dac_code: int | None = None


def trace_value(line: str) -> tuple[int, int]:
    """(address, value) of a ``memory_region_ops_write/read`` trace line."""
    try:
        addr = int(line.split(" addr ", 1)[1].split()[0], 16)
        return addr, int(line.split(" value ", 1)[1].split()[0], 16)
    except (IndexError, ValueError):
        raise ObserverLogError(f"an MMIO trace line without addr/value: {line.strip()[:120]}") from None


class _Clock:
    """Board time from instruction counts: 8 ns x count + the bias of the current wake period."""

    def __init__(self) -> None:
        self.bias: int | None = 0
        self.floor = 0  # the last known bias: a lower bound of the next one (it only grows)
        self.checks = 0
        self.source = "board clock reads"

    def at(self, insns: int) -> int:
        if self.bias is None:
            raise ObserverLogError(f"a record at instruction {insns} after a WFI before any clock value")
        return NS_PER_INSN * insns + self.bias

    def slept(self) -> None:
        self.floor = self.bias if self.bias is not None else self.floor
        self.bias = None

    def qemu(self, insns: int, vns: int) -> None:
        if vns < 0:
            return
        bias = vns - NS_PER_INSN * insns
        # a few instructions counted twice: QEMU (icount) aborts a block at an I/O access that is not its
        # last and runs the access again in a block of its own; QEMU's clock is the truth then
        recount = self.bias is not None and -16 * NS_PER_INSN <= bias - self.bias < 0
        if self.bias is not None and bias != self.bias and not recount:
            raise ObserverLogError(f"QEMU's clock moved by {bias - self.bias} ns without a WFI (instruction {insns})")
        self.checks += self.bias is not None
        self.bias, self.source = bias, "qemu clock"

    def board(self, insns: int, cnt: int) -> None:
        estimate = NS_PER_INSN * insns + (self.floor if self.bias is None else self.bias)  # the bias only grows
        ns = estimate + ((cnt - estimate) & 0xFFFFFFFF)     # TIM2 is 32 bits: unwrap past the bound
        if self.bias is not None and ns - NS_PER_INSN * insns != self.bias:
            raise ObserverLogError(f"the board clock read {cnt:#x} disagrees with QEMU's clock (instruction {insns})")
        self.checks += self.bias is not None
        self.bias = ns - NS_PER_INSN * insns


def parse_log(path: Path) -> Record:
    """Read an observer log: the plugin's records paired, in order, with QEMU's MMIO trace values. A log
    read while QEMU runs may end in a line QEMU is still writing: that line is left for the next read."""
    text = Path(path).read_text(errors="replace")
    lines = text.splitlines()
    if lines and not text.endswith("\n"):
        lines.pop()  # incomplete: QEMU has not finished writing it
    return parse_lines(lines)


def parse_lines(lines: list[str]) -> Record:
    parser = _Parser()
    for line in lines:
        parser.feed(line)
    if not parser.seen_header:
        raise ObserverLogError("no 'observer 1' header: QEMU ran without observer.so or without -d plugin")
    return parser.record()


class _Parser:
    """The log in order: trace lines leave values pending; the plugin's record of the same access
    (written after QEMU traced it) takes them, with its instruction count."""

    def __init__(self) -> None:
        self.clock = _Clock()
        self.pending: dict[int, int] = {}
        self.last_clock_read: int | None = None
        self.pins = self.dac = 0
        self.pin_writes: list[PinWrite] = []
        self.dac_writes: list[tuple[int, int]] = []
        self.kicks: list[int] = []
        self.sleeps: list[int] = []
        self.marks: list[list] = []
        self.dac_follows = False  # the firmware writes the DAC right after the pins (hal_output)
        self.seen_header = False

    def feed(self, line: str) -> None:
        if line.startswith("memory_region_ops_write"):
            addr, value = trace_value(line)
            self.pending[addr] = value
        elif line.startswith("memory_region_ops_read"):
            addr, value = trace_value(line)
            self.last_clock_read = value if addr == TIM2_CNT else self.last_clock_read
        elif line.startswith("observer "):
            self.seen_header = True
        elif line[:2] == "W ":
            self.sleeps.append(self.clock.at(int(line.split()[1])))
            self.clock.slept()
        elif line[:2] == "M ":
            _, pc, insns = line.split()  # timed with the clock read that follows it (a WFI may precede)
            self.marks.append([int(pc, 16), int(insns), None])
        elif line[:2] == "L ":
            self._clock_read(line)
        elif line[:2] == "S ":
            self._store(line)

    def _clock_read(self, line: str) -> None:
        _, _, insns_text, vns_text = line.split()
        insns = int(insns_text)
        self.clock.qemu(insns, int(vns_text))
        if self.last_clock_read is not None:
            self.clock.board(insns, self.last_clock_read)
        if self.marks and self.marks[-1][2] is None:
            self.marks[-1][1:] = [self.clock.at(self.marks[-1][1]), self.clock.at(insns)]

    def _store(self, line: str) -> None:
        _, addr_text, insns_text, vns_text = line.split()
        addr, insns = int(addr_text, 16), int(insns_text)
        self.clock.qemu(insns, int(vns_text))
        if addr not in self.pending:
            raise ObserverLogError(f"a store to {addr:#x} with no MMIO trace line before it: "
                                   "the log needs -d trace:memory_region_ops_write")
        value, t = self.pending.pop(addr), self.clock.at(insns)
        if addr in (GPIOB_BSRR, GPIOB_ODR):
            self.pins = _bsrr(self.pins, value) if addr == GPIOB_BSRR else (value >> PIN_SHIFT) & 0xF
            self.pin_writes.append(PinWrite(t, self.pins, self.dac))
            self.dac_follows = True
        elif addr == DAC_DHR12R1:
            self.dac = value & 0xFFF
            self.dac_writes.append((t, self.dac))
            if self.dac_follows:
                last = self.pin_writes[-1]
                self.pin_writes[-1] = PinWrite(last.time_ns, last.pins, self.dac)
            self.dac_follows = False
        elif addr == IWDG_KR and value == 0xAAAA:
            self.kicks.append(t)

    def record(self) -> Record:
        return Record(tuple(self.pin_writes), tuple(self.dac_writes), tuple(self.kicks), tuple(self.sleeps),
                      tuple((m[0], m[1], m[2]) for m in self.marks if m[2] is not None), self.clock.checks,
                      self.clock.source)


def _bsrr(pins: int, value: int) -> int:
    """The four pins after a BSRR write (a set bit wins over its reset bit, RM0090 8.4.7)."""
    set_bits, reset_bits = (value >> PIN_SHIFT) & 0xF, (value >> (16 + PIN_SHIFT)) & 0xF
    return (pins & ~reset_bits | set_bits) & 0xF


# --- pulses and the schedule ------------------------------------------------------------------------
def pulses(writes: tuple[PinWrite, ...] | list[PinWrite]) -> list[Pulse]:
    """The pulses on the pins: a cathodic rise starts one; it ends when the pins are all low after its
    recharge phase, or, without one (inside a burst), at its last all-low write before the next
    cathodic rise (area 0 has no area bits: its interphase gap is all-low too)."""
    out: list[Pulse] = []
    cur: dict | None = None
    pins = 0
    for w in writes:
        rose, fell = w.pins & ~pins, pins & ~w.pins
        if rose & CATHODIC:
            if cur is not None and cur["end_ns"] is not None:
                out.append(Pulse(**cur))
            cur = dict(start_ns=w.time_ns, cathodic_end_ns=None, recharge_start_ns=None, end_ns=None,
                       area=w.pins >> 2, dac_code=w.dac_code, recharge_dac_code=None)
        elif cur is not None:
            if fell & CATHODIC:
                cur["cathodic_end_ns"] = w.time_ns
            if rose & RECHARGE:
                cur["recharge_start_ns"], cur["end_ns"], cur["recharge_dac_code"] = w.time_ns, None, w.dac_code
            if w.pins == 0:
                cur["end_ns"] = w.time_ns
                if cur["recharge_start_ns"] is not None:
                    out.append(Pulse(**cur))
                    cur = None
        pins = w.pins
    if cur is not None and cur["end_ns"] is not None:
        out.append(Pulse(**cur))
    return out


@dataclass(frozen=True)
class DueEdge:
    """A pin write the reference schedule asks for: its tick, the pins and the DAC code after it."""

    tick: int
    pins: int
    dac_code: int


def due_edges(timeline: np.ndarray, origin_tick: int) -> list[DueEdge]:
    """The edges of a reference timeline (firmware_model Scheduler) started at ``origin_tick``: the
    cathodic start, the gap, the recharge phase and the end of each pulse (a pulse inside a burst:
    its cathodic phase only), as the firmware queues them."""
    out: list[DueEdge] = []
    for p in timeline:
        at, area_pins = origin_tick + int(p["start_tick"]), int(p["area"]) << 2
        cathodic_code, recharge_code = dac.phase_dac_codes(int(p["amplitude_ua"]), int(p["recharge_amplitude_ua"]))
        out.append(DueEdge(at, CATHODIC | area_pins, cathodic_code))
        at += int(p["width_us"])
        if int(p["recharge_width_us"]) == 0 and int(p["gap_us"]) == 0:
            out.append(DueEdge(at, 0, 0))
            continue
        if int(p["gap_us"]):
            out.append(DueEdge(at, area_pins, 0))
            at += int(p["gap_us"])
        out.append(DueEdge(at, RECHARGE | area_pins, recharge_code))
        out.append(DueEdge(at + int(p["recharge_width_us"]), 0, 0))
    return out


@dataclass(frozen=True)
class EdgeReport:
    """One pin write against its due edge: lateness = write time - the due tick's start, in ns."""

    due: DueEdge
    write: PinWrite

    @property
    def lateness_ns(self) -> int:
        return self.write.time_ns - self.due.tick * NS_PER_TICK

    @property
    def matches(self) -> bool:
        return self.write.pins == self.due.pins and self.write.dac_code == self.due.dac_code


@dataclass(frozen=True)
class Run:
    """The pin writes of one stimulation start: from the firmware's STIM_SET clock read on."""

    stim_set_tick: int
    writes: tuple[PinWrite, ...]

    @property
    def origin_tick(self) -> int:
        return self.stim_set_tick + START_LEAD_TICKS


def runs(record: Record, start_pc: int | None = None) -> list[Run]:
    """The record cut at each STIM_SET (a mark followed by a clock read: the tick the firmware took);
    ``start_pc``: only the marks of that address (the start clock's, when several are marked)."""
    starts = [(t, read) for pc, t, read in record.marks if start_pc is None or pc == start_pc]
    out = []
    for i, (_, read) in enumerate(starts):
        end = starts[i + 1][1] if i + 1 < len(starts) else None
        writes = tuple(w for w in record.pin_writes if w.time_ns > read and (end is None or w.time_ns < end))
        out.append(Run(read // NS_PER_TICK, writes))
    return out


def compare(run: Run, timeline: np.ndarray) -> list[EdgeReport]:
    """Each pin write of ``run`` against the reference edge of the same rank on the absolute schedule
    (as many as both have: a run cut by STIM_SET off stops early)."""
    due = due_edges(timeline, run.origin_tick)
    return [EdgeReport(d, w) for d, w in zip(due, run.writes)]


def lateness_summary(reports: list[EdgeReport]) -> dict[str, float]:
    late = np.array([r.lateness_ns for r in reports], dtype=np.int64)
    if late.size == 0:
        return {"edges": 0}
    return {"edges": int(late.size), "min_ns": int(late.min()), "mean_ns": float(late.mean()),
            "max_ns": int(late.max()), "on_time": int(((late >= 0) & (late < NS_PER_TICK)).sum())}


# --- sigrok session file --------------------------------------------------------------------------
def _rate_text(hz: int) -> str:
    for unit, scale in (("GHz", 10**9), ("MHz", 10**6), ("kHz", 10**3)):
        if hz % scale == 0:
            return f"{hz // scale} {unit}"
    return f"{hz} Hz"


def samples(writes: tuple[PinWrite, ...] | list[PinWrite], samplerate_hz: int, start_ns: int,
            end_ns: int) -> np.ndarray:
    """One byte a sample from ``start_ns`` to ``end_ns``: bits 0-3 the pins (CATH, RECH, AREA0, AREA1),
    bit 4 the DAC driven (code > 0)."""
    if samplerate_hz <= 0 or 10**9 % samplerate_hz:
        raise ValueError(f"samplerate {samplerate_hz} Hz: allowed are rates that divide 1 GHz (e.g. 25000000)")
    ns_per_sample = 10**9 // samplerate_hz
    n = max(1, (end_ns - start_ns) // ns_per_sample)
    at = np.array([(w.time_ns - start_ns + ns_per_sample - 1) // ns_per_sample for w in writes], dtype=np.int64)
    level = np.array([w.pins | (0x10 if w.dac_code else 0) for w in writes], dtype=np.uint8)
    which = np.searchsorted(at, np.arange(n), side="right") - 1  # the last write at or before each sample
    return np.where(which >= 0, level[np.maximum(which, 0)], 0).astype(np.uint8)


def write_sr(writes: tuple[PinWrite, ...] | list[PinWrite], path: Path, samplerate_hz: int = 25_000_000,
             start_ns: int | None = None, end_ns: int | None = None) -> Path:
    """A sigrok session file (libsigrok 0.5 srzip: ``version``, ``metadata``, ``logic-1-N``) of the
    pins, which PulseView opens and ``sigrok-cli -i FILE`` / ``scs logic --capture FILE`` read."""
    if not writes:
        raise ValueError("no pin writes to write: the observer saw no edge")
    start = writes[0].time_ns - 10_000 if start_ns is None else start_ns
    end = writes[-1].time_ns + 10_000 if end_ns is None else end_ns
    data = samples(writes, samplerate_hz, start, end)
    meta = io.StringIO()
    meta.write("[global]\nsigrok version=0.5.2\n\n[device 1]\ncapturefile=logic-1\n")
    meta.write(f"total probes={len(CHANNELS)}\nsamplerate={_rate_text(samplerate_hz)}\ntotal analog=0\n")
    for i, name in enumerate(CHANNELS, 1):
        meta.write(f"probe{i}={name}\n")
    meta.write("unitsize=1\n")
    chunk = 4 << 20
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("version", "2")
        z.writestr("metadata", meta.getvalue())
        for k, at in enumerate(range(0, len(data), chunk), 1):
            z.writestr(f"logic-1-{k}", data[at:at + chunk].tobytes())
    return Path(path)
