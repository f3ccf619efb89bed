/* The event log (a ring retained across resets) and the EVENT frames sent within a session. */
#include "core.h"

void scs_log_event(scs_fw_t *fw, uint8_t kind, uint16_t code, uint32_t detail)
{
    scs_events_t *ev = &fw->events;
    scs_event_t *e = &ev->log[(ev->start + ev->len) % SCS_LOG_CAPACITY];
    if (ev->len == SCS_LOG_CAPACITY)
        ev->start = (uint16_t)((ev->start + 1) % SCS_LOG_CAPACITY);
    else
        ev->len++;
    e->tick = fw->ticks;
    e->kind = kind;
    e->code = code;
    e->detail = detail;
    if (ev->outbox_len < SCS_OUTBOX)
        ev->outbox[ev->outbox_len++] = *e;
}

void scs_security_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id, uint32_t detail)
{
    fw->session.security_events++;
    scs_log_event(fw, SCS_EVENT_KIND_SECURITY, result, (uint32_t)msg_id | detail << 8);
}

void scs_refusal_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id)
{
    scs_events_t *ev = &fw->events;
    fw->session.security_events++;
    scs_event_t *last = ev->len ? &ev->log[(ev->start + ev->len - 1u) % SCS_LOG_CAPACITY] : 0;
    uint32_t count = 1;
    if (last && last->kind == SCS_EVENT_KIND_SECURITY && last->code == SCS_SECURITY_SUMMARY_UNAUTHENTICATED) {
        count = (last->detail >> 16) + 1u;
        if (count > 0xFFFFu)
            count = 0xFFFFu;
        last->tick = fw->ticks;
        last->detail = count << 16 | (uint32_t)result << 8 | msg_id;
        return;
    }
    uint8_t outbox_len = ev->outbox_len; /* counted in the log only: never sent as an EVENT frame */
    scs_log_event(fw, SCS_EVENT_KIND_SECURITY, SCS_SECURITY_SUMMARY_UNAUTHENTICATED, count << 16 | (uint32_t)result << 8 | msg_id);
    ev->outbox_len = outbox_len;
}

void scs_send_events(scs_fw_t *fw)
{
    scs_events_t *ev = &fw->events;
    if (fw->session.role) {
        for (unsigned i = 0; i < ev->outbox_len; i++) {
            uint8_t out[SCS_EVENT_SIZE];
            const scs_event_t *e = &ev->outbox[i];
            /* a security event goes out with the message id only (the log keeps the detail too) */
            scs_msg_event_t m = {.tick = e->tick, .kind = e->kind, .code = e->code,
                                 .detail = e->kind == SCS_EVENT_KIND_SECURITY ? (e->detail & 0xFFu) : e->detail};
            scs_send_frame_bound(fw, SCS_MSG_EVENT, SCS_FLAG_EVENT, 0, out, scs_msg_event_encode(&m, out), 0);
        }
    }
    ev->outbox_len = 0; /* without a session they stay in the log only */
}
