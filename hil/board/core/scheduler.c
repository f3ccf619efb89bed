/* The pulse scheduler: the exact period grid of each area, the collision rule on the shared stage,
 * cycling, soft start and compliance caps (firmware_model/stimulation/scheduler.py), and the trace. */
#include <stdbool.h>
#include <string.h>

#include "le.h"
#include "platform.h"
#include "stimulation.h"

/* --- the pulse scheduler -------------------------------------------------------------------------- */
static void plan(scs_therapy_t *t)
{
    const scs_program_t *prog = &t->programs[t->active];
    for (unsigned a = 0; a < prog->count; a++) {
        t->cap_ua[a] = scs_compliance_cap_ua(&prog->area[a], t->ohms);
    }
}

/* Period starts floor(k * 10^9 / rate) repeat every `repeat` = rate / gcd(10^9, rate) periods, shifted by
 * repeat * 10^9 / rate ticks (an integer). k = q*repeat + s gives floor(k*10^9/rate) = q*repeat_ticks +
 * floor(s*10^9/rate) exactly, with s < repeat <= rate <= 10^7: s*10^9 < 2^64, and q*repeat_ticks is a
 * period start itself. So no k*10^9 (nor rel*rate) is ever formed: exact for any tick a uint64 holds. */
static uint32_t repeat_of(const scs_area_t *a)
{
    uint32_t x = (uint32_t)PERIOD_NUMERATOR;
    uint32_t y = a->rate_mhz;
    while (y != 0u) {
        uint32_t r = x % y;
        x = y;
        y = r;
    }
    return a->rate_mhz / x;
}
static uint64_t repeat_ticks(const scs_area_t *a, uint32_t repeat) { return repeat * PERIOD_NUMERATOR / a->rate_mhz; }
static uint64_t period_start(const scs_area_t *a, const scs_next_t *n)
{
    return n->block + ((n->s * PERIOD_NUMERATOR) / a->rate_mhz);
}

static void advance_next(const scs_area_t *a, scs_next_t *n)
{
    if ((n->i + 1u) < per_period(a)) {
        n->i++;
    } else {
        n->i = 0;
        if (++n->s == n->repeat) {
            n->s = 0;
            n->block += repeat_ticks(a, n->repeat);
        }
    }
    n->nominal = period_start(a, n) + offset_of(a, n->i);
}

/* First pulse of area a with nominal start >= rel (take_pulse skips those of cycling off-time). */
static void seek(const scs_area_t *a, scs_next_t *n, uint64_t rel)
{
    uint32_t repeat = repeat_of(a);
    uint64_t span = repeat_ticks(a, repeat);
    uint64_t within = rel % span; /* within < span <= 10^9 */
    n->repeat = repeat;
    n->block = rel - within;
    /* the first period starting at or after rel: s = ceil(within * rate / 10^9) <= repeat */
    n->s = (uint32_t)((((within * a->rate_mhz) + PERIOD_NUMERATOR) - 1u) / PERIOD_NUMERATOR);
    if (n->s == repeat) {
        n->s = 0;
        n->block += span;
    }
    if (n->s != 0u) { /* a burst that started one period earlier may still have pulses ahead */
        n->s--;
    } else if (n->block != 0u) {
        n->block -= span;
        n->s = repeat - 1u;
    } else {
        /* the very first period: nothing before it */
    }
    n->i = 0;
    n->nominal = period_start(a, n); /* offset 0 */
    while (n->nominal < rel) {
        advance_next(a, n);
    }
}

static int in_on_time(const scs_area_t *a, uint64_t start)
{
    if (a->cycle_on_ms == 0u) {
        return 1;
    }
    uint64_t cycle = ((uint64_t)a->cycle_on_ms + a->cycle_off_ms) * 1000u;
    return (start % cycle) < ((uint64_t)a->cycle_on_ms * 1000u);
}

/* The pulse's amplitude: soft-start ramped (one step at turn-on, linear in steps, the target from the
 * ramp's end), then the compliance cap (the pulse is out of compliance exactly when it is capped). */
static uint16_t amplitude_at(const scs_therapy_t *t, unsigned ai, uint64_t start)
{
    const scs_area_t *a = &t->programs[t->active].area[ai];
    uint32_t amp = t->applied[ai];
    if (a->soft_start_ms != 0u) {
        uint64_t phase = start;
        if (a->cycle_on_ms != 0u) {
            phase %= ((uint64_t)a->cycle_on_ms + a->cycle_off_ms) * 1000u;
        }
        uint64_t steps = (uint64_t)amp / SCS_AMPLITUDE_STEP_UA;
        uint64_t ramp = (uint64_t)a->soft_start_ms * 1000u;
        uint64_t s = (phase >= ramp) ? steps : (1u + ((steps * phase) / ramp)); /* no product past the ramp */
        amp = (uint32_t)(SCS_AMPLITUDE_STEP_UA * ((s < steps) ? s : steps));
    }
    return (uint16_t)((amp < t->cap_ua[ai]) ? amp : t->cap_ua[ai]);
}

uint8_t scs_stopped_areas(const scs_therapy_t *t)
{
    const scs_program_t *prog = &t->programs[t->active];
    uint8_t stopped = 0;
    for (unsigned a = 0; a < prog->count; a++) {
        for (unsigned c = 0; c < SCS_CONTACTS; c++) {
            bool used = (prog->area[a].share[c] != 0u) || (((prog->area[a].anode_mask >> c) & 1u) != 0u);
            if (used && ((t->ohms[c] < SCS_IMPEDANCE_SHORT_OHM) || (t->ohms[c] > SCS_IMPEDANCE_OPEN_OHM))) {
                stopped |= (uint8_t)(1u << a);
            }
        }
    }
    return stopped;
}

