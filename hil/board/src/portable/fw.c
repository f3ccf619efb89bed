#include "fw.h"

#include <string.h>

#include "cobs.h"
#include "crc32.h"
#include "sha256.h"

#define FIRMWARE_VERSION 0x000100u /* 0.1.0 */
#define CAPABILITIES 0u            /* no virtual clock, inputs or trace yet */
#define BACKOFF_BASE_TICKS 1000000u
#define BACKOFF_MAX_TICKS 64000000u
#define NO_FIELD 255u

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void wr32(uint8_t *p, uint32_t v) { for (unsigned i = 0; i < 4; i++) p[i] = (uint8_t)(v >> (8 * i)); }
static void wr64(uint8_t *p, uint64_t v) { for (unsigned i = 0; i < 8; i++) p[i] = (uint8_t)(v >> (8 * i)); }

void scs_fw_init(scs_fw_t *fw, const scs_keys_t *keys, scs_write_fn write, void *write_ctx)
{
    memset(fw, 0, sizeof *fw);
    fw->keys = *keys;
    fw->write = write;
    fw->write_ctx = write_ctx;
}

void scs_fw_advance(scs_fw_t *fw, uint64_t ticks) { fw->ticks += ticks; }

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
        wr32(out + SCS_CHALLENGE_RETRY_AFTER_MS_OFFSET, (uint32_t)((fw->backoff_until - fw->ticks + 999u) / 1000u));
        fw->security_events++;
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
        fw->security_events++;
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
        fw->security_events++;
        out[SCS_SESSION_RESULT_OFFSET] = SCS_RESULT_BAD_TAG;
        send_frame(fw, SCS_MSG_SESSION, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    fw->failed_handshakes = 0;
    fw->backoff_until = 0;
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
    wr32(out + SCS_DEVICE_INFO_CAPABILITIES_OFFSET, CAPABILITIES);
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
    uint8_t variable;
} msg_info_t;

/* The requests of the catalog (generated header) the board knows. */
static const msg_info_t REQUESTS[] = {
#define REQ(name, variable) {SCS_MSG_##name, SCS_##name##_ROLE, SCS_##name##_RESPONSE, SCS_##name##_CHANGES_STATE, SCS_##name##_SIZE, variable}
    REQ(DEVICE_INFO_GET, 0), REQ(STATUS_GET, 0), REQ(STIM_SET, 0), REQ(PROGRAM_SELECT, 0), REQ(AMPLITUDE_STEP, 0),
    REQ(AREA_WRITE, 0), REQ(PROGRAM_COMMIT, 0), REQ(AREA_READ, 0), REQ(LIMITS_WRITE, 0), REQ(LIMITS_READ, 0),
    REQ(IMPEDANCE_GET, 0), REQ(POSTURE_INPUT, 0), REQ(ADAPTIVE_SET, 0), REQ(MRI_MODE_SET, 0),
    REQ(RECHARGE_COUPLING_INPUT, 0), REQ(CHARGING_STATUS_GET, 0), REQ(TRACE_START, 0), REQ(TRACE_STOP, 0),
    REQ(TRACE_DUMP, 0), REQ(EVENT_LOG_READ, 0), REQ(CLOCK_GET, 0), REQ(CLOCK_ADVANCE, 0), REQ(IMPEDANCE_INPUT, 0),
    REQ(RESET, 0), REQ(HELLO, 0), REQ(AUTH, 0), REQ(SESSION_END, 0),
#undef REQ
};

static const msg_info_t *find_request(uint8_t id)
{
    for (size_t i = 0; i < sizeof REQUESTS / sizeof REQUESTS[0]; i++)
        if (REQUESTS[i].id == id)
            return &REQUESTS[i];
    return 0;
}

static void execute(scs_fw_t *fw, const msg_info_t *m, uint16_t seq, const uint8_t *p)
{
    switch (m->id) {
    case SCS_MSG_DEVICE_INFO_GET:
        on_device_info(fw, seq);
        return;
    case SCS_MSG_HELLO:
        if (p[SCS_HELLO_ROLE_OFFSET] < 1 || p[SCS_HELLO_ROLE_OFFSET] > 2) {
            send_result(fw, seq, m->id, SCS_RESULT_OUT_OF_RANGE, 0);
            return;
        }
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
        out[SCS_STATUS_STIM_ON_OFFSET] = fw->stim_on;
        wr64(out + SCS_STATUS_CLOCK_TICKS_OFFSET, fw->ticks);
        wr16(out + SCS_STATUS_BATTERY_SOC_PERMILLE_OFFSET, 800);
        wr16(out + SCS_STATUS_BATTERY_MV_OFFSET, 3937);
        out[SCS_STATUS_BATTERY_STATE_OFFSET] = 1;
        wr32(out + SCS_STATUS_TEMPERATURE_MC_OFFSET, 37000u);
        send_frame(fw, SCS_MSG_STATUS, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    case SCS_MSG_STIM_SET:
        if (p[SCS_STIM_SET_ON_OFFSET] > 1) {
            send_result(fw, seq, m->id, SCS_RESULT_OUT_OF_RANGE, 0);
        } else if (p[SCS_STIM_SET_ON_OFFSET] == 0) {
            fw->stim_on = 0; /* stopping is always allowed */
            send_result(fw, seq, m->id, SCS_RESULT_OK, NO_FIELD);
        } else {
            send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, 0); /* no program stored */
        }
        return;
    default:
        /* therapy requests not implemented on the board yet: refused, nothing changes */
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
            fw->security_events++;
            send_result(fw, seq, id, SCS_RESULT_NOT_AUTHENTICATED, NO_FIELD);
            return;
        }
        tag(fw->session_key, 1, raw, end + SCS_COUNTER_SIZE, want);
        if (!scs_equal(want, raw + end + SCS_COUNTER_SIZE, SCS_TAG_SIZE)) {
            fw->security_events++;
            send_result(fw, seq, id, SCS_RESULT_BAD_TAG, NO_FIELD);
            return;
        }
        if (counter <= fw->rx_counter) {
            fw->security_events++;
            send_result(fw, seq, id, counter == fw->rx_counter ? SCS_RESULT_REPLAY : SCS_RESULT_STALE_COUNTER, NO_FIELD);
            return;
        }
        fw->rx_counter = counter;
        session_role = fw->role;
    } else if (m->role != SCS_ROLE_NONE) {
        fw->security_events++;
        send_result(fw, seq, id, SCS_RESULT_NOT_AUTHENTICATED, NO_FIELD);
        return;
    }
    if (m->role > session_role) {
        fw->security_events++;
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
            if (n > 0)
                handle_frame(fw, raw, (size_t)n);
            else
                fw->dropped_frames++;
        } else if (fw->rx_overflow) {
            fw->dropped_frames++;
        }
        fw->rx_len = 0;
        fw->rx_overflow = 0;
    }
}
