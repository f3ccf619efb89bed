/* The core's life cycle: initial state, reboot (what survives a reset), and the main-loop entries. */
#include <string.h>

#include "core.h"

void scs_fw_init(scs_fw_t *fw, const scs_keys_t *keys, scs_write_fn write, void *write_ctx)
{
    memset(fw, 0, sizeof *fw);
    for (unsigned i = 0; i < SCS_CONTACTS; i++)
        fw->inputs.lead_ohms[i] = fw->therapy.ohms[i] = SCS_DEFAULT_LEAD_OHMS;
    fw->inputs.pending_posture = SCS_NO_POSTURE;
    fw->inputs.next_impedance_check = SCS_IMPEDANCE_CHECK_TICKS;
    fw->gauge.soc = SCS_GAUGE_INITIAL_SOC;
    fw->gauge.temp_c = SCS_GAUGE_BODY_C;
    fw->gauge.primary = SCS_CELL_PRIMARY;
    fw->gauge.battery_state = SCS_BATTERY_STATE_OK;
    fw->therapy.adaptive_enabled = 0;
    fw->therapy.dwell_ms = SCS_DEFAULT_DWELL_MS;
    fw->therapy.ramp_ua_per_s = SCS_DEFAULT_RAMP_UA_PER_S;
    fw->keys = *keys;
    fw->link.write = write;
    fw->link.write_ctx = write_ctx;
    fw->link.answering = -1;
}

void scs_fw_attach_security(scs_fw_t *fw, volatile uint32_t *slot0, volatile uint32_t *slot1, scs_rng_fn rng)
{
    fw->session.record_slot[0] = slot0;
    fw->session.record_slot[1] = slot1;
    fw->session.rng = rng;
}

void scs_fw_reboot(scs_fw_t *fw, int factory)
{
    static scs_events_t events;
    scs_keys_t keys = fw->keys;
    scs_write_fn write = fw->link.write;
    void *ctx = fw->link.write_ctx;
    uint64_t ticks = fw->ticks;
    uint8_t *slot0 = fw->nvm.slot[0], *slot1 = fw->nvm.slot[1];
    uint8_t virtual_clock = fw->virtual_clock;
    /* the output stops with the reset (a pulse under way completes); the output hardware stays */
    scs_board_hooks_t hw = fw->therapy.hw;
    uint32_t late_reported = fw->therapy.late_reported;
    fw->therapy.stim_on = 0;
    scs_stim_service(&fw->therapy, fw->ticks);
    volatile uint32_t *record0 = fw->session.record_slot[0], *record1 = fw->session.record_slot[1];
    scs_rng_fn rng = fw->session.rng;
    /* physics outlives a reset: the cell, the lead and the charger coil (a factory reset clears the
     * simulated lead and coil) */
    scs_gauge_t gauge = fw->gauge;
    uint16_t lead[SCS_CONTACTS];
    memcpy(lead, fw->inputs.lead_ohms, sizeof lead);
    events = fw->events;
    if (factory)
        scs_nvm_erase_all(&fw->nvm);
    scs_fw_init(fw, &keys, write, ctx);
    scs_fw_attach_security(fw, record0, record1, rng); /* the security record survives every reset */
    fw->ticks = ticks;
    memcpy(fw->events.log, events.log, sizeof events.log); /* the event log is retained across resets */
    fw->events.start = events.start;
    fw->events.len = events.len;
    fw->gauge.soc = gauge.soc;
    fw->gauge.cutoff = gauge.cutoff;
    fw->gauge.primary = gauge.primary;
    fw->gauge.temp_c = gauge.temp_c;
    fw->virtual_clock = virtual_clock;
    fw->therapy.hw = hw;
    fw->therapy.late_reported = late_reported;
    fw->gauge.battery_state = scs_battery_state_of(&fw->gauge);
    if (gauge.cutoff)
        fw->fault_flags |= 1u << SCS_FAULT_CODE_BATTERY_CUTOFF;
    if (!factory) {
        memcpy(fw->inputs.lead_ohms, lead, sizeof lead);
        fw->gauge.coupled = gauge.coupled;
        fw->gauge.link_w = gauge.link_w;
        fw->gauge.link_eta = gauge.link_eta;
    }
    fw->inputs.next_impedance_check = fw->ticks + SCS_IMPEDANCE_CHECK_TICKS;
    scs_fw_boot(fw, slot0, slot1);
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
