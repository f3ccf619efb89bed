"""pytest plugin (``-p hil.evidence.hostlib``): the tests load the board core's host library from
``$SCS_HOST_LIB`` (an instrumented build, `hil.evidence.coverage`) instead of building their own."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ENV = "SCS_HOST_LIB"


def pytest_configure(config) -> None:
    path = os.environ.get(ENV)
    if not path:
        return
    lib = Path(path)
    if not lib.is_file():
        import pytest

        raise pytest.UsageError(f"${ENV}={path}: no such library (build it with python -m hil.evidence.coverage)")

    def build_host() -> Path:
        return lib

    import hil.board.build as build

    build.build_host = build_host
    host = sys.modules.get("hil.board.host")
    if host is not None:
        host.build_host = build_host  # type: ignore[attr-defined]
