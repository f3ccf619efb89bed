"""``model``: the device model in process (fastest; no serial path)."""

from __future__ import annotations

from firmware_model.device.device import Device, DeviceConfig
from hil.link.model_port import ModelSerial
from hil.targets.base import Target
from protocol.wire.reliability import RetryPolicy


class ModelTarget(Target):
    name = "model"
    policy = RetryPolicy(timeout_s=0.2, attempts=3)

    def __init__(self, keys=None, trial: bool = False):
        super().__init__(keys)
        self.device = Device(DeviceConfig(keys=self.keys, trial=trial))

    def open_port(self):
        return ModelSerial("scsmodel://", device=self.device, timeout=0.05)

    def factory_reset(self, bridge) -> None:
        self.device.factory_reset()
        self.device.bench_clear_backoff()  # the bench's tool; the nonce epoch is kept
        self.device.outbox.clear()
        bridge.device_was_reset()

    def hardware_reset(self, bridge) -> None:
        self.device.reset()
        self.device.outbox.clear()
        bridge.device_was_reset()

    def power_cycle(self, bridge) -> None:
        self.device.reset(power_loss=True)
        self.device.outbox.clear()
        bridge.device_was_reset()
