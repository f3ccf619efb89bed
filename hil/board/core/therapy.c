#include "therapy.h"

#include <string.h>

#include "le.h"
#include "platform.h"

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

/* The checks of an area in the reference model's order (area_from_fields, Area.__post_init__,
 * check_area): each stage returns the AREA_WRITE field index of its first failure, or 0 (no field has
 * index 0). */
typedef uint8_t (*area_check_t)(const scs_area_t *a);

static uint8_t check_codes(const scs_area_t *a)
{
    if (a->waveform > SCS_WAVEFORM_CODE_HIGH_FREQUENCY)
        return F_WAVEFORM;
    if (a->recharge > SCS_RECHARGE_CODE_PASSIVE)
        return F_RECHARGE;
    if ((a->cycle_on_ms == 0) != (a->cycle_off_ms == 0))
        return a->cycle_on_ms == 0 ? F_CYCLE_ON : F_CYCLE_OFF;
    return 0;
}

/* Cathode shares (some, each <= 100 %, summing to 100 %), then anodes (no cathode, at least one return). */
static uint8_t check_contacts(const scs_area_t *a)
{
    unsigned cathodes = 0, total = 0, over = 0, both = 0;
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        cathodes += a->share[i] != 0;
        total += a->share[i];
        over |= a->share[i] > 100;
        both |= (a->anode_mask >> i & 1u) && a->share[i];
    }
    if (!cathodes || over || total != 100)
        return F_SHARE;
    if (both || (!a->anode_mask && !a->case_anode))
        return F_ANODE_MASK;
    return 0;
}

/* Plain ranges, in order; the rate's range depends on the waveform (checked valid before). */
static uint8_t check_ranges(const scs_area_t *a)
{
    static const struct {
        uint8_t field;
        uint32_t lo, hi;
    } range[] = {
        {F_AMPLITUDE, 0, SCS_MAX_AMPLITUDE_UA},
        {F_WIDTH, SCS_MIN_PULSE_WIDTH_US, SCS_MAX_PULSE_WIDTH_US},
        {F_GAP, 0, SCS_MAX_INTERPHASE_GAP_US},
        {F_SOFT_START, 0, SCS_MAX_SOFT_START_MS},
        {F_RATE, SCS_MIN_RATE_MHZ, SCS_MAX_RATE_MHZ},
        {F_RATE, SCS_MIN_BURST_RATE_MHZ, SCS_MAX_BURST_RATE_MHZ},
        {F_RATE, SCS_MIN_HF_RATE_MHZ, SCS_MAX_HF_RATE_MHZ},
    };
    const uint32_t value[] = {a->amplitude_ua, a->pulse_width_us, a->gap_us, a->soft_start_ms, a->rate_mhz};
    for (unsigned i = 0; i < 5u; i++) {
        unsigned r = i < 4u ? i : 4u + a->waveform; /* tonic, burst, high frequency */
        if (value[i] < range[r].lo || value[i] > range[r].hi || (i == 0 && value[i] % SCS_AMPLITUDE_STEP_UA))
            return range[r].field;
    }
    return 0;
}

static uint8_t check_recharge(const scs_area_t *a)
{
    if (a->recharge == SCS_RECHARGE_CODE_ACTIVE) {
        if (!ratio_allowed(a->ratio))
            return F_RATIO;
        return a->window_us ? F_WINDOW : 0;
    }
    if (a->window_us < 1u || a->window_us > SCS_MAX_PASSIVE_WINDOW_US)
        return F_WINDOW;
    return a->ratio != 1 ? F_RATIO : 0;
}

/* Bursts (passive, 2.. pulses at a legal intra-burst rate, the burst within the period); else one pulse
 * per period within it. */
