"""One settings image: the model and the C core persist the same bytes, read each other's images, and
check a loaded image field by field as the requests that set it were checked on the wire."""

from __future__ import annotations

import struct
import zlib
from typing import Any

import pytest

from firmware_model.device.device import DeviceConfig
from firmware_model.device.nvm import FlashSlots, encode_image
from hil.harness.conformance.support import FOUR_AREAS
from protocol.spec import generated as dev
from protocol.spec.catalog import CatalogError, Role, load_catalog
from protocol.spec.definition import definition_text, load_definition, parse_definition
from tests.support.board_core import CBench as _CBench
from tests.support.device_harness import Bench
from tests.support.protocol_harness import KEYS

CAT = load_catalog()
LAYOUT = load_definition().settings
NVM_FAULT = 1 << dev.FaultCode.NVM_CORRUPT


def _requests() -> list[tuple[Role, str, dict[str, Any]]]:
    """Every program slot with four areas, windows, remembered amplitudes and AdaptiveStim preferences:
    the most a device holds."""
    out: list[tuple[Role, str, dict[str, Any]]] = []
    for p in range(dev.MAX_PROGRAMS):
        for a, fields in enumerate(FOUR_AREAS):
            out.append((Role.CLINICIAN, "AREA_WRITE", dict(program=p, area=a, **fields)))
        out.append((Role.CLINICIAN, "PROGRAM_COMMIT", dict(program=p, area_count=len(FOUR_AREAS))))
        out.append((Role.CLINICIAN, "LIMITS_WRITE", dict(program=p, area=p % 4, min_amplitude_ua=500,
                                                         max_amplitude_ua=1500, patient_selectable=p % 2)))
        out.append((Role.CLINICIAN, "PROGRAM_SELECT", dict(program=p)))
        out.append((Role.CLINICIAN, "AMPLITUDE_STEP", dict(area=255, steps=-(p + 1))))
    out.append((Role.CLINICIAN, "ADAPTIVE_SET", dict(enabled=1, dwell_ms=1234, ramp_ua_per_s=250)))
    out.append((Role.CLINICIAN, "PROGRAM_SELECT", dict(program=3)))
    out.append((Role.CLINICIAN, "STIM_SET", dict(on=1)))
    return out


def _model_ask(b: Bench, role: Role, name: str, **fields: Any) -> Any:
    return b.as_role(role, name, **fields)[1]


def _state(ask) -> list[Any]:
    """Everything the settings determine, as a host reads it."""
    out: list[Any] = []
    for p in range(dev.MAX_PROGRAMS):
        for a in range(dev.MAX_AREAS):
            out.append(ask(Role.CLINICIAN, "AREA_READ", program=p, area=a))
            out.append(ask(Role.CLINICIAN, "LIMITS_READ", program=p, area=a))
    st = ask(Role.CLINICIAN, "STATUS_GET")
    return out + [(st.stim_on, st.active_program, st.amplitude_ua, st.fault_flags)]


def _model_with(requests) -> Bench:
    b = Bench()
    for role, name, fields in requests:
        _model_ask(b, role, name, **fields)
    return b


def _model_booting(image: bytes) -> Bench:
    flash = FlashSlots()
    flash.program(0, 0, encode_image(1, image))
    return Bench(DeviceConfig(keys=KEYS), flash)


@pytest.fixture(scope="module")
def full() -> tuple[Bench, _CBench]:
    model, board = Bench(), _CBench()
    for role, name, fields in _requests():
        _model_ask(model, role, name, **fields)
        board.ask(role, name, **fields)
    return model, board


def test_the_image_holds_every_program_slot_with_every_area_and_fits_its_slot(full):
    model, _ = full
    image = model.device.store.load()[1]
    assert len(image) == dev.SETTINGS_SIZE and dev.SETTINGS_SIZE + 16 <= dev.SETTINGS_SLOT_SIZE
    assert all(p is not None and len(p.areas) == dev.MAX_AREAS for p in model.device.persisted_settings().programs)


@pytest.mark.requirement("SRS-GEN-RESULT-STORAGE_ERROR")
def test_filling_every_settings_slot_is_stored_with_ok_on_both_sides_never_storage_error():
    """STORAGE_ERROR is the answer exactly when the settings can't be written; the most a device holds
    always fits its slot (the definition refuses a layout that does not), so neither side answers it."""
    model, board = Bench(), _CBench()
    persisting = [(r, n, f) for r, n, f in _requests() if CAT[n].changes_state]
    answers = {(CAT.result_name(_model_ask(model, r, n, **f).result), CAT.result_name(board.ask(r, n, **f).result))
               for r, n, f in persisting}
    assert "STORAGE_ERROR" not in {a for pair in answers for a in pair}
    assert ("OK", "OK") in answers and all(m == c for m, c in answers), answers
    assert board.image() == model.device.store.load()[1], "the C core stored what the model stored"


