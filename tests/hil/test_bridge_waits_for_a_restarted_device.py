"""After a restart, a host waits for the device's answer, not for a while: a device loses what reaches
it before its receiver runs, however long that takes in host time (the flaky replay-after-restart
test wrote while an emulator on a loaded host was still booting)."""

from __future__ import annotations

from hil.link.bridge import Bridge
from hil.targets.model import ModelTarget
from protocol.wire.reliability import RetryPolicy


class BootingPort:
    """A device whose receiver comes up only after the host's ``writes_lost`` first writes: those
    are lost, as bytes reaching a USART the firmware has not enabled yet."""

    def __init__(self, port, writes_lost: int):
        self.port, self.writes_lost, self.writes = port, writes_lost, []

    def write(self, data: bytes) -> int:
        self.writes.append(bytes(data))
        if len(self.writes) <= self.writes_lost:
            return len(data)
        return self.port.write(data)

    def __getattr__(self, name):
        return getattr(self.port, name)


def test_waiting_for_a_restarted_device_asks_until_it_answers_and_what_follows_is_answered():
    target = ModelTarget()
    port = BootingPort(target.open_port(), writes_lost=5)  # more than one request's retransmissions
    bridge = Bridge(port, keys=target.keys, policy=RetryPolicy(timeout_s=0.05, attempts=2), name="booting")
    bridge.device_was_reset()
    info = bridge.wait_until_answering()
    assert info.max_areas >= 1
    assert len(port.writes) == 6  # five probes lost, the sixth answered
    assert bridge.device_info().max_areas == info.max_areas  # the next request is answered at once
    assert len(port.writes) == 7


def test_a_device_that_never_comes_back_is_reported_once_the_wait_gives_up():
    import pytest

    from protocol.wire.reliability import NoResponseError

    target = ModelTarget()
    bridge = Bridge(BootingPort(target.open_port(), writes_lost=10**9), keys=target.keys,
                    policy=RetryPolicy(timeout_s=0.01, attempts=1), name="gone")
    with pytest.raises(NoResponseError, match="DEVICE_INFO_GET"):
        bridge.wait_until_answering(give_up_after_s=0.05)
