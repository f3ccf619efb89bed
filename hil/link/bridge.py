"""The bridge: a programmer (patient remote or clinician programmer) over any pyserial port.

The requesting thread reads its own answer; responses are matched by sequence number, events go to
a queue. `request` is thread-safe and exactly-once: a retransmission
reuses the sequence number (re-signed with a fresh counter), so the device answers it from its cache
instead of executing it again. Every byte in both directions can be recorded to a capture file that
`scs check` reads.

Clear errors, each naming the port: `LinkError` when the port vanishes or is closed under us,
`NoResponseError` when the peer stays silent, `ProtocolVersionError` when it speaks another version,
`RequestRefused` when the device answers a request with an error result (``result`` says which).
"""

from __future__ import annotations

import queue
import threading
import time
from dataclasses import dataclass
from typing import Any

from protocol.capture.format import CaptureWriter
from protocol.session import DeviceKeys, HandshakeError, HostHandshake
from protocol.session.endpoint import HostEndpoint, ProtocolError
from protocol.spec.catalog import Role, load_catalog
from protocol.spec.generated import BACKOFF_MAX_TICKS, NO_FIELD
from protocol.wire.codec import make
from protocol.wire.framing import Frame, FrameError, StreamDecoder
from protocol.wire.reliability import NoResponseError, RetryPolicy, SequenceNumbers


class LinkError(ConnectionError):
    pass


class ProtocolVersionError(ProtocolError):
    pass


class RequestRefused(Exception):
    def __init__(self, request: str, result: str, field: str | None):
        self.request, self.result, self.field = request, result, field
        super().__init__(f"{request} refused: {result}" + (f" (field {field})" if field else ""))


@dataclass(frozen=True)
class Reply:
    name: str
    message: Any

    @property
    def result(self) -> str:
        return load_catalog().result_name(getattr(self.message, "result", 0))


