/* Simulated inputs and their timers: the periodic lead impedance check, posture changes applied
 * after a dwell, the AdaptiveStim amplitude ramp, and the clock that drives them and the fuel gauge. */
#include <string.h>

#include "core.h"

/* Raise or clear the open and short faults from the contacts' bit masks. */
static void impedance_faults(scs_fw_t *fw, uint16_t open, uint16_t shorted)
{
    uint32_t mask = (uint32_t)open | (uint32_t)shorted;
    const unsigned codes[2] = {SCS_FAULT_CODE_IMPEDANCE_OPEN, SCS_FAULT_CODE_IMPEDANCE_SHORT};
    const int present[2] = {open != 0u, shorted != 0u};
    for (unsigned k = 0u; k < 2u; k++) {
        uint32_t bit = 1u << codes[k];
        if ((present[k] != 0) && ((fw->fault_flags & bit) == 0u)) {
            fw->fault_flags |= bit;
            scs_log_event(fw, SCS_EVENT_KIND_FAULT, (uint16_t)codes[k], mask);
        } else if ((present[k] == 0) && ((fw->fault_flags & bit) != 0u)) {
            fw->fault_flags &= ~bit;
            scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_FAULT_CLEARED, codes[k]);
        } else {
            /* the fault's state already matches the contacts */
        }
    }
}

void scs_check_impedance(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    uint16_t open = 0u;
    uint16_t shorted = 0u;
    (void)memcpy(t->ohms, fw->inputs.lead_ohms, sizeof t->ohms);
    for (unsigned c = 0u; c < SCS_CONTACTS; c++) {
        if (t->ohms[c] > SCS_IMPEDANCE_OPEN_OHM) {
            open |= (uint16_t)(1u << c);
        }
        if (t->ohms[c] < SCS_IMPEDANCE_SHORT_OHM) {
            shorted |= (uint16_t)(1u << c);
        }
    }
    impedance_faults(fw, open, shorted);
    uint8_t stopped = scs_stopped_areas(t);
    if (t->stim_on != 0u) {
        for (unsigned a = 0u; a < SCS_AREAS; a++) {
            if (((((uint32_t)stopped >> a) & 1u) != 0u) && ((((uint32_t)t->stopped >> a) & 1u) == 0u)) {
                scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_AREA_STOPPED, a);
            }
        }
    }
    t->stopped = stopped;
    scs_stim_retarget(t, fw->ticks);
}

static void start_ramp(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    fw->inputs.ramp_next = 0u;
    if (memcmp(t->applied, t->target, sizeof t->applied) != 0) {
        fw->inputs.ramp_next =
            fw->ticks + (((((uint64_t)SCS_AMPLITUDE_STEP_UA * 1000000u) + t->ramp_ua_per_s) - 1u) / t->ramp_ua_per_s);
    }
}

static uint64_t posture_due(const scs_fw_t *fw)
{
    return fw->inputs.posture_since + (uint64_t)fw->therapy.dwell_ms * 1000u;
}

/* The posture held for the dwell time is applied: its remembered amplitudes become the ramp target. */
static void apply_posture(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    t->posture = fw->inputs.pending_posture;
    fw->inputs.pending_posture = SCS_NO_POSTURE;
    scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_POSTURE_APPLIED, t->posture);
    uint16_t keep[SCS_AREAS];
    (void)memcpy(keep, t->applied, sizeof keep);
    scs_remembered(t);
    (void)memcpy(t->target, t->applied, sizeof t->target);
    (void)memcpy(t->applied, keep, sizeof keep);
    start_ramp(fw);
}

static void ramp_step(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    for (unsigned a = 0u; a < SCS_AREAS; a++) {
        if (t->target[a] > t->applied[a]) {
            t->applied[a] = (uint16_t)(t->applied[a] + SCS_AMPLITUDE_STEP_UA);
        } else if (t->target[a] < t->applied[a]) {
            t->applied[a] = (uint16_t)(t->applied[a] - SCS_AMPLITUDE_STEP_UA);
        } else {
            /* at its target */
        }
    }
    scs_stim_retarget(t, fw->ticks);
    start_ramp(fw);
}

static void timers(scs_fw_t *fw)
{
    scs_inputs_t *in = &fw->inputs;
    if (fw->ticks >= in->next_impedance_check) {
        scs_check_impedance(fw);
        in->next_impedance_check = fw->ticks + SCS_IMPEDANCE_CHECK_TICKS;
    }
    if ((in->pending_posture != SCS_NO_POSTURE) && (fw->ticks >= posture_due(fw))) {
        apply_posture(fw);
    }
    if ((in->ramp_next != 0u) && (fw->ticks >= in->ramp_next)) {
        ramp_step(fw);
    }
}

/* The next timer event after now, at most end. */
static uint64_t next_event(const scs_fw_t *fw, uint64_t end)
{
    const scs_inputs_t *in = &fw->inputs;
    uint64_t next = end;
    if (in->next_impedance_check < next) {
        next = in->next_impedance_check;
    }
    if ((in->pending_posture != SCS_NO_POSTURE) && (posture_due(fw) < next)) {
        next = posture_due(fw);
    }
    if ((in->ramp_next != 0u) && (in->ramp_next < next)) {
        next = in->ramp_next;
    }
    if (next <= fw->ticks) {
        next = fw->ticks + 1u;
    }
    return next;
}

void scs_advance(scs_fw_t *fw, uint64_t delta, int catch_up)
{
    uint64_t end = fw->ticks + delta;
    while (fw->ticks < end) {
        uint64_t next = next_event(fw, end);
        scs_fuel_gauge(fw, next - fw->ticks);
        fw->ticks = next;
        if (catch_up != 0) {
            while (scs_stim_service(&fw->therapy, fw->ticks) == 0) {
            }
        }
        timers(fw);
    }
}

void scs_fw_advance(scs_fw_t *fw, uint64_t ticks) { scs_advance(fw, ticks, 0); }
