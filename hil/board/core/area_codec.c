/* An area of a program to and from the generated message structs (AREA_WRITE in, AREA out; the
 * settings image stores areas as AREA_WRITE payloads). */
#include <string.h>

#include "therapy.h"

/* AREA_WRITE and AREA carry the same area fields under the same names. */
#define AREA_FROM(m, a)                                                   \
    do {                                                                  \
        (a)->waveform = (m)->waveform;                                    \
        (void)memcpy((a)->share, (m)->cathode_share_pct, sizeof (a)->share); \
        (a)->anode_mask = (m)->anode_mask;                                \
        (a)->case_anode = (m)->case_anode;                                \
        (a)->amplitude_ua = (m)->amplitude_ua;                            \
        (a)->pulse_width_us = (m)->pulse_width_us;                        \
        (a)->rate_mhz = (m)->rate_mhz;                                    \
        (a)->gap_us = (m)->interphase_gap_us;                             \
        (a)->recharge = (m)->recharge;                                    \
        (a)->ratio = (m)->recharge_ratio;                                 \
        (a)->window_us = (m)->passive_window_us;                          \
        (a)->per_burst = (m)->pulses_per_burst;                           \
        (a)->intra_mhz = (m)->intra_burst_rate_mhz;                       \
        (a)->cycle_on_ms = (m)->cycle_on_ms;                              \
        (a)->cycle_off_ms = (m)->cycle_off_ms;                            \
        (a)->soft_start_ms = (m)->soft_start_ms;                          \
    } while (0)

#define AREA_TO(a, m)                                                     \
    do {                                                                  \
        (m)->waveform = (a)->waveform;                                    \
        (void)memcpy((m)->cathode_share_pct, (a)->share, sizeof (a)->share); \
        (m)->anode_mask = (a)->anode_mask;                                \
        (m)->case_anode = (a)->case_anode;                                \
        (m)->amplitude_ua = (a)->amplitude_ua;                            \
        (m)->pulse_width_us = (a)->pulse_width_us;                        \
        (m)->rate_mhz = (a)->rate_mhz;                                    \
        (m)->interphase_gap_us = (a)->gap_us;                             \
        (m)->recharge = (a)->recharge;                                    \
        (m)->recharge_ratio = (a)->ratio;                                 \
        (m)->passive_window_us = (a)->window_us;                          \
        (m)->pulses_per_burst = (a)->per_burst;                           \
        (m)->intra_burst_rate_mhz = (a)->intra_mhz;                       \
        (m)->cycle_on_ms = (a)->cycle_on_ms;                              \
        (m)->cycle_off_ms = (a)->cycle_off_ms;                            \
        (m)->soft_start_ms = (a)->soft_start_ms;                          \
    } while (0)

void scs_area_from_msg(const scs_msg_area_write_t *m, scs_area_t *a) { AREA_FROM(m, a); }

void scs_area_to_msg(const scs_area_t *a, scs_msg_area_t *m) { AREA_TO(a, m); }

void scs_area_to_write(const scs_area_t *a, scs_msg_area_write_t *m) { AREA_TO(a, m); }
