/* The link: the COBS stream decoder, frame checks, the exactly-once cache and outgoing frames. */
#include <string.h>

#include "core.h"
#include "cobs.h"
#include "crc32.h"
#include "le.h"

void scs_send_frame(scs_fw_t *fw, uint8_t msg_id, uint8_t flags, uint16_t seq, const uint8_t *payload, size_t len)
{
    scs_link_t *l = &fw->link;
    if (l->capture && (flags & SCS_FLAG_RESPONSE) && len <= sizeof l->capture->response) {
        /* the answer of a state-changing request: kept for a retransmission of it */
        l->capture->used = 1;
        l->capture->response_id = msg_id;
        l->capture->response_len = (uint16_t)len;
        memcpy(l->capture->response, payload, len);
        l->capture = 0;
    }
    static uint8_t body[SCS_MAX_DECODED];
    static uint8_t wire[SCS_MAX_ENCODED + 1];
    size_t n = 0;
    int sign = fw->session.role != 0 && msg_id != SCS_MSG_CHALLENGE && msg_id != SCS_MSG_SESSION;
    body[n++] = SCS_PROTOCOL_VERSION;
    body[n++] = msg_id;
    body[n++] = (uint8_t)(flags | (sign ? SCS_FLAG_SIGNED : 0));
    wr16(body + n, seq);
    n += 2;
    memcpy(body + n, payload, len);
    n += len;
    if (sign) {
        wr32(body + n, ++fw->session.tx_counter);
        n += 4;
        scs_session_tag(fw, 2, body, n, body + n);
        n += SCS_TAG_SIZE;
    }
    wr32(body + n, scs_crc32(body, n));
    n += 4;
    size_t m = scs_cobs_encode(body, n, wire);
    wire[m++] = 0;
    l->write(l->write_ctx, wire, m);
}

void scs_send_result(scs_fw_t *fw, uint16_t seq, uint8_t request_id, uint8_t result, uint8_t field)
{
    uint8_t p[3] = {request_id, result, field};
    scs_send_frame(fw, SCS_MSG_RESULT, SCS_FLAG_RESPONSE, seq, p, sizeof p);
}

/* Header checks before the message is looked at: 0, VERSION_MISMATCH or BAD_FRAME. */
static uint8_t header_result(const uint8_t *raw, size_t end)
{
    uint8_t flags = raw[2];
    if (raw[0] != SCS_PROTOCOL_VERSION)
        return SCS_RESULT_VERSION_MISMATCH;
    if (flags & ~(SCS_FLAG_RESPONSE | SCS_FLAG_EVENT | SCS_FLAG_SIGNED) ||
        ((flags & SCS_FLAG_SIGNED) && end - SCS_HEADER_SIZE < SCS_COUNTER_SIZE + SCS_TAG_SIZE))
        return SCS_RESULT_BAD_FRAME;
    return 0;
}

/* A retransmission of a state-changing request already answered: the cached answer again (1). */
static int resend_cached(scs_fw_t *fw, uint16_t seq, uint8_t id, uint32_t fingerprint)
{
    for (unsigned i = 0; i < SCS_CACHE_ENTRIES; i++) {
        const scs_cache_entry_t *e = &fw->link.cache[i];
        if (e->used && e->seq == seq && e->msg_id == id && e->request_crc == fingerprint) {
            scs_send_frame(fw, e->response_id, SCS_FLAG_RESPONSE, seq, e->response, e->response_len);
            return 1;
        }
    }
    return 0;
}

/* The cache entry that will keep the answer about to be sent. */
static void reserve_cache(scs_fw_t *fw, uint16_t seq, uint8_t id, uint32_t fingerprint)
{
    scs_link_t *l = &fw->link;
    scs_cache_entry_t *e = &l->cache[l->cache_next++ % SCS_CACHE_ENTRIES];
    e->used = 0;
    e->seq = seq;
    e->msg_id = id;
    e->request_crc = fingerprint;
    l->capture = e;
}

static void handle_frame(scs_fw_t *fw, const uint8_t *raw, size_t n)
{
    if (n < SCS_HEADER_SIZE + SCS_CRC_SIZE || scs_crc32(raw, n - SCS_CRC_SIZE) != rd32(raw + n - SCS_CRC_SIZE)) {
        fw->link.dropped_frames++; /* the sequence number can't be trusted: no answer */
        return;
    }
    uint8_t id = raw[1], flags = raw[2];
    uint16_t seq = rd16(raw + 3);
    size_t end = n - SCS_CRC_SIZE;
    uint8_t result = header_result(raw, end);
    const scs_request_t *m = result ? 0 : scs_find_request(id);
    if (!result && (!m || (flags & (SCS_FLAG_RESPONSE | SCS_FLAG_EVENT))))
        result = SCS_RESULT_UNKNOWN_MESSAGE;
    if (!result)
        result = scs_session_admit(fw, raw, &end, id, m->role);
    if (result) {
        scs_send_result(fw, seq, id, result, SCS_NO_FIELD);
        return;
    }
    size_t len = end - SCS_HEADER_SIZE;
    const uint8_t *payload = raw + SCS_HEADER_SIZE;
    uint32_t fingerprint = scs_crc32(payload, len) ^ id;
    int changes_state = (m->flags & SCS_H_CHANGES_STATE) != 0;
    if (changes_state && resend_cached(fw, seq, id, fingerprint))
        return;
    if (len != m->size) {
        scs_send_result(fw, seq, id, SCS_RESULT_BAD_LENGTH, SCS_NO_FIELD);
        return;
    }
    int bad = scs_out_of_range(m, payload);
    if (bad >= 0) {
        scs_send_result(fw, seq, id, SCS_RESULT_OUT_OF_RANGE, (uint8_t)bad);
        return;
    }
    if (changes_state)
        reserve_cache(fw, seq, id, fingerprint);
    scs_execute(fw, m, seq, payload);
    fw->link.capture = 0;
}

void scs_fw_receive(scs_fw_t *fw, const uint8_t *data, size_t len)
{
    static uint8_t raw[SCS_MAX_DECODED];
    scs_link_t *l = &fw->link;
    for (size_t i = 0; i < len; i++) {
        uint8_t b = data[i];
        if (b != 0) {
            if (l->rx_len < sizeof l->rx)
                l->rx[l->rx_len++] = b;
            else
                l->rx_overflow = 1; /* bounded: drop until the next delimiter */
            continue;
        }
        if (l->rx_len && !l->rx_overflow) {
            long n = scs_cobs_decode(l->rx, l->rx_len, raw, sizeof raw);
            if (n > 0) {
                handle_frame(fw, raw, (size_t)n);
                scs_after_request(fw);
            } else
                l->dropped_frames++;
        } else if (l->rx_overflow) {
            l->dropped_frames++;
        }
        l->rx_len = 0;
        l->rx_overflow = 0;
    }
}
