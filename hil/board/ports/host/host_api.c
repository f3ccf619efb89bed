/* A C API around the portable core for host tests (ctypes): no struct layouts cross the boundary. */
#include <stdlib.h>
#include <string.h>

#include "host.h"

/* A board with these keys (test_key may be NULL: no test role) and blank storage. */
void *scs_host_new(uint64_t device_id, const uint8_t *patient_key, const uint8_t *clinician_key, const uint8_t *test_key)
{
    host_t *h = calloc(1, sizeof *h);
    if (h == NULL) {
        return NULL;
    }
    scs_keys_t keys;
    (void)memset(&keys, 0, sizeof keys);
    keys.device_id = device_id;
    (void)memcpy(keys.patient_key, patient_key, SCS_KEY_SIZE);
    (void)memcpy(keys.clinician_key, clinician_key, SCS_KEY_SIZE);
    if (test_key != NULL) {
        (void)memcpy(keys.test_key, test_key, SCS_KEY_SIZE);
        keys.has_test_key = 1;
    }
    (void)memset(h->slots, 0xFF, sizeof h->slots);
    (void)memset(h->record, 0xFF, sizeof h->record);
    scs_record_save(&h->fw); /* provisioned at the factory: the first record (epoch 0) */
    /* the clock is virtual (scs_platform_clock_kind): it moves only by CLOCK_ADVANCE or scs_host_advance */
    scs_fw_power_on(&h->fw, &keys);
    return h;
}

/* The reset button: RAM is lost (clock restarts at 0), settings and the security record are kept. */
void scs_host_hardware_reset(void *handle)
{
    host_t *h = handle;
    h->fw.ticks = 0;
    scs_fw_reboot(&h->fw, 0);
}

/* The security record's slot i (SCS_RECORD_WORDS words), for tests. */
uint32_t *scs_host_record(void *handle, unsigned i) { return ((host_t *)handle)->record[i]; }

void scs_host_free(void *h) { free(h); }

size_t scs_host_receive(void *handle, const uint8_t *data, size_t len, uint8_t *out, size_t out_cap)
{
    host_t *h = handle;
    h->out = out;
    h->out_len = 0;
    h->out_cap = out_cap;
    scs_fw_receive(&h->fw, data, len);
    h->out = NULL;
    return h->out_len;
}

void scs_host_advance(void *handle, uint64_t ticks) { scs_fw_advance(&((host_t *)handle)->fw, ticks); }
uint32_t scs_host_dropped(void *handle) { return ((host_t *)handle)->fw.link.dropped_frames; }

/* Power fails at the k-th storage write step from now. */
void scs_host_fail_after(void *handle, uint32_t k)
{
    host_t *h = handle;
    uint32_t step = h->fw.nvm.steps + k;
    h->fw.nvm.fail_at_step = (int32_t)step;
}

/* Power comes back: a reboot from the settings storage (returns 1 if power had been lost). */
int scs_host_power_cycle(void *handle)
{
    host_t *h = handle;
    int lost = h->fw.nvm.power_lost;
    h->fw.nvm.power_lost = 0;
    h->fw.nvm.fail_at_step = -1;
    scs_fw_reboot(&h->fw, 0);
    return lost;
}

/* Copy of slot i, for tests that inspect or corrupt the storage. */
uint8_t *scs_host_slot(void *handle, unsigned i) { return ((host_t *)handle)->slots[i]; }

/* A scheduler of its own (not the board's): n_areas areas given as AREA_WRITE payloads (SCS_AREA_WRITE_SIZE
 * bytes each) at their programmed amplitudes, contact impedances ohms[SCS_CONTACTS]. */
static scs_therapy_t *lone_scheduler(const uint8_t *area_writes, unsigned n_areas, const uint16_t *ohms)
{
    scs_therapy_t *t = calloc(1, sizeof *t);
    if ((t == NULL) || (n_areas == 0u) || (n_areas > SCS_AREAS)) {
        free(t);
        return NULL;
    }
    scs_program_t *prog = &t->programs[0];
    prog->used = 1;
    prog->count = (uint8_t)n_areas;
    for (unsigned a = 0u; a < n_areas; a++) {
        scs_msg_area_write_t m;
        scs_msg_area_write_decode(&area_writes[a * SCS_AREA_WRITE_SIZE], SCS_AREA_WRITE_SIZE, &m);
        scs_area_from_msg(&m, &prog->area[a]);
        t->applied[a] = prog->area[a].amplitude_ua;
    }
    (void)memcpy(t->ohms, ohms, sizeof t->ohms);
    t->stopped = scs_stopped_areas(t);
    scs_stim_start(t, 0);
    return t;
}

/* Run t up to `until` ticks after turn-on with the trace on; the trace records (11 bytes each) go to out
 * (up to max of them, the rest only counted). Returns the number of pulses emitted. */
static uint64_t run_lone(scs_therapy_t *t, uint64_t until, uint8_t *out, uint64_t max)
{
    uint64_t pulses = 0u;
    int done = 0;
    while (done == 0) {
        t->trace_len = 0u;
        t->tracing = 1u;
        t->trace_limit = SCS_TRACE_CAPACITY;
        /* a service call emits at most 64 pulses: keep room for them in the trace */
        while ((done == 0) && ((t->trace_len + 64u) <= SCS_TRACE_CAPACITY)) {
            done = scs_stim_service(t, until);
        }
        for (uint32_t r = 0u; r < t->trace_len; r++) {
            if (pulses < max) {
                (void)memcpy(&out[pulses * 11u], t->trace[r], 11u);
            }
            pulses++;
        }
    }
    return pulses;
}

