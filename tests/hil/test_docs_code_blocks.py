"""Every code block of README.md and docs/*.md runs here, as its info string says (the rule is in
docs/testing.md, "Code blocks in these documents"), so an example can't rot."""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
DOCUMENTS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
DECISIONS = ("python test", "python run", "sh run", "sh parse", "toml", "toml scenario", "text")
#: the example that uses clinician, patient and tester together also runs on these targets
ROLES_EXAMPLE = "def test_a_patient_cannot_exceed_the_clinicians_window"


@dataclass(frozen=True)
class Block:
    path: Path
    line: int       # of the opening fence
    info: str
    text: str

    @property
    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def blocks(path: Path) -> list[Block]:
    found, opened, body = [], None, []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        fence = re.match(r"^(\s*)```(.*)$", line)
        if fence and opened is None:
            opened, body = (n, fence.group(2).strip()), []
        elif fence and opened is not None:
            found.append(Block(path, opened[0], opened[1], "\n".join(body) + "\n"))
            opened = None
        elif opened is not None:
            body.append(line)
    assert opened is None, f"{path.relative_to(ROOT)}:{opened[0]}: a code block is never closed"
    return found


ALL = [b for doc in DOCUMENTS for b in blocks(doc)]


def of(info: str) -> list:
    return [pytest.param(b, id=b.where) for b in ALL if b.info == info]


def test_every_code_block_says_what_the_suite_does_with_it():
    undecided = [f"{b.where} (```{b.info})" for b in ALL if b.info not in DECISIONS]
    assert not undecided, f"give each an info string of {', '.join(DECISIONS)}: {', '.join(undecided)}"
    assert {b.info for b in ALL} >= {"python test", "sh run", "sh parse", "toml scenario"}


def run_pytest(folder: Path, target: str, timeout: float = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-P", "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:labgrid",
                           "-o", "addopts=", "-W", "ignore::DeprecationWarning", str(folder), "--scs-target", target,
                           "--scs-runs", str(folder / "runs")], capture_output=True, text=True, cwd=folder,
                          env=ENV, timeout=timeout)


@pytest.mark.parametrize("block", of("python test"))
def test_python_test_blocks_pass_under_pytest_on_the_model(block, tmp_path):
    (tmp_path / "test_example.py").write_text(block.text)
    proc = run_pytest(tmp_path, "model")
    assert proc.returncode == 0, f"{block.where}:\n{proc.stdout}{proc.stderr}"
    assert " passed" in proc.stdout and "skipped" not in proc.stdout


def _roles_example() -> Block:
    [block] = [b for b in ALL if b.info == "python test" and ROLES_EXAMPLE in b.text]
    return block


@pytest.mark.parametrize("target", ["sim", "qemu"])
def test_the_guides_clinician_patient_and_tester_example_passes_on_sim_and_qemu(target, tmp_path):
    if target == "qemu":
        missing = [t for t in ("qemu-system-arm", "arm-none-eabi-gcc") if shutil.which(t) is None]
        if missing:
            pytest.skip(f"needs {', '.join(missing)} (make test installs them)")
    block = _roles_example()
    (tmp_path / "test_roles.py").write_text(block.text)
    proc = run_pytest(tmp_path, target)
    assert proc.returncode == 0 and "1 passed" in proc.stdout, proc.stdout + proc.stderr


@pytest.mark.parametrize("block", of("python run"))
def test_python_run_blocks_exit_0(block, tmp_path):
    proc = subprocess.run([sys.executable, "-P", "-c", block.text], capture_output=True, text=True, cwd=tmp_path,
                          env=ENV, timeout=300)
    assert proc.returncode == 0, f"{block.where}:\n{proc.stdout}{proc.stderr}"


def commands(block: Block) -> list[str]:
    """The block's commands, one a line (comments and blank lines dropped)."""
    return [line for line in block.text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("block", of("sh run"))
def test_sh_run_blocks_run_every_command_with_exit_0(block, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    scs = bin_dir / "scs"
    scs.write_text(f'#!/bin/sh\nexec "{sys.executable}" -P -m hil.cli "$@"\n')  # this tree's `scs`
    scs.chmod(0o755)
    env = {**ENV, "PATH": f"{bin_dir}{os.pathsep}{ENV.get('PATH', '')}"}
    for command in commands(block):
        proc = subprocess.run(["bash", "-e", "-c", command], capture_output=True, text=True, cwd=tmp_path,
                              env=env, timeout=600)
        assert proc.returncode == 0, f"{block.where}: `{command}` exited {proc.returncode}:\n{proc.stdout}{proc.stderr}"


def scs_commands(text: str) -> list[list[str]]:
    """Every `scs ...` command of a shell text, as argument lists (split at ;, &&, || and |)."""
    found = []
    for line in text.replace("\\\n", " ").splitlines():  # continued lines joined
        lexer = shlex.shlex(line, posix=True, punctuation_chars=True)
        lexer.whitespace_split = True
        lexer.commenters = "#"
        command: list[str] = []
        for token in [*lexer, ";"]:
            if token in (";", "&&", "||", "|", "&"):
                if command and command[0] == "scs":
                    found.append(command[1:])
                command = []
            else:
                command.append(token)
    return found


@pytest.mark.parametrize("block", of("sh parse"))
def test_sh_parse_blocks_are_valid_shell_and_their_scs_commands_parse(block):
    from hil.cli.main import build_parser

    proc = subprocess.run(["bash", "-n"], input=block.text, capture_output=True, text=True, timeout=30)
    assert proc.returncode == 0, f"{block.where}: {proc.stderr}"
    parser = build_parser()
    for argv in scs_commands(block.text):
        try:
            parser.parse_args(argv)
        except SystemExit as e:
            pytest.fail(f"{block.where}: `scs {shlex.join(argv)}` does not parse (exit {e.code})")


def test_the_scs_command_finder_splits_chained_commands_and_drops_comments():
    text = "pip install -e . && scs hil        # the main job\nscs battery --anchors | head -1\nmake test\n"
    assert scs_commands(text) == [["hil"], ["battery", "--anchors"]]


@pytest.mark.parametrize("block", of("toml") + of("toml scenario"))
def test_toml_blocks_parse(block):
    tomllib.loads(block.text)


@pytest.mark.parametrize("block", of("toml scenario"))
def test_scenario_blocks_make_pulses_in_every_area(block):
    from firmware_model.scenario.stimulation import scenario_from_dict
    from firmware_model.stimulation.scheduler import Scheduler

    scenario = scenario_from_dict(tomllib.loads(block.text), block.where)
    totals = Scheduler(scenario.program, scenario.profile, scenario.impedances).totals(0, scenario.duration_ticks)
    assert all(n > 0 for n in totals.pulses), f"{block.where}: pulses per area {totals.pulses}"
