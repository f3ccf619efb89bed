/* The event log (a list retained across resets, oldest first, in regions by who caused an entry) and the EVENT frames
 * sent within a session. The same rules as firmware_model/device/eventlog.py. */
#include "core.h"

static scs_event_t *entry(scs_events_t *ev, unsigned i) { return &ev->log[(ev->start + i) % SCS_LOG_CAPACITY]; }

/* Entries of each rank's region: summaries, each keyed role's, the device's (the rest). */
#define DEVICE_REGION (SCS_LOG_CAPACITY - SCS_EVENT_LOG_SUMMARIES - (SCS_KEYED_ROLES * SCS_EVENT_LOG_PER_ROLE))
_Static_assert((SCS_EVENT_LOG_SUMMARIES + (SCS_KEYED_ROLES * SCS_EVENT_LOG_PER_ROLE)) <= SCS_LOG_CAPACITY, "regions fit");

static unsigned region_size(uint8_t rank)
{
    if (rank == SCS_RANK_UNAUTHENTICATED) {
        return SCS_EVENT_LOG_SUMMARIES;
    }
    return (rank < SCS_RANK_DEVICE) ? SCS_EVENT_LOG_PER_ROLE : DEVICE_REGION;
}

/* Room for an entry of `rank` in its region: 1 when there is (the region's oldest entry evicted when
 * it is full), 0 when the region holds no entries at all. The same rule as eventlog.py. */
static int make_room(scs_events_t *ev, uint8_t rank)
{
    unsigned used = 0;
    unsigned oldest = 0;
    unsigned i = ev->len;
    while (i > 0u) { /* newest to oldest: `oldest` ends at the region's oldest entry */
        i--;
        if (entry(ev, i)->rank == rank) {
            used++;
            oldest = i;
        }
    }
    if (used < region_size(rank)) {
        return 1;
    }
    if (used == 0u) {
        return 0;
    }
    for (unsigned k = oldest; (k + 1u) < ev->len; k++) {
        *entry(ev, k) = *entry(ev, k + 1u);
    }
    ev->len--;
    return 1;
}

static void log_ranked(scs_fw_t *fw, uint8_t kind, uint16_t code, uint32_t detail, uint8_t rank, int send)
{
    scs_events_t *ev = &fw->events;
    scs_event_t e = {.tick = fw->ticks, .kind = kind, .code = code, .detail = detail, .rank = rank};
    if (make_room(ev, rank) != 0) {
        *entry(ev, ev->len) = e;
        ev->len++;
    }
    if (send && (ev->outbox_len < SCS_OUTBOX)) {
        ev->outbox[ev->outbox_len] = e;
        ev->outbox_len++;
    }
}

void scs_log_event(scs_fw_t *fw, uint8_t kind, uint16_t code, uint32_t detail)
{
    log_ranked(fw, kind, code, detail, SCS_RANK_DEVICE, 1);
}

void scs_security_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id, uint8_t role)
{
    fw->session.security_events++;
    log_ranked(fw, SCS_EVENT_KIND_SECURITY, result, (uint32_t)msg_id | ((uint32_t)role << 8), role, 1);
}

void scs_refusal_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id)
{
    scs_events_t *ev = &fw->events;
    fw->session.security_events++;
    scs_event_t *last = (ev->len != 0u) ? entry(ev, ev->len - 1u) : NULL;
    uint32_t count = 1;
    if ((last != NULL) && (last->kind == (uint8_t)SCS_EVENT_KIND_SECURITY) &&
        (last->code == (uint16_t)SCS_SECURITY_SUMMARY_UNAUTHENTICATED)) {
        count = (last->detail >> 16) + 1u;
        if (count > 0xFFFFu) {
            count = 0xFFFFu;
        }
        last->tick = fw->ticks;
        last->detail = (count << 16) | ((uint32_t)result << 8) | msg_id;
        return;
    }
    /* counted in the log only: never sent as an EVENT frame */
    log_ranked(fw, SCS_EVENT_KIND_SECURITY, SCS_SECURITY_SUMMARY_UNAUTHENTICATED,
               (count << 16) | ((uint32_t)result << 8) | msg_id, SCS_RANK_UNAUTHENTICATED, 0);
}

void scs_send_events(scs_fw_t *fw)
{
    scs_events_t *ev = &fw->events;
    if (fw->session.role != 0u) {
        for (unsigned i = 0; i < ev->outbox_len; i++) {
            uint8_t out[SCS_EVENT_SIZE];
            const scs_event_t *e = &ev->outbox[i];
            /* a security event goes out with the message id only (the log keeps the detail too) */
            scs_msg_event_t m = {.tick = e->tick, .kind = e->kind, .code = e->code,
                                 .detail = (e->kind == (uint8_t)SCS_EVENT_KIND_SECURITY) ? (e->detail & 0xFFu) : e->detail};
            scs_send_frame_bound(fw, SCS_MSG_EVENT, SCS_FLAG_EVENT, 0, out, scs_msg_event_encode(&m, out), 0);
        }
    }
    ev->outbox_len = 0; /* without a session they stay in the log only */
}
