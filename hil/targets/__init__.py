"""Targets: what a test runs against. Each yields a pyserial-compatible port to the device, resets
it to factory settings, and describes itself from what the device reports (never assumed).

Specs: ``model`` (in process), ``sim`` (virtual dev board on a pty), ``qemu`` (the C firmware in
qemu-system-arm, virtual clock), ``qemu-rt`` (the same firmware in real time), ``serial:URL`` or any
pyserial URL/path (``/dev/ttyACM0``, ``rfc2217://...``, ``socket://...``).
"""

from __future__ import annotations

from hil.targets.base import Target, TargetError, TargetInfo

#: the target of `scs hil` and of the pytest plugin when none is named
DEFAULT_TARGET = "sim"


#: pyserial URL schemes that name a TCP port (a bad one gives pyserial's confusing cause)
_TCP_SCHEMES = ("socket", "rfc2217")


def check_url_port(url: str) -> None:
    """A ``socket://`` or ``rfc2217://`` URL must name a TCP port 1 to 65535; TargetError says which
    was given (the caller names the target)."""
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.scheme not in _TCP_SCHEMES:
        return
    text = parts.netloc.rpartition(":")[2] if ":" in parts.netloc else ""
    need = f"a {parts.scheme}:// URL needs HOST:PORT with PORT 1 to 65535"
    if not text:
        raise TargetError(f"the URL names no TCP port: {need}")
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise TargetError(f"TCP port {text} is not allowed: {need}")


def make_target(spec: str, **options) -> Target:
    spec = spec.strip()
    if spec == "model":
        from hil.targets.model import ModelTarget

        return ModelTarget(**options)
    if spec == "sim":
        from hil.targets.sim import SimTarget

        return SimTarget(**options)
    if spec in ("qemu", "qemu-rt"):
        from hil.targets.qemu import QemuTarget

        return QemuTarget(realtime=spec == "qemu-rt", **options)
    url = spec[len("serial:"):] if spec.startswith("serial:") else spec
    if "://" in url or url.startswith("/dev/") or url.upper().startswith("COM"):
        from hil.targets.serial_port import SerialTarget

        check_url_port(url)
        return SerialTarget(url, **options)
    raise TargetError(f"unknown target {spec!r}: model, sim, qemu, qemu-rt, serial:URL, or a pyserial URL or device path")


__all__ = ["DEFAULT_TARGET", "Target", "TargetError", "TargetInfo", "make_target"]
