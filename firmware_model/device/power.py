"""The power supervisor: the cell (rechargeable, a primary cell, or the trial stimulator's battery),
the recharge coupling, and the faults they raise (cut-off, end of service, over-temperature).

A primary-cell IPG reports OK, then ERI (elective replacement indicator) and EOS (end of service) as
its battery state, in STATUS and as BATTERY events (thresholds: `PrimaryCellParams`, docs/battery.md);
at EOS stimulation stops for good with the BATTERY_CUTOFF fault."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from firmware_model.battery import (
    BatteryState,
    Coupling,
    PrimaryCellParams,
    PrimarySimulation,
    RechargeableSimulation,
    RechargeHabit,
    RechargeState,
    Usage,
)
from firmware_model.device.eventlog import EventKind, FaultCode
from firmware_model.device.faults import Faults, LogFn
from protocol.spec import generated as dev


class _Discard(list):
    """A sample list that keeps nothing (the device has no use for the battery's history)."""

    def append(self, item: Any) -> None:
        pass


class PowerSupervisor:
    def __init__(self, cfg: Any):
        self.cfg = cfg
        self.battery: RechargeableSimulation | PrimarySimulation | None = None
        self.trial_used_mah = 0.0
        if cfg.trial:
            pass
        elif isinstance(cfg.cell, PrimaryCellParams):
            self.battery = PrimarySimulation(Usage(stim_power_w=0.0), cfg.cell, soc=cfg.initial_soc)
            self.battery.samples = _Discard()
        else:
            self.battery = RechargeableSimulation(Usage(stim_power_w=0.0), cfg.cell, soc=cfg.initial_soc)
            self.battery.samples = _Discard()
        self.coupling: Coupling | None = None

    @property
    def primary(self) -> bool:
        return isinstance(self.battery, PrimarySimulation)

    @property
    def cutoff(self) -> bool:
        """Stimulation is not possible: a rechargeable cell below cut-off, or a primary cell at EOS."""
        if isinstance(self.battery, PrimarySimulation):
            return self.battery.eos
        return self.battery is not None and self.battery.cutoff

    def run(self, now: int, until: int, stim_power_w: float) -> Iterator[Any]:
        """Integrate the cell from now to ``until`` at the given stimulation power; yields the battery
        and recharge state changes (with their ticks) as they happen."""
        if self.battery is None:
            hours = (until - now) / 3.6e9
            self.trial_used_mah += (stim_power_w / 3.0 + dev.QUIESCENT_CURRENT_A) * 1000 * hours
            return
        n_before = len(self.battery.events)
        habit = RechargeHabit(every_days=1, start_hour=0, duration_min=1440,
                              coupling=self.coupling) if self.coupling is not None and not self.primary else None
        self.battery.u = Usage(stim_power_w=stim_power_w, hours_per_day=24, recharge=habit)
        self.battery.run(until)
        yield from self.battery.events[n_before:]

    def on_event(self, e: Any, faults: Faults, log: LogFn) -> bool:
        """Log one state change and raise or clear its fault; True when the cell just cut off."""
        if e.kind == "battery":
            code = BatteryState[e.name]
            log(EventKind.BATTERY, code, 0)
            if code in (BatteryState.CUTOFF, BatteryState.EOS):
                faults.raise_(FaultCode.BATTERY_CUTOFF)
                return True
            if not self.cutoff:
                faults.clear(FaultCode.BATTERY_CUTOFF)
            return False
        rcode = RechargeState[e.name]
        log(EventKind.RECHARGE, rcode, 0)
        if rcode is RechargeState.PAUSED_HOT:
            faults.raise_(FaultCode.OVER_TEMPERATURE)
        else:
            faults.clear(FaultCode.OVER_TEMPERATURE)
        return False

    def couple(self, separation_mm: int, misalignment_mm: int, transmit_mw: int) -> None:
        self.coupling = None if transmit_mw == 0 else Coupling(separation_mm, misalignment_mm, transmit_mw / 1000)

    def status(self) -> tuple[int, int, int, int, int]:
        """(soc permille, terminal mV, battery state, recharge state, temperature milli-degC)."""
        if self.battery is None:
            frac = max(0.0, 1 - self.trial_used_mah / self.cfg.trial_battery_mah)
            state = BatteryState.OK if frac > 0.1 else BatteryState.RECHARGE_NOW
            return round(frac * 1000), 3000, int(state), 0, dev.BODY_TEMPERATURE_MC
        b = self.battery
        soc_permille, mv = round(min(max(b.cell.soc, 0.0), 1.0) * 1000), round(b.cell.terminal_v * 1000)
        if isinstance(b, PrimarySimulation):
            return soc_permille, mv, int(b.bstate), int(RechargeState.IDLE), round(b.body_c * 1000)
        return soc_permille, mv, int(b.bstate), int(b.rstate), round(b.temp * 1000)

    def charging(self) -> tuple[int, int]:
        """(battery current uA, positive while charging; power received from the charger, mW)."""
        if self.battery is None or self.primary:
            return 0, 0
        _, mv, _, _, _ = self.status()
        current = round(-self.battery.cell.current_a * 1e6)
        received = 0
        if self.coupling is not None and current > 0:
            received = round(current * 1e-6 * mv / 1000 / dev.CHARGER_EFFICIENCY * 1000)
        return current, received
