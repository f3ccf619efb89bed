/* The pulses out: hardware-timed, the phase edges of the next SCS_LOOKAHEAD_TICKS queued for the edge
 * interrupt (firmware_model/device/pulse_output.py's phases); otherwise the pulses due traced. */
#include <string.h>

#include "le.h"
#include "platform.h"
#include "stimulation.h"


/* Drop queued pulses that have not started; the tick after which the stage is free again (0: now). */
uint64_t scs_output_cut(scs_therapy_t *t)
{
    if (!t->edges || !t->queued) {
        return 0;
    }
    uint32_t saved = scs_platform_irq_lock();
    uint64_t busy_until = scs_edges_cut(t->edges);
    scs_platform_irq_unlock(saved);
    t->queued = 0;
    return busy_until;
}

uint32_t scs_stim_late_pulses(const scs_therapy_t *t) { return (t->edges != NULL) ? t->edges->stats.late_pulses : 0u; }

/* A current's DAC code: floored to a step of the definition's scale (SCS_DAC_CODE_MAX drives
 * SCS_MAX_AMPLITUDE_UA). */
static uint16_t dac_code(uint32_t ua) { return (uint16_t)(ua * SCS_DAC_CODE_MAX / SCS_MAX_AMPLITUDE_UA); }

/* The DAC codes of a pulse's two phases; active_ratio: the area's recharge ratio when its recharge is
 * active, 0 when passive. With active recharge the recharge code comes first and the cathodic code is
 * exactly ratio times it, so the phases (ratio x the width at 1/ratio of the current) carry equal
 * charge at the pins, not just in uA x us: flooring both currents separately left up to ratio - 1
 * steps of the cathodic width unreturned. The cathodic current is then at most ratio - 1 steps further
 * below the programmed amplitude. */
void scs_phase_codes(uint16_t amp_ua, uint8_t active_ratio, uint16_t *cathodic, uint16_t *recharge)
{
    if (active_ratio != 0u) {
        *recharge = dac_code((uint32_t)amp_ua / active_ratio);
        *cathodic = (uint16_t)((uint32_t)*recharge * active_ratio);
    } else {
        *recharge = 0u;
        *cathodic = dac_code(amp_ua);
    }
}

/* The phase edges of one pulse starting at tick `at` (absolute): cathodic phase, interphase gap,
 * recharge (active: anodic at amplitude/ratio; passive: the window, no driven current), end. A pulse
 * inside a burst other than the last is its cathodic phase only (recharge follows the burst). */
static void queue_pulse(scs_therapy_t *t, unsigned ai, unsigned i, uint64_t at, uint16_t amp)
{
    const scs_area_t *a = &t->programs[t->active].area[ai];
    uint8_t area_pins = (uint8_t)(ai << SCS_PIN_AREA_SHIFT);
    uint16_t cathodic_code;
    uint16_t recharge_code;
    scs_phase_codes(amp, (a->recharge == 0u) ? a->ratio : 0u, &cathodic_code, &recharge_code);
    scs_edge_t e = {.due = at, .amplitude_ua = amp, .dac_code = cathodic_code,
                    .pins = (uint8_t)(SCS_PIN_CATHODIC | area_pins), .area = (uint8_t)ai, .flags = SCS_EDGE_START};
    scs_edges_push(t->edges, &e);
    e.flags = 0;
    e.dac_code = 0;
    e.due = at + a->pulse_width_us;
    if (occ_of(a, i) == a->pulse_width_us) { /* inside a burst */
        e.pins = 0;
        scs_edges_push(t->edges, &e);
        return;
    }
    if (a->gap_us != 0u) {
        e.pins = area_pins;
        scs_edges_push(t->edges, &e);
        e.due += a->gap_us;
    }
    e.pins = (uint8_t)(SCS_PIN_RECHARGE | area_pins);
    e.dac_code = recharge_code;
    scs_edges_push(t->edges, &e);
    e.due += recharge_width(a);
    e.pins = 0;
    e.dac_code = 0;
    scs_edges_push(t->edges, &e);
}

/* Hardware-timed: queue the pulses of the next lookahead; 1 when the queue is filled that far. */
static int fill(scs_therapy_t *t, uint64_t now)
{
    if (!t->stim_on) {
        (void)scs_output_cut(t);
        return 1;
    }
    uint64_t horizon = now + SCS_LOOKAHEAD_TICKS;
    int queued = 0;
    int done = 0;
    while (!done && scs_edges_free(t->edges) >= 4u) {
        int best = scs_sched_first_area(t);
        if ((best < 0) || ((t->origin + t->next[best].nominal) > horizon)) {
            done = 1;
            break;
        }
        unsigned i;
        uint16_t amp = 0;
        uint64_t start = scs_sched_take(t, (unsigned)best, &i, &amp);
        if (start != UINT64_MAX) {
            queue_pulse(t, (unsigned)best, i, t->origin + start, amp);
            t->queued = 1;
            queued = 1;
        }
    }
    if (queued != 0) {
        scs_platform_timer_arm();
    }
    return done;
}

int scs_stim_service(scs_therapy_t *t, uint64_t now)
{
    if (t->edges != NULL) {
        return fill(t, now);
    }
    if ((!t->stim_on) || (now < t->origin)) {
        return 1;
    }
    uint64_t rel = now - t->origin;
    /* a bounded batch per call: the main loop must keep serving the link; the trace keeps the ticks */
    for (unsigned batch = 0; batch < 64u; batch++) {
        int best = scs_sched_first_area(t);
        if ((best < 0) || (t->next[best].nominal >= rel)) {
            return 1;
        }
        unsigned i;
        uint16_t amp = 0;
        uint64_t start = scs_sched_take(t, (unsigned)best, &i, &amp);
        if (start != UINT64_MAX) {
            scs_trace_pulse(t, t->origin + start, (uint8_t)best, amp);
        }
    }
    return 0;
}

