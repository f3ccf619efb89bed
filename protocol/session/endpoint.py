"""Both ends of the protocol, without I/O: bytes in, bytes out.

`DeviceEndpoint` is the device's request pipeline. For every frame, in this order:

1. framing: COBS, CRC, header. A frame failing COBS or CRC is dropped unanswered (its sequence
   number can't be trusted; the sender times out and retransmits). A frame whose CRC holds but whose
   header is wrong is answered (unsigned): VERSION_MISMATCH for another protocol version, BAD_FRAME
   for unknown flag bits or a signed frame too short for its counter and tag; both are security events.
2. authentication: a signed frame needs a session, a valid tag and a fresh counter
   (NOT_AUTHENTICATED, BAD_TAG, REPLAY, STALE_COUNTER); an unsigned frame may only carry a
   role-"none" request (device info, handshake): anything else is NOT_AUTHENTICATED. Deny by default.
3. message: unknown ids, and responses/events sent to the device, get UNKNOWN_MESSAGE.
4. role: a session may only send requests of its role or a lower one (NOT_PERMITTED); a production
   build refuses every test-role request (NOT_PERMITTED) whatever the session.
5. payload: BAD_LENGTH or OUT_OF_RANGE naming the field.
6. exactly once: a state-changing request whose sequence number, message id, length and payload
   digest (SHA-256) match a cached one gets the cached response, signed afresh for this request's
   counter, and is not executed again. Only validated requests reach the cache.
7. execution by the device (``execute``), which returns the response message.

Only an answer to a request that authenticated in the current session is signed, and its tag covers
that request's counter: everything else (refusals of frames that did not authenticate, header
errors, the handshake's CHALLENGE and refusals) goes out unsigned, so nothing an attacker sends can
draw an answer that passes for the answer to the host's request. Every refusal is a security event;
refusals of frames that did not authenticate are counted in one summary entry of the log (anyone
can send them) instead of evicting the events of authenticated sessions.
Errors are answered with RESULT (request id, result code, offending field).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from cobs import cobs

from protocol.session import DeviceGuard, HandshakeError, HostHandshake, SessionState
from protocol.spec import generated
from protocol.spec.catalog import Catalog, Kind, Message, Role
from protocol.wire.codec import DecodeError, decode_payload, encode_payload, make
from protocol.wire.framing import FLAG_EVENT, FLAG_RESPONSE, HEADER, VERSION, Frame, FrameError, StreamDecoder, encode_frame
from protocol.wire.reliability import ResponseCache

Execute = Callable[[Message, Any, Role], Any]

NO_FIELD = generated.NO_FIELD


class DeviceEndpoint:
    def __init__(self, catalog: Catalog, guard: DeviceGuard, execute: Execute, clock: Callable[[], int],
                 cache_size: int = generated.CACHE_ENTRIES):
        self.catalog = catalog
        self.guard = guard
        self.execute = execute
        self.clock = clock
        self.decoder = StreamDecoder()
        self.cache: ResponseCache[tuple[int, bytes]] = ResponseCache(cache_size)
        self.executed = 0  # requests executed (not answered from cache, not refused)
        self.dropped_frames = 0
        self._end_session_after_reply = False
        self._session_frame: tuple[bytes, bytes] | None = None  # (host nonce, SESSION frame) for retransmitted AUTHs

    # --- output -----------------------------------------------------------------------------
    def _encode(self, msg_id: int, seq: int, payload: bytes, flags: int, answered: int | None) -> bytes:
        """Signed, bound to request counter ``answered`` (0: an event), when ``answered`` is not None."""
        session = self.guard.session
        if session is not None and answered is not None:
            counter, signer = session.sign(answered)
            return encode_frame(msg_id, seq, payload, flags, counter, signer)
        return encode_frame(msg_id, seq, payload, flags)

    def _result(self, request_id: int, seq: int, result: str, field: int = NO_FIELD,
                answered: int | None = None) -> bytes:
        msg = self.catalog["RESULT"]
        obj = msg.type(request_id=request_id, result=self.catalog.result_code(result), field=field)
        return self._encode(msg.id, seq, encode_payload(msg, obj), FLAG_RESPONSE, answered)

    def _refuse(self, now: int, msg_id: int, seq: int, result: str, detail: int = 0) -> bytes:
        """Refuse a frame that did not authenticate: a summarised event and an unsigned answer."""
        self.guard.record_event(now, result, msg_id, detail)
        return self._result(msg_id, seq, result)

    def event(self, obj: Any) -> bytes:
        """Wire bytes of an unsolicited event (signed, answering counter 0, when a session is open)."""
        msg = self.catalog.of(obj)
        return self._encode(msg.id, 0, encode_payload(msg, obj), FLAG_EVENT, 0)

    # --- input ------------------------------------------------------------------------------
    def receive(self, data: bytes) -> bytes:
        """Feed received bytes; returns the response bytes to send back."""
        out = bytearray()
        for item in self.decoder.feed(data):
            out += self.handle(item)
        return bytes(out)

    def handle(self, frame: Frame | FrameError) -> bytes:
        """The response bytes to one received frame (b"" when it is dropped unanswered)."""
        now = self.clock()
        if isinstance(frame, FrameError):
            return self._frame_error(frame, now)
        authenticated = self._authenticate(frame, now)
        if isinstance(authenticated, bytes):
            return authenticated
        answered, role = authenticated
        msg = self._admit(frame, answered, role, now)
        if isinstance(msg, bytes):
            return msg
        try:
            obj = decode_payload(msg, frame.payload)
        except DecodeError as e:
            return self._result(msg.id, frame.seq, e.result, e.field_index, answered=answered)
        if msg.changes_state:  # exactly once: a retransmission gets the first response again
            cached = self.cache.get(frame.seq, msg.id, frame.payload)
            if cached is not None:
                return self._encode(cached[0], frame.seq, cached[1], FLAG_RESPONSE, answered)
        if msg.name in ("HELLO", "AUTH"):
            return self._handshake(msg, obj, frame.seq, now)
        return self._execute(frame, msg, obj, answered, role)

    def _frame_error(self, frame: FrameError, now: int) -> bytes:
        """A frame whose CRC held but whose header is wrong: answered; anything else is dropped."""
        # the CRC held, so the header can be trusted enough to answer: say what was wrong
        answer = {"version": "VERSION_MISMATCH", "flags": "BAD_FRAME", "length": "BAD_FRAME"}.get(frame.reason)
        if answer is None:
            self.dropped_frames += 1
            return b""
        _, msg_id, _, seq = HEADER.unpack_from(cobs.decode(frame.raw), 0)
        return self._refuse(now, msg_id, seq, answer)

    def _authenticate(self, frame: Frame, now: int) -> tuple[int | None, Role] | bytes:
        """(counter the answer is bound to or None when unsigned, session role), or the refusal bytes."""
        if not frame.is_signed:
            return None, Role.NONE
        session = self.guard.session
        if session is None:
            return self._refuse(now, frame.msg_id, frame.seq, "NOT_AUTHENTICATED")
        assert frame.counter is not None and frame.tag is not None  # a signed frame carries both
        verdict = session.check(frame.counter, frame.signed_body, frame.tag)
        if verdict != "OK":
            return self._refuse(now, frame.msg_id, frame.seq, verdict, frame.counter)
        return frame.counter, session.role

    def _admit(self, frame: Frame, answered: int | None, role: Role, now: int) -> Message | bytes:
        """The request's catalog entry when it is a known request the role may send, else the refusal bytes."""
        msg = self.catalog.by_id(frame.msg_id)
        if msg is None or msg.kind is not Kind.REQUEST or frame.flags & (FLAG_RESPONSE | FLAG_EVENT):
            if answered is None:
                return self._refuse(now, frame.msg_id, frame.seq, "UNKNOWN_MESSAGE")
            return self._result(frame.msg_id, frame.seq, "UNKNOWN_MESSAGE", answered=answered)
        if answered is None and msg.role is not Role.NONE:
            return self._refuse(now, msg.id, frame.seq, "NOT_AUTHENTICATED")
        if msg.role > role or (msg.role is Role.TEST and not self.guard.test_build):
            self.guard.record_event(now, "NOT_PERMITTED", msg.id, int(role), authenticated=answered is not None,
                                    role=int(role))
            return self._result(msg.id, frame.seq, "NOT_PERMITTED", answered=answered)
        return msg

    def _execute(self, frame: Frame, msg: Message, obj: Any, answered: int | None, role: Role) -> bytes:
        """Run an admitted request; cache the response of a state change; end the session after SESSION_END."""
        response = self._dispatch(msg, obj, role)
        rmsg = self.catalog.of(response)
        payload = encode_payload(rmsg, response)
        if msg.changes_state:
            self.cache.put(frame.seq, msg.id, frame.payload, (rmsg.id, payload))
        reply = self._encode(rmsg.id, frame.seq, payload, FLAG_RESPONSE, answered)
        if self._end_session_after_reply:
            self._end_session_after_reply = False
            self.guard.end_session()
            self.cache.clear()
        return reply

    def _handshake(self, msg: Message, obj: Any, seq: int, now: int) -> bytes:
        """HELLO and AUTH: answered unsigned, except SESSION(OK), signed with the new key (counter 1)."""
        c = self.catalog
        if msg.name == "HELLO":
            ch = self.guard.hello(obj.role, obj.host_nonce, now)
            reply = make(c, "CHALLENGE", result=c.result_code(ch.result), device_nonce=ch.device_nonce,
                         device_proof=ch.proof, retry_after_ms=ch.retry_after_ms)
            return self._encode(c["CHALLENGE"].id, seq, encode_payload(c["CHALLENGE"], reply), FLAG_RESPONSE, None)
        outcome = self.guard.auth(obj.host_nonce, obj.host_proof, now)
        smsg = c["SESSION"]
        if outcome.repeat and self._session_frame is not None and self._session_frame[0] == obj.host_nonce:
            return self._session_frame[1]
        payload = encode_payload(smsg, make(c, "SESSION", result=c.result_code(outcome.result), role=outcome.role))
        if outcome.result != "OK":
            return self._encode(smsg.id, seq, payload, FLAG_RESPONSE, None)
        self.cache.clear()  # a new session: the old session's requests can't be retransmitted into it
        frame = self._encode(smsg.id, seq, payload, FLAG_RESPONSE, 0)
        self._session_frame = (obj.host_nonce, frame)
        return frame

    def _dispatch(self, msg: Message, obj: Any, role: Role) -> Any:
        if msg.name == "SESSION_END":
            self._end_session_after_reply = True  # the answer is still signed with the session key
            return make(self.catalog, "RESULT", request_id=msg.id, result=0, field=NO_FIELD)
        self.executed += 1
        return self.execute(msg, obj, role)


