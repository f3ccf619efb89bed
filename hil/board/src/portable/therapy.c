#include "therapy.h"

#include <string.h>

#include "le.h"

#include "scs_protocol.h"

#define PERIOD_NUMERATOR 1000000000ull
#define MAX_CATHODE_CHARGE_PC ((uint64_t)SCS_MAX_CATHODE_CHARGE_PC) /* the definition's charge limit, pC */
#define MAX_DISPLACEMENT SCS_MAX_DISPLACEMENT_TICKS
#define MAX_SCAN 2000000ull
#define COMPLIANCE_MV SCS_COMPLIANCE_MV
#define CONTACT_OHM SCS_DEFAULT_LEAD_OHMS
#define CASE_OHM SCS_CASE_IMPEDANCE_OHM


/* --- derived timing (ticks), as firmware_model.params.Area ------------------------------------ */
static uint32_t recharge_width(const scs_area_t *a) { return a->recharge == 0 ? (uint32_t)a->pulse_width_us * a->ratio : a->window_us; }
static uint32_t occupancy(const scs_area_t *a) { return a->pulse_width_us + a->gap_us + recharge_width(a); }
static unsigned per_period(const scs_area_t *a) { return a->waveform == 1 ? a->per_burst : 1u; }
static uint64_t offset_of(const scs_area_t *a, unsigned i) { return a->waveform == 1 ? i * PERIOD_NUMERATOR / a->intra_mhz : 0; }
static uint32_t occ_of(const scs_area_t *a, unsigned i) { return (a->waveform == 1 && i + 1 < a->per_burst) ? a->pulse_width_us : occupancy(a); }
static uint64_t min_period(const scs_area_t *a) { return PERIOD_NUMERATOR / a->rate_mhz; }
static uint64_t work_per_period(const scs_area_t *a)
{
    uint64_t w = 0;
    for (unsigned i = 0; i < per_period(a); i++)
        w += occ_of(a, i);
    return w;
}

enum { F_WAVEFORM = 2, F_SHARE, F_ANODE_MASK, F_CASE, F_AMPLITUDE, F_WIDTH, F_RATE, F_GAP, F_RECHARGE, F_RATIO,
       F_WINDOW, F_PER_BURST, F_INTRA, F_CYCLE_ON, F_CYCLE_OFF, F_SOFT_START };

static int ratio_allowed(unsigned ratio)
{
    static const unsigned ratios[SCS_RECHARGE_RATIOS_COUNT] = SCS_RECHARGE_RATIOS;
    for (unsigned i = 0; i < SCS_RECHARGE_RATIOS_COUNT; i++)
        if (ratio == ratios[i])
            return 1;
    return 0;
}

#define FAIL(f) do { *field = (uint8_t)(f); return SCS_RESULT_OUT_OF_RANGE; } while (0)

