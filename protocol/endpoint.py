"""Both ends of the protocol, without I/O: bytes in, bytes out.

`DeviceEndpoint` is the device's request pipeline. For every frame, in this order:

1. framing: COBS, CRC, header. A frame failing COBS or CRC is dropped unanswered (its sequence
   number can't be trusted; the sender times out and retransmits). A frame whose CRC holds but whose
   header is wrong is answered: VERSION_MISMATCH for another protocol version, BAD_FRAME for unknown
   flag bits or a signed frame too short for its counter and tag.
2. message: unknown ids, and responses/events sent to the device, get UNKNOWN_MESSAGE.
3. authentication: a signed frame needs a session and a valid tag and a fresh counter
   (NOT_AUTHENTICATED, BAD_TAG, REPLAY, STALE_COUNTER); an unsigned frame may only carry a
   role-"none" request (device info, handshake): anything else is NOT_AUTHENTICATED. Deny by default.
4. role: a patient session can't send clinician requests (NOT_PERMITTED).
5. exactly once: a state-changing request whose sequence number and bytes match a cached one gets
   the cached response, re-signed, and is not executed again.
6. payload: BAD_LENGTH or OUT_OF_RANGE naming the field.
7. execution by the device (``execute``), which returns the response message.

Every refusal in steps 3-4 is recorded as a security event. Errors are answered with RESULT
(request id, result code, offending field), whatever the request's normal response is.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from protocol import generated
from protocol.catalog import Catalog, Kind, Message, Role
from protocol.codec import DecodeError, decode_payload, encode_payload, make
from protocol.framing import FLAG_EVENT, FLAG_RESPONSE, HEADER, VERSION, Frame, FrameError, StreamDecoder, encode_frame
from protocol.reliability import ResponseCache
from protocol.security import DeviceGuard, HandshakeError, HostHandshake, SessionState

Execute = Callable[[Message, Any, Role], Any]

NO_FIELD = generated.NO_FIELD


class DeviceEndpoint:
    def __init__(self, catalog: Catalog, guard: DeviceGuard, execute: Execute, clock: Callable[[], int],
                 cache_size: int = 8):
        self.catalog = catalog
        self.guard = guard
        self.execute = execute
        self.clock = clock
        self.decoder = StreamDecoder()
        self.cache: ResponseCache[tuple[int, bytes]] = ResponseCache(cache_size)
        self.executed = 0  # requests executed (not answered from cache, not refused)
        self.dropped_frames = 0
        self._unsigned = {catalog["CHALLENGE"].id, catalog["SESSION"].id}
        self._end_session_after_reply = False

    # --- output -----------------------------------------------------------------------------
    def _encode(self, msg_id: int, seq: int, payload: bytes, flags: int) -> bytes:
        """Signed whenever a session is open, except the handshake's answers (no session key yet)."""
        session = self.guard.session
        if session is not None and msg_id not in self._unsigned:
            counter, signer = session.sign()
            return encode_frame(msg_id, seq, payload, flags, counter, signer)
        return encode_frame(msg_id, seq, payload, flags)

    def _result(self, request_id: int, seq: int, result: str, field: int = NO_FIELD) -> bytes:
        msg = self.catalog["RESULT"]
        obj = msg.type(request_id=request_id, result=self.catalog.result_code(result), field=field)
        return self._encode(msg.id, seq, encode_payload(msg, obj), FLAG_RESPONSE)

    def event(self, obj: Any) -> bytes:
        """Wire bytes of an unsolicited event (signed when a session is open)."""
        msg = self.catalog.of(obj)
        return self._encode(msg.id, 0, encode_payload(msg, obj), FLAG_EVENT)

    # --- input ------------------------------------------------------------------------------
    def receive(self, data: bytes) -> bytes:
        """Feed received bytes; returns the response bytes to send back."""
        out = bytearray()
        for item in self.decoder.feed(data):
            out += self.handle(item)
        return bytes(out)

    def handle(self, frame: Frame | FrameError) -> bytes:
        now = self.clock()
        if isinstance(frame, FrameError):
            # the CRC held, so the header can be trusted enough to answer: say what was wrong
            answer = {"version": "VERSION_MISMATCH", "flags": "BAD_FRAME", "length": "BAD_FRAME"}.get(frame.reason)
            if answer is not None:
                from cobs import cobs

                _, msg_id, _, seq = HEADER.unpack_from(cobs.decode(frame.raw), 0)
                return self._result(msg_id, seq, answer)
            self.dropped_frames += 1
            return b""
        msg = self.catalog.by_id(frame.msg_id)
        if msg is None or msg.kind is not Kind.REQUEST or frame.flags & (FLAG_RESPONSE | FLAG_EVENT):
            return self._result(frame.msg_id, frame.seq, "UNKNOWN_MESSAGE")
        session = self.guard.session
        if frame.is_signed:
            if session is None:
                self.guard.record(now, "NOT_AUTHENTICATED", msg.id)
                return self._result(msg.id, frame.seq, "NOT_AUTHENTICATED")
            assert frame.counter is not None and frame.tag is not None  # a signed frame carries both
            verdict = session.check(frame.counter, frame.signed_body, frame.tag)
            if verdict != "OK":
                self.guard.record(now, verdict, msg.id, frame.counter)
                return self._result(msg.id, frame.seq, verdict)
            role = session.role
        else:
            if msg.role is not Role.NONE:
                self.guard.record(now, "NOT_AUTHENTICATED", msg.id)
                return self._result(msg.id, frame.seq, "NOT_AUTHENTICATED")
            role = Role.NONE
        if msg.role > role:
            self.guard.record(now, "NOT_PERMITTED", msg.id, int(role))
            return self._result(msg.id, frame.seq, "NOT_PERMITTED")
        if msg.changes_state:
            cached = self.cache.get(frame.seq, msg.id, frame.payload)
            if cached is not None:
                return self._encode(cached[0], frame.seq, cached[1], FLAG_RESPONSE)
        try:
            obj = decode_payload(msg, frame.payload)
        except DecodeError as e:
            return self._result(msg.id, frame.seq, e.result, e.field_index)
        response = self._dispatch(msg, obj, role, now)
        rmsg = self.catalog.of(response)
        payload = encode_payload(rmsg, response)
        if msg.changes_state:
            self.cache.put(frame.seq, msg.id, frame.payload, (rmsg.id, payload))
        reply = self._encode(rmsg.id, frame.seq, payload, FLAG_RESPONSE)
        if self._end_session_after_reply:
            self._end_session_after_reply = False
            self.guard.end_session()
            self.cache.clear()
        return reply

    def _dispatch(self, msg: Message, obj: Any, role: Role, now: int) -> Any:
        c = self.catalog
        if msg.name == "HELLO":
            result, dn, proof, retry_ms = self.guard.hello(obj.role, obj.host_nonce, now)
            self.cache.clear()
            return make(c, "CHALLENGE", result=c.result_code(result), device_nonce=dn, device_proof=proof,
                        retry_after_ms=retry_ms)
        if msg.name == "AUTH":
            result, granted = self.guard.auth(obj.host_proof, now)
            return make(c, "SESSION", result=c.result_code(result), role=granted)
        if msg.name == "SESSION_END":
            self._end_session_after_reply = True  # the answer is still signed with the session key
            return make(c, "RESULT", request_id=msg.id, result=0, field=NO_FIELD)
        self.executed += 1
        return self.execute(msg, obj, role)


