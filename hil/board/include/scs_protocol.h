/* scs_protocol.h: GENERATED from protocol/spec/messages.toml and protocol/spec/device.toml by
 * `python -m protocol.codegen`. Do not edit. */
#ifndef SCS_PROTOCOL_H
#define SCS_PROTOCOL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define SCS_PROTOCOL_VERSION 1u
#define SCS_MAX_PAYLOAD 1024u
#define SCS_HEADER_SIZE 5u /* version u8, msg id u8, flags u8, seq u16 */
#define SCS_COUNTER_SIZE 4u
#define SCS_TAG_SIZE 8u /* HMAC-SHA256 truncated */
#define SCS_CRC_SIZE 4u /* CRC-32/ISO-HDLC: poly 0x04C11DB7 reflected, init/xorout 0xFFFFFFFF */
#define SCS_MAX_DECODED 1045u
#define SCS_MAX_ENCODED 1050u
#define SCS_NONCE_SIZE 16u
#define SCS_FLAG_RESPONSE 0x01u
#define SCS_FLAG_EVENT 0x02u
#define SCS_FLAG_SIGNED 0x04u

typedef enum {
    SCS_ROLE_NONE = 0,
    SCS_ROLE_PATIENT = 1,
    SCS_ROLE_CLINICIAN = 2,
    SCS_ROLE_TEST = 3
} scs_role_t;

typedef enum {
    SCS_RESULT_OK = 0, /* done */
    SCS_RESULT_BAD_FRAME = 1, /* frame failed COBS decoding, its CRC or its header */
    SCS_RESULT_UNKNOWN_MESSAGE = 2, /* no such message id, or not a request */
    SCS_RESULT_BAD_LENGTH = 3, /* payload length does not match the message */
    SCS_RESULT_OUT_OF_RANGE = 4, /* a field is outside its range; `field` names it */
    SCS_RESULT_NOT_PERMITTED = 5, /* the session's role may not send this request */
    SCS_RESULT_NOT_AUTHENTICATED = 6, /* request needs a session, or the frame is not signed */
    SCS_RESULT_REPLAY = 7, /* frame counter already used in this session */
    SCS_RESULT_WRONG_STATE = 8, /* not allowed in the device's current state */
    SCS_RESULT_BUSY = 9, /* try again later (e.g. handshake back-off running) */
    SCS_RESULT_LIMIT_CLAMPED = 10, /* done, but clamped to a limit; the response carries what applies */
    SCS_RESULT_BAD_TAG = 11, /* authentication tag does not verify */
    SCS_RESULT_STALE_COUNTER = 12, /* frame counter lower than the last accepted one */
    SCS_RESULT_UNSAFE = 13, /* refused: would break a safety limit; `field` names it */
    SCS_RESULT_VERSION_MISMATCH = 14, /* protocol version not supported */
    SCS_RESULT_STORAGE_ERROR = 15 /* persistent settings could not be written */
} scs_result_t;

typedef enum {
    SCS_MSG_DEVICE_INFO_GET = 1,
    SCS_MSG_STATUS_GET = 2,
    SCS_MSG_STIM_SET = 3,
    SCS_MSG_PROGRAM_SELECT = 4,
    SCS_MSG_AMPLITUDE_STEP = 5,
    SCS_MSG_AREA_WRITE = 6,
    SCS_MSG_PROGRAM_COMMIT = 7,
    SCS_MSG_AREA_READ = 8,
    SCS_MSG_LIMITS_WRITE = 9,
    SCS_MSG_LIMITS_READ = 10,
    SCS_MSG_IMPEDANCE_GET = 11,
    SCS_MSG_POSTURE_INPUT = 12,
    SCS_MSG_ADAPTIVE_SET = 13,
    SCS_MSG_MRI_MODE_SET = 14,
    SCS_MSG_RECHARGE_COUPLING_INPUT = 15,
    SCS_MSG_CHARGING_STATUS_GET = 16,
    SCS_MSG_TRACE_START = 17,
    SCS_MSG_TRACE_STOP = 18,
    SCS_MSG_TRACE_DUMP = 19,
    SCS_MSG_EVENT_LOG_READ = 20,
    SCS_MSG_CLOCK_GET = 21,
    SCS_MSG_CLOCK_ADVANCE = 22,
    SCS_MSG_IMPEDANCE_INPUT = 23,
    SCS_MSG_RESET = 24,
    SCS_MSG_TIMING_GET = 25,
    SCS_MSG_FAULT_INJECT = 26,
    SCS_MSG_FAULT_RECORD_GET = 27,
    SCS_MSG_HELLO = 32,
    SCS_MSG_AUTH = 33,
    SCS_MSG_SESSION_END = 34,
    SCS_MSG_RESULT = 128,
    SCS_MSG_DEVICE_INFO = 129,
    SCS_MSG_STATUS = 130,
    SCS_MSG_AMPLITUDE = 133,
    SCS_MSG_AREA = 136,
    SCS_MSG_LIMITS = 138,
    SCS_MSG_IMPEDANCE = 139,
    SCS_MSG_CHARGING_STATUS = 144,
    SCS_MSG_TRACE_DATA = 147,
    SCS_MSG_EVENT_LOG_ENTRY = 148,
    SCS_MSG_CLOCK = 149,
    SCS_MSG_TIMING = 153,
    SCS_MSG_FAULT_RECORD = 155,
    SCS_MSG_CHALLENGE = 160,
    SCS_MSG_SESSION = 161,
    SCS_MSG_EVENT = 192
} scs_msg_id_t;

/* EventKind: Kind of an EVENT / EVENT_LOG_ENTRY. */
typedef enum {
    SCS_EVENT_KIND_FAULT = 0, /* code: FaultCode; detail: fault specific (impedance: contact mask) */
    SCS_EVENT_KIND_BATTERY = 1, /* code: BatteryState entered */
    SCS_EVENT_KIND_SECURITY = 2, /* code: the result refused (or a summary code, below); detail: see Event log codes */
    SCS_EVENT_KIND_RESET = 3, /* code: ResetCode */
    SCS_EVENT_KIND_MODE = 4, /* code: ModeCode */
    SCS_EVENT_KIND_RECHARGE = 5, /* code: RechargeState entered */
    SCS_EVENT_KIND_TIMING = 6, /* code: TimingCode; detail: late pulses since power-on */
    SCS_EVENT_KIND_BOOT = 7 /* code: ResetCause of this boot (RCC_CSR on a chip); detail: the fault record's PC, 0 when none */
} scs_event_kind_t;

/* ResetCause: Why the processor last reset (RCC_CSR on a board; in QEMU a retained word written by whoever launches the emulator). */
typedef enum {
    SCS_RESET_CAUSE_UNKNOWN = 0, /* no flag set (or the model's first power-on) */
    SCS_RESET_CAUSE_POWER_ON = 1, /* power applied (PORRSTF) */
    SCS_RESET_CAUSE_PIN = 2, /* the NRST pin (PINRSTF alone): a reset button, a debugger, QEMU's system_reset */
    SCS_RESET_CAUSE_WATCHDOG = 3, /* the independent or window watchdog expired (IWDGRSTF, WWDGRSTF) */
    SCS_RESET_CAUSE_SOFTWARE = 4, /* SYSRESETREQ (SFTRSTF): the firmware reset itself, e.g. after saving a fault record */
    SCS_RESET_CAUSE_BROWN_OUT = 5, /* the supply fell below the BOR level (BORRSTF without PORRSTF) */
    SCS_RESET_CAUSE_LOCKUP = 6 /* a fault inside the fault handler: the core locked up until the watchdog reset it (a fault record started but not finished) */
} scs_reset_cause_t;

/* FaultKind: FAULT_INJECT.kind (test builds only). */
typedef enum {
    SCS_FAULT_KIND_HARD_FAULT = 0, /* the firmware executes an undefined instruction: HardFault */
    SCS_FAULT_KIND_HANG = 1, /* the main loop spins without kicking the watchdog: a watchdog reset */
    SCS_FAULT_KIND_STACK_OVERFLOW = 2, /* unbounded recursion into the stack's MPU guard region: HardFault (MemManage escalated) */
    SCS_FAULT_KIND_BROWN_OUT = 3 /* a brown-out reset as the BOR would do it: outputs safe, reset cause BROWN_OUT */
} scs_fault_kind_t;

/* TimingCode: Codes of TIMING events (hardware-timed output). */
typedef enum {
    SCS_TIMING_CODE_LATE_PULSES = 1 /* a pulse edge fired after its due tick (at most one event a second) */
} scs_timing_code_t;

/* FaultCode: Fault codes; bit n of STATUS.fault_flags is code n. */
typedef enum {
    SCS_FAULT_CODE_IMPEDANCE_OPEN = 1, /* a contact above the open-circuit impedance */
    SCS_FAULT_CODE_IMPEDANCE_SHORT = 2, /* a contact below the short-circuit impedance */
    SCS_FAULT_CODE_WATCHDOG = 3, /* the pulse scheduler stalled; stimulation stopped */
    SCS_FAULT_CODE_BATTERY_CUTOFF = 4, /* the cell reached its cut-off charge; stimulation stopped */
    SCS_FAULT_CODE_OVER_TEMPERATURE = 5, /* recharge paused: the implant is too warm */
    SCS_FAULT_CODE_NVM_CORRUPT = 6 /* no valid settings image: safe defaults loaded */
} scs_fault_code_t;

/* ModeCode: Codes of MODE events. */
typedef enum {
    SCS_MODE_CODE_STIM_ON = 1, /* detail: program */
    SCS_MODE_CODE_STIM_OFF = 2, /* detail: the fault that stopped it, or 0 */
    SCS_MODE_CODE_MRI_ENTER = 3,
    SCS_MODE_CODE_MRI_EXIT = 4,
    SCS_MODE_CODE_PROGRAM_SELECTED = 5, /* detail: program */
    SCS_MODE_CODE_PROGRAM_STORED = 6, /* detail: program */
    SCS_MODE_CODE_POSTURE_APPLIED = 7, /* detail: Posture */
    SCS_MODE_CODE_AREA_STOPPED = 8, /* detail: area on a faulted contact */
    SCS_MODE_CODE_FAULT_CLEARED = 9 /* detail: FaultCode */
} scs_mode_code_t;

/* ResetCode: Codes of RESET events. */
typedef enum {
    SCS_RESET_CODE_SOFT = 0,
    SCS_RESET_CODE_POWER_LOSS = 1,
    SCS_RESET_CODE_DEFAULTS_LOADED = 2, /* no valid settings image */
    SCS_RESET_CODE_SLOT_FALLBACK = 3, /* the newest slot was invalid; detail: the slot used */
    SCS_RESET_CODE_FACTORY = 4
} scs_reset_code_t;

/* ResetKind: RESET.kind: what the host asks for. */
typedef enum {
    SCS_RESET_KIND_SOFT = 0,
    SCS_RESET_KIND_POWER_LOSS = 1, /* simulated power loss */
    SCS_RESET_KIND_FACTORY = 2 /* settings erased, simulated inputs cleared; the handshake back-off and failure count survive */
} scs_reset_kind_t;

/* Posture: Sensed posture (AdaptiveStim). */
typedef enum {
    SCS_POSTURE_UPRIGHT = 0,
    SCS_POSTURE_LYING_BACK = 1,
    SCS_POSTURE_LYING_FRONT = 2,
    SCS_POSTURE_LYING_LEFT = 3,
    SCS_POSTURE_LYING_RIGHT = 4,
    SCS_POSTURE_RECLINING = 5,
    SCS_POSTURE_MOVING = 6
} scs_posture_t;

/* WaveformCode: AREA_WRITE.waveform. */
typedef enum {
    SCS_WAVEFORM_CODE_TONIC = 0,
    SCS_WAVEFORM_CODE_BURST = 1,
    SCS_WAVEFORM_CODE_HIGH_FREQUENCY = 2
} scs_waveform_code_t;

/* RechargeCode: AREA_WRITE.recharge: how the charge of each pulse is balanced. */
typedef enum {
    SCS_RECHARGE_CODE_ACTIVE = 0, /* anodic phase driven by the current source */
    SCS_RECHARGE_CODE_PASSIVE = 1 /* output shorted through the coupling capacitor for a window */
} scs_recharge_code_t;

/* BatteryState: STATUS.battery_state. */
typedef enum {
    SCS_BATTERY_STATE_FULL = 0,
    SCS_BATTERY_STATE_OK = 1,
    SCS_BATTERY_STATE_RECHARGE_SOON = 2,
    SCS_BATTERY_STATE_RECHARGE_NOW = 3,
    SCS_BATTERY_STATE_CUTOFF = 4,
    SCS_BATTERY_STATE_ERI = 5, /* elective replacement indicator */
    SCS_BATTERY_STATE_EOS = 6 /* end of service */
} scs_battery_state_t;

/* RechargeState: STATUS.recharge_state, CHARGING_STATUS.recharge_state. */
typedef enum {
    SCS_RECHARGE_STATE_IDLE = 0,
    SCS_RECHARGE_STATE_CONSTANT_CURRENT = 1,
    SCS_RECHARGE_STATE_CONSTANT_VOLTAGE = 2,
    SCS_RECHARGE_STATE_PAUSED_HOT = 3,
    SCS_RECHARGE_STATE_PAUSED_OVERVOLTAGE = 4,
    SCS_RECHARGE_STATE_COMPLETE = 5
} scs_recharge_state_t;

/* Capability: DEVICE_INFO.capabilities. */
typedef enum {
    SCS_CAPABILITY_VIRTUAL_CLOCK = 1, /* only CLOCK_ADVANCE moves the clock */
    SCS_CAPABILITY_INPUTS = 2, /* posture, impedance, recharge coupling */
    SCS_CAPABILITY_TRACE = 4,
    SCS_CAPABILITY_RECHARGEABLE = 8,
    SCS_CAPABILITY_TRIAL = 16, /* a trial stimulator (primary battery) */
    SCS_CAPABILITY_HARDWARE_TIMED = 32, /* a timer interrupt drives the output pins */
    SCS_CAPABILITY_TEST_BUILD = 64, /* the test role and its requests exist (clear: a production build) */
    SCS_CAPABILITY_DEVELOPMENT_KEYS = 128, /* keys made at random for this build or run */
    SCS_CAPABILITY_ENTROPY = 256 /* entropy is mixed into nonces (RNG peripheral, QEMU launch seed, OS entropy) */
} scs_capability_t;

/* SecuritySummary: Codes of SECURITY events that are not one refused result. */
typedef enum {
    SCS_SECURITY_SUMMARY_UNAUTHENTICATED = 32, /* refused frames that did not authenticate; detail: count << 16 | result << 8 | message id */
    SCS_SECURITY_SUMMARY_NO_NONCE_SOURCE = 33 /* at boot: no entropy and no valid security record; every HELLO refused */
} scs_security_summary_t;

