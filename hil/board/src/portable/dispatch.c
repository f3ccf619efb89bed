/* The request table: message id -> handler, the role it needs, whether it changes state (answered
 * exactly once) and whether MRI mode allows it. */
#include "core.h"

#define REQ(name, fn, mri)                                                                              \
    {SCS_MSG_##name, SCS_##name##_ROLE, (uint8_t)((SCS_##name##_CHANGES_STATE ? SCS_H_CHANGES_STATE : 0u) | (mri)), \
     SCS_##name##_SIZE, SCS_##name##_FIELDS, SCS_##name##_FIELD_COUNT, fn}
#define MRI_OK SCS_H_MRI_OK
#define MRI_NO 0u

static const scs_request_t REQUESTS[] = {
    REQ(DEVICE_INFO_GET, scs_on_device_info_get, MRI_OK),
    REQ(STATUS_GET, scs_on_status_get, MRI_OK),
    REQ(STIM_SET, scs_on_stim_set, MRI_OK), /* the handler refuses "on" in MRI mode: off is always accepted */
    REQ(PROGRAM_SELECT, scs_on_program_select, MRI_NO),
    REQ(AMPLITUDE_STEP, scs_on_amplitude_step, MRI_NO),
    REQ(AREA_WRITE, scs_on_area_write, MRI_NO),
    REQ(PROGRAM_COMMIT, scs_on_program_commit, MRI_NO),
    REQ(AREA_READ, scs_on_area_read, MRI_OK),
    REQ(LIMITS_WRITE, scs_on_limits_write, MRI_NO),
    REQ(LIMITS_READ, scs_on_limits_read, MRI_OK),
    REQ(IMPEDANCE_GET, scs_on_impedance_get, MRI_OK),
    REQ(POSTURE_INPUT, scs_on_posture_input, MRI_OK),
    REQ(ADAPTIVE_SET, scs_on_adaptive_set, MRI_NO),
    REQ(MRI_MODE_SET, scs_on_mri_mode_set, MRI_OK),
    REQ(RECHARGE_COUPLING_INPUT, scs_on_recharge_coupling_input, MRI_OK),
    REQ(CHARGING_STATUS_GET, scs_on_charging_status_get, MRI_OK),
    REQ(TRACE_START, scs_on_trace_start, MRI_NO),
    REQ(TRACE_STOP, scs_on_trace_stop, MRI_OK),
    REQ(TRACE_DUMP, scs_on_trace_dump, MRI_OK),
    REQ(EVENT_LOG_READ, scs_on_event_log_read, MRI_OK),
    REQ(CLOCK_GET, scs_on_clock_get, MRI_OK),
    REQ(CLOCK_ADVANCE, scs_on_clock_advance, MRI_OK),
    REQ(IMPEDANCE_INPUT, scs_on_impedance_input, MRI_OK),
    REQ(RESET, scs_on_reset, MRI_OK),
    REQ(HELLO, scs_on_hello, MRI_OK),
    REQ(AUTH, scs_on_auth, MRI_OK),
    REQ(SESSION_END, scs_on_session_end, MRI_OK),
};

const scs_request_t *scs_find_request(uint8_t id)
{
    for (size_t i = 0; i < sizeof REQUESTS / sizeof REQUESTS[0]; i++)
        if (REQUESTS[i].id == id)
            return &REQUESTS[i];
    return 0;
}

/* One field element as a signed value (sign-extended when the field is signed). */
static int64_t field_value(const scs_field_t *d, const uint8_t *q)
{
    uint64_t u = 0;
    for (unsigned b = 0; b < d->size; b++)
        u |= (uint64_t)q[b] << (8 * b);
    int64_t v = (int64_t)u;
    if (d->is_signed && d->size < 8 && (u >> (8 * d->size - 1)) & 1u)
        v = (int64_t)(u | (~0ull << (8 * d->size)));
    return v;
}

int scs_out_of_range(const scs_request_t *m, const uint8_t *p)
{
    for (unsigned f = 0; f < m->field_count; f++) {
        const scs_field_t *d = &m->fields[f];
        if (!d->checked)
            continue;
        for (unsigned e = 0; e < d->count; e++) {
            int64_t v = field_value(d, p + d->offset + e * d->size);
            if (v < d->min || v > d->max)
                return (int)f;
        }
    }
    return -1;
}

void scs_execute(scs_fw_t *fw, const scs_request_t *m, uint16_t seq, const uint8_t *p)
{
    scs_stim_service(&fw->therapy, fw->ticks); /* pulses due before this request go out with the old settings */
    if (fw->therapy.mri && !(m->flags & SCS_H_MRI_OK)) {
        scs_send_result(fw, seq, m->id, SCS_RESULT_WRONG_STATE, SCS_NO_FIELD);
        return;
    }
    m->handler(fw, seq, p);
}
