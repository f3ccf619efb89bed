"""Bridge round trips against a raw pyserial echo of the same bytes, over ptys, in one run.

Run: ``python benchmarks/bench_bridge.py [--quick]`` (JSON lines; ``--quick``: a tenth of the round trips,
and the exit status judges no speed).
- raw: a process on the far side of a pty echoes each frame; the host writes a request frame with
  pyserial and reads the same bytes back.
- bridge: on the same kind of pty a process answers each DEVICE_INFO_GET frame at once with a
  DEVICE_INFO frame for its sequence number; the host calls `Bridge.request(DEVICE_INFO_GET)`:
  framing, the write, reading and matching the answer, CRC, decoding. The far side does the same
  small amount of work in both cases, so the ratio is the bridge's own overhead.
- device: for scale, the virtual dev board (`scs board --pty --speed 0`) answering signed STATUS_GET
  in a session, i.e. with the device model's own work on the far side (reported, no target).
Target: bridge overhead at most 1.5x the raw round trip. Batches of both are interleaved and the
medians compared, so both see the same machine.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import serial  # noqa: E402

from hil.link.bridge import Bridge  # noqa: E402
from hil.link.model_port import default_keys  # noqa: E402
from protocol.spec.catalog import Role, load_catalog  # noqa: E402
from protocol.wire.codec import make  # noqa: E402

FAR_SIDE = r"""
import os, pty, select, sys, tty
sys.path.insert(0, sys.argv[2])
from protocol.wire.framing import encode_frame, StreamDecoder
m, s = pty.openpty(); tty.setraw(s)
print(os.ttyname(s), flush=True)
answer = sys.argv[1] == "answer"
payload = bytes.fromhex(sys.argv[3]) if answer else b""
dec = StreamDecoder()
buf = b""
while True:
    r, _, _ = select.select([m], [], [], 1.0)
    if not r:
        continue
    data = os.read(m, 4096)
    if not answer:
        buf += data
        while b"\x00" in buf:  # echo whole frames, as the answering side answers whole frames
            frame, buf = buf.split(b"\x00", 1)
            os.write(m, frame + b"\x00")
        continue
    out = b"".join(encode_frame(0x81, f.seq, payload, 0x01) for f in dec.feed(data) if not isinstance(f, Exception))
    if out:
        os.write(m, out)
"""
N = 2000


def spawn(cmd: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    return proc, line.split("listening on ")[-1]


def batch_us(fn, n: int) -> float:
    t0 = time.perf_counter()
    for _ in range(n):
        fn()
    return (time.perf_counter() - t0) / n * 1e6


def interleaved_us(a, b, rounds: int = 40, n: int = N // 40) -> tuple[float, float]:
    """Median per-trip time of a and b, measured in alternating batches so both see the same machine."""
    sa, sb = [], []
    for _ in range(rounds):
        sa.append(batch_us(a, n))
        sb.append(batch_us(b, n))
    return statistics.median(sa), statistics.median(sb)


def main(argv: list[str]) -> int:
    quick = "--quick" in argv
    scale = 10 if quick else 1
    cat = load_catalog()
    root = str(Path(__file__).resolve().parents[1])
    info = make(cat, "DEVICE_INFO", protocol_version=1, device_id=0x5C5000000001, tick_ns=1000)
    from protocol.wire.codec import encode_payload

    payload = encode_payload(cat["DEVICE_INFO"], info).hex()
    echo, echo_pty = spawn([sys.executable, "-P", "-c", FAR_SIDE, "echo", root])
    answer, answer_pty = spawn([sys.executable, "-P", "-c", FAR_SIDE, "answer", root, payload])
    import tempfile

    from protocol.session import key_file_text

    key_file = Path(tempfile.mkdtemp(prefix="scs-bench-")) / "keys.toml"
    key_file.write_text(key_file_text(default_keys()))  # the published test keys (else the board makes fresh ones)
    board, board_pty = spawn([sys.executable, "-P", "-m", "hil.cli", "board", "--pty", "--speed", "0",
                              "--keys", str(key_file)])
    try:
        bridge = Bridge(serial.Serial(answer_pty, 115200, timeout=0.05))
        request = make(cat, "DEVICE_INFO_GET")
        frame = bridge.host.request_bytes(request, 1)  # the same bytes the bridge sends
        raw = serial.Serial(echo_pty, 115200, timeout=1)

        def raw_trip() -> None:
            raw.write(frame)
            got = raw.read(len(frame))
            assert len(got) == len(frame)

        def bridge_trip() -> None:
            assert bridge.request(request).name == "DEVICE_INFO"

        interleaved_us(raw_trip, bridge_trip, rounds=2, n=100 // scale)  # warm up
        raw_us, bridge_us = interleaved_us(raw_trip, bridge_trip, n=N // 40 // scale)
        device = Bridge(serial.Serial(board_pty, 115200, timeout=0.05), keys=default_keys())
        device.login(Role.CLINICIAN)
        status = make(cat, "STATUS_GET")
        _, device_us = interleaved_us(raw_trip, lambda: device.request(status), rounds=10, n=100 // scale)
        for port in (bridge, device, raw):
            port.close()
    finally:
        for p in (board, echo, answer):
            p.terminate()
            p.wait()
            p.stdout.close()
    ratio = bridge_us / raw_us
    print(json.dumps({"case": "bridge_vs_raw_echo_round_trip", "raw_us": round(raw_us, 1), "bridge_us": round(bridge_us, 1),
                      "ratio": round(ratio, 2), "target_ratio": 1.5, "ok": ratio <= 1.5, "lower_is_better": ["ratio"]}))
    print(json.dumps({"case": "signed_status_round_trip_to_the_virtual_board", "us": round(device_us, 1),
                      "ratio_to_raw": round(device_us / raw_us, 2), "lower_is_better": ["ratio_to_raw"]}))
    return 0 if quick or ratio <= 1.5 else 1  # --quick judges no speed


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
