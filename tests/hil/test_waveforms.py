"""Waveform export: VCDs that Debian's sigrok-cli (libsigrok 0.5.2) and GTKWave read, pulse for pulse,
and plots of any time window."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

from firmware_model.scenario.stimulation import load_scenario
from firmware_model.stimulation.params import Area, Contacts, Program, RechargeMode, Waveform
from firmware_model.stimulation.scheduler import Scheduler
from firmware_model.stimulation.timeline import TIMELINE_DTYPE
from hil.analysis.waveforms import (
    SIGN_CONVENTION,
    parse_window,
    read_vcd_changes,
    signal_names,
    write_vcd,
)
from hil.cli.main import main

ROOT = Path(__file__).resolve().parents[2]
SIMULATE_EXAMPLES = [p for p in sorted((ROOT / "examples").glob("*.toml")) if "[[area]]" in p.read_text()]


def sigrok_cli() -> str:
    path = shutil.which("sigrok-cli")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("sigrok-cli is missing: scripts/install-system-deps.sh installs it")
        pytest.skip("sigrok-cli is not installed (scripts/install-system-deps.sh installs it)")
    return path


def merged(on: np.ndarray, off: np.ndarray) -> list[tuple[int, int]]:
    """Sorted high intervals with touching ones joined (a level that does not drop)."""
    out: list[list[int]] = []
    for a, b in sorted(zip(on.tolist(), off.tolist())):
        if out and out[-1][1] == a:
            out[-1][1] = b
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def intervals(changes: list[tuple[int, str, int]], name: str, end: int) -> list[tuple[int, int]]:
    out, high_since = [], None
    for t, n, v in changes:
        if n != name:
            continue
        if v and high_since is None:
            high_since = t
        elif not v and high_since is not None:
            out.append((high_since, t))
            high_since = None
    if high_since is not None:
        out.append((high_since, end))
    return out


def expected_signals(tl: np.ndarray, n_areas: int) -> dict[str, list[tuple[int, int]]]:
    """What each VCD signal must show, from the timeline alone."""
    start, end = tl["start_tick"], tl["end_tick"]
    exp = {"stage_busy": merged(start, end)}
    for i in range(n_areas):
        m = tl[tl["area"] == i]
        s = m["start_tick"]
        exp[f"area{i}_busy"] = merged(s, m["end_tick"])
        exp[f"area{i}_cathodic"] = list(zip(s.tolist(), (s + m["width_us"]).tolist()))
        r = m[m["recharge_width_us"] > 0]
        on = r["start_tick"] + r["width_us"] + r["gap_us"]
        exp[f"area{i}_recharge"] = list(zip(on.tolist(), (on + r["recharge_width_us"]).tolist()))
    return exp


def check_structure(text: str) -> None:
    """What GTKWave needs: balanced scopes, unique 1-bit wires, increasing time, one change per signal
    per instant, initial values in $dumpvars at #0."""
    header, body = text.split("$enddefinitions $end", 1)
    assert "$timescale 1 us $end" in header
    assert header.count("$scope module") == header.count("$upscope $end") > 0
    var_lines = [line.split() for line in header.splitlines() if line.startswith("$var")]
    assert all(v[1] == "wire" and v[2] == "1" and v[5] == "$end" for v in var_lines)
    assert len({v[3] for v in var_lines}) == len({v[4] for v in var_lines}) == len(var_lines)
    assert body.split()[:2] == ["#0", "$dumpvars"]
    times, seen = [], set()
    for tok in body.split():
        if tok.startswith("#"):
            times.append(int(tok[1:]))
            seen = set()
        elif tok[0] in "01":
            assert tok[1:] not in seen, f"{tok[1:]} changes twice at #{times[-1]}"
            seen.add(tok[1:])
    assert all(b > a for a, b in itertools.pairwise(times)), "timestamps strictly increase"


@pytest.mark.tools
@pytest.mark.parametrize("path", SIMULATE_EXAMPLES, ids=lambda p: p.stem)
def test_every_example_vcd_round_trips_through_sigrok_cli_pulse_for_pulse(path, tmp_path):
    sigrok = sigrok_cli()
    vcd = tmp_path / "w.vcd"
    assert main(["simulate", str(path), "--vcd", str(vcd)]) == 0
    sc = load_scenario(path)
    n = len(sc.program.areas)
    tl = Scheduler(sc.program, sc.profile, sc.impedances).generate(0, sc.duration_ticks)
    text = vcd.read_text()
    check_structure(text)
    proc = subprocess.run([sigrok, "-I", "vcd", "-i", str(vcd), "-O", "vcd"], capture_output=True, text=True,
                          timeout=120, check=True)
    names, changes = read_vcd_changes(proc.stdout)
    assert sorted(names.values()) == sorted(name for _, name in signal_names(n)), "sigrok keeps every channel"
    for name, want in expected_signals(tl, n).items():
        got = intervals(changes, name, sc.duration_ticks)
        assert got == want, f"{name}: sigrok decodes {len(got)} intervals, the timeline has {len(want)}"
    assert len(intervals(changes, "area0_cathodic", sc.duration_ticks)) == np.count_nonzero(tl["area"] == 0) > 0


