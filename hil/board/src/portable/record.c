/* The security record (nonce epoch, back-off per role) in two slots of 32-bit words, apart from the
 * settings.  Layout (little-endian, the same as protocol/session/security.py's SecurityRecord):
 *   magic u32 "SCSK" | sequence u32 | epoch u32 | (failures u16 | remaining u32) x 3 | CRC-32
 * A write erases the slot without the newest valid record, then writes the whole record: a power
 * loss at either step leaves the previous record readable. */
#include <string.h>

#include "core.h"
#include "crc32.h"
#include "le.h"

#define RECORD_BODY 30u
#define RECORD_BYTES (RECORD_BODY + 4u)

static void encode(const scs_record_t *r, uint8_t out[SCS_RECORD_WORDS * 4u])
{
    memset(out, 0xFF, SCS_RECORD_WORDS * 4u);
    wr32(out, SCS_SECURITY_RECORD_MAGIC);
    wr32(out + 4, r->sequence);
    wr32(out + 8, r->epoch);
    for (unsigned i = 0; i < SCS_KEYED_ROLES; i++) {
        wr16(out + 12 + 6 * i, r->failures[i]);
        wr32(out + 14 + 6 * i, r->remaining[i]);
    }
    wr32(out + RECORD_BODY, scs_crc32(out, RECORD_BODY));
}

/* 1 with *r filled from a valid slot. */
static int decode_slot(volatile const uint32_t *slot, scs_record_t *r)
{
    uint8_t b[SCS_RECORD_WORDS * 4u];
    for (unsigned w = 0; w < SCS_RECORD_WORDS; w++)
        wr32(b + 4 * w, slot[w]);
    if (rd32(b) != SCS_SECURITY_RECORD_MAGIC || rd32(b + RECORD_BODY) != scs_crc32(b, RECORD_BODY))
        return 0;
    r->sequence = rd32(b + 4);
    r->epoch = rd32(b + 8);
    for (unsigned i = 0; i < SCS_KEYED_ROLES; i++) {
        r->failures[i] = rd16(b + 12 + 6 * i);
        r->remaining[i] = rd32(b + 14 + 6 * i);
    }
    return 1;
}

/* Slot of the newest valid record (sequence compared modulo 2^32), -1 when none. */
static int newest(const scs_session_t *s, scs_record_t *r)
{
    scs_record_t a, b;
    int va = s->record_slot[0] && decode_slot(s->record_slot[0], &a);
    int vb = s->record_slot[1] && decode_slot(s->record_slot[1], &b);
    if (va && vb) {
        int second = (uint32_t)(b.sequence - a.sequence) < 0x80000000u;
        *r = second ? b : a;
        return second;
    }
    if (va || vb)
        *r = va ? a : b;
    return va ? 0 : vb ? 1 : -1;
}

void scs_record_load(scs_session_t *s)
{
    if (newest(s, &s->record) < 0)
        memset(&s->record, 0, sizeof s->record);
}

void scs_record_save(scs_session_t *s)
{
    scs_record_t current;
    int slot = newest(s, &current);
    if (!s->record_slot[0])
        return;
    volatile uint32_t *target = s->record_slot[slot == 0 ? 1 : 0];
    uint8_t b[SCS_RECORD_WORDS * 4u];
    s->record.sequence = (slot < 0 ? 0u : current.sequence) + 1u;
    encode(&s->record, b);
    for (unsigned w = 0; w < SCS_RECORD_WORDS; w++)
        target[w] = 0xFFFFFFFFu; /* erase */
    for (unsigned w = 0; w < SCS_RECORD_WORDS; w++)
        target[w] = rd32(b + 4 * w);
}
