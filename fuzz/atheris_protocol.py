"""atheris harnesses over the protocol's Python side. Usage (any libFuzzer flags after the target):

    python fuzz/atheris_protocol.py framing|codec|device|session [CORPUS ...] [-max_total_time=S]

- framing: `StreamDecoder.feed` in random chunkings, and `parse_frame`; must raise only FrameError.
- codec: `decode_payload` of every message; must raise only DecodeError, and what decodes re-encodes
  to the same bytes.
- device: raw bytes into the model device's request path (`DeviceServer.receive`).
- session: the same, inside an open clinician/test session: the input picks the message id, flags
  and payload of frames that are signed with the session key, so they reach the handlers.
The device must never raise, and must keep answering a well-formed request afterwards.
"""

from __future__ import annotations

import sys

import atheris

with atheris.instrument_imports():
    from cobs import cobs  # noqa: F401

    from firmware_model.device.device import Device, DeviceConfig
    from hil.link.model_port import default_keys
    from hil.sim.server import DeviceServer
    from protocol.session import HostHandshake
    from protocol.session.endpoint import HostEndpoint
    from protocol.spec.catalog import Role, load_catalog
    from protocol.wire.codec import DecodeError, decode_payload, encode_payload
    from protocol.wire.framing import FrameError, StreamDecoder, encode_frame, parse_frame

CAT = load_catalog()
KEYS = default_keys()
PROBE = encode_frame(CAT["DEVICE_INFO_GET"].id, 65535, b"")


def framing(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    dec = StreamDecoder()
    while fdp.remaining_bytes():
        for item in dec.feed(fdp.ConsumeBytes(fdp.ConsumeIntInRange(1, 64))):
            assert isinstance(item, (FrameError, tuple))
    try:
        parse_frame(data)
    except FrameError:
        pass


def codec(data: bytes) -> None:
    if not data:
        return
    msg = CAT.messages[data[0] % len(CAT.messages)]
    try:
        obj = decode_payload(msg, data[1:])
    except DecodeError:
        return
    assert encode_payload(msg, obj) == data[1:]


def _answers_probe(server: DeviceServer) -> None:
    out = server.receive(b"\x00" + PROBE)
    assert any(not isinstance(f, FrameError) and f.seq == 65535 for f in StreamDecoder().feed(out)), "device stopped answering"


def device(data: bytes) -> None:
    server = DeviceServer(Device(DeviceConfig(keys=KEYS, nonce_key=bytes(32))))
    server.receive(data)
    _answers_probe(server)


def _login(server: DeviceServer, role: Role) -> HostEndpoint:
    host = HostEndpoint(CAT)
    hs = HostHandshake(KEYS, role, lambda n: bytes(n))
    rx = StreamDecoder()

    def ask(obj, seq):
        [frame] = [f for f in rx.feed(server.receive(host.request_bytes(obj, seq))) if not f.is_event]
        return host.accept(frame)[1]
    challenge = ask(host.start_handshake(hs), 1)
    host.finish(hs, ask(host.answer(hs, challenge), 2))
    return host


def session(data: bytes) -> None:
    fdp = atheris.FuzzedDataProvider(data)
    server = DeviceServer(Device(DeviceConfig(keys=KEYS, nonce_key=bytes(32))))
    host = _login(server, Role.TEST if fdp.ConsumeBool() else Role.CLINICIAN)
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        msg_id, flags, seq = fdp.ConsumeInt(1) & 0xFF, fdp.ConsumeInt(1) & 0x03, fdp.ConsumeIntInRange(1, 65535)
        payload = fdp.ConsumeBytes(fdp.ConsumeIntInRange(0, 200))
        counter, signer = host.session.sign()
        server.receive(encode_frame(msg_id, seq, payload, flags, counter, signer))
        server.device.advance(fdp.ConsumeIntInRange(0, 2_000_000))
    _answers_probe(server)


TARGETS = {"framing": framing, "codec": codec, "device": device, "session": session}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in TARGETS:
        sys.exit(f"usage: {sys.argv[0]} {{{'|'.join(TARGETS)}}} [CORPUS ...] [libFuzzer flags]")
    target = TARGETS[sys.argv.pop(1)]
    atheris.Setup(sys.argv, target)
    atheris.Fuzz()
