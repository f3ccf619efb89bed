/* The security record (nonce epoch, back-off per role) in two slots of 32-bit words, apart from the
 * settings, through the platform's retained storage. Its layout is generated from protocol/device.toml
 * ([security_record]; the same as protocol/security.py's SecurityRecord):
 *   header (magic, sequence, epoch) | role record (failures u16, remaining u32) x keyed roles | CRC-32
 * A write erases the slot without the newest valid record, then writes the whole record: a power
 * loss at either step leaves the previous record readable. */
#include <string.h>

#include "core.h"
#include "crc32.h"
#include "le.h"

#define RECORD_BYTES (SCS_SECURITY_RECORD_WORDS * 4u)
_Static_assert(SCS_SECURITY_RECORD_SIZE <= RECORD_BYTES, "the record fits its slot");

static void encode(const scs_record_t *r, uint8_t out[RECORD_BYTES])
{
    (void)memset(out, 0xFF, RECORD_BYTES);
    scs_security_record_header_t h = {.magic = SCS_SECURITY_RECORD_MAGIC, .sequence = r->sequence, .epoch = r->epoch};
    (void)scs_security_record_header_encode(&h, out);
    for (unsigned i = 0; i < SCS_KEYED_ROLES; i++) {
        scs_security_record_role_t role = {.failures = r->failures[i], .remaining = r->remaining[i]};
        (void)scs_security_record_role_encode(&role, &out[SCS_SECURITY_RECORD_ROLES_OFFSET + (i * SCS_SECURITY_RECORD_ROLE_SIZE)]);
    }
    wr32(&out[SCS_SECURITY_RECORD_BODY_SIZE], scs_crc32(out, SCS_SECURITY_RECORD_BODY_SIZE));
}

/* 1 with *r filled from a valid slot. */
static int decode_slot(scs_fw_t *fw, unsigned slot, scs_record_t *r)
{
    uint8_t b[RECORD_BYTES];
    for (unsigned w = 0; w < SCS_SECURITY_RECORD_WORDS; w++) {
        wr32(&b[4u * w], scs_platform_record_read(fw, slot, w));
    }
    scs_security_record_header_t h;
    scs_security_record_header_decode(b, SCS_SECURITY_RECORD_HEADER_SIZE, &h);
    if ((h.magic != SCS_SECURITY_RECORD_MAGIC) ||
        (rd32(&b[SCS_SECURITY_RECORD_BODY_SIZE]) != scs_crc32(b, SCS_SECURITY_RECORD_BODY_SIZE))) {
        return 0;
    }
    r->sequence = h.sequence;
    r->epoch = h.epoch;
    for (unsigned i = 0; i < SCS_KEYED_ROLES; i++) {
        scs_security_record_role_t role;
        scs_security_record_role_decode(&b[SCS_SECURITY_RECORD_ROLES_OFFSET + (i * SCS_SECURITY_RECORD_ROLE_SIZE)],
                                        SCS_SECURITY_RECORD_ROLE_SIZE, &role);
        r->failures[i] = role.failures;
        r->remaining[i] = role.remaining;
    }
    return 1;
}

/* Slot of the newest valid record (sequence compared modulo 2^32), -1 when none. */
static int newest(scs_fw_t *fw, scs_record_t *r)
{
    scs_record_t a;
    scs_record_t b;
    int va = decode_slot(fw, 0, &a);
    int vb = decode_slot(fw, 1, &b);
    if (va && vb) {
        if ((uint32_t)(b.sequence - a.sequence) < 0x80000000u) {
            *r = b;
            return 1;
        }
        *r = a;
        return 0;
    }
    if (va || vb) {
        *r = va ? a : b;
    }
    return va ? 0 : vb ? 1 : -1;
}

int scs_record_load(scs_fw_t *fw)
{
    scs_session_t *s = &fw->session;
    if (newest(fw, &s->record) >= 0) {
        return 1;
    }
    (void)memset(&s->record, 0, sizeof s->record);
    return 0;
}

void scs_record_save(scs_fw_t *fw)
{
    scs_session_t *s = &fw->session;
    scs_record_t current;
    int slot = newest(fw, &current);
    uint8_t target = (slot == 0) ? 1u : 0u;
    uint8_t b[RECORD_BYTES];
    s->record.sequence = ((slot < 0) ? 0u : current.sequence) + 1u;
    encode(&s->record, b);
    for (unsigned w = 0; w < SCS_SECURITY_RECORD_WORDS; w++) {
        scs_platform_record_write(fw, target, w, 0xFFFFFFFFu); /* erase */
    }
    for (unsigned w = 0; w < SCS_SECURITY_RECORD_WORDS; w++) {
        scs_platform_record_write(fw, target, w, rd32(&b[4u * w]));
    }
}