/* device limits */
#define SCS_NO_FIELD 255u
#define SCS_ALL_AREAS 255u
#define SCS_FIRMWARE_VERSION 256u
#define SCS_TICK_NS 1000u
#define SCS_CONTACT_COUNT 16u
#define SCS_MAX_AREAS 4u
#define SCS_MAX_PROGRAMS 8u
#define SCS_MAX_AMPLITUDE_UA 25500u
#define SCS_DAC_CODE_MAX 4095u
#define SCS_AMPLITUDE_STEP_UA 50u
#define SCS_MIN_PULSE_WIDTH_US 20u
#define SCS_MAX_PULSE_WIDTH_US 1000u
#define SCS_MAX_INTERPHASE_GAP_US 100u
#define SCS_MIN_RATE_MHZ 2000u
#define SCS_MAX_RATE_MHZ 1200000u
#define SCS_MIN_HF_RATE_MHZ 1000000u
#define SCS_MAX_HF_RATE_MHZ 10000000u
#define SCS_MIN_BURST_RATE_MHZ 1000u
#define SCS_MAX_BURST_RATE_MHZ 100000u
#define SCS_MIN_INTRA_BURST_RATE_MHZ 200000u
#define SCS_MAX_INTRA_BURST_RATE_MHZ 1200000u
#define SCS_MAX_PULSES_PER_BURST 16u
#define SCS_MAX_PASSIVE_WINDOW_US 20000u
#define SCS_RECHARGE_RATIOS_COUNT 4u
#define SCS_RECHARGE_RATIOS {1u, 2u, 5u, 10u}
#define SCS_MAX_SOFT_START_MS 60000u
#define SCS_MAX_CYCLE_MS 86400000u
#define SCS_MAX_DISPLACEMENT_TICKS 2000u
#define SCS_CONTACT_AREA_MM2 12.0f
#define SCS_CHARGE_DENSITY_LIMIT_UC_CM2 30.0f
#define SCS_SHANNON_K 1.85f
#define SCS_COMPLIANCE_MV 12000u
#define SCS_SUPPLY_HEADROOM_MV 1000u
#define SCS_CONVERTER_EFFICIENCY 0.8f
#define SCS_IMPEDANCE_SHORT_OHM 250u
#define SCS_IMPEDANCE_OPEN_OHM 4000u
#define SCS_CASE_IMPEDANCE_OHM 100u
#define SCS_PASSIVE_RECHARGE_TAU_US 2000u
#define SCS_DEFAULT_DWELL_MS 5000u
#define SCS_DEFAULT_RAMP_UA_PER_S 1000u
#define SCS_IMPEDANCE_CHECK_TICKS 10000000u
#define SCS_DEFAULT_LEAD_OHMS 1000u
#define SCS_START_LEAD_TICKS 500u
#define SCS_BODY_TEMPERATURE_MC 37000u
#define SCS_GAUGE_TOLERANCE_MV 1u
#define SCS_RECHARGE_TOLERANCE_MV 50u
#define SCS_RECHARGE_TOLERANCE_MIN 10u
#define SCS_BOR_LEVEL 3u
#define SCS_BOR_MV 2700u
#define SCS_REGULATOR_MV 3000u
#define SCS_REGULATOR_DROPOUT_MV 200u
#define SCS_BOR_MARGIN_MV 300u
#define SCS_IWDG_LSI_HZ 32000u
#define SCS_IWDG_PRESCALER 32u
#define SCS_IWDG_RELOAD 1000u
#define SCS_FAULT_SAFE_PIN_INSNS 3u
#define SCS_FAULT_SAFE_DAC_INSNS 8u
#define SCS_EVENT_LOG_CAPACITY 128u
#define SCS_EVENT_LOG_SUMMARIES 8u
#define SCS_EVENT_LOG_PER_ROLE 16u
#define SCS_MAX_CATHODE_CHARGE_PC 2914678u

/* fuel gauge */
#define SCS_GAUGE_CAPACITY_MAH 200.0f
#define SCS_GAUGE_INITIAL_SOC 0.8f
#define SCS_GAUGE_OCV_POINTS 16u
#define SCS_GAUGE_OCV_SOC {0.0f, 0.01f, 0.02f, 0.03f, 0.04f, 0.05f, 0.16f, 0.23f, 0.35f, 0.45f, 0.56f, 0.73f, 0.8f, 0.93f, 0.97f, 1.0f}
#define SCS_GAUGE_OCV_V {3.2f, 3.2878f, 3.3538f, 3.3997f, 3.4292f, 3.4474f, 3.5441f, 3.5951f, 3.6425f, 3.6696f, 3.7345f, 3.8778f, 3.9369f, 4.0797f, 4.1333f, 4.187f}
#define SCS_GAUGE_CELL_RESISTANCE_OHM 0.5f
#define SCS_GAUGE_CC_CURRENT_A 0.1f
#define SCS_GAUGE_V_LIMIT 4.187f
#define SCS_GAUGE_END_CURRENT_C_DIVISOR 20u
#define SCS_GAUGE_CHARGER_EFFICIENCY 0.85f
#define SCS_GAUGE_QUIESCENT_CURRENT_A 1e-05f
#define SCS_GAUGE_FULL_SOC 0.95f
#define SCS_GAUGE_SOON_SOC 0.3f
#define SCS_GAUGE_NOW_SOC 0.1f
#define SCS_GAUGE_CUTOFF_SOC 0.02f
#define SCS_GAUGE_RESUME_SOC 0.05f
#define SCS_GAUGE_V_PAUSE 4.277f
#define SCS_GAUGE_V_RESUME 4.1f
#define SCS_GAUGE_HARD_LIMIT_C 42.0f
#define SCS_GAUGE_RESUME_C 39.5f
#define SCS_GAUGE_BODY_C 37.0f
#define SCS_GAUGE_RISE_LIMIT_C 2.0f
#define SCS_GAUGE_THERMAL_R_C_PER_W 20.0f
#define SCS_GAUGE_THERMAL_TAU_S 600.0f
#define SCS_GAUGE_LINK_ETA_MAX 0.6f
#define SCS_GAUGE_LINK_D0_MM 15.0f
#define SCS_GAUGE_LINK_M0_MM 20.0f
#define SCS_GAUGE_CAN_LOSS 0.02f
#define SCS_GAUGE_ERI_SOC 0.1f
#define SCS_GAUGE_EOS_SOC 0.02f
#define SCS_GAUGE_PRIMARY_CAPACITY_MAH 6000.0f
#define SCS_GAUGE_PRIMARY_OCV_POINTS 5u
#define SCS_GAUGE_PRIMARY_OCV_SOC {0.0f, 0.05f, 0.15f, 0.3f, 1.0f}
#define SCS_GAUGE_PRIMARY_OCV_V {2.6f, 2.75f, 2.95f, 3.05f, 3.2f}

/* sessions and handshakes */
#define SCS_BACKOFF_BASE_TICKS 1000000u
#define SCS_BACKOFF_MAX_TICKS 64000000u
#define SCS_MAX_FAILED_TRIES 3u
#define SCS_HANDSHAKES_KEPT 8u
#define SCS_CACHE_ENTRIES 8u
#define SCS_SECURITY_RECORD_MAGIC 1263747923u

/* Little-endian loads and stores of the wire and the settings image. */
static inline uint64_t scs_get_le(const uint8_t *p, unsigned n)
{
    uint64_t v = 0u;
    for (unsigned i = 0u; i < n; i++) {
        const uint64_t byte = (uint64_t)p[i];
        const unsigned shift = 8u * i;
        v |= (byte << shift);
    }
    return v;
}
static inline void scs_put_le(uint8_t *p, uint64_t v, unsigned n)
{
    for (unsigned i = 0u; i < n; i++) {
        const unsigned shift = 8u * i;
        p[i] = (uint8_t)(v >> shift);
    }
}

/* DEVICE_INFO_GET (0x01, request, role none, response DEVICE_INFO): Identity and capabilities; allowed before a session (answered unsigned). Inside a session it is signed like every request and answered signed. */
#define SCS_DEVICE_INFO_GET_ROLE SCS_ROLE_NONE
#define SCS_DEVICE_INFO_GET_RESPONSE SCS_MSG_DEVICE_INFO
#define SCS_DEVICE_INFO_GET_CHANGES_STATE 0
#define SCS_DEVICE_INFO_GET_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_device_info_get_t;
static inline void scs_msg_device_info_get_decode(const uint8_t *p, size_t len, scs_msg_device_info_get_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_device_info_get_encode(const scs_msg_device_info_get_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* STATUS_GET (0x02, request, role patient, response STATUS): The device's state. */
#define SCS_STATUS_GET_ROLE SCS_ROLE_PATIENT
#define SCS_STATUS_GET_RESPONSE SCS_MSG_STATUS
#define SCS_STATUS_GET_CHANGES_STATE 0
#define SCS_STATUS_GET_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_status_get_t;
static inline void scs_msg_status_get_decode(const uint8_t *p, size_t len, scs_msg_status_get_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_status_get_encode(const scs_msg_status_get_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* STIM_SET (0x03, request, role patient, response RESULT, changes state): Turn stimulation on or off. Off is always accepted. */
#define SCS_STIM_SET_ROLE SCS_ROLE_PATIENT
#define SCS_STIM_SET_RESPONSE SCS_MSG_RESULT
#define SCS_STIM_SET_CHANGES_STATE 1
#define SCS_STIM_SET_SIZE 1u
#define SCS_STIM_SET_ON_OFFSET 0u /* uint8_t */
#define SCS_STIM_SET_ON_MAX 1u
typedef struct {
    uint8_t on;
} scs_msg_stim_set_t;
static inline void scs_msg_stim_set_decode(const uint8_t *p, size_t len, scs_msg_stim_set_t *m)
{
    (void)len;
    m->on = (uint8_t)scs_get_le(&p[0u], 1u);
}
static inline size_t scs_msg_stim_set_encode(const scs_msg_stim_set_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->on, 1u);
    return 1u;
}

/* PROGRAM_SELECT (0x04, request, role patient, response RESULT, changes state): Select a stored program the patient is allowed to use. */
#define SCS_PROGRAM_SELECT_ROLE SCS_ROLE_PATIENT
#define SCS_PROGRAM_SELECT_RESPONSE SCS_MSG_RESULT
#define SCS_PROGRAM_SELECT_CHANGES_STATE 1
#define SCS_PROGRAM_SELECT_SIZE 1u
#define SCS_PROGRAM_SELECT_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_PROGRAM_SELECT_PROGRAM_MAX 7u
typedef struct {
    uint8_t program;
} scs_msg_program_select_t;
static inline void scs_msg_program_select_decode(const uint8_t *p, size_t len, scs_msg_program_select_t *m)
{
    (void)len;
    m->program = (uint8_t)scs_get_le(&p[0u], 1u);
}
static inline size_t scs_msg_program_select_encode(const scs_msg_program_select_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->program, 1u);
    return 1u;
}

/* AMPLITUDE_STEP (0x05, request, role patient, response AMPLITUDE, changes state): Step the amplitude of one area (255: all areas) by a signed number of amplitude steps. */
#define SCS_AMPLITUDE_STEP_ROLE SCS_ROLE_PATIENT
#define SCS_AMPLITUDE_STEP_RESPONSE SCS_MSG_AMPLITUDE
#define SCS_AMPLITUDE_STEP_CHANGES_STATE 1
#define SCS_AMPLITUDE_STEP_SIZE 2u
#define SCS_AMPLITUDE_STEP_AREA_OFFSET 0u /* uint8_t */
#define SCS_AMPLITUDE_STEP_STEPS_OFFSET 1u /* int8_t */
#define SCS_AMPLITUDE_STEP_STEPS_MIN (-20)
#define SCS_AMPLITUDE_STEP_STEPS_MAX (20)
typedef struct {
    uint8_t area;
    int8_t steps;
} scs_msg_amplitude_step_t;
static inline void scs_msg_amplitude_step_decode(const uint8_t *p, size_t len, scs_msg_amplitude_step_t *m)
{
    (void)len;
    m->area = (uint8_t)scs_get_le(&p[0u], 1u);
    m->steps = (int8_t)(uint8_t)scs_get_le(&p[1u], 1u);
}
static inline size_t scs_msg_amplitude_step_encode(const scs_msg_amplitude_step_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->area, 1u);
    scs_put_le(&p[1u], (uint64_t)m->steps, 1u);
    return 2u;
}

/* AREA_WRITE (0x06, request, role clinician, response RESULT, changes state): Stage one area of a program; PROGRAM_COMMIT validates and stores the staged areas at once. */
#define SCS_AREA_WRITE_ROLE SCS_ROLE_CLINICIAN
#define SCS_AREA_WRITE_RESPONSE SCS_MSG_RESULT
#define SCS_AREA_WRITE_CHANGES_STATE 1
#define SCS_AREA_WRITE_SIZE 50u
#define SCS_AREA_WRITE_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_AREA_WRITE_PROGRAM_MAX 7u
#define SCS_AREA_WRITE_AREA_OFFSET 1u /* uint8_t */
#define SCS_AREA_WRITE_AREA_MAX 3u
#define SCS_AREA_WRITE_WAVEFORM_OFFSET 2u /* uint8_t */
#define SCS_AREA_WRITE_WAVEFORM_MAX 2u
#define SCS_AREA_WRITE_CATHODE_SHARE_PCT_OFFSET 3u /* uint8_t[16], % */
#define SCS_AREA_WRITE_CATHODE_SHARE_PCT_COUNT 16u
#define SCS_AREA_WRITE_CATHODE_SHARE_PCT_MAX 100u
#define SCS_AREA_WRITE_ANODE_MASK_OFFSET 19u /* uint16_t */
#define SCS_AREA_WRITE_CASE_ANODE_OFFSET 21u /* uint8_t */
#define SCS_AREA_WRITE_CASE_ANODE_MAX 1u
#define SCS_AREA_WRITE_AMPLITUDE_UA_OFFSET 22u /* uint16_t, uA */
#define SCS_AREA_WRITE_AMPLITUDE_UA_MAX 25500u
#define SCS_AREA_WRITE_PULSE_WIDTH_US_OFFSET 24u /* uint16_t, us */
#define SCS_AREA_WRITE_PULSE_WIDTH_US_MIN 20u
#define SCS_AREA_WRITE_PULSE_WIDTH_US_MAX 1000u
#define SCS_AREA_WRITE_RATE_MHZ_OFFSET 26u /* uint32_t, mHz */
#define SCS_AREA_WRITE_RATE_MHZ_MIN 1000u
#define SCS_AREA_WRITE_RATE_MHZ_MAX 10000000u
#define SCS_AREA_WRITE_INTERPHASE_GAP_US_OFFSET 30u /* uint8_t, us */
#define SCS_AREA_WRITE_INTERPHASE_GAP_US_MAX 100u
#define SCS_AREA_WRITE_RECHARGE_OFFSET 31u /* uint8_t */
#define SCS_AREA_WRITE_RECHARGE_MAX 1u
#define SCS_AREA_WRITE_RECHARGE_RATIO_OFFSET 32u /* uint8_t */
#define SCS_AREA_WRITE_RECHARGE_RATIO_MIN 1u
#define SCS_AREA_WRITE_RECHARGE_RATIO_MAX 10u
#define SCS_AREA_WRITE_PASSIVE_WINDOW_US_OFFSET 33u /* uint16_t, us */
#define SCS_AREA_WRITE_PASSIVE_WINDOW_US_MAX 20000u
#define SCS_AREA_WRITE_PULSES_PER_BURST_OFFSET 35u /* uint8_t */
#define SCS_AREA_WRITE_PULSES_PER_BURST_MIN 1u
#define SCS_AREA_WRITE_PULSES_PER_BURST_MAX 16u
#define SCS_AREA_WRITE_INTRA_BURST_RATE_MHZ_OFFSET 36u /* uint32_t, mHz */
#define SCS_AREA_WRITE_INTRA_BURST_RATE_MHZ_MAX 1200000u
#define SCS_AREA_WRITE_CYCLE_ON_MS_OFFSET 40u /* uint32_t, ms */
#define SCS_AREA_WRITE_CYCLE_OFF_MS_OFFSET 44u /* uint32_t, ms */
#define SCS_AREA_WRITE_SOFT_START_MS_OFFSET 48u /* uint16_t, ms */
#define SCS_AREA_WRITE_SOFT_START_MS_MAX 60000u
typedef struct {
    uint8_t program;
    uint8_t area;
    uint8_t waveform;
    uint8_t cathode_share_pct[16]; /* % */
    uint16_t anode_mask;
    uint8_t case_anode;
    uint16_t amplitude_ua; /* uA */
    uint16_t pulse_width_us; /* us */
    uint32_t rate_mhz; /* mHz */
    uint8_t interphase_gap_us; /* us */
    uint8_t recharge;
    uint8_t recharge_ratio;
    uint16_t passive_window_us; /* us */
    uint8_t pulses_per_burst;
    uint32_t intra_burst_rate_mhz; /* mHz */
    uint32_t cycle_on_ms; /* ms */
    uint32_t cycle_off_ms; /* ms */
    uint16_t soft_start_ms; /* ms */
} scs_msg_area_write_t;
static inline void scs_msg_area_write_decode(const uint8_t *p, size_t len, scs_msg_area_write_t *m)
{
    (void)len;
    m->program = (uint8_t)scs_get_le(&p[0u], 1u);
    m->area = (uint8_t)scs_get_le(&p[1u], 1u);
    m->waveform = (uint8_t)scs_get_le(&p[2u], 1u);
    for (unsigned i = 0u; i < 16u; i++) {
        m->cathode_share_pct[i] = (uint8_t)scs_get_le(&p[3u + (1u * i)], 1u);
    }
    m->anode_mask = (uint16_t)scs_get_le(&p[19u], 2u);
    m->case_anode = (uint8_t)scs_get_le(&p[21u], 1u);
    m->amplitude_ua = (uint16_t)scs_get_le(&p[22u], 2u);
    m->pulse_width_us = (uint16_t)scs_get_le(&p[24u], 2u);
    m->rate_mhz = (uint32_t)scs_get_le(&p[26u], 4u);
    m->interphase_gap_us = (uint8_t)scs_get_le(&p[30u], 1u);
    m->recharge = (uint8_t)scs_get_le(&p[31u], 1u);
    m->recharge_ratio = (uint8_t)scs_get_le(&p[32u], 1u);
    m->passive_window_us = (uint16_t)scs_get_le(&p[33u], 2u);
    m->pulses_per_burst = (uint8_t)scs_get_le(&p[35u], 1u);
    m->intra_burst_rate_mhz = (uint32_t)scs_get_le(&p[36u], 4u);
    m->cycle_on_ms = (uint32_t)scs_get_le(&p[40u], 4u);
    m->cycle_off_ms = (uint32_t)scs_get_le(&p[44u], 4u);
    m->soft_start_ms = (uint16_t)scs_get_le(&p[48u], 2u);
}
static inline size_t scs_msg_area_write_encode(const scs_msg_area_write_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->program, 1u);
    scs_put_le(&p[1u], (uint64_t)m->area, 1u);
    scs_put_le(&p[2u], (uint64_t)m->waveform, 1u);
    for (unsigned i = 0u; i < 16u; i++) {
        scs_put_le(&p[3u + (1u * i)], (uint64_t)m->cathode_share_pct[i], 1u);
    }
    scs_put_le(&p[19u], (uint64_t)m->anode_mask, 2u);
    scs_put_le(&p[21u], (uint64_t)m->case_anode, 1u);
    scs_put_le(&p[22u], (uint64_t)m->amplitude_ua, 2u);
    scs_put_le(&p[24u], (uint64_t)m->pulse_width_us, 2u);
    scs_put_le(&p[26u], (uint64_t)m->rate_mhz, 4u);
    scs_put_le(&p[30u], (uint64_t)m->interphase_gap_us, 1u);
    scs_put_le(&p[31u], (uint64_t)m->recharge, 1u);
    scs_put_le(&p[32u], (uint64_t)m->recharge_ratio, 1u);
    scs_put_le(&p[33u], (uint64_t)m->passive_window_us, 2u);
    scs_put_le(&p[35u], (uint64_t)m->pulses_per_burst, 1u);
    scs_put_le(&p[36u], (uint64_t)m->intra_burst_rate_mhz, 4u);
    scs_put_le(&p[40u], (uint64_t)m->cycle_on_ms, 4u);
    scs_put_le(&p[44u], (uint64_t)m->cycle_off_ms, 4u);
    scs_put_le(&p[48u], (uint64_t)m->soft_start_ms, 2u);
    return 50u;
}