/* The board's pulse scheduler alone (for the scheduler benchmark): every contact at `ohm`, run from
 * turn-on for `ticks` ticks with the pulse trace on. Returns the number of pulses the scheduler emitted. */
uint64_t scs_host_run_scheduler(const uint8_t *area_writes, unsigned n_areas, uint16_t ohm, uint64_t ticks)
{
    uint16_t ohms[SCS_CONTACTS];
    for (unsigned c = 0u; c < SCS_CONTACTS; c++) {
        ohms[c] = ohm;
    }
    scs_therapy_t *t = lone_scheduler(area_writes, n_areas, ohms);
    uint64_t pulses = (t != NULL) ? run_lone(t, ticks, NULL, 0u) : 0u;
    free(t);
    return pulses;
}

/* The board's pulse scheduler alone, continued from `rel` ticks after turn-on with an idle stage (years
 * ahead without emitting the years before: scs_stim_seek) for `ticks` ticks. The first max trace
 * records (tick relative to turn-on u64, area u8, amplitude u16, little-endian) go to out. Returns the
 * number of pulses emitted (UINT64_MAX: bad arguments). */
uint64_t scs_host_schedule(const uint8_t *area_writes, unsigned n_areas, const uint16_t *ohms, uint64_t rel,
                           uint64_t ticks, uint8_t *out, uint64_t max)
{
    scs_therapy_t *t = lone_scheduler(area_writes, n_areas, ohms);
    if (t == NULL) {
        return UINT64_MAX;
    }
    scs_stim_seek(t, rel);
    uint64_t pulses = run_lone(t, rel + ticks, out, max);
    free(t);
    return pulses;
}

/* Test hook: this board runs on a primary cell at state of charge ``soc_permille`` (as a build with
 * -DSCS_CELL_PRIMARY=1 would, from the given charge). */
/* The rechargeable cell at this state of charge (ppm), as a device left that long without a charger. */
void scs_host_set_soc(void *handle, uint32_t soc_ppm)
{
    host_t *h = handle;
    scs_gauge_set_soc_ppm(&h->fw.gauge, soc_ppm);
    h->fw.gauge.battery_state = scs_battery_state_of(&h->fw.gauge);
}

void scs_host_use_primary_cell(void *handle, uint32_t soc_permille)
{
    host_t *h = handle;
    h->fw.gauge.primary = 1;
    h->fw.gauge.coupled = 0;
    scs_gauge_set_soc_ppm(&h->fw.gauge, soc_permille * 1000u);
    h->fw.gauge.battery_state = scs_battery_state_of(&h->fw.gauge);
}


static void count_poll(void *ctx) { ++*(uint32_t *)ctx; }

/* The interleaving decision for n areas given as AREA_WRITE payloads (stride bytes each, program and
 * area first): 1 when they can share the stage, 0 when not, -1 for n out of range; *polls counts how
 * often the analysis yielded to the main loop (every 128 window lengths): a measure of its work. */
int scs_host_interleave(const uint8_t *payloads, unsigned n, unsigned stride, uint32_t *polls)
{
    scs_area_t areas[SCS_AREAS];
    if ((n == 0u) || (n > SCS_AREAS)) {
        return -1;
    }
    for (unsigned i = 0u; i < n; i++) {
        scs_msg_area_write_t m;
        scs_msg_area_write_decode(&payloads[(size_t)i * stride], stride, &m);
        scs_area_from_msg(&m, &areas[i]);
    }
    scs_poll_t poll = {count_poll, polls};
    *polls = 0u;
    return scs_interleave_ok(areas, n, &poll);
}

/* The board's check of one AREA_WRITE payload (SCS_AREA_WRITE_SIZE bytes, not range-checked by a codec):
 * OK, OUT_OF_RANGE or UNSAFE, and in *field the AREA_WRITE field index it names. */
uint8_t scs_host_area_validate(const uint8_t *payload, uint8_t *field)
{
    scs_msg_area_write_t m;
    scs_area_t a;
    scs_msg_area_write_decode(payload, SCS_AREA_WRITE_SIZE, &m);
    scs_area_from_msg(&m, &a);
    *field = 0;
    return scs_area_validate(&a, field);
}

/* Test hook: the running train continues as if stimulation had been turned on `rel` ticks ago (years,
 * without emitting them), the output stage idle now. Returns the new turn-on tick, or UINT64_MAX (and
 * changes nothing) when stimulation is off or the clock is not yet at rel. */
uint64_t scs_host_stim_resume_at(void *handle, uint64_t rel)
{
    host_t *h = handle;
    scs_therapy_t *t = &h->fw.therapy;
    if ((t->stim_on == 0u) || (rel > h->fw.ticks)) {
        return UINT64_MAX;
    }
    t->origin = h->fw.ticks - rel;
    scs_stim_seek(t, rel);
    return t->origin;
}
