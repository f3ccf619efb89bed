/* Handlers of the test-only requests: simulated inputs, the pulse trace, the virtual clock, RESET. */
#include <math.h>
#include <string.h>

#include "core.h"
#include "le.h"

#define TRACE_RECORD 11u
#define TRACE_DUMP_MAX 92u /* records per TRACE_DATA answer */

void scs_on_trace_start(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_therapy_t *t = &fw->therapy;
    uint32_t max = rd32(p);
    t->trace_len = 0;
    t->trace_limit = max < SCS_TRACE_CAPACITY ? max : SCS_TRACE_CAPACITY;
    t->tracing = 1;
    scs_send_result(fw, seq, SCS_MSG_TRACE_START, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_trace_stop(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    fw->therapy.tracing = 0;
    scs_send_result(fw, seq, SCS_MSG_TRACE_STOP, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_trace_dump(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    const scs_therapy_t *t = &fw->therapy;
    static uint8_t out[SCS_TRACE_DATA_SIZE + TRACE_DUMP_MAX * TRACE_RECORD];
    uint32_t offset = rd32(p), count = rd16(p + SCS_TRACE_DUMP_COUNT_OFFSET);
    uint32_t avail = offset < t->trace_len ? t->trace_len - offset : 0;
    if (count > avail)
        count = avail;
    wr32(out + SCS_TRACE_DATA_OFFSET_OFFSET, offset);
    wr32(out + SCS_TRACE_DATA_TOTAL_OFFSET, t->trace_len);
    wr16(out + SCS_TRACE_DATA_COUNT_OFFSET, (uint16_t)count);
    memcpy(out + SCS_TRACE_DATA_SIZE, t->trace[offset < SCS_TRACE_CAPACITY ? offset : 0], count * TRACE_RECORD);
    scs_send_frame(fw, SCS_MSG_TRACE_DATA, SCS_FLAG_RESPONSE, seq, out, SCS_TRACE_DATA_SIZE + count * TRACE_RECORD);
}

void scs_on_clock_advance(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    uint8_t out[SCS_CLOCK_SIZE];
    if (!fw->virtual_clock) {
        scs_send_result(fw, seq, SCS_MSG_CLOCK_ADVANCE, SCS_RESULT_WRONG_STATE, SCS_NO_FIELD); /* a real clock can't jump */
        return;
    }
    scs_advance(fw, rd32(p), 1);
    wr64(out, fw->ticks);
    scs_send_frame(fw, SCS_MSG_CLOCK, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_posture_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_inputs_t *in = &fw->inputs;
    uint8_t posture = p[0];
    if (in->pending_posture == 0xFFu || in->pending_posture != posture) {
        in->pending_posture = posture != fw->therapy.posture ? posture : 0xFFu;
        in->posture_since = fw->ticks;
    }
    scs_send_result(fw, seq, SCS_MSG_POSTURE_INPUT, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_impedance_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    fw->inputs.lead_ohms[p[0]] = rd16(p + SCS_IMPEDANCE_INPUT_OHMS_OFFSET);
    scs_send_result(fw, seq, SCS_MSG_IMPEDANCE_INPUT, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_recharge_coupling_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_gauge_t *g = &fw->gauge;
    uint32_t tx = rd32(p + SCS_RECHARGE_COUPLING_INPUT_TRANSMIT_MW_OFFSET);
    double d = rd16(p), mis = rd16(p + SCS_RECHARGE_COUPLING_INPUT_MISALIGNMENT_MM_OFFSET);
    g->coupled = tx != 0;
    /* received power falls with separation (15 mm scale) and misalignment (20 mm), as the model's link */
    g->link_w = tx / 1000.0 * 0.6 * exp(-d / 15.0) * exp(-(mis / 20.0) * (mis / 20.0));
    if (!g->coupled)
        scs_set_recharge(fw, RCH_IDLE);
    scs_send_result(fw, seq, SCS_MSG_RECHARGE_COUPLING_INPUT, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_reset(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_send_result(fw, seq, SCS_MSG_RESET, SCS_RESULT_OK, SCS_NO_FIELD);
    fw->pending_reset = (uint8_t)(p[0] + 1u);
}
