/* What the parts of the core share (not part of the public API in fw.h). */
#ifndef SCS_CORE_H
#define SCS_CORE_H
#include "fw.h"
#include "scs_handlers.h"

#define SCS_NO_POSTURE 0xFFu /* inputs.pending_posture: none */
#ifndef SCS_TEST_BUILD
#define SCS_TEST_BUILD 1 /* 0: a production build (no test role; test requests refused NOT_PERMITTED) */
#endif

/* Event kinds and codes, fault, reset, battery and recharge codes: the generated enums of scs_protocol.h. */

/* --- link.c: outgoing frames --- */
/* One frame: signed with counter and a tag bound to request counter `answered` (device to host), or
 * with answered < 0 the tag of a request (host to device: the fuzz harness's). */
typedef struct {
    uint8_t msg_id;
    uint8_t flags;
    uint16_t seq;
    const uint8_t *payload;
    size_t len;            /* at most SCS_MAX_PAYLOAD (longer is cut) */
    int sign;
    uint32_t counter;
    int64_t answered;
} scs_frame_t;
/* Assemble it on the wire: header, payload, counter and tag, CRC-32, COBS, the delimiter; its length. */
size_t scs_frame_encode(const scs_fw_t *fw, const scs_frame_t *f, uint8_t wire[SCS_MAX_ENCODED + 1u]);
/* Encode and send one frame. Signed, with its tag bound to request counter `answered`, only when
 * answered >= 0 and a session is open (0 for events); answered < 0 sends it unsigned. */
void scs_send_frame(scs_fw_t *fw, uint8_t msg_id, uint8_t flags, uint16_t seq, const uint8_t *payload, size_t len);
void scs_send_frame_bound(scs_fw_t *fw, uint8_t msg_id, uint8_t flags, uint16_t seq, const uint8_t *payload,
                          size_t len, int64_t answered);
/* A RESULT answering the request being handled (signed and bound when it authenticated). */
void scs_send_result(scs_fw_t *fw, uint16_t seq, uint8_t request_id, uint8_t result, uint8_t field);

/* --- fw.c --- */
/* Start from the settings in the platform's storage (after power-on and every reset). */
void scs_fw_boot(scs_fw_t *fw);
/* What long computations call now and then (a scs_poll_t for fw): scs_fw_keep_up when hardware-timed. */
void scs_fw_poll(void *fw);
/* After each request: send the queued events, carry out an answered RESET. */
void scs_after_request(scs_fw_t *fw);
/* The restart policy: 1 when stimulation waits for a STIM_SET after a reset of this cause. */
int scs_holds_stimulation(uint8_t reset_cause);
/* FAULT_RECORD.exception of a HardFault (IPSR), and fault_kind when the fault was not injected */
#define SCS_HARD_FAULT_EXCEPTION 3u
#define SCS_NOT_INJECTED 255u

/* --- session.c --- */
/* The tag of a frame body under the session key: direction 1 (host to device, answered < 0) or 2
 * (device to host, bound to request counter `answered`). */
void scs_session_tag(const scs_fw_t *fw, uint8_t direction, const uint8_t *body, size_t len, int64_t answered,
                     uint8_t out[SCS_TAG_SIZE]);
/* Authenticate a signed frame (shrinking *end past counter and tag): 0 with *counter set, or the
 * result to refuse it with (counted as an unauthenticated refusal). */
uint8_t scs_session_verify(scs_fw_t *fw, const uint8_t *raw, size_t *end, uint32_t *counter);
/* The role check for an authenticated (session_role > 0) or unsigned request: 0 or NOT_PERMITTED
 * (an authenticated security event) or NOT_AUTHENTICATED. */
uint8_t scs_session_permit(scs_fw_t *fw, uint8_t id, uint8_t need_role, uint8_t session_role);
/* Boot: load the security record, restart the back-off from the remaining ticks it keeps. */
void scs_session_boot(scs_fw_t *fw);
/* Write the security record with the back-off ticks remaining now (also before an orderly reboot). */
void scs_session_persist(scs_fw_t *fw);
/* --- record.c: the security record's two slots --- */
/* 1 when a valid record was loaded; else the record is zeroed (0). */
int scs_record_load(scs_fw_t *fw);
void scs_record_save(scs_fw_t *fw);

