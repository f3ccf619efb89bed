"""Waveform export of a pulse timeline: a VCD for GTKWave and sigrok/PulseView, and a matplotlib plot.

VCD (timescale 1 us = 1 tick). Only 1-bit ``wire`` variables: libsigrok up to 0.5.2 (Debian's
PulseView/sigrok-cli) reads nothing else, and its parser stops at the first multi-bit value. Every
name is unique without its scope, because libsigrok drops scopes:

- ``stage_busy`` (scope ``scs.stage``): the output stage is occupied by some area;
- ``area<i>_busy`` (scope ``scs.area<i>``): area i occupies the stage (pulse, gap, recharge window)
  from ``start_tick`` to ``end_tick``;
- ``area<i>_cathodic``: area i's cathodic phase (``width_us`` from the start);
- ``area<i>_recharge``: its anodic phase (active) or passive recharge window, after the gap.

A signal changes at most once per instant: back-to-back occupancies (a displaced pulse starting as
the previous one frees the stage) keep ``busy`` high instead of dropping and rising at one tick.
Amplitudes are not logic levels: they are in the timeline (``--out``) and the plot.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import numpy as np

from firmware_model.stimulation.params import Area, Waveform
from firmware_model.stimulation.timeline import FLAG_PASSIVE

#: per-area signals, in the order their identifiers are assigned
AREA_SIGNALS = ("busy", "cathodic", "recharge")


def signal_names(n_areas: int) -> list[tuple[str, str]]:
    """(scope, name) of every VCD signal, in identifier order."""
    names = [("stage", "stage_busy")]
    for i in range(n_areas):
        names += [(f"area{i}", f"area{i}_{s}") for s in AREA_SIGNALS]
    return names


def _identifier(i: int) -> str:
    """Short printable VCD identifiers: '!' .. '~', then two characters."""
    base = 94
    return chr(33 + i) if i < base else chr(33 + i // base - 1) + chr(33 + i % base)


def pulse_intervals(chunk: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(signal index, on tick, off tick) of every high interval the chunk's pulses make."""
    start = chunk["start_tick"].astype(np.int64)
    end = chunk["end_tick"].astype(np.int64)
    cathodic_end = start + chunk["width_us"]
    recharge_on = cathodic_end + chunk["gap_us"]
    recharge_off = recharge_on + chunk["recharge_width_us"]
    base = 1 + len(AREA_SIGNALS) * chunk["area"].astype(np.int64)
    has_recharge = chunk["recharge_width_us"] > 0
    sig = np.concatenate([np.zeros(len(chunk), np.int64), base, base + 1, (base + 2)[has_recharge]])
    on = np.concatenate([start, start, start, recharge_on[has_recharge]])
    off = np.concatenate([end, end, cathodic_end, recharge_off[has_recharge]])
    return sig, on, off


class VcdWriter:
    """Streams timeline chunks (in start order) into a VCD file, one change per signal per instant."""

    def __init__(self, f: TextIO, n_areas: int):
        self.f = f
        self.names = signal_names(n_areas)
        self.ids = [_identifier(i) for i in range(len(self.names))]
        self.n = len(self.names)
        self._tick = np.zeros(0, np.int64)
        self._sig = np.zeros(0, np.int64)
        self._val = np.zeros(0, np.int8)
        self._started = False
        self.last_tick = 0
        self.pulses = 0
        self._header()

    def _header(self) -> None:
        lines = ["$date scs-hil simulate $end", "$version scs-hil pulse timeline $end", "$timescale 1 us $end",
                 "$scope module scs $end"]
        scope = None
        for (sc, name), ident in zip(self.names, self.ids):
            if sc != scope:
                if scope is not None:
                    lines.append("$upscope $end")
                lines.append(f"$scope module {sc} $end")
                scope = sc
            lines.append(f"$var wire 1 {ident} {name} $end")
        lines += ["$upscope $end", "$upscope $end", "$enddefinitions $end"]
        self.f.write("\n".join(lines) + "\n")

    def add(self, chunk: np.ndarray) -> None:
        """Add pulses; every event before the chunk's first start is final and is written."""
        if not len(chunk):
            return
        self._flush(int(chunk["start_tick"][0]))
        sig, on, off = pulse_intervals(chunk)
        self._tick = np.concatenate([self._tick, on, off])
        self._sig = np.concatenate([self._sig, sig, sig])
        self._val = np.concatenate([self._val, np.ones(len(on), np.int8), np.zeros(len(off), np.int8)])
        self.pulses += len(chunk)

    def close(self, end_tick: int = 0) -> None:
        """Write the remaining events and a last timestamp at ``end_tick`` (or the last event)."""
        self._flush(None)
        if not self._started:
            self._dumpvars({})
        if end_tick > self.last_tick:
            self.f.write(f"#{end_tick}\n")
            self.last_tick = end_tick

    def _flush(self, before: int | None) -> None:
        """Write the events with tick < ``before`` (all if None); an off and an on of one signal at
        one tick (touching intervals) cancel out."""
        done = self._tick < before if before is not None else np.ones(len(self._tick), bool)
        tick, sig, val = self._tick[done], self._sig[done], self._val[done]
        self._tick, self._sig, self._val = self._tick[~done], self._sig[~done], self._val[~done]
        if not len(tick):
            return
        order = np.lexsort((sig, tick))
        tick, sig, val = tick[order], sig[order], val[order]
        same = (tick[1:] == tick[:-1]) & (sig[1:] == sig[:-1])
        drop = np.zeros(len(tick), bool)
        drop[1:] |= same
        drop[:-1] |= same
        tick, sig, val = tick[~drop], sig[~drop], val[~drop]
        if not self._started:
            at0 = tick == 0
            self._dumpvars(dict(zip(sig[at0].tolist(), val[at0].tolist())))
            tick, sig, val = tick[~at0], sig[~at0], val[~at0]
        self._write(tick, sig, val)

    def _dumpvars(self, initial: dict[int, int]) -> None:
        values = "\n".join(f"{initial.get(i, 0)}{ident}" for i, ident in enumerate(self.ids))
        self.f.write(f"#0\n$dumpvars\n{values}\n$end\n")
        self._started = True

    def _write(self, tick: np.ndarray, sig: np.ndarray, val: np.ndarray) -> None:
        if not len(tick):
            return
        new_time = np.ones(len(tick), bool)
        new_time[1:] = tick[1:] != tick[:-1]
        ids = self.ids
        lines = []
        for t, s, v, first in zip(tick.tolist(), sig.tolist(), val.tolist(), new_time.tolist()):
            if first:
                lines.append(f"#{t}")
            lines.append(f"{v}{ids[s]}")
        self.f.write("\n".join(lines) + "\n")
        self.last_tick = int(tick[-1])


