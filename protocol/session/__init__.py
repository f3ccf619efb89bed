"""Authenticated sessions: role keys (`keys`), the cryptography (`crypto`), the host's handshake
(`handshake`), the device's guard (`guard`), the persisted security record (`record`) and the
device's protocol endpoint (`endpoint`, imported from its module)."""

from protocol.session.crypto import (
    DEVICE_TO_HOST,
    HOST_TO_DEVICE,
    KEY_BYTES,
    NONCE_BYTES,
    PROOF_BYTES,
    FrameAuthenticator,
    derive_device_nonce,
    device_proof,
    frame_tag,
    host_proof,
    nonce_key,
    session_key,
)
from protocol.session.guard import AuthOutcome, Challenge, DeviceGuard, SecurityEvent
from protocol.session.handshake import HandshakeError, HostHandshake, SessionState
from protocol.session.keys import KEYED_ROLES, DeviceKeys, KeyFileError, KeyStore, key_file_text, new_key_file
from protocol.session.record import RecordStorage, SecurityRecord, SecurityStore

__all__ = [
    "AuthOutcome", "Challenge", "DEVICE_TO_HOST", "DeviceGuard", "DeviceKeys", "FrameAuthenticator", "HOST_TO_DEVICE",
    "HandshakeError", "HostHandshake", "KEYED_ROLES", "KEY_BYTES", "KeyFileError", "KeyStore", "NONCE_BYTES",
    "PROOF_BYTES", "RecordStorage", "SecurityEvent", "SecurityRecord", "SecurityStore", "SessionState",
    "derive_device_nonce", "device_proof", "frame_tag", "host_proof", "key_file_text", "new_key_file", "nonce_key",
    "session_key",
]
