/* Whether areas can share the output stage: the reference model's bounded decision, in integers
 * (firmware_model/stimulation/interleave.py; both decide identically). */
#include <string.h>

#include "le.h"
#include "platform.h"
#include "stimulation.h"

#define MAX_CANDIDATES 8192u       /* window lengths evaluated at most: the time budget (README) */
#define MAX_RESIDUES (16u * 16u)
#define POLL_EVERY 128u

/* W(r) for 0 <= r < p: the most work of one area in a closed window of r ticks (a step function,
 * stepping at the residues (o_j - o_i) mod p). W(q*p + r) = q*work + W(r). */
typedef struct {
    uint32_t r[MAX_RESIDUES];
    uint32_t w[MAX_RESIDUES];
    unsigned n;
    uint32_t p;
    uint32_t work;
} window_table_t;

static uint32_t residue(const scs_area_t *a, unsigned i, unsigned j)
{
    uint32_t oi = (uint32_t)offset_of(a, i);
    uint32_t oj = (uint32_t)offset_of(a, j);
    uint32_t d = oj - oi; /* wraps when oj < oi: adding the period brings it back (modulo 2^32) */
    return (oj >= oi) ? d : ((uint32_t)min_period(a) + d);
}

/* Sort the residues (a shell sort: n <= 256, no recursion, no allocation) and drop repeats. */
static void sort_unique(window_table_t *tb)
{
    static const unsigned gaps[] = {57u, 23u, 10u, 4u, 1u};
    for (unsigned g = 0; g < (sizeof(gaps) / sizeof(gaps[0])); g++) {
        for (unsigned i = gaps[g]; i < tb->n; i++) {
            uint32_t v = tb->r[i];
            unsigned j = i;
            for (; (j >= gaps[g]) && (tb->r[j - gaps[g]] > v); j -= gaps[g]) {
                tb->r[j] = tb->r[j - gaps[g]];
            }
            tb->r[j] = v;
        }
    }
    unsigned m = 0;
    for (unsigned i = 0; i < tb->n; i++) {
        if ((m == 0u) || (tb->r[m - 1u] != tb->r[i])) {
            tb->r[m] = tb->r[i];
            m++;
        }
    }
    tb->n = m;
}

static void build_table(const scs_area_t *a, window_table_t *tb)
{
    unsigned n = per_period(a);
    unsigned ptr[16] = {0};
    uint32_t acc[16] = {0};
    tb->n = 0;
    tb->p = (uint32_t)min_period(a);
    tb->work = (uint32_t)work_per_period(a);
    for (unsigned i = 0; i < n; i++) {
        for (unsigned j = 0; j < n; j++) {
            tb->r[tb->n] = residue(a, i, j);
            tb->n++;
        }
    }
    sort_unique(tb);
    /* windows starting at pulse i see the pulses i, i+1, ... in order of residue: one pointer each */
    for (unsigned k = 0; k < tb->n; k++) {
        uint32_t best = 0;
        for (unsigned i = 0; i < n; i++) {
            while ((ptr[i] < n) && (residue(a, i, (i + ptr[i]) % n) <= tb->r[k])) {
                acc[i] += occ_of(a, (i + ptr[i]) % n);
                ptr[i]++;
            }
            if (acc[i] > best) {
                best = acc[i];
            }
        }
        tb->w[k] = best;
    }
}

static uint32_t window_work(const window_table_t *tb, uint32_t L)
{
    uint32_t q = L / tb->p;
    uint32_t r = L - (q * tb->p);
    unsigned lo = 0; /* the last residue <= r (residue 0 is always there) */
    unsigned hi = tb->n;
    while ((hi - lo) > 1u) {
        unsigned mid = (lo + hi) / 2u;
        if (tb->r[mid] <= r) {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    return (q * tb->work) + tb->w[lo];
}

/* The scan horizon H of the bounded decision, or -1 when nothing needs scanning; -2: refuse. */
static int64_t scan_limit(const scs_area_t *areas, unsigned n, uint32_t *threshold)
{
    uint64_t units = 0;
    uint64_t total = 0;
    uint32_t least = UINT32_MAX;
    for (unsigned b = 0; b < n; b++) {
        uint64_t w = work_per_period(&areas[b]);
        uint64_t p = min_period(&areas[b]);
        units += ((w << 32) + p - 1u) / p; /* each share rounded up: a conservative utilisation */
        total += w;
        for (unsigned i = 0; i < per_period(&areas[b]); i++) {
            if (occ_of(&areas[b], i) < least) {
                least = occ_of(&areas[b], i);
            }
        }
    }
    *threshold = MAX_DISPLACEMENT + least;
    if (units >= (1ULL << 32)) {
        return -2;
    }
    if (total <= *threshold) {
        return -1;
    }
    uint64_t h = (((total - *threshold) << 32) - 1u) / ((1ULL << 32) - units);
    return (h > MAX_SCAN) ? -2 : (int64_t)h;
}

static void poll_now(const scs_poll_t *poll)
{
    if ((poll != NULL) && (poll->fn != NULL)) {
        poll->fn(poll->ctx);
    }
}

/* The window tables of the n areas; 0 when scanning to the horizon would take too many window lengths. */
static int build_tables(const scs_area_t *areas, unsigned n, uint64_t horizon, window_table_t *tables,
                        const scs_poll_t *poll)
{
    uint64_t count = 0;
    for (unsigned b = 0; b < n; b++) {
        build_table(&areas[b], &tables[b]);
        poll_now(poll);
        count += (uint64_t)tables[b].n * ((horizon / tables[b].p) + 1u);
    }
    return count <= MAX_CANDIDATES;
}

/* F(L) = sum_b W_b(L) - L peaks where some W_b steps: L = q*p_a + r, r a residue of area a. 1 when no
 * window up to the horizon demands more than L + threshold. */
static int windows_fit(const window_table_t *tables, unsigned n, uint64_t horizon, uint32_t threshold,
                       const scs_poll_t *poll)
{
    unsigned since_poll = 0;
    for (unsigned a = 0; a < n; a++) {
        for (unsigned k = 0; k < tables[a].n; k++) {
            for (uint32_t L = tables[a].r[k]; L <= horizon; L += tables[a].p) {
                uint64_t demand = 0;
                for (unsigned b = 0; b < n; b++) {
                    demand += window_work(&tables[b], L);
                }
                if (demand > ((uint64_t)L + threshold)) {
                    return 0;
                }
                since_poll++;
                if (since_poll == POLL_EVERY) {
                    since_poll = 0;
                    poll_now(poll);
                }
            }
        }
    }
    return 1;
}

int scs_interleave_ok(const scs_area_t *areas, unsigned n, const scs_poll_t *poll)
{
    if (n <= 1u) {
        return 1;
    }
    uint32_t threshold;
    int64_t horizon = scan_limit(areas, n, &threshold);
    if (horizon < 0) {
        return horizon == -1;
    }
    window_table_t tables[SCS_AREAS];
    if (build_tables(areas, n, (uint64_t)horizon, tables, poll) == 0) {
        return 0;
    }
    return windows_fit(tables, n, (uint64_t)horizon, threshold, poll);
}

