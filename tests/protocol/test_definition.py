"""Parity as tests read from the definition: every fact the model and the C board share is checked
against protocol/spec/device.toml (and messages.toml), not against the other implementation."""

from __future__ import annotations

import shutil
import struct
import subprocess

import pytest

from firmware_model.battery import charger as recharge
from firmware_model.battery import simulation as longevity
from firmware_model.battery.models import CellParams
from firmware_model.device import eventlog
from firmware_model.device.adaptive import Posture
from firmware_model.device.handlers import HANDLERS
from firmware_model.profiles import DeviceProfile
from protocol.codegen import OUTPUTS
from protocol.spec import generated as dev
from protocol.spec.catalog import Role, load_catalog
from protocol.spec.definition import load_definition
from tests.support.board_core import CBench as _CBench
from tests.support.device_harness import Bench

CAT = load_catalog()
DEF = load_definition()
END_UA = DEF.fuel_gauge["capacity_mah"] * 1000 / DEF.fuel_gauge["end_current_c_divisor"]


def test_the_model_uses_the_generated_enums_themselves():
    assert eventlog.FaultCode is dev.FaultCode and eventlog.EventKind is dev.EventKind
    assert longevity.BatteryState is dev.BatteryState and recharge.RechargeState is dev.RechargeState
    assert Posture is dev.Posture
    for e in DEF.enums:
        assert {m.name: m.value for m in getattr(dev, e.name)} == {m.name: m.value for m in e.members}


def test_the_model_profile_and_cell_defaults_are_the_definitions_limits():
    p, lim = DeviceProfile(), DEF.limits
    for name in ("contact_count", "max_areas", "max_programs", "max_amplitude_ua", "amplitude_step_ua",
                 "compliance_mv", "impedance_short_ohm", "impedance_open_ohm", "max_displacement_ticks"):
        assert getattr(p, name) == lim[name], name
    assert tuple(p.recharge_ratios) == tuple(lim["recharge_ratios"])
    assert p.max_cathode_charge_pc == DEF.max_cathode_charge_pc == 2_914_678
    cell, gauge = CellParams(), DEF.fuel_gauge
    assert cell.ocv.points == tuple(tuple(pt) for pt in gauge["ocv"])
    assert (cell.full_soc, cell.soon_soc, cell.now_soc, cell.cutoff_soc) == (
        gauge["full_soc"], gauge["soon_soc"], gauge["now_soc"], gauge["cutoff_soc"])


def test_the_model_handles_every_device_request_of_the_definition():
    assert set(HANDLERS) == set(dev.REQUESTS) - dev.SESSION


def _device_info(ask) -> object:
    return ask(Role.NONE, "DEVICE_INFO_GET")


@pytest.fixture(params=["model", "c-core"])
def ask(request):
    if request.param == "model":
        b = Bench()

        def model_ask(role, name, **fields):
            if role is Role.NONE:
                return b.send(__import__("protocol.wire.codec", fromlist=["make"]).make(CAT, name, **fields))[1]
            return b.as_role(role, name, **fields)[1]
        return model_ask
    board = _CBench()
    return lambda role, name, **fields: board.ask(Role.CLINICIAN if role is Role.NONE else role, name, **fields)


@pytest.mark.requirement("SRS-GEN-LIMITS", "SRS-PROTO-001")
def test_device_info_states_the_definitions_limits(ask):
    info = _device_info(ask)
    lim = DEF.limits
    assert (info.contact_count, info.max_programs, info.max_areas) == (
        lim["contact_count"], lim["max_programs"], lim["max_areas"])
    assert (info.amplitude_step_ua, info.max_amplitude_ua, info.compliance_mv) == (
        lim["amplitude_step_ua"], lim["max_amplitude_ua"], lim["compliance_mv"])
    assert info.max_cathode_charge_pc == DEF.max_cathode_charge_pc
    assert (info.firmware_version, info.tick_ns) == (lim["firmware_version"], lim["tick_ns"])
    assert info.capabilities & dev.Capability.INPUTS and info.capabilities & dev.Capability.RECHARGEABLE


