/* Handlers of the requests that change therapy: stimulation, programs, amplitudes, limits,
 * AdaptiveStim and MRI mode.  Every accepted change is persisted before it is answered. */
#include <string.h>

#include "core.h"

#define ALL_AREAS SCS_ALL_AREAS

void scs_on_stim_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_msg_stim_set_t r;
    scs_msg_stim_set_decode(p, SCS_STIM_SET_SIZE, &r);
    if (r.on == 0u) {
        scs_stim_off(fw, 1);
        t->mri_saved_on = 0;
        scs_send_saved(fw, seq, SCS_MSG_STIM_SET);
    } else if (t->mri != 0u) {
        scs_send_result(fw, seq, SCS_MSG_STIM_SET, SCS_RESULT_WRONG_STATE, SCS_NO_FIELD); /* only off in MRI mode */
    } else if (t->stim_on != 0u) {
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
    (void)memcpy(t->target, t->applied, sizeof t->target);
    if (was_on != 0u) {
        scs_stim_on(fw);
    }
}

void scs_on_program_select(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_msg_program_select_t r;
    scs_msg_program_select_decode(p, SCS_PROGRAM_SELECT_SIZE, &r);
    uint8_t prog = r.program;
    if (!t->programs[prog].used) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_SELECT, SCS_RESULT_WRONG_STATE, 0);
        return;
    }
    if ((fw->session.role == (uint8_t)SCS_ROLE_PATIENT) && !t->programs[prog].selectable) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_SELECT, SCS_RESULT_NOT_PERMITTED, 0);
        return;
    }
    uint8_t was_on = t->stim_on;
    scs_stim_off(fw, 0);
    t->active = prog;
    scs_remembered(t);
    (void)memcpy(t->target, t->applied, sizeof t->target);
    fw->inputs.ramp_next = 0;
    scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_PROGRAM_SELECTED, prog);
    if (was_on != 0u) {
        scs_stim_on(fw);
    }
    scs_send_saved(fw, seq, SCS_MSG_PROGRAM_SELECT);
}

static void send_amplitude(scs_fw_t *fw, uint16_t seq, uint8_t result)
{
    uint8_t out[SCS_AMPLITUDE_SIZE];
    scs_msg_amplitude_t m = {.result = result};
    (void)memcpy(m.amplitude_ua, fw->therapy.applied, sizeof m.amplitude_ua);
    scs_send_frame(fw, SCS_MSG_AMPLITUDE, SCS_FLAG_RESPONSE, seq, out, scs_msg_amplitude_encode(&m, out));
}

/* Step the applied amplitude of one area (or all) within its limits and the safe maximum; 1 if clamped. */
static int step_areas(scs_therapy_t *t, const scs_program_t *prog, uint8_t area, int steps)
{
    int clamped = 0;
    for (unsigned a = 0; a < prog->count; a++) {
        if ((area != ALL_AREAS) && (a != area)) {
            continue;
        }
        int hi = (int)prog->hi[a];
        int safe = (int)scs_max_safe_amplitude_ua(&prog->area[a]);
        if (safe < hi) {
            hi = safe;
        }
        int want = (int)t->applied[a] + (steps * (int)SCS_AMPLITUDE_STEP_UA);
        int got = want;
        if (got < (int)prog->lo[a]) {
            got = (int)prog->lo[a];
        }
        if (got > hi) {
            got = hi;
        }
        if (got != want) {
            clamped = 1;
        }
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
    scs_msg_amplitude_step_t r;
    scs_msg_amplitude_step_decode(p, SCS_AMPLITUDE_STEP_SIZE, &r);
    uint8_t area = r.area;
    int steps = r.steps;
    if ((area != ALL_AREAS) && (area >= prog->count)) {
        scs_send_result(fw, seq, SCS_MSG_AMPLITUDE_STEP, SCS_RESULT_OUT_OF_RANGE, 0);
        return;
    }
    int clamped = step_areas(t, prog, area, steps);
    (void)memcpy(t->target, t->applied, sizeof t->target);
    fw->inputs.ramp_next = 0;
    unsigned key = scs_memory_key(t);
    prog->remembered[key] = 1;
    (void)memcpy(prog->amps[key], t->applied, sizeof t->applied);
    scs_stim_retarget(t, fw->ticks);
    uint8_t stored = scs_settings_save(fw);
    if (fw->nvm.power_lost != 0u) {
        return;
    }
    uint8_t result = (clamped != 0) ? (uint8_t)SCS_RESULT_LIMIT_CLAMPED : (uint8_t)SCS_RESULT_OK;
    send_amplitude(fw, seq, (stored != 0u) ? stored : result);
}

void scs_on_area_write(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_msg_area_write_t r;
    scs_area_t a;
    uint8_t field = SCS_NO_FIELD;
    scs_msg_area_write_decode(p, SCS_AREA_WRITE_SIZE, &r);
    scs_area_from_msg(&r, &a);
    uint8_t result = scs_area_validate(&a, &field);
    if (result != (uint8_t)SCS_RESULT_OK) {
        scs_send_result(fw, seq, SCS_MSG_AREA_WRITE, result, field);
        return;
    }
    t->staged[r.program][r.area] = a;
    t->staged_mask[r.program] |= (uint8_t)(1u << r.area);
    scs_send_result(fw, seq, SCS_MSG_AREA_WRITE, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_program_commit(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_msg_program_commit_t r;
    scs_msg_program_commit_decode(p, SCS_PROGRAM_COMMIT_SIZE, &r);
    uint8_t prog = r.program;
    uint8_t count = r.area_count;
    uint8_t all = (uint8_t)((1u << count) - 1u);
    if ((t->staged_mask[prog] & all) != all) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_COMMIT, SCS_RESULT_WRONG_STATE, 1);
        return;
    }
    if (!scs_interleave_ok(t->staged[prog], count, &(scs_poll_t){scs_fw_poll, fw})) {
        scs_send_result(fw, seq, SCS_MSG_PROGRAM_COMMIT, SCS_RESULT_UNSAFE, 1);
        return;
    }
    scs_program_t *dst = &t->programs[prog];
    (void)memset(dst, 0, sizeof *dst);
    dst->used = 1;
    dst->count = count;
    dst->selectable = 1;
    for (unsigned a = 0; a < count; a++) {
        dst->area[a] = t->staged[prog][a];
        dst->hi[a] = dst->area[a].amplitude_ua;
    }
    t->staged_mask[prog] &= (uint8_t)~all;
    scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_PROGRAM_STORED, prog);
    if (prog == t->active) {
        restart_active(fw);
    }
    scs_send_saved(fw, seq, SCS_MSG_PROGRAM_COMMIT);
}

