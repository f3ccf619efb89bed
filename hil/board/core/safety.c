/* Area validation, the charge-density and compliance limits: firmware_model/stimulation/safety.py
 * (compliance exactly as docs/load-model.md, in integers). */
#include <string.h>

#include "le.h"
#include "platform.h"
#include "stimulation.h"

static int ratio_allowed(unsigned ratio)
{
    static const unsigned ratios[SCS_RECHARGE_RATIOS_COUNT] = SCS_RECHARGE_RATIOS;
    for (unsigned i = 0; i < SCS_RECHARGE_RATIOS_COUNT; i++) {
        if (ratio == ratios[i]) {
            return 1;
        }
    }
    return 0;
}

/* The checks of an area in the reference model's order (area_from_fields, Area.__post_init__,
 * check_area): each stage returns the AREA_WRITE field index of its first failure, or 0 (no field has
 * index 0). */
typedef uint8_t (*area_check_t)(const scs_area_t *a);

static uint8_t check_codes(const scs_area_t *a)
{
    if (a->waveform > (uint8_t)SCS_WAVEFORM_CODE_HIGH_FREQUENCY) {
        return F_WAVEFORM;
    }
    if (a->recharge > (uint8_t)SCS_RECHARGE_CODE_PASSIVE) {
        return F_RECHARGE;
    }
    if ((a->cycle_on_ms == 0u) != (a->cycle_off_ms == 0u)) {
        return (a->cycle_on_ms == 0u) ? F_CYCLE_ON : F_CYCLE_OFF;
    }
    return F_NONE;
}

/* Cathode shares (some, each <= 100 %, summing to 100 %), then anodes (no cathode, at least one return). */
static uint8_t check_contacts(const scs_area_t *a)
{
    unsigned cathodes = 0;
    unsigned total = 0;
    unsigned over = 0;
    unsigned both = 0;
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        cathodes |= a->share[i]; /* nonzero: some contact is a cathode */
        total += a->share[i];
        over |= a->share[i] / 101u; /* nonzero: some share is over 100 % (a share is at most 255) */
        if ((((a->anode_mask >> i) & 1u) != 0u) && (a->share[i] != 0u)) {
            both = 1u;
        }
    }
    if ((cathodes == 0u) || (over != 0u) || (total != 100u)) {
        return F_SHARE;
    }
    if ((both != 0u) || ((a->anode_mask == 0u) && (a->case_anode == 0u))) {
        return F_ANODE_MASK;
    }
    return F_NONE;
}

/* Plain ranges, in order; the rate's range depends on the waveform (checked valid before). */
static uint8_t check_ranges(const scs_area_t *a)
{
    struct area_range {
        enum area_field field;
        uint32_t lo;
        uint32_t hi;
    };
    static const struct area_range range[] = {
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
        unsigned r = (i < 4u) ? i : (4u + a->waveform); /* tonic, burst, high frequency */
        if ((value[i] < range[r].lo) || (value[i] > range[r].hi) ||
            ((i == 0u) && ((value[i] % SCS_AMPLITUDE_STEP_UA) != 0u))) {
            return (uint8_t)range[r].field;
        }
    }
    return F_NONE;
}

static uint8_t check_recharge(const scs_area_t *a)
{
    if (a->recharge == (uint8_t)SCS_RECHARGE_CODE_ACTIVE) {
        if (ratio_allowed(a->ratio) == 0) {
            return F_RATIO;
        }
        return (a->window_us != 0u) ? F_WINDOW : F_NONE;
    }
    if ((a->window_us < 1u) || (a->window_us > SCS_MAX_PASSIVE_WINDOW_US)) {
        return F_WINDOW;
    }
    return (a->ratio != 1u) ? F_RATIO : F_NONE;
}

/* Bursts (passive, 2.. pulses at a legal intra-burst rate, the burst within the period); else one pulse
 * per period within it. */
static uint8_t check_period(const scs_area_t *a)
{
    if (a->waveform != (uint8_t)SCS_WAVEFORM_CODE_BURST) {
        if (a->per_burst != 1u) {
            return F_PER_BURST;
        }
        if (a->intra_mhz != 0u) {
            return F_INTRA;
        }
        return (occupancy(a) > min_period(a)) ? F_WIDTH : F_NONE;
    }
    if (a->recharge != (uint8_t)SCS_RECHARGE_CODE_PASSIVE) {
        return F_RECHARGE;
    }
    if ((a->per_burst < 2u) || (a->per_burst > SCS_MAX_PULSES_PER_BURST)) {
        return F_PER_BURST;
    }
    if ((a->intra_mhz < SCS_MIN_INTRA_BURST_RATE_MHZ) || (a->intra_mhz > SCS_MAX_INTRA_BURST_RATE_MHZ)) {
        return F_INTRA;
    }
    if (a->pulse_width_us >= (PERIOD_NUMERATOR / a->intra_mhz)) {
        return F_WIDTH;
    }
    return ((offset_of(a, a->per_burst - 1u) + occupancy(a)) > min_period(a)) ? F_PER_BURST : F_NONE;
}

static uint8_t check_cycling(const scs_area_t *a)
{
    if (a->cycle_on_ms == 0u) {
        return F_NONE;
    }
    if (a->cycle_on_ms > SCS_MAX_CYCLE_MS) {
        return F_CYCLE_ON;
    }
    if (a->cycle_off_ms > SCS_MAX_CYCLE_MS) {
        return F_CYCLE_OFF;
    }
    return (a->soft_start_ms > a->cycle_on_ms) ? F_SOFT_START : F_NONE;
}