/* PROGRAM_COMMIT (0x07, request, role clinician, response RESULT, changes state): Validate the staged areas 0..area_count-1 of a program (ranges, safety, interleaving) and store them. */
#define SCS_PROGRAM_COMMIT_ROLE SCS_ROLE_CLINICIAN
#define SCS_PROGRAM_COMMIT_RESPONSE SCS_MSG_RESULT
#define SCS_PROGRAM_COMMIT_CHANGES_STATE 1
#define SCS_PROGRAM_COMMIT_SIZE 2u
#define SCS_PROGRAM_COMMIT_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_PROGRAM_COMMIT_PROGRAM_MAX 7u
#define SCS_PROGRAM_COMMIT_AREA_COUNT_OFFSET 1u /* uint8_t */
#define SCS_PROGRAM_COMMIT_AREA_COUNT_MIN 1u
#define SCS_PROGRAM_COMMIT_AREA_COUNT_MAX 4u
typedef struct {
    uint8_t program;
    uint8_t area_count;
} scs_msg_program_commit_t;
static inline void scs_msg_program_commit_decode(const uint8_t *p, size_t len, scs_msg_program_commit_t *m)
{
    (void)len;
    m->program = (uint8_t)scs_get_le(&p[0u], 1u);
    m->area_count = (uint8_t)scs_get_le(&p[1u], 1u);
}
static inline size_t scs_msg_program_commit_encode(const scs_msg_program_commit_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->program, 1u);
    scs_put_le(&p[1u], (uint64_t)m->area_count, 1u);
    return 2u;
}

/* AREA_READ (0x08, request, role clinician, response AREA): Read one stored area. */
#define SCS_AREA_READ_ROLE SCS_ROLE_CLINICIAN
#define SCS_AREA_READ_RESPONSE SCS_MSG_AREA
#define SCS_AREA_READ_CHANGES_STATE 0
#define SCS_AREA_READ_SIZE 2u
#define SCS_AREA_READ_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_AREA_READ_PROGRAM_MAX 7u
#define SCS_AREA_READ_AREA_OFFSET 1u /* uint8_t */
#define SCS_AREA_READ_AREA_MAX 3u
typedef struct {
    uint8_t program;
    uint8_t area;
} scs_msg_area_read_t;
static inline void scs_msg_area_read_decode(const uint8_t *p, size_t len, scs_msg_area_read_t *m)
{
    (void)len;
    m->program = (uint8_t)scs_get_le(&p[0u], 1u);
    m->area = (uint8_t)scs_get_le(&p[1u], 1u);
}
static inline size_t scs_msg_area_read_encode(const scs_msg_area_read_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->program, 1u);
    scs_put_le(&p[1u], (uint64_t)m->area, 1u);
    return 2u;
}

/* LIMITS_WRITE (0x09, request, role clinician, response RESULT, changes state): The patient's amplitude window for one area of a program, and whether the patient may select it. */
#define SCS_LIMITS_WRITE_ROLE SCS_ROLE_CLINICIAN
#define SCS_LIMITS_WRITE_RESPONSE SCS_MSG_RESULT
#define SCS_LIMITS_WRITE_CHANGES_STATE 1
#define SCS_LIMITS_WRITE_SIZE 7u
#define SCS_LIMITS_WRITE_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_LIMITS_WRITE_PROGRAM_MAX 7u
#define SCS_LIMITS_WRITE_AREA_OFFSET 1u /* uint8_t */
#define SCS_LIMITS_WRITE_AREA_MAX 3u
#define SCS_LIMITS_WRITE_MIN_AMPLITUDE_UA_OFFSET 2u /* uint16_t, uA */
#define SCS_LIMITS_WRITE_MIN_AMPLITUDE_UA_MAX 25500u
#define SCS_LIMITS_WRITE_MAX_AMPLITUDE_UA_OFFSET 4u /* uint16_t, uA */
#define SCS_LIMITS_WRITE_MAX_AMPLITUDE_UA_MAX 25500u
#define SCS_LIMITS_WRITE_PATIENT_SELECTABLE_OFFSET 6u /* uint8_t */
#define SCS_LIMITS_WRITE_PATIENT_SELECTABLE_MAX 1u
typedef struct {
    uint8_t program;
    uint8_t area;
    uint16_t min_amplitude_ua; /* uA */
    uint16_t max_amplitude_ua; /* uA */
    uint8_t patient_selectable;
} scs_msg_limits_write_t;
static inline void scs_msg_limits_write_decode(const uint8_t *p, size_t len, scs_msg_limits_write_t *m)
{
    (void)len;
    m->program = (uint8_t)scs_get_le(&p[0u], 1u);
    m->area = (uint8_t)scs_get_le(&p[1u], 1u);
    m->min_amplitude_ua = (uint16_t)scs_get_le(&p[2u], 2u);
    m->max_amplitude_ua = (uint16_t)scs_get_le(&p[4u], 2u);
    m->patient_selectable = (uint8_t)scs_get_le(&p[6u], 1u);
}
static inline size_t scs_msg_limits_write_encode(const scs_msg_limits_write_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->program, 1u);
    scs_put_le(&p[1u], (uint64_t)m->area, 1u);
    scs_put_le(&p[2u], (uint64_t)m->min_amplitude_ua, 2u);
    scs_put_le(&p[4u], (uint64_t)m->max_amplitude_ua, 2u);
    scs_put_le(&p[6u], (uint64_t)m->patient_selectable, 1u);
    return 7u;
}

/* LIMITS_READ (0x0A, request, role patient, response LIMITS): Read the patient window of one area. */
#define SCS_LIMITS_READ_ROLE SCS_ROLE_PATIENT
#define SCS_LIMITS_READ_RESPONSE SCS_MSG_LIMITS
#define SCS_LIMITS_READ_CHANGES_STATE 0
#define SCS_LIMITS_READ_SIZE 2u
#define SCS_LIMITS_READ_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_LIMITS_READ_PROGRAM_MAX 7u
#define SCS_LIMITS_READ_AREA_OFFSET 1u /* uint8_t */
#define SCS_LIMITS_READ_AREA_MAX 3u
typedef struct {
    uint8_t program;
    uint8_t area;
} scs_msg_limits_read_t;
static inline void scs_msg_limits_read_decode(const uint8_t *p, size_t len, scs_msg_limits_read_t *m)
{
    (void)len;
    m->program = (uint8_t)scs_get_le(&p[0u], 1u);
    m->area = (uint8_t)scs_get_le(&p[1u], 1u);
}
static inline size_t scs_msg_limits_read_encode(const scs_msg_limits_read_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->program, 1u);
    scs_put_le(&p[1u], (uint64_t)m->area, 1u);
    return 2u;
}

/* IMPEDANCE_GET (0x0B, request, role clinician, response IMPEDANCE): Result of the last impedance check of every contact. */
#define SCS_IMPEDANCE_GET_ROLE SCS_ROLE_CLINICIAN
#define SCS_IMPEDANCE_GET_RESPONSE SCS_MSG_IMPEDANCE
#define SCS_IMPEDANCE_GET_CHANGES_STATE 0
#define SCS_IMPEDANCE_GET_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_impedance_get_t;
static inline void scs_msg_impedance_get_decode(const uint8_t *p, size_t len, scs_msg_impedance_get_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_impedance_get_encode(const scs_msg_impedance_get_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* POSTURE_INPUT (0x0C, request, role test, response RESULT, changes state): Simulated accelerometer: the posture the patient is now in. */
#define SCS_POSTURE_INPUT_ROLE SCS_ROLE_TEST
#define SCS_POSTURE_INPUT_RESPONSE SCS_MSG_RESULT
#define SCS_POSTURE_INPUT_CHANGES_STATE 1
#define SCS_POSTURE_INPUT_SIZE 1u
#define SCS_POSTURE_INPUT_POSTURE_OFFSET 0u /* uint8_t */
#define SCS_POSTURE_INPUT_POSTURE_MAX 6u
typedef struct {
    uint8_t posture;
} scs_msg_posture_input_t;
static inline void scs_msg_posture_input_decode(const uint8_t *p, size_t len, scs_msg_posture_input_t *m)
{
    (void)len;
    m->posture = (uint8_t)scs_get_le(&p[0u], 1u);
}
static inline size_t scs_msg_posture_input_encode(const scs_msg_posture_input_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->posture, 1u);
    return 1u;
}

/* ADAPTIVE_SET (0x0D, request, role clinician, response RESULT, changes state): AdaptiveStim: on/off, how long a posture must hold before it applies, and the ramp rate. */
#define SCS_ADAPTIVE_SET_ROLE SCS_ROLE_CLINICIAN
#define SCS_ADAPTIVE_SET_RESPONSE SCS_MSG_RESULT
#define SCS_ADAPTIVE_SET_CHANGES_STATE 1
#define SCS_ADAPTIVE_SET_SIZE 7u
#define SCS_ADAPTIVE_SET_ENABLED_OFFSET 0u /* uint8_t */
#define SCS_ADAPTIVE_SET_ENABLED_MAX 1u
#define SCS_ADAPTIVE_SET_DWELL_MS_OFFSET 1u /* uint32_t, ms */
#define SCS_ADAPTIVE_SET_DWELL_MS_MAX 600000u
#define SCS_ADAPTIVE_SET_RAMP_UA_PER_S_OFFSET 5u /* uint16_t, uA/s */
#define SCS_ADAPTIVE_SET_RAMP_UA_PER_S_MIN 50u
#define SCS_ADAPTIVE_SET_RAMP_UA_PER_S_MAX 25500u
typedef struct {
    uint8_t enabled;
    uint32_t dwell_ms; /* ms */
    uint16_t ramp_ua_per_s; /* uA/s */
} scs_msg_adaptive_set_t;
static inline void scs_msg_adaptive_set_decode(const uint8_t *p, size_t len, scs_msg_adaptive_set_t *m)
{
    (void)len;
    m->enabled = (uint8_t)scs_get_le(&p[0u], 1u);
    m->dwell_ms = (uint32_t)scs_get_le(&p[1u], 4u);
    m->ramp_ua_per_s = (uint16_t)scs_get_le(&p[5u], 2u);
}
static inline size_t scs_msg_adaptive_set_encode(const scs_msg_adaptive_set_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->enabled, 1u);
    scs_put_le(&p[1u], (uint64_t)m->dwell_ms, 4u);
    scs_put_le(&p[5u], (uint64_t)m->ramp_ua_per_s, 2u);
    return 7u;
}

