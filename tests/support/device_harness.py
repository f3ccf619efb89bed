"""A host talking to a `Device` through the real byte pipeline (frames, sessions), in memory."""

from __future__ import annotations

from typing import Any

from firmware_model.device.device import Device, DeviceConfig
from firmware_model.device.nvm import FlashSlots
from hil.sim.server import DeviceServer
from protocol.session import HostHandshake
from protocol.session.endpoint import HostEndpoint
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import make
from protocol.wire.framing import StreamDecoder
from tests.support.protocol_harness import KEYS, counter_rng

CAT = load_catalog()

TONIC = dict(waveform=0, cathode_share_pct=(100,) + (0,) * 15, anode_mask=1 << 1, case_anode=0, amplitude_ua=3000,
             pulse_width_us=300, rate_mhz=50_000, interphase_gap_us=0, recharge=0, recharge_ratio=1,
             passive_window_us=0, pulses_per_burst=1, intra_burst_rate_mhz=0, cycle_on_ms=0, cycle_off_ms=0,
             soft_start_ms=0)


def area_fields(cathode: int = 0, anode: int = 1, **kw) -> dict:
    shares = [0] * 16
    shares[cathode] = 100
    return {**TONIC, "cathode_share_pct": tuple(shares), "anode_mask": 1 << anode, **kw}


class Bench:
    def __init__(self, config: DeviceConfig | None = None, flash: FlashSlots | None = None):
        self.device = Device(config or DeviceConfig(keys=KEYS), flash)
        self.server = DeviceServer(self.device)
        self.host = HostEndpoint(CAT)
        self.rx = StreamDecoder()
        self.seq = 0
        self.role: Role | None = None
        self.events: list[Any] = []
        self._rng = counter_rng(3)

    def send(self, obj: Any) -> tuple[str, Any]:
        """One request; returns (response name, response). Events received meanwhile are kept."""
        self.seq = self.seq % 0xFFFF + 1
        out = self.server.receive(self.host.request_bytes(obj, self.seq))
        result = None
        for f in self.rx.feed(out):
            if f.is_event:
                self.events.append(self.host.accept(f)[1])
                continue
            m, o = self.host.accept(f)
            assert f.seq == self.seq, "the response echoes the request's sequence number"
            assert result is None, "exactly one response per request"
            result = (m.name, o)
        assert result is not None, f"no response to {CAT.of(obj).name}"
        request = CAT.of(obj)
        assert result[0] in (request.response, "RESULT"), f"{request.name} answered by {result[0]}"
        if result[0] == "RESULT":
            assert result[1].request_id == request.id
        if CAT.of(obj).name == "SESSION_END" or (CAT.of(obj).name == "RESET"):
            self.host.end_session()
            self.role = None
        return result

    def req(self, name: str, **fields) -> tuple[str, Any]:
        return self.send(make(CAT, name, **fields))

    def login(self, role: Role) -> None:
        if self.role is role and self.host.session is not None and self.device.guard.session is not None:
            return
        hs = HostHandshake(KEYS, role, self._rng)
        _, ch = self.send(self.host.start_handshake(hs))
        _, sess = self.send(self.host.answer(hs, ch))
        self.host.finish(hs, sess)
        self.role = role

    def as_role(self, role: Role, name: str, **fields) -> tuple[str, Any]:
        if CAT[name].role is Role.TEST and role is Role.CLINICIAN:
            role = Role.TEST  # stimulus inputs, clock and trace belong to the bench's test role
        self.login(role)
        return self.req(name, **fields)

    def result(self, role: Role, name: str, **fields) -> str:
        rname, obj = self.as_role(role, name, **fields)
        return CAT.result_name(obj.result) if hasattr(obj, "result") else "OK"

    def program(self, index: int = 0, areas: list[dict] | None = None) -> None:
        areas = areas or [area_fields()]
        for i, a in enumerate(areas):
            assert self.result(Role.CLINICIAN, "AREA_WRITE", program=index, area=i, **a) == "OK"
        assert self.result(Role.CLINICIAN, "PROGRAM_COMMIT", program=index, area_count=len(areas)) == "OK"

    def advance(self, ticks: int) -> None:
        while ticks > 0:
            step = min(ticks, 0xFFFFFFFF)
            self.as_role(Role.TEST, "CLOCK_ADVANCE", ticks=step)
            ticks -= step

    def status(self) -> Any:
        return self.as_role(Role.PATIENT if self.role is Role.PATIENT else Role.CLINICIAN, "STATUS_GET")[1]

    def log(self) -> list[tuple[int, int, int, int]]:
        return [(e.tick, int(e.kind), e.code, e.detail) for e in self.device.log.entries()]
