"""Authenticated sessions: per-device role keys, mutual handshake, signed frames, replay protection.

The wire layouts (every HMAC input byte by byte), the threat model and test vectors are in
`protocol/session/security.md`, included in docs/protocol.md; this module is their reference code.

Keys: one 32-byte key per role (patient, clinician, and on development devices test), kept in a key
file the host loads (`KeyStore`); nothing secret is in the code. Handshake::

    host   -> HELLO(role, Nh)
    device -> CHALLENGE(Nd, Pd = HMAC(K_role, "SCS1 dev"  | role | Nh | Nd | device_id))
    host   -> AUTH(Nh, Ph = HMAC(K_role, "SCS1 host" | role | Nd | Nh | device_id))  (host checked Pd)
    device -> SESSION(OK), signed with Ks, counter 1                             (device checked Ph)
    session key Ks = HMAC(K_role, "SCS1 session" | role | Nh | Nd | device_id)

Every later frame of the session carries a counter u32 (strictly increasing per direction) and an
8-byte tag: HMAC-SHA256(Ks, 0x01 | header | payload | counter) from the host;
HMAC-SHA256(Ks, 0x02 | header | payload | counter | answered) from the device, where ``answered``
is the counter of the request the frame answers (0 for events and SESSION), so a response can't be
passed off as the answer to another request. 64-bit tags: one forgery try per frame at under 10^4
frames/s over 115,200 baud succeeds with probability 2^-64 (MAVLink 2 uses 48 bits).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import struct
import tomllib
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from protocol.spec import generated
from protocol.spec.catalog import Role
from protocol.wire.framing import TAG_BYTES

KEY_BYTES = 32
NONCE_BYTES = 16
PROOF_BYTES = 32
HOST_TO_DEVICE = b"\x01"
DEVICE_TO_HOST = b"\x02"
KEYED_ROLES = (Role.PATIENT, Role.CLINICIAN, Role.TEST)


class KeyFileError(ValueError):
    pass


def _id(device_id: int) -> bytes:
    return device_id.to_bytes(8, "little")


def device_proof(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.digest(key, b"SCS1 dev" + bytes([role]) + host_nonce + device_nonce + _id(device_id), "sha256")


def host_proof(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.digest(key, b"SCS1 host" + bytes([role]) + device_nonce + host_nonce + _id(device_id), "sha256")


def session_key(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.digest(key, b"SCS1 session" + bytes([role]) + host_nonce + device_nonce + _id(device_id), "sha256")


def frame_tag(key: bytes, direction: bytes, signed_body: bytes, answered: int | None = None) -> bytes:
    """The 8-byte tag of a frame; ``answered`` (device frames only) is the answered request's counter."""
    tail = b"" if answered is None else struct.pack("<I", answered)
    return hmac.digest(key, direction + signed_body + tail, "sha256")[:TAG_BYTES]


def nonce_key(patient: bytes, clinician: bytes, device_id: int) -> bytes:
    """The device's own nonce key: derived from its role keys, so it is as secret as they are and no
    public constant seeds the nonces. (A holder of only the patient key can't compute it.)"""
    return hmac.digest(clinician, b"SCS1 nonce key" + patient + _id(device_id), "sha256")


def derive_device_nonce(k_nonce: bytes, epoch: int, counter: int, rng: bytes = bytes(16)) -> bytes:
    """Nd = HMAC(K_nonce, "SCS1 nonce" | epoch u32 | counter u32 | rng 16 bytes)[:16].

    (epoch, counter) never repeats for the life of the device (the epoch is persisted before the
    first nonce of a boot), so Nd never repeats; ``rng`` mixes in a hardware RNG when there is one.
    """
    if len(rng) != 16:
        raise ValueError(f"rng input of {len(rng)} bytes, expected 16")
    return hmac.digest(k_nonce, b"SCS1 nonce" + struct.pack("<II", epoch, counter) + rng, "sha256")[:NONCE_BYTES]


class FrameAuthenticator:
    """HMAC-SHA256 frame tags with the key's inner and outer pads hashed once (RFC 2104 section 4):
    per frame this costs two SHA-256 runs over the frame instead of four plus the key schedule.
    ``tag()`` equals `frame_tag`."""

    def __init__(self, key: bytes):
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def tag(self, direction: bytes, signed_body: bytes, answered: int | None = None) -> bytes:
        inner = self._inner.copy()
        inner.update(direction)
        inner.update(signed_body)
        if answered is not None:
            inner.update(struct.pack("<I", answered))
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:TAG_BYTES]


