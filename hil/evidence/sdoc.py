"""Read the requirements (strictdoc SDoc files) with strictdoc's own reader: each requirement's UID,
title, statement, section and file. Without strictdoc installed (the ``evidence`` extra), a reader of
the subset of the documented SDoc grammar that docs/requirements uses (``[REQUIREMENT]`` nodes with
single-line or ``>>>``/``<<<`` multi-line fields, ``[[SECTION]]`` composite nodes)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any


class SdocError(ValueError):
    pass


@dataclass(frozen=True)
class Requirement:
    uid: str
    title: str
    statement: str
    section: str
    document: str   # the file's name


def _fields(node: Any) -> dict[str, str]:
    return {f.field_name: f.get_text_value().strip() for f in node.fields}


def _walk_strictdoc(node: Any, section: str, doc: str, out: list[Requirement]) -> None:
    for child in getattr(node, "section_contents", []):
        fields = _fields(child) if hasattr(child, "fields") else {}
        if getattr(child, "node_type", "") == "REQUIREMENT" and "UID" in fields:
            out.append(Requirement(fields["UID"], fields.get("TITLE", ""), fields.get("STATEMENT", ""), section, doc))
        _walk_strictdoc(child, fields.get("TITLE", section) if getattr(child, "node_type", "") == "SECTION" else section,
                        doc, out)


def _read_strictdoc(path: Path) -> list[Requirement]:
    from strictdoc.backend.sdoc.reader import SDReader

    try:
        document = SDReader.read(path.read_text(encoding="utf-8"), str(path))
    except Exception as e:  # noqa: BLE001 (strictdoc raises its own exception types)
        raise SdocError(f"{path}: {str(e).strip().splitlines()[0] if str(e).strip() else type(e).__name__}") from None
    out: list[Requirement] = []
    _walk_strictdoc(document, "", path.name, out)
    return out


_FIELD = re.compile(r"^([A-Z_]+): ?(.*)$")


def _read_grammar(path: Path) -> list[Requirement]:
    """The fallback: [REQUIREMENT] nodes and [[SECTION]] titles, fields in the documented syntax."""
    out: list[Requirement] = []
    sections: list[str] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    i, kind = 0, ""
    current: dict[str, str] = {}

    def flush() -> None:
        if kind == "[REQUIREMENT]" and "UID" in current:
            out.append(Requirement(current["UID"], current.get("TITLE", ""), current.get("STATEMENT", ""),
                                   sections[-1] if sections else "", path.name))
    while i < len(lines):
        line = lines[i]
        if line in ("[REQUIREMENT]", "[[SECTION]]", "[[/SECTION]]") or line.startswith("["):
            flush()
            current, kind = {}, line
            if line == "[[/SECTION]]":
                sections = sections[:-1]
        elif m := _FIELD.match(line):
            value = m.group(2)
            if value == ">>>":
                end = lines.index("<<<", i + 1)
                value, i = "\n".join(lines[i + 1:end]), end
            current[m.group(1)] = value.strip()
            if kind == "[[SECTION]]" and m.group(1) == "TITLE":
                sections.append(value)
        i += 1
    flush()
    return out


def read_requirements(folder: Path) -> list[Requirement]:
    """Every requirement of the .sdoc files in ``folder``, in file order; UIDs must be unique."""
    files = sorted(Path(folder).glob("*.sdoc"))
    if not files:
        raise SdocError(f"{folder}: no .sdoc files")
    try:
        import strictdoc  # noqa: F401

        reader = _read_strictdoc
    except ImportError:
        reader = _read_grammar
    reqs = [r for f in files for r in reader(f)]
    seen: set[str] = set()
    dupes = sorted({r.uid for r in reqs if r.uid in seen or seen.add(r.uid)})  # type: ignore[func-returns-value]
    if dupes:
        raise SdocError(f"{folder}: requirement IDs used twice: {', '.join(dupes)}")
    return reqs
