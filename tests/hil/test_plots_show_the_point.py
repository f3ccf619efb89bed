"""Pictures that show the point: every example's default plot renders and its window holds pulses of
every area, after the soft start; a cycled program's window holds its on -> off edge; a multi-area
window holds displaced pulses. Battery plots of long runs are daily min/max bands; primary cells plot.
The checks read the data behind each picture (what the plot function returns), not pixels."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from firmware_model.scenario.stimulation import load_scenario
from firmware_model.stimulation.scheduler import Scheduler
from hil.analysis.therapy_window import default_window
from hil.cli.main import main
from tests.support.optional import need_matplotlib

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [p for p in sorted((ROOT / "examples").glob("*.toml")) if "[[area]]" in p.read_text()]
PNG = b"\x89PNG\r\n\x1a\n"


def default_picture(path: Path, tmp_path: Path, monkeypatch) -> dict:
    """Run `scs simulate PATH --plot` and return what its plot showed: pulses, window, text."""
    need_matplotlib()
    import hil.analysis.waveforms as wf

    seen: dict = {}
    real = wf.plot_waveforms

    def spy(timeline, n_areas, png, window, text=None):
        seen["pulses"] = real(timeline, n_areas, png, window, text)
        seen["window"], seen["text"], seen["png"] = window, text, Path(png)
        return seen["pulses"]

    monkeypatch.setattr(wf, "plot_waveforms", spy)
    assert main(["simulate", str(path), "--plot", str(tmp_path / f"{path.stem}.png")]) == 0
    return seen


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_picture_renders_with_pulses_of_every_area_at_therapy_amplitude(path, tmp_path, monkeypatch):
    seen = default_picture(path, tmp_path, monkeypatch)
    sc = load_scenario(path)
    assert seen["png"].read_bytes()[:8] == PNG
    assert set(seen["pulses"]["area"].tolist()) == set(range(len(sc.program.areas)))
    for i, a in enumerate(sc.program.areas):
        assert set(seen["pulses"][seen["pulses"]["area"] == i]["amplitude_ua"].tolist()) == {a.amplitude_ua}, \
            "after the soft start: the therapy amplitude, not a ramp step"
    assert seen["text"].program.startswith(sc.name) and len(seen["text"].areas) == len(sc.program.areas)


def test_the_tonic_picture_starts_after_its_2_s_soft_start(tmp_path, monkeypatch):
    seen = default_picture(ROOT / "examples/tonic.toml", tmp_path, monkeypatch)
    assert seen["window"][0] == 2_000_000 and "after the 2 s soft start" in seen["text"].why


def test_the_cycled_picture_holds_the_on_to_off_edge_with_pulses_before_and_none_after(tmp_path, monkeypatch):
    seen = default_picture(ROOT / "examples/burst_cycled.toml", tmp_path, monkeypatch)
    start, end = seen["window"]
    assert start < 30_000_000 < end and seen["text"].marks == ((30_000_000, "cycle off"),)
    pulses = seen["pulses"]
    assert len(pulses) and pulses["start_tick"].max() < 30_000_000


def test_the_cycled_picture_is_not_the_plain_burstdr_picture():
    windows = {}
    for name in ("burstdr", "burst_cycled"):
        sc = load_scenario(ROOT / f"examples/{name}.toml")
        windows[name] = default_window(Scheduler(sc.program, sc.profile, sc.impedances), sc.duration_ticks)
    assert windows["burstdr"].cycle_edges == () and windows["burst_cycled"].cycle_edges
    assert windows["burstdr"].start_tick != windows["burst_cycled"].start_tick


def test_the_four_area_picture_holds_displaced_pulses(tmp_path, monkeypatch):
    seen = default_picture(ROOT / "examples/four_areas.toml", tmp_path, monkeypatch)
    assert (seen["pulses"]["displacement_ticks"] > 0).any() and "displaced" in seen["text"].why


def test_a_default_window_stays_inside_a_run_shorter_than_the_soft_start():
    sc = load_scenario(ROOT / "examples/tonic.toml")
    window = default_window(Scheduler(sc.program, sc.profile, sc.impedances), 1_000_000)
    assert (window.start_tick, window.end_tick) == (960_000, 1_000_000)


def test_a_long_battery_run_plots_daily_min_max_bands(tmp_path, monkeypatch, capsys):
    need_matplotlib()
    import hil.analysis.battery_plot as bp

    seen = {}
    real = bp.plot_battery
    monkeypatch.setattr(bp, "plot_battery", lambda *a, **kw: seen.setdefault("pic", real(*a, **kw)))
    png = tmp_path / "b.png"
    assert main(["battery", str(ROOT / "examples/battery_hf10.toml"), "--years", "0.1", "--plot", str(png)]) == 0
    pic = seen["pic"]
    assert png.read_bytes()[:8] == PNG and pic.daily
    soc = pic.series["soc"]
    assert len(soc.x_days) == 37 and np.array_equal(soc.x_days, np.arange(37))  # 36.5 days: one band each
    assert np.all(soc.low <= soc.high) and np.all(soc.high - soc.low > 10)  # a nightly recharge: a daily swing
    assert set(pic.series) == {"soc", "voltage", "temperature_c", "capacity_fraction"}


def test_a_short_battery_run_plots_its_samples(tmp_path, monkeypatch, capsys):
    need_matplotlib()
    import hil.analysis.battery_plot as bp

    seen = {}
    real = bp.plot_battery
    monkeypatch.setattr(bp, "plot_battery", lambda *a, **kw: seen.setdefault("pic", real(*a, **kw)))
    assert main(["battery", str(ROOT / "examples/battery_hf10.toml"), "--years", "0.02", "--plot",
                 str(tmp_path / "b.png")]) == 0
    assert not seen["pic"].daily


def test_a_primary_cell_scenario_plots_soc_and_voltage(tmp_path, monkeypatch, capsys):
    need_matplotlib()
    import hil.analysis.battery_plot as bp

    seen = {}
    real = bp.plot_battery
    monkeypatch.setattr(bp, "plot_battery", lambda *a, **kw: seen.setdefault("pic", real(*a, **kw)))
    png = tmp_path / "p.png"
    assert main(["battery", str(ROOT / "examples/battery_tonic_primary.toml"), "--years", "5", "--plot", str(png)]) == 0
    pic = seen["pic"]
    assert png.read_bytes()[:8] == PNG and set(pic.series) == {"soc", "voltage"}
    assert pic.series["soc"].low[0] == 100 and pic.series["soc"].low[-1] < 10  # it ran past ERI
