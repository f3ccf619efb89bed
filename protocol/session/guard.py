"""The device side of sessions: handshakes, the current session, back-off per role, security events."""


from __future__ import annotations

import hmac
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

from protocol.session.crypto import (
    DEVICE_TO_HOST,
    HOST_TO_DEVICE,
    NONCE_BYTES,
    PROOF_BYTES,
    derive_device_nonce,
    device_proof,
    host_proof,
    session_key,
)
from protocol.session.handshake import SessionState
from protocol.session.keys import DeviceKeys
from protocol.session.record import ROLE_SLOTS, SecurityStore
from protocol.spec import generated
from protocol.spec.catalog import Role


@dataclass
class SecurityEvent:
    """One refusal. ``authenticated``: the frame came from a session of ``role`` (logged one by one
    in that role's region of the log); otherwise anyone could have sent it, failed proofs included (counted in a
    summary entry)."""

    tick: int
    code: str       # result name: BAD_TAG, REPLAY, STALE_COUNTER, NOT_PERMITTED, NOT_AUTHENTICATED, BUSY, ...
    msg_id: int
    detail: int = 0
    authenticated: bool = False
    role: int = 0


# ----------------------------------------------------------------------------------- device side
@dataclass
class _Handshake:
    role: Role
    host_nonce: bytes
    device_nonce: bytes
    proof: bytes
    done: bool = False
    failed_tries: int = 0


@dataclass(frozen=True)
class Challenge:
    result: str
    device_nonce: bytes = bytes(NONCE_BYTES)
    proof: bytes = bytes(PROOF_BYTES)
    retry_after_ms: int = 0


@dataclass(frozen=True)
class AuthOutcome:
    result: str
    role: int = 0
    repeat: bool = False    # a retransmitted AUTH of the handshake that opened the current session


