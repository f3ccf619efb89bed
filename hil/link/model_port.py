"""Pyserial-compatible ports that are not a UART: the in-process device model.

`ModelSerial` implements the subset of `serial.SerialBase` the bridge and pyserial users rely on
(read/write with timeouts, in_waiting, reset_input_buffer, close), so every layer above it runs
unchanged against the model, a pty, a TCP socket or a real port.
"""

from __future__ import annotations

import threading
import time
import urllib.parse

import serial

from firmware_model.device.device import Device, DeviceConfig
from hil.sim.server import DeviceServer
from protocol.spec.generated import INITIAL_SOC

HANDLER_PACKAGE = "hil.link.urlhandler"


def register() -> None:
    """Make ``scsmodel://`` URLs known to ``serial.serial_for_url``."""
    if HANDLER_PACKAGE not in serial.protocol_handler_packages:
        serial.protocol_handler_packages.append(HANDLER_PACKAGE)


def default_keys():
    """The published test keys (docs/protocol.md's test vectors) of in-process test devices. Never a
    product's keys: `scs board` and the firmware build make fresh keys when given none."""
    from protocol.session import DeviceKeys

    return DeviceKeys(0x5C5000000001, bytes(range(32)), bytes(range(32, 64)), bytes(range(64, 96)))


class ModelSerial(serial.SerialBase):
    """A device model behind the pyserial API. ``device`` may be given to share one with a target."""

    def __init__(self, *args, device: Device | None = None, **kwargs):
        self.device = device
        self._rx = bytearray()
        self._cond = threading.Condition()
        self.server: DeviceServer | None = None
        super().__init__(*args, **kwargs)

    def open(self) -> None:
        if self._port is None:
            raise serial.SerialException("port must be set: scsmodel://")
        if self.device is None:
            self.device = Device(self._config_from_url(self._port))
        self.server = DeviceServer(self.device)
        self.is_open = True

    @staticmethod
    def _config_from_url(url: str) -> DeviceConfig:
        parts = urllib.parse.urlsplit(url)
        if parts.scheme != "scsmodel":
            raise serial.SerialException(f"expected a URL scsmodel://..., not {url!r}")
        opts = urllib.parse.parse_qs(parts.query)
        try:
            return DeviceConfig(keys=default_keys(), trial=opts.get("trial", ["0"])[0] == "1",
                                initial_soc=float(opts.get("soc", [str(INITIAL_SOC)])[0]))
        except ValueError as e:
            raise serial.SerialException(f"bad option in {url!r}: {e} (allowed: trial=0|1, soc=0..1)") from None

    def close(self) -> None:
        self.is_open = False
        with self._cond:
            self._cond.notify_all()

    def _reconfigure_port(self) -> None:  # nothing to configure: no baud rate in process
        pass

    @property
    def in_waiting(self) -> int:
        return len(self._rx)

    def write(self, data: bytes) -> int:
        if not self.is_open:
            raise serial.PortNotOpenError()
        with self._cond:
            assert self.server is not None  # open ports have a server
            out = self.server.receive(bytes(data))
            self._rx += out
            self._cond.notify_all()
        return len(data)

    def read(self, size: int = 1) -> bytes:
        if not self.is_open:
            raise serial.PortNotOpenError()
        deadline = None if self._timeout is None else time.monotonic() + self._timeout
        with self._cond:
            while len(self._rx) < size and self.is_open:
                if deadline is None:
                    self._cond.wait()
                    continue
                left = deadline - time.monotonic()
                if left <= 0:
                    break
                self._cond.wait(left)
            out = bytes(self._rx[:size])
            del self._rx[:size]
            return out

    def reset_input_buffer(self) -> None:
        with self._cond:
            self._rx.clear()

    def reset_output_buffer(self) -> None:
        pass

    def flush(self) -> None:
        pass
