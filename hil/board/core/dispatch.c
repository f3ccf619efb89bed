/* The request table: message id -> handler, the role it needs, whether it changes state (answered
 * exactly once) and whether MRI mode allows it; all from the definition (the generated scs_requests.c). */
#include "core.h"

const scs_request_t *scs_find_request(uint8_t id)
{
    for (size_t i = 0; i < SCS_REQUEST_COUNT; i++) {
        if (SCS_REQUEST_TABLE[i].id == id) {
            return &SCS_REQUEST_TABLE[i];
        }
    }
    return NULL;
}

/* One field element as a signed value (sign-extended when the field is signed). */
static int64_t field_value(const scs_field_t *d, const uint8_t *q)
{
    uint64_t u = 0;
    for (unsigned b = 0; b < d->size; b++) {
        unsigned shift = 8u * b;
        u |= (uint64_t)q[b] << shift;
    }
    int64_t v = (int64_t)u;
    if (d->is_signed && (d->size < 8u) && (((u >> ((8u * d->size) - 1u)) & 1u) != 0u)) {
        uint64_t extended = u | (~0ULL << (8u * d->size));
        v = (int64_t)extended;
    }
    return v;
}

int scs_out_of_range(const scs_request_t *m, const uint8_t *p)
{
    for (unsigned f = 0; f < m->field_count; f++) {
        const scs_field_t *d = &m->fields[f];
        if (!d->checked) {
            continue;
        }
        for (unsigned e = 0; e < d->count; e++) {
            int64_t v = field_value(d, &p[d->offset + (e * d->size)]);
            if ((v < d->min) || (v > d->max)) {
                return (int)f;
            }
        }
    }
    return -1;
}

uint8_t scs_check_fields(uint8_t msg_id, const uint8_t *payload, uint8_t *field)
{
    int bad = scs_out_of_range(scs_find_request(msg_id), payload);
    if (bad < 0) {
        return SCS_RESULT_OK;
    }
    *field = (uint8_t)bad;
    return SCS_RESULT_OUT_OF_RANGE;
}

void scs_execute(scs_fw_t *fw, const scs_request_t *m, uint16_t seq, const uint8_t *p)
{
    (void)scs_stim_service(&fw->therapy, fw->ticks); /* pulses due before this request go out with the old settings */
    /* MRI mode: only the requests the definition allows (STIM_SET's handler lets only "off" through) */
    if (fw->therapy.mri && !(m->flags & (SCS_REQ_MRI_OK | SCS_REQ_MRI_STOP_ONLY))) {
        scs_send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, SCS_NO_FIELD);
        return;
    }
    m->handler(fw, seq, p);
}
