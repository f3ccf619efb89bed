/* The scheduler's merge of several areas' pulse grids under the first-come-first-served collision
 * rule, fused into one pass that writes the timeline records directly.  Exactly what the numpy path
 * in scheduler.py computes (ties go to the lower area, start = max(nominal, stage free),
 * end = start + occupancy); used when every field but the start, end and period index is constant
 * per area.  field_off = byte offsets of start_tick, displacement_ticks, end_tick, period. */
#include <stdint.h>
#include <string.h>

int64_t scs_merge_fcfs(const int64_t *nominal, const int64_t *counts, int n_areas, const int64_t *first_period,
                       const uint8_t *templates, const int64_t *occ, int rec_size, const int32_t *field_off,
                       int64_t stage_free, uint8_t *out)
{
    const int64_t *head[8], *begin[8], *end[8];
    int64_t total = 0;
    for (int a = 0; a < n_areas; a++) {
        begin[a] = head[a] = nominal + total;
        total += counts[a];
        end[a] = nominal + total;
    }
    for (int64_t i = 0; i < total; i++) {
        int best = -1;
        for (int a = 0; a < n_areas; a++)
            if (head[a] < end[a] && (best < 0 || *head[a] < *head[best]))
                best = a;
        int64_t period = first_period[best] + (head[best] - begin[best]);
        int64_t t = *head[best]++;
        int64_t s = t > stage_free ? t : stage_free;
        stage_free = s + occ[best];
        uint8_t *r = out + i * rec_size;
        uint32_t d = (uint32_t)(s - t);
        memcpy(r, templates + (int64_t)best * rec_size, (size_t)rec_size);
        memcpy(r + field_off[0], &s, sizeof s);
        memcpy(r + field_off[1], &d, sizeof d);
        memcpy(r + field_off[2], &stage_free, sizeof stage_free);
        memcpy(r + field_off[3], &period, sizeof period);
    }
    return stage_free;
}
