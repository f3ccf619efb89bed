"""Differential runs: the request sequences the conformance suite generates, and the comparison of a
target's answers with the reference model's (fields that depend on history, time or nonces excepted)."""

from __future__ import annotations

from hypothesis import strategies as st

from hil.harness.conformance.support import CAT, area
from hil.link.bridge import Bridge
from protocol.wire.codec import make

#: history- and time-dependent fields: the target has been up longer than a fresh model
IGNORED = {"clock_ticks", "ticks", "tick", "battery_soc_permille", "battery_mv", "temperature_mc", "battery_state",
           "recharge_state", "battery_current_ua", "received_mw", "total", "index"}

REQUESTS = st.one_of(
    st.builds(lambda p, a, amp: ("AREA_WRITE", dict(program=p, area=a, **area(2 * a, 2 * a + 1, amplitude_ua=amp))),
              st.integers(0, 2), st.integers(0, 1), st.integers(0, 240).map(lambda x: x * 50)),
    st.builds(lambda p, n: ("PROGRAM_COMMIT", dict(program=p, area_count=n)), st.integers(0, 2), st.integers(1, 2)),
    st.builds(lambda p, a, lo, hi, s: ("LIMITS_WRITE", dict(program=p, area=a, min_amplitude_ua=lo * 50,
                                                             max_amplitude_ua=hi * 50, patient_selectable=s)),
              st.integers(0, 2), st.integers(0, 1), st.integers(0, 60), st.integers(0, 200), st.integers(0, 1)),
    st.builds(lambda p: ("PROGRAM_SELECT", dict(program=p)), st.integers(0, 2)),
    st.builds(lambda on: ("STIM_SET", dict(on=on)), st.integers(0, 1)),
    st.builds(lambda a, s: ("AMPLITUDE_STEP", dict(area=a, steps=s)), st.sampled_from([0, 1, 255]), st.integers(-20, 20)),
    st.builds(lambda e: ("MRI_MODE_SET", dict(enter=e)), st.integers(0, 1)),
    st.builds(lambda p, a: ("AREA_READ", dict(program=p, area=a)), st.integers(0, 2), st.integers(0, 1)),
    st.builds(lambda p, a: ("LIMITS_READ", dict(program=p, area=a)), st.integers(0, 2), st.integers(0, 1)),
    st.just(("STATUS_GET", {})),
    st.just(("IMPEDANCE_GET", {})),
)


def comparable(msg) -> dict:
    return {k: v for k, v in msg._asdict().items() if k not in IGNORED}


def assert_same_answers(device: Bridge, reference: Bridge, sequence) -> None:
    """Run (role, (request, fields)) steps on both; every answer must match, history fields aside."""
    for role, (name, fields) in sequence:
        for b in (device, reference):
            if b.role is not role:
                b.login(role)
        got = device.request(make(CAT, name, **fields))
        want = reference.request(make(CAT, name, **fields))
        assert got.name == want.name, f"{name}: {got.name} != {want.name}"
        assert comparable(got.message) == comparable(want.message), f"{role.name} {name} {fields}"
