"""The dev-board firmware: its C core on the host beside the Python reference, the ARM image, QEMU."""

from __future__ import annotations

import hashlib
import hmac
import os
import random
import shutil
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from cobs import cobs
from hypothesis import given, settings
from hypothesis import strategies as st

from hil.board.build import size_report
from hil.board.host import BoardCore
from hil.link.model_port import default_keys
from protocol.session import DeviceGuard
from protocol.session.endpoint import DeviceEndpoint, HostEndpoint
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import make
from protocol.wire.framing import encode_frame
from tests.support.board_core import CorePort
from tests.support.board_core import c_session as _c_session
from tests.support.board_core import program_with_limits as _program_with_limits

CAT = load_catalog()
ROOT = Path(__file__).resolve().parents[2]
KEYS = default_keys()
SETTINGS = settings(max_examples=300, deadline=None)


def _require(tool: str) -> None:
    if shutil.which(tool) is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is missing: the README's test command installs it (make test)")
        pytest.skip(f"{tool} not installed (make test installs it)")


@pytest.fixture(scope="module")
def core():
    return BoardCore(KEYS)


# --- primitives against Python's and the RFCs' -------------------------------------------------

@SETTINGS
@given(st.binary(max_size=2000))
def test_c_crc32_is_zlibs_crc32(data):
    assert BoardCore(KEYS).crc32(data) == zlib.crc32(data)


@SETTINGS
@given(st.binary(max_size=1200))
def test_c_cobs_matches_the_cobs_package_both_ways(data):
    c = BoardCore(KEYS)
    enc = c.cobs_encode(data)
    assert enc == cobs.encode(data)
    assert c.cobs_decode(enc) == data


@SETTINGS
@given(st.binary(max_size=300), st.binary(max_size=200))
def test_c_sha256_and_hmac_match_hashlib(key, data):
    c = BoardCore(KEYS)
    assert c.sha256(data) == hashlib.sha256(data).digest()
    assert c.hmac_sha256(key, data) == hmac.digest(key, data, "sha256")


