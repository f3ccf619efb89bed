/* The core's life cycle: initial state, reboot (what survives a reset), and the main-loop entries. */
#include <string.h>

#include "core.h"

/* The initial state of RAM (what a reset loses). */
static void init(scs_fw_t *fw, const scs_keys_t *keys)
{
    memset(fw, 0, sizeof *fw);
    for (unsigned i = 0; i < SCS_CONTACTS; i++)
        fw->inputs.lead_ohms[i] = fw->therapy.ohms[i] = SCS_DEFAULT_LEAD_OHMS;
    fw->inputs.pending_posture = SCS_NO_POSTURE;
    fw->inputs.next_impedance_check = SCS_IMPEDANCE_CHECK_TICKS;
    fw->gauge.primary = SCS_CELL_PRIMARY;
    scs_gauge_set_soc_ppm(&fw->gauge, (uint32_t)(int32_t)(SCS_GAUGE_INITIAL_SOC * 1e6f + 0.5f)); /* at body temperature */
    fw->gauge.battery_state = SCS_BATTERY_STATE_OK;
    fw->therapy.adaptive_enabled = 0;
    fw->therapy.dwell_ms = SCS_DEFAULT_DWELL_MS;
    fw->therapy.ramp_ua_per_s = SCS_DEFAULT_RAMP_UA_PER_S;
    fw->therapy.edges = scs_platform_edges();
    fw->virtual_clock = scs_platform_clock_kind() == SCS_CAPABILITY_VIRTUAL_CLOCK;
    fw->keys = *keys;
    fw->link.answering = -1;
}

void scs_fw_power_on(scs_fw_t *fw, const scs_keys_t *keys)
{
    init(fw, keys);
    if (fw->therapy.edges)
        scs_edges_init(fw->therapy.edges, scs_trace_pulse, &fw->therapy);
    if (!fw->virtual_clock)
        fw->ticks = fw->synced_at = scs_platform_ticks(); /* one clock: the edges are due in the timer's ticks */
    scs_fw_boot(fw);
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
    if (gauge->cutoff)
        fw->fault_flags |= 1u << SCS_FAULT_CODE_BATTERY_CUTOFF;
    if (!factory) {
        memcpy(fw->inputs.lead_ohms, lead, SCS_CONTACTS * sizeof *lead);
        fw->gauge.coupled = gauge->coupled;
        fw->gauge.link_w = gauge->link_w;
        fw->gauge.link_eta = gauge->link_eta;
    }
}

void scs_fw_reboot(scs_fw_t *fw, int factory)
{
    static scs_events_t events;
    scs_keys_t keys = fw->keys;
    uint64_t ticks = fw->ticks, synced_at = fw->synced_at;
    /* the output stops with the reset (a pulse under way completes); the output queue stays */
    uint32_t late_reported = fw->therapy.late_reported;
    fw->therapy.stim_on = 0;
    scs_stim_service(&fw->therapy, fw->ticks);
    scs_gauge_t gauge = fw->gauge;
    uint16_t lead[SCS_CONTACTS];
    memcpy(lead, fw->inputs.lead_ohms, sizeof lead);
    events = fw->events;
    if (factory)
        scs_nvm_erase_all(&fw->nvm);
    init(fw, &keys);
    fw->ticks = ticks;
    fw->synced_at = synced_at;
    memcpy(fw->events.log, events.log, sizeof events.log); /* the event log is retained across resets */
    fw->events.start = events.start;
    fw->events.len = events.len;
    fw->therapy.late_reported = late_reported;
    restore_physics(fw, &gauge, lead, factory);
    fw->inputs.next_impedance_check = fw->ticks + SCS_IMPEDANCE_CHECK_TICKS;
    scs_fw_boot(fw);
}

void scs_after_request(scs_fw_t *fw)
{
    scs_send_events(fw);
    if (fw->pending_reset) {
        uint8_t kind = (uint8_t)(fw->pending_reset - 1u);
        fw->pending_reset = 0;
        scs_log_event(fw, SCS_EVENT_KIND_RESET, kind == 2 ? SCS_RESET_CODE_FACTORY : kind, 0);
        scs_session_persist(fw); /* an orderly reboot: the back-off resumes with what remains now */
        scs_fw_reboot(fw, kind == 2);
    }
}

/* A late pulse is reported by an event (at most one a second; its detail is the running count). */
#define LATE_REPORT_TICKS 1000000u

void scs_fw_service(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    scs_stim_service(t, fw->ticks);
    uint32_t late = scs_stim_late_pulses(t);
    if (late != t->late_reported && (!t->late_report_tick || fw->ticks >= t->late_report_tick + LATE_REPORT_TICKS)) {
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
    if (fw->virtual_clock)
        return;
    uint64_t now = scs_platform_ticks();
    if (always || now - fw->synced_at >= CLOCK_STEP_TICKS) {
        scs_fw_advance(fw, now - fw->synced_at);
        fw->synced_at = now;
    }
}

void scs_fw_poll(void *fw)
{
    scs_fw_t *f = fw;
    if (f->virtual_clock) /* nothing moves meanwhile: the pulses due went out before the request */
        scs_platform_watchdog_kick();
    else
        scs_fw_keep_up(f);
}

void scs_fw_keep_up(scs_fw_t *fw)
{
    scs_fw_sync_clock(fw, 0);
    scs_fw_service(fw);
    scs_platform_timer_arm();
    scs_platform_watchdog_kick();
}