/* MRI_MODE_SET (0x0E, request, role patient, response RESULT, changes state): Enter (stimulation off, only permitted requests) or leave MRI mode; entry refused while a fault is active. */
#define SCS_MRI_MODE_SET_ROLE SCS_ROLE_PATIENT
#define SCS_MRI_MODE_SET_RESPONSE SCS_MSG_RESULT
#define SCS_MRI_MODE_SET_CHANGES_STATE 1
#define SCS_MRI_MODE_SET_SIZE 1u
#define SCS_MRI_MODE_SET_ENTER_OFFSET 0u /* uint8_t */
#define SCS_MRI_MODE_SET_ENTER_MAX 1u
typedef struct {
    uint8_t enter;
} scs_msg_mri_mode_set_t;
static inline void scs_msg_mri_mode_set_decode(const uint8_t *p, size_t len, scs_msg_mri_mode_set_t *m)
{
    (void)len;
    m->enter = (uint8_t)scs_get_le(&p[0u], 1u);
}
static inline size_t scs_msg_mri_mode_set_encode(const scs_msg_mri_mode_set_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->enter, 1u);
    return 1u;
}

/* RECHARGE_COUPLING_INPUT (0x0F, request, role test, response RESULT, changes state): Simulated external charger: coil separation and misalignment; transmit power 0 removes it. */
#define SCS_RECHARGE_COUPLING_INPUT_ROLE SCS_ROLE_TEST
#define SCS_RECHARGE_COUPLING_INPUT_RESPONSE SCS_MSG_RESULT
#define SCS_RECHARGE_COUPLING_INPUT_CHANGES_STATE 1
#define SCS_RECHARGE_COUPLING_INPUT_SIZE 8u
#define SCS_RECHARGE_COUPLING_INPUT_SEPARATION_MM_OFFSET 0u /* uint16_t, mm */
#define SCS_RECHARGE_COUPLING_INPUT_SEPARATION_MM_MAX 100u
#define SCS_RECHARGE_COUPLING_INPUT_MISALIGNMENT_MM_OFFSET 2u /* uint16_t, mm */
#define SCS_RECHARGE_COUPLING_INPUT_MISALIGNMENT_MM_MAX 100u
#define SCS_RECHARGE_COUPLING_INPUT_TRANSMIT_MW_OFFSET 4u /* uint32_t, mW */
#define SCS_RECHARGE_COUPLING_INPUT_TRANSMIT_MW_MAX 5000u
typedef struct {
    uint16_t separation_mm; /* mm */
    uint16_t misalignment_mm; /* mm */
    uint32_t transmit_mw; /* mW */
} scs_msg_recharge_coupling_input_t;
static inline void scs_msg_recharge_coupling_input_decode(const uint8_t *p, size_t len, scs_msg_recharge_coupling_input_t *m)
{
    (void)len;
    m->separation_mm = (uint16_t)scs_get_le(&p[0u], 2u);
    m->misalignment_mm = (uint16_t)scs_get_le(&p[2u], 2u);
    m->transmit_mw = (uint32_t)scs_get_le(&p[4u], 4u);
}
static inline size_t scs_msg_recharge_coupling_input_encode(const scs_msg_recharge_coupling_input_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->separation_mm, 2u);
    scs_put_le(&p[2u], (uint64_t)m->misalignment_mm, 2u);
    scs_put_le(&p[4u], (uint64_t)m->transmit_mw, 4u);
    return 8u;
}

/* CHARGING_STATUS_GET (0x10, request, role patient, response CHARGING_STATUS): Recharge state. */
#define SCS_CHARGING_STATUS_GET_ROLE SCS_ROLE_PATIENT
#define SCS_CHARGING_STATUS_GET_RESPONSE SCS_MSG_CHARGING_STATUS
#define SCS_CHARGING_STATUS_GET_CHANGES_STATE 0
#define SCS_CHARGING_STATUS_GET_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_charging_status_get_t;
static inline void scs_msg_charging_status_get_decode(const uint8_t *p, size_t len, scs_msg_charging_status_get_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_charging_status_get_encode(const scs_msg_charging_status_get_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* TRACE_START (0x11, request, role test, response RESULT, changes state): Clear the trace buffer and record the next pulses emitted (up to capacity). */
#define SCS_TRACE_START_ROLE SCS_ROLE_TEST
#define SCS_TRACE_START_RESPONSE SCS_MSG_RESULT
#define SCS_TRACE_START_CHANGES_STATE 1
#define SCS_TRACE_START_SIZE 4u
#define SCS_TRACE_START_MAX_PULSES_OFFSET 0u /* uint32_t */
#define SCS_TRACE_START_MAX_PULSES_MIN 1u
typedef struct {
    uint32_t max_pulses;
} scs_msg_trace_start_t;
static inline void scs_msg_trace_start_decode(const uint8_t *p, size_t len, scs_msg_trace_start_t *m)
{
    (void)len;
    m->max_pulses = (uint32_t)scs_get_le(&p[0u], 4u);
}
static inline size_t scs_msg_trace_start_encode(const scs_msg_trace_start_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->max_pulses, 4u);
    return 4u;
}

/* TRACE_STOP (0x12, request, role test, response RESULT, changes state): Stop recording; the buffer is kept for TRACE_DUMP. */
#define SCS_TRACE_STOP_ROLE SCS_ROLE_TEST
#define SCS_TRACE_STOP_RESPONSE SCS_MSG_RESULT
#define SCS_TRACE_STOP_CHANGES_STATE 1
#define SCS_TRACE_STOP_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_trace_stop_t;
static inline void scs_msg_trace_stop_decode(const uint8_t *p, size_t len, scs_msg_trace_stop_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_trace_stop_encode(const scs_msg_trace_stop_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* TRACE_DUMP (0x13, request, role test, response TRACE_DATA): Read recorded pulses from `offset`, as many as fit one frame (at most `count`). */
#define SCS_TRACE_DUMP_ROLE SCS_ROLE_TEST
#define SCS_TRACE_DUMP_RESPONSE SCS_MSG_TRACE_DATA
#define SCS_TRACE_DUMP_CHANGES_STATE 0
#define SCS_TRACE_DUMP_SIZE 6u
#define SCS_TRACE_DUMP_OFFSET_OFFSET 0u /* uint32_t */
#define SCS_TRACE_DUMP_COUNT_OFFSET 4u /* uint16_t */
#define SCS_TRACE_DUMP_COUNT_MIN 1u
#define SCS_TRACE_DUMP_COUNT_MAX 92u
typedef struct {
    uint32_t offset;
    uint16_t count;
} scs_msg_trace_dump_t;
static inline void scs_msg_trace_dump_decode(const uint8_t *p, size_t len, scs_msg_trace_dump_t *m)
{
    (void)len;
    m->offset = (uint32_t)scs_get_le(&p[0u], 4u);
    m->count = (uint16_t)scs_get_le(&p[4u], 2u);
}
static inline size_t scs_msg_trace_dump_encode(const scs_msg_trace_dump_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->offset, 4u);
    scs_put_le(&p[4u], (uint64_t)m->count, 2u);
    return 6u;
}

/* EVENT_LOG_READ (0x14, request, role clinician, response EVENT_LOG_ENTRY): Read entry `index` of the event log (0 = oldest kept). The log holds 128 entries; which entry a new one evicts when it is full is in Event log codes. */
#define SCS_EVENT_LOG_READ_ROLE SCS_ROLE_CLINICIAN
#define SCS_EVENT_LOG_READ_RESPONSE SCS_MSG_EVENT_LOG_ENTRY
#define SCS_EVENT_LOG_READ_CHANGES_STATE 0
#define SCS_EVENT_LOG_READ_SIZE 2u
#define SCS_EVENT_LOG_READ_INDEX_OFFSET 0u /* uint16_t */
typedef struct {
    uint16_t index;
} scs_msg_event_log_read_t;
static inline void scs_msg_event_log_read_decode(const uint8_t *p, size_t len, scs_msg_event_log_read_t *m)
{
    (void)len;
    m->index = (uint16_t)scs_get_le(&p[0u], 2u);
}
static inline size_t scs_msg_event_log_read_encode(const scs_msg_event_log_read_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->index, 2u);
    return 2u;
}

/* CLOCK_GET (0x15, request, role patient, response CLOCK): The device clock. */
#define SCS_CLOCK_GET_ROLE SCS_ROLE_PATIENT
#define SCS_CLOCK_GET_RESPONSE SCS_MSG_CLOCK
#define SCS_CLOCK_GET_CHANGES_STATE 0
#define SCS_CLOCK_GET_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_clock_get_t;
static inline void scs_msg_clock_get_decode(const uint8_t *p, size_t len, scs_msg_clock_get_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_clock_get_encode(const scs_msg_clock_get_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* CLOCK_ADVANCE (0x16, request, role test, response CLOCK, changes state): Advance a virtual clock (targets with capability bit 0). A target without one answers RESULT(WRONG_STATE) and its clock does not jump. */
#define SCS_CLOCK_ADVANCE_ROLE SCS_ROLE_TEST
#define SCS_CLOCK_ADVANCE_RESPONSE SCS_MSG_CLOCK
#define SCS_CLOCK_ADVANCE_CHANGES_STATE 1
#define SCS_CLOCK_ADVANCE_SIZE 4u
#define SCS_CLOCK_ADVANCE_TICKS_OFFSET 0u /* uint32_t, tick */
#define SCS_CLOCK_ADVANCE_TICKS_MIN 1u
typedef struct {
    uint32_t ticks; /* tick */
} scs_msg_clock_advance_t;
static inline void scs_msg_clock_advance_decode(const uint8_t *p, size_t len, scs_msg_clock_advance_t *m)
{
    (void)len;
    m->ticks = (uint32_t)scs_get_le(&p[0u], 4u);
}
static inline size_t scs_msg_clock_advance_encode(const scs_msg_clock_advance_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->ticks, 4u);
    return 4u;
}

/* IMPEDANCE_INPUT (0x17, request, role test, response RESULT, changes state): Simulated lead: set the impedance one contact will measure at the next check. */
#define SCS_IMPEDANCE_INPUT_ROLE SCS_ROLE_TEST
#define SCS_IMPEDANCE_INPUT_RESPONSE SCS_MSG_RESULT
#define SCS_IMPEDANCE_INPUT_CHANGES_STATE 1
#define SCS_IMPEDANCE_INPUT_SIZE 3u
#define SCS_IMPEDANCE_INPUT_CONTACT_OFFSET 0u /* uint8_t */
#define SCS_IMPEDANCE_INPUT_CONTACT_MAX 15u
#define SCS_IMPEDANCE_INPUT_OHMS_OFFSET 1u /* uint16_t, ohm */
typedef struct {
    uint8_t contact;
    uint16_t ohms; /* ohm */
} scs_msg_impedance_input_t;
static inline void scs_msg_impedance_input_decode(const uint8_t *p, size_t len, scs_msg_impedance_input_t *m)
{
    (void)len;
    m->contact = (uint8_t)scs_get_le(&p[0u], 1u);
    m->ohms = (uint16_t)scs_get_le(&p[1u], 2u);
}
static inline size_t scs_msg_impedance_input_encode(const scs_msg_impedance_input_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->contact, 1u);
    scs_put_le(&p[1u], (uint64_t)m->ohms, 2u);
    return 3u;
}

/* RESET (0x18, request, role clinician, response RESULT, changes state): Reset the device: 0 soft reset, 1 simulated power loss, 2 factory reset (settings erased, stimulation off, simulated inputs cleared; the security record is not settings: the handshake back-off and failure count survive it, as every other reset). */
#define SCS_RESET_ROLE SCS_ROLE_CLINICIAN
#define SCS_RESET_RESPONSE SCS_MSG_RESULT
#define SCS_RESET_CHANGES_STATE 1
#define SCS_RESET_SIZE 1u
#define SCS_RESET_KIND_OFFSET 0u /* uint8_t */
#define SCS_RESET_KIND_MAX 2u
typedef struct {
    uint8_t kind;
} scs_msg_reset_t;
static inline void scs_msg_reset_decode(const uint8_t *p, size_t len, scs_msg_reset_t *m)
{
    (void)len;
    m->kind = (uint8_t)scs_get_le(&p[0u], 1u);
}
static inline size_t scs_msg_reset_encode(const scs_msg_reset_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->kind, 1u);
    return 1u;
}

