"""`Device`: the stimulator's firmware behaviour as one deterministic state machine (the golden model).

It executes typed protocol requests (instances of the catalog's message types) through one handler per
request (`firmware_model.device.handlers`), on parts with one job each: the pulse output (`pulse_output`), the
power supervisor (`power`), AdaptiveStim (`adaptive`), the lead monitor (`leads`), the active faults
(`faults`) and the persistent settings (`settings`, stored by `nvm`). Everything runs on a virtual
clock: `advance(ticks)` moves pulses, ramps, battery, recharge, temperature and timeouts. Nothing reads
the wall clock or an unseeded random source, so the same requests at the same ticks give the same
responses, events and pulses.

Authority: the clinician writes programs and the patient's limits; the patient turns stimulation on
and off, selects the programs the clinician allowed and steps amplitude inside the clinician's window.
Anything else is refused with its result code and changes nothing, or is clamped and says so.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from firmware_model.battery.models import CellParams, PrimaryCellParams
from firmware_model.device import rules, settings_codec
from firmware_model.device.adaptive import AdaptiveStim
from firmware_model.device.eventlog import (
    RANK_UNAUTHENTICATED,
    SECURITY_CODES,
    EventKind,
    EventLog,
    FaultCode,
    ModeCode,
    ResetCode,
)
from firmware_model.device.faults import Faults
from firmware_model.device.handlers import HANDLERS, result
from firmware_model.device.leads import LeadMonitor
from firmware_model.device.nvm import FlashSlots, SettingsStore
from firmware_model.device.power import PowerSupervisor
from firmware_model.device.processor import FaultRecord, holds_stimulation, injected
from firmware_model.device.pulse_output import TRACE_RECORD, PulseOutput
from firmware_model.device.settings import AdaptiveSettings, Settings
from firmware_model.profiles import DeviceProfile
from firmware_model.stimulation.params import Area, Program
from protocol.session import DeviceGuard, DeviceKeys, SecurityStore
from protocol.spec import generated as dev
from protocol.spec.catalog import Message, Role, load_catalog
from protocol.spec.generated import FaultKind, ResetCause, ResetKind, SecuritySummary

__all__ = ["Device", "DeviceConfig", "TRACE_RECORD"]



@dataclass(frozen=True)
class DeviceConfig:
    keys: DeviceKeys
    profile: DeviceProfile = field(default_factory=DeviceProfile)
    trial: bool = False
    cell: CellParams | PrimaryCellParams = field(default_factory=CellParams)   # a primary cell: ERI/EOS
    initial_soc: float = dev.INITIAL_SOC
    trial_battery_mah: float = 2_000.0
    trace_capacity: int = 200_000
    impedance_check_ticks: int = dev.IMPEDANCE_CHECK_TICKS
    watchdog_ticks: int = 100_000
    event_log_capacity: int = dev.EVENT_LOG_CAPACITY
    event_log_summaries: int = dev.EVENT_LOG_SUMMARIES   # of them, the region of refusal summaries
    event_log_per_role: int = dev.EVENT_LOG_PER_ROLE     # the region of each role's refusals
    #: the device's nonce key; None derives it from the role keys (secret as they are). Tests inject one.
    nonce_key: bytes | None = None
    #: the entropy source mixed into nonces (the virtual board: os.urandom); None: none (DEVICE_INFO
    #: says so), and the device then opens sessions only with a valid security record
    entropy: Callable[[int], bytes] | None = None
    #: False: a production device (no test role; test requests refused with NOT_PERMITTED)
    test_build: bool = True
    #: the keys were made for this run or build (`scs board` without --keys): said in DEVICE_INFO
    development_keys: bool = False
    default_dwell_ms: int = dev.DEFAULT_DWELL_MS
    default_ramp_ua_per_s: int = dev.DEFAULT_RAMP_UA_PER_S

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
        if security_flash is None:  # a new device: its record was provisioned at the factory
            security_flash = FlashSlots(slot_size=64, page_size=64)
            SecurityStore(security_flash).provision()
        self.security_flash = security_flash
        self.log = EventLog(config.event_log_capacity, config.event_log_summaries, config.event_log_per_role)
        self.clock = 0
        self.boot_count = 0
        self.outbox: list[tuple[int, int, int, int]] = []   # (tick, kind, code, detail) events to send
        self.leads = LeadMonitor(self.profile)                # outlives resets: it is the lead itself
        self.power = PowerSupervisor(config)                  # the cell outlives resets too
        self._observer: Callable[[np.ndarray], None] | None = None
        self.reset_cause = ResetCause.POWER_ON                # read once per processor reset (docs/faults.md)
        self.fault_record: FaultRecord | None = None          # saved by the last fault, reported this boot
        self._boot(first=True)
        self.log_event(EventKind.BOOT, self.reset_cause)

    # =============================================================================== boot and NVM
    def _reset_ram(self) -> None:
        """The state a reset loses."""
        self.staged: dict[tuple[int, int], Area] = {}
        self.mri = False
        self.mri_saved_on = False
        self.pending_reset: int | None = None
        self.pending_fault: FaultKind | None = None
        self.faults = Faults(self.log_event)
        self.adaptive = AdaptiveStim()
        self.output = PulseOutput(self.clock)
        self.output.observer = self._observer
        self.leads.forget_measurement()
        self.next_impedance_check = self.clock + self.cfg.impedance_check_ticks
        self.guard = DeviceGuard(self.cfg.keys, SecurityStore(self.security_flash), self.clock,
                                 k_nonce=self.cfg.nonce_key, hw_rng=self.cfg.entropy, test_build=self.cfg.test_build)

    def _boot(self, first: bool = False, reason: ResetCode = ResetCode.SOFT) -> None:
        """Start from persistent settings, as after a reset; RAM state is lost."""
        self.boot_count += 1
        self._reset_ram()
        if not first:
            self.log_event(EventKind.RESET, reason)
        if self.guard.nonce_source_missing:  # said once a boot; every HELLO is refused until provisioned
            self.log_event(EventKind.SECURITY, SecuritySummary.NO_NONCE_SOURCE)
        self.settings = self._load_settings()
        self.applied = self.remembered_amplitudes()
        self.target = list(self.applied)
        self.check_impedance()
        held = holds_stimulation(self.reset_cause)  # the restart policy: a fault reset waits for STIM_SET
        if self.settings.stim_on and self.active_program() is not None and not self.faults and not self.power.cutoff \
                and not held:
            self.stim_start()

    def _load_settings(self) -> Settings:
        """The newest valid settings image; the defaults (and why, in the log) when there is none."""
        loaded = self.store.load()
        slots_blank = [raw == b"\xff" * len(raw) for raw in (self.flash.read(0), self.flash.read(1))]
        if loaded is None:
            if not all(slots_blank):
                self.faults.raise_(FaultCode.NVM_CORRUPT)
                self.log_event(EventKind.RESET, ResetCode.DEFAULTS_LOADED)
            return self._default_settings()
        try:
            settings = settings_codec.decode(loaded[1], self.profile)
        except settings_codec.SettingsImageError:
            # a valid slot whose content no request could have set: as corrupt as a bad CRC
            self.faults.raise_(FaultCode.NVM_CORRUPT)
            self.log_event(EventKind.RESET, ResetCode.DEFAULTS_LOADED)
            return self._default_settings()
        valid = self.store.slot_states()
        if valid.count(True) == 1 and not slots_blank[valid.index(False)]:
            self.log_event(EventKind.RESET, ResetCode.SLOT_FALLBACK, valid.index(True))
        return settings

    def _default_settings(self) -> Settings:
        return Settings.defaults(self.profile, AdaptiveSettings(False, self.cfg.default_dwell_ms,
                                                                self.cfg.default_ramp_ua_per_s))

    def save(self) -> None:
        """Persist settings (may raise nvm.PowerLoss in a fault-injection test)."""
        # the image's old back-off fields stay zero: back-off lives in the security record now
        self.store.save(settings_codec.encode(self.settings))

    def persisted_settings(self) -> Settings | None:
        """The settings the next boot would load (None: the defaults)."""
        loaded = self.store.load()
        try:
            return settings_codec.decode(loaded[1], self.profile) if loaded else None
        except settings_codec.SettingsImageError:
            return None

    def reset(self, power_loss: bool = False) -> None:
        """Reboot: a soft reset keeps the lead, battery and clock; RAM state is lost either way."""
        self.stim_stop(ModeCode.STIM_OFF, log=False)
        self._boot(reason=ResetCode.POWER_LOSS if power_loss else ResetCode.SOFT)

    def processor_reset(self, cause: ResetCause, record: FaultRecord | None = None) -> None:
        """A reset of the processor (a fault handler's, the watchdog's, a brown-out's, the pin's): the
        outputs are already safe, RAM is lost; the cause and the record are reported by this boot."""
        self.stim_stop(ModeCode.STIM_OFF, log=False)
        self.reset_cause, self.fault_record = cause, record
        self._boot(first=True)  # a processor reset: the BOOT event, not a RESET one
        self.log_event(EventKind.BOOT, cause, record.pc if record else 0)

    def inject_fault(self, kind: FaultKind) -> None:
        """FAULT_INJECT once its answer is out: what the board does for `kind`, in one step."""
        record, cause = injected(kind, self.clock)
        self.guard.persist(self.clock)
        self.processor_reset(cause, record)

    def factory_reset(self) -> None:
        """Erase the settings (both slots), clear simulated inputs, reboot. The security record (nonce
        epoch, back-off) is not settings: it survives, like every other kind of reset."""
        self.stim_stop(ModeCode.STIM_OFF, log=False)
        for slot in range(2):
            self.flash.erase(slot)
        self.leads.unplug_inputs()
        self.power.coupling = None
        self._boot(reason=ResetCode.FACTORY)

    # ================================================================================ views
    @property
    def stim_on(self) -> bool:
        return self.output.on

    @property
    def battery(self) -> Any:
        return self.power.battery

    @property
    def pulse_observer(self) -> Callable[[np.ndarray], None] | None:
        return self._observer

    @pulse_observer.setter
    def pulse_observer(self, fn: Callable[[np.ndarray], None] | None) -> None:
        self._observer = self.output.observer = fn

    def log_event(self, kind: EventKind, code: int, detail: int = 0) -> None:
        self.log.add(self.clock, kind, code, detail)
        self.outbox.append((self.clock, int(kind), int(code), detail))

    def program(self, index: int) -> Program | None:
        slot = self.settings.programs[index]
        return None if slot is None else Program(slot.areas, f"program {index}")

    def active_program(self) -> Program | None:
        return self.program(self.settings.active_program)

    def memory_key(self) -> int:
        return self.adaptive.memory_key(self.settings.adaptive.enabled)

    def remembered_amplitudes(self) -> list[int]:
        """The active program's amplitudes for the present memory key, always inside the window."""
        slot = self.settings.programs[self.settings.active_program]
        if slot is None:
            return [0] * self.profile.max_areas
        amps = slot.remembered[self.memory_key()]
        chosen = list(amps) if amps is not None else [a.amplitude_ua for a in slot.areas]
        return [min(max(a, lo), hi) for a, (lo, hi) in zip(chosen, slot.limits)]

    def padded(self, amps: list[int]) -> tuple[int, ...]:
        return tuple(list(amps) + [0] * (self.profile.max_areas - len(amps)))[:self.profile.max_areas]

    # ============================================================================ stimulation
    def stim_start(self) -> None:
        prog = self.active_program()
        assert prog is not None
        self.output.start(prog, self.profile, self.leads.measured, self.applied, self.clock)
        self.log_event(EventKind.MODE, ModeCode.STIM_ON, self.settings.active_program)

    def stim_stop(self, code: ModeCode = ModeCode.STIM_OFF, detail: int = 0, log: bool = True) -> None:
        if self.output.on and log:
            self.log_event(EventKind.MODE, code, detail)
        self.output.stop()

    def retarget(self) -> None:
        """Apply new amplitudes or impedances to running stimulation, continuing the same pulse grid."""
        self.output.retarget(self.applied, self.leads.measured, self.clock)

    def check_impedance(self) -> None:
        changed = self.leads.check(self.faults)
        if changed and self.output.on:
            stopped_before = self.output.stopped_areas()
            self.retarget()
            for area in sorted(self.output.stopped_areas() - stopped_before):
                self.log_event(EventKind.MODE, ModeCode.AREA_STOPPED, area)

    # ============================================================================ time
    def advance(self, ticks: int) -> None:
        """Move the virtual clock forward by ``ticks`` (>= 0), running everything that happens meanwhile."""
        if ticks < 0:
            raise ValueError(f"advance by {ticks} ticks is not allowed: >= 0")
        end = self.clock + ticks
        while self.clock < end:
            self._run_until(self._next_event(end))
            self._timers()

    def _next_event(self, end: int) -> int:
        """The next timer due after now (at most ``end``)."""
        due = [end, self.next_impedance_check, self.adaptive.posture_due_tick(self.settings.adaptive.dwell_ms),
               self.adaptive.ramp_next_tick, self.output.watchdog_due_tick(self.cfg.watchdog_ticks)]
        nxt = min(t for t in due if t is not None)
        return max(nxt, self.clock + 1) if nxt <= self.clock else nxt

    def _run_until(self, t: int) -> None:
        """Battery and pulses from now to t; stimulation stops at the tick the cell cuts off."""
        for e in self.power.run(self.clock, t, self.output.power_w):
            self.clock = max(self.clock, min(e.tick, t))
            if e.kind == "battery":
                self.output.emit(e.tick)  # the pulses before the change went out
            if self.power.on_event(e, self.faults, self.log_event):
                self.stim_stop(ModeCode.STIM_OFF, FaultCode.BATTERY_CUTOFF)
        self.output.emit(t)
        self.clock = t

    def _timers(self) -> None:
        now = self.clock
        if self.output.watchdog_expired(now, self.cfg.watchdog_ticks):
            self.faults.raise_(FaultCode.WATCHDOG, 1)  # detail 1: the pulse scheduler stalled
            self.stim_stop(ModeCode.STIM_OFF, FaultCode.WATCHDOG)
        if now >= self.next_impedance_check:
            self.check_impedance()
            self.next_impedance_check = now + self.cfg.impedance_check_ticks
        adaptive = self.settings.adaptive
        if self.adaptive.apply_due_posture(now, adaptive.dwell_ms):
            self.log_event(EventKind.MODE, ModeCode.POSTURE_APPLIED, int(self.adaptive.posture))
            self.target = self.remembered_amplitudes()
            self._start_ramp()
        if self.adaptive.ramp_due(now):
            self.applied = self.adaptive.ramp_step(self.applied, self.target, self.profile.amplitude_step_ua)
            self.retarget()
            self._start_ramp()

    def _start_ramp(self) -> None:
        self.adaptive.start_ramp(self.applied, self.target, self.clock, self.profile.amplitude_step_ua,
                                 self.settings.adaptive.ramp_ua_per_s)

    # ============================================================================ fault injection
    def inject_scheduler_stall(self) -> None:
        """Test hook: the pulse scheduler stops servicing its timer (the watchdog must catch it)."""
        self.output.stalled = True

    # ============================================================================ requests
    def execute(self, msg: Message, obj: Any, role: Role) -> Any:
        """Execute one authenticated, decoded request; returns the response message instance."""
        stopping = msg.name in dev.MRI_STOP_ONLY and not obj.on  # stopping is always allowed
        if self.mri and msg.name not in dev.MRI_ALLOWED and not stopping:
            return result(self, msg, "WRONG_STATE")
        problem = rules.profile_count_problem(msg, obj, self.profile)
        if problem is not None:
            return result(self, msg, *problem)
        return HANDLERS[msg.name](self, msg, obj, role)

    def after_response(self) -> None:
        """Called by the transport once a response went out (a RESET takes effect then)."""
        fault, self.pending_fault = self.pending_fault, None
        if fault is not None:
            self.inject_fault(fault)
        pending, self.pending_reset = self.pending_reset, None
        if pending is not None:
            self.guard.persist(self.clock)  # an orderly reboot: the back-off resumes with what remains now
        if pending == ResetKind.FACTORY:
            self.factory_reset()
        elif pending is not None:
            self.reset(power_loss=pending == ResetKind.POWER_LOSS)

    def record_security_events(self) -> None:
        """Move the guard's security events into the event log: events of authenticated frames one by
        one in their session role's region (and as EVENT frames); refusals of frames anyone could have
        sent, failed proofs included, are counted in a summary entry (detail: count << 16 | last
        result code << 8 | last message id) in the summaries' region, updated in place while it is
        the newest entry. A region evicts only its own entries (`EventLog`), so neither pushes out
        the device's entries or another role's."""
        events, self.guard.events = self.guard.events, []
        summary = int(SecuritySummary.UNAUTHENTICATED)
        for e in events:
            tick = max(e.tick, self.log[-1].tick if len(self.log) else 0)
            code = SECURITY_CODES.get(e.code, 0)
            if e.authenticated:
                self.log.add(tick, EventKind.SECURITY, code, e.msg_id | (e.detail << 8), rank=e.role)
                self.outbox.append((tick, int(EventKind.SECURITY), code, e.msg_id))
                continue
            last = self.log[-1] if len(self.log) else None
            count = 1
            if last is not None and last.kind is EventKind.SECURITY and last.code == summary:
                count = min((last.detail >> 16) + 1, 0xFFFF)
                self.log.replace_last(tick, last.kind, summary, count << 16 | code << 8 | e.msg_id)
            else:
                self.log.add(tick, EventKind.SECURITY, summary, count << 16 | code << 8 | e.msg_id,
                             rank=RANK_UNAUTHENTICATED)

    def bench_clear_backoff(self) -> None:
        """What a lab's programming tool does between tests (never reachable over the protocol):
        forget failed proofs. The nonce epoch is kept."""
        self.guard.clear_backoff(self.clock)
