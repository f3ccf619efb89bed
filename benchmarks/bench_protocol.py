"""Protocol throughput and wire efficiency, against pymavlink in the same run.

Run: ``python benchmarks/bench_protocol.py [--quick]`` (needs ``pip install -e '.[bench]'`` for pymavlink;
``--quick``: a tenth of the frames and of the dump, and the exit status judges no speed).
Cases, one JSON line each:
- encode + decode of a typical authenticated request (AREA_WRITE, 50-byte payload, signed, CRC, COBS)
  against pymavlink encode + decode of SET_POSITION_TARGET_LOCAL_NED (53-byte payload), unsigned and
  signed. Target: at least pymavlink's frames per second.
- wire efficiency of a bulk pulse-trace dump (TRACE_DATA frames, signed): pulse record bytes / bytes on
  the wire. Target: at least 90 %.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from protocol.session import DEVICE_TO_HOST, HOST_TO_DEVICE, SessionState  # noqa: E402
from protocol.spec.catalog import load_catalog  # noqa: E402
from protocol.wire.codec import decode_payload, encode_payload, make  # noqa: E402
from protocol.wire.framing import StreamDecoder, encode_frame  # noqa: E402

N = 20_000


def best_rate(fn, n: int = N, repeats: int = 5) -> float:
    best = 0.0
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn(n)
        best = max(best, n / (time.perf_counter() - t0))
    return best


def ours(n: int) -> None:
    cat = load_catalog()
    msg = cat["AREA_WRITE"]
    obj = make(cat, "AREA_WRITE", program=1, area=2, waveform=0, cathode_share_pct=(0,) * 4 + (100,) + (0,) * 11,
               anode_mask=1 << 5, amplitude_ua=4000, pulse_width_us=300, rate_mhz=50_000, recharge_ratio=1,
               pulses_per_burst=1)
    key = bytes(range(32))
    host = SessionState(role=2, key=key, tx_direction=HOST_TO_DEVICE, rx_direction=DEVICE_TO_HOST)
    device = SessionState(role=2, key=key, tx_direction=DEVICE_TO_HOST, rx_direction=HOST_TO_DEVICE)
    dec = StreamDecoder()
    for i in range(n):
        counter, signer = host.sign()
        wire = encode_frame(msg.id, i & 0xFFFF, encode_payload(msg, obj), 0, counter, signer)
        [frame] = dec.feed(wire)
        assert device.check(frame.counter, frame.signed_body, frame.tag) == "OK"
        decode_payload(msg, frame.payload)


def mavlink(signed: bool):
    from pymavlink.dialects.v20 import common as mavlink2

    def run(n: int) -> None:
        tx = mavlink2.MAVLink(None, srcSystem=1, srcComponent=1)
        rx = mavlink2.MAVLink(None)
        if signed:
            for m in (tx, rx):
                m.signing.secret_key = bytes(range(32))
                m.signing.link_id = 0
                m.signing.timestamp = 1
                m.signing.sign_outgoing = m is tx
        for i in range(n):
            msg = tx.set_position_target_local_ned_encode(i, 1, 1, 1, 0b110111111000, 1.0, 2.0, -3.0, 0, 0, 0, 0, 0, 0,
                                                           0, 0)
            buf = msg.pack(tx)
            out = rx.parse_char(buf)
            assert out is not None and out.get_type() == "SET_POSITION_TARGET_LOCAL_NED"
    return run


def trace_efficiency(total_records: int = 100_000) -> dict:
    cat = load_catalog()
    msg = cat["TRACE_DATA"]
    session = SessionState(role=2, key=bytes(32), tx_direction=DEVICE_TO_HOST, rx_direction=HOST_TO_DEVICE)
    per_frame = cat["TRACE_DUMP"].fields[1].max
    wire = records = 0
    for offset in range(0, total_records, per_frame):
        count = min(per_frame, total_records - offset)
        recs = bytes((offset + i) % 251 for i in range(11 * count))  # arbitrary content, zeros included
        payload = encode_payload(msg, make(cat, "TRACE_DATA", offset=offset, total=total_records, count=count,
                                           records=recs))
        counter, signer = session.sign()
        wire += len(encode_frame(msg.id, offset & 0xFFFF, payload, 0x01, counter, signer))
        records += len(recs)
    return {"case": "trace_dump_wire_efficiency", "record_bytes": records, "wire_bytes": wire,
            "efficiency": round(records / wire, 4), "target": 0.9, "ok": records / wire >= 0.9}


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    n = N // 10 if quick else N
    ours_fps = best_rate(ours, n)
    results = []
    try:
        for signed in (False, True):
            theirs = best_rate(mavlink(signed), n // 2 if signed else n)
            name = "authenticated_request_encode_decode_vs_" + ("signed" if signed else "unsigned") + "_mavlink"
            results.append({"case": name, "frames_per_s": round(ours_fps),
                            "baseline": "pymavlink SET_POSITION_TARGET_LOCAL_NED " + ("signed" if signed else "unsigned"),
                            "baseline_frames_per_s": round(theirs), "ratio": round(ours_fps / theirs, 2),
                            "ok": ours_fps >= theirs})
    except ImportError:
        results.append({"case": "authenticated_request_encode_decode", "frames_per_s": round(ours_fps),
                        "baseline": "pymavlink not installed (pip install -e '.[bench]')", "ok": False})
    efficiency = trace_efficiency(10_000 if quick else 100_000)
    results.append(efficiency)
    for r in results:
        print(json.dumps(r))
    if quick:  # no speed is judged: the wire efficiency is a count of bytes
        return 0 if efficiency["ok"] else 1
    return 0 if all(r["ok"] for r in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
