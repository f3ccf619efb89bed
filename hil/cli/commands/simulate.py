"""`scs simulate PROGRAM`: timeline summary, and optional npz / VCD / plot outputs.

PROGRAM is in the format every tool takes (`firmware_model.scenario.program`): a scenario TOML, or a
JSON list of AREA_WRITE field sets. An area that stops at turn-on (a contact outside the impedance
window) is a warning naming the area, contact and reason; with --strict the exit status is then 1.
The plot's default window shows the therapy (`hil.analysis.therapy_window`)."""

from __future__ import annotations

import argparse
import contextlib
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from firmware_model.scenario.program import load_program
from firmware_model.scenario.stimulation import Scenario, parse_duration_ticks
from firmware_model.stimulation import safety
from firmware_model.stimulation.params import PERIOD_NUMERATOR, Area, Waveform
from firmware_model.stimulation.scheduler import Scheduler
from firmware_model.stimulation.timeline import TIMELINE_DTYPE
from firmware_model.stimulation.totals import TotalsAccumulator
from hil.analysis.therapy_window import Window, default_window
from hil.analysis.waveforms import PlotText, describe_area
from hil.cli.errors import warn_turn_on_stops

#: --out keeps the whole timeline and --vcd writes every edge; beyond this many pulses ask for a shorter duration
MAX_STORED_PULSES = 5_000_000


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", metavar="PROGRAM",
                   help="scenario TOML file (see examples/), or a .json list of AREA_WRITE field sets")
    p.add_argument("--duration", help="override the scenario's duration, e.g. 10s, 500ms, 24h")
    p.add_argument("--out", metavar="FILE.npz",
                   help="write the timeline (numpy structured array 'timeline'); .npz is appended to other names")
    p.add_argument("--vcd", metavar="FILE.vcd", help="write the output stage as a VCD waveform")
    p.add_argument("--plot", metavar="FILE.png", help="plot each area's current (needs matplotlib)")
    p.add_argument("--window", metavar="START:END",
                   help="time window of the plot, e.g. 10s:10.05s (default: two periods of the slowest area "
                        "after the soft start; a cycle's off edge; the first displaced pulse of several areas)")
    p.add_argument("--strict", action="store_true", help="exit 1 when an area stops at turn-on (else a warning)")


