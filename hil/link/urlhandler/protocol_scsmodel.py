"""``scsmodel://[?trial=1&soc=0.8&speed=0]``: a `firmware_model.Device` behind a pyserial port, in process.

Writes go straight to the device; its answers are read back like bytes from a UART. The device's
clock moves only by CLOCK_ADVANCE (no wall-clock pacing), so runs are deterministic.
"""

from __future__ import annotations

from hil.link.model_port import ModelSerial as Serial  # noqa: F401  (pyserial looks up `Serial` in this module)