@dataclass(frozen=True)
class DeviceKeys:
    """The role keys of one device; ``test`` is None on a production device (no test role)."""

    device_id: int
    patient: bytes
    clinician: bytes
    test: bytes | None = None

    def __post_init__(self) -> None:
        keys = [k for k in (self.patient, self.clinician, self.test) if k is not None]
        if any(len(k) != KEY_BYTES for k in keys):
            raise ValueError(f"role keys must be {KEY_BYTES} bytes")
        if len(set(keys)) != len(keys):
            raise ValueError("the role keys of a device must differ")

    def for_role(self, role: Role) -> bytes:
        key = {Role.PATIENT: self.patient, Role.CLINICIAN: self.clinician, Role.TEST: self.test}.get(role)
        if key is None:
            raise ValueError(f"role {role!r} has no key on device 0x{self.device_id:012x}")
        return key

    def has_role(self, role: int) -> bool:
        return role in (Role.PATIENT, Role.CLINICIAN) or (role == Role.TEST and self.test is not None)

    @property
    def nonce_key(self) -> bytes:
        return nonce_key(self.patient, self.clinician, self.device_id)


@dataclass(frozen=True)
class KeyStore:
    """Role keys of the devices a host may talk to, loaded from a TOML key file::

        [[device]]
        device_id = 0x5C5000000001
        patient_key = "<64 hex digits>"
        clinician_key = "<64 hex digits>"
        test_key = "<64 hex digits>"      # development devices only
    """

    devices: tuple[DeviceKeys, ...]

    def keys(self, device_id: int) -> DeviceKeys:
        for d in self.devices:
            if d.device_id == device_id:
                return d
        raise KeyFileError(f"no keys for device 0x{device_id:012x} in the key file")

    @classmethod
    def load(cls, path: str | Path) -> KeyStore:
        p = Path(path)
        try:
            data = tomllib.loads(p.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise KeyFileError(f"{p}: no such key file (create one with `scs keys new`)") from None
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as e:
            raise KeyFileError(f"{p}: unreadable key file: {e}") from None
        return cls.from_dict(data, str(p))

    @classmethod
    def from_dict(cls, data: dict, source: str = "<keys>") -> KeyStore:
        devices: list[DeviceKeys] = []
        for i, d in enumerate(data.get("device", [])):
            where = f"{source}: device[{i}]"
            dev = _parse_device(d, where)
            if any(seen.device_id == dev.device_id for seen in devices):
                raise KeyFileError(f"{where}: device_id {dev.device_id} is listed twice: each device once")
            devices.append(dev)
        if not devices:
            raise KeyFileError(f"{source}: no [[device]] entries")
        return cls(tuple(devices))


def _parse_device(d: dict, where: str) -> DeviceKeys:
    """One ``[[device]]`` entry of a key file; ``where`` (file and entry) prefixes every error."""
    try:
        dev_id = d["device_id"]
        keys = [bytes.fromhex(d[f"{r}_key"]) for r in ("patient", "clinician")]
        test = bytes.fromhex(d["test_key"]) if "test_key" in d else None
    except KeyError as e:
        raise KeyFileError(f"{where}: missing {e.args[0]}") from None
    except (ValueError, TypeError):
        raise KeyFileError(f"{where}: keys must be hex strings") from None
    if not isinstance(dev_id, int) or not 0 <= dev_id < 1 << 64:
        raise KeyFileError(f"{where}: device_id must be an integer 0 to 2^64-1")
    role_keys = keys + ([test] if test is not None else [])
    if any(len(k) != KEY_BYTES for k in role_keys):
        raise KeyFileError(f"{where}: keys must be {KEY_BYTES} bytes ({2 * KEY_BYTES} hex digits)")
    if len(set(role_keys)) != len(role_keys):
        raise KeyFileError(f"{where}: the role keys (patient, clinician, test) must differ")
    return DeviceKeys(dev_id, keys[0], keys[1], test)


def new_key_file(device_ids: list[int], test_role: bool = False) -> str:
    """Text of a key file with fresh random keys for each device (from the OS CSPRNG); with
    ``test_role`` also a test key (development devices only)."""
    lines = ["# scs-hil role keys. Keep secret; one file per device fleet.", ""]
    for dev in device_ids:
        lines += ["[[device]]", f"device_id = 0x{dev:012x}",
                  f'patient_key = "{secrets.token_hex(KEY_BYTES)}"',
                  f'clinician_key = "{secrets.token_hex(KEY_BYTES)}"']
        if test_role:
            lines.append(f'test_key = "{secrets.token_hex(KEY_BYTES)}"')
        lines.append("")
    return "\n".join(lines)


def key_file_text(keys: DeviceKeys) -> str:
    lines = ["[[device]]", f"device_id = 0x{keys.device_id:012x}", f'patient_key = "{keys.patient.hex()}"',
             f'clinician_key = "{keys.clinician.hex()}"']
    if keys.test is not None:
        lines.append(f'test_key = "{keys.test.hex()}"')
    return "\n".join(lines) + "\n"


class HandshakeError(Exception):
    pass


@dataclass
class SessionState:
    """One established session, on either side."""

    role: Role
    key: bytes
    tx_direction: bytes
    rx_direction: bytes
    tx_counter: int = 0
    rx_counter: int = 0
    auth: FrameAuthenticator = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.auth = FrameAuthenticator(self.key)

    def sign(self, answered: int | None = None) -> tuple[int, Callable[[bytes], bytes]]:
        """Next counter and a signer for a frame sent by this side (``answered``: device frames)."""
        self.tx_counter += 1
        return self.tx_counter, lambda body: self.auth.tag(self.tx_direction, body, answered)

    def check(self, counter: int, signed_body: bytes, tag: bytes,
              answered: Iterable[int | None] = (None,)) -> str:
        """'OK', 'BAD_TAG', 'REPLAY' or 'STALE_COUNTER' for a received signed frame; OK advances the counter.

        ``answered``: the request counters the frame may answer (host side); the tag must verify
        under one of them. The tag is checked first, so a forged frame can't probe the counter.
        """
        if not any(hmac.compare_digest(self.auth.tag(self.rx_direction, signed_body, a), tag) for a in answered):
            return "BAD_TAG"
        if counter == self.rx_counter:
            return "REPLAY"
        if counter < self.rx_counter:
            return "STALE_COUNTER"
        self.rx_counter = counter
        return "OK"


@dataclass
class HostHandshake:
    """Host side of the handshake for one role and device."""

    keys: DeviceKeys
    role: Role
    random_bytes: Callable[[int], bytes] = secrets.token_bytes
    host_nonce: bytes = field(default=b"", init=False)
    device_nonce: bytes = field(default=b"", init=False)

    def hello_nonce(self) -> bytes:
        self.host_nonce = self.random_bytes(NONCE_BYTES)
        return self.host_nonce

    def answer_challenge(self, device_nonce: bytes, proof: bytes) -> bytes:
        """Verify the device's proof; return the host proof. Raises HandshakeError on a bad proof."""
        key = self.keys.for_role(self.role)
        want = device_proof(key, self.role, self.host_nonce, device_nonce, self.keys.device_id)
        if not hmac.compare_digest(want, proof):
            raise HandshakeError("the device's proof does not verify: wrong key, wrong device or an impostor")
        self.device_nonce = device_nonce
        return host_proof(key, self.role, self.host_nonce, device_nonce, self.keys.device_id)

    def session(self) -> SessionState:
        key = session_key(self.keys.for_role(self.role), self.role, self.host_nonce, self.device_nonce,
                          self.keys.device_id)
        return SessionState(self.role, key, HOST_TO_DEVICE, DEVICE_TO_HOST)


@dataclass
class SecurityEvent:
    """One refusal or handshake failure. ``authenticated``: the frame came from a session or proved
    a key (logged one by one); otherwise anyone could have sent it (counted in a summary entry)."""

    tick: int
    code: str       # result name: BAD_TAG, REPLAY, STALE_COUNTER, NOT_PERMITTED, NOT_AUTHENTICATED, BUSY, ...
    msg_id: int
    detail: int = 0
    authenticated: bool = False


# ------------------------------------------------------------------------- persisted security state
class RecordStorage(Protocol):
    """Two erasable slots (see `firmware_model.device.nvm.FlashSlots` and `hil.sim.state.FileSlots`)."""

    def erase(self, slot: int) -> None: ...
    def program(self, slot: int, offset: int, data: bytes) -> None: ...
    def read(self, slot: int) -> bytes: ...


RECORD_MAGIC = generated.SECURITY_RECORD_MAGIC  # "SCSK"
RECORD = struct.Struct("<IIIHIHIHI")  # magic, sequence, epoch, (failures u16, remaining u32) x 3 roles
RECORD_BYTES = RECORD.size + 4        # + CRC-32
ROLE_SLOTS = (Role.PATIENT, Role.CLINICIAN, Role.TEST)


@dataclass
class SecurityRecord:
    """What the device keeps about security across every kind of reset, apart from its settings:
    the boot epoch of its nonces and, per role, failed proofs in a row and back-off ticks remaining."""

    sequence: int = 0
    epoch: int = 0
    failures: dict[Role, int] = field(default_factory=lambda: {r: 0 for r in ROLE_SLOTS})
    remaining: dict[Role, int] = field(default_factory=lambda: {r: 0 for r in ROLE_SLOTS})

    def encode(self) -> bytes:
        vals = []
        for r in ROLE_SLOTS:
            vals += [min(self.failures[r], 0xFFFF), min(self.remaining[r], 0xFFFFFFFF)]
        body = RECORD.pack(RECORD_MAGIC, self.sequence, self.epoch, *vals)
        return body + struct.pack("<I", zlib.crc32(body) & 0xFFFFFFFF)

    @classmethod
    def decode(cls, raw: bytes) -> SecurityRecord | None:
        if len(raw) < RECORD_BYTES:
            return None
        body = raw[:RECORD.size]
        if struct.unpack_from("<I", raw, RECORD.size)[0] != zlib.crc32(body) & 0xFFFFFFFF:
            return None
        magic, seq, epoch, *vals = RECORD.unpack(body)
        if magic != RECORD_MAGIC:
            return None
        rec = cls(seq, epoch)
        for i, r in enumerate(ROLE_SLOTS):
            rec.failures[r], rec.remaining[r] = vals[2 * i], vals[2 * i + 1]
        return rec


class SecurityStore:
    """The record in two slots: a write goes to the slot without the newest valid record (erase,
    then one program), so a power loss at any step leaves the previous record readable."""

    def __init__(self, slots: RecordStorage):
        self.slots = slots

    def _newest(self) -> tuple[int, SecurityRecord | None]:
        """(slot, record) of the newest valid record; (-1, None) when neither slot holds one.
        Sequences compare modulo 2^32 (serial number arithmetic, RFC 1982)."""
        recs = [SecurityRecord.decode(self.slots.read(i)) for i in range(2)]
        if recs[0] is None or recs[1] is None:
            return (0, recs[0]) if recs[0] is not None else (1, recs[1]) if recs[1] is not None else (-1, None)
        newer = ((recs[1].sequence - recs[0].sequence) & 0xFFFFFFFF) < 0x80000000
        return (1, recs[1]) if newer else (0, recs[0])

    def load(self) -> SecurityRecord:
        return self._newest()[1] or SecurityRecord()

    def save(self, record: SecurityRecord) -> None:
        slot, newest = self._newest()
        target = 1 if slot == 0 else 0
        record.sequence = ((newest.sequence if newest is not None else 0) + 1) & 0xFFFFFFFF
        self.slots.erase(target)
        self.slots.program(target, 0, record.encode())


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
      the wait is at most what was left (never more than the cap). Only failed proofs count.
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
        self.record = store.load()
        self.epoch: int | None = None      # claimed on the first nonce of this boot
        self.nonce_counter = 0
        self.backoff_until = {r: now + min(self.record.remaining[r], max_backoff_ticks) for r in ROLE_SLOTS}
        self.session: SessionState | None = None
        self.session_origin: bytes | None = None   # host nonce of the handshake that opened it
        self.handshakes: OrderedDict[tuple[int, bytes], _Handshake] = OrderedDict()
        self.events: list[SecurityEvent] = []

    # --- events and persistence -------------------------------------------------------------
    def record_event(self, tick: int, code: str, msg_id: int, detail: int = 0, authenticated: bool = False) -> None:
        self.events.append(SecurityEvent(tick, code, msg_id, detail, authenticated))

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
        self.persist(now)

    # --- nonces -----------------------------------------------------------------------------
    def _next_nonce(self, now: int) -> bytes:
        if self.epoch is None or self.nonce_counter >= 0xFFFFFFFF:
            self.record.epoch = (self.record.epoch + 1) & 0xFFFFFFFF
            self.persist(now)          # before the nonce leaves the device (may raise on power loss)
            self.epoch, self.nonce_counter = self.record.epoch, 0
        self.nonce_counter += 1
        rng = self.hw_rng(16) if self.hw_rng is not None else bytes(16)
        return derive_device_nonce(self.k_nonce, self.epoch, self.nonce_counter, rng)

    # --- handshake --------------------------------------------------------------------------
    def hello(self, role: int, host_nonce: bytes, now: int) -> Challenge:
        if role == Role.TEST and not self.test_build or not self.keys.has_role(role):
            self.record_event(now, "NOT_PERMITTED", 0x20, role)
            return Challenge("NOT_PERMITTED")
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
        self.record_event(now, "BAD_TAG", 0x21, n, authenticated=True)
        self.persist(now)

    def end_session(self) -> None:
        self.session = None
        self.session_origin = None
