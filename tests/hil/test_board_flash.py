"""The virtual board keeps its settings flash in a file: ending the process is a power cycle, and a
process killed at any write step leaves the old or the new settings, never a corrupt image."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import serial

from firmware_model.device.device import Device, DeviceConfig
from firmware_model.device.nvm import FileFlash
from hil.harness.conformance.support import FOUR_AREAS
from hil.link.bridge import Bridge
from protocol.spec import generated as dev
from protocol.spec.catalog import Role
from tests.support.device_harness import Bench
from tests.support.protocol_harness import KEYS

NVM_FAULT = 1 << dev.FaultCode.NVM_CORRUPT


def _programmed(path) -> Bench:
    b = Bench(DeviceConfig(keys=KEYS), FileFlash(path))
    b.program(0, FOUR_AREAS[:2])
    return b


def _window(path) -> tuple[tuple[int, int], int]:
    """(window of program 0 area 0, fault flags) of a device booting from the file."""
    d = Device(DeviceConfig(keys=KEYS), FileFlash(path))
    slot = d.settings.programs[0]
    return (slot.limits[0] if slot else (-1, -1)), d.faults.flags()


def _write_steps(path) -> int:
    b = _programmed(path)
    before = b.device.flash.steps
    b.result(Role.CLINICIAN, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=500, max_amplitude_ua=1500,
             patient_selectable=1)
    return b.device.flash.steps - before


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_board_process_killed_at_any_write_step_boots_with_the_old_or_the_new_settings(tmp_path):
    steps = _write_steps(tmp_path / "probe.bin")
    assert steps == 1 + -(-(dev.SETTINGS_SIZE + 16) // dev.SETTINGS_PAGE_SIZE), "erase, then every page"
    seen = set()
    for step in range(steps + 1):
        path = tmp_path / f"flash{step}.bin"
        _programmed(path)
        old, _ = _window(path)
        pid = os.fork()
        if pid == 0:  # the board process: killed (no clean-up) at write step `step` of the next save
            b = Bench(DeviceConfig(keys=KEYS), FileFlash(path))
            b.device.flash.die_at_step = b.device.flash.steps + step
            b.result(Role.CLINICIAN, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=500,
                     max_amplitude_ua=1500, patient_selectable=1)
            os._exit(0)
        _, status = os.waitpid(pid, 0)
        killed = os.waitstatus_to_exitcode(status) == 137
        assert killed == (step < steps), f"step {step}"
        window, faults = _window(path)
        assert faults & NVM_FAULT == 0, f"killed at step {step}: a valid image remains"
        assert window == (old if killed else (500, 1500)), f"killed at step {step}"
        seen.add(window)
    assert seen == {(0, 3000), (500, 1500)}


def _board(path) -> tuple[subprocess.Popen, Bridge]:
    from protocol.session import key_file_text

    key_file = path.with_name("keys.toml")
    key_file.write_text(key_file_text(KEYS))  # the published test keys (without --keys: fresh ones)
    proc = subprocess.Popen([sys.executable, "-P", "-m", "hil.cli", "board", "--tcp", "0", "--speed", "0",
                             "--flash", str(path), "--keys", str(key_file)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONPATH": os.getcwd()})
    line = proc.stdout.readline()
    assert f"settings flash {path}" in line and "listening on " in line, line + proc.stderr.read()
    where = line.split("listening on ", 1)[1].strip()
    return proc, Bridge(serial.serial_for_url(where, timeout=0.05), keys=KEYS)


def test_restarting_the_virtual_board_process_is_a_power_cycle_that_keeps_the_settings(tmp_path):
    path = tmp_path / "flash.bin"
    proc, b = _board(path)
    try:
        b.login(Role.CLINICIAN)
        for i, a in enumerate(FOUR_AREAS[:2]):
            b.call("AREA_WRITE", program=0, area=i, **a)
        b.call("PROGRAM_COMMIT", program=0, area_count=2)
        b.call("LIMITS_WRITE", program=0, area=1, min_amplitude_ua=500, max_amplitude_ua=2000, patient_selectable=0)
        b.call("STIM_SET", on=1)
    finally:
        b.close()
        proc.kill()  # no clean shutdown: the power goes
        proc.wait()
    proc, b = _board(path)
    try:
        b.login(Role.CLINICIAN)
        limits = b.call("LIMITS_READ", program=0, area=1)
        status = b.call("STATUS_GET")
        assert (limits.min_amplitude_ua, limits.max_amplitude_ua, limits.patient_selectable) == (500, 2000, 0)
        assert status.stim_on == 1 and status.fault_flags == 0, "therapy resumes after the power cycle"
    finally:
        b.close()
        proc.terminate()
        proc.wait()


def test_a_flash_path_that_is_a_directory_is_a_usage_error(tmp_path):
    proc = subprocess.run([sys.executable, "-P", "-m", "hil.cli", "board", "--tcp", "0", "--flash", str(tmp_path)],
                          capture_output=True, text=True, timeout=60, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == 2 and "--flash" in proc.stderr and "Traceback" not in proc.stderr
