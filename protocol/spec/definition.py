"""The device definition (`device.toml`, beside `messages.toml`) as typed, checked values.

`load_definition()` reads it once and checks it against the catalog: unique enum names and values,
every message it names is a request of the catalog, the limits the catalog's ranges must agree with,
and the settings image fits its slot. The generators (`protocol.codegen`) turn it into the Python
constants module, the C header and the docs; code reads the generated constants, not this module.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from protocol.spec.catalog import Catalog, CatalogError, Field, _field, load_catalog
from protocol.spec.charge_limit import max_cathode_charge_pc

NVM_OVERHEAD = 16   # slot framing: magic u32, sequence u32, length u32 ... CRC-32 u32
IMAGE_CRC_SIZE = 4


@dataclass(frozen=True)
class EnumMember:
    name: str
    value: int
    doc: str = ""
    label: str = ""     # how a person reads it (defaults to the name)
    codes: str = ""     # EventKind: the enum naming this kind's codes ("Result": the catalog's results)


@dataclass(frozen=True)
class EnumDef:
    name: str
    kind: str                       # "enum" or "flags"
    doc: str
    members: tuple[EnumMember, ...]

    @property
    def c_name(self) -> str:
        """SCS_<UPPER_SNAKE> prefix of the members in C."""
        out = "".join("_" + ch if ch.isupper() and i else ch for i, ch in enumerate(self.name))
        return "SCS_" + out.upper()

    def value(self, member: str) -> int:
        for m in self.members:
            if m.name == member:
                return m.value
        raise KeyError(f"{self.name}.{member}")


@dataclass(frozen=True)
class SettingsLayout:
    """The binary settings image: header | programs x (program fields | areas x area record) | CRC-32."""

    version: int
    magic: int
    slot_size: int
    page_size: int
    memory_keys: int
    max_programs: int
    max_areas: int
    header: tuple[Field, ...]
    program: tuple[Field, ...]
    area_fields: tuple[Field, ...]      # the AREA_WRITE fields stored (from waveform on)
    area_extra: tuple[Field, ...]       # then the patient's window
    area_message: str
    area_skip: int

    @staticmethod
    def _size(fields: tuple[Field, ...]) -> int:
        return sum(f.size for f in fields)

    @property
    def header_size(self) -> int:
        return self._size(self.header)

    @property
    def area_record_size(self) -> int:
        return self._size(self.area_fields) + self._size(self.area_extra)

    @property
    def program_fields_size(self) -> int:
        return self._size(self.program)

    @property
    def program_size(self) -> int:
        return self.program_fields_size + self.max_areas * self.area_record_size

    @property
    def size(self) -> int:
        """Bytes of the whole image, CRC included."""
        return self.header_size + self.max_programs * self.program_size + IMAGE_CRC_SIZE


@dataclass(frozen=True)
class SecurityRecordLayout:
    """The security record in one slot of 32-bit words: header | role record x keyed roles | CRC-32."""

    slot_words: int
    keyed_roles: int
    header: tuple[Field, ...]
    role: tuple[Field, ...]

    @property
    def header_size(self) -> int:
        return sum(f.size for f in self.header)

    @property
    def role_size(self) -> int:
        return sum(f.size for f in self.role)

    @property
    def body_size(self) -> int:
        """Bytes the CRC-32 covers."""
        return self.header_size + self.keyed_roles * self.role_size

    @property
    def size(self) -> int:
        """Bytes of the record, CRC included."""
        return self.body_size + IMAGE_CRC_SIZE

    @property
    def struct_format(self) -> str:
        """The body for Python's struct (little-endian): header, then the role records."""
        role = "".join(f.struct_format for f in self.role)
        return "<" + "".join(f.struct_format for f in self.header) + role * self.keyed_roles


@dataclass(frozen=True)
class Definition:
    enums: tuple[EnumDef, ...]
    mri_allowed: frozenset[str]
    mri_stop_only: frozenset[str]
    test_only: frozenset[str]
    session: frozenset[str]
    limits: dict[str, Any]
    fuel_gauge: dict[str, Any]
    security: dict[str, int]
    settings: SettingsLayout
    security_record: SecurityRecordLayout

    def enum(self, name: str) -> EnumDef:
        for e in self.enums:
            if e.name == name:
                return e
        raise KeyError(name)

    @property
    def max_cathode_charge_pc(self) -> int:
        """Largest charge per phase on one cathode (pC) within both the Shannon and the density limit:
        Q <= sqrt(10^k * A) and Q <= limit * A (uC, A in cm2); an integer so every side compares alike."""
        lim = self.limits
        return cathode_charge_limit_pc(lim["contact_area_mm2"], lim["charge_density_limit_uc_cm2"], lim["shannon_k"])


