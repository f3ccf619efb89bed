/* The persistent settings: the binary image of the programs and preferences, saved to the two-slot
 * store (nvm.c) after every change, and loaded at boot. */
#include <string.h>

#include "core.h"
#include "crc32.h"

#define AREA_BYTES (SCS_AREA_WRITE_SIZE - SCS_SETTINGS_AREA_SKIP)
#define FLAG_STORED 1u
#define FLAG_SELECTABLE 2u
#define CRC_AT (SCS_SETTINGS_SIZE - 4u)

_Static_assert((SCS_SETTINGS_SIZE + 16u) <= SCS_NVM_SLOT_SIZE, "the settings image fits its slot");
_Static_assert(SCS_SETTINGS_PROGRAM_REMEMBERED_LOW_COUNT == (SCS_MEMORY_KEYS * SCS_AREAS), "one byte per key and area");

static unsigned program_offset(unsigned i) { return SCS_SETTINGS_HEADER_SIZE + (i * SCS_SETTINGS_PROGRAM_STRIDE); }
static uint8_t *program_at(uint8_t *img, unsigned i) { return &img[program_offset(i)]; }
static const uint8_t *program_in(const uint8_t *img, unsigned i) { return &img[program_offset(i)]; }
static unsigned area_offset(unsigned a) { return SCS_SETTINGS_PROGRAM_SIZE + (a * SCS_SETTINGS_AREA_STRIDE); }

/* One area record: the AREA_WRITE payload from the waveform on, then the patient's window. */
static void encode_area(const scs_program_t *p, unsigned i, unsigned a, uint8_t *at)
{
    uint8_t payload[SCS_AREA_WRITE_SIZE];
    scs_msg_area_write_t m = {.program = (uint8_t)i, .area = (uint8_t)a};
    scs_area_to_write(&p->area[a], &m);
    (void)scs_msg_area_write_encode(&m, payload);
    (void)memcpy(at, &payload[SCS_SETTINGS_AREA_SKIP], AREA_BYTES);
    scs_settings_window_t w = {.min_amplitude_ua = p->lo[a], .max_amplitude_ua = p->hi[a]};
    (void)scs_settings_window_encode(&w, &at[AREA_BYTES]);
}

static void encode_program(const scs_program_t *p, unsigned i, uint8_t *at)
{
    scs_settings_program_t m;
    (void)memset(&m, 0, sizeof m);
    m.flags = (uint8_t)(FLAG_STORED | (p->selectable ? FLAG_SELECTABLE : 0u));
    m.area_count = p->count;
    for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++) {
        if (!p->remembered[k]) {
            continue;
        }
        m.remembered_mask |= (uint8_t)(1u << k);
        for (unsigned a = 0; a < p->count; a++) {
            unsigned steps = p->amps[k][a] / SCS_AMPLITUDE_STEP_UA;
            unsigned bit = (k * SCS_AREAS) + a;
            m.remembered_low[bit] = (uint8_t)steps;
            m.remembered_high |= (uint32_t)((steps >> 8) & 1u) << bit;
        }
    }
    (void)scs_settings_program_encode(&m, at);
    for (unsigned a = 0; a < p->count; a++) {
        encode_area(p, i, a, &at[area_offset(a)]);
    }
}

/* The whole image (SCS_SETTINGS_SIZE bytes, CRC included). */
static size_t settings_encode(const scs_fw_t *fw, uint8_t *out)
{
    const scs_therapy_t *t = &fw->therapy;
    (void)memset(out, 0, SCS_SETTINGS_SIZE);
    scs_settings_header_t h = {
        .version = SCS_SETTINGS_VERSION, .active_program = t->active, .stim_on = t->stim_on,
        .adaptive_enabled = t->adaptive_enabled, .dwell_ms = t->dwell_ms, .ramp_ua_per_s = t->ramp_ua_per_s,
        .failed_handshakes = 0, .backoff_until = 0, /* unused: the back-off lives in the security record */
    };
    (void)scs_settings_header_encode(&h, out);
    for (unsigned i = 0; i < SCS_PROGRAMS; i++) {
        if (t->programs[i].used != 0u) {
            encode_program(&t->programs[i], i, program_at(out, i));
        }
    }
    scs_put_le(&out[CRC_AT], scs_crc32(out, CRC_AT), 4u);
    return SCS_SETTINGS_SIZE;
}

/* --- loading: every field is checked exactly as the request that set it was on the wire --------- */

/* A request payload through the wire's range checks; 0 when a field is out of range. */
static int wire_ok(uint8_t msg_id, const uint8_t *payload)
{
    uint8_t field = SCS_NO_FIELD;
    return scs_check_fields(msg_id, payload, &field) == (uint8_t)SCS_RESULT_OK;
}

