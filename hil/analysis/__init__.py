"""Analysis: logic-analyzer captures of the board's pins (`logic`) and waveforms (VCD, plots)."""

from __future__ import annotations

from hil.analysis.logic import PinCaptureError
from hil.analysis.waveforms import parse_window, write_vcd

__all__ = ["PinCaptureError", "parse_window", "write_vcd"]
