"""Battery simulation: the event-driven simulator against a fixed-step (1 s) integration of the same model.

Run: ``python benchmarks/bench_battery.py [--quick]`` (one JSON line per case; ``--quick``: 2 days against
the fixed step and 1 year instead of 10, and the exit status judges accuracy, not speed).
- ``event_vs_fixed_step``: HF10 with a nightly recharge over 10 days, both ways, in one run. Targets:
  event-driven at least 100x faster; terminal voltage within 1 mV of the fixed-step result at every
  event time.
- ``ten_years``: ten years of daily use with nightly recharge and ageing, event-driven. Target: at least
  200x faster per simulated day than the fixed-step integration of the first case (same run).
- ``ageing_grid``: worst disagreement with BLAST-Lite over the stored grid. Target: under 2 capacity points.
- ``clinical``: the clinical anchors (docs/battery.md). Target: HF10 charging within 1.3x of Provenzano 2021.
"""

from __future__ import annotations

import bisect
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firmware_model.battery import RechargeableSimulation, RechargeHabit, Usage  # noqa: E402
from firmware_model.battery.charger import ChargerParams, Coupling, LinkParams, RechargeState, link_heat_per_bus_w, max_current_a  # noqa: E402
from firmware_model.battery.models import CellParams  # noqa: E402
from firmware_model.battery.thermal import ThermalParams  # noqa: E402
from firmware_model.clock import DAY_TICKS  # noqa: E402
from firmware_model.stimulation.params import TICKS_PER_SECOND  # noqa: E402

HF10_POWER_W = 0.009  # 3 mA, 30 us, 10 kHz into 1 kohm (as examples/battery_hf10.toml)


def fixed_step(usage: Usage, seconds: int, cell: CellParams = CellParams(), charger: ChargerParams = ChargerParams(),
               link: LinkParams = LinkParams(), th: ThermalParams = ThermalParams(), soc: float = 1.0,
               dt: float = 1.0) -> list[tuple[int, float]]:
    """Explicit fixed-step integration of the same equations and control law; (tick, voltage) per step.

    No ageing (the event-driven run compared with it has ageing off too).
    """
    v1, temp, cutoff, mode = 0.0, th.body_c, False, RechargeState.IDLE
    q = cell.capacity_mah
    c1 = cell.c1_farad
    c_th = th.tau_s / th.r_th_c_per_w
    i_end = charger.end_current_c_rate * q / 1000
    out = []
    coupling = usage.recharge.coupling if usage.recharge else Coupling()
    h = link_heat_per_bus_w(link, charger, coupling)
    up_points = sorted({*cell.ocv.breakpoints, cell.full_soc, cell.soon_soc, cell.now_soc, cell.resume_soc})
    i_cc = None
    step_ticks = int(dt * TICKS_PER_SECOND)
    for n in range(int(seconds / dt)):
        t = n * step_ticks
        cond = usage.conditions(t)
        ocv = cell.ocv.voltage(soc)
        heat = 0.0
        base_a = 0.0 if cutoff else usage.quiescent_ua * 1e-6 + (usage.telemetry_ua * 1e-6 if cond["telemetry"] else 0)
        load_a = base_a + (0.0 if cutoff or not cond["stim"] else usage.stim_power_w / ocv)
        if cond["charger"]:
            # the link feeds the load first (it covers it in this case), the remainder charges
            load_w = load_a * ocv
            if mode is RechargeState.IDLE:
                mode = RechargeState.CONSTANT_CURRENT
            i = 0.0
            if mode is RechargeState.CONSTANT_CURRENT:
                # the charger re-evaluates its current limit at each fuel-gauge step (OCV point or threshold)
                step_no = bisect.bisect_right(up_points, soc + 1e-9)
                if i_cc is None or step_no != i_cc[0]:
                    i_cc = (step_no, max_current_a(charger.v_target, ocv, link, charger, coupling, th.max_heat_w(),
                                                   load_w), load_w)
                i = i_cc[1]
                if ocv + i * cell.r0_ohm - v1 >= charger.v_limit:
                    mode = RechargeState.CONSTANT_VOLTAGE
            if mode is RechargeState.CONSTANT_VOLTAGE:
                i = (charger.v_limit - ocv + v1) / cell.r0_ohm
                if i <= i_end:
                    mode, i = RechargeState.COMPLETE, 0.0
            current = -i
            v_term = ocv + i * cell.r0_ohm - v1
            heat = (i * v_term + load_w) * (1 + h) - i * ocv - load_w
        else:
            mode, i_cc = RechargeState.IDLE, None
            current = load_a
        soc -= current * dt / 3.6 / q
        v1 += dt * (current / c1 - v1 / cell.tau1_s)
        temp += dt * (heat - (temp - th.body_c) / th.r_th_c_per_w) / c_th
        if soc <= cell.cutoff_soc:
            cutoff = True
        if cutoff and soc >= cell.resume_soc:
            cutoff = False
        out.append((t + step_ticks, cell.ocv.voltage(soc) - current * cell.r0_ohm - v1))
    return out


