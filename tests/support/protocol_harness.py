"""An in-memory host and a minimal device for protocol tests (no stimulation physics)."""

from __future__ import annotations

import io
import random
from dataclasses import dataclass, field
from typing import Any

from firmware_model.device.nvm import FlashSlots
from protocol.capture.format import CaptureWriter
from protocol.session import DeviceGuard, DeviceKeys, HostHandshake, SecurityStore
from protocol.session.endpoint import DeviceEndpoint, HostEndpoint
from protocol.spec.catalog import Message, Role, load_catalog
from protocol.wire.codec import make
from protocol.wire.framing import StreamDecoder
from protocol.wire.reliability import RetryPolicy, SequenceNumbers, send_with_retries

DEVICE_ID = 0x5C5000000001
KEYS = DeviceKeys(DEVICE_ID, bytes(range(32)), bytes(range(32, 64)), bytes(range(64, 96)))


def counter_rng(seed: int):
    rng = random.Random(seed)
    return lambda n: bytes(rng.getrandbits(8) for _ in range(n))


@dataclass
class CountingDevice:
    """Executes requests by counting them; STIM_SET toggles a flag. Enough to test the pipeline."""

    now: int = 0
    stim_on: int = 0
    executions: dict = field(default_factory=dict)

    def execute(self, msg: Message, obj: Any, role: Role) -> Any:
        c = load_catalog()
        self.executions[msg.name] = self.executions.get(msg.name, 0) + 1
        if msg.name == "STIM_SET":
            self.stim_on = obj.on
        if msg.name == "DEVICE_INFO_GET":
            return make(c, "DEVICE_INFO", protocol_version=c.protocol_version, device_id=DEVICE_ID, tick_ns=1000)
        if msg.name == "STATUS_GET":
            return make(c, "STATUS", stim_on=self.stim_on, clock_ticks=self.now)
        if msg.name == "TRACE_DUMP":
            recs = bytes(range(11)) * obj.count
            return make(c, "TRACE_DATA", offset=obj.offset, total=10_000, count=obj.count, records=recs)
        response = c[msg.response]
        if response.name == "RESULT":
            return make(c, "RESULT", request_id=msg.id, result=0, field=255)
        return make(c, response.name)


class Pair:
    """Host and device joined by a lossy in-memory link (each direction can drop/flip bytes)."""

    def __init__(self, loss: float = 0.0, flips: float = 0.0, seed: int = 1, keys: DeviceKeys = KEYS):
        self.catalog = load_catalog()
        self.device = CountingDevice()
        self.security_flash = FlashSlots(slot_size=64, page_size=64)
        SecurityStore(self.security_flash).provision()
        self.guard = DeviceGuard(keys, SecurityStore(self.security_flash), k_nonce=counter_rng(seed)(32))
        self.endpoint = DeviceEndpoint(self.catalog, self.guard, self.device.execute, lambda: self.device.now)
        self.host = HostEndpoint(self.catalog)
        self.rx = StreamDecoder()
        self.rng = random.Random(seed)
        self.loss, self.flips = loss, flips
        self.seq = SequenceNumbers()
        self.inbox: list = []
        self.wire_h2d = bytearray()
        self.wire_d2h = bytearray()
        self.t_ns = 0
        self.capture_text = io.StringIO()
        self.capture = CaptureWriter(self.capture_text, "harness", clock_ns=lambda: self.t_ns)

    def _corrupt(self, data: bytes) -> bytes:
        out = bytearray()
        for b in data:
            if self.rng.random() < self.loss:
                continue
            if self.rng.random() < self.flips:
                b ^= 1 << self.rng.randrange(8)
            out.append(b)
        return bytes(out)

    def raw(self, data: bytes) -> list:
        """Send raw bytes to the device; returns the decoded frames it answered with."""
        self.wire_h2d += data
        self.t_ns += 1_000_000
        self.capture.record("h2d", data)
        reply = self.endpoint.receive(self._corrupt(data))
        self.wire_d2h += reply
        self.t_ns += 2_000_000
        self.capture.record("d2h", reply)
        return [f for f in self.rx.feed(self._corrupt(reply))]

    def request(self, obj: Any, policy: RetryPolicy = RetryPolicy(timeout_s=0.001, attempts=50)) -> tuple[Message, Any]:
        seq = self.seq.next()
        got: list = []

        def send(attempt: int) -> None:
            for frame in self.raw(self.host.request_bytes(obj, seq)):
                if not isinstance(frame, Exception) and frame.seq == seq:
                    got.append(frame)

        def wait(_timeout: float):
            return got.pop(0) if got else None

        frame = send_with_retries(send, wait, policy, self.catalog.of(obj).name)
        result = self.host.accept(frame)
        if self.catalog.of(obj).name == "SESSION_END":
            self.host.end_session()
        return result

    def login(self, role: Role = Role.CLINICIAN, keys: DeviceKeys = KEYS) -> None:
        hs = HostHandshake(keys, role, counter_rng(99))
        _, challenge = self.request(self.host.start_handshake(hs))
        _, session = self.request(self.host.answer(hs, challenge))
        self.host.finish(hs, session)

    def capture_lines(self) -> list[str]:
        return self.capture_text.getvalue().splitlines()
