"""A short recorded exchange (info, login, status, one area write) for the capture tools."""

from __future__ import annotations

from protocol.spec.catalog import Role, load_catalog
from protocol.wire.codec import make
from tests.support.protocol_harness import Pair

CAT = load_catalog()


def session() -> Pair:
    p = Pair()
    p.request(make(CAT, "DEVICE_INFO_GET"))
    p.login(Role.CLINICIAN)
    p.request(make(CAT, "STATUS_GET"))
    p.request(make(CAT, "AREA_WRITE", program=1, area=2, amplitude_ua=4200, pulse_width_us=210, rate_mhz=60_000,
                   cathode_share_pct=(100,) + (0,) * 15, anode_mask=2))
    return p
