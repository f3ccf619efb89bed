"""Error messages in the user's terms, applied where the CLI prints an error.

The model validates in its own units and types (``rate_mhz``, dataclass reprs); a user wrote a
scenario in Hz and TOML tables. This translation happens at the boundary so the model keeps exact
integer units: ``area[0].rate_mhz: 5000000000 is not allowed: 2000 to 1200000 mHz`` becomes
``area[0].rate_hz: 5000000 is not allowed: 2 to 1200 Hz``, and a repr like
``RechargeHabit(every_days=0, coupling=Coupling(separation_mm=10.0))`` becomes
``{every_days = 0, separation_mm = 10.0}`` (the keys of the scenario's table).
"""

from __future__ import annotations

import re
from fractions import Fraction

# a `[profile]` key is written in mHz by the user (it is a DeviceProfile field): left as it is
_MHZ = re.compile(r"(?<!profile\.)\b(\w+)_mhz\b(?P<rest>[^;\n]*)")
_MHZ_NUMBER = re.compile(r"(-?\d+)(\s*mHz\b)?")
_REPR_START = re.compile(r"\b[A-Z][A-Za-z0-9]*\(")


def _hz(millihertz: str) -> str:
    value = Fraction(int(millihertz), 1000)
    return str(value.numerator) if value.denominator == 1 else f"{float(value):g}"


def _rates_in_hz(text: str) -> str:
    def one(m: re.Match) -> str:
        rest = m.group("rest")
        if "mHz" not in rest and not re.search(r"\d", rest):
            return f"{m.group(1)}_hz{rest}"
        rest = _MHZ_NUMBER.sub(lambda n: _hz(n.group(1)) + (" Hz" if n.group(2) else ""), rest)
        return f"{m.group(1)}_hz{rest}"
    return _MHZ.sub(one, text)


def _flatten_repr(inner: str) -> list[str]:
    """``a=1, b=X(c=2)`` -> ["a = 1", "c = 2"] (nested records' fields are keys of the same table)."""
    items, depth, start = [], 0, 0
    for i, ch in enumerate(inner + ","):
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            items.append(inner[start:i].strip())
            start = i + 1
    out = []
    for item in filter(None, items):
        key, _, value = item.partition("=")
        nested = _REPR_START.match(value)
        if nested and value.endswith(")"):
            out += _flatten_repr(value[nested.end():-1])
        else:
            out.append(f"{key.strip()} = {value.strip()}")
    return out


def _reprs_as_tables(text: str) -> str:
    out, pos = [], 0
    while (m := _REPR_START.search(text, pos)) is not None:
        depth, end = 1, m.end()
        while end < len(text) and depth:
            depth += {"(": 1, ")": -1}.get(text[end], 0)
            end += 1
        inner = text[m.end():end - 1]
        if depth or "=" not in inner:  # not a record repr (e.g. a function call in prose)
            out.append(text[pos:m.end()])
            pos = m.end()
            continue
        out.append(text[pos:m.start()] + "{" + ", ".join(_flatten_repr(inner)) + "}")
        pos = end
    return "".join(out) + text[pos:]


def user_facing(message: str) -> str:
    return _reprs_as_tables(_rates_in_hz(message))
