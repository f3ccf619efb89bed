"""``qemu``: the board firmware (C) in ``qemu-system-arm -M netduinoplus2`` (an STM32F405).

Builds the image when needed, boots it with USART1 on a free localhost TCP port (``nodelay=on``: about
200 round trips a second instead of 21) and connects through ``socket://``; shuts QEMU down on close,
also when the test run fails or is interrupted (QEMU dies with its parent). Two modes:

- ``qemu`` (virtual clock): only CLOCK_ADVANCE moves the device clock; fast, deterministic tests of
  therapy logic (dwell times, back-off). Resets go through QMP (``system_reset``).
- ``qemu-rt`` (real time): the firmware runs its hardware-timed path: TIM2 is the clock, the TIM5
  interrupt fires every pulse edge from the queue. ``-icount shift=3`` makes every instruction take
  8 ns of virtual time, 125 instructions per microsecond tick, close to the real core (168 MHz at
  about 1.3 cycles per instruction); ``sleep=off`` lets an idle core (WFI) jump to the next timer
  deadline, exactly, however loaded the host is. The mode reaches the firmware as a boot word
  (``-device loader``) above its stack. QEMU 7.2's timers take their counting base from the last reset,
  and a QMP reset moves it, so here every reset is a power cycle (a fresh QEMU).
"""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import serial

from hil.board_build import build_arm
from hil.targets.base import Target, TargetError, stop_process
from protocol.reliability import RetryPolicy


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent() -> None:
    try:
        import ctypes

        ctypes.CDLL("libc.so.6").prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except OSError:
        pass


class _PortTaken(Exception):
    """QEMU could not bind the serial port found free a moment before."""


class QemuTarget(Target):
    name = "qemu"
    policy = RetryPolicy(timeout_s=1.0, attempts=3)

    #: the boot word (hal.c) that asks the firmware for real-time mode, and where it goes
    REALTIME_WORD, REALTIME_ADDR = 0x52544D31, 0x2001FFFC
    #: 2^3 ns per instruction: 125 instructions per 1 us tick (a 168 MHz Cortex-M4 runs about 130)
    REALTIME_SHIFT = 3

    def __init__(self, keys=None, icount_shift: int | None = None, realtime: bool = False):
        super().__init__(keys)
        self.realtime = realtime
        if realtime:
            self.name = "qemu-rt"
        if icount_shift is None:
            icount_shift = self.REALTIME_SHIFT if realtime else 4
        if shutil.which("qemu-system-arm") is None:
            raise TargetError("qemu-system-arm is missing: make test installs it (Debian: qemu-system-arm)")
        self.elf = build_arm()
        self.icount_shift = icount_shift
        self._dir = tempfile.TemporaryDirectory(prefix="scs-qemu-")
        self.qmp_path = Path(self._dir.name) / "qmp.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        self._output = ""  # what a QEMU that exited at boot printed
        self._port: Any = None  # a pyserial port once opened
        self._boot()

    def _boot(self) -> None:
        """Start QEMU (a board with power just applied: its RAM, settings included, starts blank). The
        free port is found before QEMU binds it, so another process may take it first: QEMU then
        exits at once, and the boot is tried again on another port."""
        for attempt in range(3):
            try:
                self._start()
                return
            except _PortTaken:
                if attempt == 2:
                    raise TargetError(f"qemu could not bind a serial port three times: {self._output}") from None

    def _start(self) -> None:
        self.port_number = _free_port()
        cmd = ["qemu-system-arm", "-M", "netduinoplus2", "-nographic", "-monitor", "none", "-kernel", str(self.elf),
               "-serial", f"tcp:127.0.0.1:{self.port_number},server=on,wait=off,nodelay=on",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off", "-icount", f"shift={self.icount_shift},sleep=off"]
        if self.realtime:
            cmd += ["-device", f"loader,addr={self.REALTIME_ADDR:#x},data={self.REALTIME_WORD:#x},data-len=4"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        self._port = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._output = (self.proc.stdout.read() if self.proc.stdout else b"").decode(errors="replace")
                if "Address already in use" in self._output or "Failed to bind" in self._output:
                    raise _PortTaken
                raise TargetError(f"qemu exited: {self._output}")
            try:
                self._port = serial.serial_for_url(f"socket://127.0.0.1:{self.port_number}", timeout=0.05)
                return
            except serial.SerialException:
                time.sleep(0.05)
        self.close()
        raise TargetError(f"qemu's serial port 127.0.0.1:{self.port_number} did not open")

    def open_port(self):
        self._port.reset_input_buffer()
        return self._port

    def bridge(self, capture=None):
        from hil.bridge import Bridge

        return Bridge(self.open_port(), keys=self.keys, policy=self.policy, capture=capture, name=self.name,
                      owns_port=False)

    def _qmp(self, command: str) -> None:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.qmp_path))
            f = s.makefile("rw")
            f.readline()  # greeting
            for cmd in ("qmp_capabilities", command):
                f.write(json.dumps({"execute": cmd}) + "\n")
                f.flush()
                while True:
                    reply = json.loads(f.readline())
                    if "return" in reply or "error" in reply:
                        break
            if "error" in reply:
                raise TargetError(f"qemu refused {command}: {reply['error']}")

    def read_memory(self, address: int, size: int) -> bytes:
        """The guest's memory (QMP pmemsave): evidence QEMU keeps nowhere else, e.g. the edges the
        board drove on pins QEMU does not model."""
        path = Path(self._dir.name) / "memory.bin"
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.qmp_path))
            f = s.makefile("rw")
            f.readline()  # greeting
            for cmd in ({"execute": "qmp_capabilities"},
                        {"execute": "pmemsave", "arguments": {"val": address, "size": size, "filename": str(path)}}):
                f.write(json.dumps(cmd) + "\n")
                f.flush()
                while "return" not in (reply := json.loads(f.readline())) and "error" not in reply:
                    pass
                if "error" in reply:
                    raise TargetError(f"qemu refused {cmd['execute']}: {reply['error']}")
        return path.read_bytes()

    def factory_reset(self, bridge) -> None:
        """A reset of the board (QMP system_reset), then RESET kind 2 to erase the settings it keeps
        in retained memory. When a test left the handshake backing off (which survives resets, by
        design), power the board off and on instead: a fresh QEMU starts with blank memory."""
        from protocol.security import HandshakeError

        if self.realtime:
            self.power_cycle(bridge)
            super().factory_reset(bridge)
            return
        self._qmp("system_reset")
        time.sleep(0.05)
        self._reattach(bridge)
        try:
            super().factory_reset(bridge)
        except HandshakeError:
            self.power_cycle(bridge)

    def power_cycle(self, bridge=None) -> None:
        """Power off and on: a fresh QEMU, blank memory, the clock from zero."""
        stop_process(self.proc)
        self._port.close()
        self._boot()
        if bridge is not None:
            self._reattach(bridge)

    def _reattach(self, bridge) -> None:
        self._port.reset_input_buffer()
        bridge.port = self._port
        bridge.device_was_reset()

    def gone(self) -> str | None:
        code = None if self.proc is None else self.proc.poll()
        return None if code is None else f"qemu exited with status {code}"

    def close(self) -> None:
        if self._port is not None:
            self._port.close()
        if self.proc is not None:
            stop_process(self.proc)
        self._dir.cleanup()
