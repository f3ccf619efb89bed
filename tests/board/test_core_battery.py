"""The C core's battery supervision against the model's at the edges of the battery states: the same
state, state of charge, fault flags and stimulation for a rechargeable cell left at each level, and the
cut-off stops stimulation on both (device.toml fuel_gauge: full, soon, now, cutoff and resume)."""

from __future__ import annotations

import ctypes

import pytest

from firmware_model.device.device import DeviceConfig
from protocol.spec import generated as dev
from protocol.spec.catalog import Role
from tests.support.board_core import CBench
from tests.support.device_harness import Bench, area_fields
from tests.support.protocol_harness import KEYS

C, T = Role.CLINICIAN, Role.TEST
LEVELS = [0.03, 0.08, 0.12, 0.25, 0.31, 0.6, 0.97]  # above the cut-off: a cell is never left below it
CUTOFF = 0.02


def _status(ask) -> tuple:
    st = ask(C, "STATUS_GET")
    return st.battery_state, st.battery_soc_permille, st.fault_flags, st.stim_on


def _stimulating(ask) -> None:
    ask(C, "AREA_WRITE", program=0, area=0, **area_fields())
    ask(C, "PROGRAM_COMMIT", program=0, area_count=1)
    ask(C, "PROGRAM_SELECT", program=0)
    ask(C, "STIM_SET", on=1)


def _benches(soc: float):
    model = Bench(DeviceConfig(keys=KEYS, initial_soc=soc))
    board = CBench()
    board.core.lib.scs_host_set_soc.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
    board.core.lib.scs_host_set_soc(board.core._h, round(soc * 1_000_000))
    return (lambda r, n, **f: model.as_role(r, n, **f)[1]), board.ask


@pytest.mark.requirement("SRS-GEN-BATTERY-STATES", "SRS-BATT-001", "SRS-BATT-003", "SRS-PROTO-006")
@pytest.mark.parametrize("soc", LEVELS)
def test_the_c_core_reports_the_models_battery_state_at_each_level(soc, measure):
    m_ask, c_ask = _benches(soc)
    for ask in (m_ask, c_ask):
        _stimulating(ask)
        ask(T, "CLOCK_ADVANCE", ticks=1_000)
    got, want = _status(c_ask), _status(m_ask)
    mv = c_ask(C, "STATUS_GET").battery_mv - m_ask(C, "STATUS_GET").battery_mv
    measure("battery_mv_vs_model", mv, "mV", low=-dev.GAUGE_TOLERANCE_MV, high=dev.GAUGE_TOLERANCE_MV)
    assert got == want, f"C core {got}, model {want} at {soc:.0%}"
    assert abs(mv) <= dev.GAUGE_TOLERANCE_MV, f"the C core's cell voltage is {mv} mV off the model's"
    assert got[3] == 1 and got[2] == 0, "stimulating, no fault, above the cut-off"


@pytest.mark.requirement("SRS-GEN-BATTERY-STATES", "SRS-GEN-FAULT-BATTERY_CUTOFF", "SRS-PROTO-006")
def test_reaching_the_cut_off_stops_stimulation_with_the_fault_on_both_sides():
    m_ask, c_ask = _benches(CUTOFF + 2e-6)  # two ppm above the cut-off
    for ask in (m_ask, c_ask):
        _stimulating(ask)
        ask(T, "CLOCK_ADVANCE", ticks=60_000_000)
    got, want = _status(c_ask), _status(m_ask)
    assert got == want, f"C core {got}, model {want}"
    assert got[0] == dev.BatteryState.CUTOFF and got[3] == 0 and got[2] & 1 << dev.FaultCode.BATTERY_CUTOFF


RECHARGE_STEP_MIN = 1


@pytest.mark.requirement("SRS-BATT-002", "SRS-BATT-003")
def test_the_c_core_recharges_like_the_model_within_the_definitions_tolerance(measure):
    """From 30 % with the coil at 10 mm: the cell voltage at every minute, and the minute the charge
    completes, on both sides (the board's gauge steps its constant current at every timer event, the
    model over an OCV piece: device.toml recharge_tolerance_*)."""
    m_ask, c_ask = _benches(0.30)
    for ask in (m_ask, c_ask):
        ask(T, "RECHARGE_COUPLING_INPUT", separation_mm=10, misalignment_mm=0, transmit_mw=1500)
    worst_mv, complete = 0, {}
    for minute in range(RECHARGE_STEP_MIN, 6 * 60, RECHARGE_STEP_MIN):
        mv = []
        for side, ask in (("model", m_ask), ("c", c_ask)):
            ask(T, "CLOCK_ADVANCE", ticks=RECHARGE_STEP_MIN * 60_000_000)
            mv.append(ask(C, "STATUS_GET").battery_mv)
            if ask(C, "CHARGING_STATUS_GET").recharge_state == dev.RechargeState.COMPLETE:
                complete.setdefault(side, minute)
        worst_mv = max(worst_mv, abs(mv[1] - mv[0]))
        if len(complete) == 2:
            break
    assert set(complete) == {"model", "c"}, f"completed: {complete} within 6 h"
    measure("recharge_battery_mv_vs_model", worst_mv, "mV", high=dev.RECHARGE_TOLERANCE_MV)
    measure("recharge_minutes", complete["c"], "min", low=complete["model"] - dev.RECHARGE_TOLERANCE_MIN,
            high=complete["model"] + dev.RECHARGE_TOLERANCE_MIN)
    assert worst_mv <= dev.RECHARGE_TOLERANCE_MV
    assert abs(complete["c"] - complete["model"]) <= dev.RECHARGE_TOLERANCE_MIN, complete
