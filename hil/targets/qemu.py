"""``qemu``: the board firmware (C) in ``qemu-system-arm -M netduinoplus2`` (an STM32F405).

Builds the image when needed, boots it with USART1 on a free localhost TCP port (``nodelay=on``: about
200 round trips a second instead of 21) and connects through ``socket://``; shuts QEMU down on close,
also when the test run fails or is interrupted (QEMU dies with its parent). Two modes:

- ``qemu`` (virtual clock): only CLOCK_ADVANCE moves the device clock; fast, deterministic tests of
  therapy logic (dwell times, back-off). Resets go through QMP (``system_reset``).
- ``qemu-rt`` (real time): the firmware runs its hardware-timed path: TIM2 is the clock, the TIM5
  interrupt fires every pulse edge from the queue. ``-icount shift=3`` makes every instruction take
  8 ns of virtual time, 125 instructions per microsecond tick, close to the real core (168 MHz at
  about 1.3 cycles per instruction); ``sleep=off`` lets an idle core (WFI) jump to the next timer
  deadline, exactly, however loaded the host is. The mode reaches the firmware as a boot word
  (``-device loader``) above its stack. QEMU 7.2's timers take their counting base from the last reset,
  and a QMP reset moves it, so here every reset is a power cycle (a fresh QEMU).

Keys: a build without KEYS gets keys made at random for the build (``dev-keys.toml`` in its build folder), which
the target loads. QEMU models no RNG: each launch loads 16 random bytes into the image's
``scs_emulator_seed`` (QEMU's generic loader) that the firmware mixes into its nonces instead. A
power cycle keeps what a board's battery-backed domain keeps (the retained ``.noinit`` section:
settings and security record): saved with QMP ``pmemsave``, written back into the next launch
through QEMU's gdb stub before the CPU starts.
"""

from __future__ import annotations

import json
import secrets
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import serial

from hil.board.build import build_arm, development_keys_file
from hil.board.image import die_with_parent as _die_with_parent
from hil.board.image import symbols as _symbols
from hil.targets.base import Target, TargetError, stop_process
from protocol.spec.generated import ResetCause
from protocol.wire.reliability import RetryPolicy

#: the firmware's retained reset-cause word (fault.c): CAUSE_MAGIC | ResetCause
CAUSE_SYMBOL, CAUSE_MAGIC = "scs_reset_cause_word", 0x52430000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _PortTaken(Exception):
    """QEMU could not bind the serial port found free a moment before."""


