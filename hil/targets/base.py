"""What every target provides (labgrid's split: the target is the resource and its power/reset
strategy; the `Bridge` is the driver)."""

from __future__ import annotations

import abc
import time
from dataclasses import dataclass

from hil.link.bridge import Bridge
from protocol.capture.format import CaptureWriter
from protocol.session import DeviceKeys
from protocol.spec.catalog import Role
from protocol.spec.generated import CAPABILITY_LABELS, Capability
from protocol.wire.reliability import RetryPolicy

CAPABILITIES = {int(c): label for c, label in CAPABILITY_LABELS.items()}


IDENTITY_PROPERTIES = ("scs_target", "scs_firmware", "scs_protocol", "scs_device_id", "scs_tick_ns",
                       "scs_capabilities")


class TargetError(RuntimeError):
    pass


def error_text(e: BaseException) -> str:
    """An exception as one readable phrase: termios.error and other (errno, text) pairs read as
    "Input/output error (errno 5)", not as the tuple "(5, 'Input/output error')"."""
    args = e.args
    if len(args) == 2 and isinstance(args[0], int) and isinstance(args[1], str) and not isinstance(e, OSError):
        return f"{args[1]} (errno {args[0]})"
    return str(e) or type(e).__name__


def stop_process(proc) -> None:
    """Terminate a target's helper process (board, QEMU), kill it if it lingers, close its pipes."""
    import subprocess

    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    for f in (proc.stdout, proc.stderr):
        if f is not None:
            f.close()


@dataclass(frozen=True)
class TargetInfo:
    """The target as the device describes itself (DEVICE_INFO)."""

    name: str
    firmware_version: str
    protocol_version: int
    device_id: int
    tick_ns: int
    capabilities: int

    def has(self, capability: int) -> bool:
        """Every bit of ``capability`` is reported."""
        return self.capabilities & capability == capability

    @property
    def capability_names(self) -> list[str]:
        return [n for bit, n in CAPABILITIES.items() if self.capabilities & bit]

    def as_properties(self) -> dict[str, str]:
        """The identity as JUnit properties (names: `IDENTITY_PROPERTIES`)."""
        values = (self.name, self.firmware_version, str(self.protocol_version), f"0x{self.device_id:012x}",
                  str(self.tick_ns), ",".join(self.capability_names))
        return dict(zip(IDENTITY_PROPERTIES, values, strict=True))


class Target(abc.ABC):
    name: str = "target"
    policy = RetryPolicy(timeout_s=0.5, attempts=4)
    #: how many times `factory_reset` waits out a role's back-off before it gives up
    BACKOFF_PROBES = 20

    def __init__(self, keys: DeviceKeys | None = None):
        from hil.link.model_port import default_keys

        self.keys = keys or default_keys()

    @abc.abstractmethod
    def open_port(self):
        """A fresh pyserial-compatible port to the device."""

    def close(self) -> None:  # noqa: B027 - a target with nothing to release keeps this default
        """Release the target (stop processes, close ports)."""

    def gone(self) -> str | None:
        """Why the target is certainly gone (its process exited), else None (it may still answer)."""
        return None

    def bridge(self, capture: CaptureWriter | None = None) -> Bridge:
        return Bridge(self.open_port(), keys=self.keys, policy=self.policy, capture=capture, name=self.name)

    def factory_reset(self, bridge: Bridge) -> None:
        """Bring the device to factory settings over the protocol: with the test key (else the
        clinician's), wait out a back-off a test left for another role (CLOCK_ADVANCE on a virtual
        clock), then RESET kind 2. Simulated targets override it with an out-of-band reset, like a
        lab's programming tool."""
        import secrets

        from protocol.wire.codec import make

        if bridge.keys is None or bridge.keys.test is None:
            bridge.login(Role.CLINICIAN)
            bridge.call("RESET", kind=2)
            return
        bridge.login(Role.TEST)
        virtual_clock = bridge.device_info().capabilities & Capability.VIRTUAL_CLOCK
        for role in (Role.PATIENT, Role.CLINICIAN):
            for _ in range(self.BACKOFF_PROBES):
                probe = bridge.request(make(bridge.catalog, "HELLO", role=int(role), host_nonce=secrets.token_bytes(16)))
                if bridge.catalog.result_name(probe.message.result) != "BUSY":
                    break
                # the device's clock decides when the back-off is over, not the host's: a real-time
                # device may count less than the host slept (a loaded host runs an emulator slowly),
                # so it is asked again until it no longer refuses
                if virtual_clock:
                    bridge.call("CLOCK_ADVANCE", ticks=probe.message.retry_after_ms * 1000)
                else:
                    time.sleep(probe.message.retry_after_ms / 1000)
            else:
                raise TargetError(f"{self.name}: the {role.name.lower()} role stayed in back-off after "
                                  f"{self.BACKOFF_PROBES} waits of the time the device asked for")
        bridge.call("RESET", kind=2)

    def hardware_reset(self, bridge: Bridge) -> None:
        """The reset button (RAM lost; settings and the security record kept)."""
        raise TargetError(f"target {self.name} has no out-of-band hardware reset")

    def power_cycle(self, bridge: Bridge) -> None:
        """Power off and on (RAM lost; settings and the security record kept)."""
        raise TargetError(f"target {self.name} can't be power-cycled")

    #: the target resets a board whose main loop stops kicking the watchdog (QEMU models no IWDG:
    #: only qemu-rt, which emulates it from the observer's record of kicks)
    watchdog = True

    def await_reboot(self, bridge: Bridge, timeout_s: float = 60.0) -> object:
        """After FAULT_INJECT: return once the device has reset and can be spoken to again (the model
        reboots before its next answer; an emulator may need the harness to restart it)."""
        bridge.device_was_reset()
        return None

    def retained_copy(self, bridge: Bridge) -> bytes:
        """A copy of what the device keeps across power loss (its security record, at least), for
        `relaunch` to put back later: a storage rolled back to an older copy."""
        raise TargetError(f"target {self.name} can't copy its retained storage")

    def relaunch(self, bridge: Bridge, retained: bytes | None, entropy: bool = True) -> None:
        """Power off, then on with ``retained`` (from `retained_copy`) as the storage kept across
        power loss, None: lost (blank); ``entropy`` False: launched without an entropy source."""
        raise TargetError(f"target {self.name} can't be relaunched with other storage")

    def describe(self, bridge: Bridge) -> TargetInfo:
        info = bridge.device_info()
        v = info.firmware_version
        return TargetInfo(self.name, f"{v >> 16}.{v >> 8 & 0xFF}.{v & 0xFF}", info.protocol_version, info.device_id,
                          info.tick_ns, info.capabilities)

    def reference_device(self):
        """A fresh golden model configured like this target, for differential tests."""
        from firmware_model.device.device import Device, DeviceConfig

        return Device(DeviceConfig(keys=self.keys))

    def __enter__(self) -> Target:
        return self

    def __exit__(self, *exc) -> None:
        self.close()
