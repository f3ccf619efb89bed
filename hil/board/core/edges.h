/* The queue of upcoming output edges: the main loop computes pulses ahead of time and pushes their
 * phase edges (cathodic start, gap, recharge window, end); the timer interrupt pops each edge when its
 * tick comes, drives the pins and the DAC, and records what it did (the tick it fired, late edges).
 * Each slot carries the words the port stores (scs_out_t), made when the edge is queued, so the
 * interrupt computes nothing between the due instant and the pin store.
 *
 * One producer (main loop), one consumer (the timer interrupt): the indexes are C11 atomics, so neither
 * side locks in the normal path. Edges are pushed in time order (pulses never overlap on the stage). */
#ifndef SCS_EDGES_H
#define SCS_EDGES_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#define SCS_EDGE_CAPACITY 256u /* power of two; 8 ms of HF10 (10 kHz, 3 edges a pulse) */

/* Pin bits (the GPIO nibble of the README's pin map). */
#define SCS_PIN_CATHODIC 0x1u
#define SCS_PIN_RECHARGE 0x2u
#define SCS_PIN_AREA_SHIFT 2u

#define SCS_EDGE_START 0x1u /* the cathodic edge that starts a pulse: traced */
#define SCS_EDGE_FIRED 0x80u /* set by the interrupt: the slot keeps what it drove until reused */

/* What the port stores for an edge (scs_platform_output_word): the pin register word and the DAC code. */
typedef struct {
    uint32_t pin_word;
    uint32_t dac_word;
} scs_out_t;

typedef struct {
    uint64_t due;          /* tick */
    uint16_t amplitude_ua; /* of the pulse (traced); the DAC gets dac_code */
    uint16_t dac_code;     /* the DAC code now (0 outside a driven phase; scs_phase_codes) */
    uint8_t pins;          /* SCS_PIN_* bits, area in bits 2..3 */
    uint8_t area;
    uint8_t flags;         /* SCS_EDGE_START, SCS_EDGE_FIRED */
    uint8_t late;          /* once fired: whole ticks after the due tick's start (0: in its tick; saturated) */
    scs_out_t out;         /* the words the interrupt stores, precomputed at scs_edges_push */
} scs_edge_t;

/* What the interrupt side did, for STATUS and the benchmark. */
typedef struct {
    uint32_t edges;
    uint32_t pulses;
    /* late: an edge's pin store fell after its due tick (its pulse counts once) */
    uint32_t late_edges;
    uint32_t late_pulses;
    uint32_t worst_latency_ticks;     /* max whole ticks between the due tick's start and the pin store */
    uint32_t worst_latency_counts;    /* the same in timer counts: the clock read right after the pin store */
} scs_edge_stats_t;

/* Called by the interrupt side for each pulse start it fires (the trace). */
typedef void (*scs_pulse_fn)(void *ctx, uint64_t fired_tick, uint8_t area, uint16_t amplitude_ua);

typedef struct {
    scs_edge_t ring[SCS_EDGE_CAPACITY];
    /* free-running indexes: head consumed by the interrupt, tail by the main loop */
    atomic_uint head;
    atomic_uint tail;
    scs_edge_stats_t stats;
    uint8_t late_open;      /* the current pulse already counted late */
    scs_pulse_fn on_pulse;
    void *pulse_ctx;
} scs_edges_t;

/* The edges fired drive scs_platform_output; on_pulse(ctx, ...) is called for each pulse start. */
void scs_edges_init(scs_edges_t *q, scs_pulse_fn on_pulse, void *ctx);
unsigned scs_edges_free(const scs_edges_t *q);
unsigned scs_edges_count(const scs_edges_t *q);
/* Main loop: append one edge (the caller checked there is room). */
void scs_edges_push(scs_edges_t *q, const scs_edge_t *e);
/* Due tick of the oldest queued edge; UINT64_MAX when empty. */
uint64_t scs_edges_next_due(const scs_edges_t *q);
/* Due tick of the last queued edge (0 when empty): where the stage is busy until. */
uint64_t scs_edges_last_due(const scs_edges_t *q);
/* Interrupt side: the k-th queued edge (0: the next to fire), or NULL when fewer are queued. Inline: the
 * interrupt reaches a second edge due in the same tick without a call between two pin stores. */
static inline const scs_edge_t *scs_edges_peek(const scs_edges_t *q, unsigned k)
{
    unsigned head = atomic_load_explicit(&q->head, memory_order_relaxed);
    unsigned tail = atomic_load_explicit(&q->tail, memory_order_acquire);
    return ((tail - head) > k) ? &q->ring[(head + k) & (SCS_EDGE_CAPACITY - 1u)] : NULL;
}
/* Interrupt side, after the head edge's pins were stored `late_counts` timer counts after its due
 * tick started: record it (trace, counters; late when late_counts >= counts_per_tick) and pop it. */
void scs_edges_retire(scs_edges_t *q, uint32_t late_counts, uint32_t counts_per_tick);
/* Main loop, interrupt masked by the caller: drop every queued pulse that has not started yet, keep the
 * remaining edges of a pulse in progress (a started pulse always completes its charge balance).
 * Returns the due tick of the last edge kept (0 when none). */
uint64_t scs_edges_cut(scs_edges_t *q);
#endif
