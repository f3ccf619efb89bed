/* The core's life cycle: initial state, reboot (what survives a reset), and the main-loop entries. */
#include <string.h>

#include "core.h"

/* The initial state of RAM (what a reset loses). */
static void init(scs_fw_t *fw, const scs_keys_t *keys)
{
    const float initial_soc_ppm = (SCS_GAUGE_INITIAL_SOC * 1e6f) + 0.5f;
    (void)memset(fw, 0, sizeof *fw);
    for (unsigned i = 0u; i < SCS_CONTACTS; i++) {
        fw->therapy.ohms[i] = SCS_DEFAULT_LEAD_OHMS;
        fw->inputs.lead_ohms[i] = SCS_DEFAULT_LEAD_OHMS;
    }
    fw->inputs.pending_posture = SCS_NO_POSTURE;
    fw->inputs.next_impedance_check = SCS_IMPEDANCE_CHECK_TICKS;
    fw->gauge.primary = SCS_CELL_PRIMARY;
    scs_gauge_set_soc_ppm(&fw->gauge, (uint32_t)(int32_t)initial_soc_ppm); /* at body temperature */
    fw->gauge.battery_state = SCS_BATTERY_STATE_OK;
    fw->therapy.adaptive_enabled = 0;
    fw->therapy.dwell_ms = SCS_DEFAULT_DWELL_MS;
    fw->therapy.ramp_ua_per_s = SCS_DEFAULT_RAMP_UA_PER_S;
    fw->therapy.edges = scs_platform_edges();
    fw->virtual_clock = scs_platform_clock_kind() == (uint32_t)SCS_CAPABILITY_VIRTUAL_CLOCK;
    fw->keys = *keys;
    fw->link.answering = -1;
    fw->fault_record.fault_kind = SCS_NOT_INJECTED;
}

/* The restart policy (docs/faults.md): after a reset the device did not expect, stimulation waits
 * for a STIM_SET; after power-on or the reset pin the stored on/off state applies. */
int scs_holds_stimulation(uint8_t reset_cause)
{
    return (reset_cause == (uint8_t)SCS_RESET_CAUSE_WATCHDOG) || (reset_cause == (uint8_t)SCS_RESET_CAUSE_SOFTWARE) ||
           (reset_cause == (uint8_t)SCS_RESET_CAUSE_BROWN_OUT) || (reset_cause == (uint8_t)SCS_RESET_CAUSE_LOCKUP);
}

void scs_fw_power_on(scs_fw_t *fw, const scs_keys_t *keys)
{
    init(fw, keys);
    fw->reset_cause = scs_platform_reset_cause(fw);
    /* the platform answers 1 (a record) or 0 (none) */
    fw->has_fault_record = (uint8_t)scs_platform_fault_record(fw, &fw->fault_record);
    if (fw->therapy.edges != NULL) {
        scs_edges_init(fw->therapy.edges, scs_trace_pulse, &fw->therapy);
    }
    if (fw->virtual_clock == 0u) {
        fw->synced_at = scs_platform_ticks(); /* one clock: the edges are due in the timer's ticks */
        fw->ticks = fw->synced_at;
    }
    scs_fw_boot(fw);
    scs_log_event(fw, SCS_EVENT_KIND_BOOT, fw->reset_cause, fw->has_fault_record ? fw->fault_record.pc : 0u);
}

/* Physics outlives a reset: the cell, the lead and the charger coil (a factory reset clears the
 * simulated lead and coil). */
static void restore_physics(scs_fw_t *fw, const scs_gauge_t *gauge, const uint16_t *lead, int factory)
{
    fw->gauge.charge_pc = gauge->charge_pc;
    fw->gauge.cutoff = gauge->cutoff;
    fw->gauge.primary = gauge->primary;
    fw->gauge.rise_nano_c = gauge->rise_nano_c;
    fw->gauge.battery_state = scs_battery_state_of(&fw->gauge);
    if (gauge->cutoff != 0u) {
        fw->fault_flags |= 1u << (uint32_t)SCS_FAULT_CODE_BATTERY_CUTOFF;
    }
    if (factory == 0) {
        (void)memcpy(fw->inputs.lead_ohms, lead, SCS_CONTACTS * sizeof *lead);
        fw->gauge.coupled = gauge->coupled;
        fw->gauge.link_w = gauge->link_w;
        fw->gauge.link_eta = gauge->link_eta;
    }
}

