"""The bridge over pyserial ports: requests, events, threads, failures, captures, lossy links."""

from __future__ import annotations

import threading

import pytest
import serial

import hil.link.model_port
from hil.link.bridge import Bridge, LinkError, ProtocolVersionError, RequestRefused
from hil.link.faultlink import Faults, FaultyLink
from hil.targets.model import ModelTarget
from protocol.capture.checker import Checker
from protocol.capture.format import CaptureWriter, read_capture
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.framing import StreamDecoder, encode_frame
from protocol.wire.reliability import NoResponseError, RetryPolicy
from tests.support.device_harness import area_fields

CAT = load_catalog()
FAST = RetryPolicy(timeout_s=0.002, attempts=200)


def model_bridge(**kw) -> tuple[Bridge, ModelTarget]:
    t = ModelTarget()
    return Bridge(t.open_port(), keys=t.keys, **kw), t


def test_the_scsmodel_url_is_registered_with_pyserial():
    hil.link.model_port.register()
    port = serial.serial_for_url("scsmodel://?soc=0.5", timeout=0.05)
    with Bridge(port, keys=hil.link.model_port.default_keys()) as b:
        b.login(Role.PATIENT)
        assert b.call("STATUS_GET").battery_soc_permille == 500
    with pytest.raises(serial.SerialException, match="soc"):
        serial.serial_for_url("scsmodel://?soc=lots")


def test_requests_events_and_refusals_through_the_bridge():
    b, t = model_bridge()
    with b:
        b.login(Role.CLINICIAN)
        for i, a in enumerate([area_fields()]):
            b.call("AREA_WRITE", program=0, area=i, **a)
        b.call("PROGRAM_COMMIT", program=0, area_count=1)
        b.call("STIM_SET", on=1)
        b.call("STATUS_GET")
        events = []
        while (e := b.wait_event(0.05)) is not None:
            events.append(e)
        assert any(e.kind == 4 and e.code == 1 for e in events)
        with pytest.raises(RequestRefused) as e:
            b.call("AREA_WRITE", program=1, area=0, **area_fields(amplitude_ua=12_000))
        assert e.value.result == "UNSAFE" and e.value.field == "amplitude_ua"


def test_the_bridge_is_safe_to_use_from_several_threads():
    b, t = model_bridge()
    b.port.timeout = 0.001
    with b:
        b.login(Role.CLINICIAN)
        errors = []

        def worker():
            try:
                for _ in range(50):
                    assert b.call("CLOCK_GET").ticks >= 0
                    b.wait_event(0.001)
            except Exception as e:  # noqa: BLE001
                errors.append(e)
        threads = [threading.Thread(target=worker) for _ in range(4)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        assert errors == []


def test_a_vanished_port_is_a_clear_link_error():
    t = ModelTarget()
    link = FaultyLink(t.open_port(), Faults())
    b = Bridge(link, keys=t.keys, policy=RetryPolicy(timeout_s=0.05, attempts=2), name="/dev/ttyACM0")
    b.device_info()
    link.disconnect()
    with pytest.raises(LinkError, match="/dev/ttyACM0: the port vanished"):
        b.device_info()
    b.close()


def test_a_silent_peer_is_a_clear_no_response_error():
    t = ModelTarget()
    b = Bridge(FaultyLink(t.open_port(), Faults(drop=1.0)), keys=t.keys, name="rfc2217://lab:4001",
               policy=RetryPolicy(timeout_s=0.01, attempts=3))
    with b, pytest.raises(NoResponseError, match=r"rfc2217://lab:4001: no response to DEVICE_INFO_GET .* 3 attempts"):
        b.device_info()


class _OtherVersionPeer(serial.SerialBase):
    """Answers every frame with a frame of protocol version 2."""

    def __init__(self):
        self._rx = bytearray()
        self._dec = StreamDecoder()
        super().__init__("other://", timeout=0.02)

    def open(self):
        self.is_open = True

    def _reconfigure_port(self):
        pass

    def write(self, data):
        from cobs import cobs

        from protocol.wire.framing import crc32

        for _ in self._dec.feed(bytes(data)):
            body = bytearray(cobs.decode(encode_frame(0x81, 1, b"")[:-1]))
            body[0] = 2
            body[-4:] = crc32(bytes(body[:-4])).to_bytes(4, "little")
            self._rx += cobs.encode(bytes(body)) + b"\x00"
        return len(data)

    def read(self, size=1):
        import time

        if not self._rx:
            time.sleep(0.005)
        out, self._rx[:] = bytes(self._rx[:size]), self._rx[size:]
        return out

    @property
    def in_waiting(self):
        return len(self._rx)


def test_a_peer_speaking_another_protocol_version_is_named():
    with Bridge(_OtherVersionPeer(), policy=RetryPolicy(timeout_s=0.02, attempts=2)) as b:
        with pytest.raises(ProtocolVersionError, match="another protocol version"):
            b.device_info()


def test_the_capture_records_every_byte_and_scs_check_finds_it_clean(tmp_path):
    path = tmp_path / "session.jsonl"
    cap = CaptureWriter.open(path, target="model")
    b, t = model_bridge(capture=cap)
    with b:
        b.device_info()
        b.login(Role.CLINICIAN)
        b.call("STATUS_GET")
        b.call("SESSION_END")
    cap.close()
    header, chunks = read_capture(path)
    assert header["target"] == "model"
    assert {c.direction for c in chunks} == {"h2d", "d2h"}
    assert Checker(CAT, keys=t.keys).check(chunks) == []


@pytest.mark.slow
def test_under_1pct_byte_loss_and_0_1pct_bit_flips_10000_commands_execute_exactly_once():
    t = ModelTarget()
    port = t.open_port()
    port.timeout = FAST.timeout_s  # a read never outlasts the retry timeout
    link = FaultyLink(port, Faults(drop=0.01, flip=0.001, duplicate=0.0005, seed=11))
    with Bridge(link, keys=t.keys, policy=FAST) as b:
        b.login(Role.CLINICIAN)
        for i, a in enumerate([area_fields()]):
            b.call("AREA_WRITE", program=0, area=i, **a)
        b.call("PROGRAM_COMMIT", program=0, area_count=1)
        executed_before = port.server.endpoint.executed
        acknowledged = []
        for i in range(10_000):
            hi = 1000 + 50 * (i % 40)
            b.call("LIMITS_WRITE", program=0, area=0, min_amplitude_ua=0, max_amplitude_ua=hi, patient_selectable=1)
            acknowledged.append(hi)
        assert port.server.endpoint.executed - executed_before == 10_000, "each executed exactly once"
        assert link.stats["dropped"] > 1000 and link.stats["flipped"] > 100
    settings = t.device.persisted_settings()
    assert settings.programs[0].limits[0] == (0, acknowledged[-1]), "no acknowledged setting lost"
