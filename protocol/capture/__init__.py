"""Recorded sessions: the capture format, its decoded view, the conformance checker and pcapng export."""

from __future__ import annotations

from protocol.capture.checker import Checker, Violation
from protocol.capture.format import CaptureError, CaptureWriter, parse_capture, read_capture
from protocol.capture.pcapng import export_pcapng
from protocol.capture.view import decode_capture, render

__all__ = [
    "CaptureError", "CaptureWriter", "Checker", "Violation", "decode_capture", "export_pcapng", "parse_capture", "read_capture",
    "render",
]
