"""The device's request table: `handles` registers one handler per request, `result` and `ok` build answers.

A handler gets the device, the request's catalog entry, the decoded request and the session's role,
and returns the response message instance."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from protocol.spec import generated as dev
from protocol.spec.catalog import Catalog, Kind, Message, Role
from protocol.wire.codec import make

if TYPE_CHECKING:
    from firmware_model.device.device import Device

Handler = Callable[["Device", Message, Any, Role], Any]


HANDLERS: dict[str, Handler] = {}


def handles(name: str) -> Callable[[Handler], Handler]:
    def register(fn: Handler) -> Handler:
        if name in HANDLERS:
            raise ValueError(f"two handlers for {name}")
        HANDLERS[name] = fn
        return fn
    return register


def result(d: Device, msg: Message, name: str, field: str | int | None = None) -> Any:
    """A RESULT answer; ``field`` names the request field it is about (by name or index)."""
    index = dev.NO_FIELD
    if isinstance(field, int):
        index = field
    elif field is not None:
        index = [f.name for f in msg.fields].index(field)
    return make(d.catalog, "RESULT", request_id=msg.id, result=d.catalog.result_code(name), field=index)


def ok(d: Device, msg: Message) -> Any:
    return result(d, msg, "OK")


def check_complete(table: dict[str, Handler], catalog: Catalog) -> None:
    """Every device request of the catalog (but the session layer's) has exactly one handler, and every
    handler a request."""
    requests = {m.name for m in catalog.messages if m.kind is Kind.REQUEST} - dev.SESSION
    missing, extra = requests - table.keys(), table.keys() - requests
    if missing or extra:
        raise RuntimeError(f"device handler table does not match the catalog: missing {sorted(missing)}, "
                           f"handlers for no request {sorted(extra)}")