static uint8_t check_period(const scs_area_t *a)
{
    if (a->waveform != SCS_WAVEFORM_CODE_BURST) {
        if (a->per_burst != 1)
            return F_PER_BURST;
        if (a->intra_mhz)
            return F_INTRA;
        return occupancy(a) > min_period(a) ? F_WIDTH : 0;
    }
    if (a->recharge != SCS_RECHARGE_CODE_PASSIVE)
        return F_RECHARGE;
    if (a->per_burst < 2u || a->per_burst > SCS_MAX_PULSES_PER_BURST)
        return F_PER_BURST;
    if (a->intra_mhz < SCS_MIN_INTRA_BURST_RATE_MHZ || a->intra_mhz > SCS_MAX_INTRA_BURST_RATE_MHZ)
        return F_INTRA;
    if (a->pulse_width_us >= PERIOD_NUMERATOR / a->intra_mhz)
        return F_WIDTH;
    return offset_of(a, a->per_burst - 1u) + occupancy(a) > min_period(a) ? F_PER_BURST : 0;
}

static uint8_t check_cycling(const scs_area_t *a)
{
    if (!a->cycle_on_ms)
        return 0;
    if (a->cycle_on_ms > SCS_MAX_CYCLE_MS)
        return F_CYCLE_ON;
    if (a->cycle_off_ms > SCS_MAX_CYCLE_MS)
        return F_CYCLE_OFF;
    return a->soft_start_ms > a->cycle_on_ms ? F_SOFT_START : 0;
}