def write_vcd(chunks: Iterable[np.ndarray], path: str | Path, n_areas: int, end_tick: int = 0) -> int:
    """Write the timeline to a VCD file (ends at ``end_tick`` at least); returns the pulses written."""
    with open(path, "w", encoding="ascii") as f:
        w = VcdWriter(f, n_areas)
        for chunk in chunks:
            w.add(chunk)
        w.close(end_tick)
    return w.pulses


def read_vcd_changes(text: str) -> tuple[dict[str, str], list[tuple[int, str, int]]]:
    """Parse a VCD of 1-bit signals: ({identifier: name}, [(tick, name, value)]) in file order."""
    names: dict[str, str] = {}
    changes: list[tuple[int, str, int]] = []
    tokens = text.split()
    i, t, in_header = 0, 0, True
    while i < len(tokens):
        tok = tokens[i]
        if in_header:
            if tok == "$var":
                names[tokens[i + 3]] = tokens[i + 4]
                i += 6
                continue
            if tok == "$enddefinitions":
                in_header = False
            i += 1
            continue
        if tok.startswith("#"):
            t = int(tok[1:])
        elif tok[0] in "01xXzZ" and len(tok) > 1:
            changes.append((t, names[tok[1:]], 1 if tok[0] == "1" else 0))
        i += 1
    return names, changes


# --- plot ----------------------------------------------------------------------------------------

#: the sign convention every plot states
SIGN_CONVENTION = "cathodic phase drawn positive (current leaving the cathode), anodic phase negative"


def pulse_edges(pulse: np.void) -> list[tuple[int, int]]:
    """(tick, current_ua) steps of one pulse: +cathodic, gap at 0, -anodic (active recharge), 0 at
    the end. A passive window is undriven: the current is 0 from the end of the cathodic phase."""
    t = int(pulse["start_tick"])
    w, g, rw = int(pulse["width_us"]), int(pulse["gap_us"]), int(pulse["recharge_width_us"])
    edges = [(t, int(pulse["amplitude_ua"])), (t + w, 0)]
    if not int(pulse["flags"]) & FLAG_PASSIVE and rw:
        edges += [(t + w + g, -int(pulse["recharge_amplitude_ua"])), (t + w + g + rw, 0)]
    return edges


def parse_window(text: str) -> tuple[int, int]:
    """'10s:10.05s' -> (start, end) ticks; the start may be 0. Raises ValueError naming the problem."""
    from firmware_model.scenario.stimulation import parse_duration_ticks

    parts = str(text).split(":")
    if len(parts) != 2:
        raise ValueError(f"window {text!r} is not allowed: START:END with units, e.g. '10s:10.05s'")
    start_text, end_text = (p.strip() for p in parts)
    zero = re.fullmatch(r"0+(\.0+)?\s*(us|ms|s|min|h|d)?", start_text) is not None
    start = 0 if zero else parse_duration_ticks(start_text)
    end = parse_duration_ticks(end_text)
    if end <= start:
        raise ValueError(f"window {text!r} is not allowed: the end must be after the start")
    return start, end


