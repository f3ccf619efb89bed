"""``sim``: the virtual dev board (`scs board --pty`) in its own process, reached through a pty."""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import serial

from hil.targets.base import Target, TargetError, error_text, stop_process


class SimTarget(Target):
    name = "sim"

    def __init__(self, keys=None, speed: float = 0.0, tcp: bool = False):
        super().__init__(keys)
        # -P: never import modules from the current directory into the board process
        self._flash_dir = tempfile.TemporaryDirectory(prefix="scs-board-")  # this board's own flash
        cmd = [sys.executable, "-P", "-m", "hil.cli", "board", "--speed", str(speed),
               "--flash", str(Path(self._flash_dir.name) / "flash.bin")] + (["--tcp", "0"] if tcp else ["--pty"])
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stderr is not None  # both piped
        line = self.proc.stdout.readline()
        if "listening on " not in line:
            self.proc.kill()
            raise TargetError(f"the virtual board did not start: {line or self.proc.stderr.read()}")
        self.where = line.split("listening on ", 1)[1].strip()

    def open_port(self):
        if self.proc.poll() is not None:
            raise TargetError(f"the virtual board exited with status {self.proc.returncode}")
        try:
            return serial.serial_for_url(self.where, baudrate=115200, timeout=0.05)
        except Exception as e:  # noqa: BLE001 (a vanished pty fails in termios, not only SerialException)
            raise TargetError(f"cannot open the virtual board's port {self.where}: {error_text(e)}") from None

    def gone(self) -> str | None:
        code = self.proc.poll()
        return None if code is None else f"the virtual board exited with status {code}"

    def close(self) -> None:
        stop_process(self.proc)
        self._flash_dir.cleanup()

    def factory_reset(self, bridge) -> None:
        """Out of band: SIGUSR1 makes the board factory-reset its device and say so on stdout."""
        if self.proc.poll() is not None:
            raise TargetError(f"the virtual board exited with status {self.proc.returncode}")
        self.proc.send_signal(signal.SIGUSR1)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if "factory reset" not in line:
            code = self.proc.poll()
            raise TargetError(f"the virtual board exited with status {code}" if code is not None
                              else f"the virtual board did not confirm its reset: {line!r}")
        bridge.device_was_reset()
