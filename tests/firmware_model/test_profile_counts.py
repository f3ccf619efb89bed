"""The profile's counts (contacts, programs, areas per program) are ones the wire and the settings image
carry: a profile at the definition's maxima stores its last program with every area, down to the last
contact, and a restarted device reads it back; a smaller profile refuses what lies past its own counts
with OUT_OF_RANGE naming the field, and changes nothing."""

from __future__ import annotations

import pytest

from firmware_model.device.device import DeviceConfig
from firmware_model.device.nvm import FlashSlots
from firmware_model.profiles import PROFILE_BOUNDS, DeviceProfile
from protocol.spec import generated as dev
from protocol.spec.catalog import Role
from tests.support.device_harness import CAT, KEYS, Bench, area_fields

C = Role.CLINICIAN
RATES_MHZ = (50_000, 60_000, 70_000, 80_000)


def write_program(b: Bench, program: int, areas: int, last_contact: int) -> list[dict]:
    """``areas`` tonic areas in ``program``, the last one's cathode on ``last_contact``; committed."""
    written = []
    for a in range(areas):
        cathode = last_contact if a == areas - 1 else 2 * a
        fields = area_fields(cathode=cathode, anode=cathode - 1 if cathode else 1, amplitude_ua=1000,
                             pulse_width_us=60, rate_mhz=RATES_MHZ[a % len(RATES_MHZ)])
        assert b.as_role(C, "AREA_WRITE", program=program, area=a, **fields)[1].result == CAT.result_code("OK")
        written.append(fields)
    assert b.as_role(C, "PROGRAM_COMMIT", program=program, area_count=areas)[1].result == CAT.result_code("OK")
    return written


def read_area(b: Bench, program: int, area: int) -> dict:
    name, got = b.as_role(C, "AREA_READ", program=program, area=area)
    assert name == "AREA" and got.result == CAT.result_code("OK")
    return {k: getattr(got, k) for k in area_fields()}


def test_the_count_bounds_are_the_definitions_maxima():
    assert (PROFILE_BOUNDS["contact_count"][1], PROFILE_BOUNDS["max_programs"][1], PROFILE_BOUNDS["max_areas"][1]) == (
        dev.CONTACT_COUNT, dev.MAX_PROGRAMS, dev.MAX_AREAS)


@pytest.mark.requirement("SRS-GEN-LIMITS")
def test_a_profile_at_every_count_maximum_stores_its_last_program_and_a_restart_reads_it_back():
    profile = DeviceProfile(contact_count=dev.CONTACT_COUNT, max_programs=dev.MAX_PROGRAMS, max_areas=dev.MAX_AREAS)
    flash = FlashSlots()
    b = Bench(DeviceConfig(keys=KEYS, profile=profile), flash)
    last = profile.max_programs - 1
    written = write_program(b, last, profile.max_areas, profile.contact_count - 1)
    b.device.reset(power_loss=True)
    again = Bench(DeviceConfig(keys=KEYS, profile=profile), flash)
    info = again.as_role(C, "DEVICE_INFO_GET")[1]
    assert (info.contact_count, info.max_programs, info.max_areas) == (16, 8, 4)
    assert [read_area(again, last, a) for a in range(profile.max_areas)] == written


@pytest.mark.requirement("SRS-GEN-LIMITS")
@pytest.mark.parametrize("field, request_fields", [
    ("cathode_share_pct", {"program": 0, "area": 0, **area_fields(cathode=4, anode=1)}),
    ("anode_mask", {"program": 0, "area": 0, **area_fields(cathode=0, anode=4)}),
    ("program", {"program": 1, "area": 0, **area_fields()}),
    ("area", {"program": 0, "area": 2, **area_fields()}),
])
def test_a_smaller_profile_refuses_what_lies_past_its_counts_naming_the_field(field, request_fields):
    profile = DeviceProfile(contact_count=4, max_programs=1, max_areas=2)
    b = Bench(DeviceConfig(keys=KEYS, profile=profile))
    write_program(b, 0, 2, 3)
    before = b.device.persisted_settings()
    name, got = b.as_role(C, "AREA_WRITE", **request_fields)
    assert (name, CAT.result_name(got.result)) == ("RESULT", "OUT_OF_RANGE")
    assert [f.name for f in CAT["AREA_WRITE"].fields][got.field] == field
    assert b.device.persisted_settings() == before
    info = b.as_role(C, "DEVICE_INFO_GET")[1]
    assert (info.contact_count, info.max_programs, info.max_areas) == (4, 1, 2)


@pytest.mark.requirement("SRS-GEN-FAULT-NVM_CORRUPT")
def test_an_image_holding_a_program_past_a_smaller_profiles_count_is_refused_and_an_empty_one_fits():
    from firmware_model.device import settings_codec

    full = Bench()
    write_program(full, dev.MAX_PROGRAMS - 1, 1, 2)
    image = settings_codec.encode(full.device.settings)
    small = DeviceProfile(max_programs=2)
    with pytest.raises(settings_codec.SettingsImageError, match="OUT_OF_RANGE \\(program\\)"):
        settings_codec.decode(image, small)
    empty = settings_codec.encode(Bench(DeviceConfig(keys=KEYS, profile=small)).device.settings)
    assert len(settings_codec.decode(empty, small).programs) == 2
