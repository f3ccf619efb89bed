"""Every `DeviceProfile` bound, at its edges and just past them, through `scs simulate` on both
scheduler paths (the compiled kernel and SCS_NATIVE=0): the same exit code and output on both, a
value inside the bounds either simulates or is refused with one line (its program breaks the
profile), a value past them is refused with one line naming the key; and a program of as many
areas as the profile allows at most simulates end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from firmware_model.profiles import PROFILE_BOUNDS

ROOT = Path(__file__).resolve().parents[2]
RATES_HZ = (50, 130, 500, 1200)


def scenario(key: str, value: str) -> str:
    """A [profile] with one key set, and as many tonic areas as max_areas allows (at most 4 here)."""
    n = int(value) if key == "max_areas" and value.isdigit() and 1 <= int(value) <= 16 else 4
    areas = "".join(f'[[area]]\ncathodes = {{ "{2 * i}" = 100 }}\nanodes = [{2 * i + 1}]\namplitude_ua = 1000\n'
                    f"pulse_width_us = 60\nrate_hz = {RATES_HZ[i % 4] + i // 4}\n" for i in range(n))
    return f'name = "edge"\n[profile]\n{key} = {value}\n{areas}'


def edges() -> list[tuple[str, str, bool]]:
    """(key, TOML value, inside the bounds) for each bound's ends and the values just past them."""
    out = []
    for key, (lo, hi, _) in PROFILE_BOUNDS.items():
        if isinstance(lo, int) and isinstance(hi, int):
            out += [(key, str(lo), True), (key, str(hi), True), (key, str(lo - 1), False), (key, str(hi + 1), False)]
        else:
            out += [(key, repr(float(lo)), True), (key, repr(float(hi)), True),
                    (key, repr(float(lo) - 0.5), False), (key, repr(float(hi) + 0.5), False)]
    # an open lower end is itself outside
    return [(k, v, inside and not (k == "converter_efficiency" and float(v) == 0.0)) for k, v, inside in out]


CHILD = r"""
import contextlib, io, json, sys
from hil.cli.main import main
results = []
for path in json.loads(sys.stdin.read()):
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            rc = main(["simulate", path, "--duration", "50ms"])
    except SystemExit as e:
        rc = e.code
    except BaseException:
        import traceback
        rc, err = "raised", io.StringIO(traceback.format_exc())
    results.append([rc, out.getvalue(), err.getvalue()])
print(json.dumps(results))
"""


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("edges")
    paths = []
    for i, (key, value, _) in enumerate(edges()):
        path = d / f"e{i}.toml"
        path.write_text(scenario(key, value))
        paths.append(str(path))
    results = {}
    for native in ("1", "0"):
        proc = subprocess.run([sys.executable, "-c", CHILD], input=json.dumps(paths), capture_output=True, text=True,
                              timeout=600, cwd=ROOT, env={**os.environ, "SCS_NATIVE": native, "COLUMNS": "160"})
        assert proc.returncode == 0, proc.stderr[-3000:]
        results[native] = json.loads(proc.stdout)
    return {edge: (results["1"][i], results["0"][i]) for i, edge in enumerate(edges())}


@pytest.mark.parametrize("key, value, inside", edges())
def test_each_profile_bound_at_and_past_its_edges_simulates_or_is_refused_alike_on_both_paths(
        runs, key, value, inside):
    (rc, out, err), numpy_path = runs[(key, value, inside)]
    assert [rc, out, err] == numpy_path, "the compiled and the numpy path differ"
    assert rc in (0, 2), err
    if rc == 2:
        lines = err.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in err, err
        assert "not allowed" in lines[0] or "allowed" in lines[0], lines[0]
    if not inside:
        assert rc == 2 and f"profile.{key}:" in err, err


@pytest.mark.parametrize("areas", [1, PROFILE_BOUNDS["max_areas"][1]])
def test_a_program_of_as_many_areas_as_the_profile_allows_simulates_on_both_paths(runs, areas):
    (rc, out, err), _ = runs[("max_areas", str(areas), True)]
    assert rc == 0, err
    assert out.count("tonic") == areas  # one row per area in the table
