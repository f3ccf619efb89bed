"""Authenticated sessions: per-device role keys, mutual handshake, signed frames, replay protection.

Keys: each device has one 32-byte key per role (patient, clinician), kept in a key file the host
loads (`KeyStore`); nothing secret is in the code. Handshake (nonces 16 bytes from each side)::

    host   -> HELLO(role, Nh)
    device -> CHALLENGE(Nd, Pd = HMAC(K_role, "SCS1 dev"  | role | Nh | Nd | device_id))
    host   -> AUTH(Ph = HMAC(K_role, "SCS1 host" | role | Nd | Nh | device_id))      (host checked Pd)
    device -> SESSION(OK)                                                              (device checked Ph)
    session key Ks = HMAC(K_role, "SCS1 session" | role | Nh | Nd | device_id)

Every later frame carries a counter u32 (strictly increasing per direction, starting at 1) and
tag = HMAC-SHA256(Ks, direction | header | payload | counter) truncated to 8 bytes. 64 bits: an
attacker must guess a tag online, one frame per try over a 115,200 baud link (under 10^4 frames/s),
so a forgery succeeds with probability 2^-64 per try (~10^11 years at full line rate), while the
frame grows by 12 bytes instead of 36; MAVLink 2 uses 48 bits for the same reason.
The direction byte stops a device frame being reflected back as a host frame.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from protocol.catalog import Role
from protocol.framing import TAG_BYTES

KEY_BYTES = 32
NONCE_BYTES = 16
HOST_TO_DEVICE = b"\x01"
DEVICE_TO_HOST = b"\x02"


class KeyFileError(ValueError):
    pass


def _id(device_id: int) -> bytes:
    return device_id.to_bytes(8, "little")


def device_proof(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.new(key, b"SCS1 dev" + bytes([role]) + host_nonce + device_nonce + _id(device_id), hashlib.sha256).digest()


def host_proof(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.new(key, b"SCS1 host" + bytes([role]) + device_nonce + host_nonce + _id(device_id), hashlib.sha256).digest()


def session_key(key: bytes, role: int, host_nonce: bytes, device_nonce: bytes, device_id: int) -> bytes:
    return hmac.new(key, b"SCS1 session" + bytes([role]) + host_nonce + device_nonce + _id(device_id),
                    hashlib.sha256).digest()


def frame_tag(key: bytes, direction: bytes, signed_body: bytes) -> bytes:
    return hmac.digest(key, direction + signed_body, "sha256")[:TAG_BYTES]


class FrameAuthenticator:
    """HMAC-SHA256 frame tags with the key's inner and outer pads hashed once (RFC 2104 section 4):
    per frame this costs two SHA-256 runs over the frame instead of four plus the key schedule.
    ``tag()`` equals `frame_tag`."""

    def __init__(self, key: bytes):
        block = (hashlib.sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
        self._inner = hashlib.sha256(bytes(b ^ 0x36 for b in block))
        self._outer = hashlib.sha256(bytes(b ^ 0x5C for b in block))

    def tag(self, direction: bytes, signed_body: bytes) -> bytes:
        inner = self._inner.copy()
        inner.update(direction)
        inner.update(signed_body)
        outer = self._outer.copy()
        outer.update(inner.digest())
        return outer.digest()[:TAG_BYTES]


@dataclass(frozen=True)
class DeviceKeys:
    device_id: int
    patient: bytes
    clinician: bytes

    def for_role(self, role: Role) -> bytes:
        if role is Role.PATIENT:
            return self.patient
        if role is Role.CLINICIAN:
            return self.clinician
        raise ValueError(f"role {role!r} has no key: patient or clinician")


@dataclass(frozen=True)
class KeyStore:
    """Role keys of the devices a host may talk to, loaded from a TOML key file::

        [[device]]
        device_id = 0x5C5000000001
        patient_key = "<64 hex digits>"
        clinician_key = "<64 hex digits>"
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
            try:
                dev_id = d["device_id"]
                keys = [bytes.fromhex(d[f"{r}_key"]) for r in ("patient", "clinician")]
            except KeyError as e:
                raise KeyFileError(f"{source}: device[{i}]: missing {e.args[0]}") from None
            except ValueError:
                raise KeyFileError(f"{source}: device[{i}]: keys must be hex strings") from None
            if any(len(k) != KEY_BYTES for k in keys):
                raise KeyFileError(f"{source}: device[{i}]: keys must be {KEY_BYTES} bytes ({2 * KEY_BYTES} hex digits)")
            if keys[0] == keys[1]:
                raise KeyFileError(f"{source}: device[{i}]: the patient and clinician keys must differ")
            if any(seen.device_id == dev_id for seen in devices):
                raise KeyFileError(f"{source}: device[{i}]: device_id {dev_id} is listed twice: each device once")
            devices.append(DeviceKeys(dev_id, keys[0], keys[1]))
        if not devices:
            raise KeyFileError(f"{source}: no [[device]] entries")
        return cls(tuple(devices))


