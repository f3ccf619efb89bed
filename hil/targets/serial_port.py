"""``serial:URL``: any real port or pyserial URL (``/dev/ttyACM0``, ``rfc2217://host:port``, ``socket://``)."""

from __future__ import annotations

import serial

from hil.ports import register
from hil.targets.base import Target, TargetError


class SerialTarget(Target):
    def __init__(self, url: str, keys=None, baudrate: int = 115200):
        super().__init__(keys)
        register()
        self.url = url
        self.name = url
        self.baudrate = baudrate

    def open_port(self):
        try:
            return serial.serial_for_url(self.url, baudrate=self.baudrate, timeout=0.05)
        except (serial.SerialException, ValueError) as e:
            raise TargetError(f"cannot open {self.url}: {e}") from None
