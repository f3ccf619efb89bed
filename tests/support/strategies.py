"""Hypothesis strategies for stimulation parameters (valid by construction where it matters)."""

from __future__ import annotations

from hypothesis import strategies as st

from firmware_model.stimulation.params import Area, Contacts, Cycling, ParameterError, Program, RechargeMode, Waveform


@st.composite
def contacts(draw, first: int = 0) -> Contacts:
    pool = list(range(first, first + 4))
    n_cath = draw(st.integers(1, 2))
    cath = draw(st.permutations(pool))[:n_cath]
    if n_cath == 1:
        shares = [100]
    else:
        s = draw(st.integers(1, 99))
        shares = [s, 100 - s]
    rest = [c for c in pool if c not in cath]
    anodes = tuple(draw(st.lists(st.sampled_from(rest), min_size=0, max_size=2, unique=True)))
    case = draw(st.booleans()) if anodes else True
    return Contacts(cathodes=tuple(zip(cath, shares)), anodes=anodes, case_anode=case)


@st.composite
def tonic_areas(draw, first_contact: int = 0, max_amplitude_ua: int = 25_500, slow: bool = False) -> Area:
    """Tonic areas; ``slow`` keeps rates low enough that several areas can share the stage."""
    rate_hz = draw(st.integers(2, 200 if slow else 1200))
    rate_mhz = rate_hz * 1000 + draw(st.sampled_from([0, 0, 1, 333, 999]))
    width = draw(st.integers(20, 400 if slow else 1000))
    recharge = draw(st.sampled_from([RechargeMode.ACTIVE, RechargeMode.ACTIVE, RechargeMode.PASSIVE]))
    ratio = draw(st.sampled_from([1, 2, 5, 10])) if recharge is RechargeMode.ACTIVE else 1
    window = draw(st.integers(1, 2000)) if recharge is RechargeMode.PASSIVE else 0
    amp = 50 * draw(st.integers(0, max_amplitude_ua // 50))
    cyc = draw(st.none() | st.builds(Cycling, on_ms=st.integers(1, 300), off_ms=st.integers(1, 300)))
    soft = draw(st.integers(0, cyc.on_ms if cyc else 500)) if draw(st.booleans()) else 0
    try:
        return Area(contacts=draw(contacts(first_contact)), amplitude_ua=amp, pulse_width_us=width, rate_mhz=rate_mhz,
                    interphase_gap_us=draw(st.integers(0, 100)), recharge=recharge, recharge_ratio=ratio,
                    passive_window_us=window, cycling=cyc, soft_start_ms=soft)
    except ParameterError:
        # occupancy longer than the period: not a valid tonic area
        from hypothesis import reject

        reject()


@st.composite
def burst_areas(draw, first_contact: int = 0, max_amplitude_ua: int = 25_500) -> Area:
    intra_hz = draw(st.integers(200, 1000))
    width = draw(st.integers(20, min(1000, 1_000_000 // intra_hz - 1)))
    n = draw(st.integers(2, 8))
    window = draw(st.integers(1, 10_000))
    span = (n - 1) * 1_000_000 // intra_hz + width + window
    max_rate = min(100, 1_000_000 // span)
    if max_rate < 1:
        from hypothesis import reject

        reject()
    cyc = draw(st.none() | st.builds(Cycling, on_ms=st.integers(50, 500), off_ms=st.integers(1, 500)))
    return Area(contacts=draw(contacts(first_contact)), amplitude_ua=50 * draw(st.integers(0, max_amplitude_ua // 50)),
                pulse_width_us=width, rate_mhz=1000 * draw(st.integers(1, max_rate)), waveform=Waveform.BURST,
                recharge=RechargeMode.PASSIVE, passive_window_us=window, pulses_per_burst=n,
                intra_burst_rate_mhz=intra_hz * 1000, cycling=cyc,
                soft_start_ms=draw(st.integers(0, cyc.on_ms if cyc else 200)))


def safe_amplitude_cap(width_us: int) -> int:
    """An amplitude that never breaks the default charge limit at this width (2.9 uC / width)."""
    return min(25_500, 2_900_000 // width_us // 50 * 50)


@st.composite
def programs(draw, max_areas: int = 4, safe: bool = True) -> Program:
    n = draw(st.integers(1, max_areas))
    areas = []
    for i in range(n):
        if n == 1 and draw(st.booleans()):
            a = draw(burst_areas(first_contact=4 * i))
        else:
            a = draw(tonic_areas(first_contact=4 * i, slow=n > 1))
        if safe:
            a = a.with_amplitude(min(a.amplitude_ua, safe_amplitude_cap(a.pulse_width_us) // 2 // 50 * 50))
        areas.append(a)
    return Program(tuple(areas))


@st.composite
def schedulers(draw, max_areas: int = 4):
    """Schedulers of safe programs whose areas can be interleaved (others are rejected)."""
    from hypothesis import reject

    from firmware_model.stimulation.interleave import InterleaveError
    from firmware_model.stimulation.scheduler import Scheduler

    program = draw(programs(max_areas=max_areas))
    try:
        return Scheduler(program)
    except InterleaveError:
        reject()
