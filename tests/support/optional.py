"""Tests that need an optional extra skip, saying which extra and how to install it."""

from __future__ import annotations

import pytest

PLOT_REASON = "needs the plot extra (matplotlib): pip install 'scs-hil[plot]'"


def need_matplotlib() -> None:
    pytest.importorskip("matplotlib", reason=PLOT_REASON)
