"""`scs battery SCENARIO.toml [--years N] [--plot battery.png]`: battery life and recharge projections."""

from __future__ import annotations

import argparse
import math
from dataclasses import dataclass

from rich.console import Console
from rich.progress import Progress
from rich.table import Table

from firmware_model.battery import CellParams, PrimaryCellParams
from firmware_model.longevity import (
    DAY_TICKS,
    RechargeableSimulation,
    RechargeHabit,
    Usage,
    average_stim_power_w,
    project_primary,
    project_rechargeable,
)
from firmware_model.recharge import Coupling
from firmware_model.scenario import ScenarioError, load_scenario
from firmware_model.scheduler import Scheduler

_BATTERY_KEYS = {"type", "capacity_mah", "initial_soc", "years"}
_USAGE_KEYS = {"hours_per_day", "stim_start_hour", "quiescent_ua", "telemetry_ua", "telemetry_min_per_day",
               "telemetry_start_hour"}
_RECHARGE_KEYS = {"every_days", "start_hour", "duration_min", "separation_mm", "misalignment_mm", "max_transmit_w"}


@dataclass(frozen=True)
class BatteryScenario:
    name: str
    kind: str
    usage: Usage
    capacity_mah: float | None
    initial_soc: float
    years: float


def _table(src: str, raw: dict, name: str, allowed: set[str]) -> dict:
    t = raw.get(name, {})
    if not isinstance(t, dict):
        raise ScenarioError(src, name, "a table")
    for k in t:
        if k not in allowed:
            raise ScenarioError(src, f"{name}.{k}", f"unknown key; allowed: {', '.join(sorted(allowed))}")
    return t


def load_battery_scenario(path: str) -> BatteryScenario:
    sc = load_scenario(path)
    raw = sc.raw
    b = _table(path, raw, "battery", _BATTERY_KEYS)
    u = _table(path, raw, "usage", _USAGE_KEYS)
    r = _table(path, raw, "recharge", _RECHARGE_KEYS)
    kind = b.get("type", "rechargeable")
    if kind not in ("rechargeable", "primary"):
        raise ScenarioError(path, "battery.type", f"{kind!r} is not allowed: rechargeable or primary")
    try:
        power = average_stim_power_w(Scheduler(sc.program, sc.profile, sc.impedances))
    except ValueError as e:
        raise ScenarioError(path, "area", f"program refused: {e}") from None
    try:
        habit = None
        if kind == "rechargeable" and r:
            coupling = Coupling(**{k: float(r[k]) for k in ("separation_mm", "misalignment_mm", "max_transmit_w") if k in r})
            habit = RechargeHabit(every_days=int(r.get("every_days", 1)), start_hour=float(r.get("start_hour", 22)),
                                  duration_min=float(r.get("duration_min", 60)), coupling=coupling)
        usage = Usage(stim_power_w=power, recharge=habit, **{k: float(v) for k, v in u.items()})
    except (ValueError, TypeError) as e:
        raise ScenarioError(path, "usage/recharge", str(e)) from None
    soc = b.get("initial_soc", 1.0)
    years = b.get("years", 1)
    if not (isinstance(soc, (int, float)) and 0 < soc <= 1):
        raise ScenarioError(path, "battery.initial_soc", f"{soc!r} is not allowed: 0 < soc <= 1")
    if not (isinstance(years, (int, float)) and 0 < years <= 30):
        raise ScenarioError(path, "battery.years", f"{years!r} is not allowed: 0 to 30 years")
    cap = b.get("capacity_mah")
    if cap is not None and not (isinstance(cap, (int, float)) and cap > 0):
        raise ScenarioError(path, "battery.capacity_mah", f"{cap!r} is not allowed: a positive number")
    return BatteryScenario(sc.name, kind, usage, cap, float(soc), float(years))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("scenario", help="scenario TOML with [battery], [usage] and [recharge] tables (see examples/)")
    p.add_argument("--years", type=float, help="simulated span (default: the scenario's, else 1)")
    p.add_argument("--plot", metavar="FILE.png", help="plot SOC, voltage, temperature and capacity (needs matplotlib)")


