"""The lead: the simulated contact impedances and the periodic check that raises open/short faults."""

from __future__ import annotations

from firmware_model.device.eventlog import FaultCode
from firmware_model.device.faults import Faults
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.safety import ContactImpedances
from protocol.spec import generated as dev


class LeadMonitor:
    def __init__(self, profile: DeviceProfile):
        self.profile = profile
        self.lead_ohms = [dev.DEFAULT_LEAD_OHMS] * profile.contact_count   # the simulated lead: what a check measures
        self.measured = ContactImpedances(tuple(self.lead_ohms))

    def forget_measurement(self) -> None:
        """After a reset the last check is lost: the next one starts from what the lead reads now."""
        self.measured = ContactImpedances(tuple(self.lead_ohms))

    def unplug_inputs(self) -> None:
        """A factory reset forgets the simulated lead."""
        self.lead_ohms = [dev.DEFAULT_LEAD_OHMS] * self.profile.contact_count

    def check(self, faults: Faults) -> bool:
        """Measure the lead now, raising or clearing the open and short faults; True when the set of
        faulted contacts changed."""
        before = self.measured.faulted(self.profile)
        self.measured = ContactImpedances(tuple(self.lead_ohms))
        now = self.measured.faulted(self.profile)
        opened = {i for i in now if self.measured.ohms[i] > self.profile.impedance_open_ohm}
        mask = sum(1 << i for i in now)
        for code, present in ((FaultCode.IMPEDANCE_OPEN, bool(opened)), (FaultCode.IMPEDANCE_SHORT, bool(now - opened))):
            if present:
                faults.raise_(code, mask)
            else:
                faults.clear(code)
        return now != before
