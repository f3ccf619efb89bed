/* The queue of upcoming output edges: the main loop computes pulses ahead of time and pushes their
 * phase edges (cathodic start, gap, recharge window, end); the timer interrupt pops each edge when its
 * tick comes, drives the pins and the DAC, and records what it did (the tick it fired, late edges).
 *
 * One producer (main loop), one consumer (the timer interrupt): the indexes are C11 atomics, so neither
 * side locks in the normal path. Edges are pushed in time order (pulses never overlap on the stage). */
#ifndef SCS_EDGES_H
#define SCS_EDGES_H
#include <stdatomic.h>
#include <stdint.h>

#define SCS_EDGE_CAPACITY 256u /* power of two; 8 ms of HF10 (10 kHz, 3 edges a pulse) */

/* Pin bits (the GPIO nibble of the README's pin map). */
#define SCS_PIN_CATHODIC 0x1u
#define SCS_PIN_RECHARGE 0x2u
#define SCS_PIN_AREA_SHIFT 2u

#define SCS_EDGE_START 0x1u /* the cathodic edge that starts a pulse: traced */
#define SCS_EDGE_FIRED 0x80u /* set by the interrupt: the slot keeps what it drove until reused */

typedef struct {
    uint64_t due;          /* tick */
    uint16_t amplitude_ua; /* of the pulse (traced); the DAC gets dac_ua */
    uint16_t dac_ua;       /* output current now, uA (0 outside a driven phase) */
    uint8_t pins;          /* SCS_PIN_* bits, area in bits 2..3 */
    uint8_t area;
    uint8_t flags;         /* SCS_EDGE_START, SCS_EDGE_FIRED */
    uint8_t late;          /* once fired: ticks after due (saturated at 255) */
} scs_edge_t;

/* What the interrupt side did, for STATUS and the benchmark. */
typedef struct {
    uint32_t edges, pulses;
    uint32_t late_edges, late_pulses; /* an edge fired after its due tick (its pulse counts once) */
    uint32_t worst_latency_ticks;     /* max(fired - due) over all edges */
    uint32_t worst_latency_counts;    /* the same in timer counts (sub-tick resolution), for the benchmark */
} scs_edge_stats_t;

/* Called by the interrupt side for each pulse start it fires (the trace). */
typedef void (*scs_pulse_fn)(void *ctx, uint64_t fired_tick, uint8_t area, uint16_t amplitude_ua);

typedef struct {
    scs_edge_t ring[SCS_EDGE_CAPACITY];
    atomic_uint head, tail; /* free-running indexes: head consumed by the interrupt, tail by the main loop */
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
/* Interrupt side: fire every edge due at or before now_tick (late ones are counted); latency_counts is
 * how far past the due edge's timer deadline the interrupt ran, in timer counts. Returns the next due
 * tick (UINT64_MAX when empty). */
uint64_t scs_edges_fire(scs_edges_t *q, uint64_t now_tick, uint32_t latency_counts);
/* Main loop, interrupt masked by the caller: drop every queued pulse that has not started yet, keep the
 * remaining edges of a pulse in progress (a started pulse always completes its charge balance).
 * Returns the due tick of the last edge kept (0 when none). */
uint64_t scs_edges_cut(scs_edges_t *q);
#endif