/* The area as AREA_WRITE (ranges, then the area's own rules and safety limits). */
static int decode_area(unsigned i, unsigned a, const uint8_t *record, scs_area_t *out)
{
    uint8_t payload[SCS_AREA_WRITE_SIZE];
    uint8_t field = SCS_NO_FIELD;
    scs_msg_area_write_t m;
    payload[0] = (uint8_t)i;
    payload[1] = (uint8_t)a;
    (void)memcpy(&payload[SCS_SETTINGS_AREA_SKIP], record, AREA_BYTES);
    if (!wire_ok(SCS_MSG_AREA_WRITE, payload)) {
        return 0;
    }
    scs_msg_area_write_decode(payload, sizeof payload, &m);
    scs_area_from_msg(&m, out);
    return scs_area_validate(out, &field) == (uint8_t)SCS_RESULT_OK;
}

/* The window as LIMITS_WRITE on the program just decoded; then it applies. */
static int decode_window(scs_program_t *p, unsigned i, unsigned a, const uint8_t *record)
{
    uint8_t payload[SCS_LIMITS_WRITE_SIZE];
    uint8_t field = SCS_NO_FIELD;
    scs_settings_window_t w;
    scs_settings_window_decode(&record[AREA_BYTES], SCS_SETTINGS_WINDOW_SIZE, &w);
    scs_msg_limits_write_t m = {.program = (uint8_t)i, .area = (uint8_t)a, .min_amplitude_ua = w.min_amplitude_ua,
                                .max_amplitude_ua = w.max_amplitude_ua, .patient_selectable = p->selectable};
    (void)scs_msg_limits_write_encode(&m, payload);
    if (!wire_ok(SCS_MSG_LIMITS_WRITE, payload) || (scs_check_limits(p, &m, &field) != (uint8_t)SCS_RESULT_OK)) {
        return 0;
    }
    p->lo[a] = w.min_amplitude_ua;
    p->hi[a] = w.max_amplitude_ua;
    return 1;
}

/* Remembered amplitudes: each inside its area's window (AMPLITUDE_STEP never leaves it). */
static int decode_remembered(scs_program_t *p, const scs_settings_program_t *m)
{
    for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++) {
        p->remembered[k] = (uint8_t)((m->remembered_mask >> k) & 1u);
        for (unsigned a = 0; (p->remembered[k] != 0u) && (a < p->count); a++) {
            unsigned bit = (k * SCS_AREAS) + a;
            unsigned steps = (unsigned)m->remembered_low[bit] | ((unsigned)((m->remembered_high >> bit) & 1u) << 8);
            p->amps[k][a] = (uint16_t)(steps * SCS_AMPLITUDE_STEP_UA);
            if ((p->amps[k][a] < p->lo[a]) || (p->amps[k][a] > p->hi[a])) {
                return 0;
            }
        }
    }
    return 1;
}

/* One stored program as AREA_WRITE x n, PROGRAM_COMMIT and LIMITS_WRITE x n would have set it. */
static int decode_program(scs_program_t *p, unsigned i, const uint8_t *at)
{
    scs_settings_program_t m;
    scs_settings_program_decode(at, SCS_SETTINGS_PROGRAM_SIZE, &m);
    uint8_t commit[SCS_PROGRAM_COMMIT_SIZE] = {(uint8_t)i, m.area_count};
    if (((m.flags & ~(FLAG_STORED | FLAG_SELECTABLE)) != 0u) || !wire_ok(SCS_MSG_PROGRAM_COMMIT, commit)) {
        return 0;
    }
    p->used = 1;
    p->count = m.area_count;
    p->selectable = (m.flags & FLAG_SELECTABLE) != 0u;
    for (unsigned a = 0; a < p->count; a++) {
        if (!decode_area(i, a, &at[area_offset(a)], &p->area[a])) {
            return 0;
        }
    }
    if (!scs_interleave_ok(p->area, p->count, NULL)) { /* at boot: no pulses yet; 8 x 21 ms at most at 168 MHz */
        return 0;
    }
    for (unsigned a = 0; a < p->count; a++) {
        if (!decode_window(p, i, a, &at[area_offset(a)])) {
            return 0;
        }
    }
    return decode_remembered(p, &m);
}

/* The header's preferences as PROGRAM_SELECT, STIM_SET and ADAPTIVE_SET. */
static int decode_header(scs_fw_t *fw, const scs_settings_header_t *h)
{
    scs_therapy_t *t = &fw->therapy;
    uint8_t select[SCS_PROGRAM_SELECT_SIZE] = {h->active_program};
    uint8_t stim[SCS_STIM_SET_SIZE] = {h->stim_on};
    uint8_t adaptive[SCS_ADAPTIVE_SET_SIZE];
    uint8_t field = SCS_NO_FIELD;
    scs_msg_adaptive_set_t m = {.enabled = h->adaptive_enabled, .dwell_ms = h->dwell_ms, .ramp_ua_per_s = h->ramp_ua_per_s};
    (void)scs_msg_adaptive_set_encode(&m, adaptive);
    if (!wire_ok(SCS_MSG_PROGRAM_SELECT, select) || !wire_ok(SCS_MSG_STIM_SET, stim) ||
        !wire_ok(SCS_MSG_ADAPTIVE_SET, adaptive) || (scs_check_adaptive(&m, &field) != (uint8_t)SCS_RESULT_OK)) {
        return 0;
    }
    t->active = h->active_program;
    t->stim_on = h->stim_on; /* restarted by the caller */
    t->adaptive_enabled = h->adaptive_enabled;
    t->dwell_ms = h->dwell_ms;
    t->ramp_ua_per_s = h->ramp_ua_per_s;
    return 1;
}

