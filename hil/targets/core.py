"""``core``: the board's portable C core in process, through its host build (hil.board.host).

The same C code as the STM32 image (hil/board/core) on the host port: a virtual clock, simulated
flash, no hardware-timed output and no processor faults. The evidence bundle runs the conformance
suite on it with the coverage-instrumented library (hil.evidence.coverage)."""

from __future__ import annotations

import serial

from hil.board.host import BoardCore
from hil.link.model_port import ModelSerial
from hil.targets.base import Target
from protocol.wire.reliability import RetryPolicy


class CoreSerial(ModelSerial):
    """The C core behind the pyserial API: each write is one call of its receive function."""

    def __init__(self, *args, core: BoardCore, **kwargs):
        self.core = core
        super().__init__(*args, **kwargs)

    def open(self) -> None:
        if self._port is None:
            raise serial.SerialException("port must be set: scscore://")
        self.server = self.core  # type: ignore[assignment]  # receive(bytes) -> bytes, as a DeviceServer
        self.is_open = True


class CoreTarget(Target):
    name = "core"
    policy = RetryPolicy(timeout_s=0.2, attempts=3)
    watchdog = True  # FAULT_INJECT HANG: the core simulates the watchdog reset (fw.c simulated_fault), as the model

    def __init__(self, keys=None):
        super().__init__(keys)
        self.core = BoardCore(self.keys)

    def open_port(self):
        return CoreSerial("scscore://", core=self.core, timeout=0.05)

    def hardware_reset(self, bridge) -> None:
        self.core.hardware_reset()
        bridge.device_was_reset()

    def power_cycle(self, bridge) -> None:
        self.core.power_cycle()
        bridge.device_was_reset()
