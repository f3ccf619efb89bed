/* The edge timer (TIM5) and its interrupt: each queued edge's pins stored at its due count.
 *
 * The timer is armed EDGE_LEAD_TICKS before the next edge is due. The interrupt then waits on the fine
 * counter (TIM2) for the due count and stores the edge's pin word and DAC code, both made when the edge
 * was queued (scs_edge_t.out): the pin store follows the counter read that reached the due count by a
 * few instructions, whatever the interrupt's entry cost and however late the timer was armed. Edges due
 * in the same tick are stored back to back; the bookkeeping (trace, counters, a 32-bit division) comes
 * after the stores. Lateness is read from TIM2 right after each pin store: that is what STATUS and
 * TIMING report (late: the store fell after its due tick).
 *
 * The spin costs at most EDGE_LEAD_TICKS of core time per edge group. With OC=1 (edge_oc.c) the pins
 * are stored by hardware instead (timer compare -> DMA into GPIOB BSRR, DAC triggered by the timer). */
#include "hal.h"
#include "platform.h"
#include "stm32f4xx.h"

#if SCS_EDGE_OC
void hal_oc_init(void);
int hal_oc_load(const scs_out_t *out, uint32_t due);
#endif

/* Interrupt entry and the head edge's load take ~50 instructions in QEMU (400 ns at 8 ns), 12 cycles
 * plus those on a chip; main-loop masked sections are a few dozen instructions: 2 us is the margin. */
#define EDGE_LEAD_TICKS 2u
/* Shorter delays are not armed: QEMU repeats an update with the period last armed, and a storm of
 * 1-count periods would starve the core. An edge this close is waited for in the interrupt instead. */
#define MIN_DELAY_COUNTS 16u
/* An interrupt more than this early (a stale or spurious update) re-arms instead of waiting. */
#define EARLY_SLACK_TICKS 2u
/* Edges due in one tick stored back to back, at most (a pulse end and the next start: two). */
#define SAME_TICK_MAX 4u

static struct edge_timer_state {
    scs_edges_t *edges;
    uint32_t counts_per_tick;
    uint32_t lead_counts;
    int emulator;
    uint64_t armed_counts; /* fine count the edge timer fires at; UINT64_MAX: nothing armed */
} et;

void hal_edge_timer_init(scs_edges_t *edges, uint32_t counts_per_tick, int emulator)
{
    et.edges = edges;
    et.counts_per_tick = counts_per_tick;
    et.lead_counts = EDGE_LEAD_TICKS * counts_per_tick;
    et.emulator = emulator;
    et.armed_counts = UINT64_MAX;
#if SCS_EDGE_OC
    if (!emulator) { /* TIM8 starts with TIM2, both from 0 */
        TIM2->CR1 = 0;
        TIM2->CNT = 0;
        hal_oc_init();
        TIM2->CR1 = TIM_CR1_CEN;
    }
#endif
    TIM5->DIER = TIM_DIER_UIE;
    NVIC_SetPriority(TIM5_IRQn, 0u); /* the highest priority: pulse edges first */
    NVIC_EnableIRQ(TIM5_IRQn);
}

/* Arm the edge timer to fire at fine count `target` (interrupts masked by the caller). */
static void arm(uint64_t target)
{
    uint64_t now = hal_fine_now();
    uint64_t delay = MIN_DELAY_COUNTS;
    if (target > (now + MIN_DELAY_COUNTS)) {
        delay = target - now;
    }
    if (delay > 0xFFFFFFF0u) {
        delay = 0xFFFFFFF0u;
    }
    et.armed_counts = target;
    if (et.emulator != 0) { /* the update fires ARR counts after this write */
        TIM5->CR1 = TIM_CR1_CEN;
        TIM5->ARR = (uint32_t)delay;
        return;
    }
    /* one pulse: count from 0, update when the counter passes ARR, then stop */
    TIM5->CR1 = 0;
    TIM5->CNT = 0;
    TIM5->ARR = (uint32_t)delay - 1u; /* never 0: delay >= MIN_DELAY_COUNTS */
    TIM5->SR = 0;
    TIM5->CR1 = TIM_CR1_OPM | TIM_CR1_URS | TIM_CR1_CEN;
}

