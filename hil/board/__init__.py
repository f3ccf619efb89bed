"""The board firmware (C11, STM32F405; `hil/board/README.md`) and its Python side: the build, the
host library of its portable core (`BoardCore`), and key provisioning."""

from __future__ import annotations

from hil.board.build import BuildError, build_arm, build_host
from hil.board.host import BoardCore

__all__ = ["BoardCore", "BuildError", "build_arm", "build_host"]
