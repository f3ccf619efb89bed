"""The device: the state machine behind the protocol (`Device`), its request handlers and rules,
settings and their image, event log, faults, leads, AdaptiveStim, power supervision and pulse output."""

from __future__ import annotations

from firmware_model.device.device import Device, DeviceConfig
from firmware_model.device.eventlog import EventKind, EventLog
from firmware_model.device.handlers import HANDLERS
from firmware_model.device.settings import Settings

__all__ = ["Device", "DeviceConfig", "EventKind", "EventLog", "HANDLERS", "Settings"]
