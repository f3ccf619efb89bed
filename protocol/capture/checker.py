"""Conformance checker for recorded sessions (`scs check CAPTURE`).

Replays both directions of a capture through the protocol's own decoders and reports every
violation with its position (capture line, byte offset in that direction's stream, time):

- framing: COBS, CRC, header, oversize; frames in the wrong direction (a response sent to the device);
- payload: unknown message ids, bad lengths, out-of-range fields (both directions);
- sequence pairing: each response answers an outstanding request with the same number and is that
  request's catalogued response (or RESULT); requests left unanswered;
- deadline: a response later than ``deadline_ms`` after its request;
- exactly once: a retransmitted state-changing request must get the same response as the first;
- authentication: before a session the device answers only info and handshake requests; inside a
  session frames are signed, counters strictly increase per direction, a patient session is refused
  clinician requests, and (with the role keys) every proof and tag verifies;
- order: AUTH without a preceding successful CHALLENGE must not open a session; a session opened by a
  SESSION OK needs a preceding AUTH.

Keys that don't fit: a handshake whose CHALLENGE proof doesn't verify with the given keys is not
blamed on the device (its session's tags are left unverified); when no handshake verifies, the
checker says so once (`key_problem`: "the tags don't verify with this key file ..."), and when only
some fail, each of those is a violation (the same keys verified the others).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from protocol.capture.format import Chunk
from protocol.session import (
    DEVICE_TO_HOST,
    HOST_TO_DEVICE,
    DeviceKeys,
    device_proof,
    frame_tag,
    host_proof,
    session_key,
)
from protocol.spec.catalog import Catalog, Kind, Role
from protocol.wire.codec import DecodeError, decode_payload
from protocol.wire.framing import Frame, FrameError, StreamDecoder

#: refusals of frames that did not authenticate: the device answers them unsigned, also in a session
UNAUTHENTICATED_REFUSALS = {"NOT_AUTHENTICATED", "BAD_TAG", "REPLAY", "STALE_COUNTER", "UNKNOWN_MESSAGE",
                            "VERSION_MISMATCH", "BAD_FRAME"}
REFUSALS = {"NOT_AUTHENTICATED", "NOT_PERMITTED", "REPLAY", "STALE_COUNTER", "BAD_TAG", "BAD_LENGTH",
            "OUT_OF_RANGE", "UNKNOWN_MESSAGE", "VERSION_MISMATCH", "WRONG_STATE", "BUSY", "UNSAFE"}


@dataclass(frozen=True)
class Position:
    line: int
    offset: int       # byte offset of the frame's end (its delimiter) in its direction's stream
    t_ns: int
    direction: str

    def __str__(self) -> str:
        return f"line {self.line}, {self.direction} byte {self.offset}, t={self.t_ns / 1e6:.3f} ms"


@dataclass(frozen=True)
class Violation:
    kind: str         # framing, crc, direction, payload, pairing, deadline, exactly-once, auth, order
    position: Position
    message: str


@dataclass
class FrameRecord:
    """One frame of a capture as the checker saw it (for `scs check --decode` and test reports).

    ``tag`` is None for an unsigned frame, else "ok" / "BAD" when the session key is known (keys
    given) or "unverified"; ``violations`` are those found at this frame."""

    position: Position
    frame: Frame | None             # None: the bytes did not make a frame (see ``error``)
    message: str = ""               # catalog name, or "" when unknown/undecodable
    fields: Any = None              # the decoded payload (a NamedTuple) or None
    tag: str | None = None
    error: str = ""
    violations: list[Violation] = field(default_factory=list)


@dataclass
class _Pending:
    msg_name: str
    request_id: int
    payload: bytes
    pos: Position
    counter: int | None


@dataclass
class _State:
    session_role: Role = Role.NONE
    challenge_ok: bool = False
    auth_sent: bool = False
    host_counter: int = 0
    device_counter: int = 0
    pending: dict[int, _Pending] = field(default_factory=dict)
    answered: dict[tuple[int, int, bytes], bytes] = field(default_factory=dict)
    # for tag verification: handshakes by host nonce -> [role, device nonce or None]
    handshakes: dict[bytes, list] = field(default_factory=dict)
    hello: tuple[int, bytes] | None = None
    device_nonce: bytes | None = None
    key: bytes | None = None
    sent_counters: dict[int, list[int]] = field(default_factory=dict)  # seq -> host counters sent with it
    # last request per seq whose counter was checked, to judge replays
    last_counter_verdict: dict[int, str] = field(default_factory=dict)
    # handshakes whose device proof was checked with the keys: (position, role, verified)
    proofs: list[tuple[Position, int, bool]] = field(default_factory=list)
    device_ids: set[int] = field(default_factory=set)  # as the capture's DEVICE_INFO answers say


class Checker:
    def __init__(self, catalog: Catalog, deadline_ms: int = 250, keys: DeviceKeys | None = None):
        self.catalog = catalog
        self.deadline_ns = deadline_ms * 1_000_000
        self.keys = keys
        self.violations: list[Violation] = []
        self.frames = 0
        self.records: list[FrameRecord] = []
        self._current: FrameRecord | None = None
        self._st = _State()
        self.key_problem: str | None = None

    def _v(self, kind: str, pos: Position, message: str) -> None:
        v = Violation(kind, pos, message)
        self.violations.append(v)
        if self._current is not None and self._current.position == pos:
            self._current.violations.append(v)

    def check(self, chunks: list[Chunk]) -> list[Violation]:
        decoders = {"h2d": StreamDecoder(), "d2h": StreamDecoder()}
        offsets = {"h2d": 0, "d2h": 0}
        for ch in chunks:
            data = ch.data
            start = 0
            while start < len(data):
                end = data.find(b"\x00", start)
                piece = data[start:] if end < 0 else data[start:end + 1]
                offsets[ch.direction] += len(piece)
                for item in decoders[ch.direction].feed(piece):
                    pos = Position(ch.line, offsets[ch.direction] - 1, ch.t_ns, ch.direction)
                    self._item(item, pos)
                if end < 0:
                    break
                start = end + 1
        last = chunks[-1] if chunks else None
        self._current = None
        self._judge_keys()
        for seq, p in sorted(self._st.pending.items(), key=lambda kv: kv[1].pos.offset):
            self._v("pairing", p.pos, f"{p.msg_name} seq {seq} was never answered")
        if last is not None:
            for d, dec in decoders.items():
                if dec.undelimited:
                    self._v("framing", Position(last.line, offsets[d], last.t_ns, d),
                            f"{dec.undelimited} bytes at the end of the capture without a delimiter")
        return self.violations

    def _judge_keys(self) -> None:
        """Keys that verify no handshake: one `key_problem`; some failing: a violation each."""
        proofs = self._st.proofs
        failed = [(pos, role) for pos, role, ok in proofs if not ok]
        if not failed or self.keys is None:
            return
        if len(failed) < len(proofs):
            for pos, role in failed:
                self._v("auth", pos, f"CHALLENGE device proof does not verify for role {Role(role).name.lower()} "
                        "(the same keys verify the capture's other handshakes)")
            return
        roles = ", ".join(sorted({Role(role).name.lower() for _, role in failed}))
        other = sorted(self._st.device_ids - {self.keys.device_id})
        device = (f"; the capture's device is {', '.join(f'0x{d:012x}' for d in other)}" if other else "")
        self.key_problem = (f"the tags don't verify with this key file: no proof of its {len(failed)} handshakes "
                            f"({roles}) verifies with the keys of device 0x{self.keys.device_id:012x}{device}; "
                            "tags were not checked")

    # ------------------------------------------------------------------------------------------
    def _item(self, item: Frame | FrameError, pos: Position) -> None:
        if isinstance(item, FrameError):
            self._current = FrameRecord(pos, None, error=str(item))
            self.records.append(self._current)
            kind = "crc" if item.reason == "crc" else "framing"
            self._v(kind, pos, f"invalid frame ({item})")
            return
        self.frames += 1
        self._current = rec = FrameRecord(pos, item, tag=None if not item.is_signed else "unverified")
        self.records.append(rec)
        msg = self.catalog.by_id(item.msg_id)
        if msg is None:
            self._v("payload", pos, f"unknown message id 0x{item.msg_id:02x}")
            return
        rec.message = msg.name
        try:
            obj = decode_payload(msg, item.payload)
        except DecodeError as e:
            self._v("payload", pos, str(e))
            return
        rec.fields = obj
        if pos.direction == "h2d":
            if msg.kind is not Kind.REQUEST or item.is_response or item.is_event:
                self._v("direction", pos, f"host sent {msg.name}, which only a device may send")
                return
            self._request(item, msg, obj, pos)
        else:
            if msg.kind is Kind.REQUEST:
                self._v("direction", pos, f"device sent request {msg.name}")
                return
            if msg.kind is Kind.EVENT:
                if not item.is_event or item.seq != 0:
                    self._v("framing", pos, f"event {msg.name} needs the event flag and sequence number 0")
                self._device_auth(item, msg, pos)
                return
            self._response(item, msg, obj, pos)

    def _request(self, f: Frame, msg, obj: Any, pos: Position) -> None:
        st = self._st
        self._handshake_request(msg, obj, pos)
        st.last_counter_verdict[f.seq] = self._request_verdict(f, msg, pos)
        if f.seq in st.pending and st.pending[f.seq].payload != f.payload:
            self._v("pairing", pos, f"{msg.name} reuses seq {f.seq} while {st.pending[f.seq].msg_name} is unanswered")
        st.pending[f.seq] = _Pending(msg.name, msg.id, f.payload, pos, f.counter)

    def _handshake_request(self, msg, obj: Any, pos: Position) -> None:
        """HELLO and AUTH: remember the handshake; with the keys, verify the AUTH host proof."""
        st = self._st
        if msg.name == "HELLO":
            st.hello = (obj.role, obj.host_nonce)
            st.handshakes.setdefault(obj.host_nonce, [obj.role, None])
        if msg.name == "AUTH":
            st.auth_sent = True
            hs = st.handshakes.get(obj.host_nonce)
            if self.keys and hs and hs[1] and self.keys.has_role(hs[0]) and hs[2:] != [False]:
                key = self.keys.for_role(Role(hs[0]))
                if obj.host_proof != host_proof(key, hs[0], obj.host_nonce, hs[1], self.keys.device_id):
                    self._v("auth", pos, "AUTH host proof does not verify with the role's key")

    def _request_verdict(self, f: Frame, msg, pos: Position) -> str:
        """The counter/tag verdict of a request: unsigned, no-session, bad-tag, replay, stale or fresh."""
        st = self._st
        if not f.is_signed:
            if st.session_role is not Role.NONE and msg.role is not Role.NONE:
                self._v("auth", pos, f"unsigned {msg.name} inside a session")
            return "unsigned"
        verdict = self._signed_request_verdict(f)
        if st.key is not None and verdict != "bad-tag":
            self._tag("ok")
        assert f.counter is not None  # a signed frame carries its counter
        st.sent_counters.setdefault(f.seq, []).append(f.counter)
        return verdict

    def _signed_request_verdict(self, f: Frame) -> str:
        st = self._st
        assert f.counter is not None  # a signed frame carries its counter
        if st.session_role is Role.NONE:
            return "no-session"
        if st.key is not None and frame_tag(st.key, HOST_TO_DEVICE, f.signed_body) != f.tag:
            self._tag("BAD")
            return "bad-tag"
        if f.counter == st.host_counter:
            return "replay"
        if f.counter < st.host_counter:
            return "stale"
        st.host_counter = f.counter
        return "fresh"

    def _tag(self, verdict: str) -> None:
        if self._current is not None:
            self._current.tag = verdict

    def _device_auth(self, f: Frame, msg, pos: Position, result: str = "OK") -> None:
        st = self._st
        if st.session_role is Role.NONE or msg.name in ("CHALLENGE", "SESSION"):
            return
        if not f.is_signed:
            if msg.name == "RESULT" and result in UNAUTHENTICATED_REFUSALS:
                return  # a refusal of a frame that did not authenticate goes out unsigned, by design
            self._v("auth", pos, f"device sent an unsigned {msg.name} inside a session")
            return
        answered = [0] if f.is_event else st.sent_counters.get(f.seq, [])
        if st.key is not None:
            good = any(frame_tag(st.key, DEVICE_TO_HOST, f.signed_body, a) == f.tag for a in answered)
            self._tag("ok" if good else "BAD")
            if not good:
                self._v("auth", pos, f"device {msg.name} tag does not verify (for the counter of the request it answers)")
        assert f.counter is not None  # a signed frame carries its counter
        if f.counter <= st.device_counter:
            self._v("auth", pos, f"device counter {f.counter} does not increase (last {st.device_counter})")
        st.device_counter = max(st.device_counter, f.counter)

    def _response(self, f: Frame, msg, obj: Any, pos: Position) -> None:
        st = self._st
        paired = self._pair(f, msg, pos)
        if paired is None:
            return
        p, req = paired
        result = self.catalog.result_name(obj.result) if hasattr(obj, "result") and msg.name != "DEVICE_INFO" else "OK"
        if msg.name == "DEVICE_INFO":
            st.device_ids.add(obj.device_id)
        self._device_auth(f, msg, pos, result)
        if p.counter is not None:
            st.sent_counters.pop(f.seq, None)
        verdict = st.last_counter_verdict.get(f.seq, "unsigned")
        executed = result not in REFUSALS
        if executed:
            self._authority(p, req, verdict, pos)
            self._exactly_once(f, p, req, pos)
        # handshake order
        if msg.name == "CHALLENGE" and result == "OK":  # a HELLO never ends a session: only a successful AUTH
            self._challenge_ok(p, obj, pos)
        if msg.name == "SESSION":
            self._session_response(f, p, obj, result, pos)
        if p.msg_name == "SESSION_END" and executed:
            st.session_role, st.key = Role.NONE, None

    def _pair(self, f: Frame, msg, pos: Position) -> tuple[_Pending, Any] | None:
        """The outstanding request a response answers (and its catalog entry); pairing and deadline rules."""
        p = self._st.pending.pop(f.seq, None)
        if p is None:
            self._v("pairing", pos, f"{msg.name} seq {f.seq} answers no outstanding request")
            return None
        if pos.t_ns - p.pos.t_ns > self.deadline_ns:
            self._v("deadline", pos, f"{p.msg_name} seq {f.seq} answered after "
                    f"{(pos.t_ns - p.pos.t_ns) / 1e6:.1f} ms (deadline {self.deadline_ns / 1e6:g} ms)")
        req = self.catalog.by_id(p.request_id)
        assert req is not None  # pending entries are requests of the catalog
        if msg.name != req.response and msg.name != "RESULT":
            self._v("pairing", pos, f"{p.msg_name} answered with {msg.name}, expected {req.response} or RESULT")
        return p, req

    def _authority(self, p: _Pending, req, verdict: str, pos: Position) -> None:
        """An executed request that needs a role: a session, an authentic fresh frame, enough authority."""
        st = self._st
        if req.role is Role.NONE:
            return
        if st.session_role is Role.NONE:
            self._v("auth", pos, f"device executed {p.msg_name} without a session (deny by default)")
        elif verdict in ("replay", "stale", "bad-tag", "no-session", "unsigned"):
            self._v("auth", pos, f"device executed {p.msg_name} from a {verdict} frame")
        elif req.role > st.session_role:
            self._v("auth", pos, f"device executed {p.msg_name} for a {st.session_role.name.lower()} session")

    def _exactly_once(self, f: Frame, p: _Pending, req, pos: Position) -> None:
        """An executed state-changing request retransmitted must get the first response again."""
        if not req.changes_state:
            return
        answered = self._st.answered
        request_key = (f.seq, p.request_id, p.payload)
        if request_key in answered and answered[request_key] != f.payload:
            self._v("exactly-once", pos, f"retransmitted {p.msg_name} seq {f.seq} got a different response: "
                    "executed twice")
        answered.setdefault(request_key, f.payload)

    def _challenge_ok(self, p: _Pending, obj: Any, pos: Position) -> None:
        """A successful CHALLENGE: record the device nonce; with the keys, verify the device proof."""
        st = self._st
        role, host_nonce = p.payload[0], p.payload[1:17]
        st.challenge_ok = True
        st.handshakes[host_nonce] = [role, obj.device_nonce]
        if self.keys and self.keys.has_role(role):
            key = self.keys.for_role(Role(role))
            verified = obj.device_proof == device_proof(key, role, host_nonce, obj.device_nonce, self.keys.device_id)
            st.handshakes[host_nonce].append(verified)  # judged at the end (`_judge_keys`)
            st.proofs.append((pos, role, verified))

    def _session_response(self, f: Frame, p: _Pending, obj: Any, result: str, pos: Position) -> None:
        """SESSION: an OK needs a completed handshake and opens the session (its key, fresh counters)."""
        st = self._st
        host_nonce = p.payload[:16]
        hs = st.handshakes.get(host_nonce)
        if result == "OK":
            if not (hs and hs[1] is not None and st.auth_sent):
                self._v("order", pos, "SESSION OK without a preceding successful CHALLENGE and AUTH")
            st.session_role = Role(obj.role) if obj.role in (1, 2, 3) else Role.NONE
            st.host_counter, st.device_counter = 0, f.counter or 0
            st.key = None  # known again only when the keys verify this handshake
            if self.keys and hs and hs[1] is not None and self.keys.has_role(hs[0]) and hs[2:] != [False]:
                st.key = session_key(self.keys.for_role(Role(hs[0])), hs[0], host_nonce, hs[1], self.keys.device_id)
                if not f.is_signed or frame_tag(st.key, DEVICE_TO_HOST, f.signed_body, 0) != f.tag:
                    self._v("auth", pos, "SESSION OK is not signed with the new session key")
        st.auth_sent = False
