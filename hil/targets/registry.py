"""The target registry: target names mapped to factories through the entry-point group ``scs_hil.targets``.

scs-hil registers its own targets there (``model``, ``sim``, ``qemu``, ``qemu-rt``, ``serial``) in its
``pyproject.toml``; a lab adds its own in its package's metadata, for example::

    [project.entry-points."scs_hil.targets"]
    bench7 = "mylab.targets:Bench7Target"

A factory is called as ``factory(**options)`` (``serial`` as ``factory(url, **options)``) and returns a
`Target`. A spec that names no registered target but is a pyserial URL (``rfc2217://``, ``socket://``)
or a device path (``/dev/ttyACM0``, ``COM3``) is a ``serial`` target.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.metadata import entry_points
from urllib.parse import urlsplit

from hil.targets.base import Target, TargetError

GROUP = "scs_hil.targets"
#: the target of `scs hil` and of the pytest plugin when none is named
DEFAULT_TARGET = "sim"
#: pyserial URL schemes that name a TCP port (a bad one gives pyserial's confusing cause)
_TCP_SCHEMES = ("socket", "rfc2217")


def registered() -> dict[str, Callable[[], Callable[..., Target]]]:
    """Every registered target name and the loader of its factory (loaded on use, so a broken lab
    plugin only fails when it is named)."""
    return {ep.name: ep.load for ep in entry_points(group=GROUP)}


def check_url_port(url: str) -> None:
    """A ``socket://`` or ``rfc2217://`` URL must name a TCP port 1 to 65535; TargetError says which
    was given (the caller names the target)."""
    parts = urlsplit(url)
    if parts.scheme not in _TCP_SCHEMES:
        return
    text = parts.netloc.rpartition(":")[2] if ":" in parts.netloc else ""
    need = f"a {parts.scheme}:// URL needs HOST:PORT with PORT 1 to 65535"
    if not text:
        raise TargetError(f"the URL names no TCP port: {need}")
    if not text.isdigit() or not 1 <= int(text) <= 65535:
        raise TargetError(f"TCP port {text} is not allowed: {need}")


def _is_port(spec: str) -> bool:
    return "://" in spec or spec.startswith("/dev/") or spec.upper().startswith("COM")


def make_target(spec: str, **options) -> Target:
    """The target a spec names: a registered name, ``serial:URL``, or a pyserial URL or device path."""
    spec = spec.strip()
    loaders = registered()
    if spec in loaders and spec != "serial":
        return loaders[spec]()(**options)
    url = spec[len("serial:"):] if spec.startswith("serial:") else spec
    if _is_port(url) and "serial" in loaders:
        check_url_port(url)
        return loaders["serial"]()(url, **options)
    names = ", ".join(sorted(n for n in loaders if n != "serial")) or "none (is scs-hil installed? pip install -e .)"
    raise TargetError(f"unknown target {spec!r}: one of {names}, serial:URL, or a pyserial URL or device path")
