"""`Device`: the stimulator's firmware behaviour as one deterministic state machine (the golden model).

It executes typed protocol requests (instances of the catalog's message types) against the scheduler,
the safety supervisor, the battery and recharge model, persistent settings and the event log, on a
virtual clock: `advance(ticks)` moves pulses, ramps, battery, recharge, temperature and timeouts.
Nothing reads the wall clock or an unseeded random source, so the same requests at the same ticks give
the same responses, events and pulses.

Authority: the clinician writes programs and the patient's limits; the patient turns stimulation on
and off, selects the programs the clinician allowed and steps amplitude inside the clinician's window.
Anything else is refused with its result code and changes nothing, or is clamped and says so.
"""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from firmware_model import safety
from firmware_model.area_fields import AREA_FIELDS, area_from_fields, area_to_fields, field_of_error
from firmware_model.battery import CellParams
from firmware_model.eventlog import SECURITY_CODES, EventKind, EventLog, FaultCode, ModeCode, ResetCode
from firmware_model.interleave import InterleaveError
from firmware_model.longevity import (DAY_TICKS, BatteryState, RechargeableSimulation, RechargeHabit, Usage,
                                      average_stim_power_w)
from firmware_model.nvm import FlashSlots, SettingsStore
from firmware_model.params import ParameterError, Program
from firmware_model.profiles import DeviceProfile
from firmware_model.recharge import Coupling, RechargeState
from firmware_model.safety import ContactImpedances, SafetyLimitError
from firmware_model.scheduler import TIMELINE_DTYPE, Scheduler
from protocol.catalog import Message, Role, load_catalog
from protocol.codec import make
from protocol.security import DeviceGuard, DeviceKeys, SecurityStore

FIRMWARE_VERSION = (0 << 16) | (1 << 8) | 0
CAP_VIRTUAL_CLOCK, CAP_INPUTS, CAP_TRACE, CAP_RECHARGEABLE, CAP_TRIAL = 1, 2, 4, 8, 16
CAP_TEST_BUILD, CAP_DEVELOPMENT_KEYS, CAP_HARDWARE_RNG = 32, 64, 128
#: security event code of the log entry that counts refusals of frames that did not authenticate
UNAUTHENTICATED_SUMMARY = 32
TRACE_RECORD = np.dtype([("tick", "<u8"), ("area", "u1"), ("amplitude_ua", "<u2")])
NO_POSTURE = -1


class Posture(enum.IntEnum):
    UPRIGHT = 0
    LYING_BACK = 1
    LYING_FRONT = 2
    LYING_LEFT = 3
    LYING_RIGHT = 4
    RECLINING = 5
    MOVING = 6


#: requests accepted in MRI mode; every other request gets WRONG_STATE
MRI_PERMITTED = {"DEVICE_INFO_GET", "STATUS_GET", "MRI_MODE_SET", "CLOCK_GET", "CLOCK_ADVANCE", "CHARGING_STATUS_GET",
                 "EVENT_LOG_READ", "SESSION_END", "HELLO", "AUTH", "LIMITS_READ", "AREA_READ", "IMPEDANCE_GET",
                 "RECHARGE_COUPLING_INPUT", "POSTURE_INPUT", "IMPEDANCE_INPUT", "RESET", "TRACE_DUMP", "TRACE_STOP"}


@dataclass(frozen=True)
class DeviceConfig:
    keys: DeviceKeys
    profile: DeviceProfile = field(default_factory=DeviceProfile)
    trial: bool = False
    cell: CellParams = field(default_factory=CellParams)
    initial_soc: float = 0.8
    trial_battery_mah: float = 2_000.0
    trace_capacity: int = 200_000
    impedance_check_ticks: int = 10_000_000
    watchdog_ticks: int = 100_000
    event_log_capacity: int = 128
    #: the device's nonce key; None derives it from the role keys (secret as they are). Tests inject one.
    nonce_key: bytes | None = None
    #: False: a production device (no test role; test requests refused with NOT_PERMITTED)
    test_build: bool = True
    #: the keys were made for this run or build (`scs board` without --keys): said in DEVICE_INFO
    development_keys: bool = False
    default_dwell_ms: int = 5_000
    default_ramp_ua_per_s: int = 1_000

    @property
    def device_id(self) -> int:
        return self.keys.device_id