static uint16_t clamp16(uint16_t v, uint16_t lo, uint16_t hi)
{
    uint16_t below_hi = (v > hi) ? hi : v;
    return (v < lo) ? lo : below_hi;
}

/* New limits of one area: remembered, applied and target amplitudes move inside them. */
static void apply_limits(scs_fw_t *fw, uint8_t prog_i, uint8_t area, uint16_t lo, uint16_t hi)
{
    scs_therapy_t *t = &fw->therapy;
    scs_program_t *prog = &t->programs[prog_i];
    prog->lo[area] = lo;
    prog->hi[area] = hi;
    for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++) {
        prog->amps[k][area] = clamp16(prog->amps[k][area], lo, hi);
    }
    if (prog_i == t->active) {
        t->applied[area] = clamp16(t->applied[area], lo, hi);
        t->target[area] = clamp16(t->target[area], lo, hi);
        scs_stim_retarget(t, fw->ticks);
    }
}

uint8_t scs_check_limits(const scs_program_t *prog, const scs_msg_limits_write_t *r, uint8_t *field)
{
    uint16_t lo = r->min_amplitude_ua;
    uint16_t hi = r->max_amplitude_ua;
    if (!prog->used || (r->area >= prog->count)) {
        *field = 1;
        return SCS_RESULT_WRONG_STATE;
    }
    if ((lo > hi) || ((lo % SCS_AMPLITUDE_STEP_UA) != 0u) || ((hi % SCS_AMPLITUDE_STEP_UA) != 0u)) {
        *field = ((lo > hi) || ((lo % SCS_AMPLITUDE_STEP_UA) != 0u)) ? 2 : 3;
        return SCS_RESULT_OUT_OF_RANGE;
    }
    if (hi > scs_max_safe_amplitude_ua(&prog->area[r->area])) {
        *field = 3;
        return SCS_RESULT_UNSAFE;
    }
    return SCS_RESULT_OK;
}

void scs_on_limits_write(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_msg_limits_write_t r;
    scs_msg_limits_write_decode(p, SCS_LIMITS_WRITE_SIZE, &r);
    scs_program_t *prog = &fw->therapy.programs[r.program];
    uint8_t field = SCS_NO_FIELD;
    uint8_t result = scs_check_limits(prog, &r, &field);
    if (result != (uint8_t)SCS_RESULT_OK) {
        scs_send_result(fw, seq, SCS_MSG_LIMITS_WRITE, result, field);
        return;
    }
    prog->selectable = r.patient_selectable;
    apply_limits(fw, r.program, r.area, r.min_amplitude_ua, r.max_amplitude_ua);
    scs_send_saved(fw, seq, SCS_MSG_LIMITS_WRITE);
}

uint8_t scs_check_adaptive(const scs_msg_adaptive_set_t *r, uint8_t *field)
{
    if ((r->ramp_ua_per_s % SCS_AMPLITUDE_STEP_UA) != 0u) {
        *field = 2;
        return SCS_RESULT_OUT_OF_RANGE;
    }
    return SCS_RESULT_OK;
}

void scs_on_adaptive_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_msg_adaptive_set_t r;
    scs_msg_adaptive_set_decode(p, SCS_ADAPTIVE_SET_SIZE, &r);
    uint8_t field = SCS_NO_FIELD;
    uint8_t result = scs_check_adaptive(&r, &field);
    if (result != (uint8_t)SCS_RESULT_OK) {
        scs_send_result(fw, seq, SCS_MSG_ADAPTIVE_SET, result, field);
        return;
    }
    t->adaptive_enabled = r.enabled;
    t->dwell_ms = r.dwell_ms;
    t->ramp_ua_per_s = r.ramp_ua_per_s;
    scs_send_saved(fw, seq, SCS_MSG_ADAPTIVE_SET);
}

void scs_on_mri_mode_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_msg_mri_mode_set_t r;
    scs_msg_mri_mode_set_decode(p, SCS_MRI_MODE_SET_SIZE, &r);
    if (r.enter != 0u) {
        if (!t->mri && fw->fault_flags) {
            scs_send_result(fw, seq, SCS_MSG_MRI_MODE_SET, SCS_RESULT_WRONG_STATE, 0);
            return;
        }
        if (!t->mri) {
            t->mri_saved_on = t->stim_on;
            scs_stim_off(fw, 0);
            t->mri = 1;
            scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_MRI_ENTER, 0);
        }
    } else if (t->mri != 0u) {
        t->mri = 0;
        scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_MRI_EXIT, 0);
        if (t->mri_saved_on && t->programs[t->active].used) {
            scs_stim_on(fw);
        }
    } else {
        /* leaving MRI mode when not in it: nothing changes, the request still succeeds */
    }
    scs_send_result(fw, seq, SCS_MSG_MRI_MODE_SET, SCS_RESULT_OK, SCS_NO_FIELD);
}
