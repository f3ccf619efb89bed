"""Every Python module that `make test` runs with ``python -m`` (its Makefile recipes and the evidence
gates' own subprocesses) comes from a distribution that `make install` asks for: the project's
dependencies and the extras it installs, with what they require in turn. A module that is only on the
machine by chance (coverage was, on the machines that ran CI, and a fresh Debian venv failed the coverage
gate) fails here, naming its distribution."""

from __future__ import annotations

import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]
#: the Makefile targets `make test` runs, and the modules whose subprocesses it runs
TEST_TARGETS = ("install", "lint", "test", "evidence-gates", "metrics")
SUBPROCESS_SOURCES = ("hil/evidence/coverage.py",)


def makefile_recipes(target: str) -> str:
    text = (ROOT / "Makefile").read_text()
    match = re.search(rf"^{re.escape(target)}:.*?\n((?:\t.*\n)+)", text, re.M)
    assert match, f"the Makefile has no target {target!r}"
    return match.group(1)


def installed_extras() -> list[str]:
    """The extras `make install` names (``pip install -e '.[a,b]'``)."""
    match = re.search(r"-e '\.\[([\w,]+)\]'", makefile_recipes("install"))
    assert match, "make install names no extras"
    return match.group(1).split(",")


def modules_run_by_make_test() -> set[str]:
    """Top-level names of the modules run with ``-m`` (ours and the standard library's left out)."""
    names = set()
    for target in TEST_TARGETS:
        names |= set(re.findall(r"-m ([A-Za-z_][\w.]*)", makefile_recipes(target)))
    for source in SUBPROCESS_SOURCES:
        names |= set(re.findall(r'"-m", "([A-Za-z_][\w.]*)"', (ROOT / source).read_text()))
    tops = {n.split(".")[0] for n in names}
    ours_or_given = {"hil", "firmware_model", "protocol", "benchmarks", "tests",
                     "pip"}  # pip comes with every venv: it is what installs the rest
    return {t for t in tops if t not in ours_or_given and t not in sys.stdlib_module_names}


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def declared_closure() -> set[str]:
    """The distributions `make install` asks for, and what they require in turn (as installed here)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = [*project["dependencies"]]
    for extra in installed_extras():
        wanted += project["optional-dependencies"][extra]
    seen: set[str] = set()
    todo = [Requirement(r) for r in wanted]
    while todo:
        req = todo.pop()
        if req.marker is not None and not req.marker.evaluate({"extra": ""}):
            continue
        name = canonical(req.name)
        if name in seen:
            continue
        seen.add(name)
        try:
            todo += [Requirement(r) for r in metadata.requires(req.name) or []]
        except metadata.PackageNotFoundError:
            pass  # not installed here: the modules check below names what is missing
    return seen


def test_make_install_names_the_extras_the_tests_need():
    assert {"test", "plot", "lab", "bench"} <= set(installed_extras())


@pytest.mark.parametrize("module", sorted(modules_run_by_make_test()))
def test_every_module_make_test_runs_comes_from_a_distribution_make_install_asks_for(module):
    providers = {canonical(d) for d in metadata.packages_distributions().get(module, [])}
    assert providers, f"`python -m {module}` is run by make test but no installed distribution provides it"
    declared = declared_closure()
    assert providers & declared, (f"`python -m {module}` comes from {sorted(providers)}, which make install does "
                                  f"not ask for: add it to an extra in pyproject.toml")
