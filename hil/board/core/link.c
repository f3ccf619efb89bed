/* The link: the COBS stream decoder, frame checks, the exactly-once cache and outgoing frames. */
#include <string.h>

#include "core.h"
#include "cobs.h"
#include "crc32.h"
#include "le.h"
#include "sha256.h"

size_t scs_frame_encode(const scs_fw_t *fw, const scs_frame_t *f, uint8_t wire[SCS_MAX_ENCODED + 1u])
{
    static uint8_t body[SCS_MAX_DECODED];
    size_t n = 0u;
    size_t len = (f->len < SCS_MAX_PAYLOAD) ? f->len : SCS_MAX_PAYLOAD;
    body[n] = SCS_PROTOCOL_VERSION;
    n++;
    body[n] = f->msg_id;
    n++;
    body[n] = (uint8_t)(f->flags | ((f->sign != 0) ? SCS_FLAG_SIGNED : 0u));
    n++;
    wr16(&body[n], f->seq);
    n += 2u;
    (void)memcpy(&body[n], f->payload, len);
    n += len;
    if (f->sign != 0) {
        wr32(&body[n], f->counter);
        n += 4u;
        scs_session_tag(fw, (f->answered < 0) ? 1u : 2u, body, n, f->answered, &body[n]);
        n += SCS_TAG_SIZE;
    }
    wr32(&body[n], scs_crc32(body, n));
    n += 4u;
    size_t m = scs_cobs_encode(body, n, wire);
    wire[m] = 0u;
    m++;
    return m;
}

void scs_send_frame_bound(scs_fw_t *fw, uint8_t msg_id, uint8_t flags, uint16_t seq, const uint8_t *payload,
                          size_t len, int64_t answered)
{
    scs_link_t *l = &fw->link;
    if ((l->capture != NULL) && ((flags & SCS_FLAG_RESPONSE) != 0u) && (len <= sizeof l->capture->response)) {
        /* the answer of a state-changing request: kept for a retransmission of it */
        l->capture->used = 1;
        l->capture->response_id = msg_id;
        l->capture->response_len = (uint16_t)len;
        (void)memcpy(l->capture->response, payload, len);
        l->capture = NULL;
    }
    static uint8_t wire[SCS_MAX_ENCODED + 1u];
    int sign = 0;
    uint32_t counter = 0u;
    if ((fw->session.role != 0u) && (answered >= 0)) {
        sign = 1;
        fw->session.tx_counter++;
        counter = fw->session.tx_counter;
    }
    scs_frame_t f = {msg_id, flags, seq, payload, len, sign, counter, answered};
    size_t m = scs_frame_encode(fw, &f, wire);
    if ((l->keep_session != 0u) && (m <= sizeof l->session_wire)) {
        (void)memcpy(l->session_wire, wire, m);
        l->session_wire_len = (uint8_t)m;
    }
    scs_platform_uart_write(fw, wire, m);
}

void scs_send_frame(scs_fw_t *fw, uint8_t msg_id, uint8_t flags, uint16_t seq, const uint8_t *payload, size_t len)
{
    scs_send_frame_bound(fw, msg_id, flags, seq, payload, len, fw->link.answering);
}

void scs_send_result(scs_fw_t *fw, uint16_t seq, uint8_t request_id, uint8_t result, uint8_t field)
{
    uint8_t p[3] = {request_id, result, field};
    scs_send_frame(fw, SCS_MSG_RESULT, SCS_FLAG_RESPONSE, seq, p, sizeof p);
}

/* An unsigned RESULT (a refusal of a frame that did not authenticate). */
static void scs_send_unsigned_result(scs_fw_t *fw, uint16_t seq, uint8_t request_id, uint8_t result)
{
    uint8_t p[3] = {request_id, result, SCS_NO_FIELD};
    scs_send_frame_bound(fw, SCS_MSG_RESULT, SCS_FLAG_RESPONSE, seq, p, sizeof p, -1);
}

/* Header checks before the message is looked at: 0, VERSION_MISMATCH or BAD_FRAME (unknown flag
 * bits, a signed frame too short for its counter and tag, a payload over SCS_MAX_PAYLOAD bytes: an
 * unsigned frame of 1,025 to 1,036 payload bytes still fits SCS_MAX_DECODED). */
static uint8_t header_result(const uint8_t *raw, size_t end)
{
    uint8_t flags = raw[2];
    size_t trailer = ((flags & SCS_FLAG_SIGNED) != 0u) ? ((size_t)SCS_COUNTER_SIZE + SCS_TAG_SIZE) : 0u;
    if (raw[0] != SCS_PROTOCOL_VERSION) {
        return SCS_RESULT_VERSION_MISMATCH;
    }
    if (((flags & ~(SCS_FLAG_RESPONSE | SCS_FLAG_EVENT | SCS_FLAG_SIGNED)) != 0u) ||
        ((end - SCS_HEADER_SIZE) < trailer) || ((end - SCS_HEADER_SIZE - trailer) > SCS_MAX_PAYLOAD)) {
        return SCS_RESULT_BAD_FRAME;
    }
    return 0u;
}

/* The request's fingerprint: SHA-256(message id | payload length u16 | payload), first 16 bytes. */
static void fingerprint(uint8_t id, const uint8_t *payload, size_t len, uint8_t out[16])
{
    scs_sha256_t h;
    uint8_t head[3] = {id, (uint8_t)len, (uint8_t)(len >> 8)};
    uint8_t d[32];
    scs_sha256_init(&h);
    scs_sha256_update(&h, head, 3u);
    scs_sha256_update(&h, payload, len);
    scs_sha256_final(&h, d);
    (void)memcpy(out, d, 16u);
}

