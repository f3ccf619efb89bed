/* The scheduler's hot loop for areas whose pulses differ only in their start (one pulse per period,
 * fixed amplitude, no cycling): each area's nominal grid floor(k * 10^9 / rate) generated exactly by
 * its recurrence, merged first come first served (ties to the lower area; start = max(nominal, stage
 * free), end = start + occupancy), written as whole timeline records.  Exactly what the numpy path
 * computes (firmware_model/stimulation/collision.py).
 *
 * Inputs are checked before anything is written: a bad call returns a negative SCS_MERGE_* code and
 * leaves `out` untouched (a pattern entry naming no area stops the walk there); no array is ever
 * indexed past its end. */
#include <stdint.h>
#include <string.h>

#define SCS_MERGE_MAX_AREAS 16
/* the record layout the stores below are written for (TIMELINE_DTYPE); the caller passes its own
 * layout and a different one is refused */
#define RECORD_SIZE 48
#define OFF_START 0
#define OFF_END 8
#define OFF_PERIOD 16
#define OFF_DISPLACEMENT 43

enum { GRID_START, GRID_REM, GRID_Q, GRID_R, GRID_RATE, GRID_PERIOD, GRID_COUNT, GRID_FIELDS };

#define SCS_MERGE_BAD_AREAS (-1)
#define SCS_MERGE_BAD_LAYOUT (-2)
#define SCS_MERGE_BAD_GRID (-3)
#define SCS_MERGE_BAD_TOTAL (-4)

int scs_merge_max_areas(void) { return SCS_MERGE_MAX_AREAS; }
int scs_merge_grid_fields(void) { return GRID_FIELDS; }

typedef struct {
    int64_t next, rem, q, r, rate, period, left, occ;
    uint64_t w3, w4, w5; /* the template's bytes 24..47, displacement bytes cleared */
} area_state;

static int check_grid(const int64_t *g, int64_t occ)
{
    /* 0 <= rem, r < rate; the grid's last start plus its occupancy stays far from overflow */
    if (g[GRID_RATE] <= 0 || g[GRID_Q] < 0 || g[GRID_R] < 0 || g[GRID_R] >= g[GRID_RATE] || g[GRID_REM] < 0 ||
        g[GRID_REM] >= g[GRID_RATE])
        return 0;
    return g[GRID_START] >= 0 && g[GRID_PERIOD] >= 0 && g[GRID_COUNT] >= 0 && occ >= 0 && occ <= (INT64_C(1) << 32) &&
           g[GRID_START] <= (INT64_C(1) << 61) && g[GRID_Q] <= (INT64_C(1) << 40) && g[GRID_COUNT] <= (INT64_C(1) << 40);
}

static void load_template(area_state *a, const uint8_t *t)
{
    memcpy(&a->w3, t + 24, 8);
    memcpy(&a->w4, t + 32, 8);
    memcpy(&a->w5, t + 40, 8);
    a->w5 &= ~(UINT64_C(0xffffffff) << 8 * (OFF_DISPLACEMENT - 40));
}

static int load_areas(area_state *st, const int64_t *grid, int n_areas, const uint8_t *templates,
                      const int64_t *occ, int64_t total)
{
    int64_t sum = 0;
    for (int a = 0; a < n_areas; a++) {
        const int64_t *g = grid + (int64_t)a * GRID_FIELDS;
        if (!check_grid(g, occ[a]))
            return SCS_MERGE_BAD_GRID;
        st[a] = (area_state){g[GRID_START], g[GRID_REM], g[GRID_Q], g[GRID_R], g[GRID_RATE], g[GRID_PERIOD],
                             g[GRID_COUNT], occ[a], 0, 0, 0};
        load_template(&st[a], templates + (int64_t)a * RECORD_SIZE);
        sum += g[GRID_COUNT];
    }
    return sum == total ? 0 : SCS_MERGE_BAD_TOTAL;
}

static inline void put(uint8_t *r, const area_state *a, int64_t start, int64_t end, int64_t nominal,
                       int64_t period)
{
    uint64_t w5 = a->w5 | (uint64_t)(uint32_t)(start - nominal) << 8 * (OFF_DISPLACEMENT - 40);
    memcpy(r + OFF_START, &start, 8);
    memcpy(r + OFF_END, &end, 8);
    memcpy(r + OFF_PERIOD, &period, 8);
    memcpy(r + 24, &a->w3, 8);
    memcpy(r + 32, &a->w4, 8);
    memcpy(r + 40, &w5, 8);
}

static inline void advance(area_state *a)
{
    a->next += a->q;
    a->rem += a->r;
    if (a->rem >= a->rate) {
        a->rem -= a->rate;
        a->next++;
    }
    a->period++;
    a->left--;
}

/* GCC's and clang's vector extension: plain 16-byte moves and adds on any target. */
typedef int64_t pair64 __attribute__((vector_size(16)));

