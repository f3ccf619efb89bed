"""Waveform export of a pulse timeline: VCD for GTKWave/PulseView and a matplotlib plot.

VCD signals (timescale 1 us = 1 tick):
- ``stage.current_ua`` (32-bit signed integer): output-stage current, + cathodic, - anodic, 0 else;
- ``stage.area`` (3-bit): index of the area occupying the stage (7 when idle);
- ``area<i>.busy`` (1 bit): area i occupies the stage (pulse, gap or recharge window).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np

from firmware_model.scheduler import FLAG_PASSIVE


def pulse_edges(pulse: np.void) -> list[tuple[int, int]]:
    """(tick, current_ua) edges of one pulse, ending at 0 when it frees the stage."""
    t = int(pulse["start_tick"])
    w, g, rw = int(pulse["width_us"]), int(pulse["gap_us"]), int(pulse["recharge_width_us"])
    edges = [(t, int(pulse["amplitude_ua"]))]
    if int(pulse["flags"]) & FLAG_PASSIVE or rw == 0:
        edges.append((t + w, 0))
    else:
        if g:
            edges.append((t + w, 0))
        edges.append((t + w + g, -int(pulse["recharge_amplitude_ua"])))
        edges.append((t + w + g + rw, 0))
    return edges


def write_vcd(chunks: Iterable[np.ndarray], path: str | Path, n_areas: int) -> int:
    """Write the timeline to a VCD file; returns the number of pulses written."""
    from vcd import VCDWriter

    count = 0
    with open(path, "w", encoding="ascii") as f, VCDWriter(f, timescale="1 us", date="today",
                                                         comment="scs-hil pulse timeline") as w:
        current = w.register_var("stage", "current_ua", "integer", size=32, init=0)
        owner = w.register_var("stage", "area", "wire", size=3, init=7)
        busy = [w.register_var(f"area{i}", "busy", "wire", size=1, init=0) for i in range(n_areas)]
        for chunk in chunks:
            for p in chunk:
                a = int(p["area"])
                edges = pulse_edges(p)
                w.change(owner, edges[0][0], a)
                w.change(busy[a], edges[0][0], 1)
                for t, i in edges:
                    w.change(current, t, i)
                end = edges[-1][0] + (int(p["recharge_width_us"]) if int(p["flags"]) & FLAG_PASSIVE else 0)
                w.change(busy[a], end, 0)
                w.change(owner, end, 7)
                count += 1
    return count


def plot_waveforms(timeline: np.ndarray, n_areas: int, path: str | Path, window_ticks: int) -> None:
    """One panel per area: output current (mA) over the first ``window_ticks`` (in ms)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(n_areas, 1, figsize=(10, 2.2 * n_areas), sharex=True, squeeze=False)
    shown = timeline[timeline["start_tick"] < window_ticks]
    for i in range(n_areas):
        ax = axes[i][0]
        ts, ys = [0], [0]
        for p in shown[shown["area"] == i]:
            for t, c in pulse_edges(p):
                ts.append(t)
                ys.append(c)
        ts.append(window_ticks)
        ys.append(0)
        ax.step(np.asarray(ts) / 1000.0, np.asarray(ys) / 1000.0, where="post", lw=0.8)
        ax.set_ylabel(f"area {i}\nmA")
        ax.grid(alpha=0.3)
    axes[-1][0].set_xlabel("time (ms)")
    fig.suptitle("Output stage current per area")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