/* TIMING_GET (0x19, request, role clinician, response TIMING): How the output timer and the link kept up (for lab checks and the board benchmark). */
#define SCS_TIMING_GET_ROLE SCS_ROLE_CLINICIAN
#define SCS_TIMING_GET_RESPONSE SCS_MSG_TIMING
#define SCS_TIMING_GET_CHANGES_STATE 0
#define SCS_TIMING_GET_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_timing_get_t;
static inline void scs_msg_timing_get_decode(const uint8_t *p, size_t len, scs_msg_timing_get_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_timing_get_encode(const scs_msg_timing_get_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* FAULT_INJECT (0x1A, request, role test, response RESULT, changes state): Test builds only: after the answer has gone out, cause a processor fault of `kind` (docs/faults.md). The outputs go safe, a fault record is kept and the device reboots; stimulation stays off until turned on again. */
#define SCS_FAULT_INJECT_ROLE SCS_ROLE_TEST
#define SCS_FAULT_INJECT_RESPONSE SCS_MSG_RESULT
#define SCS_FAULT_INJECT_CHANGES_STATE 1
#define SCS_FAULT_INJECT_SIZE 1u
#define SCS_FAULT_INJECT_KIND_OFFSET 0u /* uint8_t */
#define SCS_FAULT_INJECT_KIND_MAX 3u
typedef struct {
    uint8_t kind;
} scs_msg_fault_inject_t;
static inline void scs_msg_fault_inject_decode(const uint8_t *p, size_t len, scs_msg_fault_inject_t *m)
{
    (void)len;
    m->kind = (uint8_t)scs_get_le(&p[0u], 1u);
}
static inline size_t scs_msg_fault_inject_encode(const scs_msg_fault_inject_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->kind, 1u);
    return 1u;
}

/* FAULT_RECORD_GET (0x1B, request, role clinician, response FAULT_RECORD): Why the device last reset, and the record its fault handler saved (kept in retained memory). */
#define SCS_FAULT_RECORD_GET_ROLE SCS_ROLE_CLINICIAN
#define SCS_FAULT_RECORD_GET_RESPONSE SCS_MSG_FAULT_RECORD
#define SCS_FAULT_RECORD_GET_CHANGES_STATE 0
#define SCS_FAULT_RECORD_GET_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_fault_record_get_t;
static inline void scs_msg_fault_record_get_decode(const uint8_t *p, size_t len, scs_msg_fault_record_get_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_fault_record_get_encode(const scs_msg_fault_record_get_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* HELLO (0x20, request, role none, response CHALLENGE): Starts the handshake: the role asked for and the host's nonce. */
#define SCS_HELLO_ROLE SCS_ROLE_NONE
#define SCS_HELLO_RESPONSE SCS_MSG_CHALLENGE
#define SCS_HELLO_CHANGES_STATE 0
#define SCS_HELLO_SIZE 17u
#define SCS_HELLO_ROLE_OFFSET 0u /* uint8_t */
#define SCS_HELLO_ROLE_MIN 1u
#define SCS_HELLO_ROLE_MAX 3u
#define SCS_HELLO_HOST_NONCE_OFFSET 1u /* uint8_t[16] */
typedef struct {
    uint8_t role;
    uint8_t host_nonce[16];
} scs_msg_hello_t;
static inline void scs_msg_hello_decode(const uint8_t *p, size_t len, scs_msg_hello_t *m)
{
    (void)len;
    m->role = (uint8_t)scs_get_le(&p[0u], 1u);
    (void)memcpy(m->host_nonce, &p[1u], 16u);
}
static inline size_t scs_msg_hello_encode(const scs_msg_hello_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->role, 1u);
    (void)memcpy(&p[1u], m->host_nonce, 16u);
    return 17u;
}

/* AUTH (0x21, request, role none, response SESSION): Host proof HMAC(K_role, 'SCS1 host' | role | device_nonce | host_nonce | device_id); `host_nonce` names the handshake it completes. */
#define SCS_AUTH_ROLE SCS_ROLE_NONE
#define SCS_AUTH_RESPONSE SCS_MSG_SESSION
#define SCS_AUTH_CHANGES_STATE 0
#define SCS_AUTH_SIZE 48u
#define SCS_AUTH_HOST_NONCE_OFFSET 0u /* uint8_t[16] */
#define SCS_AUTH_HOST_PROOF_OFFSET 16u /* uint8_t[32] */
typedef struct {
    uint8_t host_nonce[16];
    uint8_t host_proof[32];
} scs_msg_auth_t;
static inline void scs_msg_auth_decode(const uint8_t *p, size_t len, scs_msg_auth_t *m)
{
    (void)len;
    (void)memcpy(m->host_nonce, &p[0u], 16u);
    (void)memcpy(m->host_proof, &p[16u], 32u);
}
static inline size_t scs_msg_auth_encode(const scs_msg_auth_t *m, uint8_t *p)
{
    (void)memcpy(&p[0u], m->host_nonce, 16u);
    (void)memcpy(&p[16u], m->host_proof, 32u);
    return 48u;
}

/* SESSION_END (0x22, request, role patient, response RESULT, changes state): Ends the session; later frames need a new handshake. */
#define SCS_SESSION_END_ROLE SCS_ROLE_PATIENT
#define SCS_SESSION_END_RESPONSE SCS_MSG_RESULT
#define SCS_SESSION_END_CHANGES_STATE 1
#define SCS_SESSION_END_SIZE 0u
typedef struct {
    uint8_t unused; /* no payload */
} scs_msg_session_end_t;
static inline void scs_msg_session_end_decode(const uint8_t *p, size_t len, scs_msg_session_end_t *m)
{
    (void)len;
    (void)p;
    (void)m;
}
static inline size_t scs_msg_session_end_encode(const scs_msg_session_end_t *m, uint8_t *p)
{
    (void)m;
    (void)p;
    return 0u;
}

/* RESULT (0x80, response): Outcome of a request that returns no data. */
#define SCS_RESULT_SIZE 3u
#define SCS_RESULT_REQUEST_ID_OFFSET 0u /* uint8_t */
#define SCS_RESULT_RESULT_OFFSET 1u /* uint8_t */
#define SCS_RESULT_RESULT_MAX 15u
#define SCS_RESULT_FIELD_OFFSET 2u /* uint8_t */
typedef struct {
    uint8_t request_id;
    uint8_t result;
    uint8_t field;
} scs_msg_result_t;
static inline void scs_msg_result_decode(const uint8_t *p, size_t len, scs_msg_result_t *m)
{
    (void)len;
    m->request_id = (uint8_t)scs_get_le(&p[0u], 1u);
    m->result = (uint8_t)scs_get_le(&p[1u], 1u);
    m->field = (uint8_t)scs_get_le(&p[2u], 1u);
}
static inline size_t scs_msg_result_encode(const scs_msg_result_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->request_id, 1u);
    scs_put_le(&p[1u], (uint64_t)m->result, 1u);
    scs_put_le(&p[2u], (uint64_t)m->field, 1u);
    return 3u;
}

/* DEVICE_INFO (0x81, response): Who the device is and what it can do. */
#define SCS_DEVICE_INFO_SIZE 34u
#define SCS_DEVICE_INFO_PROTOCOL_VERSION_OFFSET 0u /* uint8_t */
#define SCS_DEVICE_INFO_FIRMWARE_VERSION_OFFSET 1u /* uint32_t */
#define SCS_DEVICE_INFO_DEVICE_ID_OFFSET 5u /* uint64_t */
#define SCS_DEVICE_INFO_TICK_NS_OFFSET 13u /* uint32_t, ns */
#define SCS_DEVICE_INFO_CAPABILITIES_OFFSET 17u /* uint32_t */
#define SCS_DEVICE_INFO_CONTACT_COUNT_OFFSET 21u /* uint8_t */
#define SCS_DEVICE_INFO_MAX_PROGRAMS_OFFSET 22u /* uint8_t */
#define SCS_DEVICE_INFO_MAX_AREAS_OFFSET 23u /* uint8_t */
#define SCS_DEVICE_INFO_AMPLITUDE_STEP_UA_OFFSET 24u /* uint16_t, uA */
#define SCS_DEVICE_INFO_MAX_AMPLITUDE_UA_OFFSET 26u /* uint16_t, uA */
#define SCS_DEVICE_INFO_MAX_CATHODE_CHARGE_PC_OFFSET 28u /* uint32_t, pC */
#define SCS_DEVICE_INFO_COMPLIANCE_MV_OFFSET 32u /* uint16_t, mV */
typedef struct {
    uint8_t protocol_version;
    uint32_t firmware_version;
    uint64_t device_id;
    uint32_t tick_ns; /* ns */
    uint32_t capabilities;
    uint8_t contact_count;
    uint8_t max_programs;
    uint8_t max_areas;
    uint16_t amplitude_step_ua; /* uA */
    uint16_t max_amplitude_ua; /* uA */
    uint32_t max_cathode_charge_pc; /* pC */
    uint16_t compliance_mv; /* mV */
} scs_msg_device_info_t;
static inline void scs_msg_device_info_decode(const uint8_t *p, size_t len, scs_msg_device_info_t *m)
{
    (void)len;
    m->protocol_version = (uint8_t)scs_get_le(&p[0u], 1u);
    m->firmware_version = (uint32_t)scs_get_le(&p[1u], 4u);
    m->device_id = (uint64_t)scs_get_le(&p[5u], 8u);
    m->tick_ns = (uint32_t)scs_get_le(&p[13u], 4u);
    m->capabilities = (uint32_t)scs_get_le(&p[17u], 4u);
    m->contact_count = (uint8_t)scs_get_le(&p[21u], 1u);
    m->max_programs = (uint8_t)scs_get_le(&p[22u], 1u);
    m->max_areas = (uint8_t)scs_get_le(&p[23u], 1u);
    m->amplitude_step_ua = (uint16_t)scs_get_le(&p[24u], 2u);
    m->max_amplitude_ua = (uint16_t)scs_get_le(&p[26u], 2u);
    m->max_cathode_charge_pc = (uint32_t)scs_get_le(&p[28u], 4u);
    m->compliance_mv = (uint16_t)scs_get_le(&p[32u], 2u);
}
static inline size_t scs_msg_device_info_encode(const scs_msg_device_info_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->protocol_version, 1u);
    scs_put_le(&p[1u], (uint64_t)m->firmware_version, 4u);
    scs_put_le(&p[5u], (uint64_t)m->device_id, 8u);
    scs_put_le(&p[13u], (uint64_t)m->tick_ns, 4u);
    scs_put_le(&p[17u], (uint64_t)m->capabilities, 4u);
    scs_put_le(&p[21u], (uint64_t)m->contact_count, 1u);
    scs_put_le(&p[22u], (uint64_t)m->max_programs, 1u);
    scs_put_le(&p[23u], (uint64_t)m->max_areas, 1u);
    scs_put_le(&p[24u], (uint64_t)m->amplitude_step_ua, 2u);
    scs_put_le(&p[26u], (uint64_t)m->max_amplitude_ua, 2u);
    scs_put_le(&p[28u], (uint64_t)m->max_cathode_charge_pc, 4u);
    scs_put_le(&p[32u], (uint64_t)m->compliance_mv, 2u);
    return 34u;
}

/* STATUS (0x82, response): Stimulation, battery, recharge and mode state. */
#define SCS_STATUS_SIZE 41u
#define SCS_STATUS_STIM_ON_OFFSET 0u /* uint8_t */
#define SCS_STATUS_STIM_ON_MAX 1u
#define SCS_STATUS_ACTIVE_PROGRAM_OFFSET 1u /* uint8_t */
#define SCS_STATUS_AMPLITUDE_UA_OFFSET 2u /* uint16_t[4], uA */
#define SCS_STATUS_AMPLITUDE_UA_COUNT 4u
#define SCS_STATUS_CLOCK_TICKS_OFFSET 10u /* uint64_t, tick */
#define SCS_STATUS_BATTERY_SOC_PERMILLE_OFFSET 18u /* uint16_t */
#define SCS_STATUS_BATTERY_SOC_PERMILLE_MAX 1000u
#define SCS_STATUS_BATTERY_MV_OFFSET 20u /* uint16_t, mV */
#define SCS_STATUS_BATTERY_STATE_OFFSET 22u /* uint8_t */
#define SCS_STATUS_BATTERY_STATE_MAX 6u
#define SCS_STATUS_RECHARGE_STATE_OFFSET 23u /* uint8_t */
#define SCS_STATUS_RECHARGE_STATE_MAX 5u
#define SCS_STATUS_TEMPERATURE_MC_OFFSET 24u /* int32_t, milli-degC */
#define SCS_STATUS_FAULT_FLAGS_OFFSET 28u /* uint32_t */
#define SCS_STATUS_MRI_MODE_OFFSET 32u /* uint8_t */
#define SCS_STATUS_MRI_MODE_MAX 1u
#define SCS_STATUS_DEVICE_MODE_OFFSET 33u /* uint8_t */
#define SCS_STATUS_DEVICE_MODE_MAX 1u
#define SCS_STATUS_POSTURE_OFFSET 34u /* uint8_t */
#define SCS_STATUS_POSTURE_MAX 6u
#define SCS_STATUS_TRIAL_DAY_OFFSET 35u /* uint16_t */
#define SCS_STATUS_LATE_PULSES_OFFSET 37u /* uint32_t */
typedef struct {
    uint8_t stim_on;
    uint8_t active_program;
    uint16_t amplitude_ua[4]; /* uA */
    uint64_t clock_ticks; /* tick */
    uint16_t battery_soc_permille;
    uint16_t battery_mv; /* mV */
    uint8_t battery_state;
    uint8_t recharge_state;
    int32_t temperature_mc; /* milli-degC */
    uint32_t fault_flags;
    uint8_t mri_mode;
    uint8_t device_mode;
    uint8_t posture;
    uint16_t trial_day;
    uint32_t late_pulses;
} scs_msg_status_t;
static inline void scs_msg_status_decode(const uint8_t *p, size_t len, scs_msg_status_t *m)
{
    (void)len;
    m->stim_on = (uint8_t)scs_get_le(&p[0u], 1u);
    m->active_program = (uint8_t)scs_get_le(&p[1u], 1u);
    for (unsigned i = 0u; i < 4u; i++) {
        m->amplitude_ua[i] = (uint16_t)scs_get_le(&p[2u + (2u * i)], 2u);
    }
    m->clock_ticks = (uint64_t)scs_get_le(&p[10u], 8u);
    m->battery_soc_permille = (uint16_t)scs_get_le(&p[18u], 2u);
    m->battery_mv = (uint16_t)scs_get_le(&p[20u], 2u);
    m->battery_state = (uint8_t)scs_get_le(&p[22u], 1u);
    m->recharge_state = (uint8_t)scs_get_le(&p[23u], 1u);
    m->temperature_mc = (int32_t)(uint32_t)scs_get_le(&p[24u], 4u);
    m->fault_flags = (uint32_t)scs_get_le(&p[28u], 4u);
    m->mri_mode = (uint8_t)scs_get_le(&p[32u], 1u);
    m->device_mode = (uint8_t)scs_get_le(&p[33u], 1u);
    m->posture = (uint8_t)scs_get_le(&p[34u], 1u);
    m->trial_day = (uint16_t)scs_get_le(&p[35u], 2u);
    m->late_pulses = (uint32_t)scs_get_le(&p[37u], 4u);
}
static inline size_t scs_msg_status_encode(const scs_msg_status_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->stim_on, 1u);
    scs_put_le(&p[1u], (uint64_t)m->active_program, 1u);
    for (unsigned i = 0u; i < 4u; i++) {
        scs_put_le(&p[2u + (2u * i)], (uint64_t)m->amplitude_ua[i], 2u);
    }
    scs_put_le(&p[10u], (uint64_t)m->clock_ticks, 8u);
    scs_put_le(&p[18u], (uint64_t)m->battery_soc_permille, 2u);
    scs_put_le(&p[20u], (uint64_t)m->battery_mv, 2u);
    scs_put_le(&p[22u], (uint64_t)m->battery_state, 1u);
    scs_put_le(&p[23u], (uint64_t)m->recharge_state, 1u);
    scs_put_le(&p[24u], (uint64_t)m->temperature_mc, 4u);
    scs_put_le(&p[28u], (uint64_t)m->fault_flags, 4u);
    scs_put_le(&p[32u], (uint64_t)m->mri_mode, 1u);
    scs_put_le(&p[33u], (uint64_t)m->device_mode, 1u);
    scs_put_le(&p[34u], (uint64_t)m->posture, 1u);
    scs_put_le(&p[35u], (uint64_t)m->trial_day, 2u);
    scs_put_le(&p[37u], (uint64_t)m->late_pulses, 4u);
    return 41u;
}

/* AMPLITUDE (0x85, response): Amplitudes after a step; LIMIT_CLAMPED when the patient window or a safety limit applied. */
#define SCS_AMPLITUDE_SIZE 9u
#define SCS_AMPLITUDE_RESULT_OFFSET 0u /* uint8_t */
#define SCS_AMPLITUDE_RESULT_MAX 15u
#define SCS_AMPLITUDE_AMPLITUDE_UA_OFFSET 1u /* uint16_t[4], uA */
#define SCS_AMPLITUDE_AMPLITUDE_UA_COUNT 4u
typedef struct {
    uint8_t result;
    uint16_t amplitude_ua[4]; /* uA */
} scs_msg_amplitude_t;
static inline void scs_msg_amplitude_decode(const uint8_t *p, size_t len, scs_msg_amplitude_t *m)
{
    (void)len;
    m->result = (uint8_t)scs_get_le(&p[0u], 1u);
    for (unsigned i = 0u; i < 4u; i++) {
        m->amplitude_ua[i] = (uint16_t)scs_get_le(&p[1u + (2u * i)], 2u);
    }
}
static inline size_t scs_msg_amplitude_encode(const scs_msg_amplitude_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->result, 1u);
    for (unsigned i = 0u; i < 4u; i++) {
        scs_put_le(&p[1u + (2u * i)], (uint64_t)m->amplitude_ua[i], 2u);
    }
    return 9u;
}

