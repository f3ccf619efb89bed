"""Stimulation: programs and areas, safety limits, interleaving analysis and the pulse scheduler."""

from __future__ import annotations

from firmware_model.stimulation.interleave import InterleaveError
from firmware_model.stimulation.params import Area, Contacts, ParameterError, Program, RechargeMode, Waveform
from firmware_model.stimulation.pulse_stream import PulseStream
from firmware_model.stimulation.safety import ContactImpedances, SafetyLimitError
from firmware_model.stimulation.scheduler import Scheduler, ScheduleState
from firmware_model.stimulation.timeline import TIMELINE_DTYPE
from firmware_model.stimulation.totals import TotalsAccumulator, WindowTotals

__all__ = [
    "Area", "ContactImpedances", "Contacts", "InterleaveError", "ParameterError", "Program", "PulseStream", "RechargeMode",
    "SafetyLimitError", "ScheduleState", "Scheduler", "TIMELINE_DTYPE", "TotalsAccumulator", "Waveform", "WindowTotals",
]
