"""Battery, inductive recharge and thermal model: closed forms, conservation, invariants, figures."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from firmware_model.battery import CellParams, OcvTable
from firmware_model.longevity import (DAY_TICKS, BatteryState, RechargeableSimulation, RechargeHabit, Usage,
                                      average_stim_power_w, project_primary, project_rechargeable)
from firmware_model.params import Area, Contacts, Cycling, Program, Waveform
from firmware_model.recharge import ChargerParams, Coupling, LinkParams, max_current_a
from firmware_model.safety import ContactImpedances
from firmware_model.scheduler import Scheduler
from firmware_model.thermal import ThermalParams
from hil.cli import main
from tests.optional import need_matplotlib

ROOT = Path(__file__).resolve().parents[1]
BIPOLE = Contacts(cathodes=((2, 100),), anodes=(3,))


def stim_power(amplitude_ua: int, width_us: int, rate_hz: int, ohm_per_contact: int = 500, **kw) -> float:
    area = Area(contacts=BIPOLE, amplitude_ua=amplitude_ua, pulse_width_us=width_us, rate_mhz=rate_hz * 1000, **kw)
    return average_stim_power_w(Scheduler(Program((area,)), impedances=ContactImpedances.uniform(ohm_per_contact)))


# --- closed forms -------------------------------------------------------------------------------

def test_constant_current_discharge_matches_the_analytic_thevenin_voltage():
    cell = CellParams(tau1_s=600.0)
    current = 0.020
    sim = RechargeableSimulation(Usage(stim_power_w=0.0, quiescent_ua=current * 1e6), cell, ageing=False)
    result = sim.run(6 * 3600 * 1_000_000)
    assert len(result.samples) > 5
    for s in result.samples[1:]:
        t = s.tick / 1e6
        soc = 1.0 - current * t / 3.6 / cell.capacity_mah
        v = cell.ocv.voltage(soc) - current * cell.r0_ohm - current * cell.r1_ohm * (1 - math.exp(-t / cell.tau1_s))
        assert s.soc == pytest.approx(soc, abs=1e-9)
        assert s.voltage == pytest.approx(v, abs=1e-9)


def test_thermal_step_response_and_steady_state_are_first_order():
    th = ThermalParams()
    heat = 0.05
    for t in (0.0, 60.0, th.tau_s, 5 * th.tau_s):
        expected = th.body_c + heat * th.r_th_c_per_w * (1 - math.exp(-t / th.tau_s))
        assert th.advance(th.body_c, heat, t) == pytest.approx(expected)
    assert th.advance(th.body_c, heat, 1e9) == pytest.approx(th.body_c + heat * th.r_th_c_per_w)
    assert th.seconds_to(th.body_c, heat, th.body_c + 0.5) == pytest.approx(
        -th.tau_s * math.log(1 - 0.5 / (heat * th.r_th_c_per_w)))


def test_ocv_table_is_the_design_nmc_curve_and_interpolates_linearly():
    ocv = OcvTable()
    assert ocv.voltage(0.0) == 3.2 and ocv.voltage(1.0) == 4.187 and ocv.voltage(0.5) == 3.697
    assert ocv.voltage(0.4) == pytest.approx((3.625 + 3.697) / 2)


def test_capacity_fade_matches_the_blast_lite_anchors():
    cell = CellParams()
    assert cell.capacity_fraction(5 * 365.25, 0) == pytest.approx(0.955, abs=1e-9)
    assert cell.capacity_fraction(1000, 1000) == pytest.approx(0.77, abs=1e-9)


# --- conservation -------------------------------------------------------------------------------

def habit_usage(power_w=0.004, hours=24.0, minutes=90.0, sep=10.0, mis=0.0, tx=1.5) -> Usage:
    return Usage(stim_power_w=power_w, hours_per_day=hours, telemetry_min_per_day=5,
                 recharge=RechargeHabit(duration_min=minutes, coupling=Coupling(sep, mis, tx)))


@pytest.mark.parametrize("ageing", [False, True])
def test_charge_in_minus_charge_out_equals_the_change_of_stored_charge(ageing):
    sim = RechargeableSimulation(habit_usage(power_w=0.012), soc=0.6, ageing=ageing)
    result = sim.run(40 * DAY_TICKS)
    first, last = result.samples[0], result.samples[-1]
    stored_before = first.soc * CellParams().capacity_mah
    stored_after = last.soc * last.capacity_fraction * CellParams().capacity_mah
    t = result.totals
    assert t.charge_in_mah - t.charge_out_mah - t.faded_mah == pytest.approx(stored_after - stored_before, abs=1e-6)
    assert (t.faded_mah > 0) == ageing


def test_a_recharge_session_balances_received_energy_against_stored_plus_dissipated():
    cell = CellParams()
    usage = Usage(stim_power_w=0.0, quiescent_ua=0.0, recharge=RechargeHabit(start_hour=1, duration_min=300))
    result = RechargeableSimulation(usage, cell, soc=0.15, ageing=False).run(DAY_TICKS)
    soc0 = result.samples[0].soc
    soc1 = result.samples[-1].soc
    # stored: the integral of OCV over the charge that went in, from the table alone
    n = 20_000
    socs = [soc0 + (soc1 - soc0) * (i + 0.5) / n for i in range(n)]
    stored = sum(cell.ocv.voltage(s) for s in socs) / n * (soc1 - soc0) * cell.capacity_mah * 3.6
    t = result.totals
    assert t.stored_j == pytest.approx(stored, rel=1e-6)
    assert t.received_j == pytest.approx(t.stored_j + t.heat_j, rel=1e-12)
    assert 0 < t.heat_j < 0.5 * t.received_j
    states = [e.name for e in result.events if e.kind == "recharge"]
    assert states[:3] == ["CONSTANT_CURRENT", "CONSTANT_VOLTAGE", "COMPLETE"]


def test_the_charger_throttles_to_keep_the_rise_within_the_limit_at_poor_coupling():
    link, ch, th = LinkParams(), ChargerParams(), ThermalParams()
    good = max_current_a(4.0, 3.7, link, ch, Coupling(10, 0, 5.0), th.max_heat_w())
    poor = max_current_a(4.0, 3.7, link, ch, Coupling(30, 25, 5.0), th.max_heat_w())
    assert good == ch.cc_current_a and 0 < poor < good
    sim = RechargeableSimulation(habit_usage(minutes=600, sep=30, mis=25, tx=5.0), soc=0.2, ageing=False)
    result = sim.run(2 * DAY_TICKS)
    assert max(s.temperature_c for s in result.samples) <= th.body_c + th.rise_limit_c + 1e-9


# --- invariants -----------------------------------------------------------------------------------

@settings(max_examples=25, deadline=None)
@given(power=st.floats(0.0, 0.03), hours=st.floats(0, 24), minutes=st.floats(5, 400), sep=st.floats(0, 40),
       mis=st.floats(0, 30), tx=st.floats(0.0, 5.0), soc=st.floats(0.03, 1.0), days=st.integers(1, 12))
def test_battery_invariants_hold_for_any_usage(power, hours, minutes, sep, mis, tx, soc, days):
    sim = RechargeableSimulation(habit_usage(power, hours, minutes, sep, mis, tx), soc=soc)
    result = sim.run(days * DAY_TICKS)
    th = ThermalParams()
    s = result.samples
    assert all(0.0 <= x.soc <= 1.0 + 1e-12 for x in s), "SOC stays in [0, 1]"
    assert all(x.temperature_c <= th.hard_limit_c for x in s), "never above the hard limit"
    caps = [x.capacity_fraction for x in s]
    assert all(b <= a for a, b in zip(caps, caps[1:])), "capacity never rises"
    assert [x.tick for x in s] == sorted(x.tick for x in s)
    cut = False
    for x in s:  # no stimulation after cut-off until recharged
        if x.state is BatteryState.CUTOFF:
            cut = True
        if cut and x.state is not BatteryState.CUTOFF:
            cut = False
        assert not (cut and x.stimulating)
    order = [BatteryState.FULL, BatteryState.OK, BatteryState.RECHARGE_SOON, BatteryState.RECHARGE_NOW,
             BatteryState.CUTOFF]
    prev = s[0].state
    for e in result.events:
        if e.kind != "battery":
            continue
        new = BatteryState[e.name]
        assert abs(order.index(new) - order.index(prev)) == 1, f"alerts come in order: {prev.name} -> {new.name}"
        prev = new


def test_no_stimulation_after_cut_off_until_recharged_to_the_resume_level():
    usage = Usage(stim_power_w=0.02, recharge=RechargeHabit(every_days=3, start_hour=12, duration_min=240))
    result = RechargeableSimulation(usage, soc=0.2, ageing=False).run(4 * DAY_TICKS)
    names = [e.name for e in result.events if e.kind == "battery"]
    assert "CUTOFF" in names
    i = names.index("CUTOFF")
    assert names[i + 1] == "RECHARGE_NOW"
    assert result.totals.cutoff_ticks > 0
    resumed = next(s for s in result.samples if s.tick > 0 and s.state is BatteryState.RECHARGE_NOW
                   and any(e.name == "CUTOFF" and e.tick < s.tick for e in result.events))
    assert resumed.soc >= CellParams().resume_soc - 1e-9


# --- published figures --------------------------------------------------------------------------

def test_a_primary_cell_at_typical_tonic_settings_lasts_2_to_5_years():
    # 4 mA, 300 us, 50 Hz, 1 kohm load (two 500 ohm contacts), 24 h/day
    proj = project_primary(Usage(stim_power_w=stim_power(4000, 300, 50)))
    assert 2.0 <= proj.years_to_eri < proj.years_to_eos <= 5.0


def test_cycling_30_s_on_90_s_off_extends_primary_life_by_the_duty_of_the_stimulation_current():
    cont = project_primary(Usage(stim_power_w=stim_power(4000, 300, 50)))
    cyc_power = stim_power(4000, 300, 50, cycling=Cycling(on_ms=30_000, off_ms=90_000))
    assert cyc_power == pytest.approx(stim_power(4000, 300, 50) / 4, rel=1e-12)
    cyc = project_primary(Usage(stim_power_w=cyc_power))
    q = Usage(stim_power_w=0).quiescent_ua
    expected = (cont.average_current_ua - q) / 4 + q
    assert cyc.average_current_ua == pytest.approx(expected)
    assert cyc.years_to_eos / cont.years_to_eos == pytest.approx(cont.average_current_ua / expected)
    assert cyc.years_to_eos > 3 * cont.years_to_eos


def test_hf10_at_typical_amplitude_needs_daily_recharging_with_the_default_cell():
    area = Area(contacts=BIPOLE, amplitude_ua=3000, pulse_width_us=30, rate_mhz=10_000_000,
                waveform=Waveform.HIGH_FREQUENCY)
    power = average_stim_power_w(Scheduler(Program((area,)), impedances=ContactImpedances.uniform(1000)))
    proj = project_rechargeable(Usage(stim_power_w=power, recharge=RechargeHabit(duration_min=120)))
    assert proj.hours_full_to_soon < 36, "'recharge soon' within a day and a half"
    assert proj.hours_full_to_cutoff < 48
    tonic = project_rechargeable(Usage(stim_power_w=stim_power(4000, 300, 50),
                                       recharge=RechargeHabit(every_days=7, duration_min=120)))
    assert tonic.hours_full_to_soon > 5 * 24, "tonic stretches to weekly recharging"


# --- CLI ----------------------------------------------------------------------------------------

def test_scs_battery_prints_projections_and_plots(tmp_path, capsys):
    need_matplotlib()
    png = tmp_path / "battery.png"
    assert main(["battery", str(ROOT / "examples/battery_hf10.toml"), "--years", "0.2", "--plot", str(png)]) == 0
    out = capsys.readouterr().out
    assert "recharge interval" in out and "service life" in out
    assert png.read_bytes()[:4] == b"\x89PNG"
    assert main(["battery", str(ROOT / "examples/battery_tonic_primary.toml")]) == 0
    assert "years to ERI" in capsys.readouterr().out


def test_scs_battery_rejects_bad_tables_with_the_key_named(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text((ROOT / "examples/battery_hf10.toml").read_text().replace("separation_mm = 10",
                                                                             "separation_mm = 10\ncolour = 1"))
    assert main(["battery", str(bad)]) == 2
    assert "recharge.colour" in capsys.readouterr().err