float scs_stim_current_a(const scs_therapy_t *t, float cell_v)
{
    /* as the model: rail = min(I*Z + 1 V, compliance); energy = rail * driven charge / 0.8 */
    const scs_program_t *prog = &t->programs[t->active];
    if ((t->stim_on == 0u) || (prog->used == 0u)) {
        return 0.0f;
    }
    float watts = 0.0f;
    for (unsigned a = 0; a < prog->count; a++) {
        if (((t->stopped >> a) & 1u) != 0u) {
            continue;
        }
        const scs_area_t *ar = &prog->area[a];
        uint16_t capped_ua = (t->applied[a] < t->cap_ua[a]) ? t->applied[a] : t->cap_ua[a];
        float amp = (float)capped_ua * 1e-6f;
        float rail = (amp * scs_load_ohm_estimate(ar, t->ohms)) + 1.0f;
        if (rail > ((float)COMPLIANCE_MV / 1000.0f)) {
            rail = (float)COMPLIANCE_MV / 1000.0f;
        }
        float driven = amp * (float)ar->pulse_width_us * 1e-6f * ((ar->recharge == 0u) ? 2.0f : 1.0f);
        float per_s = (float)ar->rate_mhz / 1000.0f * (float)per_period(ar);
        if (ar->cycle_on_ms != 0u) {
            uint32_t cycle_ms = ar->cycle_on_ms + ar->cycle_off_ms; /* at most 2 * 86400000: no wrap */
            per_s *= (float)ar->cycle_on_ms / (float)cycle_ms;
        }
        watts += rail * driven * per_s / 0.8f;
    }
    return watts / cell_v;
}

/* The tick a hardware-timed start counts from (the first pulse is due SCS_START_LEAD_TICKS later): a
 * function of its own, which the pin observer marks to read the tick the firmware took. */
__attribute__((noinline)) uint64_t scs_stim_clock(void) { return scs_platform_ticks(); }

void scs_stim_start(scs_therapy_t *t, uint64_t now)
{
    uint64_t busy_until = scs_output_cut(t);
    uint64_t now_tick = now;
    t->origin = now_tick;
    if (t->edges != NULL) { /* armed ahead, and never over the end of a pulse still completing */
        now_tick = scs_stim_clock();
        t->origin = now_tick + SCS_START_LEAD_TICKS;
        if (busy_until >= t->origin) {
            t->origin = busy_until + 1u;
        }
    }
    plan(t);
    scs_stim_seek(t, 0);
    t->stim_on = 1;
    if (t->edges != NULL) { /* queue and arm the first pulses now: the rest of the request may take a while */
        (void)scs_stim_service(t, now_tick); /* caught up or not, the main loop keeps servicing */
    }
}

void scs_stim_seek(scs_therapy_t *t, uint64_t rel)
{
    const scs_program_t *prog = &t->programs[t->active];
    for (unsigned a = 0; a < prog->count; a++) {
        seek(&prog->area[a], &t->next[a], rel);
    }
    t->stage_free = rel;
}

void scs_stim_retarget(scs_therapy_t *t, uint64_t now)
{
    (void)now; /* amplitudes are read per pulse: the grid simply continues */
    plan(t);
}

void scs_trace_start(scs_therapy_t *t, uint32_t max)
{
    uint32_t saved = scs_platform_irq_lock();
    t->trace_len = 0;
    t->trace_limit = (max < SCS_TRACE_CAPACITY) ? max : SCS_TRACE_CAPACITY;
    t->tracing = 1;
    scs_platform_irq_unlock(saved);
}

void scs_trace_pulse(void *therapy, uint64_t tick, uint8_t area, uint16_t amplitude_ua)
{
    scs_therapy_t *t = therapy;
    if (t->tracing == 0u) {
        return;
    }
    uint8_t *r = t->trace[t->trace_len];
    for (unsigned b = 0; b < 8u; b++) {
        unsigned shift = 8u * b;
        r[b] = (uint8_t)(tick >> shift);
    }
    r[8] = area;
    wr16(&r[9], amplitude_ua);
    t->trace_len++;
    if (t->trace_len >= t->trace_limit) {
        t->tracing = 0;
    }
}

/* The area whose next pulse is nominally first (ties: lower index), -1 without areas. */
int scs_sched_first_area(const scs_therapy_t *t)
{
    int best = -1;
    for (unsigned a = 0; a < t->programs[t->active].count; a++) {
        if ((best < 0) || (t->next[a].nominal < t->next[best].nominal)) {
            best = (int)a;
        }
    }
    return best;
}

/* Take the next pulse off the grid: its start (relative to origin, after the collision rule), or
 * UINT64_MAX when it is not emitted (cycling off-time, stopped area). */
uint64_t scs_sched_take(scs_therapy_t *t, unsigned best, unsigned *burst_index, uint16_t *amp)
{
    const scs_area_t *a = &t->programs[t->active].area[best];
    scs_next_t *n = &t->next[best];
    uint64_t start = UINT64_MAX;
    *burst_index = n->i;
    uint64_t ps = period_start(a, n);
    if ((in_on_time(a, ps) != 0) && (((t->stopped >> best) & 1u) == 0u)) {
        start = (n->nominal > t->stage_free) ? n->nominal : t->stage_free;
        t->stage_free = start + occ_of(a, n->i);
        *amp = amplitude_at(t, best, ps);
    }
    advance_next(a, n);
    return start;
}

