"""`scs battery SCENARIO.toml [--years N] [--plot battery.png] [--fail-on-cutoff]`: battery life and
recharge projections; `scs battery --ageing-report`: the ageing model beside BLAST-Lite's figures;
`scs battery --anchors`: the model against the clinical figures (docs/battery.md)."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from firmware_model.battery import (
    PrimarySimulation,
    RechargeableSimulation,
    RechargeHabit,
    Result,
    Usage,
    average_stim_power_w,
    project_primary,
    project_rechargeable,
)
from firmware_model.battery.charger import Coupling
from firmware_model.battery.models import CellParams, PrimaryCellParams
from firmware_model.clock import DAY_TICKS
from firmware_model.scenario.battery import checked_table
from firmware_model.scenario.stimulation import ScenarioError, load_scenario
from firmware_model.stimulation.scheduler import Scheduler

#: exit status of --fail-on-cutoff when therapy stops during the simulated span
EXIT_THERAPY_STOPS = 1


@dataclass(frozen=True)
class BatteryScenario:
    name: str
    kind: str
    usage: Usage
    capacity_mah: float | None
    initial_soc: float
    years: float


def load_battery_scenario(path: str) -> BatteryScenario:
    """A scenario with its battery tables, every key typed and range-checked (`battery_scenario.SPEC`)."""
    sc = load_scenario(path)
    raw = sc.raw
    b = checked_table(path, raw, "battery")
    u = checked_table(path, raw, "usage")
    r = checked_table(path, raw, "recharge")
    kind = b.get("type", "rechargeable")
    if kind == "primary" and r:
        raise ScenarioError(path, "recharge", "not allowed with battery.type = \"primary\" (a primary cell is not recharged)")
    try:
        power = average_stim_power_w(Scheduler(sc.program, sc.profile, sc.impedances))
    except ValueError as e:
        raise ScenarioError(path, "area", f"program refused: {e}") from None
    habit = None
    if kind == "rechargeable" and r:
        coupling = Coupling(**{k: float(r[k]) for k in ("separation_mm", "misalignment_mm", "max_transmit_w") if k in r})
        habit = RechargeHabit(every_days=r.get("every_days", 1), start_hour=float(r.get("start_hour", 22)),
                              duration_min=float(r.get("duration_min", 60)), coupling=coupling)
    usage = Usage(stim_power_w=power, recharge=habit, **{k: float(v) for k, v in u.items()})
    return BatteryScenario(sc.name, kind, usage, b.get("capacity_mah"), float(b.get("initial_soc", 1.0)),
                           float(b.get("years", 1)))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", nargs="?",
                   help="scenario TOML with [battery], [usage] and [recharge] tables (see examples/)")
    p.add_argument("--years", type=float, help="simulated span (default: the scenario's, else 1)")
    p.add_argument("--plot", metavar="FILE.png",
                   help="plot SOC, voltage, temperature and capacity (a primary cell: SOC and voltage), as daily "
                        "min/max bands for runs longer than two weeks (needs matplotlib)")
    p.add_argument("--fail-on-cutoff", action="store_true",
                   help=f"exit {EXIT_THERAPY_STOPS} if therapy stops (cut-off or EOS) at any time in the span")
    p.add_argument("--ageing-report", action="store_true",
                   help="print the ageing model's capacity grid beside the stored BLAST-Lite reference")
    p.add_argument("--anchors", action="store_true", help="print the model against the clinical figures")


@dataclass(frozen=True)
class Stops:
    """When therapy stopped during a simulation (cut-off of a rechargeable cell, or after EOS)."""

    total_ticks: int
    longest_ticks: int
    episodes: int
    span_ticks: int

    @property
    def fraction(self) -> float:
        return self.total_ticks / self.span_ticks if self.span_ticks else 0.0


def therapy_stops(result: Result, stopped: str) -> Stops:
    """Gaps in therapy from the battery events: each starts at ``stopped`` (CUTOFF or EOS) and ends
    at the next battery state change (or the end of the run)."""
    gaps, start = [], None
    for e in result.events:
        if e.kind != "battery":
            continue
        if e.name == stopped and start is None:
            start = e.tick
        elif start is not None and e.name != stopped:
            gaps.append(e.tick - start)
            start = None
    if start is not None:
        gaps.append(result.end_tick - start)
    if result.samples and result.samples[0].state.name == stopped and (not gaps or result.events[0].name != stopped):
        first = next((e.tick for e in result.events if e.kind == "battery"), result.end_tick)
        gaps.insert(0, first)
    return Stops(sum(gaps), max(gaps, default=0), len(gaps), result.end_tick)


def _hours(ticks: int) -> str:
    h = ticks / 3.6e9
    return f"{h / 24:.1f} days" if h >= 48 else f"{h:.1f} h"


def _assumptions(bs: BatteryScenario) -> str:
    u = bs.usage
    text = (f"stimulation {u.stim_power_w * 1e3:.3f} mW for {u.hours_per_day:g} h a day, housekeeping "
            f"{u.quiescent_ua:g} uA, telemetry {u.telemetry_min_per_day:g} min a day")
    r = u.recharge
    if bs.kind == "rechargeable":
        if r is None:
            text += "; never recharged (no [recharge] table)"
        else:
            c = r.coupling
            text += (f"; recharged every {r.every_days} day{'s' if r.every_days > 1 else ''} at "
                     f"{int(r.start_hour):02d}:{round(r.start_hour % 1 * 60):02d} for {r.duration_min:g} min, coil "
                     f"{c.separation_mm:g} mm deep, {c.misalignment_mm:g} mm off centre, up to {c.max_transmit_w:g} W")
    return text


def run(args: argparse.Namespace) -> int:
    from hil.cli.errors import UsageError

    out = Console(width=max(Console().width, 100))
    if args.ageing_report or args.anchors:
        if args.ageing_report:
            print_ageing_report(out)
        if args.anchors:
            print_anchors(out)
        return 0
    if args.scenario is None:
        raise UsageError("a scenario file is required (or --ageing-report / --anchors)")
    bs = load_battery_scenario(args.scenario)
    years = args.years if args.years is not None else bs.years
    if not (math.isfinite(years) and 0 < years <= 30):
        raise UsageError(f"--years {years:g} is not allowed: a number of years from 0 (excluded) to 30")
    end = int(years * 365.25 * DAY_TICKS)
    table = Table(title=f"{bs.name}: {bs.kind} cell, {bs.usage.stim_power_w * 1e3:.3f} mW stimulation, "
                        f"{bs.usage.hours_per_day:g} h/day")
    table.add_column("projection")
    table.add_column("value", justify="right")
    if bs.kind == "primary":
        stops = _run_primary(bs, end, years, table, args.plot, out)
        stopped_word = "after end of service (EOS)"
    else:
        stops = _run_rechargeable(bs, end, years, table, args.plot, out)
        stopped_word = "in cut-off"
    out.print(table)
    out.print(f"assumptions: {_assumptions(bs)}")
    if stops.total_ticks > 0:
        out.print(f"THERAPY STOPS: {stops.fraction:.0%} of the simulated {years:g} years {stopped_word} "
                  f"({_hours(stops.total_ticks)} in {stops.episodes} gap{'s' if stops.episodes > 1 else ''}, the longest "
                  f"{_hours(stops.longest_ticks)}): the patient is without stimulation then.")
        if args.fail_on_cutoff:
            return EXIT_THERAPY_STOPS
    else:
        out.print(f"therapy never stops in the simulated {years:g} years.")
    return 0


def _plot_title(bs: BatteryScenario) -> str:
    return (f"{bs.name}: {bs.kind} cell, {bs.usage.stim_power_w * 1e3:.3f} mW stimulation "
            f"{bs.usage.hours_per_day:g} h/day")


def _plot(result, path: str, bs: BatteryScenario, out: Console, primary_levels=None) -> None:
    from hil.analysis.battery_plot import plot_battery
    from hil.cli.errors import UsageError

    try:
        plot_battery(result, path, _plot_title(bs), primary_levels)
    except ImportError:
        raise UsageError("--plot needs matplotlib (pip install 'scs-hil[plot]')") from None
    out.print(f"plot: {path}")


def _run_primary(bs: BatteryScenario, end: int, years: float, table: Table, plot: str | None,
                 out: Console) -> Stops:
    cell = PrimaryCellParams(capacity_mah=bs.capacity_mah) if bs.capacity_mah else PrimaryCellParams()
    pr = project_primary(bs.usage, cell)
    result = PrimarySimulation(bs.usage, cell, soc=bs.initial_soc).run(end)
    table.add_row("average current", f"{pr.average_current_ua:.1f} uA")
    table.add_row(f"years to ERI (elective replacement, SOC {cell.eri_soc:.0%})", f"{pr.years_to_eri:.2f}")
    table.add_row(f"years to EOS (end of service, SOC {cell.eos_soc:.0%})", f"{pr.years_to_eos:.2f}")
    for e in result.events:
        if e.kind == "battery":
            table.add_row(f"simulated: {e.name} reached", f"day {e.tick / DAY_TICKS:.1f}")
    table.add_row(f"simulated {years:g} years: state at end", result.samples[-1].state.name)
    stops = therapy_stops(result, "EOS")
    table.add_row("time after EOS (no stimulation)", _hours(stops.total_ticks))
    if plot:
        _plot(result, plot, bs, out, (cell.eri_soc, cell.eos_soc))
    return stops


def _run_rechargeable(bs: BatteryScenario, end: int, years: float, table: Table, plot: str | None,
                      out: Console) -> Stops:

    cell = CellParams(capacity_mah=bs.capacity_mah) if bs.capacity_mah else CellParams()
    sim = RechargeableSimulation(bs.usage, cell, soc=bs.initial_soc)
    with Progress(console=Console(stderr=True), transient=True, disable=years < 2) as progress:
        task = progress.add_task("simulating", total=end)
        result = sim.run(end, progress=lambda t: progress.update(task, completed=t))
    proj = project_rechargeable(bs.usage, cell, result=result, fade=sim.fade)
    s = result.samples
    alerts: dict[str, int] = {}
    for e in result.events:
        if e.kind == "battery":
            alerts[e.name] = alerts.get(e.name, 0) + 1
    stops = therapy_stops(result, "CUTOFF")
    table.add_row("recharge interval, full to 'recharge soon'", f"{proj.hours_full_to_soon:.1f} h")
    table.add_row("full to cut-off without charging", f"{proj.hours_full_to_cutoff:.1f} h")
    table.add_row("charging per day (habit)", f"{proj.charging_min_per_day:.0f} min")
    table.add_row("charging per week (habit)", f"{proj.charging_min_per_day * 7 / 60:.1f} h")
    table.add_row("equivalent full cycles per day", f"{proj.efc_per_day:.3f}")
    life = proj.service_life_years
    life_text = ("beyond 100 years" if math.isinf(life) else "under a day simulated" if math.isnan(life)
                 else f"{life:.1f} years")
    if stops.total_ticks > 0 and not math.isnan(life):
        life_text += " (of a cell often in cut-off)"
    table.add_row("service life (capacity >= 80 %)", life_text)
    table.add_row(f"simulated {years:g} years: lowest SOC", f"{min(x.soc for x in s):.1%}")
    table.add_row("highest implant temperature", f"{max(x.temperature_c for x in s):.2f} degC")
    table.add_row("capacity at end", f"{s[-1].capacity_fraction:.1%}")
    table.add_row("time in cut-off (no stimulation)", f"{_hours(stops.total_ticks)} ({stops.fraction:.1%})")
    table.add_row("longest gap in therapy", _hours(stops.longest_ticks))
    table.add_row("alerts", ", ".join(f"{k.lower()} x{v}" for k, v in sorted(alerts.items())) or "none")
    if plot:
        _plot(result, plot, bs, out)
    return stops


def print_ageing_report(out: Console) -> None:
    """Our capacity beside BLAST-Lite's over the stored grid (daily cycle at 37 degC)."""
    from firmware_model.battery.ageing import AgeingModel, load_reference, model_grid

    header, rows = load_reference()
    grid = model_grid(AgeingModel(), rows)
    years = sorted({r.years for r in rows})
    table = Table(title="Capacity %, ours / BLAST-Lite: charged daily to the top SOC at C/4, discharged by the DoD, 37 degC")
    table.add_column("top SOC %", justify="right")
    table.add_column("DoD %", justify="right")
    for y in years:
        table.add_column(f"{y} y", justify="right")
    cells: dict[tuple[int, int], dict[int, str]] = {}
    for r, ours in grid:
        cells.setdefault((r.top_soc_pct, r.dod_pct), {})[r.years] = f"{ours:.1f} / {r.capacity_pct:.1f}"
    for (top, dod), by_year in cells.items():
        table.add_row(str(top), str(dod), *(by_year.get(y, "") for y in years))
    out.print(table)
    for h in header:
        out.print(f"reference {h}")
    worst = max(grid, key=lambda g: abs(g[1] - g[0].capacity_pct))
    r = worst[0]
    out.print(f"worst difference over {len(grid)} points: {abs(worst[1] - r.capacity_pct):.2f} capacity points "
              f"(top {r.top_soc_pct} %, DoD {r.dod_pct} %, {r.years} y); target: within 2")


def print_anchors(out: Console) -> None:
    from firmware_model.battery.clinical import anchors

    table = Table(title="Clinical anchors (assumptions: docs/battery.md)")
    table.add_column("figure")
    table.add_column("clinical", justify="right")
    table.add_column("model", justify="right")
    table.add_column("model / clinical", justify="right")
    for a in anchors():
        table.add_row(a.what, a.clinical, f"{a.model:.1f}", "" if a.ratio is None else f"{a.ratio:.2f}")
    out.print(table)
