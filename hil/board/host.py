"""The board's portable C core, loaded from its host build (ctypes), for side-by-side tests."""

from __future__ import annotations

import ctypes

import numpy as np

from hil.board.build import build_host
from protocol.session import DeviceKeys
from protocol.spec.generated import CONTACT_COUNT, SECURITY_RECORD_WORDS, SETTINGS_SLOT_SIZE


class BoardCore:
    """One instance of the firmware's protocol core running on the host."""

    def __init__(self, keys: DeviceKeys):
        lib = ctypes.CDLL(str(build_host()))
        lib.scs_host_new.restype = ctypes.c_void_p
        lib.scs_host_new.argtypes = [ctypes.c_uint64, ctypes.c_char_p, ctypes.c_char_p, ctypes.c_char_p]
        lib.scs_host_receive.restype = ctypes.c_size_t
        lib.scs_host_receive.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                         ctypes.c_size_t]
        lib.scs_host_advance.argtypes = [ctypes.c_void_p, ctypes.c_uint64]
        lib.scs_host_free.argtypes = [ctypes.c_void_p]
        lib.scs_host_hardware_reset.argtypes = [ctypes.c_void_p]
        lib.scs_host_record.argtypes = [ctypes.c_void_p, ctypes.c_uint]
        lib.scs_host_record.restype = ctypes.POINTER(ctypes.c_uint32 * SECURITY_RECORD_WORDS)
        lib.scs_host_dropped.argtypes = [ctypes.c_void_p]
        lib.scs_host_dropped.restype = ctypes.c_uint32
        lib.scs_host_fail_after.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.scs_host_power_cycle.argtypes = [ctypes.c_void_p]
        lib.scs_host_power_cycle.restype = ctypes.c_int
        lib.scs_host_slot.argtypes = [ctypes.c_void_p, ctypes.c_uint]
        lib.scs_host_slot.restype = ctypes.POINTER(ctypes.c_uint8 * SETTINGS_SLOT_SIZE)
        lib.scs_host_use_primary_cell.argtypes = [ctypes.c_void_p, ctypes.c_uint32]
        lib.scs_charge_supervise.argtypes = [ctypes.c_uint8, ctypes.c_float, ctypes.c_float]
        lib.scs_charge_supervise.restype = ctypes.c_uint8
        for name, res, args in (("scs_crc32", ctypes.c_uint32, [ctypes.c_char_p, ctypes.c_size_t]),
                                ("scs_cobs_encode", ctypes.c_size_t, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]),
                                ("scs_cobs_decode", ctypes.c_long, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                                                    ctypes.c_size_t]),
                                ("scs_sha256", None, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p]),
                                ("scs_hmac_sha256", None, [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_char_p,
                                                           ctypes.c_size_t, ctypes.c_char_p])):
            fn = getattr(lib, name)
            fn.restype, fn.argtypes = res, args
        self.lib = lib
        self._h = lib.scs_host_new(keys.device_id, keys.patient, keys.clinician, keys.test)
        self._out = ctypes.create_string_buffer(1 << 16)

    def receive(self, data: bytes) -> bytes:
        n = self.lib.scs_host_receive(self._h, data, len(data), self._out, len(self._out))
        return self._out.raw[:n]

    def use_primary_cell(self, soc_permille: int) -> None:
        """Run on a primary cell from this state of charge (as a -DSCS_CELL_PRIMARY=1 build)."""
        self.lib.scs_host_use_primary_cell(self._h, soc_permille)

    def charge_supervise(self, state: int, v_term: float, temp_c: float) -> int:
        """The gauge's supervision decision (scs_charge_supervise)."""
        return int(self.lib.scs_charge_supervise(state, v_term, temp_c))

    def advance(self, ticks: int) -> None:
        self.lib.scs_host_advance(self._h, ticks)

    def fail_after(self, steps: int) -> None:
        """The power fails at the ``steps``-th settings write step from now."""
        self.lib.scs_host_fail_after(self._h, steps)

    def power_cycle(self) -> bool:
        """Power comes back (a reboot from the stored settings); True if it had been lost."""
        return bool(self.lib.scs_host_power_cycle(self._h))

    def hardware_reset(self) -> None:
        """The reset button: RAM and the clock restart; settings and the security record are kept."""
        self.lib.scs_host_hardware_reset(self._h)

    def record(self, i: int) -> bytes:
        """The security record's slot i as bytes (little-endian words)."""
        return b"".join(w.to_bytes(4, "little") for w in self.lib.scs_host_record(self._h, i).contents)

    def slot(self, i: int):
        """The settings slot i, as a writable byte array (for corruption tests)."""
        return self.lib.scs_host_slot(self._h, i).contents

    @property
    def dropped(self) -> int:
        return self.lib.scs_host_dropped(self._h)

    # the primitives, for vector tests
    def crc32(self, data: bytes) -> int:
        return self.lib.scs_crc32(data, len(data))

    def cobs_encode(self, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(len(data) + len(data) // 254 + 2)
        n = self.lib.scs_cobs_encode(data, len(data), out)
        return out.raw[:n]

    def cobs_decode(self, data: bytes) -> bytes | None:
        out = ctypes.create_string_buffer(len(data) + 1)
        n = self.lib.scs_cobs_decode(data, len(data), out, len(out))
        return None if n < 0 else out.raw[:n]

    def sha256(self, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(32)
        self.lib.scs_sha256(data, len(data), out)
        return out.raw

    def hmac_sha256(self, key: bytes, data: bytes) -> bytes:
        out = ctypes.create_string_buffer(32)
        self.lib.scs_hmac_sha256(key, len(key), data, len(data), out)
        return out.raw

    def interleave(self, areas: list[dict]) -> tuple[bool, int]:
        """The C interleaving decision for AREA_WRITE field sets, and its work (yields to the main
        loop, one per 128 window lengths evaluated)."""
        from protocol.spec.catalog import load_catalog
        from protocol.wire.codec import encode_payload, make

        cat = load_catalog()
        blobs = [encode_payload(cat["AREA_WRITE"], make(cat, "AREA_WRITE", program=0, area=i, **a))
                 for i, a in enumerate(areas)]
        polls = ctypes.c_uint32(0)
        ok = self.lib.scs_host_interleave(b"".join(blobs), len(blobs), len(blobs[0]), ctypes.byref(polls))
        if ok < 0:
            raise ValueError(f"1 to 4 areas, not {len(areas)}")
        return bool(ok), polls.value

    def schedule(self, areas: list[dict], ohms: tuple[int, ...], start_tick: int, ticks: int,
                 max_pulses: int = 100_000) -> tuple[np.ndarray, int]:
        """The board's own pulse scheduler (scs_host_schedule) for AREA_WRITE field sets at contact
        impedances ``ohms``, continued from ``start_tick`` after turn-on with an idle stage (as the
        reference's ``Scheduler.generate(start_tick, ...)``) for ``ticks``: its trace records (ticks
        relative to turn-on; at most ``max_pulses``) and the number of pulses it emitted."""
        from firmware_model.device.pulse_output import TRACE_RECORD
        from protocol.spec.catalog import load_catalog
        from protocol.wire.codec import encode_payload, make

        if len(ohms) != CONTACT_COUNT:
            raise ValueError(f"{len(ohms)} impedances: one per contact ({CONTACT_COUNT}) is allowed")
        cat = load_catalog()
        blobs = b"".join(encode_payload(cat["AREA_WRITE"], make(cat, "AREA_WRITE", program=0, area=i, **a))
                         for i, a in enumerate(areas))
        fn = self.lib.scs_host_schedule
        fn.restype = ctypes.c_uint64
        fn.argtypes = [ctypes.c_char_p, ctypes.c_uint, ctypes.POINTER(ctypes.c_uint16), ctypes.c_uint64,
                       ctypes.c_uint64, ctypes.c_char_p, ctypes.c_uint64]
        out = ctypes.create_string_buffer(max_pulses * TRACE_RECORD.itemsize)
        n = fn(blobs, len(areas), (ctypes.c_uint16 * len(ohms))(*ohms), start_tick, ticks, out, max_pulses)
        if n == 2**64 - 1:
            raise ValueError(f"1 to 4 areas, not {len(areas)}")
        kept = min(n, max_pulses)
        return np.frombuffer(out.raw[:kept * TRACE_RECORD.itemsize], dtype=TRACE_RECORD).copy(), int(n)

    def stim_resume_at(self, rel_ticks: int) -> int:
        """The running train continues as if turned on ``rel_ticks`` ago (scs_host_stim_resume_at):
        the turn-on tick. ValueError when stimulation is off or the clock is before ``rel_ticks``."""
        fn = self.lib.scs_host_stim_resume_at
        fn.restype, fn.argtypes = ctypes.c_uint64, [ctypes.c_void_p, ctypes.c_uint64]
        origin = fn(self._h, rel_ticks)
        if origin == 2**64 - 1:
            raise ValueError(f"rel_ticks = {rel_ticks}: stimulation must be on and the clock at least there")
        return int(origin)

    def area_validate(self, payload: bytes) -> tuple[int, int]:
        """The board's check (scs_area_validate) of a raw AREA_WRITE payload, not range-checked by any
        codec first: (result code, AREA_WRITE field index)."""
        fn = self.lib.scs_host_area_validate
        fn.restype, fn.argtypes = ctypes.c_uint8, [ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint8)]
        from protocol.spec.catalog import load_catalog

        size = load_catalog()["AREA_WRITE"].fixed_size
        if len(payload) != size:
            raise ValueError(f"{len(payload)} bytes: an AREA_WRITE payload is {size} bytes")
        field = ctypes.c_uint8(0)
        return int(fn(payload, ctypes.byref(field))), field.value

    def close(self) -> None:
        if self._h:
            self.lib.scs_host_free(self._h)
            self._h = None

    def __del__(self) -> None:
        self.close()
