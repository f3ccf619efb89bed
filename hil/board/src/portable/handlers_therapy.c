/* Handlers of the requests that change therapy: stimulation, programs, amplitudes, limits,
 * AdaptiveStim and MRI mode.  Every accepted change is persisted before it is answered. */
#include <string.h>

#include "core.h"
#include "le.h"

#define AMPLITUDE_STEP_UA 50u
#define ALL_AREAS 255u

void scs_on_stim_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    if (p[0] == 0) {
        scs_stim_off(fw, 1);
        t->mri_saved_on = 0;
        scs_send_saved(fw, seq, SCS_MSG_STIM_SET);
    } else if (t->mri) {
        scs_send_result(fw, seq, SCS_MSG_STIM_SET, SCS_RESULT_WRONG_STATE, SCS_NO_FIELD); /* only off in MRI mode */
    } else if (t->stim_on) {
        scs_send_result(fw, seq, SCS_MSG_STIM_SET, SCS_RESULT_OK, SCS_NO_FIELD);
    } else if (!t->programs[t->active].used || fw->gauge.cutoff) {
        scs_send_result(fw, seq, SCS_MSG_STIM_SET, SCS_RESULT_WRONG_STATE, 0);
    } else {
        scs_check_impedance(fw);
        scs_stim_on(fw);
        scs_send_saved(fw, seq, SCS_MSG_STIM_SET);
    }
}

/* The active program changed (selected or rewritten): stop, take its amplitudes, restart if it ran. */
static void restart_active(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    uint8_t was_on = t->stim_on;
    scs_stim_off(fw, 0);
    scs_remembered(t);
    memcpy(t->target, t->applied, sizeof t->target);
    if (was_on)
        scs_stim_on(fw);
}

void scs_on_program_select(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    uint8_t prog = p[0];
    if (!t->programs[prog].used) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_SELECT, SCS_RESULT_WRONG_STATE, 0);
        return;
    }
    if (fw->session.role == SCS_ROLE_PATIENT && !t->programs[prog].selectable) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_SELECT, SCS_RESULT_NOT_PERMITTED, 0);
        return;
    }
    uint8_t was_on = t->stim_on;
    scs_stim_off(fw, 0);
    t->active = prog;
    scs_remembered(t);
    memcpy(t->target, t->applied, sizeof t->target);
    fw->inputs.ramp_next = 0;
    scs_log_event(fw, KIND_MODE, MODE_PROGRAM_SELECTED, prog);
    if (was_on)
        scs_stim_on(fw);
    scs_send_saved(fw, seq, SCS_MSG_PROGRAM_SELECT);
}

static void send_amplitude(scs_fw_t *fw, uint16_t seq, uint8_t result)
{
    uint8_t out[SCS_AMPLITUDE_SIZE];
    out[SCS_AMPLITUDE_RESULT_OFFSET] = result;
    for (unsigned a = 0; a < SCS_AREAS; a++)
        wr16(out + SCS_AMPLITUDE_AMPLITUDE_UA_OFFSET + 2 * a, fw->therapy.applied[a]);
    scs_send_frame(fw, SCS_MSG_AMPLITUDE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

/* Step the applied amplitude of one area (or all) within its limits and the safe maximum; 1 if clamped. */
static int step_areas(scs_therapy_t *t, const scs_program_t *prog, uint8_t area, int steps)
{
    int clamped = 0;
    for (unsigned a = 0; a < prog->count; a++) {
        if (area != ALL_AREAS && a != area)
            continue;
        int hi = prog->hi[a], safe = scs_max_safe_amplitude_ua(&prog->area[a]);
        if (safe < hi)
            hi = safe;
        int want = t->applied[a] + steps * (int)AMPLITUDE_STEP_UA, got = want;
        if (got < prog->lo[a]) got = prog->lo[a];
        if (got > hi) got = hi;
        clamped |= got != want;
        t->applied[a] = (uint16_t)got;
    }
    return clamped;
}

void scs_on_amplitude_step(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_program_t *prog = &t->programs[t->active];
    if (!prog->used) {
        send_amplitude(fw, seq, SCS_RESULT_WRONG_STATE);
        return;
    }
    uint8_t area = p[SCS_AMPLITUDE_STEP_AREA_OFFSET];
    int steps = (int8_t)p[SCS_AMPLITUDE_STEP_STEPS_OFFSET];
    if (area != ALL_AREAS && area >= prog->count) {
        scs_send_result(fw, seq, SCS_MSG_AMPLITUDE_STEP, SCS_RESULT_OUT_OF_RANGE, 0);
        return;
    }
    int clamped = step_areas(t, prog, area, steps);
    memcpy(t->target, t->applied, sizeof t->target);
    fw->inputs.ramp_next = 0;
    unsigned key = scs_memory_key(t);
    prog->remembered[key] = 1;
    memcpy(prog->amps[key], t->applied, sizeof t->applied);
    scs_stim_retarget(t, fw->ticks);
    uint8_t stored = scs_settings_save(fw);
    if (fw->nvm.power_lost)
        return;
    send_amplitude(fw, seq, stored ? stored : clamped ? SCS_RESULT_LIMIT_CLAMPED : SCS_RESULT_OK);
}

void scs_on_area_write(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_area_t a;
    uint8_t field = SCS_NO_FIELD;
    scs_area_decode(p + SCS_AREA_WRITE_WAVEFORM_OFFSET, &a);
    uint8_t result = scs_area_validate(&a, &field);
    if (result != SCS_RESULT_OK) {
        scs_send_result(fw, seq, SCS_MSG_AREA_WRITE, result, field);
        return;
    }
    t->staged[p[0]][p[1]] = a;
    t->staged_mask[p[0]] |= (uint8_t)(1u << p[1]);
    scs_send_result(fw, seq, SCS_MSG_AREA_WRITE, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_program_commit(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    uint8_t prog = p[0], count = p[1];
    uint8_t all = (uint8_t)((1u << count) - 1u);
    if ((t->staged_mask[prog] & all) != all) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_COMMIT, SCS_RESULT_WRONG_STATE, 1);
        return;
    }
    if (!scs_interleave_ok(t->staged[prog], count)) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_COMMIT, SCS_RESULT_UNSAFE, 1);
        return;
    }
    scs_program_t *dst = &t->programs[prog];
    memset(dst, 0, sizeof *dst);
    dst->used = 1;
    dst->count = count;
    dst->selectable = 1;
    for (unsigned a = 0; a < count; a++) {
        dst->area[a] = t->staged[prog][a];
        dst->hi[a] = dst->area[a].amplitude_ua;
    }
    t->staged_mask[prog] &= (uint8_t)~all;
    scs_log_event(fw, KIND_MODE, MODE_PROGRAM_STORED, prog);
    if (prog == t->active)
        restart_active(fw);
    scs_send_saved(fw, seq, SCS_MSG_PROGRAM_COMMIT);
}

