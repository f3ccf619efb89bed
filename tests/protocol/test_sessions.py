"""Sessions in depth, beyond the conformance suite: the security record under power loss, nonces
across reboots, the production build, lossy links, key handling and the documented vectors."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_model.device.device import Device, DeviceConfig
from firmware_model.device.nvm import FlashSlots, PowerLoss
from hil.link.bridge import Bridge
from hil.link.faultlink import Faults, FaultyLink
from hil.link.model_port import ModelSerial, default_keys
from protocol.session import DeviceGuard, HostHandshake, KeyFileError, KeyStore, SecurityRecord, SecurityStore, new_key_file
from protocol.spec.catalog import Role, load_catalog
from protocol.spec.generated import Capability
from protocol.wire.codec import make
from protocol.wire.reliability import RetryPolicy

CAT = load_catalog()
KEYS = default_keys()
ROOT = Path(__file__).resolve().parents[2]


def _bridge(device: Device, policy=RetryPolicy(timeout_s=0.05, attempts=3)) -> Bridge:
    return Bridge(ModelSerial("scsmodel://", device=device, timeout=0.01), keys=KEYS, policy=policy)


def _nonce(guard: DeviceGuard, i: int) -> bytes:
    return guard.hello(Role.PATIENT, i.to_bytes(16, "little"), 0).device_nonce


# --- the security record --------------------------------------------------------------------------

def test_a_power_loss_at_every_step_of_a_record_write_keeps_the_old_or_the_new_record():
    for step in range(2):
        flash = FlashSlots(slot_size=64, page_size=64)
        store = SecurityStore(flash)
        store.save(SecurityRecord(epoch=7))
        flash.fail_at_step = flash.steps + step
        with pytest.raises(PowerLoss):
            store.save(SecurityRecord(epoch=8))
        assert store.load().epoch == 7
        store.save(SecurityRecord(epoch=9))
        assert store.load().epoch == 9


def test_the_newest_record_wins_also_when_its_sequence_wraps_around():
    flash = FlashSlots(slot_size=64, page_size=64)
    flash.program(0, 0, SecurityRecord(sequence=0xFFFFFFFF, epoch=1).encode())
    flash.program(1, 0, SecurityRecord(sequence=0, epoch=2).encode())
    assert SecurityStore(flash).load().epoch == 2


def test_a_corrupt_record_slot_is_ignored():
    flash = FlashSlots(slot_size=64, page_size=64)
    store = SecurityStore(flash)
    store.save(SecurityRecord(epoch=3))
    store.save(SecurityRecord(epoch=4))
    newest = [i for i in range(2) if SecurityRecord.decode(flash.read(i)).epoch == 4][0]
    flash.slots[newest][10] ^= 1
    assert store.load().epoch == 3


def _provisioned() -> FlashSlots:
    """Record slots of a device from the factory: the first record written."""
    flash = FlashSlots(slot_size=64, page_size=64)
    SecurityStore(flash).provision()
    return flash


@pytest.mark.requirement("SRS-SEC-009")
def test_nonces_never_repeat_across_reboots_even_when_power_fails_while_the_epoch_is_written():
    flash, seen = _provisioned(), set()
    for boot in range(40):
        guard = DeviceGuard(KEYS, SecurityStore(flash))
        if boot % 3 == 2:
            flash.fail_at_step = flash.steps + boot % 2  # the erase or the program of the epoch write
            with pytest.raises(PowerLoss):
                _nonce(guard, 0)
            continue
        for i in range(3):
            nonce = _nonce(guard, boot * 10 + i)
            assert nonce not in seen
            seen.add(nonce)
    assert len(seen) == 27 * 3


def test_two_devices_with_the_same_epoch_but_different_keys_have_different_nonces():
    other = KeyStore.from_dict({"device": [{"device_id": KEYS.device_id, "patient_key": "11" * 32,
                                            "clinician_key": "22" * 32}]}).devices[0]
    a = DeviceGuard(KEYS, SecurityStore(_provisioned()))
    b = DeviceGuard(other, SecurityStore(_provisioned()))
    assert _nonce(a, 1) != _nonce(b, 1)


@pytest.mark.requirement("SRS-SEC-012", "SRS-GEN-BACKOFF")
def test_back_off_restarts_after_a_reboot_from_what_remained_never_more_than_the_cap():
    flash = _provisioned()
    guard = DeviceGuard(KEYS, SecurityStore(flash))
    now = 0
    for _ in range(12):  # far past the cap: 1, 2, 4 ... 64 s
        now += guard.backoff_left(Role.CLINICIAN, now)
        nonce = now.to_bytes(16, "little")
        assert guard.hello(Role.CLINICIAN, nonce, now).result == "OK"
        assert guard.auth(nonce, bytes(32), now).result == "BAD_TAG"
    assert guard.backoff_left(Role.CLINICIAN, now) == 64_000_000
    rebooted = DeviceGuard(KEYS, SecurityStore(flash), now=5)  # the clock restarted
    assert rebooted.backoff_left(Role.CLINICIAN, 5) == 64_000_000
    assert rebooted.backoff_left(Role.PATIENT, 5) == 0


# --- production build --------------------------------------------------------------------------

@pytest.mark.requirement("SRS-SEC-003", "SRS-GEN-TEST-ONLY")
def test_a_production_device_refuses_the_test_role_and_its_requests_and_says_so():
    device = Device(DeviceConfig(keys=KEYS, test_build=False))
    b = _bridge(device)
    assert not b.device_info().capabilities & Capability.TEST_BUILD
    challenge = b.request(make(CAT, "HELLO", role=3, host_nonce=bytes(16))).message
    assert CAT.result_name(challenge.result) == "NOT_PERMITTED"
    b.login(Role.CLINICIAN)
    for name in ("CLOCK_ADVANCE", "POSTURE_INPUT", "IMPEDANCE_INPUT", "RECHARGE_COUPLING_INPUT", "TRACE_START",
                 "TRACE_DUMP", "TRACE_STOP"):
        fields = {"ticks": 1} if name == "CLOCK_ADVANCE" else {"max_pulses": 1} if name == "TRACE_START" else {}
        assert b.request(make(CAT, name, **fields)).result == "NOT_PERMITTED"
    assert Device(DeviceConfig(keys=KEYS)).execute(CAT["DEVICE_INFO_GET"], None, Role.NONE).capabilities & Capability.TEST_BUILD


# --- lossy links ---------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-EXO-004")
def test_1000_logins_over_1_percent_loss_and_0_1_percent_flips_all_succeed():
    device = Device(DeviceConfig(keys=KEYS))
    port = FaultyLink(ModelSerial("scsmodel://", device=device, timeout=0.0002), Faults(drop=0.01, flip=0.001, seed=3))
    b = Bridge(port, keys=KEYS, policy=RetryPolicy(timeout_s=0.0005, attempts=60))
    for i in range(1000):
        b.login(Role.CLINICIAN if i % 2 else Role.PATIENT)
    assert port.stats["dropped"] > 500 and port.stats["flipped"] > 30
    assert device.guard.failures(Role.CLINICIAN) == device.guard.failures(Role.PATIENT) == 0


# --- keys ------------------------------------------------------------------------------------------

def test_key_files_carry_an_optional_test_key_and_refuse_equal_keys(tmp_path):
    store = KeyStore.from_dict(__import__("tomllib").loads(new_key_file([5], test_role=True)))
    assert store.devices[0].test is not None and store.devices[0].has_role(Role.TEST)
    same = {"device": [{"device_id": 1, "patient_key": "11" * 32, "clinician_key": "22" * 32, "test_key": "11" * 32}]}
    with pytest.raises(KeyFileError, match="must differ"):
        KeyStore.from_dict(same)


def test_scs_board_without_keys_makes_fresh_keys_for_the_run_and_prints_where(tmp_path):
    runs = []
    for _ in range(2):
        proc = subprocess.Popen([sys.executable, "-m", "hil.cli", "board", "--pty", "--speed", "0"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            line = proc.stdout.readline()
            path = re.search(r"fresh keys for this run in (\S+)", line).group(1)
            keys = KeyStore.load(path).devices[0]
            assert Path(path).stat().st_mode & 0o077 == 0, "only the owner may read the keys"
            assert "listening on" in proc.stdout.readline()
            runs.append(keys)
        finally:
            proc.terminate()
            proc.wait(timeout=5)
            proc.stdout.close()
            proc.stderr.close()
    assert runs[0].clinician != runs[1].clinician and runs[0].clinician != KEYS.clinician
    assert runs[0].test is not None


# --- the document ------------------------------------------------------------------------------

def test_the_documented_vectors_are_what_the_codec_computes_and_the_handshake_is_a_code_block():
    from protocol.session.vectors import compute

    doc = (ROOT / "docs" / "protocol.md").read_text(encoding="utf-8")
    v = compute()
    for label, value in (("wire", v.frame_wire), ("HELLO", v.hello), ("CHALLENGE", v.challenge), ("AUTH", v.auth),
                         ("SESSION", v.session), ("request", v.request), ("response", v.response)):
        assert re.search(rf"^{label}\s+{' '.join(f'{x:02x}' for x in value)}$", doc, re.M), label
    block = doc.split("### Handshake", 1)[1].split("```", 2)[1]
    assert "host   -> HELLO(role, Nh)" in block and "device -> SESSION(result, role)" in block
    assert HostHandshake  # the host side of the same handshake is protocol.session.handshake.HostHandshake


# --- the board core keeps the same record -------------------------------------------------------

def test_the_c_core_writes_the_record_layout_the_model_reads():
    from hil.board.host import BoardCore

    core = BoardCore(KEYS)
    hello = __import__("protocol.wire.framing", fromlist=["encode_frame"]).encode_frame(
        CAT["HELLO"].id, 1, bytes([1]) + bytes(16))
    core.receive(hello)
    records = [SecurityRecord.decode(core.record(i)) for i in range(2)]
    assert sorted(r.epoch for r in records if r is not None) == [0, 1], "the factory's record, then epoch 1"
    core.hardware_reset()
    core.receive(hello)
    records = [SecurityRecord.decode(core.record(i)) for i in range(2)]
    assert sorted(r.epoch for r in records if r is not None) == [1, 2]


# --- firmware keys -----------------------------------------------------------------------------

def _make_arm(build: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["make", "-C", str(ROOT / "hil" / "board"), f"BUILD={build}", "arm", *args],
                          capture_output=True, text=True)


@pytest.mark.qemu
def test_the_firmware_gets_random_development_keys_or_the_key_files_and_a_key_change_rebuilds_it(tmp_path):
    import shutil

    if shutil.which("arm-none-eabi-gcc") is None:
        pytest.skip("arm-none-eabi-gcc not installed (make test installs it)")
    dev = tmp_path / "dev"
    assert _make_arm(dev).returncode == 0
    assert ".development = 1" in (dev / "keys.c").read_text() and ".has_test_key = 1" in (dev / "keys.c").read_text()
    dev_keys = KeyStore.load(dev / "dev-keys.toml").devices[0]
    assert dev_keys.clinician != KEYS.clinician, "never the published test keys"
    keys = tmp_path / "keys.toml"
    keys.write_text(new_key_file([0x5C5000000001]))
    build = tmp_path / "prod"
    assert _make_arm(build, f"KEYS={keys}", "PRODUCTION=1").returncode == 0
    first = (build / "keys.c").read_text()
    assert ".development = 0" in first and ".has_test_key = 0" in first
    elf_time = (build / "scs_board.elf").stat().st_mtime_ns
    keys.write_text(new_key_file([0x5C5000000001]))  # new keys in the same file
    assert _make_arm(build, f"KEYS={keys}", "PRODUCTION=1").returncode == 0
    assert (build / "keys.c").read_text() != first and (build / "scs_board.elf").stat().st_mtime_ns > elf_time
    refused = _make_arm(tmp_path / "none", "PRODUCTION=1")
    assert refused.returncode != 0 and "needs KEYS" in refused.stdout + refused.stderr