uint8_t scs_area_validate(const scs_area_t *a, uint8_t *field)
{
    /* order of checks = the reference model's (area_from_fields, Area.__post_init__, check_area) */
    if (a->waveform > SCS_WAVEFORM_CODE_HIGH_FREQUENCY) FAIL(F_WAVEFORM);
    if (a->recharge > SCS_RECHARGE_CODE_PASSIVE) FAIL(F_RECHARGE);
    if ((a->cycle_on_ms == 0) != (a->cycle_off_ms == 0)) FAIL(a->cycle_on_ms == 0 ? F_CYCLE_ON : F_CYCLE_OFF);
    unsigned cathodes = 0, total = 0;
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        if (a->share[i]) {
            cathodes++;
            total += a->share[i];
        }
    }
    if (!cathodes) FAIL(F_SHARE);
    for (unsigned i = 0; i < SCS_CONTACTS; i++)
        if (a->share[i] > 100) FAIL(F_SHARE);
    if (total != 100) FAIL(F_SHARE);
    for (unsigned i = 0; i < SCS_CONTACTS; i++)
        if ((a->anode_mask >> i & 1u) && a->share[i]) FAIL(F_ANODE_MASK);
    if (!a->anode_mask && !a->case_anode) FAIL(F_ANODE_MASK);
    if (a->amplitude_ua > SCS_MAX_AMPLITUDE_UA || a->amplitude_ua % SCS_AMPLITUDE_STEP_UA) FAIL(F_AMPLITUDE);
    if (a->pulse_width_us < SCS_MIN_PULSE_WIDTH_US || a->pulse_width_us > SCS_MAX_PULSE_WIDTH_US) FAIL(F_WIDTH);
    if (a->gap_us > SCS_MAX_INTERPHASE_GAP_US) FAIL(F_GAP);
    if (a->soft_start_ms > SCS_MAX_SOFT_START_MS) FAIL(F_SOFT_START);
    if (a->waveform == SCS_WAVEFORM_CODE_HIGH_FREQUENCY) {
        if (a->rate_mhz < SCS_MIN_HF_RATE_MHZ || a->rate_mhz > SCS_MAX_HF_RATE_MHZ) FAIL(F_RATE);
    } else if (a->waveform == SCS_WAVEFORM_CODE_BURST) {
        if (a->rate_mhz < SCS_MIN_BURST_RATE_MHZ || a->rate_mhz > SCS_MAX_BURST_RATE_MHZ) FAIL(F_RATE);
    } else if (a->rate_mhz < SCS_MIN_RATE_MHZ || a->rate_mhz > SCS_MAX_RATE_MHZ) {
        FAIL(F_RATE);
    }
    if (a->recharge == SCS_RECHARGE_CODE_ACTIVE) {
        if (!ratio_allowed(a->ratio)) FAIL(F_RATIO);
        if (a->window_us) FAIL(F_WINDOW);
    } else {
        if (a->window_us < 1u || a->window_us > SCS_MAX_PASSIVE_WINDOW_US) FAIL(F_WINDOW);
        if (a->ratio != 1) FAIL(F_RATIO);
    }
    if (a->waveform == SCS_WAVEFORM_CODE_BURST) {
        if (a->recharge != SCS_RECHARGE_CODE_PASSIVE) FAIL(F_RECHARGE);
        if (a->per_burst < 2u || a->per_burst > SCS_MAX_PULSES_PER_BURST) FAIL(F_PER_BURST);
        if (a->intra_mhz < SCS_MIN_INTRA_BURST_RATE_MHZ || a->intra_mhz > SCS_MAX_INTRA_BURST_RATE_MHZ) FAIL(F_INTRA);
        if (a->pulse_width_us >= PERIOD_NUMERATOR / a->intra_mhz) FAIL(F_WIDTH);
        if (offset_of(a, a->per_burst - 1u) + occupancy(a) > min_period(a)) FAIL(F_PER_BURST);
    } else {
        if (a->per_burst != 1) FAIL(F_PER_BURST);
        if (a->intra_mhz) FAIL(F_INTRA);
        if (occupancy(a) > min_period(a)) FAIL(F_WIDTH);
    }
    if (a->cycle_on_ms) {
        if (a->cycle_on_ms > SCS_MAX_CYCLE_MS) FAIL(F_CYCLE_ON);
        if (a->cycle_off_ms > SCS_MAX_CYCLE_MS) FAIL(F_CYCLE_OFF);
        if (a->soft_start_ms > a->cycle_on_ms) FAIL(F_SOFT_START);
    }
    if (a->amplitude_ua > scs_max_safe_amplitude_ua(a)) {
        *field = F_AMPLITUDE;
        return SCS_RESULT_UNSAFE;
    }
    return SCS_RESULT_OK;
}

