/* Handlers of the test-only requests: simulated inputs, the pulse trace, the virtual clock, RESET. */
#include <math.h>
#include <string.h>

#include "core.h"

#define TRACE_RECORD 11u

void scs_on_trace_start(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_msg_trace_start_t r;
    scs_msg_trace_start_decode(p, SCS_TRACE_START_SIZE, &r);
    scs_trace_start(&fw->therapy, r.max_pulses);
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
    static uint8_t out[SCS_TRACE_DATA_SIZE + (SCS_TRACE_DUMP_COUNT_MAX * TRACE_RECORD)];
    scs_msg_trace_dump_t r;
    scs_msg_trace_dump_decode(p, SCS_TRACE_DUMP_SIZE, &r);
    uint32_t avail = (r.offset < t->trace_len) ? (t->trace_len - r.offset) : 0u;
    uint32_t count = (r.count < avail) ? r.count : avail;
    scs_msg_trace_data_t m = {
        .offset = r.offset,
        .total = t->trace_len,
        .count = (uint16_t)count,
        .records = t->trace[(r.offset < SCS_TRACE_CAPACITY) ? r.offset : 0u],
        .records_len = count * TRACE_RECORD,
    };
    scs_send_frame(fw, SCS_MSG_TRACE_DATA, SCS_FLAG_RESPONSE, seq, out, scs_msg_trace_data_encode(&m, out));
}

void scs_on_clock_advance(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    uint8_t out[SCS_CLOCK_SIZE];
    scs_msg_clock_advance_t r;
    scs_msg_clock_advance_decode(p, SCS_CLOCK_ADVANCE_SIZE, &r);
    if (!fw->virtual_clock) {
        scs_send_result(fw, seq, SCS_MSG_CLOCK_ADVANCE, SCS_RESULT_WRONG_STATE, SCS_NO_FIELD); /* a real clock can't jump */
        return;
    }
    scs_advance(fw, r.ticks, 1);
    scs_msg_clock_t m = {.ticks = fw->ticks};
    scs_send_frame(fw, SCS_MSG_CLOCK, SCS_FLAG_RESPONSE, seq, out, scs_msg_clock_encode(&m, out));
}

void scs_on_posture_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_inputs_t *in = &fw->inputs;
    scs_msg_posture_input_t r;
    scs_msg_posture_input_decode(p, SCS_POSTURE_INPUT_SIZE, &r);
    if ((in->pending_posture == SCS_NO_POSTURE) || (in->pending_posture != r.posture)) {
        in->pending_posture = (r.posture != fw->therapy.posture) ? r.posture : SCS_NO_POSTURE;
        in->posture_since = fw->ticks;
    }
    scs_send_result(fw, seq, SCS_MSG_POSTURE_INPUT, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_impedance_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_msg_impedance_input_t r;
    scs_msg_impedance_input_decode(p, SCS_IMPEDANCE_INPUT_SIZE, &r);
    fw->inputs.lead_ohms[r.contact] = r.ohms;
    scs_send_result(fw, seq, SCS_MSG_IMPEDANCE_INPUT, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_recharge_coupling_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_gauge_t *g = &fw->gauge;
    scs_msg_recharge_coupling_input_t r;
    scs_msg_recharge_coupling_input_decode(p, SCS_RECHARGE_COUPLING_INPUT_SIZE, &r);
    if (g->primary != 0u) { /* nothing to recharge */
        scs_send_result(fw, seq, SCS_MSG_RECHARGE_COUPLING_INPUT, SCS_RESULT_WRONG_STATE, SCS_NO_FIELD);
        return;
    }
    g->coupled = r.transmit_mw != 0u;
    /* received power falls with separation and misalignment (the definition's link, as the model's) */
    g->link_eta = scs_link_efficiency((float)r.separation_mm, (float)r.misalignment_mm);
    g->link_w = (float)r.transmit_mw / 1000.0f * g->link_eta;
    if (!g->coupled) {
        scs_set_recharge(fw, SCS_RECHARGE_STATE_IDLE);
    }
    scs_send_result(fw, seq, SCS_MSG_RECHARGE_COUPLING_INPUT, SCS_RESULT_OK, SCS_NO_FIELD);
}

void scs_on_reset(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_msg_reset_t r;
    scs_msg_reset_decode(p, SCS_RESET_SIZE, &r);
    scs_send_result(fw, seq, SCS_MSG_RESET, SCS_RESULT_OK, SCS_NO_FIELD);
    fw->pending_reset = (uint8_t)(r.kind + 1u);
}

void scs_on_fault_inject(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_msg_fault_inject_t r;
    scs_msg_fault_inject_decode(p, SCS_FAULT_INJECT_SIZE, &r);
    scs_send_result(fw, seq, SCS_MSG_FAULT_INJECT, SCS_RESULT_OK, SCS_NO_FIELD);
    fw->pending_fault = (uint8_t)(r.kind + 1u); /* after the answer has gone out (scs_after_request) */
}
