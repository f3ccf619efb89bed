"""Settings to and from the bytes stored in a flash slot."""

from __future__ import annotations

import json

from firmware_model.area_fields import area_from_fields, area_to_fields
from firmware_model.profiles import DeviceProfile
from firmware_model.settings import AdaptiveSettings, HandshakeBackoff, ProgramSlot, Settings


def encode(s: Settings) -> bytes:
    programs = [None if p is None else {"areas": [area_to_fields(a) for a in p.areas], "limits": p.limits,
                                        "selectable": p.selectable, "remembered": p.remembered}
                for p in s.programs]
    doc = {"programs": programs, "active_program": s.active_program, "stim_on": s.stim_on,
           "adaptive": [s.adaptive.enabled, s.adaptive.dwell_ms, s.adaptive.ramp_ua_per_s],
           "security": [s.security.failed_handshakes, s.security.backoff_until]}
    return json.dumps(doc, sort_keys=True, separators=(",", ":")).encode()


def _program(p: dict | None, profile: DeviceProfile) -> ProgramSlot | None:
    if p is None:
        return None
    areas = tuple(area_from_fields({k: tuple(v) if isinstance(v, list) else v for k, v in f.items()}, profile)
                  for f in p["areas"])
    return ProgramSlot(areas, tuple((lo, hi) for lo, hi in p["limits"]), bool(p["selectable"]),
                       tuple(None if r is None else tuple(r) for r in p["remembered"]))


def decode(raw: bytes, profile: DeviceProfile) -> Settings:
    doc = json.loads(raw)
    return Settings(tuple(_program(p, profile) for p in doc["programs"]), doc["active_program"], doc["stim_on"],
                    AdaptiveSettings(*doc["adaptive"]), HandshakeBackoff(*doc["security"]))