class ProtocolError(Exception):
    """The peer answered something this side can't accept (wrong response, bad tag, refusal)."""


class HostEndpoint:
    """Host side: builds (signed) request frames and checks what comes back.

    Inside a session a response must be signed and its tag must cover the counter of a frame this
    side sent with that sequence number (a retransmission has a new counter, either may be answered);
    an event must cover counter 0.
    """

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.session: SessionState | None = None
        self._sent: dict[int, list[int]] = {}  # seq -> counters sent with it, most recent seq last
        self._last_seq = -1
        self._handshake: HostHandshake | None = None

    #: requests whose answers are still accepted: pipelined requests, each bound by its own counters
    PIPELINED = 64

    def request_bytes(self, obj: Any, seq: int) -> bytes:
        msg = self.catalog.of(obj)
        payload = encode_payload(msg, obj)
        if self.session is not None and msg.name not in ("HELLO", "AUTH"):
            counter, signer = self.session.sign()
            self.note_sent(seq, counter)
            return encode_frame(msg.id, seq, payload, 0, counter, signer)
        return encode_frame(msg.id, seq, payload)

    def note_sent(self, seq: int, counter: int) -> None:
        """Remember that a signed frame with ``counter`` went out with ``seq`` (hand-built frames too)."""
        if seq != self._last_seq:  # a new request (a retransmission repeats the last one's number)
            self._sent.pop(seq, None)
            self._sent[seq] = []
            self._last_seq = seq
            while len(self._sent) > self.PIPELINED:
                del self._sent[next(iter(self._sent))]
        self._sent[seq].append(counter)

    def accept(self, frame: Frame) -> tuple[Message, Any]:
        """Decode a device frame, verifying its tag, counter and binding when a session is open."""
        msg = self.catalog.by_id(frame.msg_id)
        if msg is None or msg.kind is Kind.REQUEST:
            raise ProtocolError(f"device sent message id 0x{frame.msg_id:02x}, which is not a response or event")
        try:
            obj = decode_payload(msg, frame.payload)
        except DecodeError as e:
            raise ProtocolError(f"device sent a malformed {msg.name}: {e}") from None
        if msg.name == "SESSION" and obj.result == 0:
            self._accept_session(frame)
        elif self.session is not None and msg.name not in ("CHALLENGE", "SESSION"):
            if not frame.is_signed:
                result = self.catalog.result_name(obj.result) if hasattr(obj, "result") else "OK"
                raise ProtocolError(f"device sent an unsigned {msg.name} ({result}) inside a session: not "
                                    "verifiable, ignored (a refusal of a frame that did not authenticate)")
            assert frame.counter is not None and frame.tag is not None  # a signed frame carries both
            answered = [0] if frame.is_event else self._sent.get(frame.seq, [])
            verdict = self.session.check(frame.counter, frame.signed_body, frame.tag, answered)
            if verdict != "OK":
                raise ProtocolError(f"device frame {msg.name} seq {frame.seq} failed verification: {verdict}")
        return msg, obj

    def _accept_session(self, frame: Frame) -> None:
        hs = self._handshake
        if hs is None or not hs.device_nonce:
            raise ProtocolError("SESSION(OK) without a handshake in progress")
        session = hs.session()
        if frame.counter is None or frame.tag is None or session.check(frame.counter, frame.signed_body, frame.tag,
                                                                       [0]) != "OK":
            raise ProtocolError("SESSION(OK) not signed with the session key: not from the device")
        self.session = session

    def end_session(self) -> None:
        """Forget the session after the device answered SESSION_END."""
        self.session = None

    def start_handshake(self, hs: HostHandshake) -> Any:
        self.session = None
        self._handshake = hs
        return make(self.catalog, "HELLO", role=int(hs.role), host_nonce=hs.hello_nonce())

    def answer(self, hs: HostHandshake, challenge: Any) -> Any:
        c = self.catalog
        if challenge.result != 0:
            raise HandshakeError(f"device refused HELLO: {c.result_name(challenge.result)}"
                                 + (f", retry after {challenge.retry_after_ms} ms" if challenge.retry_after_ms else ""))
        proof = hs.answer_challenge(challenge.device_nonce, challenge.device_proof)
        return make(c, "AUTH", host_nonce=hs.host_nonce, host_proof=proof)

    def finish(self, hs: HostHandshake, session: Any) -> None:
        if session.result != 0:
            raise HandshakeError(f"device refused AUTH: {self.catalog.result_name(session.result)}")
        if self.session is None:
            raise HandshakeError("the device's SESSION did not verify")
        self._handshake = None


__all__ = ["DeviceEndpoint", "HostEndpoint", "ProtocolError", "VERSION"]