/* A retransmission of a state-changing request already answered: the cached answer again (1). */
static int resend_cached(scs_fw_t *fw, uint16_t seq, uint8_t id, const uint8_t digest[16])
{
    for (unsigned i = 0u; i < SCS_CACHE_ENTRIES; i++) {
        const scs_cache_entry_t *e = &fw->link.cache[i];
        if ((e->used != 0u) && (e->seq == seq) && (e->msg_id == id) && (scs_equal(e->digest, digest, 16u) != 0)) {
            scs_send_frame(fw, e->response_id, SCS_FLAG_RESPONSE, seq, e->response, e->response_len);
            return 1;
        }
    }
    return 0;
}

/* The cache entry that will keep the answer about to be sent. */
static void reserve_cache(scs_fw_t *fw, uint16_t seq, uint8_t id, const uint8_t digest[16])
{
    scs_link_t *l = &fw->link;
    scs_cache_entry_t *e = &l->cache[l->cache_next % SCS_CACHE_ENTRIES];
    l->cache_next++;
    e->used = 0u;
    e->seq = seq;
    e->msg_id = id;
    (void)memcpy(e->digest, digest, 16u);
    l->capture = e;
}

/* A frame that did not authenticate (or a bad header): counted, answered unsigned. */
static void refuse(scs_fw_t *fw, uint16_t seq, uint8_t id, uint8_t result)
{
    scs_refusal_event(fw, result, id);
    scs_send_unsigned_result(fw, seq, id, result);
}

/* Authenticate, find and admit the request: the request, or 0 when it was refused (answered). */
static const scs_request_t *admit(scs_fw_t *fw, const uint8_t *raw, size_t *end)
{
    uint8_t id = raw[1];
    uint8_t flags = raw[2];
    uint8_t role = 0u;
    uint16_t seq = rd16(&raw[3]);
    fw->link.answering = -1;
    if ((flags & SCS_FLAG_SIGNED) != 0u) {
        uint32_t counter;
        uint8_t r = scs_session_verify(fw, raw, end, &counter);
        if (r != 0u) {
            refuse(fw, seq, id, r);
            return NULL;
        }
        fw->link.answering = counter;
        role = fw->session.role;
    }
    const scs_request_t *m = scs_find_request(id);
    if ((m == NULL) || ((flags & (SCS_FLAG_RESPONSE | SCS_FLAG_EVENT)) != 0u)) {
        if (fw->link.answering < 0) {
            refuse(fw, seq, id, SCS_RESULT_UNKNOWN_MESSAGE);
        } else {
            scs_send_result(fw, seq, id, SCS_RESULT_UNKNOWN_MESSAGE, SCS_NO_FIELD);
        }
        return NULL;
    }
    uint8_t r = scs_session_permit(fw, id, m->role, role);
    if (r != 0u) {
        scs_send_result(fw, seq, id, r, SCS_NO_FIELD);
        return NULL;
    }
    return m;
}

static void handle_frame(scs_fw_t *fw, const uint8_t *raw, size_t n)
{
    if ((n < (SCS_HEADER_SIZE + SCS_CRC_SIZE)) || (scs_crc32(raw, n - SCS_CRC_SIZE) != rd32(&raw[n - SCS_CRC_SIZE]))) {
        fw->link.dropped_frames++; /* the sequence number can't be trusted: no answer */
        return;
    }
    uint8_t id = raw[1];
    uint16_t seq = rd16(&raw[3]);
    size_t end = n - SCS_CRC_SIZE;
    uint8_t result = header_result(raw, end);
    if (result != 0u) {
        refuse(fw, seq, id, result);
        return;
    }
    const scs_request_t *m = admit(fw, raw, &end);
    if (m == NULL) {
        return;
    }
    size_t len = end - SCS_HEADER_SIZE;
    const uint8_t *payload = &raw[SCS_HEADER_SIZE];
    if (len != m->size) {
        scs_send_result(fw, seq, id, SCS_RESULT_BAD_LENGTH, SCS_NO_FIELD);
        return;
    }
    int bad = scs_out_of_range(m, payload);
    if (bad >= 0) {
        scs_send_result(fw, seq, id, SCS_RESULT_OUT_OF_RANGE, (uint8_t)bad);
        return;
    }
    uint8_t digest[16];
    if ((m->flags & SCS_REQ_CHANGES_STATE) != 0u) {
        fingerprint(id, payload, len, digest);
        if (resend_cached(fw, seq, id, digest) != 0) {
            return;
        }
        reserve_cache(fw, seq, id, digest);
    }
    scs_execute(fw, m, seq, payload);
    fw->link.capture = NULL;
}

void scs_fw_receive(scs_fw_t *fw, const uint8_t *data, size_t len)
{
    static uint8_t raw[SCS_MAX_DECODED];
    scs_link_t *l = &fw->link;
    for (size_t i = 0u; i < len; i++) {
        uint8_t b = data[i];
        if (b != 0u) {
            if (l->rx_len < sizeof l->rx) {
                l->rx[l->rx_len] = b;
                l->rx_len++;
            } else {
                l->rx_overflow = 1u; /* bounded: drop until the next delimiter */
            }
            continue;
        }
        if ((l->rx_len != 0u) && (l->rx_overflow == 0u)) {
            long n = scs_cobs_decode(l->rx, l->rx_len, raw, sizeof raw);
            if (n > 0) {
                handle_frame(fw, raw, (size_t)n);
                scs_after_request(fw);
            } else {
                l->dropped_frames++;
            }
        } else if (l->rx_overflow != 0u) {
            l->dropped_frames++;
        } else {
            /* an empty frame (two delimiters in a row): nothing to count */
        }
        l->rx_len = 0u;
        l->rx_overflow = 0u;
    }
}
