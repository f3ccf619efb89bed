"""``sim``: the virtual dev board (`scs board --pty`) in its own process, reached through a pty.

The board has its own flash file (settings) and security record beside it, and makes fresh keys for
the run (it prints where; the target loads them). A power cycle stops the process and starts a new
one on the same files and keys.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import serial

from hil.targets.base import Target, TargetError, error_text, stop_process
from protocol.session import KeyStore


class SimTarget(Target):
    name = "sim"

    def __init__(self, keys=None, speed: float = 0.0, tcp: bool = False, entropy: bool = True):
        super().__init__(keys)
        self._given_keys = keys is not None
        self.speed, self.tcp, self.entropy = speed, tcp, entropy
        self.key_file: str | None = None
        self._flash_dir = tempfile.TemporaryDirectory(prefix="scs-board-")  # this board's own flash
        self._start()

    def _start(self) -> None:
        # -P: never import modules from the current directory into the board process
        cmd = [sys.executable, "-P", "-m", "hil.cli", "board", "--speed", str(self.speed),
               "--flash", str(self._flash)] + (["--tcp", "0"] if self.tcp else ["--pty"])
        if not self.entropy:
            cmd += ["--deterministic-nonces"]
        if self.key_file:
            cmd += ["--keys", self.key_file]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        assert self.proc.stdout is not None and self.proc.stderr is not None  # both piped
        line = self.proc.stdout.readline()
        if "fresh keys for this run in " in line:
            self.key_file = line.split("fresh keys for this run in ", 1)[1].strip()
            if not self._given_keys:
                self.keys = KeyStore.load(self.key_file).devices[0]
            line = self.proc.stdout.readline()
        if "listening on " not in line:
            self.proc.kill()
            raise TargetError(f"the virtual board did not start: {line or self.proc.stderr.read()}")
        self.where = line.split("listening on ", 1)[1].strip()

    @property
    def _flash(self) -> Path:
        return Path(self._flash_dir.name) / "flash.bin"

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

    def _signal(self, sig, confirmation: str, bridge) -> None:
        if self.proc.poll() is not None:
            raise TargetError(f"the virtual board exited with status {self.proc.returncode}")
        self.proc.send_signal(sig)
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline()
        if confirmation not in line:
            code = self.proc.poll()
            raise TargetError(f"the virtual board exited with status {code}" if code is not None
                              else f"the virtual board did not confirm its {confirmation}: {line!r}")
        bridge.device_was_reset()

    def factory_reset(self, bridge) -> None:
        """Out of band: SIGUSR1 makes the board factory-reset its device and say so on stdout."""
        self._signal(signal.SIGUSR1, "factory reset", bridge)

    def hardware_reset(self, bridge) -> None:
        """SIGUSR2: the board's reset button."""
        self._signal(signal.SIGUSR2, "hardware reset", bridge)

    def power_cycle(self, bridge) -> None:
        """Power off (the process ends: RAM is gone) and on again on the same flash, record and keys."""
        bridge.port.close()
        stop_process(self.proc)
        self._start()
        bridge.port = self.open_port()
        bridge.device_was_reset()

    def retained_copy(self, bridge) -> bytes:
        """The security record file (the settings flash is not rolled back)."""
        return self._flash.with_suffix(".security").read_bytes()

    def relaunch(self, bridge, retained: bytes | None, entropy: bool = True) -> None:
        """Power off; the security record file replaced by ``retained`` or deleted (None); power on,
        with OS entropy in nonces or (``entropy`` False) in the deterministic test mode."""
        bridge.port.close()
        stop_process(self.proc)
        record = self._flash.with_suffix(".security")
        record.unlink(missing_ok=True)
        if retained is not None:
            record.write_bytes(retained)
        self.entropy = entropy
        self._start()
        bridge.port = self.open_port()
        bridge.device_was_reset()