/* The fine count an edge due at `tick` is waited for from (a lead before its tick starts). */
static uint64_t wake_for(uint64_t tick)
{
    uint64_t at = tick * et.counts_per_tick;
    return (at > et.lead_counts) ? (at - et.lead_counts) : 0u;
}

/* The first queued edge, if any (none without an output attached). */
static const scs_edge_t *head_edge(void) { return (et.edges != NULL) ? scs_edges_peek(et.edges, 0u) : NULL; }

/* The next deadline: a lead before the first queued edge, or the periodic wake-up of the loop. */
static uint64_t deadline(uint64_t now)
{
    const scs_edge_t *e = head_edge();
    uint64_t wake = now + (uint64_t)HAL_WAKE_TICKS * et.counts_per_tick;
    uint64_t at = (e != NULL) ? wake_for(e->due) : UINT64_MAX;
    return (at < wake) ? at : wake;
}

void scs_platform_timer_arm(void)
{
    /* no output attached (QEMU's virtual-clock mode): the timer stays idle and the loop sleeps until
     * a byte arrives. QEMU rebases its timers at a QMP reset, and an armed timer then moves the virtual
     * clock by the whole time since power-on at every wake-up, growing it without bound. */
    if (et.edges == NULL) {
        return;
    }
    uint64_t target = deadline(hal_fine_now()); /* computed before masking: the mask stays short */
    uint32_t saved = scs_platform_irq_lock();
    if (target < et.armed_counts) {
        arm(target);
    }
    scs_platform_irq_unlock(saved);
}

/* Store the head edge at its due count and the edges due in the same tick right after it; then
 * account for them. Nothing but the wait, a load and the stores between the due count and a store. */
static void fire_group(scs_edges_t *q, const scs_edge_t *head)
{
    const scs_edge_t *e = head;
    uint32_t late[SAME_TICK_MAX];
    uint64_t due_tick = e->due;
    uint32_t due = (uint32_t)(due_tick * et.counts_per_tick); /* TIM2's low word: within 2^31 counts */
    unsigned n = 0;
#if SCS_EDGE_OC
    if (hal_oc_load(&e->out, due) != 0) { /* the compare stores it at the count; account once it passed */
        while ((TIM2->CNT - due) >= 0x80000000u) { /* TIM2 short of due: their difference mod 2^32 is negative */
        }
        late[n] = 0u;
        n++;
        e = scs_edges_peek(q, n);
    }
    while ((e != NULL) && (n < SAME_TICK_MAX) && ((n == 0u) || (e->due == due_tick))) {
        GPIOB->BSRR = e->out.pin_word; /* too late for the compare, or a second edge in its tick */
        late[n] = TIM2->CNT - due;
        n++;
        DAC->DHR12R1 = e->out.dac_word;
        e = scs_edges_peek(q, n);
    }
#else
    while ((TIM2->CNT - due) >= 0x80000000u) { /* TIM2 short of due: their difference mod 2^32 is negative */
    }
    do {
        GPIOB->BSRR = e->out.pin_word;
        late[n] = TIM2->CNT - due; /* the lateness where the pin is written */
        n++;
        DAC->DHR12R1 = e->out.dac_word;
        e = (n < SAME_TICK_MAX) ? scs_edges_peek(q, n) : NULL;
    } while ((e != NULL) && (e->due == due_tick));
#endif
    for (unsigned k = 0u; k < n; k++) {
        scs_edges_retire(q, late[k], et.counts_per_tick);
    }
}

void TIM5_IRQHandler(void);
void TIM5_IRQHandler(void)
{
    TIM5->SR = 0;
    uint64_t target = et.armed_counts;
    uint64_t now = hal_fine_now();
    et.armed_counts = UINT64_MAX;
    if ((target != UINT64_MAX) && ((now + ((uint64_t)EARLY_SLACK_TICKS * et.counts_per_tick)) < target)) {
        arm(target);
        return;
    }
    /* every edge due within a lead (and a tick: closer than arming is worth) is waited for here */
    const scs_edge_t *e = head_edge();
    while ((e != NULL) && (wake_for(e->due) <= (now + et.counts_per_tick))) {
        fire_group(et.edges, e);
        now = hal_fine_now();
        e = head_edge();
    }
    arm(deadline(now));
}
