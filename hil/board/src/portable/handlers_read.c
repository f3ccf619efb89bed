/* Handlers of the requests that only read the device's state. */
#include "core.h"
#include "le.h"

#define FIRMWARE_VERSION 0x000100u /* 0.1.0 */
#define CAPABILITIES (2u | 4u | 8u) /* simulated inputs, pulse trace, rechargeable (+1: virtual clock) */
#define CAP_TEST_BUILD 32u        /* the test role and its requests exist */
#define CAP_DEVELOPMENT_KEYS 64u  /* keys made at random for this build */
#define CAP_HARDWARE_RNG 128u     /* the RNG peripheral answered and is mixed into nonces */

void scs_on_device_info_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    uint8_t out[SCS_DEVICE_INFO_SIZE] = {0};
    out[SCS_DEVICE_INFO_PROTOCOL_VERSION_OFFSET] = SCS_PROTOCOL_VERSION;
    wr32(out + SCS_DEVICE_INFO_FIRMWARE_VERSION_OFFSET, FIRMWARE_VERSION);
    wr64(out + SCS_DEVICE_INFO_DEVICE_ID_OFFSET, fw->keys.device_id);
    wr32(out + SCS_DEVICE_INFO_TICK_NS_OFFSET, 1000u);
    uint32_t caps = CAPABILITIES | (fw->virtual_clock ? 1u : 0u) | (fw->keys.development ? CAP_DEVELOPMENT_KEYS : 0u) |
                    (SCS_TEST_BUILD && fw->keys.has_test_key ? CAP_TEST_BUILD : 0u) |
                    (fw->session.hw_rng ? CAP_HARDWARE_RNG : 0u);
    wr32(out + SCS_DEVICE_INFO_CAPABILITIES_OFFSET, caps);
    out[SCS_DEVICE_INFO_CONTACT_COUNT_OFFSET] = 16;
    out[SCS_DEVICE_INFO_MAX_PROGRAMS_OFFSET] = 8;
    out[SCS_DEVICE_INFO_MAX_AREAS_OFFSET] = 4;
    wr16(out + SCS_DEVICE_INFO_AMPLITUDE_STEP_UA_OFFSET, 50);
    wr16(out + SCS_DEVICE_INFO_MAX_AMPLITUDE_UA_OFFSET, 25500);
    wr32(out + SCS_DEVICE_INFO_MAX_CATHODE_CHARGE_PC_OFFSET, 2914678u);
    wr16(out + SCS_DEVICE_INFO_COMPLIANCE_MV_OFFSET, 12000);
    scs_send_frame(fw, SCS_MSG_DEVICE_INFO, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_status_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    const scs_therapy_t *t = &fw->therapy;
    const scs_gauge_t *g = &fw->gauge;
    uint8_t out[SCS_STATUS_SIZE] = {0};
    out[SCS_STATUS_STIM_ON_OFFSET] = t->stim_on;
    out[SCS_STATUS_ACTIVE_PROGRAM_OFFSET] = t->active;
    for (unsigned a = 0; a < SCS_AREAS; a++)
        wr16(out + SCS_STATUS_AMPLITUDE_UA_OFFSET + 2 * a, t->applied[a]);
    wr64(out + SCS_STATUS_CLOCK_TICKS_OFFSET, fw->ticks);
    wr16(out + SCS_STATUS_BATTERY_SOC_PERMILLE_OFFSET, (uint16_t)(g->soc * 1000.0 + 0.5));
    wr16(out + SCS_STATUS_BATTERY_MV_OFFSET,
         (uint16_t)((scs_ocv(g->soc) + g->current_a * SCS_GAUGE_R_CELL) * 1000.0 + 0.5));
    out[SCS_STATUS_BATTERY_STATE_OFFSET] = g->battery_state;
    out[SCS_STATUS_RECHARGE_STATE_OFFSET] = g->recharge_state;
    wr32(out + SCS_STATUS_TEMPERATURE_MC_OFFSET, 37000u); /* no temperature sensor on the dev board */
    out[SCS_STATUS_MRI_MODE_OFFSET] = t->mri;
    wr32(out + SCS_STATUS_FAULT_FLAGS_OFFSET, fw->fault_flags);
    out[SCS_STATUS_POSTURE_OFFSET] = t->posture;
    scs_send_frame(fw, SCS_MSG_STATUS, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_clock_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    uint8_t out[SCS_CLOCK_SIZE];
    wr64(out, fw->ticks);
    scs_send_frame(fw, SCS_MSG_CLOCK, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_area_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    uint8_t out[SCS_AREA_SIZE] = {0};
    const scs_program_t *prog = &fw->therapy.programs[p[0]];
    out[SCS_AREA_PROGRAM_OFFSET] = p[0];
    out[SCS_AREA_AREA_OFFSET] = p[1];
    if (!prog->used || p[1] >= prog->count)
        out[SCS_AREA_RESULT_OFFSET] = SCS_RESULT_WRONG_STATE;
    else
        scs_area_encode(&prog->area[p[1]], out + SCS_AREA_WAVEFORM_OFFSET);
    scs_send_frame(fw, SCS_MSG_AREA, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_limits_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    uint8_t out[SCS_LIMITS_SIZE] = {0};
    const scs_program_t *prog = &fw->therapy.programs[p[0]];
    if (!prog->used || p[1] >= prog->count) {
        out[SCS_LIMITS_RESULT_OFFSET] = SCS_RESULT_WRONG_STATE;
    } else {
        wr16(out + SCS_LIMITS_MIN_AMPLITUDE_UA_OFFSET, prog->lo[p[1]]);
        wr16(out + SCS_LIMITS_MAX_AMPLITUDE_UA_OFFSET, prog->hi[p[1]]);
        out[SCS_LIMITS_PATIENT_SELECTABLE_OFFSET] = prog->selectable;
    }
    scs_send_frame(fw, SCS_MSG_LIMITS, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_impedance_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    const scs_therapy_t *t = &fw->therapy;
    uint8_t out[SCS_IMPEDANCE_SIZE] = {0};
    uint16_t faulted = 0;
    for (unsigned c = 0; c < SCS_CONTACTS; c++) {
        wr16(out + SCS_IMPEDANCE_OHMS_OFFSET + 2 * c, t->ohms[c]);
        if (t->ohms[c] < 250u || t->ohms[c] > 4000u)
            faulted |= (uint16_t)(1u << c);
    }
    wr16(out + SCS_IMPEDANCE_FAULTED_MASK_OFFSET, faulted);
    scs_send_frame(fw, SCS_MSG_IMPEDANCE, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_charging_status_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    const scs_gauge_t *g = &fw->gauge;
    uint8_t out[SCS_CHARGING_STATUS_SIZE] = {0};
    int32_t ua = g->current_a > 0 ? (int32_t)(g->current_a * 1e6 + 0.5) : 0;
    out[SCS_CHARGING_STATUS_RECHARGE_STATE_OFFSET] = g->recharge_state;
    wr32(out + SCS_CHARGING_STATUS_BATTERY_CURRENT_UA_OFFSET, (uint32_t)ua);
    wr32(out + SCS_CHARGING_STATUS_RECEIVED_MW_OFFSET, (uint32_t)(ua * 1e-6 * SCS_GAUGE_V_LIMIT / 0.85 * 1000.0));
    wr32(out + SCS_CHARGING_STATUS_TEMPERATURE_MC_OFFSET, 37000u);
    wr16(out + SCS_CHARGING_STATUS_BATTERY_SOC_PERMILLE_OFFSET, (uint16_t)(g->soc * 1000.0 + 0.5));
    scs_send_frame(fw, SCS_MSG_CHARGING_STATUS, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}

void scs_on_event_log_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    const scs_events_t *ev = &fw->events;
    uint8_t out[SCS_EVENT_LOG_ENTRY_SIZE] = {0};
    uint16_t index = rd16(p);
    wr16(out + SCS_EVENT_LOG_ENTRY_INDEX_OFFSET, index);
    wr16(out + SCS_EVENT_LOG_ENTRY_TOTAL_OFFSET, ev->len);
    if (index >= ev->len) {
        out[SCS_EVENT_LOG_ENTRY_RESULT_OFFSET] = SCS_RESULT_OUT_OF_RANGE;
    } else {
        const scs_event_t *e = &ev->log[(ev->start + index) % SCS_LOG_CAPACITY];
        wr64(out + SCS_EVENT_LOG_ENTRY_TICK_OFFSET, e->tick);
        out[SCS_EVENT_LOG_ENTRY_KIND_OFFSET] = e->kind;
        wr16(out + SCS_EVENT_LOG_ENTRY_CODE_OFFSET, e->code);
        wr32(out + SCS_EVENT_LOG_ENTRY_DETAIL_OFFSET, e->detail);
    }
    scs_send_frame(fw, SCS_MSG_EVENT_LOG_ENTRY, SCS_FLAG_RESPONSE, seq, out, sizeof out);
}
