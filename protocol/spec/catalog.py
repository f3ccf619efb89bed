"""The message catalog (`messages.toml`) as typed, validated objects.

`load_catalog()` reads the TOML once and checks it (unique ids and names, known types, every
request names an existing response). Each message gets a frozen dataclass (`Message.type`) whose
instances the codec encodes; nothing else in the project spells a message layout by hand.
"""

from __future__ import annotations

import enum
import re
import struct
import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, NamedTuple

SCALARS = {"u8": "B", "u16": "H", "u32": "I", "u64": "Q", "i8": "b", "i16": "h", "i32": "i", "i64": "q"}
C_TYPES = {"u8": "uint8_t", "u16": "uint16_t", "u32": "uint32_t", "u64": "uint64_t",
           "i8": "int8_t", "i16": "int16_t", "i32": "int32_t", "i64": "int64_t"}


class Role(enum.IntEnum):
    NONE = 0
    PATIENT = 1
    CLINICIAN = 2
    TEST = 3  # dev boards and test benches only: stimulus inputs, clock, trace (and all a clinician may)


class Kind(enum.Enum):
    REQUEST = "request"
    RESPONSE = "response"
    EVENT = "event"


class CatalogError(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    name: str
    type: str            # as written: u16, u8[16], bytes16, bytes
    base: str            # scalar type, or "bytes"
    count: int           # array length (1 for scalars); byte length for bytesN; 0 for variable bytes
    unit: str = ""
    min: int | None = None
    max: int | None = None
    doc: str = ""

    @property
    def is_array(self) -> bool:
        return self.base != "bytes" and "[" in self.type

    @property
    def is_variable(self) -> bool:
        return self.base == "bytes" and self.count == 0

    @property
    def size(self) -> int:
        if self.base == "bytes":
            return self.count
        return struct.calcsize("<" + SCALARS[self.base]) * self.count

    @property
    def struct_format(self) -> str:
        if self.base == "bytes":
            return f"{self.count}s"
        return f"{self.count if self.is_array else ''}{SCALARS[self.base]}"

    def type_range(self) -> tuple[int, int]:
        bits = int(self.base[1:])
        if self.base[0] == "u":
            return 0, (1 << bits) - 1
        return -(1 << (bits - 1)), (1 << (bits - 1)) - 1

    def bounds(self) -> tuple[int, int]:
        lo, hi = self.type_range()
        return (lo if self.min is None else self.min), (hi if self.max is None else self.max)

    def describe_range(self) -> str:
        if self.base == "bytes":
            return f"{self.count} bytes" if self.count else "bytes"
        lo, hi = self.bounds()
        unit = f" {self.unit}" if self.unit else ""
        return f"{lo} to {hi}{unit}"


@dataclass(frozen=True)
class Message:
    id: int
    name: str
    kind: Kind
    fields: tuple[Field, ...]
    doc: str = ""
    role: Role = Role.NONE
    response: str = ""
    changes_state: bool = False
    input: bool = False
    type: Any = field(default=None, repr=False, compare=False)  # the class of its instances

    @property
    def fixed_size(self) -> int:
        return sum(f.size for f in self.fields)

    @property
    def struct(self) -> struct.Struct:
        return struct.Struct("<" + "".join(f.struct_format for f in self.fields if not f.is_variable))

    @property
    def has_variable_tail(self) -> bool:
        return bool(self.fields) and self.fields[-1].is_variable

    def offsets(self) -> list[tuple[Field, int]]:
        out, off = [], 0
        for f in self.fields:
            out.append((f, off))
            off += f.size
        return out


@dataclass(frozen=True)
class Result:
    code: int
    name: str
    doc: str


@dataclass(frozen=True)
class Catalog:
    protocol_version: int
    max_payload: int
    crc: str
    tag_bytes: int
    nonce_bytes: int
    results: tuple[Result, ...]
    messages: tuple[Message, ...]

    _by_id: dict[int, Message] = field(init=False, repr=False, compare=False)
    _by_name: dict[str, Message] = field(init=False, repr=False, compare=False)
    _by_type: dict[Any, Message] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_id", {m.id: m for m in self.messages})
        object.__setattr__(self, "_by_name", {m.name: m for m in self.messages})
        object.__setattr__(self, "_by_type", {m.type: m for m in self.messages})

    def by_id(self, msg_id: int) -> Message | None:
        return self._by_id.get(msg_id)

    def __getitem__(self, name: str) -> Message:
        return self._by_name[name]

    def of(self, instance: Any) -> Message:
        return self._by_type[type(instance)]

    def result_code(self, name: str) -> int:
        for r in self.results:
            if r.name == name:
                return r.code
        raise KeyError(name)

    def result_name(self, code: int) -> str:
        for r in self.results:
            if r.code == code:
                return r.name
        return f"UNKNOWN_RESULT_{code}"

    @property
    def requests(self) -> tuple[Message, ...]:
        return tuple(m for m in self.messages if m.kind is Kind.REQUEST)


_TYPE_RE = re.compile(r"^(u8|u16|u32|u64|i8|i16|i32|i64)(?:\[(\w+)\])?$|^bytes(\d*)$")
_SYMBOL_RE = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?:([+-])\s*(\d+))?\s*$")


