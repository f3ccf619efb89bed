"""Scenario errors name the key the user wrote and what is allowed (never a Python error text)."""

from __future__ import annotations

import pytest

from firmware_model.scenario import ScenarioError, scenario_from_dict

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
