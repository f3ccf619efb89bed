"""Scenario errors name the key the user wrote and what is allowed (never a Python error text)."""

from __future__ import annotations

import pytest

from firmware_model.scenario.stimulation import ScenarioError, scenario_from_dict

AREA = {"cathodes": {"15": 100}, "anodes": [14], "pulse_width_us": 300, "rate_hz": 50, "amplitude_ua": 4000}


def refused(d: dict) -> ScenarioError:
    with pytest.raises(ScenarioError) as e:
        scenario_from_dict(d, "s.toml")
    return e.value


@pytest.mark.parametrize("contact", ["-1", "16", "-16", " 3", "1_0", "+1", "x", "", "٣"])
def test_an_impedance_override_on_a_contact_that_does_not_exist_is_refused(contact):
    e = refused({"impedance": {"default_ohm": 1000, "contacts": {contact: 5000}}, "area": [AREA]})
    assert e.key.startswith("impedance.contacts.") and e.reason == "a contact index 0 to 15"


def test_an_impedance_override_lands_on_the_contact_it_names():
    sc = scenario_from_dict({"impedance": {"default_ohm": 1000, "contacts": {"15": 5000, "0": 700}},
                             "area": [AREA]})
    assert sc.impedances.ohms[15] == 5000 and sc.impedances.ohms[0] == 700 and sc.impedances.ohms[14] == 1000


@pytest.mark.parametrize("imp, key", [
    ({"default_ohm": -3}, "impedance.default_ohm"),
    ({"default_ohm": 1000, "contacts": {"4": 1.5}}, 'impedance.contacts."4"'),
    ({"contacts": [1]}, "impedance.contacts"),
    ({"default": 1}, "impedance.default"),
])
def test_a_bad_impedance_names_the_key(imp, key):
    assert refused({"impedance": imp, "area": [AREA]}).key == key


@pytest.mark.parametrize("profile, key, allowed", [
    ({"converter_efficiency": 0}, "profile.converter_efficiency", "greater than 0 and at most 1"),
    ({"max_displacement_ticks": 1e20}, "profile.max_displacement_ticks", "an integer from 0 to 1000000"),
])
def test_an_efficiency_of_zero_and_a_float_displacement_are_refused_with_the_range(profile, key, allowed):
    e = refused({"profile": profile, "area": [AREA]})
    assert e.key == key and allowed in e.reason


@pytest.mark.parametrize("cycling, key", [
    ({"on_s": float("nan"), "off_s": 1}, "area[0].cycling.on_s"),
    ({"on_s": 1, "off_s": float("inf")}, "area[0].cycling.off_s"),
    ({"on_s": 1, "off_s": -1}, "area[0].cycling.off_s"),
    ({"on_s": "1", "off_s": 1}, "area[0].cycling.on_s"),
    ({"on_s": 0.0005, "off_s": 1}, "area[0].cycling.on_s"),
    ({"on_s": True, "off_s": 1}, "area[0].cycling.on_s"),
    ({"on_s": 86_400.001, "off_s": 1}, "area[0].cycling.on_s"),
])
def test_a_bad_cycling_time_names_the_key_and_the_range(cycling, key):
    e = refused({"area": [{**AREA, "cycling": cycling}]})
    assert e.key == key and "seconds from 0.001 to 86400, in whole milliseconds" in e.reason


def test_cycling_at_its_limits_is_exact_milliseconds():
    area = scenario_from_dict({"area": [{**AREA, "cycling": {"on_s": 0.001, "off_s": 86_400}}]}).program.areas[0]
    assert area.cycling is not None and (area.cycling.on_ms, area.cycling.off_ms) == (1, 86_400_000)


def test_a_nan_contact_area_names_the_profile_key_and_the_range():
    e = refused({"profile": {"contact_area_mm2": float("nan")}, "area": [AREA]})
    assert e.key == "profile.contact_area_mm2" and "a number from 1 to 50 mm2" in e.reason


HOSTILE = [0, -1, 2**63 - 1, 1e300, float("nan"), float("inf"), "12", True, [1], {"a": 1}, 1.5]
AREA_KEYS = ["cathodes", "anodes", "case_anode", "amplitude_ua", "pulse_width_us", "rate_hz", "interphase_gap_us",
             "recharge", "recharge_ratio", "passive_window_us", "pulses_per_burst", "intra_burst_rate_hz", "cycling",
             "soft_start_ms", "waveform"]


@pytest.mark.parametrize("key", AREA_KEYS)
def test_every_area_key_refuses_hostile_values_with_its_own_name(key):
    for value in HOSTILE:
        try:
            scenario_from_dict({"area": [{**AREA, key: value}]}, "s.toml")
        except ScenarioError as e:
            assert e.key.startswith("area[0].") and "allowed" in e.reason, (value, str(e))
        # any other exception fails the test: a crash is never a refusal
