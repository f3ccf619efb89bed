"""The STM32's independent watchdog (IWDG), which QEMU 7.2 does not model, emulated from the observer's
log (hil/board/observer.py): the firmware's own register writes give the timeout, its kicks the last
reload, and QEMU's instruction count (QMP ``query-replay``) the virtual time now.

Timeout: (RLR + 1) x (4 << PR) / f_LSI (RM0090 19.3; LSI 32 kHz nominal, device.toml iwdg_lsi_hz).
Time: in ``-icount shift=3,sleep=off`` virtual time is 8 ns x instructions plus a bias that only grows
(it moves while the core sleeps); ``8 x icount + the bias at the last kick`` is therefore a lower
bound of the virtual time now, and the board is reset no earlier than the watchdog would reset it.
"""

from __future__ import annotations

from pathlib import Path

from hil.analysis.pins import NS_PER_INSN, trace_value
from protocol.spec.generated import IWDG_LSI_HZ

IWDG_KR, IWDG_PR, IWDG_RLR = 0x40003000, 0x40003004, 0x40003008
KEY_RELOAD, KEY_START, KEY_UNLOCK = 0xAAAA, 0xCCCC, 0x5555


class IwdgEmulator:
    """Follows one observer log as it grows; ``expired(icount)`` once a kick is overdue."""

    def __init__(self, log: Path):
        self.log = Path(log)
        self._offset = 0
        self._pending: dict[int, int] = {}
        self.prescaler_code = 0  # PR after reset: /4
        self.reload = 0xFFF
        self.started = False
        self.last_kick_ns: int | None = None
        self.bias_ns = 0

    @property
    def timeout_ns(self) -> int:
        return (self.reload + 1) * (4 << self.prescaler_code) * 1_000_000_000 // IWDG_LSI_HZ

    def _read(self) -> None:
        if not self.log.exists():
            return
        with self.log.open("rb") as f:
            f.seek(self._offset)
            data = f.read()
        end = data.rfind(b"\n") + 1  # a line still being written waits for the next read
        self._offset += end
        for line in data[:end].decode(errors="replace").splitlines():
            self._feed(line)

    def _feed(self, line: str) -> None:
        if line.startswith("memory_region_ops_write"):
            addr, value = trace_value(line)
            if addr == IWDG_PR:
                self.prescaler_code = value & 7
            elif addr == IWDG_RLR:
                self.reload = value & 0xFFF
            elif addr == IWDG_KR:
                self._pending[addr] = value
        elif line.startswith(f"S 0x{IWDG_KR:08x} "):
            _, _, insns, vns = line.split()
            key = self._pending.pop(IWDG_KR, None)
            if key in (KEY_RELOAD, KEY_START) and int(vns) >= 0:
                self.started = True
                self.last_kick_ns = int(vns)
                self.bias_ns = int(vns) - NS_PER_INSN * int(insns)

    def expired(self, icount: int) -> bool:
        """The watchdog has run out at ``icount`` instructions (QEMU's count, as the plugin's)."""
        self._read()
        if not self.started or self.last_kick_ns is None:
            return False
        return NS_PER_INSN * icount + self.bias_ns > self.last_kick_ns + self.timeout_ns
