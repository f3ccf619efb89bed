"""``qemu-rt`` observed from outside the firmware: QEMU with the pin observer plugin (`hil.board.observer`),
whose record of pin, DAC and watchdog stores is the evidence of timing and fault safety."""

from __future__ import annotations

import itertools
import shutil
import tempfile
from pathlib import Path

from hil.board.observer import ICOUNT_SHIFT, mark_pcs, observer_args
from hil.board.watchdog import IwdgEmulator
from hil.targets.qemu import QemuTarget


class ObservedQemuTarget(QemuTarget):
    """``qemu-rt`` with the observer loaded: each launch (power cycles start a new QEMU) logs into a
    new file in ``log_dir``; ``log`` is the current launch's. ``pin_observer``: the capability the
    conformance suite's pin tests need."""

    pin_observer = True

    def __init__(self, keys=None, log_dir: Path | None = None, clock_values: bool = False, **options):
        self.clock_values = clock_values
        self._own_dir = log_dir is None  # removed at close (the logs are hundreds of MB under a flood)
        self.log_dir = Path(log_dir or tempfile.mkdtemp(prefix="scs-observer-"))
        self.logs: list[Path] = []
        self._launches = itertools.count()
        super().__init__(keys, icount_shift=ICOUNT_SHIFT, realtime=True, **options)
        self.marks = mark_pcs(self.elf)

    def record(self):
        """What the observer saw so far in the current launch (QEMU writes its log as it runs)."""
        from hil.analysis import pins

        return pins.parse_log(self.log)

    def export_pins(self, path: Path, first_launch: int = 0) -> list[Path]:
        """The pin record of each launch from ``first_launch`` on as sigrok files ``path`` (one per
        launch: ``name-N.sr`` after the first); the files written."""
        from hil.analysis import pin_evidence, pins

        out = []
        for k, log in enumerate(self.logs[first_launch:]):
            dest = path if k == 0 else path.with_name(f"{path.stem}-{k}{path.suffix}")
            written = pin_evidence.export_sr(pins.parse_log(log), dest)
            out += [written] if written else []
        for log in self.logs[:-1]:  # the launches before the current one: exported, their logs are large
            log.unlink(missing_ok=True)
        return out

    def extra_qemu_args(self) -> list[str]:
        self.logs.append(self.log_dir / f"observer-{next(self._launches)}.log")
        self.iwdg = IwdgEmulator(self.logs[-1])
        return observer_args(self.elf, self.logs[-1], self.clock_values)

    def close(self) -> None:
        super().close()
        if self._own_dir:
            shutil.rmtree(self.log_dir, ignore_errors=True)

    def watchdog_expired(self) -> bool:
        """The IWDG the firmware set up, emulated from this launch's kicks (hil/board/watchdog.py)."""
        return self.iwdg.expired(self._qmp("query-replay")["icount"])

    @property
    def log(self) -> Path:
        return self.logs[-1]


def realtime_target(**options) -> QemuTarget:
    """``qemu-rt``: the firmware in real time (hardware-timed pulses, ``-icount`` instruction clock),
    always with the pin observer (hil/board/observer.py: QEMU's TCG plugin records every pin and DAC
    store; each test's record becomes a sigrok file in the run folder), which also gives it a watchdog."""
    return ObservedQemuTarget(**options)
