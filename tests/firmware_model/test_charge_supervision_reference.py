"""Charging supervision against a fine-step reference of the documented equations (issue 22, items 4-6):
the over-voltage resume is found under load wherever it happens, a full cell on a correctly set charger
never pauses, and the constant current is set once per fuel-gauge step, however the run is cut."""

from __future__ import annotations

from pathlib import Path

from firmware_model.battery import RechargeableSimulation, RechargeHabit, Usage
from firmware_model.battery.charger import ChargerParams, Coupling
from firmware_model.battery.models import CellParams
from hil.cli.commands.battery import load_battery_scenario
from tests.support.battery_reference import Reference

SECOND = 1_000_000
HOUR = 3600 * SECOND


def _recharge(sim: RechargeableSimulation) -> list[tuple[float, str]]:
    return [(e.tick / SECOND, e.name) for e in sim.events if e.kind == "recharge" and e.name != "IDLE"]


def test_the_over_voltage_pause_resumes_within_1_s_of_the_reference_when_the_loaded_voltage_drops_below_4_1_v():
    # the case: a charger mis-set to 4.35 V, a cell whose resistance has grown, a 20 mW load;
    # the terminal voltage under load falls below 4.1 V at 2893.3 s (it used to resume at 3249.6 s, the
    # next OCV table point)
    cell, charger, load_w = CellParams(r0_ohm=1.5, r1_ohm=0.5), ChargerParams(v_limit=4.35), 0.02
    usage = Usage(stim_power_w=load_w, quiescent_ua=0.0, recharge=RechargeHabit(start_hour=0, duration_min=90))
    sim = RechargeableSimulation(usage, cell, charger, soc=0.85, ageing=False)
    sim.run(90 * 60 * SECOND)
    ref = Reference(cell, charger, Coupling(), load_w, soc=0.85).run(90 * 60)
    model = _recharge(sim)[1:]  # after the window opens in constant current
    assert [n for _, n in model] == [n for _, n in ref.events], "3 pauses in the 1.5 h window, as the reference"
    assert [n for _, n in model].count("PAUSED_OVERVOLTAGE") == 3
    for (t_model, _), (t_ref, _) in zip(model, ref.events, strict=True):
        assert abs(t_model - t_ref) < 1.0, (t_model, t_ref)
    assert abs(model[1][0] - 2893.3) < 1.0, "resumes at 2893.3 s, not at the next table point (3249.6 s)"


def test_a_full_cell_on_a_correctly_set_charger_completes_without_an_over_voltage_pause():
    # 100 % SOC, the 4.187 V charger of the definition: constant voltage at once, current below C/20,
    # complete; the link carries the load for the whole window, so SOC stays at 100 %
    load_w = 0.02
    usage = Usage(stim_power_w=load_w, quiescent_ua=0.0, recharge=RechargeHabit(start_hour=0, duration_min=90))
    sim = RechargeableSimulation(usage, soc=1.0, ageing=False)
    result = sim.run(90 * 60 * SECOND)
    ref = Reference(CellParams(), ChargerParams(), Coupling(), load_w, soc=1.0).run(90 * 60)
    assert "PAUSED_OVERVOLTAGE" not in [n for _, n in ref.events]
    assert [n for _, n in _recharge(sim)] == ["CONSTANT_CURRENT", "CONSTANT_VOLTAGE", "COMPLETE"]
    assert max(s.voltage for s in result.samples) < 4.277
    assert result.samples[-1].soc == 1.0, "the first window is not lost"


def test_scs_battery_with_start_hour_0_keeps_its_first_window(tmp_path: Path):
    root = Path(__file__).resolve().parents[2]
    text = (root / "examples/battery_hf10.toml").read_text().replace("start_hour = 22", "start_hour = 0")
    scenario = tmp_path / "hf10_midnight.toml"
    scenario.write_text(text)
    bs = load_battery_scenario(str(scenario))
    assert bs.initial_soc == 1.0 and bs.usage.recharge is not None and bs.usage.recharge.start_hour == 0
    sim = RechargeableSimulation(bs.usage, soc=bs.initial_soc)
    result = sim.run(2 * HOUR)
    assert "PAUSED_OVERVOLTAGE" not in [n for _, n in _recharge(sim)]
    assert min(s.soc for s in result.samples) > 0.999, "the link carries the load through the first window"


def _charging_from_30_percent(start_hour: float = 0.0, minutes: float = 600) -> RechargeableSimulation:
    usage = Usage(stim_power_w=0.02, quiescent_ua=0.0, telemetry_ua=0.0, hours_per_day=24,
                  recharge=RechargeHabit(start_hour=start_hour, duration_min=minutes))
    return RechargeableSimulation(usage, soc=0.3, ageing=False)


def _cv_tick(sim: RechargeableSimulation, after: int = 0) -> int:
    return next(e.tick for e in sim.events if e.name == "CONSTANT_VOLTAGE" and e.tick > after)


def test_running_every_10_s_switches_to_constant_voltage_at_the_same_tick_as_one_run():
    one = _charging_from_30_percent()
    one.run(3 * HOUR)
    sliced = _charging_from_30_percent()
    for t in range(10 * SECOND, 3 * HOUR + 1, 10 * SECOND):
        sliced.run(t)
    assert _cv_tick(sliced) == _cv_tick(one)
    ref = Reference(CellParams(), ChargerParams(), Coupling(), 0.02, soc=0.3).run(3 * 3600)
    t_ref = next(t for t, n in ref.events if n == "CONSTANT_VOLTAGE")
    assert abs(_cv_tick(one) / SECOND - t_ref) < 1.0


def test_midnight_does_not_set_the_charge_current_again():
    # a window from 23:00 to 03:00 crosses midnight (the day's ageing step) in constant current
    sim = _charging_from_30_percent(start_hour=23.0, minutes=240)
    sim.run(23 * HOUR)
    soc, v1 = sim.cell.soc, sim.cell.v1
    sim.run(27 * HOUR)
    cv_tick = _cv_tick(sim, after=23 * HOUR)
    assert 24 * HOUR < cv_tick, "the switch comes after midnight"
    ref = Reference(CellParams(), ChargerParams(), Coupling(), 0.02, soc=soc, v1=v1).run(4 * 3600)
    t_ref = next(t for t, n in ref.events if n == "CONSTANT_VOLTAGE")
    assert abs((cv_tick - 23 * HOUR) / SECOND - t_ref) < 1.0