RFC4231 = [  # (key, data, HMAC-SHA256) test cases 1, 2, 3, 4, 6, 7
    (bytes([0x0B] * 20), b"Hi There", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
    (b"Jefe", b"what do ya want for nothing?", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
    (bytes([0xAA] * 20), bytes([0xDD] * 50), "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
    (bytes(range(1, 26)), bytes([0xCD] * 50), "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
    (bytes([0xAA] * 131), b"Test Using Larger Than Block-Size Key - Hash Key First",
     "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
    (bytes([0xAA] * 131), b"This is a test using a larger than block-size key and a larger than block-size data. "
     b"The key needs to be hashed before being used by the HMAC algorithm.",
     "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
]


@pytest.mark.parametrize("key, data, mac", RFC4231)
def test_c_hmac_sha256_passes_the_rfc_4231_vectors(core, key, data, mac):
    assert core.hmac_sha256(key, data).hex() == mac


# --- the C core beside the Python reference ----------------------------------------------------

def reference_endpoint():
    from firmware_model.device.nvm import FlashSlots
    from protocol.session import SecurityStore

    flash = FlashSlots(slot_size=64, page_size=64)
    SecurityStore(flash).provision()
    guard = DeviceGuard(KEYS, SecurityStore(flash))
    return DeviceEndpoint(CAT, guard, lambda m, o, r: make(CAT, "RESULT", request_id=m.id, result=0, field=255),
                          lambda: 0)


@st.composite
def unsigned_frames(draw):
    """Requests without a session (deny-by-default paths), sometimes mangled."""
    msg = draw(st.sampled_from([m for m in CAT.messages if m.name not in ("DEVICE_INFO_GET", "HELLO", "AUTH")]))
    payload = draw(st.binary(max_size=80)) if draw(st.booleans()) else bytes(msg.fixed_size)
    flags = draw(st.sampled_from([0, 0, 0, 1, 2, 0x40]))
    return encode_frame(msg.id, draw(st.integers(0, 0xFFFF)), payload, flags)


@pytest.mark.requirement("SRS-PROTO-006")
@pytest.mark.slow
@settings(max_examples=1000, deadline=None)
@given(frames=st.lists(unsigned_frames(), min_size=1, max_size=5))
def test_the_c_core_answers_unauthenticated_traffic_byte_for_byte_like_the_reference(frames):
    c, ref = BoardCore(KEYS), reference_endpoint()
    wire = b"\x00" + b"".join(frames)
    assert c.receive(wire) == ref.receive(wire)


@pytest.mark.requirement("SRS-PROTO-003", "SRS-PROTO-006")
@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=400))
def test_any_bytes_leave_the_c_core_answering_like_the_reference(data):
    c, ref = BoardCore(KEYS), reference_endpoint()
    probe = encode_frame(CAT["STIM_SET"].id, 7, b"\x01")  # unsigned: refused the same way by both
    assert c.receive(data + b"\x00" + probe) == ref.receive(data + b"\x00" + probe)


@pytest.mark.requirement("SRS-SEC-006", "SRS-PROTO-007")
def test_the_c_core_runs_the_handshake_and_signs_and_checks_every_frame():
    c = BoardCore(KEYS)
    host = _c_session(c, Role.PATIENT)
    assert host.ask(make(CAT, "STATUS_GET")).stim_on == 0
    assert CAT.result_name(host.ask(make(CAT, "AREA_WRITE")).result) == "NOT_PERMITTED"
    frame = host.request_bytes(make(CAT, "CLOCK_GET"), 9)
    assert c.receive(frame) and c.receive(frame)  # a replay is answered REPLAY, below
    from protocol.wire.framing import StreamDecoder

    [answer] = [f for f in StreamDecoder().feed(c.receive(frame)) if not f.is_event]
    from protocol.wire.codec import decode_payload

    assert CAT.result_name(decode_payload(CAT["RESULT"], answer.payload).result) == "REPLAY"


@pytest.mark.requirement("SRS-EXO-001", "SRS-GEN-EXACTLY-ONCE-CACHE")
def test_the_c_core_answers_a_retransmission_from_its_cache():
    c = BoardCore(KEYS)
    host = _c_session(c, Role.CLINICIAN)
    from protocol.wire.framing import StreamDecoder

    rx = StreamDecoder()
    first = [f for f in rx.feed(c.receive(host.request_bytes(make(CAT, "STIM_SET", on=0), 300))) if not f.is_event]
    again = [f for f in rx.feed(c.receive(host.request_bytes(make(CAT, "STIM_SET", on=0), 300))) if not f.is_event]
    assert first[0].payload == again[0].payload and first[0].counter < again[0].counter


@pytest.mark.requirement("SRS-SEC-012", "SRS-GEN-BACKOFF")
def test_the_c_core_backs_off_failed_handshakes_in_its_own_ticks():
    c = BoardCore(KEYS)
    from protocol.wire.codec import decode_payload
    from protocol.wire.framing import StreamDecoder

    rx = StreamDecoder()
    host = HostEndpoint(CAT)

    def ask(obj):
        [f] = [x for x in rx.feed(c.receive(host.request_bytes(obj, 1))) if not x.is_event]
        return decode_payload(CAT.by_id(f.msg_id), f.payload)
    ask(make(CAT, "HELLO", role=2, host_nonce=bytes(16)))
    assert CAT.result_name(ask(make(CAT, "AUTH", host_nonce=bytes(16), host_proof=bytes(32))).result) == "BAD_TAG"
    busy = ask(make(CAT, "HELLO", role=2, host_nonce=bytes([1]) * 16))
    assert CAT.result_name(busy.result) == "BUSY" and busy.retry_after_ms == 1000
    assert CAT.result_name(ask(make(CAT, "HELLO", role=1, host_nonce=bytes([2]) * 16)).result) == "OK", "per role"
    c.hardware_reset()  # the clock restarts at 0: the back-off restarts from what remained, never more
    busy = ask(make(CAT, "HELLO", role=2, host_nonce=bytes([3]) * 16))
    assert CAT.result_name(busy.result) == "BUSY" and 0 < busy.retry_after_ms <= 1000
    c.advance(1_000_000)
    assert CAT.result_name(ask(make(CAT, "HELLO", role=2, host_nonce=bytes([4]) * 16)).result) == "OK"


# --- the ARM image --------------------------------------------------------------------------------

@pytest.mark.qemu
def test_the_arm_image_builds_with_warnings_as_errors_and_fits_with_a_wide_margin():
    _require("arm-none-eabi-gcc")
    used = size_report()
    assert 0 < used["flash"] < 1024 * 1024 // 10, "under 10 % of 1 MB flash"
    # the 1,536-pulse trace, the 256-edge queue of the hardware-timed output and the two UART rings
    assert 0 < used["ram"] < 192 * 1024 * 3 // 10, "static RAM under 30 % of 192 KB"
    # the stack is reserved at the base of RAM under its MPU guard (docs/faults.md): all of it fits beside
    assert used["stack"] > 0 and used["ram"] + used["stack"] < 192 * 1024 // 2, "static RAM and stack under half"


# --- QEMU -----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def qemu():
    _require("arm-none-eabi-gcc")
    _require("qemu-system-arm")
    from hil.targets.qemu import QemuTarget

    target = QemuTarget()
    yield target
    target.close()


@pytest.mark.requirement("SRS-PROTO-001")
@pytest.mark.qemu
def test_the_firmware_boots_in_qemu_and_describes_itself(qemu):
    b = qemu.bridge()
    qemu.factory_reset(b)
    info = qemu.describe(b)
    assert info.protocol_version == 1 and info.device_id == KEYS.device_id and info.firmware_version == "0.1.0"
    assert info.capability_names == ["virtual clock", "simulated inputs", "pulse trace", "rechargeable", "test build",
                                     "development keys", "entropy source"]
    b.login(Role.TEST)
    t1 = b.call("CLOCK_GET").ticks
    assert b.call("CLOCK_GET").ticks == t1, "in the emulator the clock is virtual: deterministic"
    assert b.call("CLOCK_ADVANCE", ticks=1234).ticks == t1 + 1234
    b.close()


@pytest.mark.qemu
def test_board_settings_survive_a_reset_in_qemu(qemu):
    from hil.harness.conformance.support import area, program

    b = qemu.bridge()
    qemu.factory_reset(b)
    b.login(Role.CLINICIAN)
    program(b, 3, [area(0, 1)])
    b.call("LIMITS_WRITE", program=3, area=0, min_amplitude_ua=500, max_amplitude_ua=4000, patient_selectable=1)
    b.call("RESET", kind=1)
    b.login(Role.CLINICIAN)
    limits = b.call("LIMITS_READ", program=3, area=0)
    assert (limits.min_amplitude_ua, limits.max_amplitude_ua) == (500, 4000)
    b.close()


@pytest.mark.qemu
def test_10000_random_and_mutated_frames_leave_the_board_responsive_and_unchanged(qemu):
    b = qemu.bridge()
    qemu.factory_reset(b)
    b.login(Role.TEST)
    b.call("CLOCK_ADVANCE", ticks=12_345)
    before = b.call("STATUS_GET")
    rng = random.Random(4)
    valid = [encode_frame(m.id, rng.randrange(65536), bytes(m.fixed_size)) for m in CAT.requests]
    burst = bytearray()
    for i in range(10_000):
        if i % 2:
            frame = bytearray(rng.choice(valid))
            for _ in range(rng.randint(1, 4)):
                frame[rng.randrange(len(frame))] = rng.randrange(256)
        else:
            frame = bytearray(rng.randbytes(rng.randint(1, 60)))
        burst += frame + b"\x00"
        if len(burst) > 4096:
            b.port.write(bytes(burst))
            burst.clear()
            b.port.reset_input_buffer()
    b.port.write(bytes(burst) + b"\x00")
    import time

    # the emulated UART delivers the backlog at its own pace: wait until the board answers again
    deadline = time.monotonic() + 120
    probe_seq = 60_000
    while time.monotonic() < deadline:
        if b.exchange_raw(encode_frame(CAT["DEVICE_INFO_GET"].id, probe_seq, b""), probe_seq, timeout_s=0.5):
            break
        probe_seq += 1
    else:
        pytest.fail("the board stopped answering after the fuzzing")
    b.port.reset_input_buffer()
    b.host.end_session()
    b.login(Role.CLINICIAN)
    after = b.call("STATUS_GET")
    assert after.stim_on == before.stim_on and after.active_program == before.active_program
    assert after.clock_ticks == before.clock_ticks, "no reset (watchdog or fault): it would restart the clock"
    b.close()


@pytest.mark.qemu
def test_the_whole_conformance_suite_passes_in_qemu(tmp_path):
    _require("arm-none-eabi-gcc")
    _require("qemu-system-arm")
    junit = tmp_path / "qemu.xml"
    proc = subprocess.run([sys.executable, "-P", "-m", "hil.cli", "hil", "--target", "qemu", "--junit", str(junit)],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout
    import xml.etree.ElementTree as ET

    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert props["scs_target"] == "qemu"
    assert props["scs_capabilities"] == ("virtual clock,simulated inputs,pulse trace,rechargeable,test build,"
                                         "development keys,entropy source")


@pytest.mark.requirement("SRS-PIN-001", "SRS-PIN-002")
@pytest.mark.qemu
def test_the_board_in_real_time_fires_pulses_on_their_ticks_under_a_flooded_link(tmp_path):
    """qemu-rt: the hardware-timed path (TIM5 edge interrupt, interrupt-driven USART) against the
    reference scheduler, a flood of signed requests and back-to-back frames; virtual-clock tests skip."""
    _require("arm-none-eabi-gcc")
    _require("qemu-system-arm")
    junit = tmp_path / "qemu-rt.xml"
    proc = subprocess.run([sys.executable, "-P", "-m", "hil.cli", "hil", "--target", "qemu-rt", "--junit", str(junit),
                           "-k", "realtime or reference or every_request"],
                          capture_output=True, text=True, cwd=ROOT, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert " 0 failed" in proc.stdout
    import xml.etree.ElementTree as ET

    props = {p.get("name"): p.get("value") for p in ET.parse(junit).getroot().iter("property")}
    assert props["scs_target"] == "qemu-rt"
    assert props["scs_capabilities"] == ("simulated inputs,pulse trace,rechargeable,hardware-timed pulses,test build,"
                                         "development keys,entropy source")




@settings(max_examples=300, deadline=None)
@given(sequence=st.lists(st.tuples(st.sampled_from([Role.CLINICIAN, Role.PATIENT]),
                                   __import__("hil.harness.conformance.differential", fromlist=["REQUESTS"]).REQUESTS),
                         min_size=1, max_size=15))
@pytest.mark.requirement("SRS-PROTO-006")
def test_the_c_core_and_the_reference_model_answer_generated_sequences_identically(sequence):
    from hil.harness.conformance.differential import assert_same_answers
    from hil.link.bridge import Bridge
    from hil.targets.model import ModelTarget
    from protocol.wire.reliability import RetryPolicy

    board = Bridge(CorePort(BoardCore(KEYS)), keys=KEYS, policy=RetryPolicy(timeout_s=0.001, attempts=1))
    assert_same_answers(board, ModelTarget().bridge(), sequence)


# --- persistent settings on the board ------------------------------------------------------------

def _limits(c: BoardCore) -> tuple[int, int]:
    host = _c_session(c, Role.CLINICIAN)
    got = host.ask(make(CAT, "LIMITS_READ", program=0, area=0))
    return got.min_amplitude_ua, got.max_amplitude_ua


def test_board_settings_survive_a_power_cycle():
    c = BoardCore(KEYS)
    host = _program_with_limits(c)
    host.ask(make(CAT, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=500, max_amplitude_ua=4000,
                  patient_selectable=1))
    host.ask(make(CAT, "STIM_SET", on=1))
    assert c.power_cycle() is False
    assert _limits(c) == (500, 4000)
    assert _c_session(c, Role.PATIENT).ask(make(CAT, "STATUS_GET")).stim_on == 1, "therapy resumes"


def test_a_power_loss_at_every_write_step_of_the_board_leaves_the_old_or_the_new_settings():
    for step in range(12):
        c = BoardCore(KEYS)
        host = _program_with_limits(c)
        c.fail_after(step)
        wire = host.request_bytes(make(CAT, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=500,
                                       max_amplitude_ua=4000, patient_selectable=1), 77)
        answered = bool([f for f in __import__("protocol.wire.framing", fromlist=["StreamDecoder"]).StreamDecoder()
                         .feed(c.receive(wire)) if not f.is_event])
        lost = c.power_cycle()
        assert answered != lost, "an answer goes out only when the write completed"
        assert _limits(c) == ((0, 3000) if lost else (500, 4000)), f"power lost at step {step}"


@pytest.mark.requirement("SRS-GEN-FAULT-NVM_CORRUPT")
def test_a_corrupt_board_image_falls_back_to_the_other_slot_then_to_safe_defaults():
    c = BoardCore(KEYS)
    host = _program_with_limits(c)
    host.ask(make(CAT, "LIMITS_WRITE", program=0, area=0, min_amplitude_ua=500, max_amplitude_ua=4000,
                  patient_selectable=1))
    seqs = [int.from_bytes(bytes(c.slot(i))[4:8], "little") if bytes(c.slot(i))[:4] == b"SCS1" else -1 for i in (0, 1)]
    newest = seqs.index(max(seqs))
    c.slot(newest)[20] ^= 0xFF
    c.power_cycle()
    assert _limits(c) == (0, 3000), "the older image (before the limits were written)"
    c.slot(1 - newest)[20] ^= 0xFF
    c.power_cycle()
    status = _c_session(c, Role.PATIENT).ask(make(CAT, "STATUS_GET"))
    assert status.stim_on == 0 and status.fault_flags == 1 << 6, "safe defaults, NVM fault flagged"


# --- the board's pulse scheduler beside the reference, years ahead -------------------------------

YEAR_TICKS = 365 * 24 * 3600 * 10**6
#: turn-on offsets: the old failure points (2^32 periods at 10 kHz: 5 days; k * 10^9 past 2^64 at 10 kHz:
#: 21 days; rel * rate past 2^64: 21 days) and far beyond (30 years, on odd ticks)
OFFSETS = [0, 2**32 * 100 - 3, 5 * 24 * 3600 * 10**6 + 123, 21 * 24 * 3600 * 10**6, 30 * YEAR_TICKS + 7,
           31 * YEAR_TICKS + 999_999]


def _reference(areas: list[dict], ohms: tuple[int, ...], start_tick: int, ticks: int):
    from firmware_model.profiles import DeviceProfile
    from firmware_model.stimulation.area_fields import area_from_fields
    from firmware_model.stimulation.params import Program
    from firmware_model.stimulation.safety import ContactImpedances
    from firmware_model.stimulation.scheduler import Scheduler

    prog = Program(tuple(area_from_fields(a, DeviceProfile()) for a in areas))
    return Scheduler(prog, impedances=ContactImpedances(ohms)).generate(start_tick, start_tick + ticks)


def _assert_board_schedules_like_the_reference(core, areas, ohms, start_tick, ticks):
    got, n = core.schedule(areas, ohms, start_tick, ticks)
    ref = _reference(areas, ohms, start_tick, ticks)
    assert n == len(ref) > 0
    assert got["tick"].tolist() == ref["start_tick"].tolist(), "every pulse on the reference's tick"
    assert got["area"].tolist() == ref["area"].tolist()
    assert got["amplitude_ua"].tolist() == ref["amplitude_ua"].tolist()


def _programs():
    from hil.harness.conformance.support import BURST_DR, CYCLED, FOUR_AREAS, HF10

    return {"tonic x4": FOUR_AREAS, "burst": BURST_DR, "hf 10 kHz": HF10,
            "hf 9,950.249 Hz": [dict(HF10[0], rate_mhz=9_950_249)], "cycled soft start": CYCLED}


@pytest.mark.requirement("SRS-SCHED-001", "SRS-SCHED-002")
@pytest.mark.parametrize("offset", OFFSETS)
@pytest.mark.parametrize("name", list(_programs()))
def test_the_board_scheduler_times_every_pulse_like_the_reference_up_to_31_years_after_turn_on(core, name, offset):
    _assert_board_schedules_like_the_reference(core, _programs()[name], (1000,) * 16, offset, 120_000)


@settings(max_examples=150, deadline=None)
@given(waveform=st.sampled_from([0, 2]), rate=st.integers(0, 10**7), offset=st.integers(0, 31 * YEAR_TICKS))
def test_the_board_scheduler_is_exact_at_any_legal_rate_any_time_within_31_years(core, waveform, rate, offset):
    from hil.harness.conformance.support import area
    from protocol.spec.generated import MAX_HF_RATE_MHZ, MAX_RATE_MHZ, MIN_HF_RATE_MHZ, MIN_RATE_MHZ

    lo, hi = (MIN_RATE_MHZ, MAX_RATE_MHZ) if waveform == 0 else (MIN_HF_RATE_MHZ, MAX_HF_RATE_MHZ)
    rate_mhz = lo + rate % (hi - lo + 1)
    one = area(0, 1, waveform=waveform, rate_mhz=rate_mhz, pulse_width_us=30, amplitude_ua=1000)
    span = 3 * 10**9 // rate_mhz + 1  # three periods or more
    _assert_board_schedules_like_the_reference(core, [one], (1000,) * 16, offset, span)


# --- compliance: the board's per-pulse decision is the model's, exactly -----------------------------

def _ohms(**at: int) -> tuple[int, ...]:
    z = [1000] * 16
    for k, v in at.items():
        z[int(k[1:])] = v
    return tuple(z)


@pytest.mark.requirement("SRS-GEN-COMPLIANCE")
def test_11_ma_into_exactly_12000_over_11_ohm_is_delivered_in_full_on_the_board(core):
    from hil.harness.conformance.support import area

    # cathode 1000 ohm + (anode 1000 ohm || case 100 ohm) = 12000/11 ohm: 11 mA needs exactly 12 V
    edge = area(0, 1, case_anode=1, amplitude_ua=11_000, pulse_width_us=100)
    got, _ = core.schedule([edge], _ohms(), 0, 100_000)
    assert set(got["amplitude_ua"].tolist()) == {11_000}
    _assert_board_schedules_like_the_reference(core, [edge], _ohms(), 0, 100_000)
    over = dict(edge, amplitude_ua=11_050)  # one step more: 12.054 V, delivered at 11 mA
    got, _ = core.schedule([over], _ohms(), 0, 100_000)
    assert set(got["amplitude_ua"].tolist()) == {11_000}


@pytest.mark.requirement("SRS-GEN-COMPLIANCE")
def test_8_ma_into_1500_25_ohm_is_capped_to_7_95_ma_on_the_board(core):
    from hil.harness.conformance.support import area

    # cathodes 1 % at 1025 ohm and 99 % at 1000 ohm (1000.25 ohm) + two 1000-ohm anodes in parallel
    one = dict(area(0, 2, amplitude_ua=8000, pulse_width_us=100), cathode_share_pct=(1, 99) + (0,) * 14,
               anode_mask=0b1100)
    got, _ = core.schedule([one], _ohms(c0=1025), 0, 100_000)
    assert set(got["amplitude_ua"].tolist()) == {7950}
    _assert_board_schedules_like_the_reference(core, [one], _ohms(c0=1025), 0, 100_000)


def test_a_soft_start_is_capped_per_ramp_step_on_the_board_like_the_model(core):
    from hil.harness.conformance.support import area

    ramp = area(0, 1, case_anode=1, amplitude_ua=12_000, pulse_width_us=100, rate_mhz=1_000_000, soft_start_ms=200)
    got, _ = core.schedule([ramp], _ohms(), 0, 300_000)
    amps = got["amplitude_ua"].tolist()
    assert amps[0] == 50 and max(amps) == 11_000 and 11_000 in amps[:200], "capped from the first step over the edge"
    _assert_board_schedules_like_the_reference(core, [ramp], _ohms(), 0, 300_000)


@st.composite
def loads(draw):
    """One area with random cathode shares, anodes, case and contact impedances in the working window."""
    from hil.harness.conformance.support import area

    contacts = draw(st.permutations(range(16)))
    n_cath = draw(st.integers(1, 4))
    cuts = sorted(draw(st.lists(st.integers(1, 99), min_size=n_cath - 1, max_size=n_cath - 1, unique=True)))
    shares = [b - a for a, b in zip([0, *cuts], [*cuts, 100])]
    pct = [0] * 16
    for c, s in zip(contacts[:n_cath], shares):
        pct[c] = s
    anodes = contacts[n_cath:n_cath + draw(st.integers(0, 16 - n_cath))]
    case = 1 if not anodes else draw(st.integers(0, 1))
    ohms = tuple(draw(st.integers(250, 4000)) for _ in range(16))
    amp = 50 * draw(st.integers(1, 60))
    one = dict(area(0, 1, pulse_width_us=60, amplitude_ua=amp, rate_mhz=1_000_000,
                    soft_start_ms=draw(st.sampled_from([0, 30]))),
               cathode_share_pct=tuple(pct), anode_mask=sum(1 << a for a in anodes), case_anode=case)
    return one, ohms


@settings(max_examples=300, deadline=None)
@given(loads())
def test_the_board_delivers_every_pulse_at_the_models_amplitude_for_random_loads(core, load):
    one, ohms = load
    _assert_board_schedules_like_the_reference(core, [one], ohms, 0, 40_000)


@pytest.mark.requirement("SRS-GEN-COMPLIANCE")
@settings(max_examples=200, deadline=None)
@given(load=loads(), data=st.data())
def test_the_board_decides_compliance_exactly_at_the_edge_of_random_loads(core, load, data):
    """The amplitude at (and one step around) exactly V / Z of a random load: the board caps as the model."""
    from fractions import Fraction

    from firmware_model.profiles import DeviceProfile
    from firmware_model.stimulation.area_fields import area_from_fields
    from firmware_model.stimulation.safety import ContactImpedances, load_ohm

    one, ohms = load
    z = load_ohm(area_from_fields(one, DeviceProfile()), ContactImpedances(ohms), DeviceProfile())
    edge = int(Fraction(12_000_000) / z) // 50 * 50
    amp = min(max(50, edge + 50 * data.draw(st.integers(-1, 1))), 12_000)
    _assert_board_schedules_like_the_reference(core, [dict(one, amplitude_ua=amp, soft_start_ms=0)], ohms, 0, 5_000)


# --- the board's area checks: the model's decisions, on raw payloads no codec has range-checked -------

_AREA_LAYOUT = "<BBB16BHBHHIBBBHBIIIH"  # AREA_WRITE's fields in order (program, area, waveform, shares, ...)
_TEMPLATES = [  # tonic, burst, 10 kHz, cycled with a soft start
    (0, 0, 3000, 300, 50_000, 0, 0, 1, 0, 1, 0, 0, 0, 0), (1, 0, 1000, 1000, 40_000, 0, 1, 1, 8000, 5, 500_000, 0, 0, 0),
    (2, 1, 2500, 30, 10_000_000, 0, 0, 1, 0, 1, 0, 0, 0, 0), (0, 0, 2000, 200, 500_000, 20, 0, 2, 0, 1, 0, 20, 30, 10)]
_NEAR_LIMITS = [[0, 1, 2, 3], [0, 1, 2], [0, 25, 50, 9000, 12_000, 25_500, 25_550, 40_000], [0, 19, 20, 999, 1000, 1001],
                [0, 999, 1000, 1999, 2000, 100_000, 100_001, 1_200_000, 1_200_001, 999_999, 9_950_249, 10**7, 10**7 + 1],
                [0, 1, 100, 101, 255], [0, 1, 2], [0, 1, 2, 3, 4, 5, 8], [0, 1, 9999, 10_000, 10_001, 65_535],
                [0, 1, 2, 5, 16, 17], [0, 199_999, 200_000, 1_200_000, 1_200_001],
                [0, 1, 20, 86_400_000, 86_400_001, 2**32 - 1], [0, 1, 30, 86_400_001], [0, 1, 20, 21, 60_000, 60_001]]


@settings(max_examples=1500, deadline=None)
@given(template=st.sampled_from(_TEMPLATES), data=st.data(),
       mutations=st.lists(st.integers(0, len(_NEAR_LIMITS) - 1), max_size=3),
       shares=st.sampled_from([{0: 100}, {1: 100}, {0: 50, 5: 50}, {0: 100, 5: 1}, {}, {0: 101}, {3: 99}]),
       anodes=st.sampled_from([2, 4, 0, 1, 0xFFFE, 0x8000]))
@pytest.mark.requirement("SRS-PROTO-004")
@pytest.mark.slow
def test_the_board_refuses_an_area_like_the_model_naming_the_same_field(core, template, data, mutations, shares, anodes):
    import struct
    from types import SimpleNamespace

    from firmware_model.device.rules import area_problem
    from firmware_model.profiles import DeviceProfile

    v = list(template)
    for m in mutations:
        v[m] = data.draw(st.sampled_from(_NEAR_LIMITS[m]))
    pct = [shares.get(i, 0) for i in range(16)]
    payload = struct.pack(_AREA_LAYOUT, 0, 0, v[0], *pct, anodes, *v[1:])
    names = [f.name for f in CAT["AREA_WRITE"].fields]
    values = dict(zip(names, [0, 0, v[0], tuple(pct), anodes, *v[1:]]))
    _, problem = area_problem(SimpleNamespace(**values), DeviceProfile())
    expected = (0, 0) if problem is None else (CAT.result_code(problem[0]), names.index(problem[1]))
    assert core.area_validate(payload) == expected


@pytest.mark.slow
@pytest.mark.parametrize("name", ["tonic x4", "hf 9,950.249 Hz", "cycled soft start"])
def test_the_board_firmware_traces_pulses_on_the_reference_ticks_31_years_after_turn_on(name):
    """The whole firmware on the host: the clock advanced 31 years, the train resumed as if turned on
    then (scs_host_stim_resume_at), the trace read back over the protocol and compared to the tick."""
    import numpy as np

    from firmware_model.device.pulse_output import TRACE_RECORD

    areas, rel = _programs()[name], 31 * YEAR_TICKS + 12_345
    c = BoardCore(KEYS)
    c.use_primary_cell(1000)  # a primary cell outlasts 31 years without stimulation (a rechargeable would cut off)
    c.advance(rel + 1)
    host = _c_session(c, Role.TEST)  # the clock and the trace are the test role's
    for i, a in enumerate(areas):
        assert CAT.result_name(host.ask(make(CAT, "AREA_WRITE", program=0, area=i, **a)).result) == "OK"
    assert CAT.result_name(host.ask(make(CAT, "PROGRAM_COMMIT", program=0, area_count=len(areas))).result) == "OK"
    assert CAT.result_name(host.ask(make(CAT, "STIM_SET", on=1)).result) == "OK"
    origin = c.stim_resume_at(rel)
    host.ask(make(CAT, "TRACE_START", max_pulses=1000))
    now = host.ask(make(CAT, "CLOCK_ADVANCE", ticks=100_000)).ticks
    got = []
    while sum(len(g) for g in got) < 1000:
        data = host.ask(make(CAT, "TRACE_DUMP", offset=sum(len(g) for g in got), count=92))
        if not data.count:
            break
        got.append(np.frombuffer(data.records, dtype=TRACE_RECORD))
    trace = np.concatenate(got)
    ref = _reference(areas, (1000,) * 16, rel, now - origin - rel)
    ref = ref[ref["start_tick"] < now - origin][:len(trace)]
    assert len(trace) == len(ref) > 10
    assert (trace["tick"] - origin).tolist() == ref["start_tick"].tolist()
    assert trace["area"].tolist() == ref["area"].tolist() and trace["amplitude_ua"].tolist() == ref["amplitude_ua"].tolist()