class QemuTarget(Target):
    name = "qemu"
    policy = RetryPolicy(timeout_s=1.0, attempts=3)

    #: the boot word (hal.c) that asks the firmware for real-time mode, and where it goes
    REALTIME_WORD, REALTIME_ADDR = 0x52544D31, 0x2001FFFC
    #: 2^3 ns per instruction: 125 instructions per 1 us tick (a 168 MHz Cortex-M4 runs about 130)
    REALTIME_SHIFT = 3

    def __init__(self, keys=None, icount_shift: int | None = None, realtime: bool = False):
        self.realtime = realtime
        if icount_shift is None:
            icount_shift = self.REALTIME_SHIFT if realtime else 4
        if shutil.which("qemu-system-arm") is None:
            raise TargetError("qemu-system-arm is missing: make test installs it (Debian: qemu-system-arm)")
        self.elf = build_arm()
        if keys is None:
            from protocol.session import KeyStore

            keys = KeyStore.load(development_keys_file()).devices[0]  # the development image's keys
        super().__init__(keys)
        if realtime:
            self.name = "qemu-rt"
        self._symbols = _symbols(self.elf)
        self.icount_shift = icount_shift
        self._dir = tempfile.TemporaryDirectory(prefix="scs-qemu-")
        self.qmp_path = Path(self._dir.name) / "qmp.sock"
        self.proc: subprocess.Popen[bytes] | None = None
        self._output = ""  # what a QEMU that exited at boot printed
        self._port: Any = None  # a pyserial port once opened
        self._boot()

    def _boot(self, retained: bytes | None = None, seed: bool = True) -> None:
        """Start QEMU (a board with power just applied: its RAM starts blank, or with ``retained``
        written back into the battery-backed ``.noinit`` section before the CPU runs). The free port
        is found before QEMU binds it, so another process may take it first: QEMU then exits at once,
        and the boot is tried again on another port."""
        for attempt in range(3):
            try:
                self._start(retained, seed)
                return
            except _PortTaken:
                if attempt == 2:
                    raise TargetError(f"qemu could not bind a serial port three times: {self._output}") from None

    def _start(self, retained: bytes | None, with_seed: bool = True) -> None:
        self.port_number = _free_port()
        seed_at = self._symbols["scs_emulator_seed"][0]
        seed = secrets.token_bytes(16)
        cmd = ["qemu-system-arm", "-M", "netduinoplus2", "-nographic", "-monitor", "none", "-kernel", str(self.elf),
               "-serial", f"tcp:127.0.0.1:{self.port_number},server=on,wait=off,nodelay=on",
               "-qmp", f"unix:{self.qmp_path},server=on,wait=off", "-icount", f"shift={self.icount_shift},sleep=off"]
        if self.realtime:  # a reset the guest asks for pauses QEMU: the harness power-cycles it (await_reboot)
            cmd += ["-device", f"loader,addr={self.REALTIME_ADDR:#x},data={self.REALTIME_WORD:#x},data-len=4",
                    "-action", "reboot=shutdown,shutdown=pause"]
        for half in range(2 if with_seed else 0):  # the loader takes at most 8 bytes of data per device
            value = int.from_bytes(seed[8 * half:8 * half + 8], "little")
            cmd += ["-device", f"loader,addr=0x{seed_at + 8 * half:x},data=0x{value:x},data-len=8"]
        cmd += self.extra_qemu_args()
        gdb_port = _free_port()
        if retained is not None:  # halted until the retained section is written back
            cmd += ["-S", "-gdb", f"tcp:127.0.0.1:{gdb_port}"]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=_die_with_parent)
        if retained is not None:
            _gdb_write(gdb_port, self._symbols[".noinit"][0], retained, keep=(seed_at, 16))
            self._qmp("cont")
        self._port = None
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self._output = (self.proc.stdout.read() if self.proc.stdout else b"").decode(errors="replace")
                if "Address already in use" in self._output or "Failed to bind" in self._output:
                    raise _PortTaken
                raise TargetError(f"qemu exited: {self._output}")
            try:
                self._port = serial.serial_for_url(f"socket://127.0.0.1:{self.port_number}", timeout=0.05)
                return
            except serial.SerialException:
                time.sleep(0.05)
        self.close()
        raise TargetError(f"qemu's serial port 127.0.0.1:{self.port_number} did not open")

    def extra_qemu_args(self) -> list[str]:
        """Hook: more QEMU arguments for each launch (``hil.board.observer`` adds its plugin and log)."""
        return []

    def open_port(self):
        self._port.reset_input_buffer()
        return self._port

    def bridge(self, capture=None):
        from hil.link.bridge import Bridge

        return Bridge(self.open_port(), keys=self.keys, policy=self.policy, capture=capture, name=self.name,
                      owns_port=False)

    def _qmp(self, command: str, **arguments) -> Any:
        deadline = time.monotonic() + 10
        while True:
            try:
                return self._qmp_once(command, arguments)
            except (FileNotFoundError, ConnectionRefusedError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _qmp_once(self, command: str, arguments: dict) -> Any:
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.qmp_path))
            f = s.makefile("rw")
            f.readline()  # greeting
            for cmd, args in (("qmp_capabilities", {}), (command, arguments)):
                f.write(json.dumps({"execute": cmd, **({"arguments": args} if args else {})}) + "\n")
                f.flush()
                while True:
                    reply = json.loads(f.readline())
                    if "return" in reply or "error" in reply:
                        break
            if "error" in reply:
                raise TargetError(f"qemu refused {command}: {reply['error']}")
            return reply["return"]

    def read_memory(self, address: int, size: int) -> bytes:
        """The guest's memory (QMP pmemsave): evidence QEMU keeps nowhere else, e.g. the edges the
        board drove on pins QEMU does not model."""
        path = Path(self._dir.name) / "memory.bin"
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(str(self.qmp_path))
            f = s.makefile("rw")
            f.readline()  # greeting
            for cmd in ({"execute": "qmp_capabilities"},
                        {"execute": "pmemsave", "arguments": {"val": address, "size": size, "filename": str(path)}}):
                f.write(json.dumps(cmd) + "\n")
                f.flush()
                while "return" not in (reply := json.loads(f.readline())) and "error" not in reply:
                    pass
                if "error" in reply:
                    raise TargetError(f"qemu refused {cmd['execute']}: {reply['error']}")
        return path.read_bytes()

    def factory_reset(self, bridge) -> None:
        """A reset of the board (QMP system_reset), then, in a test-role session, the back-off a test
        left for another role waited out on the virtual clock and RESET kind 2 to erase the settings
        kept in retained memory (the security record is kept, as on a board)."""
        self.hardware_reset(bridge)
        super().factory_reset(bridge)

    def hardware_reset(self, bridge) -> None:
        """The reset button (RAM lost, the retained section kept): QMP system_reset, or in real time
        (where a QMP reset moves QEMU's timer base) a power cycle, which keeps the same."""
        if self.realtime:
            self.power_cycle(bridge, cause=ResetCause.PIN)
            return
        self._qmp("system_reset")
        self._reattach(bridge)

    def power_cycle(self, bridge=None, cause: int | None = ResetCause.POWER_ON) -> None:
        """Power off and on: QEMU stops and a new one starts, with the retained section (settings and
        security record, battery-backed on a board) carried over; the clock starts from zero. The
        firmware reads ``cause`` (a ResetCause; None: the one the guest wrote itself) from its retained
        word, as a chip reads RCC_CSR (QEMU models no RCC)."""
        retained = bytearray(self._dump_retained(resume=False))
        if cause is not None:
            word_at = self._symbols[CAUSE_SYMBOL][0] - self._symbols[".noinit"][0]
            retained[word_at:word_at + 4] = (CAUSE_MAGIC | int(cause)).to_bytes(4, "little")
        self.relaunch(bridge, bytes(retained))

    def _dump_retained(self, resume: bool) -> bytes:
        at, size = self._symbols[".noinit"]
        dump = Path(self._dir.name) / "noinit.bin"
        self._qmp("stop")
        self._qmp("pmemsave", val=at, size=size, filename=str(dump))
        if resume:
            self._qmp("cont")
        return dump.read_bytes()

    def retained_copy(self, bridge) -> bytes:
        """The retained section now (settings, event log and security record)."""
        return self._dump_retained(resume=True)

    def relaunch(self, bridge, retained: bytes | None, entropy: bool = True) -> None:
        """QEMU stops and a new one starts with ``retained`` written into its retained section (None:
        blank, the storage lost) and a fresh per-launch seed, none when ``entropy`` is False."""
        stop_process(self.proc)
        self._port.close()
        self._boot(retained, seed=entropy)
        if bridge is not None:
            self._reattach(bridge)

    @property
    def watchdog(self) -> bool:  # type: ignore[override]
        return type(self).watchdog_expired is not QemuTarget.watchdog_expired

    def await_reboot(self, bridge, timeout_s: float = 60.0) -> ResetCause:
        """After a fault was injected: wait until the board has reset (real time: QEMU paused at the
        guest's reset request, or the emulated watchdog expired) and boot it again; return the cause
        given. In virtual-clock mode QEMU resets the guest itself (RAM kept): nothing to do."""
        if not self.realtime:
            time.sleep(0.2)
            self._reattach(bridge)
            return ResetCause.SOFTWARE
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if self._qmp("query-status")["status"] == "shutdown":  # the guest's SYSRESETREQ
                self.power_cycle(bridge, cause=None)
                return ResetCause.SOFTWARE
            if self.watchdog_expired():
                self.power_cycle(bridge, cause=ResetCause.WATCHDOG)
                return ResetCause.WATCHDOG
            time.sleep(0.1)
        raise TargetError(f"the board did not reset within {timeout_s} s")

    def watchdog_expired(self) -> bool:
        """The emulated IWDG has expired (only a target that observes the kicks can tell)."""
        return False

    def _reattach(self, bridge) -> None:
        """Hand the bridge the line once the restarted firmware answers: bytes that reach the USART
        before the firmware has enabled it and attached its receive ring are lost, and how far the
        guest has booted when the host writes depends on how loaded the host is."""
        self._port.reset_input_buffer()
        bridge.port = self._port
        bridge.device_was_reset()
        bridge.wait_until_answering()

    def gone(self) -> str | None:
        code = None if self.proc is None else self.proc.poll()
        return None if code is None else f"qemu exited with status {code}"

    def close(self) -> None:
        if self._port is not None:
            self._port.close()
        if self.proc is not None:
            stop_process(self.proc)
        self._dir.cleanup()


