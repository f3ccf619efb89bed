"""The host build of the board's C core asked like the model: a signed session per role, and a bench
with the same `ask` as the model's (tests/support/device_harness.py)."""

from __future__ import annotations

from typing import Any

from firmware_model.device.nvm import decode_image, encode_image
from hil.board.host import BoardCore
from hil.link.model_port import default_keys
from protocol.session.endpoint import HostEndpoint
from protocol.spec import generated as dev
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import make
from protocol.wire.framing import StreamDecoder
from tests.support.protocol_harness import KEYS

CAT = load_catalog()


def c_session(core: BoardCore, role: Role) -> HostEndpoint:
    from protocol.session import HostHandshake

    host, rx = HostEndpoint(CAT), StreamDecoder()

    def ask(obj):
        frames = [f for f in rx.feed(core.receive(host.request_bytes(obj, 1))) if not f.is_event]
        [frame] = frames
        return host.accept(frame)[1]
    hs = HostHandshake(default_keys(), role)
    challenge = ask(host.start_handshake(hs))
    host.finish(hs, ask(host.answer(hs, challenge)))
    host.ask = ask
    return host


def program_with_limits(c: BoardCore) -> HostEndpoint:
    """Program 0 with one area, committed: a board with one program stored (also the fuzz seeds')."""
    host = c_session(c, Role.CLINICIAN)
    from tests.support.device_harness import area_fields

    assert CAT.result_name(host.ask(make(CAT, "AREA_WRITE", program=0, area=0, **area_fields())).result) == "OK"
    assert CAT.result_name(host.ask(make(CAT, "PROGRAM_COMMIT", program=0, area_count=1)).result) == "OK"
    return host


class CBench:
    """The C core with one session per role, asked like the model's bench."""

    def __init__(self) -> None:
        self.core = BoardCore(KEYS)
        self._hosts: dict[Role, Any] = {}
        self._seq = 1

    def ask(self, role: Role, name: str, **fields: Any) -> Any:
        if CAT[name].role is Role.TEST and role is Role.CLINICIAN:
            role = Role.TEST  # stimulus inputs, clock and trace belong to the bench's test role
        if role not in self._hosts:  # one session at a time on a device: a new login replaces the other
            self._hosts = {role: c_session(self.core, role)}
        self._seq = self._seq % 0xFFFF + 1  # a new sequence number: not a retransmission
        wire = self._hosts[role].request_bytes(make(CAT, name, **fields), self._seq)
        [frame] = [f for f in StreamDecoder().feed(self.core.receive(wire)) if not f.is_event]
        return self._hosts[role].accept(frame)[1]

    def power_cycle(self) -> None:
        self.core.power_cycle()
        self._hosts.clear()

    def image(self) -> bytes:
        images = [decode_image(bytes(self.core.slot(i))) for i in range(2)]
        return max((img for img in images if img), key=lambda img: img[0])[1]

    def install(self, image: bytes) -> None:
        """Flash holding only this image (as a programmer would write it), then power on."""
        raw = encode_image(1, image)
        for i in range(2):
            self.core.slot(i)[:] = (raw if i == 0 else b"").ljust(dev.SETTINGS_SLOT_SIZE, b"\xff")
        self.power_cycle()


class CorePort:
    """The host build of the firmware core behind the small port API the bridge uses."""

    def __init__(self, core: BoardCore):
        self.core, self._rx, self.port = core, bytearray(), "board-core"

    def write(self, data: bytes) -> int:
        self._rx += self.core.receive(bytes(data))
        return len(data)

    def read(self, size: int = 1) -> bytes:
        out, self._rx[:] = bytes(self._rx[:size]), self._rx[size:]
        return out

    @property
    def in_waiting(self) -> int:
        return len(self._rx)

    def close(self) -> None:
        pass