/* --- dispatch.c: the request table --- */
typedef void (*scs_handler_fn)(scs_fw_t *fw, uint16_t seq, const uint8_t *payload);
typedef struct {
    uint8_t id; /* flags: SCS_REQ_* */
    uint8_t role;
    uint8_t flags;
    uint16_t size;
    const scs_field_t *fields;
    uint8_t field_count;
    scs_handler_fn handler;
} scs_request_t;
const scs_request_t *scs_find_request(uint8_t id);
/* The codec's range checks, from the generated field table: index of the first bad field, or -1. */
int scs_out_of_range(const scs_request_t *m, const uint8_t *p);
void scs_execute(scs_fw_t *fw, const scs_request_t *m, uint16_t seq, const uint8_t *p);

/* --- handlers: one per request of the definition (scs_on_<name>, declared in the generated
 * scs_handlers.h; a missing one fails the link), and the generated request table (scs_requests.c) --- */
extern const scs_request_t SCS_REQUEST_TABLE[SCS_REQUEST_COUNT];

/* --- checks shared by the request handlers and the settings image (one validation path) --- */
/* LIMITS_WRITE on this program: OK, WRONG_STATE, OUT_OF_RANGE or UNSAFE (*field: the field index). */
uint8_t scs_check_limits(const scs_program_t *prog, const scs_msg_limits_write_t *r, uint8_t *field);
uint8_t scs_check_adaptive(const scs_msg_adaptive_set_t *r, uint8_t *field);
/* The range checks of a request's fields (as on the wire): OK, or OUT_OF_RANGE with *field. */
uint8_t scs_check_fields(uint8_t msg_id, const uint8_t *payload, uint8_t *field);

/* --- events.c --- */
/* A device event, in the device's region of the log (each region evicts only its own oldest entry). */
void scs_log_event(scs_fw_t *fw, uint8_t kind, uint16_t code, uint32_t detail);
/* A security event of a frame of a session of role `role`: logged one by one in that role's region. */
void scs_security_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id, uint8_t role);
/* A refusal of a frame anyone could have sent (failed proofs included): counted in the summary entry
 * (in the summaries' region) while it is the newest. */
void scs_refusal_event(scs_fw_t *fw, uint8_t result, uint8_t msg_id);
/* Send the queued events (only within a session; without one they stay in the log only). */
void scs_send_events(scs_fw_t *fw);

/* --- stim_control.c: stimulation on/off with its log, remembered amplitudes --- */
unsigned scs_memory_key(const scs_therapy_t *t);
/* applied := the amplitudes remembered for the active program and posture, within its limits */
void scs_remembered(scs_therapy_t *t);
void scs_stim_on(scs_fw_t *fw);
void scs_stim_off(scs_fw_t *fw, int log);

/* --- inputs.c: simulated inputs, timers, the clock --- */
void scs_check_impedance(scs_fw_t *fw);
/* Move the clock by delta ticks: fuel gauge and timers event by event; with catch_up, every pulse
 * due is emitted before each event (CLOCK_ADVANCE), else the main loop emits them in batches. */
void scs_advance(scs_fw_t *fw, uint64_t delta, int catch_up);

/* --- gauge.c (single precision: the board computes on the Cortex-M4F's FPU, the host library the same) --- */
/* The open-circuit voltage of this board's cell (the rechargeable's table, or the primary cell's). */
float scs_cell_ocv(const scs_gauge_t *g);
/* The state of charge (0..1) and the implant temperature (degC) the integer counters hold. */
float scs_gauge_soc(const scs_gauge_t *g);
float scs_gauge_temp_c(const scs_gauge_t *g);
/* Fill the cell to soc_ppm parts per million of its capacity (the primary flag chooses the cell). */
void scs_gauge_set_soc_ppm(scs_gauge_t *g, uint32_t soc_ppm);
/* OpenNerve-style charge supervision, one decision: pause at v_pause or the hard temperature limit,
 * resume below v_resume / resume_c (as firmware_model.battery.charger.supervise). */
uint8_t scs_charge_supervise(uint8_t state, float v_term, float temp_c);
/* The fraction of transmitted power the implant's coil receives. */
float scs_link_efficiency(float separation_mm, float misalignment_mm);
uint8_t scs_battery_state_of(const scs_gauge_t *g);
void scs_set_recharge(scs_fw_t *fw, uint8_t state);
/* Integrate the cell over dt_ticks (microseconds) at the present load or charge (a coulomb counter). */
void scs_fuel_gauge(scs_fw_t *fw, uint64_t dt_ticks);

/* --- settings.c --- */
/* Persist the settings: 0, or STORAGE_ERROR when they do not fit. Power loss never returns on a board. */
uint8_t scs_settings_save(scs_fw_t *fw);
/* Persist the settings, then answer OK (or STORAGE_ERROR when they do not fit the slot). */
void scs_send_saved(scs_fw_t *fw, uint16_t seq, uint8_t request_id);
#endif