uint8_t scs_area_validate(const scs_area_t *a, uint8_t *field)
{
    static const area_check_t checks[] = {check_codes, check_contacts, check_ranges, check_recharge, check_period,
                                          check_cycling};
    for (unsigned i = 0; i < sizeof checks / sizeof checks[0]; i++) {
        *field = checks[i](a);
        if (*field)
            return SCS_RESULT_OUT_OF_RANGE;
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

/* --- interleaving: the reference model's bounded decision, in integers (firmware_model/interleave.py) -- */
#define MAX_CANDIDATES 8192u       /* window lengths evaluated at most: the time budget (README) */
#define MAX_RESIDUES (16u * 16u)
#define POLL_EVERY 128u

/* W(r) for 0 <= r < p: the most work of one area in a closed window of r ticks (a step function,
 * stepping at the residues (o_j - o_i) mod p). W(q*p + r) = q*work + W(r). */
typedef struct {
    uint32_t r[MAX_RESIDUES], w[MAX_RESIDUES];
    unsigned n;
    uint32_t p, work;
} window_table_t;

static uint32_t residue(const scs_area_t *a, unsigned i, unsigned j)
{
    uint32_t oi = (uint32_t)offset_of(a, i), oj = (uint32_t)offset_of(a, j);
    return oj >= oi ? oj - oi : (uint32_t)min_period(a) + oj - oi;
}

/* Sort the residues (a shell sort: n <= 256, no recursion, no allocation) and drop repeats. */
static void sort_unique(window_table_t *tb)
{
    static const unsigned gaps[] = {57u, 23u, 10u, 4u, 1u};
    for (unsigned g = 0; g < sizeof gaps / sizeof gaps[0]; g++)
        for (unsigned i = gaps[g]; i < tb->n; i++) {
            uint32_t v = tb->r[i];
            unsigned j = i;
            for (; j >= gaps[g] && tb->r[j - gaps[g]] > v; j -= gaps[g])
                tb->r[j] = tb->r[j - gaps[g]];
            tb->r[j] = v;
        }
    unsigned m = 0;
    for (unsigned i = 0; i < tb->n; i++)
        if (m == 0 || tb->r[m - 1] != tb->r[i])
            tb->r[m++] = tb->r[i];
    tb->n = m;
}

static void build_table(const scs_area_t *a, window_table_t *tb)
{
    unsigned n = per_period(a), ptr[16] = {0};
    uint32_t acc[16] = {0};
    tb->n = 0;
    tb->p = (uint32_t)min_period(a);
    tb->work = (uint32_t)work_per_period(a);
    for (unsigned i = 0; i < n; i++)
        for (unsigned j = 0; j < n; j++)
            tb->r[tb->n++] = residue(a, i, j);
    sort_unique(tb);
    /* windows starting at pulse i see the pulses i, i+1, ... in order of residue: one pointer each */
    for (unsigned k = 0; k < tb->n; k++) {
        uint32_t best = 0;
        for (unsigned i = 0; i < n; i++) {
            while (ptr[i] < n && residue(a, i, (i + ptr[i]) % n) <= tb->r[k])
                acc[i] += occ_of(a, (i + ptr[i]++) % n);
            if (acc[i] > best)
                best = acc[i];
        }
        tb->w[k] = best;
    }
}

static uint32_t window_work(const window_table_t *tb, uint32_t L)
{
    uint32_t q = L / tb->p, r = L - q * tb->p;
    unsigned lo = 0, hi = tb->n; /* the last residue <= r (residue 0 is always there) */
    while (hi - lo > 1) {
        unsigned mid = (lo + hi) / 2;
        if (tb->r[mid] <= r)
            lo = mid;
        else
            hi = mid;
    }
    return q * tb->work + tb->w[lo];
}

/* The scan horizon H of the bounded decision, or -1 when nothing needs scanning; -2: refuse. */
static int64_t scan_limit(const scs_area_t *areas, unsigned n, uint32_t *threshold)
{
    uint64_t units = 0, total = 0;
    uint32_t least = UINT32_MAX;
    for (unsigned b = 0; b < n; b++) {
        uint64_t w = work_per_period(&areas[b]), p = min_period(&areas[b]);
        units += ((w << 32) + p - 1u) / p; /* each share rounded up: a conservative utilisation */
        total += w;
        for (unsigned i = 0; i < per_period(&areas[b]); i++)
            if (occ_of(&areas[b], i) < least)
                least = occ_of(&areas[b], i);
    }
    *threshold = MAX_DISPLACEMENT + least;
    if (units >= (1ull << 32))
        return -2;
    if (total <= *threshold)
        return -1;
    uint64_t h = (((total - *threshold) << 32) - 1u) / ((1ull << 32) - units);
    return h > MAX_SCAN ? -2 : (int64_t)h;
}

static void poll_now(const scs_poll_t *poll)
{
    if (poll && poll->fn)
        poll->fn(poll->ctx);
}

/* The window tables of the n areas; 0 when scanning to the horizon would take too many window lengths. */
static int build_tables(const scs_area_t *areas, unsigned n, uint64_t horizon, window_table_t *tables,
                        const scs_poll_t *poll)
{
    uint64_t count = 0;
    for (unsigned b = 0; b < n; b++) {
        build_table(&areas[b], &tables[b]);
        poll_now(poll);
        count += (uint64_t)tables[b].n * (horizon / tables[b].p + 1u);
    }
    return count <= MAX_CANDIDATES;
}

/* F(L) = sum_b W_b(L) - L peaks where some W_b steps: L = q*p_a + r, r a residue of area a. 1 when no
 * window up to the horizon demands more than L + threshold. */
static int windows_fit(const window_table_t *tables, unsigned n, uint64_t horizon, uint32_t threshold,
                       const scs_poll_t *poll)
{
    unsigned since_poll = 0;
    for (unsigned a = 0; a < n; a++)
        for (unsigned k = 0; k < tables[a].n; k++)
            for (uint32_t L = tables[a].r[k]; L <= horizon; L += tables[a].p) {
                uint64_t demand = 0;
                for (unsigned b = 0; b < n; b++)
                    demand += window_work(&tables[b], L);
                if (demand > (uint64_t)L + threshold)
                    return 0;
                if (++since_poll == POLL_EVERY) {
                    since_poll = 0;
                    poll_now(poll);
                }
            }
    return 1;
}

int scs_interleave_ok(const scs_area_t *areas, unsigned n, const scs_poll_t *poll)
{
    if (n <= 1)
        return 1;
    uint32_t threshold;
    int64_t horizon = scan_limit(areas, n, &threshold);
    if (horizon < 0)
        return horizon == -1;
    window_table_t tables[SCS_AREAS];
    if (!build_tables(areas, n, (uint64_t)horizon, tables, poll))
        return 0;
    return windows_fit(tables, n, (uint64_t)horizon, threshold, poll);
}

/* --- compliance: exactly as the model (docs/load-model.md), in integers ------------------------- */
/* Z_load = C/100 + den/num: C = sum(share_i * Z_i), the returns (anodes, case) in parallel have conductance
 * num/den. A pulse of I uA is within compliance when I*Z <= V, i.e. I*(C*num + 100*den) <= 100*V*num
 * (V in uA*ohm). With 16 returns of up to 65535 ohm the products reach 2^283: a small fixed-width integer
 * of 32-bit words (no 128-bit types on the Cortex-M4; computed once per plan, never in an interrupt). */
#define WIDE_WORDS 10u
typedef struct {
    uint32_t w[WIDE_WORDS]; /* little-endian words */
} wide_t;

static void wide_set(wide_t *x, uint32_t v)
{
    memset(x, 0, sizeof *x);
    x->w[0] = v;
}

/* x = x * m + add */
static void wide_mul_add(wide_t *x, uint32_t m, const wide_t *add)
{
    uint64_t carry = 0;
    for (unsigned i = 0; i < WIDE_WORDS; i++) {
        uint64_t v = (uint64_t)x->w[i] * m + carry + (add ? add->w[i] : 0u);
        x->w[i] = (uint32_t)v;
        carry = v >> 32;
    }
}

static int wide_cmp(const wide_t *a, const wide_t *b)
{
    for (unsigned i = WIDE_WORDS; i-- > 0;)
        if (a->w[i] != b->w[i])
            return a->w[i] < b->w[i] ? -1 : 1;
    return 0;
}

/* The exact load as its two sides: I*Z <= V  <=>  I * lhs <= rhs. */
static void load_sides(const scs_area_t *a, const uint16_t *ohms, wide_t *lhs, wide_t *rhs)
{
    wide_t num, den;
    uint32_t c = 0;
    int shorted = 0;
    wide_set(&num, 0);
    wide_set(&den, 1);
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        c += a->share[i] * (uint32_t)ohms[i];
        if (!(a->anode_mask >> i & 1u))
            continue;
        shorted |= ohms[i] == 0;
        wide_mul_add(&num, ohms[i], &den); /* num/den + 1/z = (num*z + den) / (den*z) */
        wide_mul_add(&den, ohms[i], 0);
    }
    if (a->case_anode) {
        wide_mul_add(&num, CASE_OHM, &den);
        wide_mul_add(&den, CASE_OHM, 0);
    }
    if (shorted || wide_cmp(&num, &(wide_t){{0}}) == 0) { /* a shorted (or no) return: 0 ohm */
        wide_set(&num, 1);
        wide_set(&den, 0);
    }
    wide_t part = num;
    wide_mul_add(&part, c, 0);
    *lhs = den;
    wide_mul_add(lhs, 100u, &part); /* 100*den + c*num */
    *rhs = num;
    wide_mul_add(rhs, COMPLIANCE_MV * 1000u, 0);
    wide_mul_add(rhs, 100u, 0);
}

/* The largest amplitude step at or below exactly V / Z_load (at most the maximum amplitude). */
static uint16_t compliance_cap_ua(const scs_area_t *a, const uint16_t *ohms)
{
    wide_t lhs, rhs;
    load_sides(a, ohms, &lhs, &rhs);
    unsigned lo = 0, hi = SCS_MAX_AMPLITUDE_UA / SCS_AMPLITUDE_STEP_UA; /* steps: lo fits, find the last */
    while (lo < hi) {
        unsigned mid = (lo + hi + 1u) / 2u;
        wide_t need = lhs;
        wide_mul_add(&need, mid * SCS_AMPLITUDE_STEP_UA, 0);
        if (wide_cmp(&need, &rhs) <= 0)
            lo = mid;
        else
            hi = mid - 1u;
    }
    return (uint16_t)(lo * SCS_AMPLITUDE_STEP_UA);
}

/* The load as a float, for the energy estimate only (as the model's). */
static double load_ohm_estimate(const scs_area_t *a, const uint16_t *ohms)
{
    double cathode = 0, g = 0;
    int shorted = 0;
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        cathode += a->share[i] * (double)ohms[i];
        if (a->anode_mask >> i & 1u) {
            shorted |= ohms[i] == 0;
            g += ohms[i] ? 1.0 / ohms[i] : 0.0;
        }
    }
    if (a->case_anode)
        g += 1.0 / CASE_OHM;
    return cathode / 100.0 + (shorted || g == 0 ? 0.0 : 1.0 / g);
}

