/* Authenticated sessions: the exactly-once HELLO/AUTH handshake with back-off per role, device
 * nonces that never repeat, frame tags bound to the request answered, and the role a request needs.
 * The same rules as protocol/session/security.py (DeviceGuard); docs/protocol.md gives every byte. */
#include <string.h>

#include "core.h"
#include "le.h"
#include "sha256.h"


static const uint8_t *role_key(const scs_fw_t *fw, uint8_t role)
{
    if (role == (uint8_t)SCS_ROLE_PATIENT) {
        return fw->keys.patient_key;
    }
    return (role == (uint8_t)SCS_ROLE_CLINICIAN) ? fw->keys.clinician_key : fw->keys.test_key;
}

static int role_available(const scs_fw_t *fw, uint8_t role)
{
    if (role == (uint8_t)SCS_ROLE_TEST) {
        return SCS_TEST_BUILD && fw->keys.has_test_key;
    }
    return (role == (uint8_t)SCS_ROLE_PATIENT) || (role == (uint8_t)SCS_ROLE_CLINICIAN);
}

void scs_session_tag(const scs_fw_t *fw, uint8_t direction, const uint8_t *body, size_t len, int64_t answered,
                     uint8_t out[SCS_TAG_SIZE])
{
    scs_hmac_t h;
    uint8_t mac[32];
    uint8_t a[4];
    scs_hmac_init(&h, fw->session.session_key, 32);
    scs_hmac_update(&h, &direction, 1);
    scs_hmac_update(&h, body, len);
    if (answered >= 0) {
        wr32(a, (uint32_t)answered);
        scs_hmac_update(&h, a, 4);
    }
    scs_hmac_final(&h, mac);
    (void)memcpy(out, mac, SCS_TAG_SIZE);
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

void scs_session_persist(scs_fw_t *fw)
{
    scs_session_t *s = &fw->session;
    for (unsigned i = 0; i < SCS_KEYED_ROLES; i++) {
        uint64_t left = (s->backoff_until[i] > fw->ticks) ? (s->backoff_until[i] - fw->ticks) : 0u;
        s->record.remaining[i] = (uint32_t)((left > SCS_BACKOFF_MAX_TICKS) ? SCS_BACKOFF_MAX_TICKS : left);
    }
    scs_record_save(fw);
}

void scs_session_boot(scs_fw_t *fw)
{
    scs_session_t *s = &fw->session;
    scs_hmac_t h;
    uint8_t id[8];
    wr64(id, fw->keys.device_id);
    scs_hmac_init(&h, fw->keys.clinician_key, SCS_KEY_SIZE);
    scs_hmac_update(&h, (const uint8_t *)"SCS1 nonce key", 14);
    scs_hmac_update(&h, fw->keys.patient_key, SCS_KEY_SIZE);
    scs_hmac_update(&h, id, 8);
    scs_hmac_final(&h, s->nonce_key);
    s->record_valid = (uint8_t)scs_record_load(fw);
    for (unsigned i = 0; i < SCS_KEYED_ROLES; i++) {
        uint32_t left = s->record.remaining[i];
        s->backoff_until[i] = fw->ticks + ((left > SCS_BACKOFF_MAX_TICKS) ? SCS_BACKOFF_MAX_TICKS : left);
    }
    uint8_t probe[16];
    s->hw_rng = (uint8_t)scs_platform_rng(probe);
    if (!s->hw_rng && !s->record_valid) { /* no fresh epoch can be claimed: every HELLO is refused */
        scs_log_event(fw, SCS_EVENT_KIND_SECURITY, SCS_SECURITY_SUMMARY_NO_NONCE_SOURCE, 0);
    }
}

/* Nd = HMAC(K_nonce, "SCS1 nonce" | epoch | counter | rng)[:16]; the epoch of a boot is persisted
 * before its first nonce leaves the device. */
static void next_nonce(scs_fw_t *fw, uint8_t out[SCS_NONCE_SIZE])
{
    scs_session_t *s = &fw->session;
    uint8_t msg[10 + 8 + 16];
    uint8_t mac[32];
    if ((!s->epoch_claimed) || (s->nonce_counter == 0xFFFFFFFFu)) {
        s->record.epoch++;
        scs_session_persist(fw);
        s->record_valid = 1u;
        s->epoch = s->record.epoch;
        s->nonce_counter = 0u;
        s->epoch_claimed = 1u;
    }
    s->nonce_counter++;
    (void)memcpy(msg, "SCS1 nonce", 10u);
    wr32(&msg[10], s->epoch);
    wr32(&msg[14], s->nonce_counter);
    (void)memset(&msg[18], 0, 16u);
    if ((s->hw_rng != 0u) && (scs_platform_rng(&msg[18]) == 0)) {
        (void)memset(&msg[18], 0, 16u);
    }
    scs_hmac_sha256(s->nonce_key, 32u, msg, sizeof msg, mac);
    (void)memcpy(out, mac, SCS_NONCE_SIZE);
}

uint8_t scs_session_verify(scs_fw_t *fw, const uint8_t *raw, size_t *end, uint32_t *counter)
{
    scs_session_t *s = &fw->session;
    uint8_t want[SCS_TAG_SIZE];
    *end -= SCS_COUNTER_SIZE + SCS_TAG_SIZE;
    *counter = rd32(&raw[*end]);
    if (!s->role) {
        return SCS_RESULT_NOT_AUTHENTICATED;
    }
    scs_session_tag(fw, 1u, raw, *end + SCS_COUNTER_SIZE, -1, want);
    if (scs_equal(want, &raw[*end + SCS_COUNTER_SIZE], SCS_TAG_SIZE) == 0) {
        return SCS_RESULT_BAD_TAG;
    }
    if (*counter <= s->rx_counter) {
        return (*counter == s->rx_counter) ? SCS_RESULT_REPLAY : SCS_RESULT_STALE_COUNTER;
    }
    s->rx_counter = *counter;
    return 0;
}

uint8_t scs_session_permit(scs_fw_t *fw, uint8_t id, uint8_t need_role, uint8_t session_role)
{
    if ((session_role == 0u) && (need_role != (uint8_t)SCS_ROLE_NONE)) {
        scs_refusal_event(fw, SCS_RESULT_NOT_AUTHENTICATED, id);
        return SCS_RESULT_NOT_AUTHENTICATED;
    }
    if ((need_role > session_role) || ((need_role == (uint8_t)SCS_ROLE_TEST) && (SCS_TEST_BUILD == 0))) {
        if (session_role != 0u) {
            scs_security_event(fw, SCS_RESULT_NOT_PERMITTED, id, session_role);
        } else {
            scs_refusal_event(fw, SCS_RESULT_NOT_PERMITTED, id);
        }
        return SCS_RESULT_NOT_PERMITTED;
    }
    return 0;
}

static scs_handshake_t *find_handshake(scs_fw_t *fw, uint8_t role, const uint8_t *host_nonce)
{
    for (unsigned i = 0; i < SCS_HANDSHAKES_KEPT; i++) {
        scs_handshake_t *h = &fw->session.handshakes[i];
        if ((h->role != 0u) && ((role == 0u) || (h->role == role)) &&
            (memcmp(h->host_nonce, host_nonce, SCS_NONCE_SIZE) == 0)) {
            return h;
        }
    }
    return NULL;
}

/* A free entry, else the oldest one (a handshake in progress is dropped only for newer ones). */
static scs_handshake_t *new_handshake(scs_fw_t *fw)
{
    scs_handshake_t *oldest = &fw->session.handshakes[0];
    for (unsigned i = 0; i < SCS_HANDSHAKES_KEPT; i++) {
        scs_handshake_t *h = &fw->session.handshakes[i];
        if (h->role == 0u) {
            return h;
        }
        if (h->age < oldest->age) {
            oldest = h;
        }
    }
    return oldest;
}

static void send_challenge(scs_fw_t *fw, uint16_t seq, uint8_t result, const scs_handshake_t *h, uint32_t retry_ms)
{
    uint8_t out[SCS_CHALLENGE_SIZE] = {0};
    out[SCS_CHALLENGE_RESULT_OFFSET] = result;
    if (h != NULL) {
        (void)memcpy(&out[SCS_CHALLENGE_DEVICE_NONCE_OFFSET], h->device_nonce, SCS_NONCE_SIZE);
        proof(fw, "SCS1 dev", h->role, h->host_nonce, h->device_nonce, &out[SCS_CHALLENGE_DEVICE_PROOF_OFFSET]);
    }
    wr32(&out[SCS_CHALLENGE_RETRY_AFTER_MS_OFFSET], retry_ms);
    scs_send_frame_bound(fw, SCS_MSG_CHALLENGE, SCS_FLAG_RESPONSE, seq, out, sizeof out, -1);
}

void scs_on_hello(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_session_t *s = &fw->session;
    uint8_t role = p[SCS_HELLO_ROLE_OFFSET];
    const uint8_t *host_nonce = &p[SCS_HELLO_HOST_NONCE_OFFSET];
    if (!role_available(fw, role)) {
        scs_refusal_event(fw, SCS_RESULT_NOT_PERMITTED, SCS_MSG_HELLO);
        send_challenge(fw, seq, SCS_RESULT_NOT_PERMITTED, NULL, 0u);
        return;
    }
    if (!s->hw_rng && !s->record_valid) { /* neither entropy nor a valid record: never reuse an epoch */
        scs_refusal_event(fw, SCS_RESULT_WRONG_STATE, SCS_MSG_HELLO);
        send_challenge(fw, seq, SCS_RESULT_WRONG_STATE, NULL, 0u);
        return;
    }
    scs_handshake_t *h = find_handshake(fw, role, host_nonce);
    if (h != NULL) { /* a retransmitted HELLO: the same answer again */
        send_challenge(fw, seq, SCS_RESULT_OK, h, 0u);
        return;
    }
    uint64_t until = s->backoff_until[role - 1u];
    if (fw->ticks < until) {
        uint32_t left_ms = (uint32_t)((until - fw->ticks + 999u) / 1000u);
        scs_refusal_event(fw, SCS_RESULT_BUSY, SCS_MSG_HELLO);
        send_challenge(fw, seq, SCS_RESULT_BUSY, NULL, left_ms);
        return;
    }
    h = new_handshake(fw);
    (void)memset(h, 0, sizeof *h);
    next_nonce(fw, h->device_nonce);
    h->role = role;
    s->handshake_age++;
    h->age = s->handshake_age;
    (void)memcpy(h->host_nonce, host_nonce, SCS_NONCE_SIZE);
    send_challenge(fw, seq, SCS_RESULT_OK, h, 0u);
}

static void send_session(scs_fw_t *fw, uint16_t seq, uint8_t result, uint8_t role)
{
    uint8_t out[SCS_SESSION_SIZE] = {0};
    out[SCS_SESSION_RESULT_OFFSET] = result;
    out[SCS_SESSION_ROLE_OFFSET] = role;
    scs_send_frame_bound(fw, SCS_MSG_SESSION, SCS_FLAG_RESPONSE, seq, out, sizeof out, (result != 0u) ? -1 : 0);
}

/* A wrong proof: one more failure for the role, its back-off restarts (persisted with what remains). */
static void proof_failed(scs_fw_t *fw, scs_handshake_t *h)
{
    scs_session_t *s = &fw->session;
    unsigned r = h->role - 1u;
    if (s->record.failures[r] < 0xFFFFu) {
        s->record.failures[r]++;
    }
    unsigned shift = ((s->record.failures[r] - 1u) > 40u) ? 40u : (s->record.failures[r] - 1u);
    uint64_t delay = (uint64_t)SCS_BACKOFF_BASE_TICKS << shift;
    s->backoff_until[r] = fw->ticks + ((delay > SCS_BACKOFF_MAX_TICKS) ? SCS_BACKOFF_MAX_TICKS : delay);
    scs_refusal_event(fw, SCS_RESULT_BAD_TAG, SCS_MSG_AUTH); /* a frame that did not authenticate */
    h->failed_tries++;
    if ((h->failed_tries >= SCS_MAX_FAILED_TRIES) || (h->done != 0u)) {
        h->role = 0u;
    }
    scs_session_persist(fw);
}

static void open_session(scs_fw_t *fw, scs_handshake_t *h, uint16_t seq)
{
    scs_session_t *s = &fw->session;
    unsigned r = h->role - 1u;
    h->done = 1u;
    for (unsigned i = 0u; i < SCS_HANDSHAKES_KEPT; i++) {
        if ((s->handshakes[i].done != 0u) && (&s->handshakes[i] != h)) {
            s->handshakes[i].role = 0u;
        }
    }
    proof(fw, "SCS1 session", h->role, h->host_nonce, h->device_nonce, s->session_key);
    (void)memcpy(s->origin, h->host_nonce, SCS_NONCE_SIZE);
    s->tx_counter = 0u;
    s->rx_counter = 0u;
    s->role = h->role;
    (void)memset(fw->link.cache, 0, sizeof fw->link.cache);
    if ((s->record.failures[r] != 0u) || (s->backoff_until[r] > fw->ticks)) {
        s->record.failures[r] = 0u;
        s->backoff_until[r] = fw->ticks;
        scs_session_persist(fw);
    }
    fw->link.keep_session = 1;
    send_session(fw, seq, SCS_RESULT_OK, h->role);
    fw->link.keep_session = 0;
}

void scs_on_auth(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_session_t *s = &fw->session;
    const uint8_t *host_nonce = &p[SCS_AUTH_HOST_NONCE_OFFSET];
    uint8_t want[32];
    scs_handshake_t *matching[SCS_HANDSHAKES_KEPT];
    unsigned n = 0u;
    unsigned held = 0u;
    for (unsigned i = 0u; i < SCS_HANDSHAKES_KEPT; i++) {
        scs_handshake_t *h = &s->handshakes[i];
        if ((h->role == 0u) || (memcmp(h->host_nonce, host_nonce, SCS_NONCE_SIZE) != 0)) {
            continue;
        }
        if (s->backoff_until[h->role - 1u] > fw->ticks) {
            held++; /* opened before its role's back-off: not checked during it */
        } else {
            matching[n] = h;
            n++;
        }
    }
    for (unsigned i = 0u; i < n; i++) {
        scs_handshake_t *h = matching[i];
        proof(fw, "SCS1 host", h->role, h->device_nonce, h->host_nonce, want);
        if (scs_equal(want, &p[SCS_AUTH_HOST_PROOF_OFFSET], 32u) == 0) {
            continue;
        }
        if (!h->done) {
            open_session(fw, h, seq);
        } else if ((s->role != 0u) && (memcmp(s->origin, host_nonce, SCS_NONCE_SIZE) == 0) &&
                   (fw->link.session_wire_len != 0u)) {
            scs_platform_uart_write(fw, fw->link.session_wire, fw->link.session_wire_len);
        } else {
            send_session(fw, seq, SCS_RESULT_WRONG_STATE, 0);
        }
        return;
    }
    if (n == 0u) {
        uint8_t result = (held != 0u) ? SCS_RESULT_BUSY : SCS_RESULT_WRONG_STATE;
        scs_refusal_event(fw, result, SCS_MSG_AUTH);
        send_session(fw, seq, result, 0);
        return;
    }
    for (unsigned i = 0u; i < n; i++) {
        proof_failed(fw, matching[i]);
    }
    send_session(fw, seq, SCS_RESULT_BAD_TAG, 0);
}

void scs_on_session_end(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    scs_send_result(fw, seq, SCS_MSG_SESSION_END, SCS_RESULT_OK, SCS_NO_FIELD);
    fw->session.role = 0;
}