/* No pulse waits when the stage is free for the first and each pulse frees it before the next one's
 * nominal start (occupancy <= q, the smallest gap between starts): start = nominal, displacement 0.
 * The record is then three 16-byte pairs carried from one pulse to the next by vector adds. Once a
 * chunk outgrows L1 the count of stores, not their bytes, sets the speed: on 8 Ki records (384 KiB)
 * six 8-byte stores ran at 2.2 ns a record, three 16-byte ones at 0.75 ns, memset's speed; building
 * the pairs from scalars each pulse (as `put` would) cost more than it saved. Returns the last end. */
static int64_t undisplaced(area_state *a, int64_t total, uint8_t *out)
{
    int64_t rem = a->rem;
    const int64_t r = a->r, rate = a->rate;
    pair64 span = {a->next, a->next + a->occ}, head = {a->period, (int64_t)a->w3};
    const pair64 tail = {(int64_t)a->w4, (int64_t)a->w5}, step = {a->q, a->q}, step_carry = step + 1, next_period = {1, 0};
    for (int64_t i = 0; i < total; i++) {
        uint8_t *rec = out + i * RECORD_SIZE;
        memcpy(rec + OFF_START, &span, sizeof span);
        memcpy(rec + OFF_PERIOD, &head, sizeof head);
        memcpy(rec + 32, &tail, sizeof tail);
        rem += r;
        if (rem >= rate) {
            rem -= rate;
            span += step_carry;
        } else {
            span += step;
        }
        head += next_period;
    }
    int64_t last_end;  /* the last record's end: the stage frees then (total >= 1) */
    memcpy(&last_end, out + (total - 1) * RECORD_SIZE + OFF_END, sizeof last_end);
    a->next = span[0];
    a->rem = rem;
    a->period = head[0];
    a->left -= total;
    return last_end;
}

static int64_t one_area(area_state *a, int64_t stage_free, int64_t total, uint8_t *out)
{
    if (total > 0 && a->occ <= a->q && a->next >= stage_free)
        return undisplaced(a, total, out);
    for (int64_t i = 0; i < total; i++) {
        int64_t s = a->next > stage_free ? a->next : stage_free;
        stage_free = s + a->occ;
        put(out + i * RECORD_SIZE, a, s, stage_free, a->next, a->period);
        advance(a);
    }
    return stage_free;
}

static int64_t merge(area_state *st, int n_areas, int64_t stage_free, int64_t total, uint8_t *out)
{
    for (int a = 0; a < n_areas; a++)
        if (st[a].left == 0)
            st[a].next = INT64_MAX;  /* never chosen: `total` pulses are left among the others */
    for (int64_t i = 0; i < total; i++) {
        int best = 0;
        int64_t first = st[0].next;
        for (int a = 1; a < n_areas; a++) {  /* branch-free: strictly earlier wins, ties stay lower */
            int earlier = st[a].next < first;
            best = earlier ? a : best;
            first = earlier ? st[a].next : first;
        }
        area_state *b = &st[best];
        int64_t s = first > stage_free ? first : stage_free;
        stage_free = s + b->occ;
        put(out + i * RECORD_SIZE, b, s, stage_free, first, b->period);
        advance(b);
        if (b->left == 0)
            b->next = INT64_MAX;
    }
    return stage_free;
}

/* The merged nominal order repeats every hyperperiod (the least common multiple of the areas' grid
 * repeats): pattern[i] = (nominal start from the hyperperiod's start, area, period index within the
 * hyperperiod), sorted by start then area.  Walking it needs no comparison between areas. */
typedef struct {
    int64_t offset, period, area;
} pattern_entry;

/* Kept out of line: inlined, its loop's code followed the checks around the call (the four-area case
 * ran 12 % slower once those moved into functions of their own; bench_scheduler.py). */
__attribute__((noinline))
static int64_t walk(const area_state *st, int n_areas, const pattern_entry *pat, int64_t len, int64_t pos,
                    int64_t hyper, const int64_t *per_hyper, int64_t hyper_ticks, int64_t stage_free,
                    int64_t total, uint8_t *out)
{
    int64_t period_base[SCS_MERGE_MAX_AREAS];  /* each area's first period in hyperperiod `hyper` */
    for (int a = 0; a < n_areas; a++)
        period_base[a] = hyper * per_hyper[a];
    int64_t base = hyper * hyper_ticks;
    for (int64_t i = 0; i < total; i++) {
        const pattern_entry *e = &pat[pos];
        if ((uint64_t)e->area >= (uint64_t)n_areas)
            return SCS_MERGE_BAD_GRID;
        const area_state *b = &st[e->area];
        int64_t nominal = base + e->offset;
        int64_t s = nominal > stage_free ? nominal : stage_free;
        stage_free = s + b->occ;
        put(out + i * RECORD_SIZE, b, s, stage_free, nominal, period_base[e->area] + e->period);
        if (++pos == len) {
            pos = 0;
            base += hyper_ticks;
            for (int a = 0; a < n_areas; a++)
                period_base[a] += per_hyper[a];
        }
    }
    return stage_free;
}

