"""The link to a device: the bridge (sessions, requests, events, captures), expect-style waiting,
a fault-injecting link, and the in-process model port (`scsmodel://`)."""

from __future__ import annotations

from hil.link.bridge import Bridge, LinkError, Reply, RequestRefused
from hil.link.expect import ExpectTimeout, expect_event, wait_until
from hil.link.faultlink import Faults, FaultyLink
from hil.link.model_port import ModelSerial

__all__ = [
    "Bridge", "ExpectTimeout", "Faults", "FaultyLink", "LinkError", "ModelSerial", "Reply", "RequestRefused", "expect_event",
    "wait_until",
]