/* 1 with the settings taken from a valid image; 0 (the caller loads the defaults) for another
 * version, a bad CRC or any field a request could not have set. */
static int settings_decode(scs_fw_t *fw, const uint8_t *in, size_t len)
{
    scs_settings_header_t h;
    if ((len != SCS_SETTINGS_SIZE) || (scs_get_le(&in[CRC_AT], 4u) != scs_crc32(in, CRC_AT))) {
        return 0;
    }
    scs_settings_header_decode(in, len, &h);
    if ((h.version != SCS_SETTINGS_VERSION) || !decode_header(fw, &h)) {
        return 0;
    }
    for (unsigned i = 0; i < SCS_PROGRAMS; i++) {
        const uint8_t *at = program_in(in, i);
        if (((at[SCS_SETTINGS_PROGRAM_FLAGS_OFFSET] & FLAG_STORED) != 0u) &&
            !decode_program(&fw->therapy.programs[i], i, at)) {
            return 0;
        }
    }
    return 1;
}

static uint8_t settings_buf[SCS_NVM_SLOT_SIZE]; /* one buffer: saving and booting never overlap */

uint8_t scs_settings_save(scs_fw_t *fw)
{
    uint8_t *buf = settings_buf;
    size_t n = settings_encode(fw, buf);
    if (n == 0u) {
        return SCS_RESULT_STORAGE_ERROR;
    }
    return (scs_nvm_save(&fw->nvm, buf, n) == -1) ? (uint8_t)SCS_RESULT_STORAGE_ERROR : (uint8_t)SCS_RESULT_OK;
}

void scs_send_saved(scs_fw_t *fw, uint16_t seq, uint8_t request_id)
{
    uint8_t stored = scs_settings_save(fw);
    if (fw->nvm.power_lost != 0u) {
        return; /* a host test cut the power mid-write: nothing more goes out */
    }
    scs_send_result(fw, seq, request_id, (stored != 0u) ? stored : (uint8_t)SCS_RESULT_OK, SCS_NO_FIELD);
}

/* No valid image: the defaults, and a storage fault unless the store is blank (a new device). */
static void load_defaults(scs_fw_t *fw)
{
    scs_edges_t *edges = fw->therapy.edges;
    (void)memset(&fw->therapy, 0, sizeof fw->therapy);
    fw->therapy.edges = edges; /* the board's hardware is no setting */
    fw->therapy.dwell_ms = SCS_DEFAULT_DWELL_MS;
    fw->therapy.ramp_ua_per_s = SCS_DEFAULT_RAMP_UA_PER_S;
    if (!scs_nvm_slot_blank(&fw->nvm, 0) || !scs_nvm_slot_blank(&fw->nvm, 1)) {
        fw->fault_flags |= 1u << (unsigned)SCS_FAULT_CODE_NVM_CORRUPT;
        scs_log_event(fw, SCS_EVENT_KIND_FAULT, SCS_FAULT_CODE_NVM_CORRUPT, 0);
        scs_log_event(fw, SCS_EVENT_KIND_RESET, SCS_RESET_CODE_DEFAULTS_LOADED, 0);
    }
}

void scs_fw_boot(scs_fw_t *fw)
{
    uint8_t *buf = settings_buf;
    size_t len = 0;
    uint32_t sequence = 0;
    fw->nvm.slot[0] = scs_platform_settings_slot(fw, 0);
    fw->nvm.slot[1] = scs_platform_settings_slot(fw, 1);
    fw->nvm.fail_at_step = -1;
    scs_session_boot(fw);
    if (scs_nvm_load(&fw->nvm, buf, SCS_NVM_SLOT_SIZE, &len, &sequence) && settings_decode(fw, buf, len)) {
        int v0 = scs_nvm_slot_valid(&fw->nvm, 0);
        int v1 = scs_nvm_slot_valid(&fw->nvm, 1);
        if ((v0 != v1) && !scs_nvm_slot_blank(&fw->nvm, v0 ? 1u : 0u)) {
            scs_log_event(fw, SCS_EVENT_KIND_RESET, SCS_RESET_CODE_SLOT_FALLBACK, v0 ? 0u : 1u);
        }
    } else {
        load_defaults(fw);
    }
    scs_therapy_t *t = &fw->therapy;
    scs_remembered(t);
    (void)memcpy(t->target, t->applied, sizeof t->target);
    scs_check_impedance(fw);
    uint8_t on = t->stim_on;
    t->stim_on = 0;
    if (on && t->programs[t->active].used && !fw->fault_flags && !scs_holds_stimulation(fw->reset_cause)) {
        scs_stim_on(fw);
    }
    fw->events.outbox_len = 0;
}
