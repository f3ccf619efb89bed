"""``labgrid``: a board on a labgrid place (the board farm engine labs use for shared boards).

With ``pytest --lg-env env.yaml`` (labgrid's pytest plugin), the scs target is the serial port of the
environment's target (default ``main``): a ``NetworkSerialPort`` that the place's exporter serves through
ser2net, usually reached through a ``RemotePlace`` acquired from the coordinator beforehand
(``labgrid-client -p PLACE acquire``). The port becomes an ``rfc2217://HOST:PORT?ign_set_control`` URL
(ser2net on a pty or a board without modem lines never acknowledges modem control) or, for a raw
TCP export, ``socket://HOST:PORT``; the rest is the serial target (factory reset over the protocol).
See the README's lab setup.
"""

from __future__ import annotations

from typing import Any

from hil.targets.base import TargetError

DEFAULT_LG_TARGET = "main"


def url_for(port: Any) -> str:
    """A pyserial URL for a labgrid ``NetworkSerialPort`` (or a local ``SerialPort``)."""
    host, number = getattr(port, "host", None), getattr(port, "port", None)
    if host is None:  # a local SerialPort resource: its device path
        return str(number)
    if number is None:
        raise TargetError(f"labgrid resource {port!r} has no TCP port: is its exporter running?")
    protocol = getattr(port, "protocol", "rfc2217")
    if protocol == "rfc2217":
        return f"rfc2217://{host}:{number}?ign_set_control"
    if protocol == "raw":
        return f"socket://{host}:{number}"
    raise TargetError(f"labgrid NetworkSerialPort protocol {protocol!r} is not supported: rfc2217 or raw")


def serial_url(env: Any, target_name: str = DEFAULT_LG_TARGET) -> str:
    """The URL of the serial port of ``target_name`` in labgrid environment ``env``."""
    from labgrid.resource import NetworkSerialPort, SerialPort

    if env is None:
        raise TargetError("labgrid: no environment: give pytest --lg-env FILE (or LG_ENV)")
    target = env.get_target(target_name)
    if target is None:
        raise TargetError(f"labgrid: the environment has no target {target_name!r}")
    for cls in (NetworkSerialPort, SerialPort):
        try:
            port = target.get_resource(cls, wait_avail=True)
        except Exception:  # noqa: BLE001 (labgrid raises NoResourceFoundError or a timeout; try the next kind)
            continue
        return url_for(port)
    raise TargetError(f"labgrid: target {target_name!r} has no NetworkSerialPort or SerialPort: is the place "
                      "acquired (labgrid-client -p PLACE acquire) and its exporter running?")


def url_from_config(config: Any) -> str:
    """The serial URL of labgrid's ``--lg-env`` environment in a pytest run."""
    try:
        from labgrid.pytestplugin.hooks import LABGRID_ENV_KEY
    except ImportError:
        raise TargetError("labgrid is not installed: pip install 'scs-hil[lab]'") from None
    try:
        return serial_url(config.stash.get(LABGRID_ENV_KEY, None))
    except TargetError:
        raise
    except Exception as e:  # noqa: BLE001 (coordinator unreachable, place not acquired, ...: one message)
        raise TargetError(f"labgrid: {type(e).__name__}: {e}") from None