void scs_fw_reboot(scs_fw_t *fw, int factory)
{
    static scs_events_t events;
    scs_keys_t keys = fw->keys;
    uint64_t ticks = fw->ticks;
    uint64_t synced_at = fw->synced_at;
    /* the output stops with the reset (a pulse under way completes); the output queue stays */
    uint32_t late_reported = fw->therapy.late_reported;
    uint8_t cause = fw->reset_cause;
    uint8_t has_record = fw->has_fault_record;
    scs_msg_fault_record_t record = fw->fault_record;
    fw->therapy.stim_on = 0;
    (void)scs_stim_service(&fw->therapy, fw->ticks);
    scs_gauge_t gauge = fw->gauge;
    uint16_t lead[SCS_CONTACTS];
    (void)memcpy(lead, fw->inputs.lead_ohms, sizeof lead);
    events = fw->events;
    if (factory != 0) {
        scs_nvm_erase_all(&fw->nvm);
    }
    init(fw, &keys);
    fw->ticks = ticks;
    fw->synced_at = synced_at;
    (void)memcpy(fw->events.log, events.log, sizeof events.log); /* the event log is retained across resets */
    fw->events.start = events.start;
    fw->events.len = events.len;
    fw->therapy.late_reported = late_reported;
    fw->reset_cause = cause;
    fw->has_fault_record = has_record;
    fw->fault_record = record;
    restore_physics(fw, &gauge, lead, factory);
    fw->inputs.next_impedance_check = fw->ticks + SCS_IMPEDANCE_CHECK_TICKS;
    scs_fw_boot(fw);
}

/* FAULT_INJECT where the platform has no processor to fault (the host library): the reset the board
 * would do, as the model does it (firmware_model/device/processor.py). */
static void simulated_fault(scs_fw_t *fw, uint8_t kind)
{
    uint8_t handler = 0u; /* the fault handler ran and left a record */
    scs_msg_fault_record_t record = {.fault_kind = SCS_NOT_INJECTED};
    if ((kind == (uint8_t)SCS_FAULT_KIND_HARD_FAULT) || (kind == (uint8_t)SCS_FAULT_KIND_STACK_OVERFLOW)) {
        handler = 1u;
        record.exception = SCS_HARD_FAULT_EXCEPTION;
        record.fault_kind = kind;
        record.uptime_ticks = fw->ticks;
    }
    scs_session_persist(fw);
    if (kind == (uint8_t)SCS_FAULT_KIND_HANG) {
        fw->reset_cause = SCS_RESET_CAUSE_WATCHDOG;
    } else if (kind == (uint8_t)SCS_FAULT_KIND_BROWN_OUT) {
        fw->reset_cause = SCS_RESET_CAUSE_BROWN_OUT;
    } else {
        fw->reset_cause = SCS_RESET_CAUSE_SOFTWARE;
    }
    fw->has_fault_record = handler;
    fw->fault_record = record;
    scs_fw_reboot(fw, 0);
    scs_log_event(fw, SCS_EVENT_KIND_BOOT, fw->reset_cause, 0);
}

void scs_after_request(scs_fw_t *fw)
{
    scs_send_events(fw);
    if (fw->pending_fault != 0u) {
        uint8_t kind = (uint8_t)(fw->pending_fault - 1u);
        fw->pending_fault = 0;
        scs_session_persist(fw); /* the security record is intact whatever the fault does next */
        if (scs_platform_fault_inject(fw, kind) == 0) {
            simulated_fault(fw, kind);
        }
    }
    if (fw->pending_reset != 0u) {
        uint8_t kind = (uint8_t)(fw->pending_reset - 1u);
        fw->pending_reset = 0;
        scs_log_event(fw, SCS_EVENT_KIND_RESET, (kind == 2u) ? (uint16_t)SCS_RESET_CODE_FACTORY : (uint16_t)kind, 0u);
        scs_session_persist(fw); /* an orderly reboot: the back-off resumes with what remains now */
        scs_fw_reboot(fw, kind == 2u);
    }
}

/* A late pulse is reported by an event (at most one a second; its detail is the running count). */
#define LATE_REPORT_TICKS 1000000u

void scs_fw_service(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    (void)scs_stim_service(t, fw->ticks);
    uint32_t late = scs_stim_late_pulses(t);
    if ((late != t->late_reported) &&
        ((t->late_report_tick == 0u) || (fw->ticks >= (t->late_report_tick + LATE_REPORT_TICKS)))) {
        t->late_reported = late;
        t->late_report_tick = fw->ticks;
        scs_log_event(fw, SCS_EVENT_KIND_TIMING, SCS_TIMING_CODE_LATE_PULSES, late);
    }
}

/* The device clock moves at least this often when hardware-timed (its timers, the fuel gauge), and
 * always before a request is handled; every pulse edge wakes the loop, which must stay cheap then. */
#define CLOCK_STEP_TICKS 1000u

void scs_fw_sync_clock(scs_fw_t *fw, int always)
{
    if (fw->virtual_clock != 0u) {
        return;
    }
    uint64_t now = scs_platform_ticks();
    if ((always != 0) || ((now - fw->synced_at) >= CLOCK_STEP_TICKS)) {
        scs_fw_advance(fw, now - fw->synced_at);
        fw->synced_at = now;
    }
}

void scs_fw_poll(void *fw)
{
    scs_fw_t *f = fw;
    if (f->virtual_clock != 0u) { /* nothing moves meanwhile: the pulses due went out before the request */
        scs_platform_watchdog_kick();
    } else {
        scs_fw_keep_up(f);
    }
}

void scs_fw_keep_up(scs_fw_t *fw)
{
    scs_fw_sync_clock(fw, 0);
    scs_fw_service(fw);
    scs_platform_timer_arm();
    scs_platform_watchdog_kick();
}
