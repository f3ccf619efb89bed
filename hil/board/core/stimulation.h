/* Derived timing of an area in ticks (1 us), as firmware_model/stimulation/params.py's Area, shared by
 * the safety checks, the interleaving analysis and the scheduler; and what those parts of the core
 * share with each other (not part of therapy.h's face). */
#ifndef SCS_STIMULATION_H
#define SCS_STIMULATION_H
#include <stdint.h>

#include "scs_protocol.h"
#include "therapy.h"

#define PERIOD_NUMERATOR 1000000000ULL
#define MAX_CATHODE_CHARGE_PC ((uint64_t)SCS_MAX_CATHODE_CHARGE_PC) /* the definition's charge limit, pC */
#define MAX_DISPLACEMENT SCS_MAX_DISPLACEMENT_TICKS
#define MAX_SCAN 2000000ULL
#define COMPLIANCE_MV SCS_COMPLIANCE_MV
#define CASE_OHM SCS_CASE_IMPEDANCE_OHM

/* --- derived timing (ticks), as firmware_model.params.Area ------------------------------------ */
static inline uint32_t recharge_width(const scs_area_t *a) { return (a->recharge == 0u) ? ((uint32_t)a->pulse_width_us * a->ratio) : a->window_us; }
static inline uint32_t occupancy(const scs_area_t *a) { return a->pulse_width_us + a->gap_us + recharge_width(a); }
static inline unsigned per_period(const scs_area_t *a) { return (a->waveform == (uint8_t)SCS_WAVEFORM_CODE_BURST) ? a->per_burst : 1u; }
static inline uint64_t offset_of(const scs_area_t *a, unsigned i) { return (a->waveform == (uint8_t)SCS_WAVEFORM_CODE_BURST) ? ((i * PERIOD_NUMERATOR) / a->intra_mhz) : 0u; }
static inline uint32_t occ_of(const scs_area_t *a, unsigned i) { return ((a->waveform == (uint8_t)SCS_WAVEFORM_CODE_BURST) && ((i + 1u) < a->per_burst)) ? a->pulse_width_us : occupancy(a); }
static inline uint64_t min_period(const scs_area_t *a) { return PERIOD_NUMERATOR / a->rate_mhz; }
static inline uint64_t work_per_period(const scs_area_t *a)
{
    uint64_t w = 0;
    for (unsigned i = 0; i < per_period(a); i++) {
        w += occ_of(a, i);
    }
    return w;
}

enum area_field { F_NONE = 0, F_WAVEFORM = 2, F_SHARE, F_ANODE_MASK, F_CASE, F_AMPLITUDE, F_WIDTH, F_RATE, F_GAP, F_RECHARGE, F_RATIO,
       F_WINDOW, F_PER_BURST, F_INTRA, F_CYCLE_ON, F_CYCLE_OFF, F_SOFT_START };


/* safety.c: the largest amplitude within compliance at these contact impedances, and the load's
 * impedance estimate (ohm) the current draw uses */
uint16_t scs_compliance_cap_ua(const scs_area_t *a, const uint16_t *ohms);
void scs_phase_codes(uint16_t amp_ua, uint8_t active_ratio, uint16_t *cathodic, uint16_t *recharge);
float scs_load_ohm_estimate(const scs_area_t *a, const uint16_t *ohms);
/* scheduler.c: the area whose next pulse is nominally first (-1: none); take that pulse off the grid:
 * its start relative to turn-on (UINT64_MAX: not emitted), its burst index and amplitude */
int scs_sched_first_area(const scs_therapy_t *t);
uint64_t scs_sched_take(scs_therapy_t *t, unsigned best, unsigned *burst_index, uint16_t *amp);
/* pulse_output.c: drop queued pulses that have not started; the tick the stage is busy until (0: none) */
uint64_t scs_output_cut(scs_therapy_t *t);
#endif