def _gdb_packet(sock: socket.socket, body: str) -> str:
    """One GDB remote-protocol exchange: send ``$body#cs``, return the reply's body."""
    sock.sendall(f"${body}#{sum(body.encode()) & 0xFF:02x}".encode())
    data = b""
    while not (b"#" in data and len(data) >= data.index(b"#") + 3 and b"$" in data):
        chunk = sock.recv(4096)
        if not chunk:
            raise TargetError("qemu's gdb stub closed the connection")
        data += chunk
    reply = data[data.index(b"$") + 1:data.index(b"#")].decode()
    sock.sendall(b"+")
    return reply


def _gdb_write(port: int, address: int, data: bytes, keep: tuple[int, int]) -> None:
    """Write ``data`` at ``address`` through QEMU's gdb stub (the CPU is halted by -S), except the
    range ``keep`` (this launch's seed), then detach."""
    deadline = time.monotonic() + 10
    while True:
        try:
            sock = socket.create_connection(("127.0.0.1", port), timeout=5)
            break
        except OSError:
            if time.monotonic() > deadline:
                raise TargetError(f"qemu's gdb stub on port {port} did not open") from None
            time.sleep(0.05)
    with sock:
        keep_lo, keep_hi = keep[0] - address, keep[0] - address + keep[1]
        pieces = [(0, keep_lo), (keep_hi, len(data))]
        for lo, hi in pieces:
            for off in range(max(lo, 0), min(hi, len(data)), 1024):
                chunk = data[off:min(off + 1024, hi)]
                if _gdb_packet(sock, f"M{address + off:x},{len(chunk):x}:{chunk.hex()}") != "OK":
                    raise TargetError("qemu's gdb stub refused a memory write")
        _gdb_packet(sock, "D")
