"""The plugin's state per process (controller or xdist worker), kept in the pytest config's stash."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

EXCHANGE_SECTION = "scs exchange"


@dataclass
class State:
    """Per process (controller or xdist worker)."""

    spec: str
    run_dir: Path
    target: Any = None
    info: Any = None
    lost: str | None = None
    owned: bool = True  # False: `scs hil` opened the target and closes it
    preflown: bool = False  # `scs hil` checked the target already
    unavailable: str | None = None  # the pre-flight's message on an xdist worker (fails its first test)
    properties_added: set = field(default_factory=set)


STATE = pytest.StashKey[State]()