class Bridge:
    """Talks the protocol over ``port`` (an open pyserial port or compatible object).

    The thread that sends a request also reads its answer (no reader thread to hand frames over:
    a thread switch costs more than the whole exchange on a pty). Frames read meanwhile are
    dispatched in arrival order: events to `events`; a verified response to another sequence number
    is kept for a pipelined request that waits for it next (at most `EARLY_KEPT`, oldest dropped; a
    new request with that number forgets it), late duplicates are dropped. While no request is
    running, `wait_event` reads the port for events.
    """

    def __init__(self, port: Any, keys: DeviceKeys | None = None, policy: RetryPolicy = RetryPolicy(),
                 capture: CaptureWriter | None = None, name: str | None = None, owns_port: bool = True):
        self.port = port
        self.owns_port = owns_port  # False: the port outlives the bridge (a target keeps it open)
        self.name = name or getattr(port, "port", None) or getattr(port, "name", "port")
        self.keys = keys
        self.policy = policy
        self.capture = capture
        self.catalog = load_catalog()
        self.host = HostEndpoint(self.catalog)
        self.decoder = StreamDecoder()
        self.seq = SequenceNumbers()
        self.events: queue.Queue = queue.Queue()
        self.role: Role | None = None
        self._lock = threading.RLock()    # one exchange on the wire at a time (stop and wait)
        self._error: Exception | None = None
        self._version_error: str | None = None
        self._closed = False
        self._need_delimiter = True
        self.last_unverified: ProtocolError | None = None
        self.last_seq: int | None = None  # the sequence number of the last request sent
        self._awaiting_challenge = False
        self._early: dict[int, tuple[Frame, Any]] = {}  # verified responses read while waiting for another

    # --- I/O ------------------------------------------------------------------------------------
    def _read_frames(self, deadline: float) -> list:
        """Whatever frames arrive before ``deadline`` (at least one read attempt)."""
        if self._error is not None:
            raise self._error
        try:
            data = self.port.read(max(1, getattr(self.port, "in_waiting", 0) or 1))
        except Exception as e:  # noqa: BLE001 (any failure of the port ends the link)
            self._error = LinkError(f"{self.name}: the port vanished or failed while reading: {e}")
            raise self._error from None
        if not data:
            return []
        if self.capture is not None:
            self.capture.record("d2h", data)
        return self.decoder.feed(data)

    def _pump(self, timeout_s: float, want_seq: int | None, unverified: bool = False) -> tuple[Frame, Any] | None:
        """Read and dispatch frames until the response with ``want_seq`` (returned with its
        verification outcome) or, with ``want_seq`` None, until an event arrived; None on timeout.

        A response that does not verify (unsigned inside a session, or bound to another request) may
        come from anyone on the line: it is only returned with ``unverified`` (raw exchanges of
        tests); otherwise it is kept in ``last_unverified`` and the wait goes on."""
        if want_seq is not None and want_seq in self._early:
            return self._early.pop(want_seq)
        deadline = time.monotonic() + timeout_s
        found: tuple[Frame, Any] | None = None
        while found is None:
            for item in self._read_frames(deadline):
                found = self._dispatch_frame(item, want_seq, unverified, found)
            if found is None and time.monotonic() >= deadline:
                return None
        return found

    def _dispatch_frame(self, item: Frame | FrameError, want_seq: int | None, unverified: bool,
                        found: tuple[Frame, Any] | None) -> tuple[Frame, Any] | None:
        """Dispatch one received frame for `_pump`; returns what `_pump` has found so far (``found``,
        or this frame: the awaited response, or with ``want_seq`` None the latest verified event)."""
        if isinstance(item, FrameError):
            if item.reason == "version":
                self._version_error = str(item)
            self._need_delimiter = True
            return found
        if not item.is_event and item.seq != want_seq:
            self._keep_early(item)  # pipelined: the answer to a request sent after the one awaited
            return found
        verified: tuple[Any, Any] | ProtocolError
        try:
            verified = self.host.accept(item)  # in arrival order: the device's counter rises
        except ProtocolError as e:
            verified = e
        if item.is_event:
            if isinstance(verified, Exception):
                return found  # an event that doesn't verify is never trusted
            self.events.put(verified[1])
            return (item, verified) if want_seq is None else found
        if found is not None and not self._better(found, item, verified):
            return found
        if isinstance(verified, ProtocolError) and not unverified:
            self.last_unverified = verified
            return None
        return (item, verified)

    EARLY_KEPT = 64
    #: the longest wait a host takes from an unsigned handshake refusal: the longest back-off the device
    #: applies (anyone can forge a CHALLENGE(BUSY, retry_after_ms = 2^32 - 1); it carries no proof)
    MAX_RETRY_AFTER_S = BACKOFF_MAX_TICKS / 1_000_000
    #: HELLOs a login sends before it gives up on BUSY refusals
    LOGIN_HELLOS = 3

    def _better(self, found: tuple[Frame, Any], item: Frame, verified: Any) -> bool:
        """While a HELLO awaits its CHALLENGE, one that accepts (its proof is checked when answered)
        replaces an unsigned refusal that came first: a refusal carries no proof, anyone can send it."""
        if self._awaiting_challenge is False or isinstance(verified, ProtocolError):
            return False
        return getattr(found[1][1], "result", 0) != 0 and getattr(verified[1], "result", 1) == 0

    def _keep_early(self, item: Frame) -> None:
        """Verify a response to another sequence number now (in arrival order: the device's counter
        rises) and keep it if it verifies; one that doesn't is dropped, as a late duplicate is."""
        try:
            verified = self.host.accept(item)
        except ProtocolError:
            return
        if item.seq in self._early:
            return  # a duplicate answer: the first one stands
        self._early[item.seq] = (item, verified)
        while len(self._early) > self.EARLY_KEPT:
            del self._early[next(iter(self._early))]

    def _write(self, data: bytes) -> None:
        if self._error is not None:
            raise self._error
        if self._need_delimiter:  # flush whatever garbage the line holds: the frame starts clean
            data = b"\x00" + data
            self._need_delimiter = False
        try:
            self.port.write(data)
        except Exception as e:  # noqa: BLE001
            self._error = LinkError(f"{self.name}: the port vanished or failed while writing: {e}")
            raise self._error from None
        if self.capture is not None:
            self.capture.record("h2d", data)

    # --- requests -------------------------------------------------------------------------------
    def request(self, obj: Any, policy: RetryPolicy | None = None) -> Reply:
        """Send one request and return the device's reply (whatever its result)."""
        policy = policy or self.policy
        msg = self.catalog.of(obj)
        with self._lock:
            self._check_open()
            seq = self.last_seq = self.seq.next()
            self._early.pop(seq, None)  # an answer kept from an earlier use of this number is stale
            self.last_unverified = None
            for _attempt in range(policy.attempts):
                self._write(self.host.request_bytes(obj, seq))
                got = self._pump(policy.timeout_s, seq)
                if got is None:
                    continue  # lost, or only answers that don't verify: retransmit (same seq, new counter)
                rmsg, robj = got[1]
                reply = Reply(rmsg.name, robj)
                if msg.name == "SESSION_END" or (msg.name == "RESET" and reply.result == "OK"):
                    self.host.end_session()
                    self.role = None
                return reply
            if self._version_error:
                raise ProtocolVersionError(f"{self.name}: the peer speaks another protocol version ({self._version_error})")
            if self.last_unverified is not None:
                raise ProtocolError(f"{self.name}: no verifiable answer to {msg.name} (seq {seq}) after "
                                    f"{policy.attempts} attempts; last: {self.last_unverified} (has the device "
                                    "restarted and lost the session?)")
            raise NoResponseError(f"{self.name}: no response to {msg.name} (seq {seq}) after {policy.attempts} attempts "
                                  f"of {policy.timeout_s:g} s: check the port, the target's power and its baud rate")

    def wait_event(self, timeout_s: float) -> Any | None:
        """The next event (already received or read within ``timeout_s``), or None."""
        try:
            return self.events.get_nowait()
        except queue.Empty:
            pass
        with self._lock:
            self._check_open()
            self._pump(timeout_s, None)
        try:
            return self.events.get_nowait()
        except queue.Empty:
            return None

    def exchange_raw(self, wire: bytes, seq: int, timeout_s: float | None = None) -> Frame | None:
        """Write raw frame bytes (for tests of malformed input) and wait for a frame with ``seq``."""
        with self._lock:
            self._check_open()
            self._write(b"\x00" + wire)
            got = self._pump(timeout_s or self.policy.timeout_s * self.policy.attempts, seq, unverified=True)
            return None if got is None else got[0]

    def signer(self, seq: int | None = None):
        """(counter, signer) for hand-built frames of the current session (tests of the device's
        checks); with ``seq``, an answer bound to that counter verifies."""
        with self._lock:
            if self.host.session is None:
                raise ProtocolError("no session: log in before signing frames by hand")
            counter, sign = self.host.session.sign()
            if seq is not None:
                self.host.note_sent(seq, counter)
            return counter, sign

    def device_was_reset(self) -> None:
        """The device restarted behind our back (a target's out-of-band reset): its session is gone,
        and the line may hold garbage, so the next frame starts with a delimiter."""
        with self._lock:
            self.host.end_session()
            self.role = None
            self._need_delimiter = True

    def _check_open(self) -> None:
        if self._closed:
            raise LinkError(f"{self.name}: the bridge is closed")

    def call(self, name: str, **fields: Any) -> Any:
        """Request ``name``; return the response message, raising `RequestRefused` on an error result."""
        reply = self.request(make(self.catalog, name, **fields))
        if reply.result not in ("OK", "LIMIT_CLAMPED") and hasattr(reply.message, "result"):
            field = None
            if reply.name == "RESULT" and reply.message.field != NO_FIELD:
                fields_ = self.catalog[name].fields
                field = fields_[reply.message.field].name if reply.message.field < len(fields_) else str(reply.message.field)
            raise RequestRefused(name, reply.result, field)
        return reply.message

    def login(self, role: Role, keys: DeviceKeys | None = None) -> None:
        """Mutual handshake for ``role``; afterwards every frame is signed."""
        keys = keys or self.keys
        if keys is None:
            raise HandshakeError(f"{self.name}: no keys for a {role.name.lower()} session (load a key file)")
        with self._lock:
            for attempt in range(3):
                hs = HostHandshake(keys, role)
                challenge = self._challenge(hs)
                session = self.request(self.host.answer(hs, challenge)).message
                if session.result == self.catalog.result_code("WRONG_STATE") and attempt < 2:
                    continue  # the device no longer holds our handshake (dropped for newer ones): again
                self.host.finish(hs, session)
                self.role = role
                return

    def _challenge(self, hs: HostHandshake) -> Any:
        """HELLO, and the CHALLENGE to act on. An accepting CHALLENGE (it carries the device's proof)
        wins over unsigned refusals that arrive first: the host keeps waiting the response time for one.
        A BUSY refusal alone is waited out, its retry_after capped at the longest back-off
        (`MAX_RETRY_AFTER_S`), and HELLO sent again, up to `LOGIN_HELLOS` times."""
        challenge = None
        for _ in range(self.LOGIN_HELLOS):
            hello = self.host.start_handshake(hs)
            self._awaiting_challenge = True
            try:
                reply = self.request(hello)
                challenge = reply.message
                if challenge.result != 0 and self.last_seq is not None:
                    got = self._pump(self.policy.timeout_s, self.last_seq)  # a proof-carrying answer may follow
                    if got is not None and getattr(got[1][1], "result", 1) == 0:
                        challenge = got[1][1]
            finally:
                self._awaiting_challenge = False
            if challenge.result != self.catalog.result_code("BUSY"):
                return challenge
            time.sleep(min(challenge.retry_after_ms / 1000, self.MAX_RETRY_AFTER_S))
        return challenge

    def device_info(self) -> Any:
        return self.call("DEVICE_INFO_GET")

    def wait_until_answering(self, give_up_after_s: float = 60.0) -> Any:
        """Ask DEVICE_INFO_GET (no session needed, nothing logged) until the device answers, and return
        its DEVICE_INFO. After a restart a device loses what reaches it before its receiver runs, and
        how long that takes in host time depends on the host's load: a caller that writes next waits
        on this answer, the device's own word that it is up. ``give_up_after_s`` only bounds a device
        that never comes back (`NoResponseError`)."""
        give_up_at = time.monotonic() + give_up_after_s
        once = RetryPolicy(timeout_s=self.policy.timeout_s, attempts=1)
        while True:
            try:
                return self.request(make(self.catalog, "DEVICE_INFO_GET"), policy=once).message
            except NoResponseError:
                if time.monotonic() > give_up_at:
                    raise

    # --- expect-style matching (hil.link.expect) ----------------------------------------------------
    def expect_event(self, kind: Any, code: Any = None, *, within_ticks: int | None = None,
                     timeout_s: float = 1.0) -> Any:
        """The next EVENT of ``kind`` (and ``code``), within ``within_ticks`` device ticks from now
        if given; `hil.link.expect.ExpectTimeout` lists the last events seen. See `hil.link.expect`."""
        from hil.link.expect import expect_event

        return expect_event(self, kind, code, within_ticks=within_ticks, timeout_s=timeout_s)

    def wait_until(self, predicate: Any, timeout_s: float = 5.0, **kw: Any) -> Any:
        """Poll STATUS until ``predicate(status)`` holds; see `hil.link.expect.wait_until`."""
        from hil.link.expect import wait_until

        return wait_until(self, predicate, timeout_s, **kw)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self.owns_port:
                try:
                    self.port.close()
                except Exception:  # noqa: BLE001 (closing a vanished port is fine)
                    pass

    def __enter__(self) -> Bridge:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
