/* A byte ring between an interrupt and the main loop (one producer, one consumer, no locks): the
 * USART's receive interrupt fills one and the main loop takes whole frames out of it; the main loop
 * fills the transmit ring and the transmit interrupt drains it. */
#ifndef SCS_RING_H
#define SCS_RING_H
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "scs_protocol.h"

/* Power of two, above the largest encoded frame with its delimiter: a whole frame arrives while the one
 * before it is handled, and a trace dump answer is queued whole. */
#define SCS_RING_SIZE 2048u
_Static_assert(SCS_RING_SIZE >= (SCS_MAX_ENCODED + 1u), "a ring holds the largest frame");
_Static_assert((SCS_RING_SIZE & (SCS_RING_SIZE - 1u)) == 0u, "power of two");

typedef struct {
    uint8_t data[SCS_RING_SIZE];
    /* free-running: head read by the consumer, tail written by the producer */
    atomic_uint head;
    atomic_uint tail;
    uint32_t overruns;      /* bytes the producer had to drop (ring full) */
    uint32_t high_water;    /* most bytes ever queued */
} scs_ring_t;

void scs_ring_init(scs_ring_t *r);
size_t scs_ring_count(const scs_ring_t *r);
/* Producer: 0 when full (the byte is dropped and counted). */
int scs_ring_put(scs_ring_t *r, uint8_t b);
/* Consumer: 0 when empty. */
int scs_ring_get(scs_ring_t *r, uint8_t *b);
#endif
