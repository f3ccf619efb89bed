/* Handlers of the requests that only read the device's state. */
#include "core.h"

/* What this board can do: simulated inputs, pulse trace, rechargeable (and a virtual clock in QEMU). */
#define CAPABILITIES ((unsigned)SCS_CAPABILITY_INPUTS | (unsigned)SCS_CAPABILITY_TRACE | (unsigned)SCS_CAPABILITY_RECHARGEABLE)

static void send_msg(scs_fw_t *fw, uint8_t id, uint16_t seq, const uint8_t *out, size_t len)
{
    scs_send_frame(fw, id, SCS_FLAG_RESPONSE, seq, out, len);
}

void scs_on_device_info_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    uint8_t out[SCS_DEVICE_INFO_SIZE];
    scs_msg_device_info_t m = {
        .protocol_version = SCS_PROTOCOL_VERSION,
        .firmware_version = SCS_FIRMWARE_VERSION,
        .device_id = fw->keys.device_id,
        .tick_ns = SCS_TICK_NS,
        .capabilities = (CAPABILITIES & ~(fw->gauge.primary ? (unsigned)SCS_CAPABILITY_RECHARGEABLE : 0u)) |
                        (fw->virtual_clock ? (unsigned)SCS_CAPABILITY_VIRTUAL_CLOCK : 0u) |
                        ((fw->therapy.edges != NULL) ? (unsigned)SCS_CAPABILITY_HARDWARE_TIMED : 0u) |
                        (fw->keys.development ? (unsigned)SCS_CAPABILITY_DEVELOPMENT_KEYS : 0u) |
                        ((SCS_TEST_BUILD && fw->keys.has_test_key) ? (unsigned)SCS_CAPABILITY_TEST_BUILD : 0u) |
                        (fw->session.hw_rng ? (unsigned)SCS_CAPABILITY_ENTROPY : 0u),
        .contact_count = SCS_CONTACT_COUNT,
        .max_programs = SCS_MAX_PROGRAMS,
        .max_areas = SCS_MAX_AREAS,
        .amplitude_step_ua = SCS_AMPLITUDE_STEP_UA,
        .max_amplitude_ua = SCS_MAX_AMPLITUDE_UA,
        .max_cathode_charge_pc = SCS_MAX_CATHODE_CHARGE_PC,
        .compliance_mv = SCS_COMPLIANCE_MV,
    };
    send_msg(fw, SCS_MSG_DEVICE_INFO, seq, out, scs_msg_device_info_encode(&m, out));
}

/* Rounded to the nearest unit; the sum is kept in a float so the conversion casts no composite expression. */
static uint16_t permille(float soc)
{
    float scaled = (soc * 1000.0f) + 0.5f;
    return (uint16_t)scaled;
}

static uint32_t millidegrees(float c)
{
    float scaled = (c * 1000.0f) + 0.5f;
    return (uint32_t)scaled;
}

void scs_on_status_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    const scs_therapy_t *t = &fw->therapy;
    const scs_gauge_t *g = &fw->gauge;
    uint8_t out[SCS_STATUS_SIZE];
    float battery_mv = ((scs_cell_ocv(g) + (g->current_a * SCS_GAUGE_CELL_RESISTANCE_OHM)) * 1000.0f) + 0.5f;
    scs_msg_status_t m = {
        .stim_on = t->stim_on,
        .active_program = t->active,
        .clock_ticks = fw->ticks,
        .battery_soc_permille = permille(scs_gauge_soc(g)),
        .battery_mv = (uint16_t)battery_mv,
        .battery_state = g->battery_state,
        .recharge_state = g->recharge_state,
        .temperature_mc = millidegrees(scs_gauge_temp_c(g)), /* the gauge's thermal model: no sensor on the dev board */
        .fault_flags = fw->fault_flags,
        .mri_mode = t->mri,
        .posture = t->posture,
        .late_pulses = scs_stim_late_pulses(t),
    };
    (void)memcpy(m.amplitude_ua, t->applied, sizeof m.amplitude_ua);
    send_msg(fw, SCS_MSG_STATUS, seq, out, scs_msg_status_encode(&m, out));
}

void scs_on_clock_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    uint8_t out[SCS_CLOCK_SIZE];
    scs_msg_clock_t m = {.ticks = fw->ticks};
    send_msg(fw, SCS_MSG_CLOCK, seq, out, scs_msg_clock_encode(&m, out));
}

void scs_on_area_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_msg_area_read_t r;
    scs_msg_area_read_decode(p, SCS_AREA_READ_SIZE, &r);
    uint8_t out[SCS_AREA_SIZE];
    scs_msg_area_t m = {.result = SCS_RESULT_WRONG_STATE, .program = r.program, .area = r.area};
    const scs_program_t *prog = &fw->therapy.programs[r.program];
    if (prog->used && (r.area < prog->count)) {
        m.result = SCS_RESULT_OK;
        scs_area_to_msg(&prog->area[r.area], &m);
    }
    send_msg(fw, SCS_MSG_AREA, seq, out, scs_msg_area_encode(&m, out));
}

