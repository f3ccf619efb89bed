"""The virtual dev board: `firmware_model.device.Device` served on a pty or TCP port from its own process."""

from __future__ import annotations

from hil.sim.board import BoardServer, run_board
from hil.sim.server import DeviceServer
from hil.sim.state import FileSlots

__all__ = ["BoardServer", "DeviceServer", "FileSlots", "run_board"]
