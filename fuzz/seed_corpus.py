"""Writes the small seed corpora of the fuzz harnesses (committed under fuzz/corpus/NAME)."""

from __future__ import annotations

import struct
from pathlib import Path

from hil.harness.conformance.support import area
from protocol.spec.catalog import load_catalog
from protocol.wire.codec import encode_payload, make
from protocol.wire.framing import encode_frame

CAT = load_catalog()
HERE = Path(__file__).resolve().parent / "corpus"


def _request(name: str, **fields) -> tuple[int, bytes]:
    return CAT[name].id, encode_payload(CAT[name], make(CAT, name, **fields))


REQUESTS = [_request("STATUS_GET"), _request("STIM_SET", on=1), _request("AREA_WRITE", program=0, area=0, **area(0, 1)),
            _request("PROGRAM_COMMIT", program=0, area_count=1), _request("CLOCK_ADVANCE", ticks=1000),
            _request("EVENT_LOG_READ", index=0), _request("RESET", kind=1), _request("HELLO", role=2, host_nonce=bytes(16))]


def main() -> None:
    seeds: dict[str, list[bytes]] = {"framing": [], "codec": [], "device": [], "session": [], "receive": [], "settings": []}
    for i, (msg_id, payload) in enumerate(REQUESTS):
        wire = encode_frame(msg_id, i + 1, payload)
        seeds["framing"].append(wire + wire[:7])
        seeds["codec"].append(bytes([CAT.messages.index(CAT.by_id(msg_id))]) + payload)
        seeds["device"].append(b"\x00" + wire)
        seeds["receive"].append(b"\x00\x00" + wire)
        seeds["session"].append(bytes([1, msg_id, 0]) + struct.pack("<H", i + 1) + bytes([len(payload)]) + payload)
        seeds["receive"].append(bytes([2, msg_id, 0, len(payload), i + 1]) + payload)
    from hil.board.host import BoardCore
    from hil.link.model_port import default_keys
    from tests.support.board_core import program_with_limits  # a board with one program stored

    core = BoardCore(default_keys())
    program_with_limits(core)
    slots = [bytes(core.slot(i)) for i in range(2)]
    for raw in slots:
        magic, _seq, length = struct.unpack_from("<III", raw)
        if magic == 0x31534353:
            seeds["settings"].append(raw[12:12 + length])
    for name, items in seeds.items():
        folder = HERE / name
        folder.mkdir(parents=True, exist_ok=True)
        for i, data in enumerate(items):
            (folder / f"seed{i:02d}").write_bytes(data)


if __name__ == "__main__":
    main()
