/* The persistent settings: the binary image of the programs and preferences, saved to the two-slot
 * store (nvm.c) after every change, and loaded at boot. */
#include <string.h>

#include "core.h"
#include "le.h"

#define SETTINGS_VERSION 1u
#define AREA_BYTES (SCS_AREA_WRITE_SIZE - 2u)

static size_t encode_program(const scs_program_t *p, unsigned index, uint8_t *out)
{
    size_t n = 0;
    out[n++] = (uint8_t)index;
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
    return n;
}

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
    memset(out + n, 0, 12); /* formerly the handshake back-off: now in the security record (record.c) */
    n += 12;
    size_t count_at = n++;
    uint8_t used = 0;
    for (unsigned i = 0; i < SCS_PROGRAMS; i++) {
        const scs_program_t *p = &t->programs[i];
        if (!p->used)
            continue;
        if (n + 3u + p->count * (AREA_BYTES + 4u) + 1u + SCS_MEMORY_KEYS * p->count * 2u > SCS_NVM_SLOT_SIZE - 16u)
            return 0; /* does not fit a slot */
        used++;
        n += encode_program(p, i, out + n);
    }
    out[count_at] = used;
    return n;
}

/* One program from the image at in[*n]: 0 when it is malformed. */
static int decode_program(scs_therapy_t *t, const uint8_t *in, size_t len, size_t *at)
{
    size_t n = *at;
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
        uint8_t field;
        if (scs_area_validate(&p->area[a], &field) != SCS_RESULT_OK)
            return 0; /* a stored area must pass the checks of AREA_WRITE (found by fuzz/fuzz_settings) */
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
    *at = n;
    return 1;
}

static int settings_decode(scs_fw_t *fw, const uint8_t *in, size_t len)
{
    scs_therapy_t *t = &fw->therapy;
    if (len < 22u || in[0] != SETTINGS_VERSION || in[1] >= SCS_PROGRAMS || in[2] > 1u || in[3] > 1u)
        return 0; /* an index or flag out of range (found by fuzz/fuzz_settings): the image is not used */
    t->active = in[1];
    t->stim_on = in[2]; /* restarted by the caller */
    t->adaptive_enabled = in[3];
    t->dwell_ms = rd32(in + 4);
    t->ramp_ua_per_s = rd16(in + 8);
    size_t n = 22;
    uint8_t used = in[n++];
    for (unsigned u = 0; u < used; u++)
        if (!decode_program(t, in, len, &n))
            return 0;
    return n == len;
}

static uint8_t settings_buf[SCS_NVM_SLOT_SIZE]; /* one buffer: saving and booting never overlap */

uint8_t scs_settings_save(scs_fw_t *fw)
{
    uint8_t *buf = settings_buf;
    size_t n = settings_encode(fw, buf);
    if (!n)
        return SCS_RESULT_STORAGE_ERROR;
    return scs_nvm_save(&fw->nvm, buf, n) == -1 ? SCS_RESULT_STORAGE_ERROR : 0;
}

void scs_send_saved(scs_fw_t *fw, uint16_t seq, uint8_t request_id)
{
    uint8_t stored = scs_settings_save(fw);
    if (fw->nvm.power_lost)
        return; /* a host test cut the power mid-write: nothing more goes out */
    scs_send_result(fw, seq, request_id, stored ? stored : SCS_RESULT_OK, SCS_NO_FIELD);
}

/* No valid image: the defaults, and a storage fault unless the store is blank (a new device). */
static void load_defaults(scs_fw_t *fw)
{
    memset(&fw->therapy, 0, sizeof fw->therapy);
    fw->therapy.dwell_ms = 5000u;
    fw->therapy.ramp_ua_per_s = 1000u;
    if (!scs_nvm_slot_blank(&fw->nvm, 0) || !scs_nvm_slot_blank(&fw->nvm, 1)) {
        fw->fault_flags |= 1u << FAULT_NVM_CORRUPT;
        scs_log_event(fw, KIND_FAULT, FAULT_NVM_CORRUPT, 0);
        scs_log_event(fw, KIND_RESET, RESET_DEFAULTS_LOADED, 0);
    }
}

void scs_fw_boot(scs_fw_t *fw, uint8_t *slot0, uint8_t *slot1)
{
    uint8_t *buf = settings_buf;
    size_t len = 0;
    uint32_t sequence = 0;
    fw->nvm.slot[0] = slot0;
    fw->nvm.slot[1] = slot1;
    fw->nvm.fail_at_step = -1;
    scs_session_boot(fw);
    if (scs_nvm_load(&fw->nvm, buf, SCS_NVM_SLOT_SIZE, &len, &sequence) && settings_decode(fw, buf, len)) {
        int v0 = scs_nvm_slot_valid(&fw->nvm, 0), v1 = scs_nvm_slot_valid(&fw->nvm, 1);
        if (v0 != v1 && !scs_nvm_slot_blank(&fw->nvm, v0 ? 1u : 0u))
            scs_log_event(fw, KIND_RESET, RESET_SLOT_FALLBACK, v0 ? 0u : 1u);
    } else {
        load_defaults(fw);
    }
    scs_therapy_t *t = &fw->therapy;
    scs_remembered(t);
    memcpy(t->target, t->applied, sizeof t->target);
    scs_check_impedance(fw);
    uint8_t on = t->stim_on;
    t->stim_on = 0;
    if (on && t->programs[t->active].used && !fw->fault_flags)
        scs_stim_on(fw);
    fw->events.outbox_len = 0;
}
