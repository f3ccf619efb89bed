"""Bridge round trips against a raw pyserial echo of the same bytes, over ptys, in one run.

Run: ``python benchmarks/bench_bridge.py`` (one JSON line).
- raw: a process on the far side of a pty echoes every byte; the host writes a signed STATUS_GET
  frame with pyserial and reads the same number of bytes back.
- bridge: the virtual dev board (`scs board --pty --speed 0`) on a pty; `Bridge.request(STATUS_GET)`
  in a clinician session: signing, framing, the reader thread, matching, verification, decoding, and
  the device's own work on the far side.
Target: bridge round trip at most 1.5x the raw round trip.
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

from hil.bridge import Bridge  # noqa: E402
from hil.ports import default_keys  # noqa: E402
from protocol.catalog import Role, load_catalog  # noqa: E402
from protocol.codec import make  # noqa: E402

ECHO = r"""
import os, pty, select, sys, tty
m, s = pty.openpty(); tty.setraw(s)
print(os.ttyname(s), flush=True)
while True:
    r, _, _ = select.select([m], [], [], 1.0)
    if r:
        os.write(m, os.read(m, 4096))
"""
N = 2000


def spawn(cmd: list[str]) -> tuple[subprocess.Popen, str]:
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    line = proc.stdout.readline().strip()
    return proc, line.split("listening on ")[-1]


def per_trip_us(fn, n: int = N) -> float:
    samples = []
    for _ in range(5):
        t0 = time.perf_counter()
        for _ in range(n // 5):
            fn()
        samples.append((time.perf_counter() - t0) / (n // 5) * 1e6)
    return statistics.median(samples)


def main() -> int:
    cat = load_catalog()
    board, board_pty = spawn([sys.executable, "-P", "-m", "hil.cli", "board", "--pty", "--speed", "0"])
    echo, echo_pty = spawn([sys.executable, "-P", "-c", ECHO])
    try:
        bridge = Bridge(serial.Serial(board_pty, 115200, timeout=0.05), keys=default_keys())
        bridge.login(Role.CLINICIAN)
        status = make(cat, "STATUS_GET")
        frame = bridge.host.request_bytes(status, 1)  # the same bytes the bridge sends
        raw = serial.Serial(echo_pty, 115200, timeout=1)

        def raw_trip() -> None:
            raw.write(frame)
            got = raw.read(len(frame))
            assert len(got) == len(frame)

        def bridge_trip() -> None:
            bridge.request(status)

        for fn in (raw_trip, bridge_trip):  # warm up
            per_trip_us(fn, 200)
        raw_us = per_trip_us(raw_trip)
        bridge_us = per_trip_us(bridge_trip)
        bridge.close()
        raw.close()
    finally:
        for p in (board, echo):
            p.terminate()
            p.wait()
            p.stdout.close()
    ratio = bridge_us / raw_us
    print(json.dumps({"case": "bridge_vs_raw_echo_round_trip", "raw_us": round(raw_us, 1), "bridge_us": round(bridge_us, 1),
                      "ratio": round(ratio, 2), "target_ratio": 1.5, "ok": ratio <= 1.5}))
    return 0 if ratio <= 1.5 else 1


if __name__ == "__main__":
    sys.exit(main())
