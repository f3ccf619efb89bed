/* Authenticated sessions: the HELLO/AUTH handshake with its back-off, frame signatures and counters,
 * and the role a request needs. */
#include <string.h>

#include "core.h"
#include "le.h"
#include "sha256.h"

#define BACKOFF_BASE_TICKS 1000000u
#define BACKOFF_MAX_TICKS 64000000u

static const uint8_t *role_key(const scs_fw_t *fw, uint8_t role)
{
    return role == SCS_ROLE_PATIENT ? fw->keys.patient_key : fw->keys.clinician_key;
}

void scs_session_tag(const scs_fw_t *fw, uint8_t direction, const uint8_t *body, size_t len, uint8_t out[SCS_TAG_SIZE])
{
    scs_hmac_t h;
    uint8_t mac[32];
    scs_hmac_init(&h, fw->session.session_key, 32);
    scs_hmac_update(&h, &direction, 1);
    scs_hmac_update(&h, body, len);
    scs_hmac_final(&h, mac);
    memcpy(out, mac, SCS_TAG_SIZE);
}

static void random_bytes(scs_fw_t *fw, uint8_t *out, size_t len)
{
    uint8_t msg[12], mac[32];
    wr64(msg, fw->ticks);
    wr32(msg + 8, ++fw->session.nonce_counter);
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

/* A signed frame: within a session, with a valid tag and a fresh counter. */
static uint8_t verify_signed(scs_fw_t *fw, const uint8_t *raw, size_t end, uint8_t id)
{
    scs_session_t *s = &fw->session;
    uint32_t counter = rd32(raw + end);
    uint8_t want[SCS_TAG_SIZE];
    if (!s->role) {
        scs_security_event(fw, SCS_RESULT_NOT_AUTHENTICATED, id, 0);
        return SCS_RESULT_NOT_AUTHENTICATED;
    }
    scs_session_tag(fw, 1, raw, end + SCS_COUNTER_SIZE, want);
    if (!scs_equal(want, raw + end + SCS_COUNTER_SIZE, SCS_TAG_SIZE)) {
        scs_security_event(fw, SCS_RESULT_BAD_TAG, id, counter);
        return SCS_RESULT_BAD_TAG;
    }
    if (counter <= s->rx_counter) {
        uint8_t result = counter == s->rx_counter ? SCS_RESULT_REPLAY : SCS_RESULT_STALE_COUNTER;
        scs_security_event(fw, result, id, counter);
        return result;
    }
    s->rx_counter = counter;
    return 0;
}

uint8_t scs_session_admit(scs_fw_t *fw, const uint8_t *raw, size_t *end, uint8_t id, uint8_t need_role)
{
    uint8_t session_role = 0;
    if (raw[2] & SCS_FLAG_SIGNED) {
        *end -= SCS_COUNTER_SIZE + SCS_TAG_SIZE;
        uint8_t result = verify_signed(fw, raw, *end, id);
        if (result)
            return result;
        session_role = fw->session.role;
    } else if (need_role != SCS_ROLE_NONE) {
        scs_security_event(fw, SCS_RESULT_NOT_AUTHENTICATED, id, 0);
        return SCS_RESULT_NOT_AUTHENTICATED;
    }
    if (need_role > session_role) {
        scs_security_event(fw, SCS_RESULT_NOT_PERMITTED, id, session_role);
        return SCS_RESULT_NOT_PERMITTED;
    }
    return 0;
}

void scs_on_hello(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_session_t *s = &fw->session;
    uint8_t out[SCS_CHALLENGE_SIZE] = {0};
    s->role = 0; /* a new handshake ends any session */
    if (fw->ticks < s->backoff_until) {
        out[SCS_CHALLENGE_RESULT_OFFSET] = SCS_RESULT_BUSY;
        uint32_t left_ms = (uint32_t)((s->backoff_until - fw->ticks + 999u) / 1000u);
        wr32(out + SCS_CHALLENGE_RETRY_AFTER_MS_OFFSET, left_ms);
        scs_security_event(fw, SCS_RESULT_BUSY, SCS_MSG_HELLO, left_ms);
        scs_send_frame(fw, SCS_MSG_CHALLENGE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
        return;
    }
    s->pending_role = p[SCS_HELLO_ROLE_OFFSET];
    memcpy(s->host_nonce, p + SCS_HELLO_HOST_NONCE_OFFSET, SCS_NONCE_SIZE);
    random_bytes(fw, s->device_nonce, SCS_NONCE_SIZE);
    out[SCS_CHALLENGE_RESULT_OFFSET] = SCS_RESULT_OK;
    memcpy(out + SCS_CHALLENGE_DEVICE_NONCE_OFFSET, s->device_nonce, SCS_NONCE_SIZE);
    proof(fw, "SCS1 dev", s->pending_role, s->host_nonce, s->device_nonce, out + SCS_CHALLENGE_DEVICE_PROOF_OFFSET);
    scs_send_frame(fw, SCS_MSG_CHALLENGE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

static void send_session(scs_fw_t *fw, uint16_t seq, uint8_t result, uint8_t role)
{
    uint8_t out[SCS_SESSION_SIZE] = {0};
    out[SCS_SESSION_RESULT_OFFSET] = result;
    out[SCS_SESSION_ROLE_OFFSET] = role;
    scs_send_frame(fw, SCS_MSG_SESSION, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

/* A wrong host proof: exponential back-off before the next handshake, kept across reboots. */
static void handshake_failed(scs_fw_t *fw)
{
    scs_session_t *s = &fw->session;
    s->failed_handshakes++;
    uint32_t shift = s->failed_handshakes - 1 > 30 ? 30 : s->failed_handshakes - 1;
    uint64_t delay = (uint64_t)BACKOFF_BASE_TICKS << shift;
    s->backoff_until = fw->ticks + (delay > BACKOFF_MAX_TICKS ? BACKOFF_MAX_TICKS : delay);
    scs_security_event(fw, SCS_RESULT_BAD_TAG, SCS_MSG_AUTH, s->failed_handshakes);
    (void)scs_settings_save(fw); /* the back-off survives a reboot */
}

void scs_on_auth(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_session_t *s = &fw->session;
    uint8_t want[32];
    if (s->pending_role == 0) {
        scs_security_event(fw, SCS_RESULT_WRONG_STATE, SCS_MSG_AUTH, 0);
        send_session(fw, seq, SCS_RESULT_WRONG_STATE, 0);
        return;
    }
    uint8_t role = s->pending_role;
    s->pending_role = 0;
    proof(fw, "SCS1 host", role, s->device_nonce, s->host_nonce, want);
    if (!scs_equal(want, p + SCS_AUTH_HOST_PROOF_OFFSET, 32)) {
        handshake_failed(fw);
        send_session(fw, seq, SCS_RESULT_BAD_TAG, 0);
        return;
    }
    if (s->failed_handshakes) {
        s->failed_handshakes = 0;
        s->backoff_until = 0;
        (void)scs_settings_save(fw);
    }
    proof(fw, "SCS1 session", role, s->host_nonce, s->device_nonce, s->session_key);
    s->rx_counter = s->tx_counter = 0;
    memset(fw->link.cache, 0, sizeof fw->link.cache);
    send_session(fw, seq, SCS_RESULT_OK, role);
    s->role = role;
}

void scs_on_session_end(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    scs_send_result(fw, seq, SCS_MSG_SESSION_END, SCS_RESULT_OK, SCS_NO_FIELD);
    fw->session.role = 0;
}