/* AREA (0x88, response): A stored area, fields as in AREA_WRITE; result WRONG_STATE when the slot is empty. */
#define SCS_AREA_SIZE 51u
#define SCS_AREA_RESULT_OFFSET 0u /* uint8_t */
#define SCS_AREA_RESULT_MAX 15u
#define SCS_AREA_PROGRAM_OFFSET 1u /* uint8_t */
#define SCS_AREA_PROGRAM_MAX 7u
#define SCS_AREA_AREA_OFFSET 2u /* uint8_t */
#define SCS_AREA_AREA_MAX 3u
#define SCS_AREA_WAVEFORM_OFFSET 3u /* uint8_t */
#define SCS_AREA_WAVEFORM_MAX 2u
#define SCS_AREA_CATHODE_SHARE_PCT_OFFSET 4u /* uint8_t[16], % */
#define SCS_AREA_CATHODE_SHARE_PCT_COUNT 16u
#define SCS_AREA_CATHODE_SHARE_PCT_MAX 100u
#define SCS_AREA_ANODE_MASK_OFFSET 20u /* uint16_t */
#define SCS_AREA_CASE_ANODE_OFFSET 22u /* uint8_t */
#define SCS_AREA_CASE_ANODE_MAX 1u
#define SCS_AREA_AMPLITUDE_UA_OFFSET 23u /* uint16_t, uA */
#define SCS_AREA_AMPLITUDE_UA_MAX 25500u
#define SCS_AREA_PULSE_WIDTH_US_OFFSET 25u /* uint16_t, us */
#define SCS_AREA_RATE_MHZ_OFFSET 27u /* uint32_t, mHz */
#define SCS_AREA_INTERPHASE_GAP_US_OFFSET 31u /* uint8_t, us */
#define SCS_AREA_RECHARGE_OFFSET 32u /* uint8_t */
#define SCS_AREA_RECHARGE_MAX 1u
#define SCS_AREA_RECHARGE_RATIO_OFFSET 33u /* uint8_t */
#define SCS_AREA_PASSIVE_WINDOW_US_OFFSET 34u /* uint16_t, us */
#define SCS_AREA_PULSES_PER_BURST_OFFSET 36u /* uint8_t */
#define SCS_AREA_INTRA_BURST_RATE_MHZ_OFFSET 37u /* uint32_t, mHz */
#define SCS_AREA_CYCLE_ON_MS_OFFSET 41u /* uint32_t, ms */
#define SCS_AREA_CYCLE_OFF_MS_OFFSET 45u /* uint32_t, ms */
#define SCS_AREA_SOFT_START_MS_OFFSET 49u /* uint16_t, ms */
typedef struct {
    uint8_t result;
    uint8_t program;
    uint8_t area;
    uint8_t waveform;
    uint8_t cathode_share_pct[16]; /* % */
    uint16_t anode_mask;
    uint8_t case_anode;
    uint16_t amplitude_ua; /* uA */
    uint16_t pulse_width_us; /* us */
    uint32_t rate_mhz; /* mHz */
    uint8_t interphase_gap_us; /* us */
    uint8_t recharge;
    uint8_t recharge_ratio;
    uint16_t passive_window_us; /* us */
    uint8_t pulses_per_burst;
    uint32_t intra_burst_rate_mhz; /* mHz */
    uint32_t cycle_on_ms; /* ms */
    uint32_t cycle_off_ms; /* ms */
    uint16_t soft_start_ms; /* ms */
} scs_msg_area_t;
static inline void scs_msg_area_decode(const uint8_t *p, size_t len, scs_msg_area_t *m)
{
    (void)len;
    m->result = (uint8_t)scs_get_le(&p[0u], 1u);
    m->program = (uint8_t)scs_get_le(&p[1u], 1u);
    m->area = (uint8_t)scs_get_le(&p[2u], 1u);
    m->waveform = (uint8_t)scs_get_le(&p[3u], 1u);
    for (unsigned i = 0u; i < 16u; i++) {
        m->cathode_share_pct[i] = (uint8_t)scs_get_le(&p[4u + (1u * i)], 1u);
    }
    m->anode_mask = (uint16_t)scs_get_le(&p[20u], 2u);
    m->case_anode = (uint8_t)scs_get_le(&p[22u], 1u);
    m->amplitude_ua = (uint16_t)scs_get_le(&p[23u], 2u);
    m->pulse_width_us = (uint16_t)scs_get_le(&p[25u], 2u);
    m->rate_mhz = (uint32_t)scs_get_le(&p[27u], 4u);
    m->interphase_gap_us = (uint8_t)scs_get_le(&p[31u], 1u);
    m->recharge = (uint8_t)scs_get_le(&p[32u], 1u);
    m->recharge_ratio = (uint8_t)scs_get_le(&p[33u], 1u);
    m->passive_window_us = (uint16_t)scs_get_le(&p[34u], 2u);
    m->pulses_per_burst = (uint8_t)scs_get_le(&p[36u], 1u);
    m->intra_burst_rate_mhz = (uint32_t)scs_get_le(&p[37u], 4u);
    m->cycle_on_ms = (uint32_t)scs_get_le(&p[41u], 4u);
    m->cycle_off_ms = (uint32_t)scs_get_le(&p[45u], 4u);
    m->soft_start_ms = (uint16_t)scs_get_le(&p[49u], 2u);
}
static inline size_t scs_msg_area_encode(const scs_msg_area_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->result, 1u);
    scs_put_le(&p[1u], (uint64_t)m->program, 1u);
    scs_put_le(&p[2u], (uint64_t)m->area, 1u);
    scs_put_le(&p[3u], (uint64_t)m->waveform, 1u);
    for (unsigned i = 0u; i < 16u; i++) {
        scs_put_le(&p[4u + (1u * i)], (uint64_t)m->cathode_share_pct[i], 1u);
    }
    scs_put_le(&p[20u], (uint64_t)m->anode_mask, 2u);
    scs_put_le(&p[22u], (uint64_t)m->case_anode, 1u);
    scs_put_le(&p[23u], (uint64_t)m->amplitude_ua, 2u);
    scs_put_le(&p[25u], (uint64_t)m->pulse_width_us, 2u);
    scs_put_le(&p[27u], (uint64_t)m->rate_mhz, 4u);
    scs_put_le(&p[31u], (uint64_t)m->interphase_gap_us, 1u);
    scs_put_le(&p[32u], (uint64_t)m->recharge, 1u);
    scs_put_le(&p[33u], (uint64_t)m->recharge_ratio, 1u);
    scs_put_le(&p[34u], (uint64_t)m->passive_window_us, 2u);
    scs_put_le(&p[36u], (uint64_t)m->pulses_per_burst, 1u);
    scs_put_le(&p[37u], (uint64_t)m->intra_burst_rate_mhz, 4u);
    scs_put_le(&p[41u], (uint64_t)m->cycle_on_ms, 4u);
    scs_put_le(&p[45u], (uint64_t)m->cycle_off_ms, 4u);
    scs_put_le(&p[49u], (uint64_t)m->soft_start_ms, 2u);
    return 51u;
}

/* LIMITS (0x8A, response): The patient window of one area. */
#define SCS_LIMITS_SIZE 6u
#define SCS_LIMITS_RESULT_OFFSET 0u /* uint8_t */
#define SCS_LIMITS_RESULT_MAX 15u
#define SCS_LIMITS_MIN_AMPLITUDE_UA_OFFSET 1u /* uint16_t, uA */
#define SCS_LIMITS_MAX_AMPLITUDE_UA_OFFSET 3u /* uint16_t, uA */
#define SCS_LIMITS_PATIENT_SELECTABLE_OFFSET 5u /* uint8_t */
#define SCS_LIMITS_PATIENT_SELECTABLE_MAX 1u
typedef struct {
    uint8_t result;
    uint16_t min_amplitude_ua; /* uA */
    uint16_t max_amplitude_ua; /* uA */
    uint8_t patient_selectable;
} scs_msg_limits_t;
static inline void scs_msg_limits_decode(const uint8_t *p, size_t len, scs_msg_limits_t *m)
{
    (void)len;
    m->result = (uint8_t)scs_get_le(&p[0u], 1u);
    m->min_amplitude_ua = (uint16_t)scs_get_le(&p[1u], 2u);
    m->max_amplitude_ua = (uint16_t)scs_get_le(&p[3u], 2u);
    m->patient_selectable = (uint8_t)scs_get_le(&p[5u], 1u);
}
static inline size_t scs_msg_limits_encode(const scs_msg_limits_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->result, 1u);
    scs_put_le(&p[1u], (uint64_t)m->min_amplitude_ua, 2u);
    scs_put_le(&p[3u], (uint64_t)m->max_amplitude_ua, 2u);
    scs_put_le(&p[5u], (uint64_t)m->patient_selectable, 1u);
    return 6u;
}

/* IMPEDANCE (0x8B, response): Impedance per contact and the faulted ones (outside the profile window). */
#define SCS_IMPEDANCE_SIZE 34u
#define SCS_IMPEDANCE_OHMS_OFFSET 0u /* uint16_t[16], ohm */
#define SCS_IMPEDANCE_OHMS_COUNT 16u
#define SCS_IMPEDANCE_FAULTED_MASK_OFFSET 32u /* uint16_t */
typedef struct {
    uint16_t ohms[16]; /* ohm */
    uint16_t faulted_mask;
} scs_msg_impedance_t;
static inline void scs_msg_impedance_decode(const uint8_t *p, size_t len, scs_msg_impedance_t *m)
{
    (void)len;
    for (unsigned i = 0u; i < 16u; i++) {
        m->ohms[i] = (uint16_t)scs_get_le(&p[0u + (2u * i)], 2u);
    }
    m->faulted_mask = (uint16_t)scs_get_le(&p[32u], 2u);
}
static inline size_t scs_msg_impedance_encode(const scs_msg_impedance_t *m, uint8_t *p)
{
    for (unsigned i = 0u; i < 16u; i++) {
        scs_put_le(&p[0u + (2u * i)], (uint64_t)m->ohms[i], 2u);
    }
    scs_put_le(&p[32u], (uint64_t)m->faulted_mask, 2u);
    return 34u;
}

/* CHARGING_STATUS (0x90, response): Charger state, battery current, received power and implant temperature. */
#define SCS_CHARGING_STATUS_SIZE 15u
#define SCS_CHARGING_STATUS_RECHARGE_STATE_OFFSET 0u /* uint8_t */
#define SCS_CHARGING_STATUS_RECHARGE_STATE_MAX 5u
#define SCS_CHARGING_STATUS_BATTERY_CURRENT_UA_OFFSET 1u /* int32_t, uA */
#define SCS_CHARGING_STATUS_RECEIVED_MW_OFFSET 5u /* uint32_t, mW */
#define SCS_CHARGING_STATUS_TEMPERATURE_MC_OFFSET 9u /* int32_t, milli-degC */
#define SCS_CHARGING_STATUS_BATTERY_SOC_PERMILLE_OFFSET 13u /* uint16_t */
#define SCS_CHARGING_STATUS_BATTERY_SOC_PERMILLE_MAX 1000u
typedef struct {
    uint8_t recharge_state;
    int32_t battery_current_ua; /* uA */
    uint32_t received_mw; /* mW */
    int32_t temperature_mc; /* milli-degC */
    uint16_t battery_soc_permille;
} scs_msg_charging_status_t;
static inline void scs_msg_charging_status_decode(const uint8_t *p, size_t len, scs_msg_charging_status_t *m)
{
    (void)len;
    m->recharge_state = (uint8_t)scs_get_le(&p[0u], 1u);
    m->battery_current_ua = (int32_t)(uint32_t)scs_get_le(&p[1u], 4u);
    m->received_mw = (uint32_t)scs_get_le(&p[5u], 4u);
    m->temperature_mc = (int32_t)(uint32_t)scs_get_le(&p[9u], 4u);
    m->battery_soc_permille = (uint16_t)scs_get_le(&p[13u], 2u);
}
static inline size_t scs_msg_charging_status_encode(const scs_msg_charging_status_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->recharge_state, 1u);
    scs_put_le(&p[1u], (uint64_t)m->battery_current_ua, 4u);
    scs_put_le(&p[5u], (uint64_t)m->received_mw, 4u);
    scs_put_le(&p[9u], (uint64_t)m->temperature_mc, 4u);
    scs_put_le(&p[13u], (uint64_t)m->battery_soc_permille, 2u);
    return 15u;
}

/* TRACE_DATA (0x93, response): Recorded pulses: `records` holds `count` records of 11 bytes: start tick u64, area u8, amplitude uA u16. */
#define SCS_TRACE_DATA_SIZE 10u /* plus variable bytes */
#define SCS_TRACE_DATA_OFFSET_OFFSET 0u /* uint32_t */
#define SCS_TRACE_DATA_TOTAL_OFFSET 4u /* uint32_t */
#define SCS_TRACE_DATA_COUNT_OFFSET 8u /* uint16_t */
#define SCS_TRACE_DATA_COUNT_MAX 92u
#define SCS_TRACE_DATA_RECORDS_OFFSET 10u /* uint8_t[0] */
typedef struct {
    uint32_t offset;
    uint32_t total;
    uint16_t count;
    const uint8_t *records; /* variable length */
    size_t records_len;
} scs_msg_trace_data_t;
static inline void scs_msg_trace_data_decode(const uint8_t *p, size_t len, scs_msg_trace_data_t *m)
{
    m->offset = (uint32_t)scs_get_le(&p[0u], 4u);
    m->total = (uint32_t)scs_get_le(&p[4u], 4u);
    m->count = (uint16_t)scs_get_le(&p[8u], 2u);
    m->records = &p[10u];
    m->records_len = 0u;
    if (len > 10u) {
        m->records_len = len - 10u;
    }
}
static inline size_t scs_msg_trace_data_encode(const scs_msg_trace_data_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->offset, 4u);
    scs_put_le(&p[4u], (uint64_t)m->total, 4u);
    scs_put_le(&p[8u], (uint64_t)m->count, 2u);
    (void)memcpy(&p[10u], m->records, m->records_len);
    return 10u + m->records_len;
}