void scs_on_limits_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    scs_msg_limits_read_t r;
    scs_msg_limits_read_decode(p, SCS_LIMITS_READ_SIZE, &r);
    uint8_t out[SCS_LIMITS_SIZE];
    scs_msg_limits_t m = {.result = SCS_RESULT_WRONG_STATE};
    const scs_program_t *prog = &fw->therapy.programs[r.program];
    if (prog->used && (r.area < prog->count)) {
        m.result = SCS_RESULT_OK;
        m.min_amplitude_ua = prog->lo[r.area];
        m.max_amplitude_ua = prog->hi[r.area];
        m.patient_selectable = prog->selectable;
    }
    send_msg(fw, SCS_MSG_LIMITS, seq, out, scs_msg_limits_encode(&m, out));
}

void scs_on_impedance_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    const scs_therapy_t *t = &fw->therapy;
    uint8_t out[SCS_IMPEDANCE_SIZE];
    scs_msg_impedance_t m = {.faulted_mask = 0};
    for (unsigned c = 0; c < SCS_CONTACTS; c++) {
        m.ohms[c] = t->ohms[c];
        if ((t->ohms[c] < SCS_IMPEDANCE_SHORT_OHM) || (t->ohms[c] > SCS_IMPEDANCE_OPEN_OHM)) {
            m.faulted_mask = (uint16_t)(m.faulted_mask | (1u << c));
        }
    }
    send_msg(fw, SCS_MSG_IMPEDANCE, seq, out, scs_msg_impedance_encode(&m, out));
}

void scs_on_charging_status_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    const scs_gauge_t *g = &fw->gauge;
    uint8_t out[SCS_CHARGING_STATUS_SIZE];
    float ua_rounded = (g->current_a * 1e6f) + 0.5f;
    int32_t ua = (g->current_a > 0.0f) ? (int32_t)ua_rounded : 0;
    float received_mw = ((((float)ua * 1e-6f) * SCS_GAUGE_V_LIMIT) / SCS_GAUGE_CHARGER_EFFICIENCY) * 1000.0f;
    scs_msg_charging_status_t m = {
        .recharge_state = g->recharge_state,
        .battery_current_ua = ua,
        .received_mw = (uint32_t)received_mw,
        .temperature_mc = millidegrees(scs_gauge_temp_c(g)),
        .battery_soc_permille = permille(scs_gauge_soc(g)),
    };
    send_msg(fw, SCS_MSG_CHARGING_STATUS, seq, out, scs_msg_charging_status_encode(&m, out));
}

void scs_on_event_log_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    const scs_events_t *ev = &fw->events;
    scs_msg_event_log_read_t r;
    scs_msg_event_log_read_decode(p, SCS_EVENT_LOG_READ_SIZE, &r);
    uint8_t out[SCS_EVENT_LOG_ENTRY_SIZE];
    scs_msg_event_log_entry_t m = {.result = SCS_RESULT_OUT_OF_RANGE, .index = r.index, .total = ev->len};
    if (r.index < ev->len) {
        const scs_event_t *e = &ev->log[(ev->start + r.index) % SCS_LOG_CAPACITY];
        m.result = SCS_RESULT_OK;
        m.tick = e->tick;
        m.kind = e->kind;
        m.code = e->code;
        m.detail = e->detail;
    }
    send_msg(fw, SCS_MSG_EVENT_LOG_ENTRY, seq, out, scs_msg_event_log_entry_encode(&m, out));
}

void scs_on_timing_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    const scs_therapy_t *t = &fw->therapy;
    uint8_t out[SCS_TIMING_SIZE];
    scs_msg_timing_t m = {0};
    scs_board_load_t l;
    if (t->edges != NULL) {
        const scs_edge_stats_t *e = &t->edges->stats;
        m.edges = e->edges;
        m.pulses = e->pulses;
        m.late_edges = e->late_edges;
        m.late_pulses = e->late_pulses;
        m.worst_latency_counts = e->worst_latency_counts;
    }
    if (scs_platform_load(fw, &l) != 0) {
        m.counts_per_tick = l.counts_per_tick;
        m.idle_counts = l.idle_counts;
        m.elapsed_counts = l.elapsed_counts;
        m.rx_overruns = l.rx_overruns;
        m.rx_high_water = l.rx_high_water;
        m.worst_request_counts = l.worst_request_counts;
        m.last_request_counts = l.last_request_counts;
    }
    send_msg(fw, SCS_MSG_TIMING, seq, out, scs_msg_timing_encode(&m, out));
}

void scs_on_fault_record_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p)
{
    (void)p;
    uint8_t out[SCS_FAULT_RECORD_SIZE];
    scs_msg_fault_record_t m = fw->fault_record;
    if (!fw->has_fault_record) {
        m = (scs_msg_fault_record_t){.fault_kind = SCS_NOT_INJECTED};
    }
    m.reset_cause = fw->reset_cause;
    m.valid = fw->has_fault_record;
    scs_send_frame(fw, SCS_MSG_FAULT_RECORD, SCS_FLAG_RESPONSE, seq, out, scs_msg_fault_record_encode(&m, out));
}
