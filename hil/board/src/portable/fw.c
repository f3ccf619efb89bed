#include "fw.h"

#include <math.h>
#include <string.h>

#include "le.h"

#include "cobs.h"
#include "crc32.h"
#include "nvm.h"
#include "sha256.h"
#include "therapy.h"

#define FIRMWARE_VERSION 0x000100u /* 0.1.0 */
#define CAPABILITIES (2u | 4u | 8u) /* simulated inputs, pulse trace, rechargeable (+1: virtual clock) */
#define IMPEDANCE_CHECK_TICKS 10000000u
#define BACKOFF_BASE_TICKS 1000000u
#define BACKOFF_MAX_TICKS 64000000u
#define NO_FIELD 255u


void scs_fw_init(scs_fw_t *fw, const scs_keys_t *keys, scs_write_fn write, void *write_ctx)
{
    memset(fw, 0, sizeof *fw);
    for (unsigned i = 0; i < 16u; i++)
        fw->lead_ohms[i] = fw->therapy.ohms[i] = 1000u;
    fw->pending_posture = 0xFFu;
    fw->next_impedance_check = IMPEDANCE_CHECK_TICKS;
    fw->soc = 0.8;
    fw->battery_state = 1;
    fw->therapy.adaptive_enabled = 0;
    fw->therapy.dwell_ms = 5000u;
    fw->therapy.ramp_ua_per_s = 1000u;
    fw->keys = *keys;
    fw->write = write;
    fw->write_ctx = write_ctx;
}


static void security_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id, uint32_t detail);
static uint8_t save(scs_fw_t *fw);

static const uint8_t *role_key(const scs_fw_t *fw, uint8_t role)
{
    return role == SCS_ROLE_PATIENT ? fw->keys.patient_key : fw->keys.clinician_key;
}

static void tag(const uint8_t key[32], uint8_t direction, const uint8_t *body, size_t len, uint8_t out[SCS_TAG_SIZE])
{
    scs_hmac_t h;
    uint8_t mac[32];
    scs_hmac_init(&h, key, 32);
    scs_hmac_update(&h, &direction, 1);
    scs_hmac_update(&h, body, len);
    scs_hmac_final(&h, mac);
    memcpy(out, mac, SCS_TAG_SIZE);
}

/* Encode and send one frame; signed when a session is open (except the handshake answers). */
static void send_frame(scs_fw_t *fw, uint8_t msg_id, uint8_t flags, uint16_t seq, const uint8_t *payload, size_t len)
{
    if (fw->capture && (flags & SCS_FLAG_RESPONSE) && len <= sizeof fw->capture->response) {
        /* the answer of a state-changing request: kept for a retransmission of it */
        fw->capture->used = 1;
        fw->capture->response_id = msg_id;
        fw->capture->response_len = (uint16_t)len;
        memcpy(fw->capture->response, payload, len);
        fw->capture = 0;
    }
    static uint8_t body[SCS_MAX_DECODED];
    static uint8_t wire[SCS_MAX_ENCODED + 1];
    size_t n = 0;
    int sign = fw->role != 0 && msg_id != SCS_MSG_CHALLENGE && msg_id != SCS_MSG_SESSION;
    body[n++] = SCS_PROTOCOL_VERSION;
    body[n++] = msg_id;
    body[n++] = (uint8_t)(flags | (sign ? SCS_FLAG_SIGNED : 0));
    wr16(body + n, seq);
    n += 2;
    memcpy(body + n, payload, len);
    n += len;
    if (sign) {
        wr32(body + n, ++fw->tx_counter);
        n += 4;
        tag(fw->session_key, 2, body, n, body + n);
        n += SCS_TAG_SIZE;
    }
    wr32(body + n, scs_crc32(body, n));
    n += 4;
    size_t m = scs_cobs_encode(body, n, wire);
    wire[m++] = 0;
    fw->write(fw->write_ctx, wire, m);
}

static void send_result(scs_fw_t *fw, uint16_t seq, uint8_t request_id, uint8_t result, uint8_t field)
{
    uint8_t p[3] = {request_id, result, field};
    send_frame(fw, SCS_MSG_RESULT, SCS_FLAG_RESPONSE, seq, p, sizeof p);
}

static void random_bytes(scs_fw_t *fw, uint8_t *out, size_t len)
{
    uint8_t msg[12], mac[32];
    wr64(msg, fw->ticks);
    wr32(msg + 8, ++fw->nonce_counter);
    scs_hmac_sha256(fw->keys.nonce_seed, SCS_KEY_SIZE, msg, sizeof msg, mac);
    memcpy(out, mac, len);
}

static void proof(const scs_fw_t *fw, const char *label, uint8_t role, const uint8_t *n1, const uint8_t *n2, uint8_t out[32])
{
    scs_hmac_t h;
    uint8_t id[8];
    wr64(id, fw->keys.device_id);
    scs_hmac_init(&h, role_key(fw, role), SCS_KEY_SIZE);
    scs_hmac_update(&h, (const uint8_t *)label, strlen(label));
    scs_hmac_update(&h, &role, 1);
    scs_hmac_update(&h, n1, SCS_NONCE_SIZE);
    scs_hmac_update(&h, n2, SCS_NONCE_SIZE);
    scs_hmac_update(&h, id, 8);
    scs_hmac_final(&h, out);
}

