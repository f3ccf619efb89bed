"""The virtual dev board: `firmware_model.Device` served on a pty or a TCP port from its own process.

The serial path is exercised for real: a client opens the pty (or ``socket://``) with pyserial exactly
as it would a USB-serial adapter. The device clock is paced to wall time (``speed`` times faster;
0 = only CLOCK_ADVANCE moves it). SIGINT/SIGTERM end it cleanly; SIGUSR1 is the bench's factory
reset (settings erased, handshake back-off forgotten, nonce epoch kept), SIGUSR2 the reset button.
"""

from __future__ import annotations

import os
import pty
import select
import signal
import socket
import sys
import time
import tty
from pathlib import Path

from firmware_model.device.device import Device
from hil.sim.server import DeviceServer


class BoardServer:
    def __init__(self, device: Device, speed: float = 1.0):
        self.device = device
        self.server = DeviceServer(device)
        self.speed = speed
        self._stop = False
        self._reset_requested = False
        self._hardware_reset_requested = False
        self._last_ns = time.monotonic_ns()
        self._carry_ns = 0.0

    def stop(self, *_args) -> None:
        self._stop = True

    def request_factory_reset(self, *_args) -> None:
        self._reset_requested = True

    def request_hardware_reset(self, *_args) -> None:
        self._hardware_reset_requested = True

    def _pace(self) -> None:
        if self._reset_requested:  # out-of-band reset (the harness's programming tool)
            self._reset_requested = False
            self.device.factory_reset()
            self.device.bench_clear_backoff()  # a bench tool's privilege; the nonce epoch is kept
            self.device.outbox.clear()
            print("scs board: factory reset", flush=True)
        if self._hardware_reset_requested:  # the reset button: RAM lost, settings and record kept
            self._hardware_reset_requested = False
            self.device.reset()
            self.device.outbox.clear()
            print("scs board: hardware reset", flush=True)
        self._pace_clock()

    def _pace_clock(self) -> None:
        now = time.monotonic_ns()
        if self.speed > 0:
            self._carry_ns += (now - self._last_ns) * self.speed
            ticks = int(self._carry_ns // 1000)
            if ticks:
                self._carry_ns -= ticks * 1000
                self.device.advance(ticks)
        self._last_ns = now

    def _serve(self, read_fd: int, write) -> bool:
        """Serve one connection; False when the peer went away."""
        while not self._stop:
            ready, _, _ = select.select([read_fd], [], [], 0.01)
            self._pace()
            if not ready:
                continue
            try:
                data = os.read(read_fd, 4096)
            except OSError:
                return False
            if not data:
                return False
            out = self.server.receive(data)
            if out:
                write(out)
        return True

    def serve_pty(self, announce) -> None:
        master, slave = pty.openpty()
        tty.setraw(slave)
        path = os.ttyname(slave)
        announce(path)
        try:
            def write(data: bytes) -> None:
                view = memoryview(data)
                while view:
                    n = os.write(master, view)
                    view = view[n:]
            while not self._stop:
                if not self._serve(master, write):
                    time.sleep(0.01)  # the client closed; the pty stays for the next one
        finally:
            os.close(master)
            os.close(slave)

    def serve_tcp(self, port: int, announce) -> None:
        with socket.create_server(("127.0.0.1", port)) as srv:
            srv.settimeout(0.05)
            announce(f"socket://127.0.0.1:{srv.getsockname()[1]}")
            while not self._stop:
                try:
                    conn, _ = srv.accept()
                except TimeoutError:
                    self._pace()
                    continue
                with conn:
                    conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                    self._serve(conn.fileno(), conn.sendall)


def run_board(device: Device, pty_mode: bool, tcp_port: int | None, speed: float, flash: Path | None = None) -> int:
    board = BoardServer(device, speed)
    signal.signal(signal.SIGTERM, board.stop)
    signal.signal(signal.SIGINT, board.stop)
    signal.signal(signal.SIGUSR1, board.request_factory_reset)
    signal.signal(signal.SIGUSR2, board.request_hardware_reset)

    def announce(where: str) -> None:
        kept = f" (settings flash {flash})" if flash is not None else ""
        print(f"scs board: device 0x{device.cfg.device_id:012x}{kept} listening on {where}", flush=True)
    if pty_mode:
        board.serve_pty(announce)
    else:
        board.serve_tcp(tcp_port or 0, announce)
    print("scs board: stopped", file=sys.stderr, flush=True)
    return 0
