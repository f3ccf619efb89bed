"""Serve a `firmware_model.Device` over bytes: the device side of every simulated target.

Joins the protocol's `DeviceEndpoint` (framing, sessions, exactly-once) to the device model, moves
security events into the device's log, sends the device's events as EVENT frames, and applies a
RESET after its answer went out.
"""

from __future__ import annotations

from firmware_model.device.device import Device
from protocol.session.endpoint import DeviceEndpoint
from protocol.spec.catalog import load_catalog
from protocol.wire.codec import make


class DeviceServer:
    def __init__(self, device: Device, send_events: bool = True):
        self.device = device
        self.catalog = load_catalog()
        self.send_events = send_events
        self._boot = -1
        self._new_endpoint()

    def _new_endpoint(self) -> None:
        d = self.device
        self.endpoint = DeviceEndpoint(self.catalog, d.guard, d.execute, lambda: d.clock)
        self._boot = d.boot_count

    def receive(self, data: bytes) -> bytes:
        """Bytes from the host in; bytes for the host out (responses, then pending events)."""
        d = self.device
        if d.boot_count != self._boot:  # the device rebooted: RAM state of the link is gone too
            self._new_endpoint()
        out = bytearray()
        for item in self.endpoint.decoder.feed(data):
            out += self.endpoint.handle(item)
            d.record_security_events()
            if d.pending_reset is not None or d.pending_fault is not None:
                out += self.drain_events()
                d.after_response()
                self._new_endpoint()
        out += self.drain_events()
        return bytes(out)

    def drain_events(self) -> bytes:
        """EVENT frames of what happened since the last call. Only inside a session (they describe the
        patient's therapy); without one they stay in the event log for EVENT_LOG_READ."""
        d = self.device
        events, d.outbox = d.outbox, []
        if not self.send_events or d.guard.session is None:
            return b""
        return b"".join(self.endpoint.event(make(self.catalog, "EVENT", tick=t, kind=k, code=c, detail=x & 0xFFFFFFFF))
                        for t, k, c, x in events)