uint16_t scs_max_safe_amplitude_ua(const scs_area_t *a)
{
    unsigned top = 0;
    for (unsigned i = 0; i < SCS_CONTACTS; i++)
        if (a->share[i] > top)
            top = a->share[i];
    if (!top || !a->pulse_width_us)
        return 0;
    uint64_t ua = MAX_CATHODE_CHARGE_PC * 100u / ((uint64_t)a->pulse_width_us * top);
    if (ua > SCS_MAX_AMPLITUDE_UA)
        ua = SCS_MAX_AMPLITUDE_UA;
    return (uint16_t)(ua - ua % SCS_AMPLITUDE_STEP_UA);
}

/* --- interleaving: the reference model's bound, in integers --------------------------------------- */
static uint64_t gcd64(uint64_t x, uint64_t y)
{
    while (y) {
        uint64_t t = x % y;
        x = y;
        y = t;
    }
    return x;
}

/* Most work of one area in a closed window of L ticks starting at one of its pulses (compressed grid). */
static uint64_t window_work(const scs_area_t *a, uint64_t L)
{
    uint64_t p = min_period(a), best = 0;
    unsigned n = per_period(a);
    for (unsigned i0 = 0; i0 < n; i0++) {
        uint64_t w = 0, o0 = offset_of(a, i0);
        for (unsigned j = 0; j < n; j++) {
            uint64_t oj = offset_of(a, j);
            uint64_t kmin = oj >= o0 ? 0 : 1;
            if (o0 + L < oj)
                continue;
            uint64_t kmax = (o0 + L - oj) / p;
            if (kmax >= kmin)
                w += (kmax - kmin + 1) * occ_of(a, j);
        }
        if (w > best)
            best = w;
    }
    return best;
}

int scs_interleave_ok(const scs_area_t *areas, unsigned n)
{
    if (n <= 1)
        return 1;
    /* utilisation sum(work/p) < 1 as an exact fraction num/den */
    uint64_t num = 0, den = 1, total = 0;
    for (unsigned b = 0; b < n; b++) {
        uint64_t w = work_per_period(&areas[b]), p = min_period(&areas[b]);
        uint64_t g = gcd64(den, p);
        uint64_t l = den / g * p;
        num = num * (l / den) + w * (l / p);
        den = l;
        uint64_t r = gcd64(num, den);
        if (r > 1) {
            num /= r;
            den /= r;
        }
        total += w;
    }
    if (num >= den)
        return 0;
    uint64_t horizon = 2u * total * den / (den - num) + 1u;
    if (horizon > MAX_SCAN)
        return 0;
    int64_t peak = 0;
    for (unsigned a = 0; a < n; a++) {
        const scs_area_t *ar = &areas[a];
        uint64_t p = min_period(ar), periods = horizon / p + 1u;
        for (unsigned i = 0; i < per_period(ar); i++)
            for (uint64_t k = 0; k <= periods; k++)
                for (unsigned j = 0; j < per_period(ar); j++) {
                    int64_t L = (int64_t)(k * p + offset_of(ar, j)) - (int64_t)offset_of(ar, i);
                    if (L < 0 || (uint64_t)L > horizon)
                        continue;
                    int64_t demand = -L;
                    for (unsigned b = 0; b < n; b++)
                        demand += (int64_t)window_work(&areas[b], (uint64_t)L);
                    if (demand > peak)
                        peak = demand;
                }
    }
    for (unsigned a = 0; a < n; a++) {
        uint32_t least = occ_of(&areas[a], 0);
        for (unsigned i = 0; i < per_period(&areas[a]); i++)
            if (occ_of(&areas[a], i) < least)
                least = occ_of(&areas[a], i);
        int64_t bound = peak - (int64_t)least;
        if (bound > (int64_t)MAX_DISPLACEMENT)
            return 0;
    }
    return 1;
}

