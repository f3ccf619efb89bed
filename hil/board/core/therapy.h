/* Therapy on the board: stored programs, patient limits, safety limits, interleaving analysis, and
 * the pulse scheduler that times pulses in device ticks and records them to the trace buffer.
 * Every rule mirrors the reference model (firmware_model); the conformance suite compares them. */
#ifndef SCS_THERAPY_H
#define SCS_THERAPY_H
#include <stdint.h>

#include "edges.h"
#include "platform.h"
#include "scs_protocol.h"

#define SCS_PROGRAMS SCS_MAX_PROGRAMS
#define SCS_AREAS SCS_MAX_AREAS
#define SCS_CONTACTS SCS_CONTACT_COUNT
#define SCS_TRACE_CAPACITY 1536u
#define SCS_MEMORY_KEYS SCS_SETTINGS_MEMORY_KEYS /* remembered amplitudes: per posture, then AdaptiveStim off */
/* Hardware-timed output: the first pulse starts SCS_START_LEAD_TICKS (the device definition's
 * start_lead_ticks) after turn-on, so its edges are armed ahead of their tick; the main loop keeps the
 * edges of the next LOOKAHEAD ticks queued. An amplitude change reaches the pins within the lookahead;
 * turning off cuts the queue at once (a started pulse completes). */
#define SCS_LOOKAHEAD_TICKS 10000u

typedef struct {
    uint8_t waveform;            /* 0 tonic, 1 burst, 2 high frequency */
    uint8_t share[SCS_CONTACTS]; /* cathode current share, % */
    uint16_t anode_mask;
    uint8_t case_anode;
    uint16_t amplitude_ua;
    uint16_t pulse_width_us;
    uint32_t rate_mhz;
    uint8_t gap_us;
    uint8_t recharge;            /* 0 active, 1 passive */
    uint8_t ratio;
    uint16_t window_us;
    uint8_t per_burst;
    uint32_t intra_mhz;
    uint32_t cycle_on_ms;
    uint32_t cycle_off_ms;
    uint16_t soft_start_ms;
} scs_area_t;

typedef struct {
    uint8_t used;
    uint8_t count;
    uint8_t selectable;
    scs_area_t area[SCS_AREAS];
    uint16_t lo[SCS_AREAS];
    uint16_t hi[SCS_AREAS];
    uint8_t remembered[SCS_MEMORY_KEYS];
    uint16_t amps[SCS_MEMORY_KEYS][SCS_AREAS];
} scs_program_t;

/* Called now and then by long computations (the interleaving analysis) so the caller can keep the pulse
 * queue filled and the watchdog fed. */
typedef struct {
    void (*fn)(void *ctx);
    void *ctx;
} scs_poll_t;

/* The next pulse of an area: period k = q*repeat + s starts at block + floor(s*10^9/rate), where block =
 * q * repeat * 10^9 / rate (exact for any tick: see seek() in scheduler.c). */
typedef struct {
    uint64_t block;      /* start of period q*repeat, ticks relative to turn-on */
    uint64_t nominal;    /* relative to turn-on */
    uint32_t s;  /* period index within the block; periods per block */
    uint32_t repeat;
    uint8_t i;           /* pulse index in the period (bursts) */
} scs_next_t;

typedef struct {
    scs_program_t programs[SCS_PROGRAMS];
    scs_area_t staged[SCS_PROGRAMS][SCS_AREAS];
    uint8_t staged_mask[SCS_PROGRAMS];
    uint8_t active;
    uint8_t stim_on;
    uint8_t mri;
    uint8_t mri_saved_on;
    uint8_t posture;
    uint8_t adaptive_enabled;
    uint32_t dwell_ms;
    uint16_t ramp_ua_per_s;
    uint16_t applied[SCS_AREAS];
    uint16_t target[SCS_AREAS];  /* AdaptiveStim ramps applied toward this */
    uint16_t ohms[SCS_CONTACTS]; /* the last impedance check */
    uint8_t stopped;             /* bit a: area a uses a faulted contact and emits nothing */
    /* the running pulse train */
    uint64_t origin;
    uint64_t stage_free;
    uint16_t cap_ua[SCS_AREAS];
    scs_next_t next[SCS_AREAS];
    scs_edges_t *edges;  /* hardware-timed output (scs_platform_edges; 0: pulses are traced when due) */
    uint8_t queued;      /* edges of the running train may be queued */
    uint32_t late_reported;   /* late pulses already reported by an event */
    uint64_t late_report_tick;
    /* trace (appended by the timer interrupt when hardware-timed) */
    volatile uint8_t tracing;
    uint32_t trace_len;
    uint32_t trace_limit;
    uint8_t trace[SCS_TRACE_CAPACITY][11];
} scs_therapy_t;

/* An area from / to the fields of AREA_WRITE (and AREA, and the settings image): area_codec.c */
void scs_area_from_msg(const scs_msg_area_write_t *m, scs_area_t *a);
void scs_area_to_msg(const scs_area_t *a, scs_msg_area_t *m);
void scs_area_to_write(const scs_area_t *a, scs_msg_area_write_t *m);
/* OK, OUT_OF_RANGE or UNSAFE; *field is the AREA_WRITE field index to report. */
uint8_t scs_area_validate(const scs_area_t *a, uint8_t *field);
uint16_t scs_max_safe_amplitude_ua(const scs_area_t *a);
/* 1 when the areas can share the output stage within the displacement bound (poll may be 0). Bounded:
 * see firmware_model/stimulation/interleave.py, which decides identically. */
int scs_interleave_ok(const scs_area_t *areas, unsigned n, const scs_poll_t *poll);
void scs_stim_start(scs_therapy_t *t, uint64_t now);
/* The tick a hardware-timed start counts from (marked by the pin observer). */
uint64_t scs_stim_clock(void);
/* Continue the running train from `rel` ticks after turn-on with the output stage idle: the next pulse of
 * each area is its first with nominal start >= rel (the reference's Scheduler.chunks(start_tick=rel)). */
void scs_stim_seek(scs_therapy_t *t, uint64_t rel);
/* Which areas of the active program use a contact outside [250, 4000] ohms (bit per area). */
uint8_t scs_stopped_areas(const scs_therapy_t *t);
/* The quiescent-free current the running program draws from a cell at cell_v volts, amperes. */
float scs_stim_current_a(const scs_therapy_t *t, float cell_v);
void scs_stim_retarget(scs_therapy_t *t, uint64_t now);
/* Emit due pulses (a bounded batch); 1 when caught up. Hardware-timed: queue the edges of the pulses
 * of the next SCS_LOOKAHEAD_TICKS instead (and cut the queue once stimulation is off). */
int scs_stim_service(scs_therapy_t *t, uint64_t now);
/* Start recording up to max pulses (safe against the timer interrupt appending). */
void scs_trace_start(scs_therapy_t *t, uint32_t max);
/* The trace hook the edge queue calls for each pulse it fires. */
void scs_trace_pulse(void *therapy, uint64_t tick, uint8_t area, uint16_t amplitude_ua);
uint32_t scs_stim_late_pulses(const scs_therapy_t *t);
#endif