/* --- the pulse scheduler -------------------------------------------------------------------------- */
static void plan(scs_therapy_t *t)
{
    const scs_program_t *prog = &t->programs[t->active];
    for (unsigned a = 0; a < prog->count; a++)
        t->cap_ua[a] = compliance_cap_ua(&prog->area[a], t->ohms);
}

/* Period starts floor(k * 10^9 / rate) repeat every `repeat` = rate / gcd(10^9, rate) periods, shifted by
 * repeat * 10^9 / rate ticks (an integer). k = q*repeat + s gives floor(k*10^9/rate) = q*repeat_ticks +
 * floor(s*10^9/rate) exactly, with s < repeat <= rate <= 10^7: s*10^9 < 2^64, and q*repeat_ticks is a
 * period start itself. So no k*10^9 (nor rel*rate) is ever formed: exact for any tick a uint64 holds. */
static uint32_t repeat_of(const scs_area_t *a)
{
    uint32_t x = (uint32_t)PERIOD_NUMERATOR, y = a->rate_mhz;
    while (y) {
        uint32_t r = x % y;
        x = y;
        y = r;
    }
    return a->rate_mhz / x;
}
static uint64_t repeat_ticks(const scs_area_t *a, uint32_t repeat) { return repeat * PERIOD_NUMERATOR / a->rate_mhz; }
static uint64_t period_start(const scs_area_t *a, const scs_next_t *n)
{
    return n->block + n->s * PERIOD_NUMERATOR / a->rate_mhz;
}