@pytest.mark.tools
def test_our_own_reader_sees_the_same_edges_as_sigrok(tmp_path):
    sc = load_scenario(ROOT / "examples/four_areas.toml")
    tl = Scheduler(sc.program, sc.profile, sc.impedances).generate(0, 200_000)
    write_vcd([tl[:100], tl[100:]], tmp_path / "w.vcd", 4, 200_000)
    _, changes = read_vcd_changes((tmp_path / "w.vcd").read_text())
    for name, want in expected_signals(tl, 4).items():
        assert intervals(changes, name, 200_000) == want


def test_back_to_back_occupancies_keep_busy_high_instead_of_two_changes_at_one_instant(tmp_path):
    sc = load_scenario(ROOT / "examples/four_areas.toml")
    tl = Scheduler(sc.program, sc.profile, sc.impedances).generate(0, 1_000_000)
    touching = np.count_nonzero(tl["start_tick"][1:] == tl["end_tick"][:-1])
    assert touching > 10, "four_areas displaces pulses onto the end of the previous one"
    write_vcd([tl], tmp_path / "w.vcd", 4, 1_000_000)
    check_structure((tmp_path / "w.vcd").read_text())


def test_a_burst_frees_the_stage_after_its_gap_and_passive_window_and_not_before(tmp_path):
    area = Area(contacts=Contacts(cathodes=((0, 100),), anodes=(1,)), amplitude_ua=1000, pulse_width_us=500,
                rate_mhz=40_000, waveform=Waveform.BURST, recharge=RechargeMode.PASSIVE, passive_window_us=6000,
                pulses_per_burst=4, intra_burst_rate_mhz=500_000, interphase_gap_us=70)
    tl = Scheduler(Program((area,))).generate(0, 100_000)
    inside, last = tl[tl["index"] < 3], tl[tl["index"] == 3]
    assert np.all(inside["end_tick"] - inside["start_tick"] == 500)
    assert np.all(inside["gap_us"] == 0) and np.all(inside["recharge_width_us"] == 0)
    assert np.all(last["end_tick"] - last["start_tick"] == 500 + 70 + 6000)
    write_vcd([tl], tmp_path / "w.vcd", 1, 100_000)
    _, changes = read_vcd_changes((tmp_path / "w.vcd").read_text())
    busy = intervals(changes, "area0_busy", 100_000)
    assert busy == merged(tl["start_tick"], tl["end_tick"])
    assert busy[3] == (int(last["start_tick"][0]), int(last["start_tick"][0]) + 6570)
    assert intervals(changes, "area0_recharge", 100_000)[0][0] == int(last["start_tick"][0]) + 570


# --- plots ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("text, window", [("10s:10.05s", (10_000_000, 10_050_000)), ("0:5ms", (0, 5000)),
                                          ("0s:1s", (0, 1_000_000)), ("1.5ms:2ms", (1500, 2000))])
def test_windows_parse_to_exact_ticks(text, window):
    assert parse_window(text) == window


@pytest.mark.parametrize("text", ["10s", "2s:1s", "1s:1s", "a:b", "1s:2s:3s", "-1s:2s"])
def test_bad_windows_are_refused_with_exit_2(text, capsys, tmp_path):
    with pytest.raises(ValueError, match="not allowed"):
        parse_window(text)
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib (the 'plot' extra)")
    rc = main(["simulate", str(ROOT / "examples/tonic.toml"), "--duration", "3s", "--plot",
               str(tmp_path / "p.png"), f"--window={text}"])
    assert rc == 2 and "--window" in capsys.readouterr().err


def test_a_window_past_the_simulated_span_is_refused(capsys, tmp_path):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib (the 'plot' extra)")
    rc = main(["simulate", str(ROOT / "examples/tonic.toml"), "--duration", "1s", "--plot",
               str(tmp_path / "p.png"), "--window", "10s:10.05s"])
    assert rc == 2 and "within the simulated" in capsys.readouterr().err