def test_a_new_device_reports_the_definitions_open_circuit_voltage_at_its_initial_charge(ask):
    st = ask(Role.PATIENT, "STATUS_GET")
    soc = DEF.fuel_gauge["initial_soc"]
    pts = DEF.fuel_gauge["ocv"]
    (s0, v0), (s1, v1) = next((a, b) for a, b in zip(pts, pts[1:]) if a[0] <= soc <= b[0])
    ocv_mv = 1000 * (v0 + (v1 - v0) * (soc - s0) / (s1 - s0))
    assert st.battery_soc_permille == round(soc * 1000)
    assert abs(st.battery_mv - ocv_mv) <= 2, "idle: the terminal voltage is the OCV (a few uA of quiescent load)"


@pytest.mark.requirement("SRS-GEN-RECHARGE-SUPERVISION")
def test_recharge_ends_when_the_constant_voltage_current_falls_to_c_over_20(ask):
    """Charge on a strong coupling; the last constant-voltage current before COMPLETE is just above
    capacity / end_current_c_divisor (C/20: 10 mA for 200 mAh), never a lower current."""
    ask(Role.TEST, "RECHARGE_COUPLING_INPUT", separation_mm=5, misalignment_mm=0, transmit_mw=3000)
    last_cv, state = None, None
    for _ in range(2000):
        ask(Role.TEST, "CLOCK_ADVANCE", ticks=5_000_000 if last_cv is not None else 60_000_000)
        cs = ask(Role.CLINICIAN, "CHARGING_STATUS_GET")
        state = dev.RechargeState(cs.recharge_state)
        if state is dev.RechargeState.COMPLETE:
            break
        if state is dev.RechargeState.CONSTANT_VOLTAGE:
            last_cv = cs.battery_current_ua
    assert state is dev.RechargeState.COMPLETE and last_cv is not None
    assert END_UA <= last_cv <= END_UA * 1.3, f"charge ended after {last_cv} uA; the definition says {END_UA:.0f} uA"


@pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")
def test_the_c_header_states_the_definitions_enums_limits_and_gauge_constants(tmp_path):
    lines = ['#include <stdio.h>', '#include "scs_protocol.h"', "#define TEXT_(x) #x", "#define TEXT(x) TEXT_(x)",
             "int main(void) {"]
    expected = []
    for e in DEF.enums:
        for m in e.members:
            lines.append(f'    printf("%lld\\n", (long long){e.c_name}_{m.name});')
            expected.append(str(m.value))
    for k, v in DEF.limits.items():
        if isinstance(v, int):
            lines.append(f'    printf("%lld\\n", (long long)SCS_{k.upper()});')
            expected.append(str(v))
    for k in ("capacity_mah", "cc_current_a", "v_limit", "full_soc", "cutoff_soc", "initial_soc"):
        # the literal as written (the definition's decimal, single precision) and the float the compiler makes
        lines.append(f'    printf("%s\\n", TEXT(SCS_GAUGE_{k.upper()}));')
        expected.append(f"{DEF.fuel_gauge[k]!r}f")
        lines.append(f'    printf("%.9g\\n", (double)SCS_GAUGE_{k.upper()});')
        expected.append(f"{struct.unpack('<f', struct.pack('<f', DEF.fuel_gauge[k]))[0]:.9g}")
    lines.append('    printf("%u\\n", (unsigned)SCS_GAUGE_END_CURRENT_C_DIVISOR);')
    expected.append(str(DEF.fuel_gauge["end_current_c_divisor"]))
    lines.append('    printf("%u\\n", (unsigned)SCS_SETTINGS_SIZE);')
    expected.append(str(DEF.settings.size))
    lines += ["    return 0;", "}"]
    src = tmp_path / "defs.c"
    src.write_text("\n".join(lines) + "\n")
    include = next(p for p in OUTPUTS if p.suffix == ".h").parent
    subprocess.run(["gcc", "-std=c11", "-Wall", "-Werror", f"-I{include}", str(src), "-o", str(tmp_path / "defs")],
                   check=True, capture_output=True, text=True)
    out = subprocess.run([str(tmp_path / "defs")], check=True, capture_output=True, text=True).stdout.split()
    assert out == expected


def test_a_device_request_without_a_handler_fails_when_the_table_is_checked():
    from firmware_model.device.handler_table import check_complete

    missing = {k: v for k, v in HANDLERS.items() if k != "STIM_SET"}
    with pytest.raises(RuntimeError, match="missing \\['STIM_SET'\\]"):
        check_complete(missing, CAT)
    with pytest.raises(RuntimeError, match="no request \\['NOT_A_MESSAGE'\\]"):
        check_complete({**HANDLERS, "NOT_A_MESSAGE": HANDLERS["STIM_SET"]}, CAT)