def run(args: argparse.Namespace) -> int:
    from hil.errors import UsageError

    bs = load_battery_scenario(args.scenario)
    years = args.years if args.years is not None else bs.years
    if not 0 < years <= 30:
        raise UsageError(f"--years {years} is not allowed: 0 to 30")
    out = Console(width=max(Console().width, 100))
    table = Table(title=f"{bs.name}: {bs.kind} cell, {bs.usage.stim_power_w * 1e3:.3f} mW stimulation, "
                        f"{bs.usage.hours_per_day:g} h/day")
    table.add_column("projection")
    table.add_column("value", justify="right")
    if bs.kind == "primary":
        primary = PrimaryCellParams(capacity_mah=bs.capacity_mah) if bs.capacity_mah else PrimaryCellParams()
        pr = project_primary(bs.usage, primary)
        table.add_row("average current", f"{pr.average_current_ua:.1f} uA")
        table.add_row("years to ERI (elective replacement)", f"{pr.years_to_eri:.2f}")
        table.add_row("years to EOS (end of service)", f"{pr.years_to_eos:.2f}")
        out.print(table)
        if args.plot:
            raise UsageError("--plot draws a rechargeable simulation; a primary cell's projection is closed form")
        return 0
    cell = CellParams(capacity_mah=bs.capacity_mah) if bs.capacity_mah else CellParams()
    end = int(years * 365.25 * DAY_TICKS)
    sim = RechargeableSimulation(bs.usage, cell, soc=bs.initial_soc)
    with Progress(console=Console(stderr=True), transient=True, disable=years < 2) as progress:
        task = progress.add_task("simulating", total=end)
        result = sim.run(end, progress=lambda t: progress.update(task, completed=t))
    proj = project_rechargeable(bs.usage, cell, result=result)
    s = result.samples
    alerts: dict[str, int] = {}
    for e in result.events:
        if e.kind == "battery":
            alerts[e.name] = alerts.get(e.name, 0) + 1
    table.add_row("recharge interval, full to 'recharge soon'", f"{proj.hours_full_to_soon:.1f} h")
    table.add_row("full to cut-off without charging", f"{proj.hours_full_to_cutoff:.1f} h")
    table.add_row("charging per day (habit)", f"{proj.charging_min_per_day:.0f} min")
    table.add_row("charging per week (habit)", f"{proj.charging_min_per_day * 7 / 60:.1f} h")
    table.add_row("equivalent full cycles per day", f"{proj.efc_per_day:.3f}")
    table.add_row("service life (capacity >= 80 %)",
                  "beyond 100 years" if math.isinf(proj.service_life_years) else f"{proj.service_life_years:.1f} years")
    table.add_row(f"simulated {years:g} years: lowest SOC", f"{min(x.soc for x in s):.1%}")
    table.add_row("highest implant temperature", f"{max(x.temperature_c for x in s):.2f} degC")
    table.add_row("capacity at end", f"{s[-1].capacity_fraction:.1%}")
    table.add_row("time in cut-off (no stimulation)", f"{result.totals.cutoff_ticks / 3.6e9:.1f} h")
    table.add_row("alerts", ", ".join(f"{k.lower()} x{v}" for k, v in sorted(alerts.items())) or "none")
    out.print(table)
    if args.plot:
        try:
            plot_battery(result, args.plot, bs.name)
        except ImportError:
            raise UsageError("--plot needs matplotlib: pip install 'scs-hil[plot]'") from None
        out.print(f"plot: {args.plot}")
    return 0


def plot_battery(result, path: str, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a = result.arrays()
    days = a["tick"] / DAY_TICKS
    fig, axes = plt.subplots(4, 1, figsize=(10, 9), sharex=True)
    for ax, key, label in zip(axes, ("soc", "voltage", "temperature_c", "capacity_fraction"),
                              ("SOC", "terminal V", "implant degC", "capacity")):
        y = a[key] * (100 if key in ("soc", "capacity_fraction") else 1)
        ax.plot(days, y, lw=0.7)
        ax.set_ylabel(label + (" %" if key in ("soc", "capacity_fraction") else ""))
        ax.grid(alpha=0.3)
    axes[-1].set_xlabel("days")
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
