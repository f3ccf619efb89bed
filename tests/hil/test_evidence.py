"""The evidence tooling (issue 23): requirement IDs reach JUnit and the test record, measurements are
judged against their limits, the traceability matrix names what is untested, the bundle's hashes
verify, and the requirements generated from the device definition are current."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from hil.evidence import bundle, misra, requirements, trace
from hil.harness.measurements import FAIL, MARGINAL, PASS, Measurement, MeasurementError

ROOT = Path(__file__).resolve().parents[2]

TESTS = '''
import pytest

@pytest.mark.requirement("SRS-SCHED-001", "SRS-GEN-RESULT-OK")
def test_within_limits(measure):
    measure("latency", 3, "ms", low=0, high=10)

@pytest.mark.requirement("SRS-SCHED-002")
def test_out_of_limits(measure):
    measure("displacement", 2500, "ticks", high=2000)
'''


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """A pytest run of two tagged tests with the plugin: its JUnit XML and test record."""
    folder = tmp_path_factory.mktemp("run")
    (folder / "test_tagged.py").write_text(TESTS)
    junit, record = folder / "junit.xml", folder / "record.json"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:scs", "-p",
                           "hil.harness.plugin", str(folder / "test_tagged.py"), f"--junitxml={junit}",
                           "--scs-record", str(record), "--rootdir", str(folder)],
                          cwd=folder, capture_output=True, text=True, env=_env())
    return proc, ET.parse(junit).getroot(), json.loads(record.read_text())


def _env() -> dict:
    import os

    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}
    env["PYTHONPATH"] = str(ROOT)
    return env


def _case(junit, name: str):
    return next(c for c in junit.iter("testcase") if c.get("name") == name)


def test_the_requirement_marker_reaches_junit_properties(run):
    _, junit, _ = run
    props = [(p.get("name"), p.get("value")) for p in _case(junit, "test_within_limits").iter("property")]
    assert ("requirement", "SRS-SCHED-001") in props and ("requirement", "SRS-GEN-RESULT-OK") in props


def test_a_measurement_outside_its_limits_fails_the_test_and_is_recorded(run):
    proc, junit, record = run
    assert proc.returncode == 1
    assert _case(junit, "test_out_of_limits").find("failure") is not None
    tests = {t["nodeid"].split("::")[-1]: t for t in record["tests"]}
    bad = tests["test_out_of_limits"]
    assert bad["outcome"] == "failed" and bad["requirements"] == ["SRS-SCHED-002"]
    assert bad["measurements"] == [{"name": "displacement", "value": 2500, "unit": "ticks", "low": None, "high": 2000,
                                    "marginal_low": None, "marginal_high": None, "outcome": FAIL}]
    assert tests["test_within_limits"]["outcome"] == "passed"
    assert record["device"]["target"] == "host"


def test_a_value_near_a_limit_is_marginal_and_limits_must_be_ordered():
    assert Measurement("v", 9, "V", low=0, high=10, marginal_high=8).outcome == MARGINAL
    assert Measurement("v", 5, "V", low=0, high=10, marginal_high=8).outcome == PASS
    with pytest.raises(MeasurementError):
        Measurement("v", 5, "V", low=10, high=0)


def test_an_untested_or_failing_requirement_is_listed_and_the_matrix_exits_1(run, tmp_path):
    _, _, record = run
    records = tmp_path / "records"
    records.mkdir()
    (records / "host.json").write_text(json.dumps(record))
    status = trace.main(["--records", str(records), "--out", str(tmp_path)])
    matrix = json.loads((tmp_path / "traceability.json").read_text())
    assert status == 1
    assert "SRS-SCHED-002" in matrix["failing"], "its only test failed"
    assert "SRS-PIN-003" in matrix["untested"], "no test names it"
    row = next(r for r in matrix["requirements"] if r["id"] == "SRS-SCHED-001")
    assert row["results"]["host"][0]["outcome"] == "passed" and row["tests"]
    assert "SRS-SCHED-001" in (tmp_path / "traceability.html").read_text()


def test_sha256sums_verify_every_file_of_the_bundle(tmp_path):
    (tmp_path / "records").mkdir()
    (tmp_path / "records" / "model.json").write_text("{}\n")
    (tmp_path / "index.html").write_text("<html></html>\n")
    sums = bundle.write_sums(tmp_path)
    assert len(sums.read_text().splitlines()) == 2
    assert subprocess.run(["sha256sum", "--quiet", "-c", bundle.SUMS], cwd=tmp_path).returncode == 0
    (tmp_path / "index.html").write_text("changed\n")
    assert subprocess.run(["sha256sum", "--quiet", "-c", bundle.SUMS], cwd=tmp_path, capture_output=True).returncode == 1


def test_the_requirements_generated_from_the_device_definition_are_not_stale():
    assert requirements.main(["--check"]) == 0, "run: python -m hil.evidence.requirements"


def test_a_misra_finding_without_a_deviation_fails_the_gate(tmp_path):
    record = tmp_path / "deviations.md"
    record.write_text("| rule | scope | status | rationale |\n|---|---|---|---|\n| 15.5 | core | permanent | early returns |\n")
    findings = tmp_path / "findings.txt"
    findings.write_text("core/link.c:10:misra-c2012-15.5:misra violation\ncore/link.c:12:misra-c2012-18.4:misra violation\n")
    assert misra.main(["--findings", str(findings), "--deviations", str(record)]) == 1
    findings.write_text("src/portable/link.c:10:misra-c2012-15.5:misra violation\n")
    assert misra.main(["--findings", str(findings), "--deviations", str(record)]) == 0


def test_an_excluded_function_leaves_the_branch_figures_and_only_the_core_files_count():
    from hil.evidence.coverage import BOARD, _split, branch_totals

    src = str(BOARD / "core" / "fw.c")
    header = str(BOARD / "core" / "therapy.h")

    def fn(name: str, *branches: tuple[int, int, int]) -> dict:
        return {"name": name, "filenames": [src, header], "branches": [[1, 1, 1, 2, t, f, i, 0, 4] for t, f, i in branches]}

    exported = {"data": [{"functions": [fn("scs_fw_boot", (3, 0, 0), (1, 1, 1)),
                                        fn("fw.c:hardware_only", (0, 0, 0), (0, 0, 0))]}]}
    assert branch_totals(exported, [src], []) == (1, 6), "the header's branch is not the core's"
    files, functions = _split(["ports/host/*", "core/fw.c:hardware_only"])
    assert (files, functions) == (["ports/host/*"], [("core/fw.c", "hardware_only")])
    assert branch_totals(exported, [src], functions) == (1, 2)


def test_the_misra_gate_reads_the_firmware_and_not_the_observer_plugin():
    assert misra.sources(), "the board's sources are found"
    assert not [p for p in misra.sources() if "qemu_plugin" in p.parts]