class DeviceGuard:
    """Device side: handshakes, the current session, back-off per role, and security events.

    - Nonces: `derive_device_nonce` under the device's nonce key, with a boot epoch claimed (and
      persisted) before the first CHALLENGE of a boot.
    - Handshakes in progress are kept (up to ``max_pending``, oldest dropped first) and are
      exactly-once: a HELLO with a known (role, Nh) gets the same CHALLENGE, an AUTH that already
      succeeded gets the same answer. A HELLO never ends a session or another handshake; only a
      successful AUTH replaces the session.
    - Back-off: after n failed proofs in a row for a role, HELLO for that role is answered BUSY for
      ``base << (n-1)`` ticks, at most ``max``; the remaining ticks are persisted, so after any reset
      the wait is at most what was left (never more than the cap). Only failed proofs count. While a
      role backs off, an AUTH for its handshakes is answered BUSY unchecked (a refusal).
    - Nonce source: a device without entropy (``hw_rng``) needs a valid security record to claim a
      fresh epoch; without either (the record lost or never provisioned) every HELLO is answered
      WRONG_STATE (``nonce_source_missing``) rather than reuse an epoch.
    """

    def __init__(self, keys: DeviceKeys, store: SecurityStore, now: int = 0, *, k_nonce: bytes | None = None,
                 hw_rng: Callable[[int], bytes] | None = None, test_build: bool = True,
                 base_backoff_ticks: int = generated.BACKOFF_BASE_TICKS,
                 max_backoff_ticks: int = generated.BACKOFF_MAX_TICKS,
                 max_pending: int = generated.HANDSHAKES_KEPT, max_failed_tries: int = generated.MAX_FAILED_TRIES):
        self.keys = keys
        self.store = store
        self.k_nonce = k_nonce if k_nonce is not None else keys.nonce_key
        self.hw_rng = hw_rng
        self.test_build = test_build
        self.base_backoff_ticks = base_backoff_ticks
        self.max_backoff_ticks = max_backoff_ticks
        self.max_pending = max_pending
        self.max_failed_tries = max_failed_tries
        self.record_valid = store.has_record()
        self.record = store.load()
        self.epoch: int | None = None      # claimed on the first nonce of this boot
        self.nonce_counter = 0
        self.backoff_until = {r: now + min(self.record.remaining[r], max_backoff_ticks) for r in ROLE_SLOTS}
        self.session: SessionState | None = None
        self.session_origin: bytes | None = None   # host nonce of the handshake that opened it
        self.handshakes: OrderedDict[tuple[int, bytes], _Handshake] = OrderedDict()
        self.events: list[SecurityEvent] = []

    # --- events and persistence -------------------------------------------------------------
    def record_event(self, tick: int, code: str, msg_id: int, detail: int = 0, authenticated: bool = False,
                     role: int = 0) -> None:
        self.events.append(SecurityEvent(tick, code, msg_id, detail, authenticated, role))

    @property
    def nonce_source_missing(self) -> bool:
        """Neither entropy nor a valid security record: a fresh epoch can't be claimed (HELLO refused)."""
        return self.hw_rng is None and not self.record_valid

    def persist(self, now: int) -> None:
        """Write the record with the back-off ticks remaining at ``now``."""
        for r in ROLE_SLOTS:
            self.record.remaining[r] = max(0, self.backoff_until[r] - now)
        self.store.save(self.record)

    def failures(self, role: Role) -> int:
        return self.record.failures[role]

    def backoff_left(self, role: Role, now: int) -> int:
        return max(0, self.backoff_until[role] - now)

    def clear_backoff(self, now: int) -> None:
        """Bench tool (never over the protocol): forget failed proofs; the epoch is kept."""
        for r in ROLE_SLOTS:
            self.record.failures[r] = 0
            self.backoff_until[r] = now
        if self.record_valid:  # never makes a lost record valid (its epoch would be reused)
            self.persist(now)

    # --- nonces -----------------------------------------------------------------------------
    def _next_nonce(self, now: int) -> bytes:
        if self.epoch is None or self.nonce_counter >= 0xFFFFFFFF:
            self.record.epoch = (self.record.epoch + 1) & 0xFFFFFFFF
            self.persist(now)          # before the nonce leaves the device (may raise on power loss)
            self.record_valid = True
            self.epoch, self.nonce_counter = self.record.epoch, 0
        self.nonce_counter += 1
        rng = self.hw_rng(16) if self.hw_rng is not None else bytes(16)
        return derive_device_nonce(self.k_nonce, self.epoch, self.nonce_counter, rng)

    # --- handshake --------------------------------------------------------------------------
    def hello(self, role: int, host_nonce: bytes, now: int) -> Challenge:
        if role == Role.TEST and not self.test_build or not self.keys.has_role(role):
            self.record_event(now, "NOT_PERMITTED", 0x20, role)
            return Challenge("NOT_PERMITTED")
        if self.nonce_source_missing:
            self.record_event(now, "WRONG_STATE", 0x20, role)
            return Challenge("WRONG_STATE")
        r = Role(role)
        known = self.handshakes.get((r, host_nonce))
        if known is not None:  # a retransmitted HELLO: the same answer again
            return Challenge("OK", known.device_nonce, known.proof)
        left = self.backoff_left(r, now)
        if left:
            left_ms = -(-left // 1000)
            self.record_event(now, "BUSY", 0x20, left_ms)
            return Challenge("BUSY", retry_after_ms=left_ms)
        device_nonce = self._next_nonce(now)
        proof = device_proof(self.keys.for_role(r), r, host_nonce, device_nonce, self.keys.device_id)
        self.handshakes[(r, host_nonce)] = _Handshake(r, host_nonce, device_nonce, proof)
        while len(self.handshakes) > self.max_pending:
            self.handshakes.popitem(last=False)
        return Challenge("OK", device_nonce, proof)

    def auth(self, host_nonce: bytes, proof: bytes, now: int) -> AuthOutcome:
        """Check the host's proof for the handshake started with ``host_nonce``."""
        candidates = [h for h in self.handshakes.values() if h.host_nonce == host_nonce]
        if not candidates:
            self.record_event(now, "WRONG_STATE", 0x21)
            return AuthOutcome("WRONG_STATE")
        candidates = [h for h in candidates if not self.backoff_left(h.role, now)]
        if not candidates:  # opened before its role's back-off: not checked during it
            self.record_event(now, "BUSY", 0x21)
            return AuthOutcome("BUSY")
        for h in candidates:
            key = self.keys.for_role(h.role)
            if hmac.compare_digest(host_proof(key, h.role, h.host_nonce, h.device_nonce, self.keys.device_id), proof):
                return self._succeed(h, key, now)
        for h in candidates:
            self._fail(h, now)
        return AuthOutcome("BAD_TAG")

    def _succeed(self, h: _Handshake, key: bytes, now: int) -> AuthOutcome:
        if h.done:
            repeat = self.session is not None and self.session_origin == h.host_nonce
            return AuthOutcome("OK", int(h.role), repeat=True) if repeat else AuthOutcome("WRONG_STATE")
        h.done = True
        self.session = SessionState(h.role, session_key(key, h.role, h.host_nonce, h.device_nonce,
                                                        self.keys.device_id), DEVICE_TO_HOST, HOST_TO_DEVICE)
        self.session_origin = h.host_nonce
        for other in list(self.handshakes.values()):  # the one completed handshake stays for retransmissions
            if other.done and other is not h:
                del self.handshakes[(other.role, other.host_nonce)]
        if self.record.failures[h.role] or self.backoff_left(h.role, now):
            self.record.failures[h.role] = 0
            self.backoff_until[h.role] = now
            self.persist(now)
        return AuthOutcome("OK", int(h.role))

    def _fail(self, h: _Handshake, now: int) -> None:
        n = self.record.failures[h.role] = min(self.record.failures[h.role] + 1, 0xFFFF)
        delay = min(self.max_backoff_ticks, self.base_backoff_ticks << min(n - 1, 40))
        self.backoff_until[h.role] = now + delay
        h.failed_tries += 1
        if h.failed_tries >= self.max_failed_tries or h.done:
            self.handshakes.pop((h.role, h.host_nonce), None)
        self.record_event(now, "BAD_TAG", 0x21, n)  # a frame that did not authenticate: summarised
        self.persist(now)

    def end_session(self) -> None:
        self.session = None
        self.session_origin = None
