"""The picture of a battery simulation (`scs battery --plot`).

A run of more than `DAILY_BANDS_AFTER_DAYS` days, sampled several times a day, is drawn as each
day's minimum-to-maximum band (the raw samples of months would fill the panel solid); a shorter one
as its samples.
A rechargeable cell shows SOC, terminal voltage, implant temperature and capacity; a primary cell
(no charging, no heating, no fade) shows SOC and voltage with its ERI and EOS levels.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from firmware_model.clock import DAY_TICKS

#: longer runs are drawn as daily min/max bands
DAILY_BANDS_AFTER_DAYS = 14
DAYS_PER_YEAR = 365.25

#: (key of Result.arrays(), axis label with unit, scale)
RECHARGEABLE_PANELS = (("soc", "SOC (%)", 100.0), ("voltage", "terminal voltage (V)", 1.0),
                       ("temperature_c", "implant temperature (\u00b0C)", 1.0),
                       ("capacity_fraction", "capacity (% of new)", 100.0))
PRIMARY_PANELS = RECHARGEABLE_PANELS[:2]


@dataclass(frozen=True)
class Series:
    """One panel's data as drawn: x (days), and either samples (low = high) or daily bands."""

    x_days: np.ndarray
    low: np.ndarray
    high: np.ndarray


@dataclass(frozen=True)
class BatteryPicture:
    """The data behind a battery plot: ``daily`` when drawn as daily min/max bands."""

    daily: bool
    series: dict[str, Series] = field(default_factory=dict)


def daily_bands(tick: np.ndarray, y: np.ndarray) -> Series:
    """Each simulated day's min and max of the samples in it (x: the day's start, in days)."""
    day = tick // DAY_TICKS
    starts = np.flatnonzero(np.r_[True, day[1:] != day[:-1]])
    return Series(day[starts].astype(float), np.minimum.reduceat(y, starts), np.maximum.reduceat(y, starts))


def picture_data(arrays: dict[str, np.ndarray], panels) -> BatteryPicture:
    tick = arrays["tick"]
    days = int(tick[-1]) / DAY_TICKS if len(tick) else 0.0
    # daily bands of a long run sampled within each day (a primary cell's few samples are drawn as they are)
    daily = days > DAILY_BANDS_AFTER_DAYS and len(tick) > 2 * days
    series = {}
    for key, _, scale in panels:
        y = arrays[key] * scale
        series[key] = daily_bands(tick, y) if daily else Series(tick / DAY_TICKS, y, y)
    return BatteryPicture(daily, series)


def plot_battery(result, path: str | Path, title: str, primary_levels: tuple[float, float] | None = None
                 ) -> BatteryPicture:
    """Draw ``result`` (a battery `Result`); ``primary_levels`` = (ERI SOC, EOS SOC) for a primary
    cell (two panels), None for a rechargeable one (four). Returns the data drawn."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = PRIMARY_PANELS if primary_levels else RECHARGEABLE_PANELS
    pic = picture_data(result.arrays(), panels)
    span_days = result.end_tick / DAY_TICKS
    in_years = span_days > 2 * DAYS_PER_YEAR
    unit = DAYS_PER_YEAR if in_years else 1.0
    fig, axes = plt.subplots(len(panels), 1, figsize=(10, 1.6 + 1.9 * len(panels)), sharex=True, squeeze=False)
    for (key, label, _), row in zip(panels, axes):
        ax, s = row[0], pic.series[key]
        x = s.x_days / unit
        if pic.daily:
            ax.fill_between(x, s.low, s.high, step="post", alpha=0.3, lw=0, label="each day's min to max")
            ax.plot(x, s.low, lw=0.7, drawstyle="steps-post", color="tab:blue", label="daily min, daily max")
            ax.plot(x, s.high, lw=0.7, drawstyle="steps-post", color="tab:blue")
        else:
            ax.plot(x, s.low, lw=0.8)
        ax.set_ylabel(label, fontsize=8)
        ax.grid(alpha=0.3)
    if primary_levels:
        for level, name in zip(primary_levels, ("ERI", "EOS")):
            axes[0][0].axhline(level * 100, color="tab:red", ls="--", lw=0.8)
            axes[0][0].annotate(f"{name} ({level:.0%}) ", (1.0, level * 100), xycoords=("axes fraction", "data"),
                                fontsize=7, color="tab:red", va="bottom", ha="right")
    if pic.daily:
        axes[0][0].legend(loc="lower left", fontsize=7, framealpha=0.9)
    axes[-1][0].set_xlabel("time (years)" if in_years else "time (days)")
    how = "each day's min to max band" if pic.daily else "every sample"
    fig.suptitle(f"{title}\n{span_days / DAYS_PER_YEAR:.3g} years simulated; {how}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return pic
