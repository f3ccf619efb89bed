"""One program format for every tool (`scs simulate`, `scs logic`, `scs board --program`).

A program file is either a scenario TOML (`stimulation.load_scenario`: areas, impedances, profile,
duration) or, ending in ``.json``, a JSON list of 1 to 4 AREA_WRITE field sets (the protocol's own
layout, `area_fields`), read as a scenario with the default profile, every contact at 1,000 ohm and a
duration of 1 s. Either way the result is a `Scenario`.

`stopped_at_turn_on` lists the areas that would stop as soon as stimulation turns on (a contact
outside the impedance window faults the area), each naming the area, the contact and the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from firmware_model.profiles import DeviceProfile
from firmware_model.scenario.stimulation import Scenario, ScenarioError, load_scenario, show
from firmware_model.stimulation.area_fields import AREA_FIELDS, area_from_fields
from firmware_model.stimulation.params import TICKS_PER_SECOND, ParameterError, Program
from firmware_model.stimulation.safety import ContactImpedances

#: contacts of an AREA_WRITE program: what a bench load box presents
AREA_FIELDS_OHM = 1000
MAX_AREAS = 4


def load_program(path: str | Path) -> Scenario:
    """A scenario TOML, or a ``.json`` list of AREA_WRITE field sets; errors name the file and key."""
    p = Path(path)
    if p.suffix.lower() != ".json":
        return load_scenario(p)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ScenarioError(str(p), "(file)", "no such file (a scenario TOML or a JSON list of AREA_WRITE "
                                              "field sets)") from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as e:
        raise ScenarioError(str(p), "(file)", f"unreadable: {e} (a JSON list of AREA_WRITE field sets)") from None
    return scenario_from_area_fields(data, str(p))


def scenario_from_area_fields(areas: object, source: str, name: str | None = None) -> Scenario:
    """AREA_WRITE field sets (``program`` and ``area`` keys, when present, are ignored) as a scenario."""
    if not isinstance(areas, list) or not 1 <= len(areas) <= MAX_AREAS or not all(isinstance(a, dict) for a in areas):
        raise ScenarioError(source, "(program)", f"a JSON list of 1 to {MAX_AREAS} objects of AREA_WRITE fields")
    profile = DeviceProfile()
    built = []
    for i, fields in enumerate(areas):
        missing = [f for f in AREA_FIELDS if f not in fields]
        if missing:
            raise ScenarioError(source, f"area[{i}].{missing[0]}", f"missing (AREA_WRITE fields: {', '.join(AREA_FIELDS)})")
        try:
            built.append(area_from_fields(fields, profile))
        except ParameterError as e:
            raise ScenarioError(source, f"area[{i}].{e.field}", f"{show(e.value)} is not allowed: {e.allowed}") from None
        except (TypeError, ValueError) as e:
            raise ScenarioError(source, f"area[{i}]", str(e)) from None
    title = name or Path(source).stem
    return Scenario(title, Program(tuple(built), name=title), profile,
                    ContactImpedances.uniform(AREA_FIELDS_OHM, profile), TICKS_PER_SECOND)


@dataclass(frozen=True)
class StoppedArea:
    """An area that stops at turn-on: one of its contacts is outside the impedance window."""

    area: int
    contact: int
    ohm: int
    reason: str

    def __str__(self) -> str:
        return f"area {self.area} stops at turn-on: contact {self.contact} is {self.ohm} ohm, {self.reason}"


def stopped_at_turn_on(sc: Scenario) -> list[StoppedArea]:
    """Every (area, contact) the device would fault at turn-on, in area and contact order."""
    lo, hi = sc.profile.impedance_short_ohm, sc.profile.impedance_open_ohm
    faulted = sc.impedances.faulted(sc.profile)
    out = []
    for i, a in enumerate(sc.program.areas):
        for c in sorted(faulted & set(a.contacts.used)):
            ohm = sc.impedances.ohms[c]
            side = "open (above" if ohm > hi else "shorted (below"
            out.append(StoppedArea(i, c, ohm, f"{side} the impedance window {lo} to {hi} ohm): the area is faulted"))
    return out