class ProtocolError(Exception):
    """The peer answered something this side can't accept (wrong response, bad tag, refusal)."""


class HostEndpoint:
    """Host side: builds (signed) request frames and checks what comes back."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.session: SessionState | None = None

    def request_bytes(self, obj: Any, seq: int) -> bytes:
        msg = self.catalog.of(obj)
        payload = encode_payload(msg, obj)
        if self.session is not None and msg.name not in ("HELLO", "AUTH"):
            counter, signer = self.session.sign()
            return encode_frame(msg.id, seq, payload, 0, counter, signer)
        return encode_frame(msg.id, seq, payload)

    def accept(self, frame: Frame) -> tuple[Message, Any]:
        """Decode a device frame, verifying its tag and counter when a session is open."""
        msg = self.catalog.by_id(frame.msg_id)
        if msg is None or msg.kind is Kind.REQUEST:
            raise ProtocolError(f"device sent message id 0x{frame.msg_id:02x}, which is not a response or event")
        if self.session is not None and msg.name not in ("CHALLENGE", "SESSION"):
            if not frame.is_signed:
                raise ProtocolError(f"device sent an unsigned {msg.name} inside a session: rejected")
            assert frame.counter is not None and frame.tag is not None  # a signed frame carries both
            verdict = self.session.check(frame.counter, frame.signed_body, frame.tag)
            if verdict != "OK":
                raise ProtocolError(f"device frame {msg.name} seq {frame.seq} failed verification: {verdict}")
        try:
            return msg, decode_payload(msg, frame.payload)
        except DecodeError as e:
            raise ProtocolError(f"device sent a malformed {msg.name}: {e}") from None

    def end_session(self) -> None:
        """Forget the session after the device answered SESSION_END."""
        self.session = None

    def start_handshake(self, hs: HostHandshake) -> Any:
        self.session = None
        return make(self.catalog, "HELLO", role=int(hs.role), host_nonce=hs.hello_nonce())

    def answer(self, hs: HostHandshake, challenge: Any) -> Any:
        c = self.catalog
        if challenge.result != 0:
            raise HandshakeError(f"device refused HELLO: {c.result_name(challenge.result)}"
                                 + (f", retry after {challenge.retry_after_ms} ms" if challenge.retry_after_ms else ""))
        return make(c, "AUTH", host_proof=hs.answer_challenge(challenge.device_nonce, challenge.device_proof))

    def finish(self, hs: HostHandshake, session: Any) -> None:
        if session.result != 0:
            raise HandshakeError(f"device refused AUTH: {self.catalog.result_name(session.result)}")
        self.session = hs.session()


__all__ = ["DeviceEndpoint", "HostEndpoint", "ProtocolError", "VERSION"]