uint8_t scs_area_validate(const scs_area_t *a, uint8_t *field)
{
    static const area_check_t checks[] = {check_codes, check_contacts, check_ranges, check_recharge, check_period,
                                          check_cycling};
    for (unsigned i = 0; i < (sizeof(checks) / sizeof(checks[0])); i++) {
        *field = checks[i](a);
        if (*field != 0u) {
            return SCS_RESULT_OUT_OF_RANGE;
        }
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
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        if (a->share[i] > top) {
            top = a->share[i];
        }
    }
    if ((top == 0u) || (a->pulse_width_us == 0u)) {
        return 0;
    }
    uint64_t ua = MAX_CATHODE_CHARGE_PC * 100u / ((uint64_t)a->pulse_width_us * top);
    if (ua > SCS_MAX_AMPLITUDE_UA) {
        ua = SCS_MAX_AMPLITUDE_UA;
    }
    return (uint16_t)(ua - (ua % SCS_AMPLITUDE_STEP_UA));
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
    (void)memset(x, 0, sizeof *x);
    x->w[0] = v;
}

/* x = x * m + add */
static void wide_mul_add(wide_t *x, uint32_t m, const wide_t *add)
{
    uint64_t carry = 0;
    for (unsigned i = 0; i < WIDE_WORDS; i++) {
        uint64_t v = ((uint64_t)x->w[i] * m) + carry + ((add != NULL) ? add->w[i] : 0u);
        x->w[i] = (uint32_t)v;
        carry = v >> 32;
    }
}

static int wide_cmp(const wide_t *a, const wide_t *b)
{
    unsigned i = WIDE_WORDS;
    while (i > 0u) { /* from the most significant word */
        i--;
        if (a->w[i] != b->w[i]) {
            return (a->w[i] < b->w[i]) ? -1 : 1;
        }
    }
    return 0;
}

/* The exact load as its two sides: I*Z <= V  <=>  I * lhs <= rhs. */
static void load_sides(const scs_area_t *a, const uint16_t *ohms, wide_t *lhs, wide_t *rhs)
{
    wide_t num;
    wide_t den;
    uint32_t c = 0;
    wide_set(&num, 0);
    wide_set(&den, 1);
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        c += a->share[i] * (uint32_t)ohms[i];
        if (((a->anode_mask >> i) & 1u) == 0u) {
            continue;
        }
        wide_mul_add(&num, ohms[i], &den); /* num/den + 1/z = (num*z + den) / (den*z) */
        wide_mul_add(&den, ohms[i], NULL);
    }
    if (a->case_anode != 0u) {
        wide_mul_add(&num, CASE_OHM, &den);
        wide_mul_add(&den, CASE_OHM, NULL);
    }
    /* den is the product of the returns' impedances (below 2^263: no wrap), so 0 exactly when one is shorted */
    if ((wide_cmp(&den, &(wide_t){{0}}) == 0) || (wide_cmp(&num, &(wide_t){{0}}) == 0)) { /* a shorted (or no) return: 0 ohm */
        wide_set(&num, 1);
        wide_set(&den, 0);
    }
    wide_t part = num;
    wide_mul_add(&part, c, NULL);
    *lhs = den;
    wide_mul_add(lhs, 100u, &part); /* 100*den + c*num */
    *rhs = num;
    wide_mul_add(rhs, COMPLIANCE_MV * 1000u, NULL);
    wide_mul_add(rhs, 100u, NULL);
}

/* The largest amplitude step at or below exactly V / Z_load (at most the maximum amplitude). */
uint16_t scs_compliance_cap_ua(const scs_area_t *a, const uint16_t *ohms)
{
    wide_t lhs;
    wide_t rhs;
    load_sides(a, ohms, &lhs, &rhs);
    unsigned lo = 0; /* steps: lo fits, find the last */
    unsigned hi = SCS_MAX_AMPLITUDE_UA / SCS_AMPLITUDE_STEP_UA;
    while (lo < hi) {
        unsigned mid = (lo + hi + 1u) / 2u;
        wide_t need = lhs;
        wide_mul_add(&need, mid * SCS_AMPLITUDE_STEP_UA, NULL);
        if (wide_cmp(&need, &rhs) <= 0) {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    return (uint16_t)(lo * SCS_AMPLITUDE_STEP_UA);
}

/* The load as a float, for the energy estimate only (as the model's). */
float scs_load_ohm_estimate(const scs_area_t *a, const uint16_t *ohms)
{
    float cathode = 0.0f;
    float g = 0.0f;
    int shorted = 0;
    for (unsigned i = 0; i < SCS_CONTACTS; i++) {
        cathode += (float)a->share[i] * (float)ohms[i];
        if (((a->anode_mask >> i) & 1u) != 0u) {
            if (ohms[i] == 0u) {
                shorted = 1;
            } else {
                g += 1.0f / (float)ohms[i];
            }
        }
    }
    if (a->case_anode != 0u) {
        g += 1.0f / (float)CASE_OHM;
    }
    return (cathode / 100.0f) + (((shorted != 0) || (g == 0.0f)) ? 0.0f : (1.0f / g));
}

