"""Settings to and from the one binary settings image of the definition (protocol/spec/device.toml), byte for
byte the image the C board stores.

Layout: header | `max_programs` program records (program fields, then `max_areas` area records: the
AREA_WRITE payload from the waveform on, then the patient's window) | CRC-32 of everything before it.

Loading checks every field exactly as the request that set it was checked on the wire: the codec's
range checks of AREA_WRITE, PROGRAM_COMMIT, LIMITS_WRITE, PROGRAM_SELECT, STIM_SET and ADAPTIVE_SET,
then the handlers' own rules (area rules and safety limits, interleaving, windows). An image that a
sequence of accepted requests could not have produced is refused like a corrupt one.
"""

from __future__ import annotations

import struct
import zlib
from typing import Any

from firmware_model.device import rules
from firmware_model.device.adaptive import MEMORY_KEYS
from firmware_model.device.settings import AdaptiveSettings, HandshakeBackoff, ProgramSlot, Settings
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.area_fields import area_to_fields
from firmware_model.stimulation.params import Area, Program
from protocol.spec.catalog import Field, load_catalog
from protocol.spec.definition import load_definition
from protocol.wire.codec import DecodeError, decode_payload, encode_payload, make

CAT = load_catalog()
LAYOUT = load_definition().settings
FLAG_STORED, FLAG_SELECTABLE = 1, 2


class SettingsImageError(ValueError):
    """The bytes are not a settings image this device could have written."""


def _struct(fields: tuple[Field, ...]) -> struct.Struct:
    return struct.Struct("<" + "".join(f.struct_format for f in fields))


HEADER = _struct(LAYOUT.header)
PROGRAM = _struct(LAYOUT.program)
WINDOW = _struct(LAYOUT.area_extra)
AREA_MSG = CAT[LAYOUT.area_message]
AREA_BYTES = AREA_MSG.fixed_size - LAYOUT.area_skip
CRC_AT = LAYOUT.size - 4
assert HEADER.size == LAYOUT.header_size and AREA_BYTES + WINDOW.size == LAYOUT.area_record_size


def _program_at(i: int) -> int:
    return LAYOUT.header_size + i * LAYOUT.program_size


def _area_at(i: int, a: int) -> int:
    return _program_at(i) + PROGRAM.size + a * LAYOUT.area_record_size


def _remembered_fields(slot: ProgramSlot) -> tuple[int, list[int], int]:
    """(mask, low bytes, high bits) of the remembered amplitudes, in amplitude steps of 9 bits."""
    mask, low, high = 0, [0] * (MEMORY_KEYS * LAYOUT.max_areas), 0
    step = load_definition().limits["amplitude_step_ua"]
    for k, amps in enumerate(slot.remembered):
        if amps is None:
            continue
        mask |= 1 << k
        for a, ua in enumerate(amps):
            steps, bit = ua // step, k * LAYOUT.max_areas + a
            low[bit] = steps & 0xFF
            high |= (steps >> 8 & 1) << bit
    return mask, low, high


def _encode_program(out: bytearray, i: int, slot: ProgramSlot) -> None:
    mask, low, high = _remembered_fields(slot)
    flags = FLAG_STORED | (FLAG_SELECTABLE if slot.selectable else 0)
    PROGRAM.pack_into(out, _program_at(i), flags, len(slot.areas), mask, *low, high)
    for a, (area, (lo, hi)) in enumerate(zip(slot.areas, slot.limits)):
        payload = encode_payload(AREA_MSG, make(CAT, AREA_MSG.name, program=i, area=a, **area_to_fields(area)))
        at = _area_at(i, a)
        out[at:at + AREA_BYTES] = payload[LAYOUT.area_skip:]
        WINDOW.pack_into(out, at + AREA_BYTES, lo, hi)


def encode(s: Settings) -> bytes:
    """The image (`SETTINGS_SIZE` bytes, CRC included)."""
    out = bytearray(LAYOUT.size)
    HEADER.pack_into(out, 0, LAYOUT.version, s.active_program, int(s.stim_on), int(s.adaptive.enabled),
                     s.adaptive.dwell_ms, s.adaptive.ramp_ua_per_s, s.security.failed_handshakes,
                     s.security.backoff_until)
    for i, slot in enumerate(s.programs):
        if slot is not None:
            _encode_program(out, i, slot)
    struct.pack_into("<I", out, CRC_AT, zlib.crc32(bytes(out[:CRC_AT])) & 0xFFFFFFFF)
    return bytes(out)