def test_the_model_and_the_c_core_write_the_same_image_for_the_same_requests(full):
    model, board = full
    assert model.device.store.load()[1] == board.image()


def test_an_image_written_by_the_model_boots_the_c_core_with_the_same_settings(full):
    model, _ = full
    board = _CBench()
    board.install(model.device.store.load()[1])
    assert _state(board.ask) == _state(lambda r, n, **f: _model_ask(model, r, n, **f))
    assert board.ask(Role.PATIENT, "STATUS_GET").fault_flags & NVM_FAULT == 0


def test_an_image_written_by_the_c_core_boots_the_model_with_the_same_settings(full):
    model, board = full
    booted = _model_booting(board.image())
    assert booted.device.persisted_settings() == model.device.persisted_settings()
    assert _state(lambda r, n, **f: _model_ask(booted, r, n, **f)) == _state(board.ask)


def _patched(image: bytes, offset: int, data: bytes) -> bytes:
    """The image with bytes replaced and its CRC made valid again (a well-formed but wrong image)."""
    out = bytearray(image)
    out[offset:offset + len(data)] = data
    struct.pack_into("<I", out, len(out) - 4, zlib.crc32(bytes(out[:-4])) & 0xFFFFFFFF)
    return bytes(out)


def _area_field_offset(program: int, area: int, field: str) -> int:
    msg = CAT[LAYOUT.area_message]
    off = dict((f.name, o) for f, o in msg.offsets())[field] - LAYOUT.area_skip
    return LAYOUT.header_size + program * LAYOUT.program_size + LAYOUT.program_fields_size \
        + area * LAYOUT.area_record_size + off


HEADER = {f.name: o for f, o in zip(LAYOUT.header, [sum(g.size for g in LAYOUT.header[:i])
                                                      for i in range(len(LAYOUT.header))])}
BAD_IMAGES = {
    "active program past the last slot": (HEADER["active_program"], bytes([dev.MAX_PROGRAMS])),
    "an area with zero rate": (_area_field_offset(0, 0, "rate_mhz"), (0).to_bytes(4, "little")),
    "an amplitude above the charge limit": (_area_field_offset(0, 0, "pulse_width_us"), (1000).to_bytes(2, "little")),
    "stimulation flag not 0 or 1": (HEADER["stim_on"], bytes([2])),
    "AdaptiveStim ramp not a whole step": (HEADER["ramp_ua_per_s"], (75).to_bytes(2, "little")),
    "a window above the area's safe maximum": (_area_field_offset(0, 0, "soft_start_ms") + 2 + 2,
                                               (25500).to_bytes(2, "little")),
    "an older layout version": (HEADER["version"], bytes([LAYOUT.version - 1])),
    "program flags with an unknown bit": (LAYOUT.header_size, bytes([0x81])),
    "a program with more areas than a program holds": (LAYOUT.header_size + 1, bytes([dev.MAX_AREAS + 1])),
    "an AdaptiveStim dwell out of range": (HEADER["dwell_ms"], (0xFFFFFFFF).to_bytes(4, "little")),
    "a window whose minimum is above its maximum": (_area_field_offset(0, 0, "soft_start_ms") + 2,
                                                    (25000).to_bytes(2, "little")),
}


@pytest.mark.requirement("SRS-GEN-FAULT-NVM_CORRUPT")
@pytest.mark.parametrize("what", sorted(BAD_IMAGES))
def test_an_image_no_request_could_have_written_boots_both_sides_to_safe_defaults(full, what):
    model, _ = full
    offset, data = BAD_IMAGES[what]
    bad = _patched(model.device.store.load()[1], offset, data)
    booted = _model_booting(bad)
    st = booted.status()
    assert (st.stim_on, st.fault_flags & NVM_FAULT) == (0, NVM_FAULT), f"model: {what}"
    assert booted.device.settings.programs == (None,) * dev.MAX_PROGRAMS
    board = _CBench()
    board.install(bad)
    st = board.ask(Role.PATIENT, "STATUS_GET")
    assert (st.stim_on, st.fault_flags & NVM_FAULT) == (0, NVM_FAULT), f"C core: {what}"
    assert board.ask(Role.CLINICIAN, "AREA_READ", program=0, area=0).result == CAT.result_code("WRONG_STATE")


@pytest.mark.requirement("SRS-GEN-RESULT-STORAGE_ERROR")
def test_a_settings_layout_that_does_not_fit_its_slot_is_refused_when_the_definition_loads():
    text = definition_text().replace("slot_size = 2048", "slot_size = 1024")
    with pytest.raises(CatalogError, match="does not fit"):
        parse_definition(text, CAT)
