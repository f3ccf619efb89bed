"""One style of CLI error: every command, for a bad argument and for a missing file, prints one line
``scs COMMAND: error: WHAT (ALLOWED)`` on standard error and exits 2, without a traceback or argparse's
usage dump."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from hil.cli.main import COMMANDS, main

ROOT = Path(__file__).resolve().parents[2]
ONE_LINE = re.compile(r"scs( [a-z]+)*: error: \S.* \(.+\)")

#: per command: a bad argument, and a file that does not exist ("{missing}" is replaced)
BAD = {
    "simulate": (["simulate", "examples/tonic.toml", "--windw", "0:1s"], ["simulate", "{missing}"]),
    "battery": (["battery", "--years", "abc"], ["battery", "{missing}"]),
    "board": (["board", "--tcp", "x"], ["board", "--keys", "{missing}"]),
    "hil": (["hil", "-n", "abc"], ["hil", "--keys", "{missing}"]),
    "check": (["check", "c.jsonl", "--deadline-ms", "soon"], ["check", "{missing}"]),
    "capture": (["capture", "shw", "c.jsonl"], ["capture", "show", "{missing}"]),
    "keys": (["keys", "new", "--device-id", "abc"], ["keys", "new", "--device-id", "1", "--out", "{missing}/k.toml"]),
    "logic": (["logic", "--program", "hf10", "--samples", "many", "--capture", "c.sr"],
              ["logic", "--program", "{missing}", "--expect", "want.vcd"]),
}


def test_the_table_covers_every_command():
    assert set(BAD) == set(COMMANDS)


def one_error_line(capsys, argv: list[str]) -> str:
    code = main(argv)
    out, err = capsys.readouterr()
    assert code == 2, (argv, out, err)
    lines = err.splitlines()
    assert len(lines) == 1 and out == "", (argv, out, err)
    assert ONE_LINE.fullmatch(lines[0]), lines[0]
    assert "Traceback" not in err and "usage:" not in err
    return lines[0]


@pytest.mark.parametrize("command", sorted(BAD))
def test_a_bad_argument_is_one_line_naming_the_command_and_what_is_allowed_with_exit_2(command, capsys, monkeypatch):
    monkeypatch.chdir(ROOT)
    line = one_error_line(capsys, BAD[command][0])
    assert line.startswith(f"scs {command}")


@pytest.mark.parametrize("command", sorted(BAD))
def test_a_missing_file_is_one_line_naming_the_file_with_exit_2(command, capsys, tmp_path):
    missing = str(tmp_path / "not-there")
    line = one_error_line(capsys, [a.replace("{missing}", missing) for a in BAD[command][1]])
    assert line.startswith(f"scs {command}") and missing in line


def test_an_unknown_command_is_one_line_listing_the_commands(capsys):
    line = one_error_line(capsys, ["simulat"])
    assert line.startswith("scs: error: COMMAND 'simulat' is not known (one of simulate, battery")


def test_a_missing_required_argument_names_it_and_where_to_look(capsys):
    line = one_error_line(capsys, ["check"])
    assert line == "scs check: error: missing capture (required; see scs check --help)"


def test_battery_years_abc_prints_exactly_one_line_from_the_console_script():
    proc = subprocess.run([sys.executable, "-P", "-m", "hil.cli", "battery", "--years", "abc"], capture_output=True,
                          text=True, cwd=ROOT, timeout=120, check=False)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr == "scs battery: error: --years 'abc' is not a number (a number, e.g. 2.5)\n"