class Device:
    """The implantable pulse generator. See the module docstring."""

    def __init__(self, config: DeviceConfig, flash: FlashSlots | None = None, security_flash=None):
        self.cfg = config
        self.profile = config.profile
        self.catalog = load_catalog()
        self.flash = flash or FlashSlots()
        self.store = SettingsStore(self.flash)
        # the security record (nonce epoch, back-off) has its own two small slots, apart from settings
        self.security_flash = security_flash if security_flash is not None else FlashSlots(slot_size=64, page_size=64)
        self.log = EventLog(config.event_log_capacity)
        self.clock = 0
        self.boot_count = 0
        self.outbox: list[tuple[int, int, int, int]] = []   # (tick, kind, code, detail) events to send
        self.lead_ohms = [1000] * self.profile.contact_count  # the simulated lead: what a check measures
        self.pulse_observer: Callable[[np.ndarray], None] | None = None
        self._stalled = False
        if config.trial:
            self.battery = None
            self.trial_used_mah = 0.0
        else:
            self.battery = RechargeableSimulation(Usage(stim_power_w=0.0), config.cell, soc=config.initial_soc)
            self.battery.samples = _Discard()
        self.coupling: Coupling | None = None
        self._boot(first=True)

    # =============================================================================== boot and NVM
    def _boot(self, first: bool = False, reason: ResetCode = ResetCode.SOFT) -> None:
        """Start from persistent settings, as after a reset; RAM state is lost."""
        self.boot_count += 1
        self.staged: dict[tuple[int, int], Any] = {}
        self.trace = np.zeros(0, dtype=TRACE_RECORD)
        self.tracing = False
        self.trace_limit = 0
        self.mri = False
        self.mri_saved_on = False
        self.faults: set[FaultCode] = set()
        self.posture = Posture.UPRIGHT
        self.pending_posture: tuple[Posture, int] | None = None
        self.ramp_next_tick: int | None = None
        self.stim_on = False
        self.sched: Scheduler | None = None
        self.stream: PulseStream | None = None
        self.stim_power_w = 0.0
        self.measured = ContactImpedances(tuple(self.lead_ohms))
        self.next_impedance_check = self.clock + self.cfg.impedance_check_ticks
        self._stalled = False
        self.heartbeat = self.clock
        self.guard = DeviceGuard(self.cfg.keys, SecurityStore(self.security_flash), self.clock,
                                 k_nonce=self.cfg.nonce_key, test_build=self.cfg.test_build)
        if not first:
            self._log(EventKind.RESET, reason)
        loaded = self.store.load()
        slots_blank = [raw == b"\xff" * len(raw) for raw in (self.flash.read(0), self.flash.read(1))]
        if loaded is None:
            self.settings = self._default_settings()
            if not all(slots_blank):
                self.faults.add(FaultCode.NVM_CORRUPT)
                self._log(EventKind.FAULT, FaultCode.NVM_CORRUPT)
                self._log(EventKind.RESET, ResetCode.DEFAULTS_LOADED)
        else:
            valid = self.store.slot_states()
            if valid.count(True) == 1 and not slots_blank[valid.index(False)]:
                self._log(EventKind.RESET, ResetCode.SLOT_FALLBACK, valid.index(True))
            self.settings = json.loads(loaded[1])
        self.applied = self._remembered_amplitudes()
        self.target = list(self.applied)
        self._check_impedance()
        cut_off = self.battery is not None and self.battery.cutoff
        if self.settings["stim_on"] and self._active_program() is not None and not self.faults and not cut_off:
            self._stim_start()

    def _default_settings(self) -> dict:
        return {"programs": [None] * self.profile.max_programs, "active_program": 0, "stim_on": False,
                "adaptive": {"enabled": False, "dwell_ms": self.cfg.default_dwell_ms,
                             "ramp_ua_per_s": self.cfg.default_ramp_ua_per_s},
                "amplitudes": {}, "key_version": 1}

    def _save(self) -> None:
        """Persist settings (may raise nvm.PowerLoss in a fault-injection test)."""
        self.store.save(json.dumps(self.settings, sort_keys=True, separators=(",", ":")).encode())

    def persisted_settings(self) -> dict | None:
        loaded = self.store.load()
        return json.loads(loaded[1]) if loaded else None

    def reset(self, power_loss: bool = False) -> None:
        """Reboot: a soft reset keeps the lead, battery and clock; RAM state is lost either way."""
        self._stim_stop(ModeCode.STIM_OFF, log=False)
        self._boot(reason=ResetCode.POWER_LOSS if power_loss else ResetCode.SOFT)

    def factory_reset(self) -> None:
        """Erase the settings (both slots), clear simulated inputs, reboot. The security record (nonce
        epoch, back-off) is not settings: it survives, like every other kind of reset."""
        self._stim_stop(ModeCode.STIM_OFF, log=False)
        for slot in range(2):
            self.flash.erase(slot)
        self.lead_ohms = [1000] * self.profile.contact_count
        self.coupling = None
        self._boot(reason=ResetCode.FACTORY)

    # ================================================================================ helpers
    def _log(self, kind: EventKind, code: int, detail: int = 0) -> None:
        self.log.add(self.clock, kind, code, detail)
        self.outbox.append((self.clock, int(kind), int(code), detail))

    def _program(self, index: int) -> Program | None:
        slot = self.settings["programs"][index]
        if slot is None:
            return None
        return Program(tuple(area_from_fields(_tuples(f), self.profile) for f in slot["areas"]), f"program {index}")

    def _active_program(self) -> Program | None:
        return self._program(self.settings["active_program"])

    def _limits(self, program: int) -> list[list[int]]:
        return self.settings["programs"][program]["limits"]

    def _memory_key(self) -> str:
        posture = int(self.posture) if self.settings["adaptive"]["enabled"] else NO_POSTURE
        return f"{self.settings['active_program']}:{posture}"

    def _remembered_amplitudes(self) -> list[int]:
        prog = self._active_program()
        if prog is None:
            return [0] * self.profile.max_areas
        amps = self.settings["amplitudes"].get(self._memory_key())
        base = [a.amplitude_ua for a in prog.areas]
        chosen = list(amps) if amps and len(amps) == len(base) else base
        # always inside the clinician's window, whatever was remembered or programmed
        return [min(max(a, lo), hi) for a, (lo, hi) in zip(chosen, self._limits(self.settings["active_program"]))]

    def _padded(self, amps: list[int]) -> tuple[int, ...]:
        return tuple(list(amps) + [0] * (self.profile.max_areas - len(amps)))[:self.profile.max_areas]

    # ============================================================================ stimulation
    def _stim_start(self) -> None:
        prog = self._active_program()
        self.sched = Scheduler(prog, self.profile, self.measured).derive(amplitudes_ua=tuple(self.applied))
        self.stream = PulseStream(self.sched, self.clock)
        self.stim_on = True
        self.heartbeat = self.clock
        self._update_load()
        self._log(EventKind.MODE, ModeCode.STIM_ON, self.settings["active_program"])

    def _stim_stop(self, code: ModeCode = ModeCode.STIM_OFF, detail: int = 0, log: bool = True) -> None:
        if self.stim_on and log:
            self._log(EventKind.MODE, code, detail)
        self.stim_on = False
        self.sched = None
        self.stream = None
        self._update_load()

    def _rebuild(self) -> None:
        """Apply new amplitudes or impedances to running stimulation, continuing the same pulse grid."""
        if self.stim_on and self.sched is not None:
            self.sched = self.sched.derive(amplitudes_ua=tuple(self.applied), impedances=self.measured)
            self.stream.retarget(self.sched, self.clock)
            self._update_load()

    def _update_load(self) -> None:
        power = average_stim_power_w(self.sched) if self.stim_on and self.sched is not None else 0.0
        self.stim_power_w = power

    # ============================================================================ time
    def advance(self, ticks: int) -> None:
        """Move the virtual clock forward by ``ticks`` (>= 0), running everything that happens meanwhile."""
        if ticks < 0:
            raise ValueError(f"advance by {ticks} ticks is not allowed: >= 0")
        end = self.clock + ticks
        while self.clock < end:
            nxt = min(end, self.next_impedance_check)
            if self.pending_posture is not None:
                nxt = min(nxt, self.pending_posture[1] + self.settings["adaptive"]["dwell_ms"] * 1000)
            if self.ramp_next_tick is not None:
                nxt = min(nxt, self.ramp_next_tick)
            if self.stim_on and self._stalled:
                nxt = min(nxt, self.heartbeat + self.cfg.watchdog_ticks)
            nxt = max(nxt, self.clock + 1) if nxt <= self.clock else nxt
            self._run_until(nxt)
            self._timers()

    def _run_until(self, t: int) -> None:
        """Battery and pulses from now to t; stimulation stops at the tick the cell cuts off."""
        stop_at = t
        cut_tick = None
        if self.battery is not None:
            n_before = len(self.battery.events)
            habit = RechargeHabit(every_days=1, start_hour=0, duration_min=1440,
                                  coupling=self.coupling) if self.coupling is not None else None
            self.battery.u = Usage(stim_power_w=self.stim_power_w, hours_per_day=24, recharge=habit)
            self.battery.run(t)
            for e in self.battery.events[n_before:]:
                self.clock = max(self.clock, min(e.tick, t))
                if e.kind == "battery":
                    self._emit_pulses(e.tick)
                    code = BatteryState[e.name]
                    self._log(EventKind.BATTERY, code)
                    if code is BatteryState.CUTOFF and cut_tick is None:
                        cut_tick = e.tick
                        self.faults.add(FaultCode.BATTERY_CUTOFF)
                        self._log(EventKind.FAULT, FaultCode.BATTERY_CUTOFF)
                        self._stim_stop(ModeCode.STIM_OFF, FaultCode.BATTERY_CUTOFF)
                    elif self.battery.cutoff is False and FaultCode.BATTERY_CUTOFF in self.faults:
                        self.faults.discard(FaultCode.BATTERY_CUTOFF)
                        self._log(EventKind.MODE, ModeCode.FAULT_CLEARED, FaultCode.BATTERY_CUTOFF)
                else:
                    code = RechargeState[e.name]
                    self._log(EventKind.RECHARGE, code)
                    if code is RechargeState.PAUSED_HOT:
                        self.faults.add(FaultCode.OVER_TEMPERATURE)
                        self._log(EventKind.FAULT, FaultCode.OVER_TEMPERATURE)
                    elif FaultCode.OVER_TEMPERATURE in self.faults:
                        self.faults.discard(FaultCode.OVER_TEMPERATURE)
                        self._log(EventKind.MODE, ModeCode.FAULT_CLEARED, FaultCode.OVER_TEMPERATURE)
        else:
            hours = (t - self.clock) / 3.6e9
            self.trial_used_mah += (self.stim_power_w / 3.0 + 10e-6) * 1000 * hours
        self._emit_pulses(stop_at)
        self.clock = t

    def _emit_pulses(self, until: int) -> None:
        """Pulses with nominal start before ``until`` go out (to the trace and any observer)."""
        if not self.stim_on or self.stream is None:
            return
        if self._stalled:
            until = min(until, self.heartbeat)
        else:
            self.heartbeat = max(self.heartbeat, until)
        if not (self.tracing or self.pulse_observer):
            self.stream.skip_until(until)
            return
        pulses = self.stream.take_until(until)
        if not len(pulses):
            return
        if self.pulse_observer is not None:
            self.pulse_observer(pulses)
        if self.tracing:
            room = self.trace_limit - len(self.trace)
            rec = np.zeros(min(room, len(pulses)), dtype=TRACE_RECORD)
            rec["tick"] = pulses["start_tick"][:len(rec)]
            rec["area"] = pulses["area"][:len(rec)]
            rec["amplitude_ua"] = pulses["amplitude_ua"][:len(rec)]
            self.trace = np.concatenate([self.trace, rec])
            if len(self.trace) >= self.trace_limit:
                self.tracing = False

    def _timers(self) -> None:
        now = self.clock
        if self.stim_on and self._stalled and now >= self.heartbeat + self.cfg.watchdog_ticks:
            self.faults.add(FaultCode.WATCHDOG)
            self._log(EventKind.FAULT, FaultCode.WATCHDOG, 1)  # detail 1: the pulse scheduler stalled
            self._stim_stop(ModeCode.STIM_OFF, FaultCode.WATCHDOG)
        if now >= self.next_impedance_check:
            self._check_impedance()
            self.next_impedance_check = now + self.cfg.impedance_check_ticks
        adaptive = self.settings["adaptive"]
        if self.pending_posture is not None and now >= self.pending_posture[1] + adaptive["dwell_ms"] * 1000:
            self.posture = self.pending_posture[0]
            self.pending_posture = None
            self._log(EventKind.MODE, ModeCode.POSTURE_APPLIED, int(self.posture))
            self.target = self._remembered_amplitudes()
            self._start_ramp()
        if self.ramp_next_tick is not None and now >= self.ramp_next_tick:
            step = self.profile.amplitude_step_ua
            self.applied = [a + step if t > a else a - step if t < a else a for a, t in zip(self.applied, self.target)]
            self._rebuild()
            self._start_ramp()

    def _start_ramp(self) -> None:
        """AdaptiveStim moves the applied amplitudes toward the target one step at a bounded rate."""
        if self.applied == self.target:
            self.ramp_next_tick = None
            return
        rate = self.settings["adaptive"]["ramp_ua_per_s"]
        self.ramp_next_tick = self.clock + -(-self.profile.amplitude_step_ua * 1_000_000 // rate)

    def _check_impedance(self) -> None:
        before = self.measured.faulted(self.profile)
        self.measured = ContactImpedances(tuple(self.lead_ohms))
        now = self.measured.faulted(self.profile)
        opened = {i for i in now if self.measured.ohms[i] > self.profile.impedance_open_ohm}
        for code, present in ((FaultCode.IMPEDANCE_OPEN, bool(opened)), (FaultCode.IMPEDANCE_SHORT, bool(now - opened))):
            if present and code not in self.faults:
                self.faults.add(code)
                self._log(EventKind.FAULT, code, sum(1 << i for i in now))
            elif not present and code in self.faults:
                self.faults.discard(code)
                self._log(EventKind.MODE, ModeCode.FAULT_CLEARED, code)
        if now != before and self.stim_on:
            stopped_before = set(self.sched.stopped_areas)
            self._rebuild()
            for area in sorted(set(self.sched.stopped_areas) - stopped_before):
                self._log(EventKind.MODE, ModeCode.AREA_STOPPED, area)

    # ============================================================================ fault injection
    def inject_scheduler_stall(self) -> None:
        """Test hook: the pulse scheduler stops servicing its timer (the watchdog must catch it)."""
        self._stalled = True

    # ============================================================================ requests
    def execute(self, msg: Message, obj: Any, role: Role) -> Any:
        """Execute one authenticated, decoded request; returns the response message instance."""
        stopping = msg.name == "STIM_SET" and not obj.on  # stopping is always allowed
        if self.mri and msg.name not in MRI_PERMITTED and not stopping:
            return self._result(msg, "WRONG_STATE")
        handler = getattr(self, "_on_" + msg.name.lower())
        return handler(msg, obj, role)

    def _result(self, msg: Message, result: str, field: str | int | None = None) -> Any:
        index = 255
        if isinstance(field, int):
            index = field
        elif field is not None:
            index = [f.name for f in msg.fields].index(field)
        return make(self.catalog, "RESULT", request_id=msg.id, result=self.catalog.result_code(result), field=index)

    def _ok(self, msg: Message) -> Any:
        return self._result(msg, "OK")

    def _on_device_info_get(self, msg, obj, role):
        p = self.profile
        caps = (CAP_VIRTUAL_CLOCK | CAP_INPUTS | CAP_TRACE | (CAP_TRIAL if self.cfg.trial else CAP_RECHARGEABLE)
                | (CAP_TEST_BUILD if self.cfg.test_build and self.cfg.keys.test is not None else 0) | (CAP_DEVELOPMENT_KEYS if self.cfg.development_keys else 0))
        return make(self.catalog, "DEVICE_INFO", protocol_version=self.catalog.protocol_version,
                    firmware_version=FIRMWARE_VERSION, device_id=self.cfg.device_id, tick_ns=1000, capabilities=caps,
                    contact_count=p.contact_count, max_programs=p.max_programs, max_areas=p.max_areas,
                    amplitude_step_ua=p.amplitude_step_ua, max_amplitude_ua=p.max_amplitude_ua,
                    max_cathode_charge_pc=p.max_cathode_charge_pc, compliance_mv=p.compliance_mv)

    def battery_status(self) -> tuple[int, int, int, int, int]:
        """(soc permille, terminal mV, battery state, recharge state, temperature milli-degC)."""
        if self.battery is None:
            frac = max(0.0, 1 - self.trial_used_mah / self.cfg.trial_battery_mah)
            state = BatteryState.OK if frac > 0.1 else BatteryState.RECHARGE_NOW
            return round(frac * 1000), 3000, int(state), 0, 37000
        b = self.battery
        return (round(min(max(b.soc, 0.0), 1.0) * 1000), round(b.voltage(b._i_step) * 1000), int(b.bstate),
                int(b.rstate), round(b.temp * 1000))

    def _on_status_get(self, msg, obj, role):
        soc, mv, bstate, rstate, temp = self.battery_status()
        return make(self.catalog, "STATUS", stim_on=int(self.stim_on), active_program=self.settings["active_program"],
                    amplitude_ua=self._padded(self.applied), clock_ticks=self.clock, battery_soc_permille=soc,
                    battery_mv=mv, battery_state=bstate, recharge_state=rstate, temperature_mc=temp,
                    fault_flags=sum(1 << int(f) for f in self.faults), mri_mode=int(self.mri),
                    device_mode=int(self.cfg.trial), posture=int(self.posture),
                    trial_day=self.clock // DAY_TICKS if self.cfg.trial else 0)

    def _on_stim_set(self, msg, obj, role):
        if not obj.on:
            self._stim_stop()
            self.mri_saved_on = False  # leaving MRI mode will not turn it back on
            self.settings["stim_on"] = False
            self._save()
            return self._ok(msg)
        if self.stim_on:
            return self._ok(msg)
        if self._active_program() is None:
            return self._result(msg, "WRONG_STATE", "on")
        if self.battery is not None and self.battery.cutoff:
            return self._result(msg, "WRONG_STATE", "on")
        if FaultCode.WATCHDOG in self.faults:
            # a clinician or patient turning stimulation back on acknowledges the watchdog fault
            self.faults.discard(FaultCode.WATCHDOG)
            self._stalled = False
            self._log(EventKind.MODE, ModeCode.FAULT_CLEARED, FaultCode.WATCHDOG)
        self._check_impedance()
        self._stim_start()
        self.settings["stim_on"] = True
        self._save()
        return self._ok(msg)

    def _on_program_select(self, msg, obj, role):
        slot = self.settings["programs"][obj.program]
        if slot is None:
            return self._result(msg, "WRONG_STATE", "program")
        if role is Role.PATIENT and not slot["selectable"]:
            return self._result(msg, "NOT_PERMITTED", "program")
        was_on = self.stim_on
        self._stim_stop(log=False)
        self.settings["active_program"] = obj.program
        self.applied = self._remembered_amplitudes()
        self.target = list(self.applied)
        self.ramp_next_tick = None
        self._log(EventKind.MODE, ModeCode.PROGRAM_SELECTED, obj.program)
        if was_on:
            self._stim_start()
        self._save()
        return self._ok(msg)

    def _on_amplitude_step(self, msg, obj, role):
        prog = self._active_program()
        c = self.catalog
        if prog is None:
            return make(c, "AMPLITUDE", result=c.result_code("WRONG_STATE"), amplitude_ua=self._padded(self.applied))
        n = len(prog.areas)
        if obj.area != 255 and obj.area >= n:
            return self._result(msg, "OUT_OF_RANGE", "area")
        limits = self._limits(self.settings["active_program"])
        step = self.profile.amplitude_step_ua
        new, clamped = list(self.applied), False
        for i in range(n) if obj.area == 255 else (obj.area,):
            lo, hi = limits[i]
            hi = min(hi, safety.max_safe_amplitude_ua(prog.areas[i], self.profile))
            want = self.applied[i] + obj.steps * step
            got = min(max(want, lo), hi)
            clamped |= got != want
            new[i] = got
        self.applied = new
        self.target = list(new)
        self.ramp_next_tick = None
        self.settings["amplitudes"][self._memory_key()] = list(new)
        self._rebuild()
        self._save()
        return make(c, "AMPLITUDE", result=c.result_code("LIMIT_CLAMPED" if clamped else "OK"),
                    amplitude_ua=self._padded(new))

    def _on_area_write(self, msg, obj, role):
        fields = {name: getattr(obj, name) for name in AREA_FIELDS}
        try:
            area = area_from_fields(fields, self.profile)
            safety.check_area(area, self.profile)
        except SafetyLimitError:
            return self._result(msg, "UNSAFE", "amplitude_ua")
        except ParameterError as e:
            return self._result(msg, "OUT_OF_RANGE", field_of_error(e.field))
        self.staged[(obj.program, obj.area)] = area
        return self._ok(msg)

    def _on_program_commit(self, msg, obj, role):
        areas = [self.staged.get((obj.program, i)) for i in range(obj.area_count)]
        if any(a is None for a in areas):
            return self._result(msg, "WRONG_STATE", "area_count")
        try:
            Scheduler(Program(tuple(areas)), self.profile)
        except InterleaveError:
            return self._result(msg, "UNSAFE", "area_count")
        except SafetyLimitError:
            return self._result(msg, "UNSAFE", "area_count")
        self.settings["programs"][obj.program] = {
            "areas": [area_to_fields(a) for a in areas],
            "limits": [[0, a.amplitude_ua] for a in areas],
            "selectable": True,
        }
        prefix = f"{obj.program}:"
        self.settings["amplitudes"] = {k: v for k, v in self.settings["amplitudes"].items() if not k.startswith(prefix)}
        for i in range(obj.area_count):
            self.staged.pop((obj.program, i), None)
        self._log(EventKind.MODE, ModeCode.PROGRAM_STORED, obj.program)
        if obj.program == self.settings["active_program"]:
            was_on = self.stim_on
            self._stim_stop(log=False)
            self.applied = self._remembered_amplitudes()
            self.target = list(self.applied)
            if was_on:
                self._stim_start()
        self._save()
        return self._ok(msg)

    def _on_area_read(self, msg, obj, role):
        c = self.catalog
        prog = self._program(obj.program)
        if prog is None or obj.area >= len(prog.areas):
            return make(c, "AREA", result=c.result_code("WRONG_STATE"), program=obj.program, area=obj.area,
                        pulse_width_us=0, rate_mhz=0, recharge_ratio=0, pulses_per_burst=0)
        return make(c, "AREA", result=0, program=obj.program, area=obj.area, **area_to_fields(prog.areas[obj.area]))

    def _on_limits_write(self, msg, obj, role):
        prog = self._program(obj.program)
        if prog is None or obj.area >= len(prog.areas):
            return self._result(msg, "WRONG_STATE", "area")
        if obj.min_amplitude_ua > obj.max_amplitude_ua:
            return self._result(msg, "OUT_OF_RANGE", "min_amplitude_ua")
        step = self.profile.amplitude_step_ua
        if obj.min_amplitude_ua % step or obj.max_amplitude_ua % step:
            return self._result(msg, "OUT_OF_RANGE", "min_amplitude_ua" if obj.min_amplitude_ua % step else "max_amplitude_ua")
        if obj.max_amplitude_ua > safety.max_safe_amplitude_ua(prog.areas[obj.area], self.profile):
            return self._result(msg, "UNSAFE", "max_amplitude_ua")
        slot = self.settings["programs"][obj.program]
        slot["limits"][obj.area] = [obj.min_amplitude_ua, obj.max_amplitude_ua]
        slot["selectable"] = bool(obj.patient_selectable)
        # remembered amplitudes now outside the window are brought inside it
        for key, amps in self.settings["amplitudes"].items():
            if key.startswith(f"{obj.program}:"):
                amps[obj.area] = min(max(amps[obj.area], obj.min_amplitude_ua), obj.max_amplitude_ua)
        if obj.program == self.settings["active_program"] and obj.area < len(self.applied):
            for arr in (self.applied, self.target):
                arr[obj.area] = min(max(arr[obj.area], obj.min_amplitude_ua), obj.max_amplitude_ua)
            self._rebuild()
        self._save()
        return self._ok(msg)

    def _on_limits_read(self, msg, obj, role):
        c = self.catalog
        slot = self.settings["programs"][obj.program]
        if slot is None or obj.area >= len(slot["limits"]):
            return make(c, "LIMITS", result=c.result_code("WRONG_STATE"))
        lo, hi = slot["limits"][obj.area]
        return make(c, "LIMITS", result=0, min_amplitude_ua=lo, max_amplitude_ua=hi,
                    patient_selectable=int(slot["selectable"]))

    def _on_impedance_get(self, msg, obj, role):
        faulted = self.measured.faulted(self.profile)
        return make(self.catalog, "IMPEDANCE", ohms=tuple(min(z, 0xFFFF) for z in self.measured.ohms),
                    faulted_mask=sum(1 << i for i in faulted))

    def _on_posture_input(self, msg, obj, role):
        posture = Posture(obj.posture)
        if self.pending_posture is None or self.pending_posture[0] is not posture:
            self.pending_posture = (posture, self.clock) if posture is not self.posture else None
        return self._ok(msg)

    def _on_adaptive_set(self, msg, obj, role):
        if obj.ramp_ua_per_s % self.profile.amplitude_step_ua:
            return self._result(msg, "OUT_OF_RANGE", "ramp_ua_per_s")
        self.settings["adaptive"] = {"enabled": bool(obj.enabled), "dwell_ms": obj.dwell_ms,
                                     "ramp_ua_per_s": obj.ramp_ua_per_s}
        self._save()
        return self._ok(msg)

    def _on_mri_mode_set(self, msg, obj, role):
        if obj.enter:
            if self.mri:
                return self._ok(msg)
            if self.faults:
                return self._result(msg, "WRONG_STATE", "enter")
            self.mri_saved_on = self.stim_on
            self._stim_stop(log=False)
            self.mri = True
            self._log(EventKind.MODE, ModeCode.MRI_ENTER)
            return self._ok(msg)
        if not self.mri:
            return self._ok(msg)
        self.mri = False
        self._log(EventKind.MODE, ModeCode.MRI_EXIT)
        if self.mri_saved_on and self._active_program() is not None and not (self.battery and self.battery.cutoff):
            self._stim_start()
        return self._ok(msg)

    def _on_recharge_coupling_input(self, msg, obj, role):
        if self.battery is None:
            return self._result(msg, "WRONG_STATE")
        if obj.transmit_mw == 0:
            self.coupling = None
        else:
            self.coupling = Coupling(obj.separation_mm, obj.misalignment_mm, obj.transmit_mw / 1000)
        return self._ok(msg)

    def _on_charging_status_get(self, msg, obj, role):
        soc, mv, _, rstate, temp = self.battery_status()
        current = 0
        received = 0
        if self.battery is not None:
            current = round(-self.battery._i_step * 1e6)
            if self.coupling is not None and current > 0:
                received = round(current * 1e-6 * mv / 1000 / 0.85 * 1000)
        return make(self.catalog, "CHARGING_STATUS", recharge_state=rstate, battery_current_ua=current,
                    received_mw=received, temperature_mc=temp, battery_soc_permille=soc)

    def _on_trace_start(self, msg, obj, role):
        self.trace = np.zeros(0, dtype=TRACE_RECORD)
        self.trace_limit = min(obj.max_pulses, self.cfg.trace_capacity)
        self.tracing = True
        return self._ok(msg)

    def _on_trace_stop(self, msg, obj, role):
        self.tracing = False
        return self._ok(msg)

    def _on_trace_dump(self, msg, obj, role):
        recs = self.trace[obj.offset:obj.offset + obj.count]
        return make(self.catalog, "TRACE_DATA", offset=obj.offset, total=len(self.trace), count=len(recs),
                    records=recs.tobytes())

    def _on_event_log_read(self, msg, obj, role):
        c = self.catalog
        if obj.index >= len(self.log):
            return make(c, "EVENT_LOG_ENTRY", result=c.result_code("OUT_OF_RANGE"), index=obj.index, total=len(self.log))
        e = self.log[obj.index]
        return make(c, "EVENT_LOG_ENTRY", result=0, index=obj.index, total=len(self.log), tick=e.tick,
                    kind=int(e.kind), code=e.code, detail=e.detail)

    def _on_clock_get(self, msg, obj, role):
        return make(self.catalog, "CLOCK", ticks=self.clock)

    def _on_clock_advance(self, msg, obj, role):
        self.advance(obj.ticks)
        return make(self.catalog, "CLOCK", ticks=self.clock)

    def _on_impedance_input(self, msg, obj, role):
        self.lead_ohms[obj.contact] = obj.ohms
        return self._ok(msg)

    def _on_reset(self, msg, obj, role):
        # the answer goes out first; the host sees the reset in the event log and STATUS
        self._pending_reset = obj.kind
        return self._ok(msg)

    def after_response(self) -> None:
        """Called by the transport once a response went out (a RESET takes effect then)."""
        pending = getattr(self, "_pending_reset", None)
        if pending is not None:
            del self._pending_reset
            self.guard.persist(self.clock)  # an orderly reboot: the back-off resumes with what remains now
            if pending == 2:
                self.factory_reset()
            else:
                self.reset(power_loss=pending == 1)

    def record_security_events(self) -> None:
        """Move the guard's security events into the event log: events of authenticated frames one by
        one (and as EVENT frames); refusals of frames anyone could have sent are counted in one
        summary entry (detail: count << 16 | last result code << 8 | last message id), updated in
        place while it is the newest entry, so they can't push the others out of the log."""
        events, self.guard.events = self.guard.events, []
        for e in events:
            tick = max(e.tick, self.log[-1].tick if len(self.log) else 0)
            code = SECURITY_CODES.get(e.code, 0)
            if e.authenticated:
                self.log.add(tick, EventKind.SECURITY, code, e.msg_id | (e.detail << 8))
                self.outbox.append((tick, int(EventKind.SECURITY), code, e.msg_id))
                continue
            last = self.log[-1] if len(self.log) else None
            count = 1
            if last is not None and last.kind is EventKind.SECURITY and last.code == UNAUTHENTICATED_SUMMARY:
                count = min((last.detail >> 16) + 1, 0xFFFF)
                self.log.replace_last(tick, last.kind, last.code, count << 16 | self.catalog.result_code(e.code) << 8 | e.msg_id)
            else:
                self.log.add(tick, EventKind.SECURITY, UNAUTHENTICATED_SUMMARY,
                             count << 16 | self.catalog.result_code(e.code) << 8 | e.msg_id)

    def bench_clear_backoff(self) -> None:
        """What a lab's programming tool does between tests (never reachable over the protocol):
        forget failed proofs. The nonce epoch is kept."""
        self.guard.clear_backoff(self.clock)


class PulseStream:
    """The running scheduler's pulses in absolute ticks, handed out in order as time passes.

    ``retarget`` swaps in a scheduler with other amplitudes or impedances at a tick, continuing the
    same grid (and its soft-start ramp) from the turn-on tick ``origin``.
    """

    def __init__(self, scheduler: Scheduler, origin: int):
        self.origin = origin
        self.sched = scheduler
        self._restart(0, None)

    def _restart(self, rel: int, stage_free_at: int | None) -> None:
        self._gen = None
        self._gen_from, self._gen_free = rel, stage_free_at
        self._buf = np.zeros(0, dtype=TIMELINE_DTYPE)
        self.next_rel = rel  # pulses with nominal start before this were handed out
        self.stage_free_at = stage_free_at if stage_free_at is not None else rel

    def _fill(self, rel_until: int) -> None:
        """Buffer pulses until one with nominal start >= rel_until is held (or none can follow)."""
        if self._gen is None:
            self._gen = self.sched.chunks(self._gen_from, 1 << 60, stage_free_at=self._gen_free)
        while not len(self._buf) or int(self._buf["start_tick"][-1]) - int(self._buf["displacement_ticks"][-1]) < rel_until:
            nxt = next(self._gen, None)
            if nxt is None:
                return
            self._buf = np.concatenate([self._buf, nxt])

    def take_until(self, until_abs: int) -> np.ndarray:
        """Pulses with nominal start before ``until_abs`` not handed out yet, in absolute ticks."""
        rel = until_abs - self.origin
        if rel <= self.next_rel:
            return self._buf[:0]
        self._fill(rel)
        nominal = self._buf["start_tick"] - self._buf["displacement_ticks"]
        n = int(np.searchsorted(nominal, rel, side="left"))
        out, self._buf = self._buf[:n].copy(), self._buf[n:]
        if n:
            busy_end = out["start_tick"] + out["width_us"] + out["gap_us"] + out["recharge_width_us"]
            self.stage_free_at = max(self.stage_free_at, int(busy_end.max()))
            out["start_tick"] += self.origin
        self.next_rel = rel
        return out

    def skip_until(self, until_abs: int) -> None:
        """Move on without materialising pulses nobody looks at. One area has no collisions, so its
        grid restarts exactly anywhere; several areas need every pulse for the stage's state."""
        rel = until_abs - self.origin
        if rel <= self.next_rel:
            return
        if len(self.sched._plans) <= 1:
            self._restart(rel, None)
        else:
            self.take_until(until_abs)

    def retarget(self, scheduler: Scheduler, at_abs: int) -> None:
        rel = max(at_abs - self.origin, self.next_rel)
        self.sched = scheduler
        self._restart(rel, max(self.stage_free_at, rel))


class _Discard(list):
    """A sample list that keeps nothing (the device has no use for the battery's history)."""

    def append(self, item) -> None:  # noqa: D401
        pass


def _tuples(f: dict) -> dict:
    return {k: tuple(v) if isinstance(v, list) else v for k, v in f.items()}
