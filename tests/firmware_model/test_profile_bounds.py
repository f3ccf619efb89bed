"""Every `[profile]` key of a scenario refuses hostile values: exit 2, one line naming the key and what
is allowed, never a traceback or a hang; and `DeviceProfile` itself is validated on construction."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import ParameterError

ROOT = Path(__file__).resolve().parents[2]
AREA = ('[[area]]\ncathodes = { "2" = 100 }\nanodes = [3]\npulse_width_us = 300\nrate_hz = 50\n'
        'amplitude_ua = 4000\nrecharge = "passive"\npassive_window_us = 1000\n')
KEYS = [f.name for f in dataclasses.fields(DeviceProfile)]
FLOAT_KEYS = {f.name for f in dataclasses.fields(DeviceProfile) if f.type == "float"}
#: keys for which 0 is a legal setting (no gap, no soft start, no displacement, no headroom, a shorted case)
ZERO_ALLOWED = {"max_interphase_gap_us", "max_soft_start_ms", "max_displacement_ticks", "supply_headroom_mv",
                "impedance_short_ohm", "case_impedance_ohm"}
#: TOML spellings of hostile values: zero, negative, huge (int64 max and 1e300), nan, inf, wrong types
HOSTILE = ["0", "-1", "-5", "9223372036854775807", "1e300", "nan", "inf", "-inf", '"12"', "true", "[1]",
           "{ a = 1 }"]
FLOAT_FOR_INT = ["1.5", "2.0", "1e20"]


def cases() -> list[tuple[str, str]]:
    out = []
    for key in KEYS:
        values = HOSTILE + ([] if key in FLOAT_KEYS else FLOAT_FOR_INT)
        out += [(key, v) for v in values
                if not (v == "0" and key in ZERO_ALLOWED) and not (v == '"12"' and key == "name")
                and not (v == "[1]" and key == "recharge_ratios")]
    out += [("recharge_ratios", v) for v in ("[]", "[3]", "[1, 1]", "[0]", "[256]", "[1.5]")]
    return out


# One child process runs every case through the CLI entry point, each under a 5 s alarm, the whole
# under a subprocess timeout: a hang fails the test instead of stalling the suite.
CHILD = r"""
import contextlib, io, json, signal, sys, traceback
from hil.cli.main import main
def alarm(*_):
    raise TimeoutError("hang")
signal.signal(signal.SIGALRM, alarm)
results = []
for key, value, path in json.loads(sys.stdin.read()):
    err = io.StringIO()
    signal.alarm(5)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            rc = main(["simulate", path, "--duration", "1ms"])
    except BaseException as e:
        rc, err = "raised", io.StringIO(traceback.format_exc())
    finally:
        signal.alarm(0)
    results.append([key, value, rc, err.getvalue()])
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def sweep(tmp_path_factory):
    d = tmp_path_factory.mktemp("profiles")
    jobs = []
    for i, (key, value) in enumerate(cases()):
        path = d / f"c{i}.toml"
        path.write_text(f"[profile]\n{key} = {value}\n{AREA}")
        jobs.append([key, value, str(path)])
    proc = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(jobs), capture_output=True, text=True,
                          timeout=240, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr[-2000:]
    return {(k, v): (rc, err) for k, v, rc, err in json.loads(proc.stdout)}


@pytest.mark.parametrize("key, value", cases())
def test_a_hostile_profile_value_exits_2_with_one_line_naming_the_key_and_the_range(sweep, key, value):
    rc, err = sweep[(key, value)]
    lines = err.strip().splitlines()
    assert rc == 2, err
    assert len(lines) == 1 and "Traceback" not in err, err
    assert f"profile.{key}:" in lines[0] and "allowed" in lines[0], lines[0]


@pytest.mark.parametrize("name, key", [("s19", "compliance_mv"), ("s33", "passive_recharge_tau_us"),
                                       ("s35", "amplitude_step_ua"), ("s34", "contact_count")])
def test_the_reported_profile_values_are_refused_by_the_cli_without_crash_or_hang(tmp_path, name, key):
    value = {"s19": "-5", "s33": "0", "s35": "0", "s34": "100000000"}[name]
    path = tmp_path / f"{name}.toml"
    path.write_text(f"[profile]\n{key} = {value}\n{AREA}")
    proc = subprocess.run([sys.executable, "-m", "hil.cli", "simulate", str(path)], capture_output=True,
                          text=True, timeout=30, cwd=ROOT)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and f"profile.{key}: {value} is not allowed" in proc.stderr


def test_the_default_profile_is_valid_and_the_bounds_accept_their_own_ends():
    DeviceProfile()
    DeviceProfile(contact_count=16, max_programs=8, compliance_mv=50_000, converter_efficiency=1.0, passive_recharge_tau_us=1,
                  contact_area_mm2=1, shannon_k=2.5, max_displacement_ticks=0, amplitude_step_ua=10)


@pytest.mark.parametrize("kwargs, field, allowed", [
    ({"converter_efficiency": 0.0}, "converter_efficiency", "greater than 0 and at most 1"),
    ({"compliance_mv": 999}, "compliance_mv", "1000 to 50000 mV"),
    ({"contact_count": 17}, "contact_count", "1 to 16 contacts"),
    ({"max_programs": 9}, "max_programs", "1 to 8 programs"),
    ({"max_displacement_ticks": 1e20}, "max_displacement_ticks", "an integer"),
    ({"min_pulse_width_us": 500, "max_pulse_width_us": 400}, "min_pulse_width_us", "at most max_pulse_width_us"),
    ({"impedance_short_ohm": 4000}, "impedance_short_ohm", "below impedance_open_ohm"),
    ({"amplitude_step_ua": 25}, "recharge_ratios", "each dividing amplitude_step_ua"),
    ({"recharge_ratios": ()}, "recharge_ratios", "non-empty"),
    ({"shannon_k": 1.8512}, "shannon_k", "at most 3 decimals"),
    ({"contact_area_mm2": 51.0}, "contact_area_mm2", "1 to 50 mm2"),
    ({"name": ""}, "name", "1 to 64 characters"),
])
def test_device_profile_refuses_out_of_range_fields_on_construction(kwargs, field, allowed):
    with pytest.raises(ParameterError) as e:
        DeviceProfile(**kwargs)
    assert e.value.field == field and allowed in e.value.allowed


def test_a_toml_array_of_recharge_ratios_becomes_a_tuple():
    assert DeviceProfile(recharge_ratios=[1, 2]).recharge_ratios == (1, 2)  # type: ignore[arg-type]
