"""The plugin's state per process (controller or xdist worker), kept in the pytest config's stash."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

EXCHANGE_SECTION = "scs exchange"


@dataclass
class Slot:
    """One device of the run: ``--scs-target`` (slot 1) or ``--scs-target2`` (slot 2)."""

    spec: str | None
    target: Any = None
    info: Any = None
    owned: bool = True  # False: `scs hil` opened the target and closes it


@dataclass
class State:
    """Per process (controller or xdist worker)."""

    spec: str
    run_dir: Path
    spec2: str | None = None
    second: Slot = field(init=False)
    target: Any = None
    info: Any = None
    lost: str | None = None
    owned: bool = True  # False: `scs hil` opened the target and closes it
    preflown: bool = False  # `scs hil` checked the target already
    unavailable: str | None = None  # the pre-flight's message on an xdist worker (fails its first test)
    properties_added: set = field(default_factory=set)

    def __post_init__(self) -> None:
        self.second = Slot(self.spec2)

    def slot(self, which: int) -> Any:
        """The device's slot: this state itself for the first (its fields), a `Slot` for the second."""
        return self if which == 1 else self.second


STATE = pytest.StashKey[State]()
#: a test's capture files by slot (1, 2), while it runs
CAPTURES = pytest.StashKey[dict]()


def capture_name(nodeid: str, which: int = 1) -> str:
    """The kept capture's file name: the test id made a file name (slot 2: a "-target2" suffix)."""
    stem = re.sub(r"[^A-Za-z0-9_.\[\]=-]+", "_", nodeid.replace("::", "__"))
    return stem + ("" if which == 1 else "-target2") + ".jsonl"


def needs_reason(info: Any, capability: int) -> str:
    """Why a test skips: the capabilities it needs and those the target has, by name."""
    from protocol.spec.generated import CAPABILITY_LABELS

    labels = {int(c): label for c, label in CAPABILITY_LABELS.items()}
    wanted = [label for bit, label in labels.items() if capability & bit and not info.capabilities & bit]
    unknown = capability & ~sum(labels)
    if unknown:
        wanted.append(f"unknown capability bits 0x{unknown:x}")
    has = [label for bit, label in labels.items() if info.capabilities & bit]
    return f"needs {', '.join(wanted)}; target {info.name} has: {', '.join(has) or 'none of the capabilities'}"
