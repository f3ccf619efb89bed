"""The fewest breakpoints of PyBaMM's ECM example OCV curve whose linear interpolation stays within
TOLERANCE_V of the curve from 0 to 100 % SOC, as the ``ocv = [...]`` line of protocol/spec/device.toml.

Run: ``python scripts/reduce_ocv.py`` and paste its output into ``[fuel_gauge]`` of protocol/spec/device.toml
(the one table: ``python -m protocol.codegen`` turns it into the Python constant and the C header). The
source curve is stored (firmware_model/battery/data/pybamm_ecm_example_ocv.csv, linear between its 1 % points), so
the maximum error of the reduced table occurs at one of the source points and is checked there exactly
(tests/firmware_model/test_battery.py).
"""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "firmware_model" / "battery" / "data"
TOLERANCE_V = 0.003


def load_source() -> list[tuple[float, float]]:
    rows = []
    for line in (DATA / "pybamm_ecm_example_ocv.csv").read_text().splitlines():
        if line.startswith(("#", "soc")):
            continue
        s, v = (float(x) for x in line.split(","))
        if -1e-9 <= s <= 1 + 1e-9:
            rows.append((round(s, 2), v))
    return rows


def max_error(src: list[tuple[float, float]], i: int, j: int) -> float:
    (s0, v0), (s1, v1) = src[i], src[j]
    return max(abs(v0 + (v1 - v0) * (s - s0) / (s1 - s0) - v) for s, v in src[i:j + 1])


def main() -> None:
    src = load_source()
    keep, i = [0], 0
    while i < len(src) - 1:
        j = i + 1
        while j + 1 < len(src) and max_error(src, i, j + 1) <= TOLERANCE_V:
            j += 1
        keep.append(j)
        i = j
    items = [f"[{src[k][0]:.2f}, {src[k][1]:.4f}]" for k in keep]
    lines, cur = [], "ocv = ["
    for i, item in enumerate(items):
        piece = item + (", " if i < len(items) - 1 else "]")
        if len(cur) + len(piece) > 110:
            lines.append(cur.rstrip())
            cur = "       "
        cur += piece
    lines.append(cur)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