/* --- the pulse scheduler -------------------------------------------------------------------------- */
static uint32_t load_ohm(const scs_area_t *a, const uint16_t *ohms)
{
    uint32_t cathode = 0;
    double g = 0;
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        cathode += a->share[i] * (uint32_t)ohms[i];
        if (a->anode_mask >> i & 1u)
            g += 1.0 / (ohms[i] ? ohms[i] : 1u);
    }
    if (a->case_anode)
        g += 1.0 / CASE_OHM;
    double z = 1.0 / g, r = (double)(uint64_t)(z + 0.5);
    if (r - z == 0.5 && ((uint64_t)r & 1u)) /* round half to even, as Python's round() */
        r -= 1.0;
    return cathode / 100u + (uint32_t)r;
}

static void plan(scs_therapy_t *t)
{
    const scs_program_t *prog = &t->programs[t->active];
    for (unsigned a = 0; a < prog->count; a++) {
        uint32_t load = load_ohm(&prog->area[a], t->ohms);
        uint32_t ua = load ? COMPLIANCE_MV * 1000u / load : SCS_MAX_AMPLITUDE_UA;
        if (ua > SCS_MAX_AMPLITUDE_UA)
            ua = SCS_MAX_AMPLITUDE_UA;
        t->cap_ua[a] = (uint16_t)(ua - ua % SCS_AMPLITUDE_STEP_UA);
    }
}

static uint64_t nominal_of(const scs_area_t *a, uint32_t k, unsigned i)
{
    return (uint64_t)k * PERIOD_NUMERATOR / a->rate_mhz + offset_of(a, i);
}

/* First pulse of area a with nominal start >= rel (skipping periods that start in cycling off-time). */
static void seek(const scs_area_t *a, scs_next_t *n, uint64_t rel)
{
    uint64_t k = (rel * a->rate_mhz + PERIOD_NUMERATOR - 1u) / PERIOD_NUMERATOR;
    if (k)
        k--; /* a burst that started earlier may still have pulses ahead */
    for (;; k++) {
        for (unsigned i = 0; i < per_period(a); i++) {
            uint64_t t = nominal_of(a, (uint32_t)k, i);
            if (t < rel)
                continue;
            n->k = (uint32_t)k;
            n->i = (uint8_t)i;
            n->nominal = t;
            return;
        }
    }
}

static void advance_next(const scs_area_t *a, scs_next_t *n)
{
    if (n->i + 1u < per_period(a)) {
        n->i++;
    } else {
        n->i = 0;
        n->k++;
    }
    n->nominal = nominal_of(a, n->k, n->i);
}

static int in_on_time(const scs_area_t *a, uint32_t k)
{
    if (!a->cycle_on_ms)
        return 1;
    uint64_t period_start = (uint64_t)k * PERIOD_NUMERATOR / a->rate_mhz;
    uint64_t cycle = ((uint64_t)a->cycle_on_ms + a->cycle_off_ms) * 1000u;
    return period_start % cycle < (uint64_t)a->cycle_on_ms * 1000u;
}

static uint16_t amplitude_at(const scs_therapy_t *t, unsigned ai, uint32_t k)
{
    const scs_area_t *a = &t->programs[t->active].area[ai];
    uint32_t amp = t->applied[ai];
    uint64_t period_start = (uint64_t)k * PERIOD_NUMERATOR / a->rate_mhz;
    if (a->soft_start_ms) {
        uint64_t phase = period_start;
        if (a->cycle_on_ms)
            phase %= ((uint64_t)a->cycle_on_ms + a->cycle_off_ms) * 1000u;
        uint64_t steps = amp / SCS_AMPLITUDE_STEP_UA, ramp = (uint64_t)a->soft_start_ms * 1000u;
        uint64_t s = 1u + steps * phase / ramp;
        amp = (uint32_t)(50u * (s < steps ? s : steps));
    }
    return (uint16_t)(amp < t->cap_ua[ai] ? amp : t->cap_ua[ai]);
}