static int layout_ok(int rec_size, const int32_t *field_off)
{
    return rec_size == RECORD_SIZE && field_off[0] == OFF_START && field_off[1] == OFF_DISPLACEMENT &&
           field_off[2] == OFF_END && field_off[3] == OFF_PERIOD;
}

/* The walk's position and span: 0 when they are out of range. */
static int walk_ok(int64_t len, int64_t pos, int64_t hyper, int64_t hyper_ticks, int64_t stage_free, int64_t total)
{
    if (len < 1 || pos < 0 || pos >= len || hyper < 0 || hyper_ticks < 1 || hyper_ticks > (INT64_C(1) << 40))
        return 0;
    return hyper <= (INT64_C(1) << 61) / hyper_ticks && stage_free >= 0 && total >= 0 && total <= (INT64_C(1) << 40);
}

/* Each area's periods per hyperperiod (GRID_Q of its grid row) and constant record: 0 when out of range. */
static int load_pattern_areas(area_state *st, int64_t *per_hyper, const int64_t *grid, int n_areas,
                              const uint8_t *templates, const int64_t *occ, int64_t hyper_ticks)
{
    for (int a = 0; a < n_areas; a++) {
        per_hyper[a] = grid[(int64_t)a * GRID_FIELDS + GRID_Q];
        if (per_hyper[a] < 1 || per_hyper[a] > hyper_ticks || occ[a] < 0 || occ[a] > (INT64_C(1) << 32))
            return 0;
        st[a] = (area_state){0, 0, 0, 0, 1, 0, 0, occ[a], 0, 0, 0};
        load_template(&st[a], templates + (int64_t)a * RECORD_SIZE);
    }
    return 1;
}

/* pattern: len entries; pos: the first entry to emit, in hyperperiod number `hyper`;
 * grid: as for scs_merge_fcfs, but only GRID_Q is read: each area's periods per hyperperiod. */
int64_t scs_merge_pattern(const int64_t *grid, int n_areas, const uint8_t *templates, const int64_t *occ,
                          int rec_size, const int32_t *field_off, const int64_t *pattern, int64_t len,
                          int64_t pos, int64_t hyper, int64_t hyper_ticks, int64_t stage_free, int64_t total,
                          uint8_t *out)
{
    area_state st[SCS_MERGE_MAX_AREAS];
    int64_t per_hyper[SCS_MERGE_MAX_AREAS];
    if (n_areas < 1 || n_areas > SCS_MERGE_MAX_AREAS)
        return SCS_MERGE_BAD_AREAS;
    if (!layout_ok(rec_size, field_off))
        return SCS_MERGE_BAD_LAYOUT;
    if (!walk_ok(len, pos, hyper, hyper_ticks, stage_free, total))
        return SCS_MERGE_BAD_TOTAL;
    if (!load_pattern_areas(st, per_hyper, grid, n_areas, templates, occ, hyper_ticks))
        return SCS_MERGE_BAD_GRID;
    return walk(st, n_areas, (const pattern_entry *)pattern, len, pos, hyper, per_hyper, hyper_ticks,
                stage_free, total, out);
}

/* grid: n_areas rows of GRID_FIELDS int64 (first nominal start, its remainder (k * 10^9) mod rate,
 * 10^9 div rate, 10^9 mod rate, rate, first period index, pulse count); templates: n_areas records
 * holding every constant field; occ: stage occupancy per pulse; field_off: the caller's byte offsets
 * of start_tick, displacement_ticks, end_tick, period; total: the sum of the counts = records in out.
 * Returns the tick the stage frees after the last record, or a negative SCS_MERGE_* code. */
int64_t scs_merge_fcfs(const int64_t *grid, int n_areas, const uint8_t *templates, const int64_t *occ,
                       int rec_size, const int32_t *field_off, int64_t stage_free, int64_t total, uint8_t *out)
{
    area_state st[SCS_MERGE_MAX_AREAS];
    if (n_areas < 1 || n_areas > SCS_MERGE_MAX_AREAS)
        return SCS_MERGE_BAD_AREAS;
    if (!layout_ok(rec_size, field_off))
        return SCS_MERGE_BAD_LAYOUT;
    if (stage_free < 0 || total < 0)
        return SCS_MERGE_BAD_TOTAL;
    int err = load_areas(st, grid, n_areas, templates, occ, total);
    if (err)
        return err;
    return n_areas == 1 ? one_area(st, stage_free, total, out) : merge(st, n_areas, stage_free, total, out);
}