def definition_symbols() -> dict[str, int]:
    """The names a catalog range or array length may use instead of a number: every integer limit of
    device.toml (``max_areas``), and the largest member of each of its enums (``Posture.max``)."""
    d = tomllib.loads(resources.files("protocol.spec").joinpath("device.toml").read_text(encoding="utf-8"))
    out = {k: v for k, v in d["limits"].items() if isinstance(v, int) and not isinstance(v, bool)}
    out["recharge_ratios.min"], out["recharge_ratios.max"] = min(d["limits"]["recharge_ratios"]), max(
        d["limits"]["recharge_ratios"])
    for e in d["enum"]:
        out[f"{e['name']}.max"] = max(m["value"] for m in e["members"])
    return out


def _resolve(where: str, v: int | str | None, symbols: dict[str, int]) -> int | None:
    """A number, or a definition symbol with an optional + or - constant (``"max_programs - 1"``)."""
    if v is None or isinstance(v, int):
        return v
    m = _SYMBOL_RE.match(v)
    if not m or m.group(1) not in symbols:
        raise CatalogError(f"{where}: {v!r} is neither a number nor a name of the definition "
                           f"(a limit of device.toml, or Enum.max) with an optional + or - constant")
    k = int(m.group(3) or 0)
    return symbols[m.group(1)] + (k if m.group(2) == "+" else -k)


def _field(msg: str, d: dict, symbols: dict[str, int] | None = None) -> Field:
    symbols = definition_symbols() if symbols is None else symbols
    m = _TYPE_RE.match(d.get("type", ""))
    if not m:
        raise CatalogError(f"{msg}.{d.get('name')}: unknown type {d.get('type')!r}")
    where = f"{msg}.{d.get('name')}"
    if m.group(1):
        base, count = m.group(1), _resolve(where, int(m.group(2)) if (m.group(2) or "").isdigit() else m.group(2),
                                            symbols) or 1
    else:
        base, count = "bytes", int(m.group(3) or 0)
    f = Field(name=d["name"], type=d["type"], base=base, count=count, unit=d.get("unit", ""),
              min=_resolve(where, d.get("min"), symbols), max=_resolve(where, d.get("max"), symbols),
              doc=d.get("doc", ""))
    if base != "bytes":
        lo, hi = f.type_range()
        if not (lo <= f.bounds()[0] <= f.bounds()[1] <= hi):
            raise CatalogError(f"{msg}.{f.name}: range {f.bounds()} does not fit {base}")
    return f


def _python_type(base: str, is_array: bool) -> Any:
    if base == "bytes":
        return bytes
    return tuple[int, ...] if is_array else int


def _message(m: dict, symbols: dict[str, int]) -> Message:
    name = m["name"]
    fields = tuple(_field(name, f, symbols) for f in m.get("fields", []))
    for f in fields[:-1]:
        if f.is_variable:
            raise CatalogError(f"{name}.{f.name}: variable-length bytes only as the last field")
    # immutable and cheap to build (a tuple): decoding makes one per frame
    cls = NamedTuple("".join(p.capitalize() for p in name.split("_")),  # type: ignore[misc]
                     [(f.name, _python_type(f.base, f.is_array)) for f in fields])
    cls.__doc__ = m.get("doc", "")
    return Message(id=m["id"], name=name, kind=Kind(m["kind"]), fields=fields, doc=m.get("doc", ""),
                   role=Role[m.get("role", "none").upper()], response=m.get("response", ""),
                   changes_state=bool(m.get("changes_state", False)), input=bool(m.get("input", False)), type=cls)


def _check_messages(messages: list[Message], max_payload: int) -> None:
    """Unique ids and names; every request names a response; ids fit a byte; payloads fit a frame."""
    ids = [m.id for m in messages]
    names = [m.name for m in messages]
    if len(set(ids)) != len(ids) or len(set(names)) != len(names):
        raise CatalogError("message ids and names must be unique")
    by_name = {m.name: m for m in messages}
    for m in messages:
        if m.kind is Kind.REQUEST:
            r = by_name.get(m.response)
            if r is None or r.kind is not Kind.RESPONSE:
                raise CatalogError(f"{m.name}: response {m.response!r} is not a response message")
        if not 0 <= m.id <= 0xFF:
            raise CatalogError(f"{m.name}: id {m.id} does not fit one byte")
        if m.fixed_size > max_payload:
            raise CatalogError(f"{m.name}: {m.fixed_size} bytes exceed max_payload")


def parse_catalog(text: str) -> Catalog:
    d = tomllib.loads(text)
    symbols = definition_symbols()
    messages = [_message(m, symbols) for m in d["message"]]
    _check_messages(messages, d["max_payload"])
    results = tuple(Result(r["code"], r["name"], r["doc"]) for r in d["results"])
    return Catalog(protocol_version=d["protocol_version"], max_payload=d["max_payload"], crc=d["crc"],
                   tag_bytes=d["tag_bytes"], nonce_bytes=d["nonce_bytes"], results=results,
                   messages=tuple(sorted(messages, key=lambda m: m.id)))


def catalog_text() -> str:
    return resources.files("protocol.spec").joinpath("messages.toml").read_text(encoding="utf-8")


@cache
def load_catalog() -> Catalog:
    """The catalog shipped with this package (parsed once; it is immutable)."""
    return parse_catalog(catalog_text())
