"""Fit `firmware_model.battery.ageing.AgeingModel` to the stored BLAST-Lite grid (least squares, capacity points).

Run: ``python scripts/fit_ageing.py`` (needs scipy). Prints the fitted parameters (copy them into
`AgeingModel`) and the worst disagreement over the grid. Temperature and active-material parameters are
not fitted (the grid is at 37 degC only and barely reaches the active-material knee).
"""

from __future__ import annotations

import dataclasses
import sys
from pathlib import Path

import numpy as np
from scipy.optimize import least_squares

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from firmware_model.battery.ageing import AgeingModel, load_reference, model_grid  # noqa: E402

FITTED = ("a_cal", "u_cal", "p_cal", "a_cyc", "d_cyc", "p_cyc")
START = (0.1, 4.0, 0.5, 1e-4, 1.0, 0.8)   # round numbers, not the reference model's own


def main() -> None:
    _, rows = load_reference()

    def model_of(x: np.ndarray) -> AgeingModel:
        values = (np.exp(x[0]), x[1], x[2], np.exp(x[3]), x[4], x[5])
        return dataclasses.replace(AgeingModel(), **{k: float(v) for k, v in zip(FITTED, values)})

    def residuals(x: np.ndarray) -> np.ndarray:
        return np.array([ours - r.capacity_pct for r, ours in model_grid(model_of(x), rows)])

    x0 = np.array([np.log(START[0]), START[1], START[2], np.log(START[3]), START[4], START[5]])
    fit = least_squares(residuals, x0, x_scale="jac")
    m = model_of(fit.x)
    for name in FITTED:
        print(f"{name} = {getattr(m, name):.5g}")
    print(f"worst |difference| over {len(rows)} grid points: {np.max(np.abs(fit.fun)):.3f} capacity points")


if __name__ == "__main__":
    main()
