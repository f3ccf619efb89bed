"""One handler per device request, and the table the device dispatches through.

A handler gets the device, the request's catalog entry, the decoded request and the session's role,
and returns the response message instance. `HANDLERS` is built once at import and checked against
the catalog then: a request without a handler (or a handler for no request) fails at load, not at
the first request.
"""

from __future__ import annotations

from firmware_model.device import handlers_read, handlers_test, handlers_therapy  # noqa: F401  (they register)
from firmware_model.device.handler_table import HANDLERS, Handler, check_complete, result
from protocol.spec.catalog import load_catalog

check_complete(HANDLERS, load_catalog())

__all__ = ["HANDLERS", "Handler", "check_complete", "result"]