def cathode_charge_limit_pc(contact_area_mm2: float, density_limit_uc_cm2: float, shannon_k: float) -> int:
    """Largest charge per phase on one cathode (pC) within both limits: Shannon log10(D) + log10(Q) <= k
    (D = Q/A, uC/cm2 and uC) gives Q^2 <= 10^k * A; the density limit gives Q <= limit * A. Exact
    (no floating point): `protocol.spec.charge_limit`."""
    return max_cathode_charge_pc(contact_area_mm2, density_limit_uc_cm2, shannon_k)


def _enum(d: dict) -> EnumDef:
    members = tuple(EnumMember(m["name"], m["value"], m.get("doc", ""), m.get("label", m["name"].lower().replace("_", " ")),
                               m.get("codes", "")) for m in d["members"])
    e = EnumDef(d["name"], d.get("kind", "enum"), d.get("doc", ""), members)
    if len({m.name for m in members}) != len(members) or len({m.value for m in members}) != len(members):
        raise CatalogError(f"enum {e.name}: member names and values must be unique")
    if e.kind == "flags" and any(m.value <= 0 or m.value & (m.value - 1) for m in members):
        raise CatalogError(f"flags {e.name}: every member is one bit")
    return e


def _names(d: dict, key: str, catalog: Catalog) -> frozenset[str]:
    names = frozenset(d.get(key, []))
    unknown = sorted(n for n in names if n not in {m.name for m in catalog.requests})
    if unknown:
        raise CatalogError(f"messages.{key}: {unknown} are not requests of the catalog")
    return names


def _settings(d: dict, limits: dict, catalog: Catalog) -> SettingsLayout:
    area_msg = catalog[d["area_from"]]
    layout = SettingsLayout(
        version=d["version"], magic=d["magic"], slot_size=d["slot_size"], page_size=d["page_size"], memory_keys=d["memory_keys"],
        max_programs=limits["max_programs"], max_areas=limits["max_areas"],
        header=tuple(_field("settings.header", f) for f in d["header"]),
        program=tuple(_field("settings.program", f) for f in d["program"]),
        area_fields=area_msg.fields[d["area_skip"]:], area_extra=tuple(_field("settings.area", f) for f in d["area"]),
        area_message=area_msg.name, area_skip=d["area_skip"])
    if layout.size + NVM_OVERHEAD > layout.slot_size:
        raise CatalogError(f"settings image of {layout.size} bytes (+{NVM_OVERHEAD} slot framing) does not fit "
                           f"its {layout.slot_size}-byte slot")
    low = next(f for f in layout.program if f.name == "remembered_low")
    if low.count != layout.memory_keys * layout.max_areas or layout.memory_keys * layout.max_areas > 32:
        raise CatalogError("settings.program.remembered_low: one byte per (memory key, area), at most 32")
    steps = limits["max_amplitude_ua"] // limits["amplitude_step_ua"]
    if steps >= 1 << 9:
        raise CatalogError(f"remembered amplitudes are 9-bit amplitude steps; {steps} steps do not fit")
    return layout


def _security_record(d: dict) -> SecurityRecordLayout:
    layout = SecurityRecordLayout(slot_words=d["slot_words"], keyed_roles=d["keyed_roles"],
                                  header=tuple(_field("security_record.header", f) for f in d["header"]),
                                  role=tuple(_field("security_record.role", f) for f in d["role"]))
    if [f.name for f in layout.header[:1]] != ["magic"] or layout.header[0].base != "u32":
        raise CatalogError("security_record.header: starts with the u32 magic")
    if any(f.is_variable or f.base == "bytes" or f.count != 1 for f in layout.header + layout.role):
        raise CatalogError("security_record: fixed-size integer fields only")
    if layout.size > 4 * layout.slot_words:
        raise CatalogError(f"security record of {layout.size} bytes does not fit {layout.slot_words} words")
    return layout


