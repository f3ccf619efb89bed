#include "ring.h"

#include <string.h>

#define MASK (SCS_RING_SIZE - 1u)

void scs_ring_init(scs_ring_t *r)
{
    (void)memset(r, 0, sizeof *r);
    atomic_init(&r->head, 0u);
    atomic_init(&r->tail, 0u);
}

size_t scs_ring_count(const scs_ring_t *r)
{
    return atomic_load_explicit(&r->tail, memory_order_acquire) - atomic_load_explicit(&r->head, memory_order_acquire);
}

int scs_ring_put(scs_ring_t *r, uint8_t b)
{
    unsigned tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
    unsigned used = tail - atomic_load_explicit(&r->head, memory_order_acquire);
    if (used >= SCS_RING_SIZE) {
        r->overruns++;
        return 0;
    }
    r->data[tail & MASK] = b;
    atomic_store_explicit(&r->tail, tail + 1u, memory_order_release);
    if ((used + 1u) > r->high_water) {
        r->high_water = used + 1u;
    }
    return 1;
}

int scs_ring_get(scs_ring_t *r, uint8_t *b)
{
    unsigned head = atomic_load_explicit(&r->head, memory_order_relaxed);
    if (head == atomic_load_explicit(&r->tail, memory_order_acquire)) {
        return 0;
    }
    *b = r->data[head & MASK];
    atomic_store_explicit(&r->head, head + 1u, memory_order_release);
    return 1;
}