uint8_t scs_stopped_areas(const scs_therapy_t *t)
{
    const scs_program_t *prog = &t->programs[t->active];
    uint8_t stopped = 0;
    for (unsigned a = 0; a < prog->count; a++)
        for (unsigned c = 0; c < SCS_CONTACTS; c++) {
            int used = prog->area[a].share[c] || (prog->area[a].anode_mask >> c & 1u);
            if (used && (t->ohms[c] < SCS_IMPEDANCE_SHORT_OHM || t->ohms[c] > SCS_IMPEDANCE_OPEN_OHM))
                stopped |= (uint8_t)(1u << a);
        }
    return stopped;
}

double scs_stim_current_a(const scs_therapy_t *t, double cell_v)
{
    /* as the model: rail = min(I*Z + 1 V, compliance); energy = rail * driven charge / 0.8 */
    const scs_program_t *prog = &t->programs[t->active];
    if (!t->stim_on || !prog->used)
        return 0;
    double watts = 0;
    for (unsigned a = 0; a < prog->count; a++) {
        if (t->stopped >> a & 1u)
            continue;
        const scs_area_t *ar = &prog->area[a];
        double amp = (t->applied[a] < t->cap_ua[a] ? t->applied[a] : t->cap_ua[a]) * 1e-6;
        double rail = amp * load_ohm(ar, t->ohms) + 1.0;
        if (rail > COMPLIANCE_MV / 1000.0)
            rail = COMPLIANCE_MV / 1000.0;
        double driven = amp * ar->pulse_width_us * 1e-6 * (ar->recharge == 0 ? 2.0 : 1.0);
        double per_s = ar->rate_mhz / 1000.0 * per_period(ar);
        if (ar->cycle_on_ms)
            per_s *= (double)ar->cycle_on_ms / (ar->cycle_on_ms + ar->cycle_off_ms);
        watts += rail * driven * per_s / 0.8;
    }
    return watts / cell_v;
}

void scs_stim_start(scs_therapy_t *t, uint64_t now)
{
    const scs_program_t *prog = &t->programs[t->active];
    t->origin = now;
    t->stage_free = 0;
    plan(t);
    for (unsigned a = 0; a < prog->count; a++)
        seek(&prog->area[a], &t->next[a], 0);
    t->stim_on = 1;
}

void scs_stim_retarget(scs_therapy_t *t, uint64_t now)
{
    (void)now; /* amplitudes are read per pulse: the grid simply continues */
    plan(t);
}

int scs_stim_service(scs_therapy_t *t, uint64_t now)
{
    if (!t->stim_on || now < t->origin)
        return 1;
    const scs_program_t *prog = &t->programs[t->active];
    uint64_t rel = now - t->origin;
    /* a bounded batch per call: the main loop must keep serving the UART even if the timer runs
     * faster than the pulses can be produced (as QEMU's timer model may); the trace keeps the ticks */
    for (unsigned batch = 0; batch < 64u; batch++) {
        int best = -1;
        for (unsigned a = 0; a < prog->count; a++)
            if (best < 0 || t->next[a].nominal < t->next[best].nominal)
                best = (int)a;
        if (best < 0 || t->next[best].nominal >= rel)
            return 1;
        const scs_area_t *a = &prog->area[best];
        scs_next_t *n = &t->next[best];
        if (in_on_time(a, n->k) && !(t->stopped >> best & 1u)) {
            uint64_t start = n->nominal > t->stage_free ? n->nominal : t->stage_free;
            t->stage_free = start + occ_of(a, n->i);
            if (t->tracing) {
                uint8_t *r = t->trace[t->trace_len++];
                uint64_t tick = t->origin + start;
                for (unsigned b = 0; b < 8; b++)
                    r[b] = (uint8_t)(tick >> (8 * b));
                r[8] = (uint8_t)best;
                wr16(r + 9, amplitude_at(t, (unsigned)best, n->k));
                if (t->trace_len >= t->trace_limit)
                    t->tracing = 0;
            }
        }
        advance_next(a, n);
    }
    return 0;
}