def usage() -> Usage:
    return Usage(stim_power_w=HF10_POWER_W, quiescent_ua=150, telemetry_min_per_day=5,
                 recharge=RechargeHabit(start_hour=22, duration_min=120, coupling=Coupling(10, 5)))


def event_vs_fixed_step(days: int = 10) -> dict:
    u = usage()
    t0 = time.perf_counter()
    result = RechargeableSimulation(u, ageing=False).run(days * DAY_TICKS)
    dt_event = time.perf_counter() - t0
    t0 = time.perf_counter()
    fixed = fixed_step(u, days * 86_400)
    dt_fixed = time.perf_counter() - t0
    by_second = {tick: v for tick, v in fixed}
    worst = 0.0
    compared = 0
    event_ticks = {e.tick for e in result.events}
    for s in result.samples:
        if s.tick not in event_ticks:
            continue
        # the sample holds the current that flowed up to the event (before any jump at it)
        near = s.tick // TICKS_PER_SECOND * TICKS_PER_SECOND  # the step that ends at or before the event
        if near in by_second:
            worst = max(worst, abs(by_second[near] - s.voltage))
            compared += 1
    return {"case": "event_vs_fixed_step", "days": days, "event_s": round(dt_event, 4), "fixed_step_s": round(dt_fixed, 2),
            "speedup": round(dt_fixed / dt_event, 1), "events_compared": compared,
            "worst_voltage_diff_mv": round(worst * 1e3, 4), "target_speedup": 100, "target_mv": 1.0,
            "ok": dt_fixed / dt_event >= 100 and worst < 1e-3 and compared > 0}


def ten_years(fixed_step_s_per_day: float, years: int = 10) -> dict:
    """Ten years with ageing, event-driven, against the fixed-step cost per simulated day measured in the
    same run (a ratio: the machine's speed cancels out)."""
    t0 = time.perf_counter()
    result = RechargeableSimulation(usage()).run(int(years * 365.25 * DAY_TICKS))
    dt = time.perf_counter() - t0
    ratio = fixed_step_s_per_day * years * 365.25 / dt
    return {"case": "ten_years", "years": years, "seconds": round(dt, 3), "segments": len(result.samples),
            "speedup_over_fixed_step": round(ratio, 1), "target_speedup": 200, "ok": ratio >= 200}


def ageing_grid() -> dict:
    """The ageing model against the stored BLAST-Lite grid (see `scs battery --ageing-report`)."""
    from firmware_model.battery.ageing import AgeingModel, load_reference, model_grid
    _, rows = load_reference()
    worst = max(abs(ours - r.capacity_pct) for r, ours in model_grid(AgeingModel(), rows))
    return {"case": "ageing_grid", "points": len(rows), "worst_points": round(worst, 3), "target_points": 2.0,
            "ok": worst < 2.0}


def clinical() -> dict:
    """HF10 daily charging against Provenzano 2021, primary tonic years against MedlinePlus."""
    from firmware_model.battery.clinical import anchors
    figures = {a.what: round(a.model, 2) for a in anchors()}
    ratios = [a.ratio for a in anchors() if a.ratio is not None]
    return {"case": "clinical", **figures, "ok": all(1 / 1.3 <= r <= 1.3 for r in ratios)}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    first = event_vs_fixed_step(2 if quick else 10)
    results = [first, ten_years(first["fixed_step_s"] / first["days"], 1 if quick else 10), ageing_grid(), clinical()]
    for r in results:
        print(json.dumps(r))
    if quick:  # no speed is judged: the voltages, the ageing grid and the clinical anchors are
        accurate = first["worst_voltage_diff_mv"] < first["target_mv"] and first["events_compared"] > 0
        return 0 if accurate and results[2]["ok"] and results[3]["ok"] else 1
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