/* EVENT_LOG_ENTRY (0x94, response): One logged event; result OUT_OF_RANGE past the end. */
#define SCS_EVENT_LOG_ENTRY_SIZE 20u
#define SCS_EVENT_LOG_ENTRY_RESULT_OFFSET 0u /* uint8_t */
#define SCS_EVENT_LOG_ENTRY_RESULT_MAX 15u
#define SCS_EVENT_LOG_ENTRY_INDEX_OFFSET 1u /* uint16_t */
#define SCS_EVENT_LOG_ENTRY_TOTAL_OFFSET 3u /* uint16_t */
#define SCS_EVENT_LOG_ENTRY_TICK_OFFSET 5u /* uint64_t, tick */
#define SCS_EVENT_LOG_ENTRY_KIND_OFFSET 13u /* uint8_t */
#define SCS_EVENT_LOG_ENTRY_KIND_MAX 7u
#define SCS_EVENT_LOG_ENTRY_CODE_OFFSET 14u /* uint16_t */
#define SCS_EVENT_LOG_ENTRY_DETAIL_OFFSET 16u /* uint32_t */
typedef struct {
    uint8_t result;
    uint16_t index;
    uint16_t total;
    uint64_t tick; /* tick */
    uint8_t kind;
    uint16_t code;
    uint32_t detail;
} scs_msg_event_log_entry_t;
static inline void scs_msg_event_log_entry_decode(const uint8_t *p, size_t len, scs_msg_event_log_entry_t *m)
{
    (void)len;
    m->result = (uint8_t)scs_get_le(&p[0u], 1u);
    m->index = (uint16_t)scs_get_le(&p[1u], 2u);
    m->total = (uint16_t)scs_get_le(&p[3u], 2u);
    m->tick = (uint64_t)scs_get_le(&p[5u], 8u);
    m->kind = (uint8_t)scs_get_le(&p[13u], 1u);
    m->code = (uint16_t)scs_get_le(&p[14u], 2u);
    m->detail = (uint32_t)scs_get_le(&p[16u], 4u);
}
static inline size_t scs_msg_event_log_entry_encode(const scs_msg_event_log_entry_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->result, 1u);
    scs_put_le(&p[1u], (uint64_t)m->index, 2u);
    scs_put_le(&p[3u], (uint64_t)m->total, 2u);
    scs_put_le(&p[5u], (uint64_t)m->tick, 8u);
    scs_put_le(&p[13u], (uint64_t)m->kind, 1u);
    scs_put_le(&p[14u], (uint64_t)m->code, 2u);
    scs_put_le(&p[16u], (uint64_t)m->detail, 4u);
    return 20u;
}

/* CLOCK (0x95, response): Device clock: ticks since the processor started. RESET requests (every kind) keep it; a power cycle or the reset pin restarts it near 0 (on a board, so does any processor reset), so it is no calendar: a host that needs time across those keeps its own. */
#define SCS_CLOCK_SIZE 8u
#define SCS_CLOCK_TICKS_OFFSET 0u /* uint64_t, tick */
typedef struct {
    uint64_t ticks; /* tick */
} scs_msg_clock_t;
static inline void scs_msg_clock_decode(const uint8_t *p, size_t len, scs_msg_clock_t *m)
{
    (void)len;
    m->ticks = (uint64_t)scs_get_le(&p[0u], 8u);
}
static inline size_t scs_msg_clock_encode(const scs_msg_clock_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->ticks, 8u);
    return 8u;
}

/* TIMING (0x99, response): Output timer and link counters since power-on; all 0 where no hardware timer drives the output. */
#define SCS_TIMING_SIZE 56u
#define SCS_TIMING_COUNTS_PER_TICK_OFFSET 0u /* uint32_t */
#define SCS_TIMING_EDGES_OFFSET 4u /* uint32_t */
#define SCS_TIMING_PULSES_OFFSET 8u /* uint32_t */
#define SCS_TIMING_LATE_EDGES_OFFSET 12u /* uint32_t */
#define SCS_TIMING_LATE_PULSES_OFFSET 16u /* uint32_t */
#define SCS_TIMING_WORST_LATENCY_COUNTS_OFFSET 20u /* uint32_t */
#define SCS_TIMING_IDLE_COUNTS_OFFSET 24u /* uint64_t */
#define SCS_TIMING_ELAPSED_COUNTS_OFFSET 32u /* uint64_t */
#define SCS_TIMING_RX_OVERRUNS_OFFSET 40u /* uint32_t */
#define SCS_TIMING_RX_HIGH_WATER_OFFSET 44u /* uint32_t, B */
#define SCS_TIMING_WORST_REQUEST_COUNTS_OFFSET 48u /* uint32_t */
#define SCS_TIMING_LAST_REQUEST_COUNTS_OFFSET 52u /* uint32_t */
typedef struct {
    uint32_t counts_per_tick;
    uint32_t edges;
    uint32_t pulses;
    uint32_t late_edges;
    uint32_t late_pulses;
    uint32_t worst_latency_counts;
    uint64_t idle_counts;
    uint64_t elapsed_counts;
    uint32_t rx_overruns;
    uint32_t rx_high_water; /* B */
    uint32_t worst_request_counts;
    uint32_t last_request_counts;
} scs_msg_timing_t;
static inline void scs_msg_timing_decode(const uint8_t *p, size_t len, scs_msg_timing_t *m)
{
    (void)len;
    m->counts_per_tick = (uint32_t)scs_get_le(&p[0u], 4u);
    m->edges = (uint32_t)scs_get_le(&p[4u], 4u);
    m->pulses = (uint32_t)scs_get_le(&p[8u], 4u);
    m->late_edges = (uint32_t)scs_get_le(&p[12u], 4u);
    m->late_pulses = (uint32_t)scs_get_le(&p[16u], 4u);
    m->worst_latency_counts = (uint32_t)scs_get_le(&p[20u], 4u);
    m->idle_counts = (uint64_t)scs_get_le(&p[24u], 8u);
    m->elapsed_counts = (uint64_t)scs_get_le(&p[32u], 8u);
    m->rx_overruns = (uint32_t)scs_get_le(&p[40u], 4u);
    m->rx_high_water = (uint32_t)scs_get_le(&p[44u], 4u);
    m->worst_request_counts = (uint32_t)scs_get_le(&p[48u], 4u);
    m->last_request_counts = (uint32_t)scs_get_le(&p[52u], 4u);
}
static inline size_t scs_msg_timing_encode(const scs_msg_timing_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->counts_per_tick, 4u);
    scs_put_le(&p[4u], (uint64_t)m->edges, 4u);
    scs_put_le(&p[8u], (uint64_t)m->pulses, 4u);
    scs_put_le(&p[12u], (uint64_t)m->late_edges, 4u);
    scs_put_le(&p[16u], (uint64_t)m->late_pulses, 4u);
    scs_put_le(&p[20u], (uint64_t)m->worst_latency_counts, 4u);
    scs_put_le(&p[24u], (uint64_t)m->idle_counts, 8u);
    scs_put_le(&p[32u], (uint64_t)m->elapsed_counts, 8u);
    scs_put_le(&p[40u], (uint64_t)m->rx_overruns, 4u);
    scs_put_le(&p[44u], (uint64_t)m->rx_high_water, 4u);
    scs_put_le(&p[48u], (uint64_t)m->worst_request_counts, 4u);
    scs_put_le(&p[52u], (uint64_t)m->last_request_counts, 4u);
    return 56u;
}

/* FAULT_RECORD (0x9B, response): The reset cause of this boot and the last fault record; registers 0 where the target has none (the model) or the stack frame was lost (a stack overflow). */
#define SCS_FAULT_RECORD_SIZE 44u
#define SCS_FAULT_RECORD_RESET_CAUSE_OFFSET 0u /* uint8_t */
#define SCS_FAULT_RECORD_RESET_CAUSE_MAX 6u
#define SCS_FAULT_RECORD_VALID_OFFSET 1u /* uint8_t */
#define SCS_FAULT_RECORD_VALID_MAX 1u
#define SCS_FAULT_RECORD_EXCEPTION_OFFSET 2u /* uint8_t */
#define SCS_FAULT_RECORD_FAULT_KIND_OFFSET 3u /* uint8_t */
#define SCS_FAULT_RECORD_PC_OFFSET 4u /* uint32_t */
#define SCS_FAULT_RECORD_LR_OFFSET 8u /* uint32_t */
#define SCS_FAULT_RECORD_XPSR_OFFSET 12u /* uint32_t */
#define SCS_FAULT_RECORD_CFSR_OFFSET 16u /* uint32_t */
#define SCS_FAULT_RECORD_HFSR_OFFSET 20u /* uint32_t */
#define SCS_FAULT_RECORD_MMFAR_OFFSET 24u /* uint32_t */
#define SCS_FAULT_RECORD_BFAR_OFFSET 28u /* uint32_t */
#define SCS_FAULT_RECORD_SP_OFFSET 32u /* uint32_t */
#define SCS_FAULT_RECORD_UPTIME_TICKS_OFFSET 36u /* uint64_t, tick */
typedef struct {
    uint8_t reset_cause;
    uint8_t valid;
    uint8_t exception;
    uint8_t fault_kind;
    uint32_t pc;
    uint32_t lr;
    uint32_t xpsr;
    uint32_t cfsr;
    uint32_t hfsr;
    uint32_t mmfar;
    uint32_t bfar;
    uint32_t sp;
    uint64_t uptime_ticks; /* tick */
} scs_msg_fault_record_t;
static inline void scs_msg_fault_record_decode(const uint8_t *p, size_t len, scs_msg_fault_record_t *m)
{
    (void)len;
    m->reset_cause = (uint8_t)scs_get_le(&p[0u], 1u);
    m->valid = (uint8_t)scs_get_le(&p[1u], 1u);
    m->exception = (uint8_t)scs_get_le(&p[2u], 1u);
    m->fault_kind = (uint8_t)scs_get_le(&p[3u], 1u);
    m->pc = (uint32_t)scs_get_le(&p[4u], 4u);
    m->lr = (uint32_t)scs_get_le(&p[8u], 4u);
    m->xpsr = (uint32_t)scs_get_le(&p[12u], 4u);
    m->cfsr = (uint32_t)scs_get_le(&p[16u], 4u);
    m->hfsr = (uint32_t)scs_get_le(&p[20u], 4u);
    m->mmfar = (uint32_t)scs_get_le(&p[24u], 4u);
    m->bfar = (uint32_t)scs_get_le(&p[28u], 4u);
    m->sp = (uint32_t)scs_get_le(&p[32u], 4u);
    m->uptime_ticks = (uint64_t)scs_get_le(&p[36u], 8u);
}
static inline size_t scs_msg_fault_record_encode(const scs_msg_fault_record_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->reset_cause, 1u);
    scs_put_le(&p[1u], (uint64_t)m->valid, 1u);
    scs_put_le(&p[2u], (uint64_t)m->exception, 1u);
    scs_put_le(&p[3u], (uint64_t)m->fault_kind, 1u);
    scs_put_le(&p[4u], (uint64_t)m->pc, 4u);
    scs_put_le(&p[8u], (uint64_t)m->lr, 4u);
    scs_put_le(&p[12u], (uint64_t)m->xpsr, 4u);
    scs_put_le(&p[16u], (uint64_t)m->cfsr, 4u);
    scs_put_le(&p[20u], (uint64_t)m->hfsr, 4u);
    scs_put_le(&p[24u], (uint64_t)m->mmfar, 4u);
    scs_put_le(&p[28u], (uint64_t)m->bfar, 4u);
    scs_put_le(&p[32u], (uint64_t)m->sp, 4u);
    scs_put_le(&p[36u], (uint64_t)m->uptime_ticks, 8u);
    return 44u;
}

/* CHALLENGE (0xA0, response): Device nonce and the device's proof HMAC(K_role, 'SCS1 dev' | role | host_nonce | device_nonce | device_id). */
#define SCS_CHALLENGE_SIZE 53u
#define SCS_CHALLENGE_RESULT_OFFSET 0u /* uint8_t */
#define SCS_CHALLENGE_RESULT_MAX 15u
#define SCS_CHALLENGE_DEVICE_NONCE_OFFSET 1u /* uint8_t[16] */
#define SCS_CHALLENGE_DEVICE_PROOF_OFFSET 17u /* uint8_t[32] */
#define SCS_CHALLENGE_RETRY_AFTER_MS_OFFSET 49u /* uint32_t, ms */
typedef struct {
    uint8_t result;
    uint8_t device_nonce[16];
    uint8_t device_proof[32];
    uint32_t retry_after_ms; /* ms */
} scs_msg_challenge_t;
static inline void scs_msg_challenge_decode(const uint8_t *p, size_t len, scs_msg_challenge_t *m)
{
    (void)len;
    m->result = (uint8_t)scs_get_le(&p[0u], 1u);
    (void)memcpy(m->device_nonce, &p[1u], 16u);
    (void)memcpy(m->device_proof, &p[17u], 32u);
    m->retry_after_ms = (uint32_t)scs_get_le(&p[49u], 4u);
}
static inline size_t scs_msg_challenge_encode(const scs_msg_challenge_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->result, 1u);
    (void)memcpy(&p[1u], m->device_nonce, 16u);
    (void)memcpy(&p[17u], m->device_proof, 32u);
    scs_put_le(&p[49u], (uint64_t)m->retry_after_ms, 4u);
    return 53u;
}

/* SESSION (0xA1, response): Handshake outcome. On OK this frame is already signed with the new session key (counter 1) and both sides sign every further frame; refusals are unsigned. */
#define SCS_SESSION_SIZE 2u
#define SCS_SESSION_RESULT_OFFSET 0u /* uint8_t */
#define SCS_SESSION_RESULT_MAX 15u
#define SCS_SESSION_ROLE_OFFSET 1u /* uint8_t */
#define SCS_SESSION_ROLE_MAX 3u
typedef struct {
    uint8_t result;
    uint8_t role;
} scs_msg_session_t;
static inline void scs_msg_session_decode(const uint8_t *p, size_t len, scs_msg_session_t *m)
{
    (void)len;
    m->result = (uint8_t)scs_get_le(&p[0u], 1u);
    m->role = (uint8_t)scs_get_le(&p[1u], 1u);
}
static inline size_t scs_msg_session_encode(const scs_msg_session_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->result, 1u);
    scs_put_le(&p[1u], (uint64_t)m->role, 1u);
    return 2u;
}

/* EVENT (0xC0, event): An event as it happens (same fields as a log entry). */
#define SCS_EVENT_SIZE 15u
#define SCS_EVENT_TICK_OFFSET 0u /* uint64_t, tick */
#define SCS_EVENT_KIND_OFFSET 8u /* uint8_t */
#define SCS_EVENT_KIND_MAX 7u
#define SCS_EVENT_CODE_OFFSET 9u /* uint16_t */
#define SCS_EVENT_DETAIL_OFFSET 11u /* uint32_t */
typedef struct {
    uint64_t tick; /* tick */
    uint8_t kind;
    uint16_t code;
    uint32_t detail;
} scs_msg_event_t;
static inline void scs_msg_event_decode(const uint8_t *p, size_t len, scs_msg_event_t *m)
{
    (void)len;
    m->tick = (uint64_t)scs_get_le(&p[0u], 8u);
    m->kind = (uint8_t)scs_get_le(&p[8u], 1u);
    m->code = (uint16_t)scs_get_le(&p[9u], 2u);
    m->detail = (uint32_t)scs_get_le(&p[11u], 4u);
}
static inline size_t scs_msg_event_encode(const scs_msg_event_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->tick, 8u);
    scs_put_le(&p[8u], (uint64_t)m->kind, 1u);
    scs_put_le(&p[9u], (uint64_t)m->code, 2u);
    scs_put_le(&p[11u], (uint64_t)m->detail, 4u);
    return 15u;
}