def describe_area(area: Area) -> str:
    """One line a clinician reads: waveform, amplitude, width, rate, contacts, cycling, soft start."""
    rate = f"{area.rate_mhz / 1000:g} Hz"
    if area.waveform is Waveform.BURST:
        rate += f" bursts of {area.pulses_per_burst} at {area.intra_burst_rate_mhz / 1000:g} Hz"
    cathodes = ",".join(str(c) for c, _ in area.contacts.cathodes)
    anodes = ",".join([str(a) for a in area.contacts.anodes] + (["case"] if area.contacts.case_anode else []))
    text = (f"{area.waveform.value.replace('_', ' ')} {area.amplitude_ua / 1000:g} mA, {area.pulse_width_us} us, "
            f"{rate}, cathode {cathodes} / anode {anodes}")
    if area.cycling:
        text += f", cycled {area.cycling.on_ms / 1000:g} s on / {area.cycling.off_ms / 1000:g} s off"
    if area.soft_start_ms:
        text += f", soft start {area.soft_start_ms / 1000:g} s"
    return text


@dataclass(frozen=True)
class PlotText:
    """What a plot says besides its data: the program (title, one lane label per area), why this
    window, and labelled instants to mark (a cycle's off edge)."""

    program: str = ""
    areas: tuple[str, ...] = ()
    why: str = ""
    marks: tuple[tuple[int, str], ...] = ()


def plot_waveforms(timeline: np.ndarray, n_areas: int, path: str | Path, window: tuple[int, int],
                   text: PlotText | None = None) -> np.ndarray:
    """One lane per area: output current (mA) over the window [start, end) ticks, time in ms;
    displaced pulses marked. Returns the pulses the picture shows (the data behind it)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    text = text or PlotText()
    t0, t1 = window
    fig, axes = plt.subplots(n_areas, 1, figsize=(11, 1.2 + 2.0 * n_areas), sharex=True, squeeze=False)
    shown = timeline[(timeline["start_tick"] < t1) & (timeline["end_tick"] > t0)]
    for i in range(n_areas):
        ax = axes[i][0]
        mine = shown[shown["area"] == i]
        label = text.areas[i] if i < len(text.areas) else ""
        late = mine["displacement_ticks"][mine["displacement_ticks"] > 0]
        moved = f"; {len(late)} displaced here, up to {int(late.max())} us" if len(late) else ""
        ax.set_title(f"area {i}" + (f": {label}" if label else "") + moved, fontsize=8, loc="left")
        _lane(ax, mine, t0, t1)
        ax.set_ylabel("current (mA)")
        for tick, what in text.marks:
            ax.axvline(tick / 1000.0, color="tab:red", ls="--", lw=0.9)
            if i == 0:  # labelled once
                ax.annotate(f" {what}", (tick / 1000.0, 0.92), xycoords=("data", "axes fraction"), fontsize=8,
                            color="tab:red", ha="left", va="top")
    axes[-1][0].set_xlabel("time since turn-on (ms)")
    head = text.program or "Output stage current per area"
    why = f" ({text.why})" if text.why else ""
    fig.suptitle(f"{head}\n{t0 / 1e6:g} s to {t1 / 1e6:g} s{why}\n"
                 f"Sign: {SIGN_CONVENTION}\nshaded: passive recharge window; red \u25bc: a displaced pulse, "
                 "its bar from the grid slot it was moved from", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return shown


def _lane(ax, mine: np.ndarray, t0: int, t1: int) -> None:
    """One area's current steps, its passive windows shaded, its displaced pulses marked."""
    ts, ys = [t0], [0]
    for p in mine:
        for t, c in pulse_edges(p):
            ts.append(min(max(t, t0), t1))
            ys.append(c)
    ts.append(t1)
    ys.append(0)
    ax.step(np.asarray(ts) / 1000.0, np.asarray(ys) / 1000.0, where="post", lw=0.8)
    passive = mine[(mine["flags"] & FLAG_PASSIVE) > 0]
    for p in passive[passive["recharge_width_us"] > 0]:
        on = int(p["start_tick"]) + int(p["width_us"]) + int(p["gap_us"])
        ax.axvspan(on / 1000.0, (on + int(p["recharge_width_us"])) / 1000.0, color="tab:orange", alpha=0.15, lw=0)
    late = mine[mine["displacement_ticks"] > 0]
    peak = max([int(mine["amplitude_ua"].max())] if len(mine) else [1000]) / 1000.0
    ax.set_ylim(bottom=min(ax.get_ylim()[0], -0.1 * peak), top=1.3 * peak)
    if len(late):
        starts = late["start_tick"].astype(np.int64)
        nominal = starts - late["displacement_ticks"].astype(np.int64)
        ax.hlines(np.full(len(late), 1.15 * peak), nominal / 1000.0, starts / 1000.0, color="tab:red", lw=1.5)
        ax.plot(starts / 1000.0, np.full(len(late), 1.15 * peak), "v", color="tab:red", ms=5)
    ax.set_xlim(t0 / 1000.0, t1 / 1000.0)
    ax.grid(alpha=0.3)
