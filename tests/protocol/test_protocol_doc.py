"""docs/protocol.md says what the devices do (issue 22, item 7): each corrected statement pinned."""

from __future__ import annotations

from pathlib import Path

from protocol.spec.catalog import Role, load_catalog
from protocol.spec.definition import load_definition

DOC = (Path(__file__).resolve().parents[2] / "docs/protocol.md").read_text()


def test_every_request_marked_test_only_is_a_test_role_request_which_production_builds_refuse():
    cat, d = load_catalog(), load_definition()
    assert {cat[name].role for name in d.test_only} == {Role.TEST}


def test_timing_get_is_a_clinician_request_that_production_builds_answer_and_the_doc_does_not_mark_it_test_only():
    assert load_catalog()["TIMING_GET"].role is Role.CLINICIAN
    assert "TIMING_GET" not in load_definition().test_only
    assert "| `TIMING_GET` | yes |  |" in DOC


def test_the_doc_says_a_factory_reset_keeps_the_handshake_back_off():
    assert "back-off cleared" not in DOC
    reset = DOC[DOC.index("### RESET"):]
    assert "back-off and failure count survive" in reset[:reset.index("\n###")]