/* settings image: header | programs x (program fields | areas x (area record | window)) | CRC-32 */
#define SCS_SETTINGS_VERSION 2u
#define SCS_SETTINGS_MAGIC 0x31534353u /* the slot framing's first word */
#define SCS_SETTINGS_SLOT_SIZE 2048u
#define SCS_SETTINGS_PAGE_SIZE 256u
#define SCS_SETTINGS_MEMORY_KEYS 8u
#define SCS_SETTINGS_HEADER_SIZE 22u
#define SCS_SETTINGS_PROGRAM_STRIDE 247u /* program fields, then its area records */
#define SCS_SETTINGS_AREA_STRIDE 52u /* area fields, then the window */
#define SCS_SETTINGS_AREA_FROM SCS_MSG_AREA_WRITE /* its payload from byte 2 on */
#define SCS_SETTINGS_AREA_SKIP 2u
#define SCS_SETTINGS_SIZE 2002u /* CRC-32 included */

#define SCS_SETTINGS_HEADER_SIZE 22u
#define SCS_SETTINGS_HEADER_VERSION_OFFSET 0u /* uint8_t */
#define SCS_SETTINGS_HEADER_ACTIVE_PROGRAM_OFFSET 1u /* uint8_t */
#define SCS_SETTINGS_HEADER_STIM_ON_OFFSET 2u /* uint8_t */
#define SCS_SETTINGS_HEADER_ADAPTIVE_ENABLED_OFFSET 3u /* uint8_t */
#define SCS_SETTINGS_HEADER_DWELL_MS_OFFSET 4u /* uint32_t */
#define SCS_SETTINGS_HEADER_RAMP_UA_PER_S_OFFSET 8u /* uint16_t */
#define SCS_SETTINGS_HEADER_FAILED_HANDSHAKES_OFFSET 10u /* uint32_t */
#define SCS_SETTINGS_HEADER_BACKOFF_UNTIL_OFFSET 14u /* uint64_t */
typedef struct {
    uint8_t version;
    uint8_t active_program;
    uint8_t stim_on;
    uint8_t adaptive_enabled;
    uint32_t dwell_ms;
    uint16_t ramp_ua_per_s;
    uint32_t failed_handshakes;
    uint64_t backoff_until;
} scs_settings_header_t;
static inline void scs_settings_header_decode(const uint8_t *p, size_t len, scs_settings_header_t *m)
{
    (void)len;
    m->version = (uint8_t)scs_get_le(&p[0u], 1u);
    m->active_program = (uint8_t)scs_get_le(&p[1u], 1u);
    m->stim_on = (uint8_t)scs_get_le(&p[2u], 1u);
    m->adaptive_enabled = (uint8_t)scs_get_le(&p[3u], 1u);
    m->dwell_ms = (uint32_t)scs_get_le(&p[4u], 4u);
    m->ramp_ua_per_s = (uint16_t)scs_get_le(&p[8u], 2u);
    m->failed_handshakes = (uint32_t)scs_get_le(&p[10u], 4u);
    m->backoff_until = (uint64_t)scs_get_le(&p[14u], 8u);
}
static inline size_t scs_settings_header_encode(const scs_settings_header_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->version, 1u);
    scs_put_le(&p[1u], (uint64_t)m->active_program, 1u);
    scs_put_le(&p[2u], (uint64_t)m->stim_on, 1u);
    scs_put_le(&p[3u], (uint64_t)m->adaptive_enabled, 1u);
    scs_put_le(&p[4u], (uint64_t)m->dwell_ms, 4u);
    scs_put_le(&p[8u], (uint64_t)m->ramp_ua_per_s, 2u);
    scs_put_le(&p[10u], (uint64_t)m->failed_handshakes, 4u);
    scs_put_le(&p[14u], (uint64_t)m->backoff_until, 8u);
    return 22u;
}

#define SCS_SETTINGS_PROGRAM_SIZE 39u
#define SCS_SETTINGS_PROGRAM_FLAGS_OFFSET 0u /* uint8_t */
#define SCS_SETTINGS_PROGRAM_AREA_COUNT_OFFSET 1u /* uint8_t */
#define SCS_SETTINGS_PROGRAM_REMEMBERED_MASK_OFFSET 2u /* uint8_t */
#define SCS_SETTINGS_PROGRAM_REMEMBERED_LOW_OFFSET 3u /* uint8_t[32] */
#define SCS_SETTINGS_PROGRAM_REMEMBERED_LOW_COUNT 32u
#define SCS_SETTINGS_PROGRAM_REMEMBERED_HIGH_OFFSET 35u /* uint32_t */
typedef struct {
    uint8_t flags;
    uint8_t area_count;
    uint8_t remembered_mask;
    uint8_t remembered_low[32];
    uint32_t remembered_high;
} scs_settings_program_t;
static inline void scs_settings_program_decode(const uint8_t *p, size_t len, scs_settings_program_t *m)
{
    (void)len;
    m->flags = (uint8_t)scs_get_le(&p[0u], 1u);
    m->area_count = (uint8_t)scs_get_le(&p[1u], 1u);
    m->remembered_mask = (uint8_t)scs_get_le(&p[2u], 1u);
    for (unsigned i = 0u; i < 32u; i++) {
        m->remembered_low[i] = (uint8_t)scs_get_le(&p[3u + (1u * i)], 1u);
    }
    m->remembered_high = (uint32_t)scs_get_le(&p[35u], 4u);
}
static inline size_t scs_settings_program_encode(const scs_settings_program_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->flags, 1u);
    scs_put_le(&p[1u], (uint64_t)m->area_count, 1u);
    scs_put_le(&p[2u], (uint64_t)m->remembered_mask, 1u);
    for (unsigned i = 0u; i < 32u; i++) {
        scs_put_le(&p[3u + (1u * i)], (uint64_t)m->remembered_low[i], 1u);
    }
    scs_put_le(&p[35u], (uint64_t)m->remembered_high, 4u);
    return 39u;
}

#define SCS_SETTINGS_WINDOW_SIZE 4u
#define SCS_SETTINGS_WINDOW_MIN_AMPLITUDE_UA_OFFSET 0u /* uint16_t */
#define SCS_SETTINGS_WINDOW_MAX_AMPLITUDE_UA_OFFSET 2u /* uint16_t */
typedef struct {
    uint16_t min_amplitude_ua;
    uint16_t max_amplitude_ua;
} scs_settings_window_t;
static inline void scs_settings_window_decode(const uint8_t *p, size_t len, scs_settings_window_t *m)
{
    (void)len;
    m->min_amplitude_ua = (uint16_t)scs_get_le(&p[0u], 2u);
    m->max_amplitude_ua = (uint16_t)scs_get_le(&p[2u], 2u);
}
static inline size_t scs_settings_window_encode(const scs_settings_window_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->min_amplitude_ua, 2u);
    scs_put_le(&p[2u], (uint64_t)m->max_amplitude_ua, 2u);
    return 4u;
}

/* security record, in a slot of SCS_SECURITY_RECORD_WORDS 32-bit words (erased: all ones):
 * header | role record x SCS_SECURITY_RECORD_KEYED_ROLES (patient, clinician, test) | CRC-32 */
#define SCS_SECURITY_RECORD_WORDS 9u
#define SCS_SECURITY_RECORD_KEYED_ROLES 3u
#define SCS_SECURITY_RECORD_ROLES_OFFSET 12u
#define SCS_SECURITY_RECORD_BODY_SIZE 30u /* what the CRC-32 covers; the CRC follows */
#define SCS_SECURITY_RECORD_SIZE 34u /* CRC-32 included */

#define SCS_SECURITY_RECORD_HEADER_SIZE 12u
#define SCS_SECURITY_RECORD_HEADER_MAGIC_OFFSET 0u /* uint32_t */
#define SCS_SECURITY_RECORD_HEADER_SEQUENCE_OFFSET 4u /* uint32_t */
#define SCS_SECURITY_RECORD_HEADER_EPOCH_OFFSET 8u /* uint32_t */
typedef struct {
    uint32_t magic;
    uint32_t sequence;
    uint32_t epoch;
} scs_security_record_header_t;
static inline void scs_security_record_header_decode(const uint8_t *p, size_t len, scs_security_record_header_t *m)
{
    (void)len;
    m->magic = (uint32_t)scs_get_le(&p[0u], 4u);
    m->sequence = (uint32_t)scs_get_le(&p[4u], 4u);
    m->epoch = (uint32_t)scs_get_le(&p[8u], 4u);
}
static inline size_t scs_security_record_header_encode(const scs_security_record_header_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->magic, 4u);
    scs_put_le(&p[4u], (uint64_t)m->sequence, 4u);
    scs_put_le(&p[8u], (uint64_t)m->epoch, 4u);
    return 12u;
}

#define SCS_SECURITY_RECORD_ROLE_SIZE 6u
#define SCS_SECURITY_RECORD_ROLE_FAILURES_OFFSET 0u /* uint16_t */
#define SCS_SECURITY_RECORD_ROLE_REMAINING_OFFSET 2u /* uint32_t */
typedef struct {
    uint16_t failures;
    uint32_t remaining;
} scs_security_record_role_t;
static inline void scs_security_record_role_decode(const uint8_t *p, size_t len, scs_security_record_role_t *m)
{
    (void)len;
    m->failures = (uint16_t)scs_get_le(&p[0u], 2u);
    m->remaining = (uint32_t)scs_get_le(&p[2u], 4u);
}
static inline size_t scs_security_record_role_encode(const scs_security_record_role_t *m, uint8_t *p)
{
    scs_put_le(&p[0u], (uint64_t)m->failures, 2u);
    scs_put_le(&p[2u], (uint64_t)m->remaining, 4u);
    return 6u;
}

/* Field descriptors: the codec's range checks, table-driven (first failing field wins, as in Python). */
typedef struct {
    uint16_t offset;
    uint8_t size;      /* bytes per element: 1, 2, 4, 8; 0 for byte strings */
    uint8_t count;     /* elements (1 for scalars) */
    uint8_t is_signed;
    uint8_t checked;   /* 1 when the range is narrower than the type */
    int64_t min;
    int64_t max;
} scs_field_t;

extern const scs_field_t SCS_DEVICE_INFO_GET_FIELDS[1u];
#define SCS_DEVICE_INFO_GET_FIELD_COUNT 0u
extern const scs_field_t SCS_STATUS_GET_FIELDS[1u];
#define SCS_STATUS_GET_FIELD_COUNT 0u
extern const scs_field_t SCS_STIM_SET_FIELDS[1u];
#define SCS_STIM_SET_FIELD_COUNT 1u
extern const scs_field_t SCS_PROGRAM_SELECT_FIELDS[1u];
#define SCS_PROGRAM_SELECT_FIELD_COUNT 1u
extern const scs_field_t SCS_AMPLITUDE_STEP_FIELDS[2u];
#define SCS_AMPLITUDE_STEP_FIELD_COUNT 2u
extern const scs_field_t SCS_AREA_WRITE_FIELDS[18u];
#define SCS_AREA_WRITE_FIELD_COUNT 18u
extern const scs_field_t SCS_PROGRAM_COMMIT_FIELDS[2u];
#define SCS_PROGRAM_COMMIT_FIELD_COUNT 2u
extern const scs_field_t SCS_AREA_READ_FIELDS[2u];
#define SCS_AREA_READ_FIELD_COUNT 2u
extern const scs_field_t SCS_LIMITS_WRITE_FIELDS[5u];
#define SCS_LIMITS_WRITE_FIELD_COUNT 5u
extern const scs_field_t SCS_LIMITS_READ_FIELDS[2u];
#define SCS_LIMITS_READ_FIELD_COUNT 2u
extern const scs_field_t SCS_IMPEDANCE_GET_FIELDS[1u];
#define SCS_IMPEDANCE_GET_FIELD_COUNT 0u
extern const scs_field_t SCS_POSTURE_INPUT_FIELDS[1u];
#define SCS_POSTURE_INPUT_FIELD_COUNT 1u
extern const scs_field_t SCS_ADAPTIVE_SET_FIELDS[3u];
#define SCS_ADAPTIVE_SET_FIELD_COUNT 3u
extern const scs_field_t SCS_MRI_MODE_SET_FIELDS[1u];
#define SCS_MRI_MODE_SET_FIELD_COUNT 1u
extern const scs_field_t SCS_RECHARGE_COUPLING_INPUT_FIELDS[3u];
#define SCS_RECHARGE_COUPLING_INPUT_FIELD_COUNT 3u
extern const scs_field_t SCS_CHARGING_STATUS_GET_FIELDS[1u];
#define SCS_CHARGING_STATUS_GET_FIELD_COUNT 0u
extern const scs_field_t SCS_TRACE_START_FIELDS[1u];
#define SCS_TRACE_START_FIELD_COUNT 1u
extern const scs_field_t SCS_TRACE_STOP_FIELDS[1u];
#define SCS_TRACE_STOP_FIELD_COUNT 0u
extern const scs_field_t SCS_TRACE_DUMP_FIELDS[2u];
#define SCS_TRACE_DUMP_FIELD_COUNT 2u
extern const scs_field_t SCS_EVENT_LOG_READ_FIELDS[1u];
#define SCS_EVENT_LOG_READ_FIELD_COUNT 1u
extern const scs_field_t SCS_CLOCK_GET_FIELDS[1u];
#define SCS_CLOCK_GET_FIELD_COUNT 0u
extern const scs_field_t SCS_CLOCK_ADVANCE_FIELDS[1u];
#define SCS_CLOCK_ADVANCE_FIELD_COUNT 1u
extern const scs_field_t SCS_IMPEDANCE_INPUT_FIELDS[2u];
#define SCS_IMPEDANCE_INPUT_FIELD_COUNT 2u
extern const scs_field_t SCS_RESET_FIELDS[1u];
#define SCS_RESET_FIELD_COUNT 1u
extern const scs_field_t SCS_TIMING_GET_FIELDS[1u];
#define SCS_TIMING_GET_FIELD_COUNT 0u
extern const scs_field_t SCS_FAULT_INJECT_FIELDS[1u];
#define SCS_FAULT_INJECT_FIELD_COUNT 1u
extern const scs_field_t SCS_FAULT_RECORD_GET_FIELDS[1u];
#define SCS_FAULT_RECORD_GET_FIELD_COUNT 0u
extern const scs_field_t SCS_HELLO_FIELDS[2u];
#define SCS_HELLO_FIELD_COUNT 2u
extern const scs_field_t SCS_AUTH_FIELDS[2u];
#define SCS_AUTH_FIELD_COUNT 2u
extern const scs_field_t SCS_SESSION_END_FIELDS[1u];
#define SCS_SESSION_END_FIELD_COUNT 0u

/* Request flags of the request table (core/scs_requests.c). */
#define SCS_REQ_CHANGES_STATE 0x01u /* answered exactly once per sequence number */
#define SCS_REQ_MRI_OK 0x02u        /* accepted in MRI mode */
#define SCS_REQ_MRI_STOP_ONLY 0x04u /* accepted in MRI mode only to stop (the handler checks) */
#define SCS_REQ_TEST_ONLY 0x08u     /* exists for test benches */
#define SCS_REQ_SESSION 0x10u       /* the session layer (handshake) */
#define SCS_REQUEST_COUNT 30u

#endif /* SCS_PROTOCOL_H */
