"""Differential runs: the same generated request sequences on the target and on the reference model,
every response compared (fields that depend on the device's history, time or nonces excepted)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hil.harness.conformance.differential import REQUESTS, assert_same_answers
from hil.link.bridge import Bridge
from hil.link.model_port import ModelSerial
from protocol.spec.catalog import Role


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                  HealthCheck.too_slow])
@given(sequence=st.lists(st.tuples(st.sampled_from([Role.CLINICIAN, Role.PATIENT]), REQUESTS), min_size=1, max_size=12))
def test_generated_request_sequences_give_the_reference_model_responses(scs_target, sequence):
    target = scs_target.bridge()
    reference = Bridge(ModelSerial("scsmodel://", device=scs_target.reference_device(), timeout=0.05),
                       keys=scs_target.keys)
    try:
        scs_target.factory_reset(target)
        assert_same_answers(target, reference, sequence)
    finally:
        target.close()
        reference.close()