static uint16_t clamp16(uint16_t v, uint16_t lo, uint16_t hi) { return v < lo ? lo : v > hi ? hi : v; }

/* New limits of one area: remembered, applied and target amplitudes move inside them. */
static void apply_limits(scs_fw_t *fw, uint8_t prog_i, uint8_t area, uint16_t lo, uint16_t hi)
{
    scs_therapy_t *t = &fw->therapy;
    scs_program_t *prog = &t->programs[prog_i];
    prog->lo[area] = lo;
    prog->hi[area] = hi;
    for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++)
        prog->amps[k][area] = clamp16(prog->amps[k][area], lo, hi);
    if (prog_i == t->active) {
        t->applied[area] = clamp16(t->applied[area], lo, hi);
        t->target[area] = clamp16(t->target[area], lo, hi);
        scs_stim_retarget(t, fw->ticks);
    }
}

void scs_on_limits_write(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    uint8_t prog_i = p[0], area = p[1];
    uint16_t lo = rd16(p + SCS_LIMITS_WRITE_MIN_AMPLITUDE_UA_OFFSET), hi = rd16(p + SCS_LIMITS_WRITE_MAX_AMPLITUDE_UA_OFFSET);
    scs_program_t *prog = &fw->therapy.programs[prog_i];
    if (!prog->used || area >= prog->count) {
        scs_send_result(fw, seq, SCS_MSG_LIMITS_WRITE, SCS_RESULT_WRONG_STATE, 1);
        return;
    }
    if (lo > hi || lo % AMPLITUDE_STEP_UA || hi % AMPLITUDE_STEP_UA) {
        scs_send_result(fw, seq, SCS_MSG_LIMITS_WRITE, SCS_RESULT_OUT_OF_RANGE, (lo > hi || lo % AMPLITUDE_STEP_UA) ? 2 : 3);
        return;
    }
    if (hi > scs_max_safe_amplitude_ua(&prog->area[area])) {
        scs_send_result(fw, seq, SCS_MSG_LIMITS_WRITE, SCS_RESULT_UNSAFE, 3);
        return;
    }
    prog->selectable = p[SCS_LIMITS_WRITE_PATIENT_SELECTABLE_OFFSET];
    apply_limits(fw, prog_i, area, lo, hi);
    scs_send_saved(fw, seq, SCS_MSG_LIMITS_WRITE);
}

void scs_on_adaptive_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    if (rd16(p + SCS_ADAPTIVE_SET_RAMP_UA_PER_S_OFFSET) % AMPLITUDE_STEP_UA) {
        scs_send_result(fw, seq, SCS_MSG_ADAPTIVE_SET, SCS_RESULT_OUT_OF_RANGE, 2);
        return;
    }
    t->adaptive_enabled = p[0];
    t->dwell_ms = rd32(p + SCS_ADAPTIVE_SET_DWELL_MS_OFFSET);
    t->ramp_ua_per_s = rd16(p + SCS_ADAPTIVE_SET_RAMP_UA_PER_S_OFFSET);
    scs_send_saved(fw, seq, SCS_MSG_ADAPTIVE_SET);
}

void scs_on_mri_mode_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    if (p[0]) {
        if (!t->mri && fw->fault_flags) {
            scs_send_result(fw, seq, SCS_MSG_MRI_MODE_SET, SCS_RESULT_WRONG_STATE, 0);
            return;
        }
        if (!t->mri) {
            t->mri_saved_on = t->stim_on;
            scs_stim_off(fw, 0);
            t->mri = 1;
            scs_log_event(fw, KIND_MODE, MODE_MRI_ENTER, 0);
        }
    } else if (t->mri) {
        t->mri = 0;
        scs_log_event(fw, KIND_MODE, MODE_MRI_EXIT, 0);
        if (t->mri_saved_on && t->programs[t->active].used)
            scs_stim_on(fw);
    }
    scs_send_result(fw, seq, SCS_MSG_MRI_MODE_SET, SCS_RESULT_OK, SCS_NO_FIELD);
}
