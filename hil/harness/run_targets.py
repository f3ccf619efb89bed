"""The run's targets: which spec each slot names, opening and pre-flying them, stopping the run with
one line when one can't be used."""

from __future__ import annotations

import os
from typing import Any

import pytest

from hil.harness.state import STATE
from hil.targets import DEFAULT_TARGET

TARGET_ENV = "SCS_TARGET"
SIMULATED = ("model", "sim", "qemu")
KEYS_OPTION = "--scs-keys"


def target_spec(config: pytest.Config) -> str:
    spec = config.getoption("--scs-target") or os.environ.get(TARGET_ENV)
    if spec:
        return spec
    if getattr(config.option, "lg_env", None) or os.environ.get("LG_ENV"):
        return "labgrid"
    return DEFAULT_TARGET


def explicit_target(config: pytest.Config) -> bool:
    return bool(config.getoption("--scs-target") or os.environ.get(TARGET_ENV) or target_spec(config) == "labgrid")


def stop_with(config: pytest.Config, message: str) -> None:
    pytest.exit(f"scs: {message}", returncode=2)


def resolve_spec(config: pytest.Config, spec: str) -> str:
    """The spec to open: labgrid's environment names its serial port."""
    if spec == "labgrid":
        from hil.harness.preflight import TargetUnavailable
        from hil.targets.base import TargetError
        from hil.targets.labgrid import url_from_config

        try:
            return url_from_config(config)
        except TargetError as e:
            raise TargetUnavailable(f"target labgrid: {e}") from None
    return spec


def keys_for(config: pytest.Config, which: int) -> str | None:
    return config.getoption("scs_keys2" if which == 2 else "scs_keys") or (
        config.getoption("scs_keys") if which == 2 else None)


def connect_slot(config: pytest.Config, which: int) -> tuple[Any, Any]:
    """Open and pre-fly slot ``which``; `TargetUnavailable` (one line) when it can't be used."""
    from hil.harness.preflight import connect

    state = config.stash[STATE]
    spec = state.spec if which == 1 else state.spec2
    assert spec is not None  # slot 2 is opened only when --scs-target2 names it
    option = KEYS_OPTION if which == 1 else "--scs-keys2"
    return connect(resolve_spec(config, spec), keys_for(config, which), keys_option=option)


def preflight(config: pytest.Config, which: int, on_worker: bool) -> None:
    """Before the first test: slot ``which`` answers and accepts our keys, or the run stops."""
    from hil.harness.preflight import TargetUnavailable

    state = config.stash[STATE]
    slot = state.slot(which)
    try:
        slot.target, slot.info = connect_slot(config, which)
    except TargetUnavailable as e:
        if not on_worker:
            stop_with(config, str(e))
        state.unavailable = f"scs: {e}"  # a worker can't exit cleanly: its first test fails, then it stops


def open_target(config: pytest.Config, which: int) -> Any:
    """The session fixture's target: pre-flown already, or opened now (collected late)."""
    state = config.stash[STATE]
    if which == 2 and not state.spec2:
        pytest.skip("needs a second target: pass --scs-target2 SPEC (e.g. model, sim, qemu or a serial URL)")
    if state.unavailable:
        pytest.fail(state.unavailable, pytrace=False)
    slot = state.slot(which)
    if slot.target is None:  # collected late (e.g. a plugin filtered items after the pre-flight)
        from hil.harness.preflight import TargetUnavailable

        try:
            slot.target, slot.info = connect_slot(config, which)
        except TargetUnavailable as e:
            stop_with(config, str(e))
    return slot.target


def close_targets(config: pytest.Config) -> None:
    state = config.stash.get(STATE, None)
    if state is None:
        return
    for which in (1, 2):
        slot = state.slot(which)
        if slot.target is not None and slot.owned:
            slot.target.close()
            slot.target = None
