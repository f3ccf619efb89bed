#include "edges.h"
#include "platform.h"

#include <string.h>

#define MASK (SCS_EDGE_CAPACITY - 1u)

void scs_edges_init(scs_edges_t *q, scs_pulse_fn on_pulse, void *ctx)
{
    (void)memset(q, 0, sizeof *q);
    atomic_init(&q->head, 0u);
    atomic_init(&q->tail, 0u);
    q->on_pulse = on_pulse;
    q->pulse_ctx = ctx;
}

unsigned scs_edges_count(const scs_edges_t *q)
{
    unsigned tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    return tail - atomic_load_explicit(&q->head, memory_order_acquire);
}

unsigned scs_edges_free(const scs_edges_t *q) { return SCS_EDGE_CAPACITY - scs_edges_count(q); }

void scs_edges_push(scs_edges_t *q, const scs_edge_t *e)
{
    unsigned tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    q->ring[tail & MASK] = *e;
    q->ring[tail & MASK].out = scs_platform_output_word(e->pins, e->dac_code); /* no arithmetic in the interrupt */
    atomic_store_explicit(&q->tail, tail + 1u, memory_order_release); /* the edge is complete before it is visible */
}

uint64_t scs_edges_next_due(const scs_edges_t *q)
{
    unsigned head = atomic_load_explicit(&q->head, memory_order_relaxed);
    if (head == atomic_load_explicit(&q->tail, memory_order_acquire)) {
        return UINT64_MAX;
    }
    return q->ring[head & MASK].due;
}

uint64_t scs_edges_last_due(const scs_edges_t *q)
{
    unsigned tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    if (tail == atomic_load_explicit(&q->head, memory_order_acquire)) {
        return 0u;
    }
    return q->ring[(tail - 1u) & MASK].due;
}

void scs_edges_retire(scs_edges_t *q, uint32_t late_counts, uint32_t counts_per_tick)
{
    unsigned head = atomic_load_explicit(&q->head, memory_order_relaxed);
    scs_edge_t *e = &q->ring[head & MASK];
    uint32_t late = late_counts / counts_per_tick; /* after the pin store: a 32-bit division */
    e->late = (uint8_t)((late > 255u) ? 255u : late); /* the slot is evidence of what was driven, when */
    e->flags |= SCS_EDGE_FIRED;
    if ((e->flags & SCS_EDGE_START) != 0u) {
        q->late_open = 0u;
        q->stats.pulses++;
        if (q->on_pulse != NULL) {
            q->on_pulse(q->pulse_ctx, e->due + late, e->area, e->amplitude_ua);
        }
    }
    q->stats.edges++;
    if (late_counts > q->stats.worst_latency_counts) {
        q->stats.worst_latency_counts = late_counts;
    }
    if (late != 0u) {
        q->stats.late_edges++;
        if (q->late_open == 0u) {
            q->late_open = 1u;
            q->stats.late_pulses++;
        }
        if (late > q->stats.worst_latency_ticks) {
            q->stats.worst_latency_ticks = late;
        }
    }
    atomic_store_explicit(&q->head, head + 1u, memory_order_release);
}

uint64_t scs_edges_cut(scs_edges_t *q)
{
    unsigned head = atomic_load_explicit(&q->head, memory_order_relaxed);
    unsigned tail = atomic_load_explicit(&q->tail, memory_order_relaxed);
    unsigned keep = head;
    while ((keep != tail) && ((q->ring[keep & MASK].flags & SCS_EDGE_START) == 0u)) {
        keep++; /* the rest of the pulse in progress */
    }
    atomic_store_explicit(&q->tail, keep, memory_order_release);
    return (keep != head) ? q->ring[(keep - 1u) & MASK].due : 0u;
}
