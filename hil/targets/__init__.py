"""Targets: what a test runs against. Each yields a pyserial-compatible port to the device, resets
it to factory settings, and describes itself from what the device reports (never assumed).

Specs: ``model`` (in process), ``sim`` (virtual dev board on a pty), ``qemu`` (the C firmware in
qemu-system-arm, virtual clock), ``qemu-rt`` (the same firmware in real time), ``serial:URL`` or any
pyserial URL/path (``/dev/ttyACM0``, ``rfc2217://...``, ``socket://...``), or a lab's own target
registered in the ``scs_hil.targets`` entry-point group (`hil.targets.registry`).
"""

from __future__ import annotations

from hil.targets.base import Target, TargetError, TargetInfo
from hil.targets.registry import DEFAULT_TARGET, GROUP, check_url_port, make_target, registered

__all__ = ["DEFAULT_TARGET", "GROUP", "Target", "TargetError", "TargetInfo", "check_url_port", "make_target", "registered"]