def _check_against_catalog(defn: Definition, catalog: Catalog) -> None:
    """The catalog's ranges that restate a limit or an enum must agree with the definition."""
    lim = defn.limits
    area = catalog["AREA_WRITE"]
    by = {f.name: f for f in area.fields}
    expect = {
        "program": (0, lim["max_programs"] - 1), "area": (0, lim["max_areas"] - 1),
        "amplitude_ua": (0, lim["max_amplitude_ua"]),
        "pulse_width_us": (lim["min_pulse_width_us"], lim["max_pulse_width_us"]),
        "interphase_gap_us": (0, lim["max_interphase_gap_us"]),
        "waveform": (0, max(m.value for m in defn.enum("WaveformCode").members)),
        "recharge": (0, max(m.value for m in defn.enum("RechargeCode").members)),
        "pulses_per_burst": (1, lim["max_pulses_per_burst"]),
        "passive_window_us": (0, lim["max_passive_window_us"]),
        "soft_start_ms": (0, lim["max_soft_start_ms"]),
        "recharge_ratio": (min(lim["recharge_ratios"]), max(lim["recharge_ratios"])),
    }
    for name, want in expect.items():
        if by[name].bounds() != want:
            raise CatalogError(f"AREA_WRITE.{name}: range {by[name].bounds()} disagrees with the definition {want}")
    if by["cathode_share_pct"].count != lim["contact_count"]:
        raise CatalogError("AREA_WRITE.cathode_share_pct: one per contact")
    posture_max = max(m.value for m in defn.enum("Posture").members)
    if catalog["POSTURE_INPUT"].fields[0].bounds()[1] != posture_max:
        raise CatalogError("POSTURE_INPUT.posture: range disagrees with the Posture enum")


def _check_codes(enums: tuple[EnumDef, ...]) -> None:
    """A member's ``codes`` (EventKind) names an enum of the definition, or Result (the catalog's)."""
    names = {e.name for e in enums} | {"Result"}
    bad = [f"{e.name}.{m.name}" for e in enums for m in e.members if m.codes and m.codes not in names]
    if bad:
        raise CatalogError(f"{', '.join(bad)}: codes must name an enum of the definition or Result")


def _security(table: dict[str, Any]) -> dict[str, int]:
    """The session constants: positive integers (ticks, counts, a magic word)."""
    bad = [k for k, v in table.items() if not isinstance(v, int) or isinstance(v, bool) or v <= 0]
    if bad:
        raise CatalogError(f"security.{', '.join(bad)}: a positive integer")
    if table["backoff_max_ticks"] < table["backoff_base_ticks"]:
        raise CatalogError("security.backoff_max_ticks: at least backoff_base_ticks")
    return dict(table)


def parse_definition(text: str, catalog: Catalog) -> Definition:
    d = tomllib.loads(text)
    enums = tuple(_enum(e) for e in d["enum"])
    if len({e.name for e in enums}) != len(enums):
        raise CatalogError("enum names must be unique")
    msgs = d["messages"]
    limits, gauge = dict(d["limits"]), dict(d["fuel_gauge"])
    defn = Definition(enums=enums, mri_allowed=_names(msgs, "mri_allowed", catalog),
                      mri_stop_only=_names(msgs, "mri_stop_only", catalog), test_only=_names(msgs, "test_only", catalog),
                      session=_names(msgs, "session", catalog), limits=limits, fuel_gauge=gauge,
                      security=_security(d["security"]),
                      settings=_settings(d["settings"], limits, catalog),
                      security_record=_security_record(d["security_record"]))
    _check_codes(enums)
    if defn.settings.memory_keys != len(defn.enum("Posture").members) + 1:
        raise CatalogError("settings.memory_keys: one per Posture and one for AdaptiveStim off")
    socs = [s for s, _ in gauge["ocv"]]
    if socs[0] != 0.0 or socs[-1] != 1.0 or any(b <= a for a, b in zip(socs, socs[1:])):
        raise CatalogError("fuel_gauge.ocv: ascending state-of-charge points from 0.0 to 1.0")
    _check_against_catalog(defn, catalog)
    return defn


def definition_text() -> str:
    return resources.files("protocol.spec").joinpath("device.toml").read_text(encoding="utf-8")


@cache
def load_definition() -> Definition:
    """The definition shipped with this package (parsed and checked once)."""
    return parse_definition(definition_text(), load_catalog())