def new_key_file(device_ids: list[int]) -> str:
    """Text of a key file with fresh random keys for each device (from the OS CSPRNG)."""
    lines = ["# scs-hil role keys. Keep secret; one file per device fleet.", ""]
    for dev in device_ids:
        lines += ["[[device]]", f"device_id = 0x{dev:012x}",
                  f'patient_key = "{secrets.token_hex(KEY_BYTES)}"',
                  f'clinician_key = "{secrets.token_hex(KEY_BYTES)}"', ""]
    return "\n".join(lines)


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

    def sign(self) -> tuple[int, Callable[[bytes], bytes]]:
        """Next counter and a signer for a frame sent by this side."""
        self.tx_counter += 1
        return self.tx_counter, lambda body: self.auth.tag(self.tx_direction, body)

    def check(self, counter: int, signed_body: bytes, tag: bytes) -> str:
        """'OK', 'BAD_TAG', 'REPLAY' or 'STALE_COUNTER' for a received signed frame; OK advances the counter.

        The tag is checked first, so a forged frame can't probe the counter.
        """
        if not hmac.compare_digest(self.auth.tag(self.rx_direction, signed_body), tag):
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
    tick: int
    code: str       # result name: BAD_TAG, REPLAY, STALE_COUNTER, NOT_PERMITTED, NOT_AUTHENTICATED, HANDSHAKE_FAILED, ...
    msg_id: int
    detail: int = 0


@dataclass
class DeviceGuard:
    """Device side: handshake with back-off, the current session, and the security event log.

    Back-off: after n consecutive failed handshakes, HELLO is refused (BUSY) until
    ``base_ticks * 2^(n-1)`` ticks (at most ``max_ticks``) after the last failure, in device time.
    ``failed_handshakes`` is persisted by the device so a reboot doesn't reset it.
    """

    keys: DeviceKeys
    random_bytes: Callable[[int], bytes]
    base_backoff_ticks: int = 1_000_000
    max_backoff_ticks: int = 64_000_000
    failed_handshakes: int = 0
    backoff_until: int = 0
    session: SessionState | None = None
    pending: tuple[Role, bytes, bytes] | None = None  # role, host nonce, device nonce
    events: list[SecurityEvent] = field(default_factory=list)

    def record(self, tick: int, code: str, msg_id: int, detail: int = 0) -> None:
        self.events.append(SecurityEvent(tick, code, msg_id, detail))

    def hello(self, role: int, host_nonce: bytes, now: int) -> tuple[str, bytes, bytes, int]:
        """(result, device nonce, device proof, retry_after_ms)."""
        if now < self.backoff_until:
            left_ms = -(-(self.backoff_until - now) // 1000)
            self.record(now, "BUSY", 0x20, left_ms)
            return "BUSY", bytes(NONCE_BYTES), bytes(32), left_ms
        self.session = None  # a new handshake ends any session
        device_nonce = self.random_bytes(NONCE_BYTES)
        r = Role(role)
        self.pending = (r, host_nonce, device_nonce)
        proof = device_proof(self.keys.for_role(r), r, host_nonce, device_nonce, self.keys.device_id)
        return "OK", device_nonce, proof, 0

    def auth(self, proof: bytes, now: int) -> tuple[str, int]:
        """(result, role) of the host's proof; failures start or extend the back-off."""
        if self.pending is None:
            self.record(now, "WRONG_STATE", 0x21)
            return "WRONG_STATE", 0
        role, hn, dn = self.pending
        self.pending = None
        key = self.keys.for_role(role)
        if not hmac.compare_digest(host_proof(key, role, hn, dn, self.keys.device_id), proof):
            self.failed_handshakes += 1
            delay = min(self.max_backoff_ticks, self.base_backoff_ticks << min(self.failed_handshakes - 1, 30))
            self.backoff_until = now + delay
            self.record(now, "BAD_TAG", 0x21, self.failed_handshakes)
            return "BAD_TAG", 0
        self.failed_handshakes = 0
        self.backoff_until = 0
        self.session = SessionState(role, session_key(key, role, hn, dn, self.keys.device_id),
                                    DEVICE_TO_HOST, HOST_TO_DEVICE)
        return "OK", int(role)

    def end_session(self) -> None:
        self.session = None
        self.pending = None
