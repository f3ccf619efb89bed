"""Each test's pin record on a target with the pin observer (qemu-rt): a sigrok file in the run folder."""

from __future__ import annotations

from typing import Any

import pytest

from hil.harness.state import STATE


def export_pins(request: pytest.FixtureRequest, target: Any, first_launch: int) -> None:
    """A target with the pin observer (qemu-rt): the test's pin record as a sigrok file (PB12-15 and
    the DAC) in the run folder's ``pins/``, named for the test, which PulseView and `scs logic` open."""
    if not getattr(target, "pin_observer", False):
        return
    if len(target.logs) == first_launch:  # no new launch during the test: the current one
        first_launch = max(first_launch - 1, 0)
    name = request.node.nodeid.replace("/", "_").replace("::", "__")
    for part in "[]":
        name = name.replace(part, "_")
    try:
        written = target.export_pins(request.config.stash[STATE].run_dir / "pins" / f"{name}.sr", first_launch)
    except (OSError, ValueError) as e:  # an unreadable record is reported, never fails the test
        request.node.user_properties.append(("scs_pins_error", str(e)))
        return
    request.node.user_properties.extend(("scs_pins", str(p)) for p in written)