static void advance_next(const scs_area_t *a, scs_next_t *n)
{
    if (n->i + 1u < per_period(a)) {
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
    uint64_t span = repeat_ticks(a, repeat), within = rel % span; /* within < span <= 10^9 */
    n->repeat = repeat;
    n->block = rel - within;
    /* the first period starting at or after rel: s = ceil(within * rate / 10^9) <= repeat */
    n->s = (uint32_t)((within * a->rate_mhz + PERIOD_NUMERATOR - 1u) / PERIOD_NUMERATOR);
    if (n->s == repeat) {
        n->s = 0;
        n->block += span;
    }
    if (n->s) { /* a burst that started one period earlier may still have pulses ahead */
        n->s--;
    } else if (n->block) {
        n->block -= span;
        n->s = repeat - 1u;
    }
    n->i = 0;
    n->nominal = period_start(a, n); /* offset 0 */
    while (n->nominal < rel)
        advance_next(a, n);
}

static int in_on_time(const scs_area_t *a, uint64_t start)
{
    if (!a->cycle_on_ms)
        return 1;
    uint64_t cycle = ((uint64_t)a->cycle_on_ms + a->cycle_off_ms) * 1000u;
    return start % cycle < (uint64_t)a->cycle_on_ms * 1000u;
}

/* The pulse's amplitude: soft-start ramped (one step at turn-on, linear in steps, the target from the
 * ramp's end), then the compliance cap (the pulse is out of compliance exactly when it is capped). */
static uint16_t amplitude_at(const scs_therapy_t *t, unsigned ai, uint64_t start)
{
    const scs_area_t *a = &t->programs[t->active].area[ai];
    uint32_t amp = t->applied[ai];
    if (a->soft_start_ms) {
        uint64_t phase = start;
        if (a->cycle_on_ms)
            phase %= ((uint64_t)a->cycle_on_ms + a->cycle_off_ms) * 1000u;
        uint64_t steps = amp / SCS_AMPLITUDE_STEP_UA, ramp = (uint64_t)a->soft_start_ms * 1000u;
        uint64_t s = phase >= ramp ? steps : 1u + steps * phase / ramp; /* no product past the ramp */
        amp = (uint32_t)(SCS_AMPLITUDE_STEP_UA * (s < steps ? s : steps));
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
        double rail = amp * load_ohm_estimate(ar, t->ohms) + 1.0;
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

/* Drop queued pulses that have not started; the tick after which the stage is free again (0: now). */
static uint64_t cut_queue(scs_therapy_t *t)
{
    if (!t->edges || !t->queued)
        return 0;
    uint32_t saved = scs_platform_irq_lock();
    uint64_t busy_until = scs_edges_cut(t->edges);
    scs_platform_irq_unlock(saved);
    t->queued = 0;
    return busy_until;
}

void scs_stim_start(scs_therapy_t *t, uint64_t now)
{
    uint64_t busy_until = cut_queue(t);
    t->origin = now;
    if (t->edges) { /* armed ahead, and never over the end of a pulse still completing */
        now = scs_platform_ticks();
        t->origin = now + SCS_START_LEAD_TICKS;
        if (busy_until >= t->origin)
            t->origin = busy_until + 1u;
    }
    plan(t);
    scs_stim_seek(t, 0);
    t->stim_on = 1;
    if (t->edges) /* queue and arm the first pulses now: the rest of the request may take a while */
        scs_stim_service(t, now);
}

void scs_stim_seek(scs_therapy_t *t, uint64_t rel)
{
    const scs_program_t *prog = &t->programs[t->active];
    for (unsigned a = 0; a < prog->count; a++)
        seek(&prog->area[a], &t->next[a], rel);
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
    t->trace_limit = max < SCS_TRACE_CAPACITY ? max : SCS_TRACE_CAPACITY;
    t->tracing = 1;
    scs_platform_irq_unlock(saved);
}

void scs_trace_pulse(void *therapy, uint64_t tick, uint8_t area, uint16_t amplitude_ua)
{
    scs_therapy_t *t = therapy;
    if (!t->tracing)
        return;
    uint8_t *r = t->trace[t->trace_len];
    for (unsigned b = 0; b < 8; b++)
        r[b] = (uint8_t)(tick >> (8 * b));
    r[8] = area;
    wr16(r + 9, amplitude_ua);
    if (++t->trace_len >= t->trace_limit)
        t->tracing = 0;
}

uint32_t scs_stim_late_pulses(const scs_therapy_t *t) { return t->edges ? t->edges->stats.late_pulses : 0; }

/* The phase edges of one pulse starting at tick `at` (absolute): cathodic phase, interphase gap,
 * recharge (active: anodic at amplitude/ratio; passive: the window, no driven current), end. A pulse
 * inside a burst other than the last is its cathodic phase only (recharge follows the burst). */
static void queue_pulse(scs_therapy_t *t, unsigned ai, unsigned i, uint64_t at, uint16_t amp)
{
    const scs_area_t *a = &t->programs[t->active].area[ai];
    uint8_t area_pins = (uint8_t)(ai << SCS_PIN_AREA_SHIFT);
    scs_edge_t e = {at, amp, amp, (uint8_t)(SCS_PIN_CATHODIC | area_pins), (uint8_t)ai, SCS_EDGE_START, 0};
    scs_edges_push(t->edges, &e);
    e.flags = 0;
    e.dac_ua = 0;
    e.due = at + a->pulse_width_us;
    if (occ_of(a, i) == a->pulse_width_us) { /* inside a burst */
        e.pins = 0;
        scs_edges_push(t->edges, &e);
        return;
    }
    if (a->gap_us) {
        e.pins = area_pins;
        scs_edges_push(t->edges, &e);
        e.due += a->gap_us;
    }
    e.pins = (uint8_t)(SCS_PIN_RECHARGE | area_pins);
    e.dac_ua = a->recharge == 0 ? (uint16_t)(amp / a->ratio) : 0u;
    scs_edges_push(t->edges, &e);
    e.due += recharge_width(a);
    e.pins = 0;
    e.dac_ua = 0;
    scs_edges_push(t->edges, &e);
}

/* The area whose next pulse is nominally first (ties: lower index), -1 without areas. */
static int first_area(const scs_therapy_t *t)
{
    int best = -1;
    for (unsigned a = 0; a < t->programs[t->active].count; a++)
        if (best < 0 || t->next[a].nominal < t->next[best].nominal)
            best = (int)a;
    return best;
}

/* Take the next pulse off the grid: its start (relative to origin, after the collision rule), or
 * UINT64_MAX when it is not emitted (cycling off-time, stopped area). */
static uint64_t take_pulse(scs_therapy_t *t, unsigned best, unsigned *burst_index, uint16_t *amp)
{
    const scs_area_t *a = &t->programs[t->active].area[best];
    scs_next_t *n = &t->next[best];
    uint64_t start = UINT64_MAX;
    *burst_index = n->i;
    uint64_t ps = period_start(a, n);
    if (in_on_time(a, ps) && !(t->stopped >> best & 1u)) {
        start = n->nominal > t->stage_free ? n->nominal : t->stage_free;
        t->stage_free = start + occ_of(a, n->i);
        *amp = amplitude_at(t, best, ps);
    }
    advance_next(a, n);
    return start;
}

/* Hardware-timed: queue the pulses of the next lookahead; 1 when the queue is filled that far. */
static int fill(scs_therapy_t *t, uint64_t now)
{
    if (!t->stim_on) {
        cut_queue(t);
        return 1;
    }
    uint64_t horizon = now + SCS_LOOKAHEAD_TICKS;
    int queued = 0, done = 0;
    while (!done && scs_edges_free(t->edges) >= 4u) {
        int best = first_area(t);
        if (best < 0 || t->origin + t->next[best].nominal > horizon) {
            done = 1;
            break;
        }
        unsigned i;
        uint16_t amp = 0;
        uint64_t start = take_pulse(t, (unsigned)best, &i, &amp);
        if (start != UINT64_MAX) {
            queue_pulse(t, (unsigned)best, i, t->origin + start, amp);
            t->queued = 1;
            queued = 1;
        }
    }
    if (queued)
        scs_platform_timer_arm();
    return done;
}

int scs_stim_service(scs_therapy_t *t, uint64_t now)
{
    if (t->edges)
        return fill(t, now);
    if (!t->stim_on || now < t->origin)
        return 1;
    uint64_t rel = now - t->origin;
    /* a bounded batch per call: the main loop must keep serving the link; the trace keeps the ticks */
    for (unsigned batch = 0; batch < 64u; batch++) {
        int best = first_area(t);
        if (best < 0 || t->next[best].nominal >= rel)
            return 1;
        unsigned i;
        uint16_t amp = 0;
        uint64_t start = take_pulse(t, (unsigned)best, &i, &amp);
        if (start != UINT64_MAX)
            scs_trace_pulse(t, t->origin + start, (uint8_t)best, amp);
    }
    return 0;
}