def run(args: argparse.Namespace) -> int:
    from hil.cli.errors import UsageError

    if args.plot:
        _require_matplotlib()  # before the work, not after it
    if args.out:
        args.out = _npz_path(args.out)
    sc = load_program(args.scenario)
    duration = parse_duration_ticks(args.duration) if args.duration else sc.duration_ticks
    try:
        sched = Scheduler(sc.program, sc.profile, sc.impedances)
    except ValueError as e:
        raise UsageError(f"{args.scenario}: program refused: {e}") from None
    expected = int(sum(a.pulses_per_burst * a.rate_mhz for a in sc.program.areas) * duration // PERIOD_NUMERATOR)
    keep = bool(args.out or args.vcd)
    if keep and expected > MAX_STORED_PULSES:
        raise UsageError(f"--out/--vcd keep every pulse: {expected:,} pulses exceed {MAX_STORED_PULSES:,}; "
                         "use a shorter --duration")
    window = _window(args, sched, duration)
    acc, kept, head = _simulate(args, sched, duration, expected, window)
    timeline = np.concatenate(kept) if kept else np.empty(0, TIMELINE_DTYPE)
    out = Console(width=max(Console().width, 132))
    out.print(_summary_table(sc, sched, acc, duration))
    stops = warn_turn_on_stops("simulate", sc)
    _write_outputs(args, out, timeline, head, window, _plot_text(sc, window))
    return 1 if stops and args.strict else 0


def _npz_path(value: str) -> str:
    """The file --out really writes: numpy appends ``.npz`` to any other name, so the name is made
    explicit here (and printed as written); refused when that name is a folder."""
    from hil.cli.errors import UsageError

    path = value if value.endswith(".npz") else value + ".npz"
    if Path(path).is_dir():
        raise UsageError(f"--out {value}: writes {path}, which is a folder; give a file name")
    return path


def _simulate(args: argparse.Namespace, sched: Scheduler, duration: int, expected: int,
              window: Window) -> tuple[TotalsAccumulator, list[np.ndarray], list[np.ndarray]]:
    """Run the timeline once: totals, the chunks kept for --out, the chunks touching the plot window;
    --vcd is written on the way (every edge, never held in memory as a whole)."""
    acc = TotalsAccumulator(sched)
    kept: list[np.ndarray] = []
    head: list[np.ndarray] = []
    with contextlib.ExitStack() as stack:
        vcd = None
        if args.vcd:
            from hil.analysis.waveforms import VcdWriter

            vcd = VcdWriter(stack.enter_context(open(args.vcd, "w", encoding="ascii")), len(sched.program.areas))
        progress = stack.enter_context(Progress(console=Console(stderr=True), transient=True,
                                                disable=expected < 2_000_000))
        task = progress.add_task("simulating", total=duration)
        for chunk in sched.chunks(0, duration):
            acc.add(chunk)
            if args.out:
                kept.append(chunk)
            if vcd is not None:
                vcd.add(chunk)
            if args.plot and chunk["start_tick"][0] < window.end_tick and chunk["end_tick"].max() > window.start_tick:
                head.append(chunk)
            progress.update(task, completed=min(duration, int(chunk["start_tick"][-1])))
        if vcd is not None:
            vcd.close(duration)
    return acc, kept, head


def _summary_table(sc: Scenario, sched: Scheduler, acc: TotalsAccumulator, duration: int) -> Table:
    table = Table(title=f"{sc.name}: {duration / 1e6:g} s, {int(acc.pulses.sum()):,} pulses")
    for col in ("area", "waveform", "rate Hz", "mA", "width us", "pulses", "charge uC", "energy mJ",
                "displ. worst/bound", "margin", "status"):
        table.add_column(col, justify="right")
    for i, a in enumerate(sc.program.areas):
        table.add_row(*_area_row(i, a, sc, sched, acc))
    return table


def _area_row(i: int, a: Area, sc: Scenario, sched: Scheduler, acc: TotalsAccumulator) -> tuple[str, ...]:
    clipped = acc.out_of_compliance
    status = "stopped: faulted contact" if i in sched.stopped_areas else (
        f"out of compliance ({clipped[i]:,} pulses)" if clipped[i] else "ok")
    rate = a.rate_mhz / 1000
    return (str(i), a.waveform.value + (f" {a.pulses_per_burst}x{a.intra_burst_rate_mhz / 1000:g}Hz"
                                        if a.waveform is Waveform.BURST else ""),
            f"{rate:g}", f"{a.amplitude_ua / 1000:g}", str(a.pulse_width_us), f"{acc.pulses[i]:,}",
            f"{acc.charge_pc[i] / 1e6:,.1f}", f"{acc.energy_pj[i] / 1e9:,.3f}",
            f"{acc.worst_displacement[i]}/{sched.max_displacement_ticks[i]}",
            f"{safety.safety_margin_pct(a, sc.profile):.0f} %", status)


def _plot_text(sc: Scenario, window: Window) -> PlotText:
    return PlotText(program=f"{sc.name} ({len(sc.program.areas)} area{'s' if len(sc.program.areas) > 1 else ''})",
                    areas=tuple(describe_area(a) for a in sc.program.areas), why=window.why,
                    marks=window.cycle_edges)


def _write_outputs(args: argparse.Namespace, out: Console, timeline: np.ndarray, head: list[np.ndarray],
                   window: Window, text: PlotText) -> None:
    """--out and --plot files (the VCD is already written), each reported on the console."""
    from hil.cli.errors import UsageError

    if args.out:
        np.savez_compressed(args.out, timeline=timeline)
        out.print(f"timeline: {args.out}")
    if args.vcd:
        out.print(f"vcd: {args.vcd}")
    if args.plot:
        try:
            from hil.analysis.waveforms import plot_waveforms

            plot_waveforms(np.concatenate(head) if head else np.empty(0, TIMELINE_DTYPE), len(text.areas), args.plot,
                           (window.start_tick, window.end_tick), text)
        except ImportError:
            raise UsageError("--plot needs matplotlib: pip install 'scs-hil[plot]'") from None
        out.print(f"plot: {args.plot}")


def _require_matplotlib() -> None:
    from hil.cli.errors import UsageError

    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise UsageError("--plot needs matplotlib: pip install 'scs-hil[plot]'") from None


def _window(args: argparse.Namespace, sched: Scheduler, duration: int) -> Window:
    """The plot's window: --window, or the one that shows the therapy (`default_window`)."""
    from hil.analysis.waveforms import parse_window
    from hil.cli.errors import UsageError

    if args.window and not args.plot:
        raise UsageError("--window sets the plot's time window: use it with --plot FILE.png")
    if not args.window:
        return default_window(sched, duration) if args.plot else Window(0, 1, "")
    try:
        start, end = parse_window(args.window)
    except ValueError as e:
        raise UsageError(f"--window: {e}") from None
    if end > duration:
        raise UsageError(f"--window {args.window!r} is not allowed: it must end within the simulated "
                         f"{duration / 1e6:g} s (use --duration)")
    return Window(start, end, "the window asked for")