def test_a_plot_of_a_late_window_shows_the_soft_start_at_therapy_amplitude(tmp_path, monkeypatch):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib (the 'plot' extra)")
    import hil.analysis.waveforms as wf

    seen = {}
    real = wf.plot_waveforms

    def spy(timeline, n_areas, path, window):
        seen["timeline"], seen["window"] = timeline, window
        real(timeline, n_areas, path, window)

    monkeypatch.setattr(wf, "plot_waveforms", spy)
    png = tmp_path / "p.png"
    # tonic.toml ramps over 2 s: at 10 s the pulses are at the full 4 mA
    assert main(["simulate", str(ROOT / "examples/tonic.toml"), "--plot", str(png), "--window", "10s:10.05s",
                 "--duration", "11s"]) == 0
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tl, window = seen["timeline"], seen["window"]
    assert window == (10_000_000, 10_050_000)
    shown = tl[(tl["start_tick"] < window[1]) & (tl["end_tick"] > window[0])]
    assert len(shown) == 3 and np.all(shown["amplitude_ua"] == 4000)
    early = tmp_path / "early.png"
    assert main(["simulate", str(ROOT / "examples/tonic.toml"), "--plot", str(early), "--window", "0:0.1s",
                 "--duration", "1s"]) == 0
    ramp = seen["timeline"]
    amp = ramp["amplitude_ua"].astype(int)
    assert amp[0] == 50 and np.all(np.diff(amp) >= 0) and amp[-1] > 50 and amp.max() < 4000


def test_plots_state_the_phase_sign_convention(tmp_path):
    pytest.importorskip("matplotlib", reason="--plot needs matplotlib (the 'plot' extra)")
    import matplotlib.pyplot as plt

    from hil.analysis import waveforms

    captured = {}
    real = plt.Figure.savefig

    def grab(fig, *a, **kw):
        captured["title"] = fig._suptitle.get_text()
        return real(fig, *a, **kw)

    plt.Figure.savefig = grab
    try:
        sc = load_scenario(ROOT / "examples/tonic.toml")
        tl = Scheduler(sc.program, sc.profile, sc.impedances).generate(0, 100_000)
        waveforms.plot_waveforms(tl, 1, tmp_path / "p.png", (0, 100_000))
    finally:
        plt.Figure.savefig = real
    assert SIGN_CONVENTION in captured["title"] and "cathodic" in SIGN_CONVENTION and "positive" in SIGN_CONVENTION


def test_an_empty_simulation_saves_the_timeline_dtype(tmp_path):
    # the only area uses an open contact (9 kohm): it is stopped and nothing is emitted
    path = tmp_path / "quiet.toml"
    path.write_text('[impedance]\ndefault_ohm = 1000\ncontacts = { "0" = 9000 }\n'
                    '[[area]]\ncathodes = { "0" = 100 }\nanodes = [1]\namplitude_ua = 1000\n'
                    'pulse_width_us = 100\nrate_hz = 50\n')
    out = tmp_path / "t.npz"
    assert main(["simulate", str(path), "--duration", "100ms", "--out", str(out)]) == 0
    saved = np.load(out)["timeline"]
    assert saved.dtype == TIMELINE_DTYPE and len(saved) == 0


def test_a_window_without_a_plot_is_refused(capsys):
    assert main(["simulate", str(ROOT / "examples/tonic.toml"), "--window", "0:1s"]) == 2
    assert "--plot" in capsys.readouterr().err


@pytest.mark.tools
@pytest.mark.parametrize("path", SIMULATE_EXAMPLES, ids=lambda p: p.stem)
def test_every_example_vcd_round_trips_through_gtkwaves_own_reader(path, tmp_path):
    """Optional: GTKWave's VCD reader (vcd2fst) and its writer (fst2vcd), when GTKWave is installed."""
    vcd2fst, fst2vcd = shutil.which("vcd2fst"), shutil.which("fst2vcd")
    if not (vcd2fst and fst2vcd):
        pytest.skip("GTKWave is not installed (optional: apt-get install gtkwave); the structure test covers it")
    vcd = tmp_path / "w.vcd"
    assert main(["simulate", str(path), "--vcd", str(vcd), "--duration", "2s"]) == 0
    subprocess.run([vcd2fst, str(vcd), str(tmp_path / "w.fst")], check=True, capture_output=True, timeout=120)
    back = subprocess.run([fst2vcd, str(tmp_path / "w.fst")], check=True, capture_output=True, text=True,
                          timeout=120).stdout
    assert "$scope module area0 $end" in back, "GTKWave keeps the scopes"
    _, theirs = read_vcd_changes(back)
    _, ours = read_vcd_changes(vcd.read_text())
    for name in {n for _, n, _ in ours}:
        assert intervals(theirs, name, 2_000_000) == intervals(ours, name, 2_000_000)