static void on_hello(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    uint8_t out[SCS_CHALLENGE_SIZE] = {0};
    fw->role = 0; /* a new handshake ends any session */
    if (fw->ticks < fw->backoff_until) {
        out[SCS_CHALLENGE_RESULT_OFFSET] = SCS_RESULT_BUSY;
        uint32_t left_ms = (uint32_t)((fw->backoff_until - fw->ticks + 999u) / 1000u);
        wr32(out + SCS_CHALLENGE_RETRY_AFTER_MS_OFFSET, left_ms);
        security_event(fw, SCS_RESULT_BUSY, SCS_MSG_HELLO, left_ms);
        send_frame(fw, SCS_MSG_CHALLENGE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    fw->pending_role = p[SCS_HELLO_ROLE_OFFSET];
    memcpy(fw->host_nonce, p + SCS_HELLO_HOST_NONCE_OFFSET, SCS_NONCE_SIZE);
    random_bytes(fw, fw->device_nonce, SCS_NONCE_SIZE);
    out[SCS_CHALLENGE_RESULT_OFFSET] = SCS_RESULT_OK;
    memcpy(out + SCS_CHALLENGE_DEVICE_NONCE_OFFSET, fw->device_nonce, SCS_NONCE_SIZE);
    proof(fw, "SCS1 dev", fw->pending_role, fw->host_nonce, fw->device_nonce, out + SCS_CHALLENGE_DEVICE_PROOF_OFFSET);
    send_frame(fw, SCS_MSG_CHALLENGE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

static void on_auth(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    uint8_t out[SCS_SESSION_SIZE] = {0}, want[32];
    if (fw->pending_role == 0) {
        out[SCS_SESSION_RESULT_OFFSET] = SCS_RESULT_WRONG_STATE;
        security_event(fw, SCS_RESULT_WRONG_STATE, SCS_MSG_AUTH, 0);
        send_frame(fw, SCS_MSG_SESSION, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    uint8_t role = fw->pending_role;
    fw->pending_role = 0;
    proof(fw, "SCS1 host", role, fw->device_nonce, fw->host_nonce, want);
    if (!scs_equal(want, p + SCS_AUTH_HOST_PROOF_OFFSET, 32)) {
        fw->failed_handshakes++;
        uint32_t shift = fw->failed_handshakes - 1 > 30 ? 30 : fw->failed_handshakes - 1;
        uint64_t delay = (uint64_t)BACKOFF_BASE_TICKS << shift;
        fw->backoff_until = fw->ticks + (delay > BACKOFF_MAX_TICKS ? BACKOFF_MAX_TICKS : delay);
        security_event(fw, SCS_RESULT_BAD_TAG, SCS_MSG_AUTH, fw->failed_handshakes);
        (void)save(fw); /* the back-off survives a reboot */
        out[SCS_SESSION_RESULT_OFFSET] = SCS_RESULT_BAD_TAG;
        send_frame(fw, SCS_MSG_SESSION, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    if (fw->failed_handshakes) {
        fw->failed_handshakes = 0;
        fw->backoff_until = 0;
        (void)save(fw);
    }
    proof(fw, "SCS1 session", role, fw->host_nonce, fw->device_nonce, fw->session_key);
    fw->rx_counter = fw->tx_counter = 0;
    memset(fw->cache, 0, sizeof fw->cache);
    out[SCS_SESSION_RESULT_OFFSET] = SCS_RESULT_OK;
    out[SCS_SESSION_ROLE_OFFSET] = role;
    send_frame(fw, SCS_MSG_SESSION, SCS_FLAG_RESPONSE, seq, out, sizeof out);
    fw->role = role;
}

static void on_device_info(scs_fw_t *fw, uint16_t seq)
{
    uint8_t out[SCS_DEVICE_INFO_SIZE] = {0};
    out[SCS_DEVICE_INFO_PROTOCOL_VERSION_OFFSET] = SCS_PROTOCOL_VERSION;
    wr32(out + SCS_DEVICE_INFO_FIRMWARE_VERSION_OFFSET, FIRMWARE_VERSION);
    wr64(out + SCS_DEVICE_INFO_DEVICE_ID_OFFSET, fw->keys.device_id);
    wr32(out + SCS_DEVICE_INFO_TICK_NS_OFFSET, 1000u);
    wr32(out + SCS_DEVICE_INFO_CAPABILITIES_OFFSET, CAPABILITIES | (fw->virtual_clock ? 1u : 0u));
    out[SCS_DEVICE_INFO_CONTACT_COUNT_OFFSET] = 16;
    out[SCS_DEVICE_INFO_MAX_PROGRAMS_OFFSET] = 8;
    out[SCS_DEVICE_INFO_MAX_AREAS_OFFSET] = 4;
    wr16(out + SCS_DEVICE_INFO_AMPLITUDE_STEP_UA_OFFSET, 50);
    wr16(out + SCS_DEVICE_INFO_MAX_AMPLITUDE_UA_OFFSET, 25500);
    wr32(out + SCS_DEVICE_INFO_MAX_CATHODE_CHARGE_PC_OFFSET, 2914678u);
    wr16(out + SCS_DEVICE_INFO_COMPLIANCE_MV_OFFSET, 12000);
    send_frame(fw, SCS_MSG_DEVICE_INFO, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

typedef struct {
    uint8_t id, role, response, changes_state;
    uint16_t size;
    const scs_field_t *fields;
    uint8_t field_count;
} msg_info_t;

/* The requests of the catalog (generated header) the board knows. */
static const msg_info_t REQUESTS[] = {
#define REQ(name, unused) {SCS_MSG_##name, SCS_##name##_ROLE, SCS_##name##_RESPONSE, SCS_##name##_CHANGES_STATE, \
                           SCS_##name##_SIZE, SCS_##name##_FIELDS, SCS_##name##_FIELD_COUNT}
    REQ(DEVICE_INFO_GET, 0), REQ(STATUS_GET, 0), REQ(STIM_SET, 0), REQ(PROGRAM_SELECT, 0), REQ(AMPLITUDE_STEP, 0),
    REQ(AREA_WRITE, 0), REQ(PROGRAM_COMMIT, 0), REQ(AREA_READ, 0), REQ(LIMITS_WRITE, 0), REQ(LIMITS_READ, 0),
    REQ(IMPEDANCE_GET, 0), REQ(POSTURE_INPUT, 0), REQ(ADAPTIVE_SET, 0), REQ(MRI_MODE_SET, 0),
    REQ(RECHARGE_COUPLING_INPUT, 0), REQ(CHARGING_STATUS_GET, 0), REQ(TRACE_START, 0), REQ(TRACE_STOP, 0),
    REQ(TRACE_DUMP, 0), REQ(EVENT_LOG_READ, 0), REQ(CLOCK_GET, 0), REQ(CLOCK_ADVANCE, 0), REQ(IMPEDANCE_INPUT, 0),
    REQ(RESET, 0), REQ(HELLO, 0), REQ(AUTH, 0), REQ(SESSION_END, 0),
#undef REQ
};

/* The codec's range checks, from the generated field table: index of the first bad field, or -1. */
static int out_of_range(const msg_info_t *m, const uint8_t *p)
{
    for (unsigned f = 0; f < m->field_count; f++) {
        const scs_field_t *d = &m->fields[f];
        if (!d->checked)
            continue;
        for (unsigned e = 0; e < d->count; e++) {
            const uint8_t *q = p + d->offset + e * d->size;
            uint64_t u = 0;
            for (unsigned b = 0; b < d->size; b++)
                u |= (uint64_t)q[b] << (8 * b);
            int64_t v = (int64_t)u;
            if (d->is_signed && d->size < 8 && (u >> (8 * d->size - 1)) & 1u)
                v = (int64_t)(u | (~0ull << (8 * d->size)));
            if (v < d->min || v > d->max)
                return (int)f;
        }
    }
    return -1;
}

static const msg_info_t *find_request(uint8_t id)
{
    for (size_t i = 0; i < sizeof REQUESTS / sizeof REQUESTS[0]; i++)
        if (REQUESTS[i].id == id)
            return &REQUESTS[i];
    return 0;
}

/* --- event log and events ------------------------------------------------------------------------- */
enum { KIND_FAULT, KIND_BATTERY, KIND_SECURITY, KIND_RESET, KIND_MODE, KIND_RECHARGE };
enum { MODE_STIM_ON = 1, MODE_STIM_OFF, MODE_MRI_ENTER, MODE_MRI_EXIT, MODE_PROGRAM_SELECTED, MODE_PROGRAM_STORED };

static void log_event(scs_fw_t *fw, uint8_t kind, uint16_t code, uint32_t detail)
{
    scs_event_t *e = &fw->log[(fw->log_start + fw->log_len) % SCS_LOG_CAPACITY];
    if (fw->log_len == SCS_LOG_CAPACITY)
        fw->log_start = (uint16_t)((fw->log_start + 1) % SCS_LOG_CAPACITY);
    else
        fw->log_len++;
    e->tick = fw->ticks;
    e->kind = kind;
    e->code = code;
    e->detail = detail;
    if (fw->outbox_len < SCS_OUTBOX)
        fw->outbox[fw->outbox_len++] = *e;
}

static void security_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id, uint32_t detail)
{
    fw->security_events++;
    log_event(fw, KIND_SECURITY, result, (uint32_t)msg_id | detail << 8);
}

static void send_events(scs_fw_t *fw)
{
    if (fw->role) {
        for (unsigned i = 0; i < fw->outbox_len; i++) {
            uint8_t out[SCS_EVENT_SIZE];
            const scs_event_t *e = &fw->outbox[i];
            wr64(out + SCS_EVENT_TICK_OFFSET, e->tick);
            out[SCS_EVENT_KIND_OFFSET] = e->kind;
            wr16(out + SCS_EVENT_CODE_OFFSET, e->code);
            wr32(out + SCS_EVENT_DETAIL_OFFSET, e->kind == KIND_SECURITY ? (e->detail & 0xFFu) : e->detail);
            send_frame(fw, SCS_MSG_EVENT, SCS_FLAG_EVENT, 0, out, sizeof out);
        }
    }
    fw->outbox_len = 0; /* without a session they stay in the log only */
}

/* --- therapy requests ------------------------------------------------------------------------------ */
static unsigned memory_key(const scs_therapy_t *t) { return t->adaptive_enabled ? t->posture : SCS_MEMORY_KEYS - 1u; }

static void remembered(scs_therapy_t *t)
{
    const scs_program_t *p = &t->programs[t->active];
    memset(t->applied, 0, sizeof t->applied);
    if (!p->used)
        return;
    unsigned key = memory_key(t);
    for (unsigned a = 0; a < p->count; a++) {
        uint16_t v = p->remembered[key] ? p->amps[key][a] : p->area[a].amplitude_ua;
        if (v < p->lo[a]) v = p->lo[a];
        if (v > p->hi[a]) v = p->hi[a];
        t->applied[a] = v;
    }
}

static void stim_start(scs_fw_t *fw)
{
    scs_stim_start(&fw->therapy, fw->ticks);
    log_event(fw, KIND_MODE, MODE_STIM_ON, fw->therapy.active);
}

static void stim_stop(scs_fw_t *fw, int log)
{
    if (fw->therapy.stim_on && log)
        log_event(fw, KIND_MODE, MODE_STIM_OFF, 0);
    fw->therapy.stim_on = 0;
}

/* --- simulated inputs, timers and the fuel gauge ------------------------------------------------- */
enum { FAULT_OPEN = 1, FAULT_SHORT = 2, FAULT_CUTOFF = 4 };
enum { MODE_POSTURE_APPLIED = 7, MODE_AREA_STOPPED = 8, MODE_FAULT_CLEARED = 9 };
enum { BATT_FULL, BATT_OK, BATT_SOON, BATT_NOW, BATT_CUTOFF };
enum { RCH_IDLE, RCH_CC, RCH_CV, RCH_HOT, RCH_OV, RCH_COMPLETE };
#define CAPACITY_MAH 200.0
#define R_CELL 0.5
#define V_LIMIT 4.187
#define CC_A 0.050
#define END_A (CC_A / 10.0) /* C/20 of 200 mAh */

static double ocv(double soc)
{
    static const double s[9] = {0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 1.0};
    static const double v[9] = {3.200, 3.494, 3.575, 3.625, 3.697, 3.854, 3.937, 4.046, 4.187};
    if (soc <= 0.0)
        return v[0];
    for (unsigned i = 1; i < 9; i++)
        if (soc <= s[i])
            return v[i - 1] + (v[i] - v[i - 1]) * (soc - s[i - 1]) / (s[i] - s[i - 1]);
    return v[8];
}

static uint8_t battery_state_of(const scs_fw_t *fw)
{
    if (fw->cutoff) return BATT_CUTOFF;
    if (fw->soc < 0.10) return BATT_NOW;
    if (fw->soc < 0.30) return BATT_SOON;
    if (fw->soc >= 0.95) return BATT_FULL;
    return BATT_OK;
}

static void set_recharge(scs_fw_t *fw, uint8_t state)
{
    if (fw->recharge_state != state) {
        fw->recharge_state = state;
        log_event(fw, KIND_RECHARGE, state, 0);
    }
}

static void stim_stop(scs_fw_t *fw, int log);

/* Integrate the cell over dt seconds at the present load or charge (a coulomb counter). */
static void fuel_gauge(scs_fw_t *fw, double dt)
{
    double v_open = ocv(fw->soc);
    if (fw->coupled && fw->recharge_state != RCH_COMPLETE) {
        if (fw->recharge_state == RCH_IDLE)
            set_recharge(fw, RCH_CC);
        double i = CC_A, by_link = fw->link_w * 0.85 / V_LIMIT;
        if (i > by_link)
            i = by_link;
        if (fw->recharge_state == RCH_CC && v_open + i * R_CELL >= V_LIMIT)
            set_recharge(fw, RCH_CV);
        if (fw->recharge_state == RCH_CV) {
            i = (V_LIMIT - v_open) / R_CELL;
            if (i > by_link)
                i = by_link;
        }
        if (fw->recharge_state == RCH_CV && i <= END_A) {
            set_recharge(fw, RCH_COMPLETE);
            i = 0;
        }
        fw->battery_current_a = i;
        fw->soc += i * dt / 3.6 / CAPACITY_MAH;
        if (fw->soc > 1.0)
            fw->soc = 1.0;
        if (fw->cutoff && fw->soc >= 0.05) { /* recharged enough to stimulate again */
            fw->cutoff = 0;
            fw->fault_flags &= ~(1u << FAULT_CUTOFF);
            log_event(fw, KIND_MODE, MODE_FAULT_CLEARED, FAULT_CUTOFF);
        }
    } else {
        if (!fw->coupled)
            set_recharge(fw, RCH_IDLE);
        double i = fw->cutoff ? 0.0 : 10e-6 + scs_stim_current_a(&fw->therapy, v_open);
        fw->battery_current_a = -i;
        fw->soc -= i * dt / 3.6 / CAPACITY_MAH;
        if (fw->soc <= 0.02 && !fw->cutoff) {
            fw->soc = 0.02;
            fw->cutoff = 1;
        }
    }
    uint8_t state = battery_state_of(fw);
    if (state != fw->battery_state) {
        fw->battery_state = state;
        log_event(fw, KIND_BATTERY, state, 0);
        if (state == BATT_CUTOFF) {
            fw->fault_flags |= 1u << FAULT_CUTOFF;
            log_event(fw, KIND_FAULT, FAULT_CUTOFF, 0);
            stim_stop(fw, 1);
        }
    }
}

static void check_impedance(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    uint16_t open = 0, shorted = 0;
    memcpy(t->ohms, fw->lead_ohms, sizeof t->ohms);
    for (unsigned c = 0; c < 16u; c++) {
        if (t->ohms[c] > 4000u) open |= (uint16_t)(1u << c);
        if (t->ohms[c] < 250u) shorted |= (uint16_t)(1u << c);
    }
    uint32_t mask = (uint32_t)(open | shorted);
    const unsigned codes[2] = {FAULT_OPEN, FAULT_SHORT};
    const int present[2] = {open != 0, shorted != 0};
    for (unsigned k = 0; k < 2; k++) {
        uint32_t bit = 1u << codes[k];
        if (present[k] && !(fw->fault_flags & bit)) {
            fw->fault_flags |= bit;
            log_event(fw, KIND_FAULT, (uint16_t)codes[k], mask);
        } else if (!present[k] && (fw->fault_flags & bit)) {
            fw->fault_flags &= ~bit;
            log_event(fw, KIND_MODE, MODE_FAULT_CLEARED, codes[k]);
        }
    }
    uint8_t stopped = scs_stopped_areas(t);
    if (t->stim_on)
        for (unsigned a = 0; a < SCS_AREAS; a++)
            if ((stopped >> a & 1u) && !(t->stopped >> a & 1u))
                log_event(fw, KIND_MODE, MODE_AREA_STOPPED, a);
    t->stopped = stopped;
    scs_stim_retarget(t, fw->ticks);
}

static void start_ramp(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    fw->ramp_next = 0;
    if (memcmp(t->applied, t->target, sizeof t->applied) != 0)
        fw->ramp_next = fw->ticks + (50ull * 1000000ull + t->ramp_ua_per_s - 1u) / t->ramp_ua_per_s;
}

static void timers(scs_fw_t *fw)
{
    scs_therapy_t *t = &fw->therapy;
    if (fw->ticks >= fw->next_impedance_check) {
        check_impedance(fw);
        fw->next_impedance_check = fw->ticks + IMPEDANCE_CHECK_TICKS;
    }
    if (fw->pending_posture != 0xFFu && fw->ticks >= fw->posture_since + (uint64_t)t->dwell_ms * 1000u) {
        t->posture = fw->pending_posture;
        fw->pending_posture = 0xFFu;
        log_event(fw, KIND_MODE, MODE_POSTURE_APPLIED, t->posture);
        uint16_t keep[SCS_AREAS];
        memcpy(keep, t->applied, sizeof keep);
        remembered(t); /* the amplitudes remembered for this posture become the target */
        memcpy(t->target, t->applied, sizeof t->target);
        memcpy(t->applied, keep, sizeof keep);
        start_ramp(fw);
    }
    if (fw->ramp_next && fw->ticks >= fw->ramp_next) {
        for (unsigned a = 0; a < SCS_AREAS; a++) {
            if (t->target[a] > t->applied[a]) t->applied[a] = (uint16_t)(t->applied[a] + 50u);
            else if (t->target[a] < t->applied[a]) t->applied[a] = (uint16_t)(t->applied[a] - 50u);
        }
        scs_stim_retarget(t, fw->ticks);
        start_ramp(fw);
    }
}

/* Move the clock by delta ticks: fuel gauge and timers event by event; with catch_up, every pulse
 * due is emitted before each event (CLOCK_ADVANCE), else the main loop emits them in batches. */
static void advance(scs_fw_t *fw, uint64_t delta, int catch_up)
{
    uint64_t end = fw->ticks + delta;
    while (fw->ticks < end) {
        uint64_t next = end;
        if (fw->next_impedance_check < next) next = fw->next_impedance_check;
        if (fw->pending_posture != 0xFFu) {
            uint64_t due = fw->posture_since + (uint64_t)fw->therapy.dwell_ms * 1000u;
            if (due < next) next = due;
        }
        if (fw->ramp_next && fw->ramp_next < next) next = fw->ramp_next;
        if (next <= fw->ticks) next = fw->ticks + 1u;
        fuel_gauge(fw, (double)(next - fw->ticks) / 1e6);
        fw->ticks = next;
        if (catch_up)
            while (!scs_stim_service(&fw->therapy, fw->ticks)) {
            }
        timers(fw);
    }
}

void scs_fw_advance(scs_fw_t *fw, uint64_t ticks) { advance(fw, ticks, 0); }

static void send_amplitude(scs_fw_t *fw, uint16_t seq, uint8_t result)
{
    uint8_t out[SCS_AMPLITUDE_SIZE];
    out[SCS_AMPLITUDE_RESULT_OFFSET] = result;
    for (unsigned a = 0; a < SCS_AREAS; a++)
        wr16(out + SCS_AMPLITUDE_AMPLITUDE_UA_OFFSET + 2 * a, fw->therapy.applied[a]);
    send_frame(fw, SCS_MSG_AMPLITUDE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

/* Persist the settings, then answer OK (or STORAGE_ERROR when they do not fit the slot). */
static void send_saved(scs_fw_t *fw, uint16_t seq, uint8_t request_id)
{
    uint8_t stored = save(fw);
    if (fw->nvm.power_lost)
        return; /* a host test cut the power mid-write: nothing more goes out */
    send_result(fw, seq, request_id, stored ? stored : SCS_RESULT_OK, NO_FIELD);
}

static int mri_permitted(uint8_t id)
{
    switch (id) {
    case SCS_MSG_DEVICE_INFO_GET: case SCS_MSG_STATUS_GET: case SCS_MSG_MRI_MODE_SET: case SCS_MSG_CLOCK_GET:
    case SCS_MSG_CLOCK_ADVANCE: case SCS_MSG_CHARGING_STATUS_GET: case SCS_MSG_EVENT_LOG_READ: case SCS_MSG_SESSION_END:
    case SCS_MSG_HELLO: case SCS_MSG_AUTH: case SCS_MSG_LIMITS_READ: case SCS_MSG_AREA_READ: case SCS_MSG_IMPEDANCE_GET:
    case SCS_MSG_RECHARGE_COUPLING_INPUT: case SCS_MSG_POSTURE_INPUT: case SCS_MSG_IMPEDANCE_INPUT: case SCS_MSG_RESET:
    case SCS_MSG_TRACE_DUMP: case SCS_MSG_TRACE_STOP:
        return 1;
    default:
        return 0;
    }
}

static void execute(scs_fw_t *fw, const msg_info_t *m, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    scs_stim_service(t, fw->ticks); /* pulses due before this request go out with the old settings */
    if (t->mri && !mri_permitted(m->id) && !(m->id == SCS_MSG_STIM_SET && p[0] == 0)) {
        send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, NO_FIELD);
        return;
    }
    switch (m->id) {
    case SCS_MSG_DEVICE_INFO_GET:
        on_device_info(fw, seq);
        return;
    case SCS_MSG_HELLO:
        on_hello(fw, seq, p);
        return;
    case SCS_MSG_AUTH:
        on_auth(fw, seq, p);
        return;
    case SCS_MSG_SESSION_END:
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        fw->role = 0;
        return;
    case SCS_MSG_CLOCK_GET: {
        uint8_t out[SCS_CLOCK_SIZE];
        wr64(out, fw->ticks);
        send_frame(fw, SCS_MSG_CLOCK, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_STATUS_GET: {
        uint8_t out[SCS_STATUS_SIZE] = {0};
        out[SCS_STATUS_STIM_ON_OFFSET] = t->stim_on;
        out[SCS_STATUS_ACTIVE_PROGRAM_OFFSET] = t->active;
        for (unsigned a = 0; a < SCS_AREAS; a++)
            wr16(out + SCS_STATUS_AMPLITUDE_UA_OFFSET + 2 * a, t->applied[a]);
        wr64(out + SCS_STATUS_CLOCK_TICKS_OFFSET, fw->ticks);
        wr16(out + SCS_STATUS_BATTERY_SOC_PERMILLE_OFFSET, (uint16_t)(fw->soc * 1000.0 + 0.5));
        wr16(out + SCS_STATUS_BATTERY_MV_OFFSET, (uint16_t)((ocv(fw->soc) + fw->battery_current_a * R_CELL) * 1000.0 + 0.5));
        out[SCS_STATUS_BATTERY_STATE_OFFSET] = fw->battery_state;
        out[SCS_STATUS_RECHARGE_STATE_OFFSET] = fw->recharge_state;
        wr32(out + SCS_STATUS_TEMPERATURE_MC_OFFSET, 37000u); /* no temperature sensor on the dev board */
        out[SCS_STATUS_MRI_MODE_OFFSET] = t->mri;
        wr32(out + SCS_STATUS_FAULT_FLAGS_OFFSET, fw->fault_flags);
        out[SCS_STATUS_POSTURE_OFFSET] = t->posture;
        send_frame(fw, SCS_MSG_STATUS, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_STIM_SET:
        if (p[0] == 0) {
            stim_stop(fw, 1);
            t->mri_saved_on = 0;
            send_saved(fw, seq, m->id);
        } else if (t->stim_on) {
            send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        } else if (!t->programs[t->active].used || fw->cutoff) {
            send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, 0);
        } else {
            check_impedance(fw);
            stim_start(fw);
            send_saved(fw, seq, m->id);
        }
        return;
    case SCS_MSG_PROGRAM_SELECT: {
        uint8_t prog = p[0];
        if (!t->programs[prog].used) {
            send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, 0);
            return;
        }
        if (fw->role == SCS_ROLE_PATIENT && !t->programs[prog].selectable) {
            send_result(fw, seq, m->id, SCS_RESULT_NOT_PERMITTED, 0);
            return;
        }
        uint8_t was_on = t->stim_on;
        stim_stop(fw, 0);
        t->active = prog;
        remembered(t);
        memcpy(t->target, t->applied, sizeof t->target);
        fw->ramp_next = 0;
        log_event(fw, KIND_MODE, MODE_PROGRAM_SELECTED, prog);
        if (was_on)
            stim_start(fw);
        send_saved(fw, seq, m->id);
        return;
    }
    case SCS_MSG_AMPLITUDE_STEP: {
        scs_program_t *prog = &t->programs[t->active];
        if (!prog->used) {
            send_amplitude(fw, seq, SCS_RESULT_WRONG_STATE);
            return;
        }
        uint8_t area = p[SCS_AMPLITUDE_STEP_AREA_OFFSET];
        int steps = (int8_t)p[SCS_AMPLITUDE_STEP_STEPS_OFFSET];
        if (area != 255 && area >= prog->count) {
            send_result(fw, seq, m->id, SCS_RESULT_OUT_OF_RANGE, 0);
            return;
        }
        int clamped = 0;
        for (unsigned a = 0; a < prog->count; a++) {
            if (area != 255 && a != area)
                continue;
            int hi = prog->hi[a], safe = scs_max_safe_amplitude_ua(&prog->area[a]);
            if (safe < hi)
                hi = safe;
            int want = t->applied[a] + steps * 50, got = want;
            if (got < prog->lo[a]) got = prog->lo[a];
            if (got > hi) got = hi;
            clamped |= got != want;
            t->applied[a] = (uint16_t)got;
        }
        memcpy(t->target, t->applied, sizeof t->target);
        fw->ramp_next = 0;
        unsigned key = memory_key(t);
        prog->remembered[key] = 1;
        memcpy(prog->amps[key], t->applied, sizeof t->applied);
        scs_stim_retarget(t, fw->ticks);
        uint8_t stored = save(fw);
        if (fw->nvm.power_lost)
            return;
        send_amplitude(fw, seq, stored ? stored : clamped ? SCS_RESULT_LIMIT_CLAMPED : SCS_RESULT_OK);
        return;
    }
    case SCS_MSG_AREA_WRITE: {
        scs_area_t a;
        uint8_t field = NO_FIELD;
        scs_area_decode(p + SCS_AREA_WRITE_WAVEFORM_OFFSET, &a);
        uint8_t result = scs_area_validate(&a, &field);
        if (result != SCS_RESULT_OK) {
            send_result(fw, seq, m->id, result, field);
            return;
        }
        t->staged[p[0]][p[1]] = a;
        t->staged_mask[p[0]] |= (uint8_t)(1u << p[1]);
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        return;
    }
    case SCS_MSG_PROGRAM_COMMIT: {
        uint8_t prog = p[0], count = p[1];
        if ((t->staged_mask[prog] & ((1u << count) - 1u)) != ((1u << count) - 1u)) {
            send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, 1);
            return;
        }
        if (!scs_interleave_ok(t->staged[prog], count, &t->poll)) {
            send_result(fw, seq, m->id, SCS_RESULT_UNSAFE, 1);
            return;
        }
        scs_program_t *dst = &t->programs[prog];
        memset(dst, 0, sizeof *dst);
        dst->used = 1;
        dst->count = count;
        dst->selectable = 1;
        for (unsigned a = 0; a < count; a++) {
            dst->area[a] = t->staged[prog][a];
            dst->hi[a] = dst->area[a].amplitude_ua;
        }
        t->staged_mask[prog] &= (uint8_t)~((1u << count) - 1u);
        log_event(fw, KIND_MODE, MODE_PROGRAM_STORED, prog);
        if (prog == t->active) {
            uint8_t was_on = t->stim_on;
            stim_stop(fw, 0);
            remembered(t);
            memcpy(t->target, t->applied, sizeof t->target);
            if (was_on)
                stim_start(fw);
        }
        send_saved(fw, seq, m->id);
        return;
    }
    case SCS_MSG_AREA_READ: {
        uint8_t out[SCS_AREA_SIZE] = {0};
        const scs_program_t *prog = &t->programs[p[0]];
        out[SCS_AREA_PROGRAM_OFFSET] = p[0];
        out[SCS_AREA_AREA_OFFSET] = p[1];
        if (!prog->used || p[1] >= prog->count)
            out[SCS_AREA_RESULT_OFFSET] = SCS_RESULT_WRONG_STATE;
        else
            scs_area_encode(&prog->area[p[1]], out + SCS_AREA_WAVEFORM_OFFSET);
        send_frame(fw, SCS_MSG_AREA, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_LIMITS_WRITE: {
        uint8_t prog_i = p[0], area = p[1];
        uint16_t lo = rd16(p + SCS_LIMITS_WRITE_MIN_AMPLITUDE_UA_OFFSET), hi = rd16(p + SCS_LIMITS_WRITE_MAX_AMPLITUDE_UA_OFFSET);
        scs_program_t *prog = &t->programs[prog_i];
        if (!prog->used || area >= prog->count) {
            send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, 1);
            return;
        }
        if (lo > hi || lo % 50u || hi % 50u) {
            send_result(fw, seq, m->id, SCS_RESULT_OUT_OF_RANGE, (lo > hi || lo % 50u) ? 2 : 3);
            return;
        }
        if (hi > scs_max_safe_amplitude_ua(&prog->area[area])) {
            send_result(fw, seq, m->id, SCS_RESULT_UNSAFE, 3);
            return;
        }
        prog->lo[area] = lo;
        prog->hi[area] = hi;
        prog->selectable = p[SCS_LIMITS_WRITE_PATIENT_SELECTABLE_OFFSET];
        for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++) {
            if (prog->amps[k][area] < lo) prog->amps[k][area] = lo;
            if (prog->amps[k][area] > hi) prog->amps[k][area] = hi;
        }
        if (prog_i == t->active) {
            if (t->applied[area] < lo) t->applied[area] = lo;
            if (t->applied[area] > hi) t->applied[area] = hi;
            if (t->target[area] < lo) t->target[area] = lo;
            if (t->target[area] > hi) t->target[area] = hi;
            scs_stim_retarget(t, fw->ticks);
        }
        send_saved(fw, seq, m->id);
        return;
    }
    case SCS_MSG_LIMITS_READ: {
        uint8_t out[SCS_LIMITS_SIZE] = {0};
        const scs_program_t *prog = &t->programs[p[0]];
        if (!prog->used || p[1] >= prog->count) {
            out[SCS_LIMITS_RESULT_OFFSET] = SCS_RESULT_WRONG_STATE;
        } else {
            wr16(out + SCS_LIMITS_MIN_AMPLITUDE_UA_OFFSET, prog->lo[p[1]]);
            wr16(out + SCS_LIMITS_MAX_AMPLITUDE_UA_OFFSET, prog->hi[p[1]]);
            out[SCS_LIMITS_PATIENT_SELECTABLE_OFFSET] = prog->selectable;
        }
        send_frame(fw, SCS_MSG_LIMITS, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_IMPEDANCE_GET: {
        uint8_t out[SCS_IMPEDANCE_SIZE] = {0};
        uint16_t faulted = 0;
        for (unsigned c = 0; c < SCS_CONTACTS; c++) {
            wr16(out + SCS_IMPEDANCE_OHMS_OFFSET + 2 * c, t->ohms[c]);
            if (t->ohms[c] < 250u || t->ohms[c] > 4000u)
                faulted |= (uint16_t)(1u << c);
        }
        wr16(out + SCS_IMPEDANCE_FAULTED_MASK_OFFSET, faulted);
        send_frame(fw, SCS_MSG_IMPEDANCE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_ADAPTIVE_SET:
        if (rd16(p + SCS_ADAPTIVE_SET_RAMP_UA_PER_S_OFFSET) % 50u) {
            send_result(fw, seq, m->id, SCS_RESULT_OUT_OF_RANGE, 2);
            return;
        }
        t->adaptive_enabled = p[0];
        t->dwell_ms = rd32(p + SCS_ADAPTIVE_SET_DWELL_MS_OFFSET);
        t->ramp_ua_per_s = rd16(p + SCS_ADAPTIVE_SET_RAMP_UA_PER_S_OFFSET);
        send_saved(fw, seq, m->id);
        return;
    case SCS_MSG_MRI_MODE_SET:
        if (p[0]) {
            if (!t->mri && fw->fault_flags) {
                send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, 0);
                return;
            }
            if (!t->mri) {
                t->mri_saved_on = t->stim_on;
                stim_stop(fw, 0);
                t->mri = 1;
                log_event(fw, KIND_MODE, MODE_MRI_ENTER, 0);
            }
        } else if (t->mri) {
            t->mri = 0;
            log_event(fw, KIND_MODE, MODE_MRI_EXIT, 0);
            if (t->mri_saved_on && t->programs[t->active].used)
                stim_start(fw);
        }
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        return;
    case SCS_MSG_CHARGING_STATUS_GET: {
        uint8_t out[SCS_CHARGING_STATUS_SIZE] = {0};
        int32_t ua = fw->battery_current_a > 0 ? (int32_t)(fw->battery_current_a * 1e6 + 0.5) : 0;
        out[SCS_CHARGING_STATUS_RECHARGE_STATE_OFFSET] = fw->recharge_state;
        wr32(out + SCS_CHARGING_STATUS_BATTERY_CURRENT_UA_OFFSET, (uint32_t)ua);
        wr32(out + SCS_CHARGING_STATUS_RECEIVED_MW_OFFSET, (uint32_t)(ua * 1e-6 * V_LIMIT / 0.85 * 1000.0));
        wr32(out + SCS_CHARGING_STATUS_TEMPERATURE_MC_OFFSET, 37000u);
        wr16(out + SCS_CHARGING_STATUS_BATTERY_SOC_PERMILLE_OFFSET, (uint16_t)(fw->soc * 1000.0 + 0.5));
        send_frame(fw, SCS_MSG_CHARGING_STATUS, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_TRACE_START: {
        scs_trace_start(t, rd32(p));
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        return;
    }
    case SCS_MSG_TRACE_STOP:
        t->tracing = 0;
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        return;
    case SCS_MSG_TRACE_DUMP: {
        static uint8_t out[SCS_TRACE_DATA_SIZE + 92u * 11u];
        uint32_t offset = rd32(p), count = rd16(p + SCS_TRACE_DUMP_COUNT_OFFSET);
        uint32_t avail = offset < t->trace_len ? t->trace_len - offset : 0;
        if (count > avail)
            count = avail;
        wr32(out + SCS_TRACE_DATA_OFFSET_OFFSET, offset);
        wr32(out + SCS_TRACE_DATA_TOTAL_OFFSET, t->trace_len);
        wr16(out + SCS_TRACE_DATA_COUNT_OFFSET, (uint16_t)count);
        memcpy(out + SCS_TRACE_DATA_SIZE, t->trace[offset < SCS_TRACE_CAPACITY ? offset : 0], count * 11u);
        send_frame(fw, SCS_MSG_TRACE_DATA, SCS_FLAG_RESPONSE, seq, out, SCS_TRACE_DATA_SIZE + count * 11u);
        return;
    }
    case SCS_MSG_EVENT_LOG_READ: {
        uint8_t out[SCS_EVENT_LOG_ENTRY_SIZE] = {0};
        uint16_t index = rd16(p);
        wr16(out + SCS_EVENT_LOG_ENTRY_INDEX_OFFSET, index);
        wr16(out + SCS_EVENT_LOG_ENTRY_TOTAL_OFFSET, fw->log_len);
        if (index >= fw->log_len) {
            out[SCS_EVENT_LOG_ENTRY_RESULT_OFFSET] = SCS_RESULT_OUT_OF_RANGE;
        } else {
            const scs_event_t *e = &fw->log[(fw->log_start + index) % SCS_LOG_CAPACITY];
            wr64(out + SCS_EVENT_LOG_ENTRY_TICK_OFFSET, e->tick);
            out[SCS_EVENT_LOG_ENTRY_KIND_OFFSET] = e->kind;
            wr16(out + SCS_EVENT_LOG_ENTRY_CODE_OFFSET, e->code);
            wr32(out + SCS_EVENT_LOG_ENTRY_DETAIL_OFFSET, e->detail);
        }
        send_frame(fw, SCS_MSG_EVENT_LOG_ENTRY, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_RESET:
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        fw->pending_reset = (uint8_t)(p[0] + 1u);
        return;
    case SCS_MSG_CLOCK_ADVANCE: {
        uint8_t out[SCS_CLOCK_SIZE];
        if (!fw->virtual_clock) {
            send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, NO_FIELD); /* a real clock can't jump */
            return;
        }
        advance(fw, rd32(p), 1);
        wr64(out, fw->ticks);
        send_frame(fw, SCS_MSG_CLOCK, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_POSTURE_INPUT: {
        uint8_t posture = p[0];
        if (fw->pending_posture == 0xFFu || fw->pending_posture != posture) {
            fw->pending_posture = posture != t->posture ? posture : 0xFFu;
            fw->posture_since = fw->ticks;
        }
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        return;
    }
    case SCS_MSG_IMPEDANCE_INPUT:
        fw->lead_ohms[p[0]] = rd16(p + SCS_IMPEDANCE_INPUT_OHMS_OFFSET);
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        return;
    case SCS_MSG_RECHARGE_COUPLING_INPUT: {
        uint32_t tx = rd32(p + SCS_RECHARGE_COUPLING_INPUT_TRANSMIT_MW_OFFSET);
        double d = rd16(p), mis = rd16(p + SCS_RECHARGE_COUPLING_INPUT_MISALIGNMENT_MM_OFFSET);
        fw->coupled = tx != 0;
        /* received power falls with separation (15 mm scale) and misalignment (20 mm), as the model's link */
        fw->link_w = tx / 1000.0 * 0.6 * exp(-d / 15.0) * exp(-(mis / 20.0) * (mis / 20.0));
        if (!fw->coupled)
            set_recharge(fw, RCH_IDLE);
        send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        return;
    }
    default:
        send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, NO_FIELD);
        return;
    }
}

static void handle_frame(scs_fw_t *fw, const uint8_t *raw, size_t n)
{
    if (n < SCS_HEADER_SIZE + SCS_CRC_SIZE || scs_crc32(raw, n - SCS_CRC_SIZE) != rd32(raw + n - SCS_CRC_SIZE)) {
        fw->dropped_frames++; /* the sequence number can't be trusted: no answer */
        return;
    }
    uint8_t version = raw[0], id = raw[1], flags = raw[2];
    uint16_t seq = rd16(raw + 3);
    if (version != SCS_PROTOCOL_VERSION) {
        send_result(fw, seq, id, SCS_RESULT_VERSION_MISMATCH, NO_FIELD);
        return;
    }
    size_t end = n - SCS_CRC_SIZE;
    int is_signed = (flags & SCS_FLAG_SIGNED) != 0;
    if (flags & ~(SCS_FLAG_RESPONSE | SCS_FLAG_EVENT | SCS_FLAG_SIGNED) ||
        (is_signed && end - SCS_HEADER_SIZE < SCS_COUNTER_SIZE + SCS_TAG_SIZE)) {
        send_result(fw, seq, id, SCS_RESULT_BAD_FRAME, NO_FIELD);
        return;
    }
    const msg_info_t *m = find_request(id);
    if (!m || (flags & (SCS_FLAG_RESPONSE | SCS_FLAG_EVENT))) {
        send_result(fw, seq, id, SCS_RESULT_UNKNOWN_MESSAGE, NO_FIELD);
        return;
    }
    uint8_t session_role = 0;
    if (is_signed) {
        end -= SCS_COUNTER_SIZE + SCS_TAG_SIZE;
        uint32_t counter = rd32(raw + end);
        uint8_t want[SCS_TAG_SIZE];
        if (!fw->role) {
            security_event(fw, SCS_RESULT_NOT_AUTHENTICATED, id, 0);
            send_result(fw, seq, id, SCS_RESULT_NOT_AUTHENTICATED, NO_FIELD);
            return;
        }
        tag(fw->session_key, 1, raw, end + SCS_COUNTER_SIZE, want);
        if (!scs_equal(want, raw + end + SCS_COUNTER_SIZE, SCS_TAG_SIZE)) {
            security_event(fw, SCS_RESULT_BAD_TAG, id, counter);
            send_result(fw, seq, id, SCS_RESULT_BAD_TAG, NO_FIELD);
            return;
        }
        if (counter <= fw->rx_counter) {
            security_event(fw, counter == fw->rx_counter ? SCS_RESULT_REPLAY : SCS_RESULT_STALE_COUNTER, id, counter);
            send_result(fw, seq, id, counter == fw->rx_counter ? SCS_RESULT_REPLAY : SCS_RESULT_STALE_COUNTER, NO_FIELD);
            return;
        }
        fw->rx_counter = counter;
        session_role = fw->role;
    } else if (m->role != SCS_ROLE_NONE) {
        security_event(fw, SCS_RESULT_NOT_AUTHENTICATED, id, 0);
        send_result(fw, seq, id, SCS_RESULT_NOT_AUTHENTICATED, NO_FIELD);
        return;
    }
    if (m->role > session_role) {
        security_event(fw, SCS_RESULT_NOT_PERMITTED, id, session_role);
        send_result(fw, seq, id, SCS_RESULT_NOT_PERMITTED, NO_FIELD);
        return;
    }
    size_t len = end - SCS_HEADER_SIZE;
    const uint8_t *payload = raw + SCS_HEADER_SIZE;
    uint32_t fingerprint = scs_crc32(payload, len) ^ id;
    if (m->changes_state) {
        for (unsigned i = 0; i < SCS_CACHE_ENTRIES; i++) {
            scs_cache_entry_t *e = &fw->cache[i];
            if (e->used && e->seq == seq && e->msg_id == id && e->request_crc == fingerprint) {
                send_frame(fw, e->response_id, SCS_FLAG_RESPONSE, seq, e->response, e->response_len);
                return;
            }
        }
    }
    if (len != m->size) {
        send_result(fw, seq, id, SCS_RESULT_BAD_LENGTH, NO_FIELD);
        return;
    }
    int bad = out_of_range(m, payload);
    if (bad >= 0) {
        send_result(fw, seq, id, SCS_RESULT_OUT_OF_RANGE, (uint8_t)bad);
        return;
    }
    if (m->changes_state) {
        scs_cache_entry_t *e = &fw->cache[fw->cache_next++ % SCS_CACHE_ENTRIES];
        e->used = 0;
        e->seq = seq;
        e->msg_id = id;
        e->request_crc = fingerprint;
        fw->capture = e;
    }
    execute(fw, m, seq, payload);
    fw->capture = 0;
}

/* --- persistent settings ---------------------------------------------------------------------------- */
#define SETTINGS_VERSION 1u
#define AREA_BYTES (SCS_AREA_WRITE_SIZE - 2u)
enum { RESET_SOFT, RESET_POWER_LOSS, RESET_DEFAULTS_LOADED, RESET_SLOT_FALLBACK, RESET_FACTORY };
enum { FAULT_NVM_CORRUPT = 6 };

static size_t settings_encode(const scs_fw_t *fw, uint8_t *out)
{
    const scs_therapy_t *t = &fw->therapy;
    size_t n = 0;
    out[n++] = SETTINGS_VERSION;
    out[n++] = t->active;
    out[n++] = t->stim_on;
    out[n++] = t->adaptive_enabled;
    wr32(out + n, t->dwell_ms);
    n += 4;
    wr16(out + n, t->ramp_ua_per_s);
    n += 2;
    wr32(out + n, fw->failed_handshakes);
    n += 4;
    wr64(out + n, fw->backoff_until);
    n += 8;
    size_t count_at = n++;
    uint8_t used = 0;
    for (unsigned i = 0; i < SCS_PROGRAMS; i++) {
        const scs_program_t *p = &t->programs[i];
        if (!p->used)
            continue;
        if (n + 3u + p->count * (AREA_BYTES + 4u) + 1u + SCS_MEMORY_KEYS * p->count * 2u > SCS_NVM_SLOT_SIZE - 16u)
            return 0; /* does not fit a slot */
        used++;
        out[n++] = (uint8_t)i;
        out[n++] = p->count;
        out[n++] = p->selectable;
        for (unsigned a = 0; a < p->count; a++) {
            scs_area_encode(&p->area[a], out + n);
            n += AREA_BYTES;
            wr16(out + n, p->lo[a]);
            wr16(out + n + 2, p->hi[a]);
            n += 4;
        }
        uint8_t mask = 0;
        for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++)
            mask |= (uint8_t)(p->remembered[k] << k);
        out[n++] = mask;
        for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++)
            if (p->remembered[k])
                for (unsigned a = 0; a < p->count; a++) {
                    wr16(out + n, p->amps[k][a]);
                    n += 2;
                }
    }
    out[count_at] = used;
    return n;
}

static int settings_decode(scs_fw_t *fw, const uint8_t *in, size_t len)
{
    scs_therapy_t *t = &fw->therapy;
    size_t n = 0;
    if (len < 22u || in[0] != SETTINGS_VERSION)
        return 0;
    t->active = in[1];
    t->stim_on = in[2]; /* restarted by the caller */
    t->adaptive_enabled = in[3];
    t->dwell_ms = rd32(in + 4);
    t->ramp_ua_per_s = rd16(in + 8);
    fw->failed_handshakes = rd32(in + 10);
    fw->backoff_until = (uint64_t)rd32(in + 14) | (uint64_t)rd32(in + 18) << 32;
    n = 22;
    uint8_t used = in[n++];
    for (unsigned u = 0; u < used; u++) {
        if (n + 3u > len || in[n] >= SCS_PROGRAMS || in[n + 1] == 0 || in[n + 1] > SCS_AREAS)
            return 0;
        scs_program_t *p = &t->programs[in[n]];
        p->used = 1;
        p->count = in[n + 1];
        p->selectable = in[n + 2];
        n += 3;
        for (unsigned a = 0; a < p->count; a++) {
            if (n + AREA_BYTES + 4u > len)
                return 0;
            scs_area_decode(in + n, &p->area[a]);
            n += AREA_BYTES;
            p->lo[a] = rd16(in + n);
            p->hi[a] = rd16(in + n + 2);
            n += 4;
        }
        uint8_t mask = in[n++];
        for (unsigned k = 0; k < SCS_MEMORY_KEYS; k++) {
            p->remembered[k] = (uint8_t)(mask >> k & 1u);
            if (p->remembered[k])
                for (unsigned a = 0; a < p->count; a++) {
                    p->amps[k][a] = rd16(in + n);
                    n += 2;
                }
        }
    }
    return n == len;
}

/* 0, or a result code: STORAGE_ERROR when the settings do not fit. Power loss never returns on a board. */
static uint8_t settings_buf[SCS_NVM_SLOT_SIZE]; /* one buffer: saving and booting never overlap */

static uint8_t save(scs_fw_t *fw)
{
    uint8_t *buf = settings_buf;
    size_t n = settings_encode(fw, buf);
    if (!n)
        return SCS_RESULT_STORAGE_ERROR;
    return scs_nvm_save(&fw->nvm, buf, n) == -1 ? SCS_RESULT_STORAGE_ERROR : 0;
}

void scs_fw_boot(scs_fw_t *fw, uint8_t *slot0, uint8_t *slot1)
{
    uint8_t *buf = settings_buf;
    size_t len = 0;
    uint32_t sequence = 0;
    fw->nvm.slot[0] = slot0;
    fw->nvm.slot[1] = slot1;
    fw->nvm.fail_at_step = -1;
    if (scs_nvm_load(&fw->nvm, buf, SCS_NVM_SLOT_SIZE, &len, &sequence) && settings_decode(fw, buf, len)) {
        int v0 = scs_nvm_slot_valid(&fw->nvm, 0), v1 = scs_nvm_slot_valid(&fw->nvm, 1);
        if (v0 != v1 && !scs_nvm_slot_blank(&fw->nvm, v0 ? 1u : 0u))
            log_event(fw, KIND_RESET, RESET_SLOT_FALLBACK, v0 ? 0u : 1u);
    } else {
        memset(&fw->therapy, 0, sizeof fw->therapy);
        fw->therapy.dwell_ms = 5000u;
        fw->therapy.ramp_ua_per_s = 1000u;
        fw->failed_handshakes = 0;
        fw->backoff_until = 0;
        if (!scs_nvm_slot_blank(&fw->nvm, 0) || !scs_nvm_slot_blank(&fw->nvm, 1)) {
            fw->fault_flags |= 1u << FAULT_NVM_CORRUPT;
            log_event(fw, KIND_FAULT, FAULT_NVM_CORRUPT, 0);
            log_event(fw, KIND_RESET, RESET_DEFAULTS_LOADED, 0);
        }
    }
    remembered(&fw->therapy);
    memcpy(fw->therapy.target, fw->therapy.applied, sizeof fw->therapy.target);
    check_impedance(fw);
    uint8_t on = fw->therapy.stim_on;
    fw->therapy.stim_on = 0;
    if (on && fw->therapy.programs[fw->therapy.active].used && !fw->fault_flags)
        stim_start(fw);
    fw->outbox_len = 0;
}

void scs_fw_reboot(scs_fw_t *fw, int factory)
{
    static scs_event_t log[SCS_LOG_CAPACITY];
    scs_keys_t keys = fw->keys;
    scs_write_fn write = fw->write;
    void *ctx = fw->write_ctx;
    uint64_t ticks = fw->ticks;
    uint16_t start = fw->log_start, count = fw->log_len;
    uint8_t *slot0 = fw->nvm.slot[0], *slot1 = fw->nvm.slot[1];
    /* the output stops with the reset (a pulse under way completes); the output hardware stays */
    scs_edges_t *edges = fw->therapy.edges;
    scs_poll_t poll = fw->therapy.poll, arm = fw->therapy.arm;
    fw->therapy.stim_on = 0;
    scs_stim_service(&fw->therapy, fw->ticks);
    /* physics outlives a reset: the cell, the lead and the charger coil (a factory reset clears the
     * simulated lead and coil) */
    double soc = fw->soc;
    uint8_t cutoff = fw->cutoff, coupled = fw->coupled, virtual_clock = fw->virtual_clock;
    double link = fw->link_w;
    uint16_t lead[16];
    memcpy(lead, fw->lead_ohms, sizeof lead);
    memcpy(log, fw->log, sizeof log);
    if (factory)
        scs_nvm_erase_all(&fw->nvm);
    scs_fw_init(fw, &keys, write, ctx);
    fw->ticks = ticks;
    memcpy(fw->log, log, sizeof log); /* the event log is retained across resets */
    fw->log_start = start;
    fw->log_len = count;
    fw->soc = soc;
    fw->cutoff = cutoff;
    fw->virtual_clock = virtual_clock;
    fw->therapy.edges = edges;
    fw->therapy.poll = poll;
    fw->therapy.arm = arm;
    fw->battery_state = battery_state_of(fw);
    if (cutoff)
        fw->fault_flags |= 1u << FAULT_CUTOFF;
    if (!factory) {
        memcpy(fw->lead_ohms, lead, sizeof lead);
        fw->coupled = coupled;
        fw->link_w = link;
    }
    fw->next_impedance_check = fw->ticks + IMPEDANCE_CHECK_TICKS;
    scs_fw_boot(fw, slot0, slot1);
}

static void after_frame(scs_fw_t *fw)
{
    send_events(fw);
    if (fw->pending_reset) {
        uint8_t kind = (uint8_t)(fw->pending_reset - 1u);
        fw->pending_reset = 0;
        log_event(fw, KIND_RESET, kind == 2 ? RESET_FACTORY : kind, 0);
        scs_fw_reboot(fw, kind == 2);
    }
}

void scs_fw_service(scs_fw_t *fw) { scs_stim_service(&fw->therapy, fw->ticks); }

void scs_fw_receive(scs_fw_t *fw, const uint8_t *data, size_t len)
{
    static uint8_t raw[SCS_MAX_DECODED];
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        if (b != 0) {
            if (fw->rx_len < sizeof fw->rx)
                fw->rx[fw->rx_len++] = b;
            else
                fw->rx_overflow = 1; /* bounded: drop until the next delimiter */
            continue;
        }
        if (fw->rx_len && !fw->rx_overflow) {
            long n = scs_cobs_decode(fw->rx, fw->rx_len, raw, sizeof raw);
            if (n > 0) {
                handle_frame(fw, raw, (size_t)n);
                after_frame(fw);
            } else
                fw->dropped_frames++;
        } else if (fw->rx_overflow) {
            fw->dropped_frames++;
        }
        fw->rx_len = 0;
        fw->rx_overflow = 0;
    }
}
