"""The timeline record: one row per pulse (`TIMELINE_DTYPE`), its flags and chunk sizes."""

from __future__ import annotations

import numpy as np

TIMELINE_DTYPE = np.dtype([
    ("start_tick", "<i8"),             # actual start of the cathodic phase
    ("end_tick", "<i8"),               # the output stage is free again (end of gap and recharge)
    ("period", "<i8"),                 # period index k of the area (burst: the burst's index)
    ("index", "u1"),                   # pulse index in the burst (0 for tonic/HF)
    ("area", "u1"),
    ("amplitude_ua", "<u2"),           # delivered cathodic amplitude
    ("width_us", "<u2"),               # cathodic phase
    ("gap_us", "u1"),                  # interphase gap (0 inside a burst)
    ("recharge_width_us", "<u2"),      # anodic phase, or passive window (0 inside a burst)
    ("recharge_amplitude_ua", "<u2"),  # anodic amplitude (0 for passive recharge)
    ("charge_pc", "<i4"),              # cathodic charge, pC = uA*us
    ("recharge_charge_pc", "<i4"),     # charge returned by the recharge phase (negative)
    ("displacement_ticks", "<u4"),     # start_tick - nominal start
    ("flags", "u1"),
])

#: byte offsets of the per-pulse fields the merge kernel writes: start, displacement, end, period
KERNEL_OFFSETS = np.array([TIMELINE_DTYPE.fields[f][1] for f in  # type: ignore[index]
                            ("start_tick", "displacement_ticks", "end_tick", "period")], dtype=np.int32)

#: this pulse's programmed (or ramped) amplitude needed more than the compliance voltage: it was
#: delivered at the largest amplitude step at or below exactly V / Z
FLAG_OUT_OF_COMPLIANCE = 1
FLAG_PASSIVE = 2
FLAG_BURST_LAST = 4
FLAG_RAMPING = 8

#: 8 Ki records (384 KiB) per chunk: the chunk being written and the one its consumer still holds stay
#: in a core's L2 together; with a consumer that reads each chunk, 16 Ki measured 1.5-2x slower
DEFAULT_CHUNK_PULSES = 1 << 13
#: areas whose grid repeats only after more periods than this compute starts by division
MAX_REPEAT = 1 << 16
ZERO_INDEX = np.zeros(1, dtype=np.int64)  # index in period of single-pulse periods (read-only use)


