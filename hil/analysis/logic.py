"""Pulse evidence from a logic analyzer, the way a lab checks a real board.

The board drives its output on four pins (README pin map): CATH (cathodic phase), RECH (recharge
phase: anodic or passive window) and AREA0/AREA1 (the active area, held through the pulse). A capture
of them (a live fx2lafw-class analyzer through ``sigrok-cli``, or any file sigrok reads: ``.sr``,
VCD, CSV with ``-I``) is turned into sigrok's VCD output, decoded into pulses (start = CATH rising,
phase widths from the pin levels) and compared, tick for tick, with the reference scheduler.
A tick is 1 us; captures at other sample rates are converted (times rounded to the nearest tick).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from firmware_model.scenario.program import load_program as program_file
from firmware_model.scenario.program import scenario_from_area_fields
from firmware_model.scenario.stimulation import Scenario
from firmware_model.stimulation.scheduler import Scheduler

PINS = ("CATH", "RECH", "AREA0", "AREA1")
TICK_S = 1e-6


class PinCaptureError(ValueError):
    """A logic-analyzer capture of the pins that sigrok cannot read, or that lacks the board's pins
    (not a protocol capture: that is `protocol.capture.format.CaptureError`)."""


@dataclass(frozen=True)
class Pulse:
    """One pulse seen on the pins, in ticks from the capture's start."""

    start_tick: int
    area: int
    width_ticks: int      # CATH high
    gap_ticks: int        # CATH fell .. RECH rose (0 without a recharge phase)
    recharge_ticks: int   # RECH high (0 inside a burst)


# --- sigrok ---------------------------------------------------------------------------------------
def _sigrok() -> str:
    exe = shutil.which("sigrok-cli")
    if exe is None:
        raise PinCaptureError("sigrok-cli is missing (Debian: apt-get install sigrok-cli)")
    return exe


def _run(args: list[str], output: bool = True) -> str:
    proc = subprocess.run([_sigrok(), *args], capture_output=True, text=True, timeout=600, check=False)
    if proc.returncode != 0 or (output and not proc.stdout.strip()):
        raise PinCaptureError(f"sigrok-cli {' '.join(args)} failed: {(proc.stderr or proc.stdout).strip()[:300]}")
    return proc.stdout


def convert(src: Path, dest: Path, input_format: str | None = None) -> None:
    """Convert a capture into sigrok's session format (``.sr``) with sigrok's own input module."""
    _run([*(["-I", input_format] if input_format else []), "-i", str(src), "-o", str(dest)], output=False)
    if not dest.exists():
        raise PinCaptureError(f"sigrok-cli wrote no {dest}")


def capture_vcd(path: Path, input_format: str | None = None) -> str:
    """A capture file, as sigrok's VCD output (edges only: compact whatever the sample rate)."""
    if not Path(path).is_file():
        raise PinCaptureError(f"{path}: no such capture file (a file sigrok reads: .sr, or give --format vcd, csv, ...)")
    return _run([*(["-I", input_format] if input_format else []), "-i", str(path), "-O", "vcd"])


def live_vcd(driver: str, samplerate_hz: int, samples: int, channels: str | None = None) -> str:
    """Capture from a connected analyzer (e.g. ``fx2lafw``), as VCD."""
    args = ["-d", driver, "--config", f"samplerate={samplerate_hz}", "--samples", str(samples), "-O", "vcd"]
    return _run(args + (["-C", channels] if channels else []))


# --- VCD ------------------------------------------------------------------------------------------
_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}


def parse_vcd(text: str) -> tuple[float, dict[str, list[tuple[int, int]]]]:
    """(seconds per VCD time unit, {signal name: [(time, level), ...]}) of a one-bit-wire VCD."""
    tokens = text.split()
    scale: float | None = None
    ids: dict[str, str] = {}
    changes: dict[str, list[tuple[int, int]]] = {}
    now, i = 0, 0
    while i < len(tokens):
        tok = tokens[i]
        if tok == "$timescale":
            spec = []
            i += 1
            while tokens[i] != "$end":
                spec.append(tokens[i])
                i += 1
            joined = "".join(spec)
            num = joined.rstrip("munpfs")
            unit = joined[len(num):]
            if unit not in _UNITS or not num.isdigit():
                raise PinCaptureError(f"VCD timescale {joined!r} is not understood")
            scale = int(num) * _UNITS[unit]
        elif tok == "$var":
            end = tokens.index("$end", i)
            _, _kind, _width, ident, name = tokens[i:i + 5]
            ids[ident] = name
            changes.setdefault(name, [])
            i = end
        elif tok.startswith("$"):
            if tok != "$end" and tok not in ("$dumpvars", "$dumpall", "$dumpon", "$dumpoff"):
                i = tokens.index("$end", i)
        elif tok.startswith("#"):
            now = int(tok[1:])
        elif tok[0] in "01xXzZ" and tok[1:] in ids:
            changes[ids[tok[1:]]].append((now, 1 if tok[0] == "1" else 0))
        i += 1
    if scale is None:
        raise PinCaptureError("the VCD has no $timescale")
    return scale, changes


