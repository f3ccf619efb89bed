"""Test vectors of the protocol (published in docs/protocol.md): one frame with its CRC and COBS, and
a whole handshake with one signed request and its response, under the published test keys.

Computed with this package's codec and the device's own pipeline (`DeviceEndpoint`); a client written
from the document alone checks them independently (tests/protocol/test_docs_client.py).
"""

from __future__ import annotations

from dataclasses import dataclass

from cobs import cobs

from protocol.session import DeviceGuard, DeviceKeys, HostHandshake, SecurityStore, derive_device_nonce, host_proof, session_key
from protocol.session.endpoint import DeviceEndpoint, HostEndpoint
from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import make
from protocol.wire.framing import encode_frame, parse_frame

#: the published test keys: never a product's (the same as hil.link.model_port.default_keys)
TEST_KEYS = DeviceKeys(0x5C5000000001, bytes(range(32)), bytes(range(32, 64)), bytes(range(64, 96)))
HOST_NONCE = bytes(range(0xA0, 0xB0))


class _MemorySlots:
    def __init__(self) -> None:
        self.slots = [bytearray(b"\xff" * 64), bytearray(b"\xff" * 64)]

    def erase(self, slot: int) -> None:
        self.slots[slot][:] = b"\xff" * 64

    def program(self, slot: int, offset: int, data: bytes) -> None:
        self.slots[slot][offset:offset + len(data)] = data

    def read(self, slot: int) -> bytes:
        return bytes(self.slots[slot])


@dataclass(frozen=True)
class Vectors:
    frame_decoded: bytes      # STATUS_GET, sequence 256, unsigned: header + CRC
    frame_crc: int
    frame_wire: bytes         # COBS + 0x00
    nonce_key: bytes
    device_nonce: bytes       # epoch 1, counter 1, no RNG
    hello: bytes              # wire bytes, each direction
    challenge: bytes
    auth: bytes
    host_proof: bytes
    session_key: bytes
    session: bytes
    request: bytes            # CLOCK_GET, signed, counter 1
    response: bytes           # CLOCK(ticks=0), signed, counter 2, bound to request counter 1


def compute() -> Vectors:
    cat = load_catalog()
    decoded_wire = encode_frame(cat["STATUS_GET"].id, 256, b"")
    decoded = cobs.decode(decoded_wire[:-1])
    store = SecurityStore(_MemorySlots())
    store.provision()  # a device from the factory: its first record (epoch 0) is written
    guard = DeviceGuard(TEST_KEYS, store)
    device = DeviceEndpoint(cat, guard, lambda m, o, r: make(cat, "CLOCK", ticks=0), lambda: 0)
    host = HostEndpoint(cat)
    hs = HostHandshake(TEST_KEYS, Role.CLINICIAN, lambda n: HOST_NONCE)
    hello = host.request_bytes(host.start_handshake(hs), 1)
    challenge = device.receive(hello)
    _, ch = host.accept(parse_frame(challenge[:-1]))
    auth_obj = host.answer(hs, ch)
    auth = host.request_bytes(auth_obj, 2)
    session = device.receive(auth)
    _, sess = host.accept(parse_frame(session[:-1]))
    host.finish(hs, sess)
    request = host.request_bytes(make(cat, "CLOCK_GET"), 3)
    response = device.receive(request)
    host.accept(parse_frame(response[:-1]))
    role = int(Role.CLINICIAN)
    key = TEST_KEYS.clinician
    return Vectors(decoded, int.from_bytes(decoded[-4:], "little"), decoded_wire, TEST_KEYS.nonce_key,
                   derive_device_nonce(TEST_KEYS.nonce_key, 1, 1), hello, challenge, auth,
                   host_proof(key, role, HOST_NONCE, ch.device_nonce, TEST_KEYS.device_id),
                   session_key(key, role, HOST_NONCE, ch.device_nonce, TEST_KEYS.device_id), session, request,
                   response)
