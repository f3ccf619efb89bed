"""``serial:URL``: any real port or pyserial URL (``/dev/ttyACM0``, ``rfc2217://host:port``, ``socket://``)."""

from __future__ import annotations

from typing import Any

import serial

from hil.link.model_port import register
from hil.targets.base import Target, TargetError, error_text


class SerialTarget(Target):
    def __init__(self, url: str, keys=None, baudrate: int = 115200):
        super().__init__(keys)
        register()
        self.url = url
        self.name = url
        self.baudrate = baudrate

        self._port: Any = None  # a pyserial port once opened

    def open_port(self):
        """One port for the whole run: opening a remote (RFC 2217) port costs a negotiation."""
        if self._port is None or not self._port.is_open:
            try:
                self._port = serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0.05)
            except Exception as e:  # noqa: BLE001 (pyserial, OS and termios errors alike)
                raise TargetError(f"cannot open {self.url}: {error_text(e)}") from None
        try:
            self._port.reset_input_buffer()
        except Exception as e:  # noqa: BLE001 (a pty whose other side closed fails in termios)
            raise TargetError(f"{self.url} failed: {error_text(e)}") from None
        return self._port

    def bridge(self, capture=None):
        from hil.link.bridge import Bridge

        return Bridge(self.open_port(), keys=self.keys, policy=self.policy, capture=capture, name=self.name,
                      owns_port=False)

    def close(self) -> None:
        if self._port is not None:
            self._port.close()