def _levels(events: list[tuple[int, int, int]], per_tick: float):
    """(tick, pin levels before, pin levels after) at each instant some pin changed."""
    level = [0, 0, 0, 0]
    k = 0
    while k < len(events):
        t, before = events[k][0], level[:]
        while k < len(events) and events[k][0] == t:
            level[events[k][1]] = events[k][2]
            k += 1
        yield round(t / per_tick), before, level[:]


class _Pulses:
    """Pulses from pin transitions: CATH rising starts one; RECH falling ends it; a pulse without a
    recharge phase (inside a burst) ends where the next begins."""

    def __init__(self) -> None:
        self.done: list[Pulse] = []
        self.open: dict | None = None

    def step(self, tick: int, before: list[int], level: list[int]) -> None:
        p = self.open
        if p is not None and before[1] and not level[1]:
            self._close(tick)
        elif p is not None and before[0] and not level[0]:
            p["cath_end"] = tick
        if not before[0] and level[0]:
            if self.open is not None:
                self._close(tick)
            self.open = {"start": tick, "area": level[2] | level[3] << 1, "cath_end": None, "rech_start": None}
        if self.open is not None and not before[1] and level[1]:
            self.open["rech_start"] = tick

    def _close(self, end: int | None) -> None:
        p, self.open = self.open, None
        assert p is not None
        cath_end = p["cath_end"] if p["cath_end"] is not None else end
        if p["rech_start"] is None:
            self.done.append(Pulse(p["start"], p["area"], (cath_end or p["start"]) - p["start"], 0, 0))
        else:
            self.done.append(Pulse(p["start"], p["area"], cath_end - p["start"], p["rech_start"] - cath_end,
                                   (end if end is not None else p["rech_start"]) - p["rech_start"]))

    def finish(self) -> list[Pulse]:
        if self.open is not None and self.open["cath_end"] is not None:
            self._close(None)
        return self.done


def decode(text: str, pins: dict[str, str] | None = None) -> list[Pulse]:
    """The pulses on the board's pins in a VCD; ``pins`` maps PINS to the capture's channel names."""
    pins = pins or {p: p for p in PINS}
    scale, changes = parse_vcd(text)
    missing = [f"{p} ({pins[p]})" for p in PINS if pins[p] not in changes]
    if missing:
        raise PinCaptureError(f"the capture lacks the channels {', '.join(missing)}; it has {', '.join(changes) or 'none'}")
    events = sorted((t, PINS.index(p), v) for p in PINS for t, v in changes[pins[p]])
    pulses = _Pulses()
    for tick, before, level in _levels(events, TICK_S / scale):
        pulses.step(tick, before, level)
    return pulses.finish()


# --- the reference --------------------------------------------------------------------------------
#: programs known by name (the conformance suite's)
BUILTIN_PROGRAMS = ("four-areas", "burstdr", "hf10", "cycled")


def load_program(spec: str) -> Scenario:
    """A program in the format every tool takes (`firmware_model.scenario.program`): a scenario TOML,
    a JSON list of AREA_WRITE field sets, or a built-in name (four-areas, burstdr, hf10, cycled)."""
    if spec in BUILTIN_PROGRAMS:
        return scenario_from_area_fields(load_areas(spec), spec, spec)
    if not Path(spec).is_file():
        raise PinCaptureError(f"--program {spec}: no such file (a scenario TOML, a JSON list of AREA_WRITE "
                              f"field sets, or one of {', '.join(BUILTIN_PROGRAMS)})")
    return program_file(spec)


def reference(program: Scenario | list[dict], span_ticks: int) -> np.ndarray:
    """The reference scheduler's timeline of a program: its scenario's profile and impedances, or
    AREA_WRITE field sets on 1,000 ohm contacts."""
    sc = _scenario(program)
    return Scheduler(sc.program, sc.profile, sc.impedances).generate(0, span_ticks)


def _scenario(program: Scenario | list[dict]) -> Scenario:
    return program if isinstance(program, Scenario) else scenario_from_area_fields(program, "<areas>")