def _request(name: str, payload: bytes, profile: DeviceProfile | None = None) -> Any:
    """The payload through the wire's decoding and range checks (and the profile's counts, if given)."""
    try:
        obj = decode_payload(CAT[name], payload)
    except DecodeError as e:
        raise SettingsImageError(f"settings image: {e}") from None
    if profile is not None:
        _refuse(rules.profile_count_problem(CAT[name], obj, profile), f"its {name} for this profile")
    return obj


def _refuse(problem: rules.Problem | None, what: str) -> None:
    if problem is not None:
        raise SettingsImageError(f"settings image: {what} would be refused with {problem[0]} ({problem[1]})")


def _decode_area(raw: bytes, i: int, a: int, profile: DeviceProfile) -> tuple[Area, Any]:
    at = _area_at(i, a)
    obj = _request(AREA_MSG.name, bytes([i, a]) + raw[at:at + AREA_BYTES], profile)
    area, problem = rules.area_problem(obj, profile)
    _refuse(problem, f"program {i} area {a}")
    assert area is not None
    return area, WINDOW.unpack_from(raw, at + AREA_BYTES)


def _decode_remembered(mask: int, low: tuple[int, ...], high: int, limits: tuple[tuple[int, int], ...],
                       step: int) -> tuple[tuple[int, ...] | None, ...]:
    out: list[tuple[int, ...] | None] = []
    for k in range(MEMORY_KEYS):
        if not mask >> k & 1:
            out.append(None)
            continue
        bits = [k * LAYOUT.max_areas + a for a in range(len(limits))]
        amps = tuple((low[b] | (high >> b & 1) << 8) * step for b in bits)
        if any(not lo <= ua <= hi for ua, (lo, hi) in zip(amps, limits)):
            raise SettingsImageError(f"settings image: remembered amplitudes {amps} outside the windows {limits}")
        out.append(amps)
    return tuple(out)


def _decode_program(raw: bytes, i: int, profile: DeviceProfile) -> ProgramSlot | None:
    flags, count, mask, *rest = PROGRAM.unpack_from(raw, _program_at(i))
    low, high = tuple(rest[:-1]), rest[-1]
    if not flags & FLAG_STORED:
        return None
    if flags & ~(FLAG_STORED | FLAG_SELECTABLE):
        raise SettingsImageError(f"settings image: program {i} has unknown flags 0x{flags:02x}")
    _request("PROGRAM_COMMIT", bytes([i, count]), profile)
    decoded = [_decode_area(raw, i, a, profile) for a in range(count)]
    areas = tuple(area for area, _ in decoded)
    _refuse(rules.commit_problem(areas, profile), f"program {i}")
    selectable = bool(flags & FLAG_SELECTABLE)
    for a, (_, (lo, hi)) in enumerate(decoded):
        req = _request("LIMITS_WRITE", CAT["LIMITS_WRITE"].struct.pack(i, a, lo, hi, int(selectable)))
        _refuse(rules.limits_problem(req, Program(areas), profile), f"program {i} area {a} window")
    limits = tuple(window for _, window in decoded)
    remembered = _decode_remembered(mask, low, high, limits, profile.amplitude_step_ua)
    return ProgramSlot(areas, limits, selectable, remembered)


def decode(raw: bytes, profile: DeviceProfile) -> Settings:
    """The settings of an image; `SettingsImageError` when it is not one this device could have written
    (another version, a bad CRC, or a field a request could not have set)."""
    if len(raw) != LAYOUT.size or struct.unpack_from("<I", raw, CRC_AT)[0] != zlib.crc32(raw[:CRC_AT]) & 0xFFFFFFFF:
        raise SettingsImageError(f"settings image: {len(raw)} bytes or CRC do not match version {LAYOUT.version}")
    version, active, stim_on, enabled, dwell_ms, ramp, _reserved, _reserved_too = HEADER.unpack_from(raw, 0)
    if version != LAYOUT.version:
        raise SettingsImageError(f"settings image version {version}, this device reads {LAYOUT.version}")
    _request("PROGRAM_SELECT", bytes([active]), profile)
    _request("STIM_SET", bytes([stim_on]))
    adaptive = _request("ADAPTIVE_SET", CAT["ADAPTIVE_SET"].struct.pack(enabled, dwell_ms, ramp))
    _refuse(rules.adaptive_problem(adaptive, profile), "the AdaptiveStim preferences")
    programs = tuple(_decode_program(raw, i, profile) for i in range(LAYOUT.max_programs))
    programs = programs[:profile.max_programs]  # the rest are empty: a stored one was refused above
    # the image's failed_handshakes and backoff_until are reserved: ignored (the back-off is in the security record)
    return Settings(programs, active, bool(stim_on), AdaptiveSettings(bool(enabled), dwell_ms, ramp),
                    HandshakeBackoff())


__all__ = ["SettingsImageError", "decode", "encode"]