def load_areas(spec: str) -> list[dict]:
    """A built-in program's AREA_WRITE field sets, or those of a JSON file."""
    from hil.harness.conformance.support import BURST_DR, CYCLED, FOUR_AREAS, HF10

    builtin = {"four-areas": FOUR_AREAS, "burstdr": BURST_DR, "hf10": HF10, "cycled": CYCLED}
    if spec in builtin:
        return builtin[spec]
    path = Path(spec)
    if not path.is_file():
        raise PinCaptureError(f"program {spec!r}: one of {', '.join(builtin)} or a JSON file of AREA_WRITE fields")
    areas = json.loads(path.read_text())
    if not isinstance(areas, list) or not all(isinstance(a, dict) for a in areas) or not 1 <= len(areas) <= 4:
        raise PinCaptureError(f"{spec}: a JSON list of 1 to 4 objects of AREA_WRITE fields")
    return areas


def compare(seen: list[Pulse], areas: Scenario | list[dict], tolerance_ticks: int = 0) -> list[str]:
    """Differences between the captured pulses and the reference (times from the first pulse, as the
    board's turn-on is not on the pins); empty when they agree. A pulse cut off by the end of the
    capture is not compared."""
    if not seen:
        return ["the capture holds no pulse (CATH never rose)"]
    t0 = seen[0].start_tick
    want = reference(areas, seen[-1].start_tick - t0 + 1)
    problems = []
    if len(want) != len(seen):
        problems.append(f"{len(seen)} pulses captured, the reference has {len(want)} in the same span")
    for i, (p, w) in enumerate(zip(seen, want)):
        got = (p.start_tick - t0, p.area)
        if abs(got[0] - int(w["start_tick"])) > tolerance_ticks or got[1] != int(w["area"]):
            problems.append(f"pulse {i}: area {p.area} at tick {got[0]} from the first pulse; the reference "
                            f"has area {int(w['area'])} at tick {int(w['start_tick'])}")
            continue
        if i == len(seen) - 1 and p.recharge_ticks == 0 and int(w["recharge_width_us"]):
            continue  # the capture ended inside this pulse
        phases = (p.width_ticks, p.gap_ticks if p.recharge_ticks else 0, p.recharge_ticks)
        expect = (int(w["width_us"]), int(w["gap_us"]) if int(w["recharge_width_us"]) else 0, int(w["recharge_width_us"]))
        if any(abs(a - b) > tolerance_ticks for a, b in zip(phases, expect)):
            problems.append(f"pulse {i} (area {p.area}, tick {got[0]}): phases {phases} ticks (cathodic, gap, "
                            f"recharge); the reference has {expect}")
    return problems


def write_vcd(timeline: np.ndarray, path: Path, offset_ticks: int = 0) -> None:
    """The pins a board drives for ``timeline`` (the firmware's edges), as a VCD at 1 us."""
    edges: dict[int, dict[str, int]] = {}

    def at(tick: int, **levels: int) -> None:
        edges.setdefault(tick, {}).update(levels)

    for r in timeline:
        s, a = int(r["start_tick"]) + offset_ticks, int(r["area"])
        w, g, rw = int(r["width_us"]), int(r["gap_us"]), int(r["recharge_width_us"])
        at(s, CATH=1, RECH=0, AREA0=a & 1, AREA1=a >> 1 & 1)
        if rw == 0:
            at(s + w, CATH=0, AREA0=0, AREA1=0)
            continue
        at(s + w, CATH=0)
        at(s + w + g, RECH=1)
        at(s + w + g + rw, RECH=0, AREA0=0, AREA1=0)
    _write(edges, path)


def write_pin_vcd(driven: list[tuple[int, int]], path: Path) -> None:
    """A VCD at 1 us of pin states as a board drove them: (tick, pins) with bit 0 CATH, bit 1 RECH,
    bits 2-3 the area (the firmware's SCS_PIN_* layout)."""
    edges: dict[int, dict[str, int]] = {}
    for tick, pins in sorted(driven):
        edges[tick] = {p: pins >> i & 1 for i, p in enumerate(PINS)}
    _write(edges, path)


def _write(edges: dict[int, dict[str, int]], path: Path) -> None:
    ident = dict(zip(PINS, "!\"#$"))
    lines = ["$timescale 1 us $end", "$scope module board $end"]
    lines += [f"$var wire 1 {ident[p]} {p} $end" for p in PINS]
    lines += ["$upscope $end", "$enddefinitions $end", "#0", *[f"0{ident[p]}" for p in PINS]]
    for tick in sorted(edges):
        lines.append(f"#{tick}")
        lines += [f"{v}{ident[p]}" for p, v in edges[tick].items()]
    last = max(edges, default=0)
    lines.append(f"#{last + 10}")
    Path(path).write_text("\n".join(lines) + "\n")
