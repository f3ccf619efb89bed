/* scs_protocol.h: GENERATED from protocol/messages.toml by `python -m protocol.codegen`. Do not edit. */
#ifndef SCS_PROTOCOL_H
#define SCS_PROTOCOL_H

#include <stdint.h>

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
    SCS_MSG_DEVICE_INFO_GET = 0x01,
    SCS_MSG_STATUS_GET = 0x02,
    SCS_MSG_STIM_SET = 0x03,
    SCS_MSG_PROGRAM_SELECT = 0x04,
    SCS_MSG_AMPLITUDE_STEP = 0x05,
    SCS_MSG_AREA_WRITE = 0x06,
    SCS_MSG_PROGRAM_COMMIT = 0x07,
    SCS_MSG_AREA_READ = 0x08,
    SCS_MSG_LIMITS_WRITE = 0x09,
    SCS_MSG_LIMITS_READ = 0x0A,
    SCS_MSG_IMPEDANCE_GET = 0x0B,
    SCS_MSG_POSTURE_INPUT = 0x0C,
    SCS_MSG_ADAPTIVE_SET = 0x0D,
    SCS_MSG_MRI_MODE_SET = 0x0E,
    SCS_MSG_RECHARGE_COUPLING_INPUT = 0x0F,
    SCS_MSG_CHARGING_STATUS_GET = 0x10,
    SCS_MSG_TRACE_START = 0x11,
    SCS_MSG_TRACE_STOP = 0x12,
    SCS_MSG_TRACE_DUMP = 0x13,
    SCS_MSG_EVENT_LOG_READ = 0x14,
    SCS_MSG_CLOCK_GET = 0x15,
    SCS_MSG_CLOCK_ADVANCE = 0x16,
    SCS_MSG_IMPEDANCE_INPUT = 0x17,
    SCS_MSG_RESET = 0x18,
    SCS_MSG_HELLO = 0x20,
    SCS_MSG_AUTH = 0x21,
    SCS_MSG_SESSION_END = 0x22,
    SCS_MSG_RESULT = 0x80,
    SCS_MSG_DEVICE_INFO = 0x81,
    SCS_MSG_STATUS = 0x82,
    SCS_MSG_AMPLITUDE = 0x85,
    SCS_MSG_AREA = 0x88,
    SCS_MSG_LIMITS = 0x8A,
    SCS_MSG_IMPEDANCE = 0x8B,
    SCS_MSG_CHARGING_STATUS = 0x90,
    SCS_MSG_TRACE_DATA = 0x93,
    SCS_MSG_EVENT_LOG_ENTRY = 0x94,
    SCS_MSG_CLOCK = 0x95,
    SCS_MSG_CHALLENGE = 0xA0,
    SCS_MSG_SESSION = 0xA1,
    SCS_MSG_EVENT = 0xC0
} scs_msg_id_t;

/* DEVICE_INFO_GET (0x01, request, role none, response DEVICE_INFO): Identity and capabilities; allowed before a session. */
#define SCS_DEVICE_INFO_GET_ROLE SCS_ROLE_NONE
#define SCS_DEVICE_INFO_GET_RESPONSE SCS_MSG_DEVICE_INFO
#define SCS_DEVICE_INFO_GET_CHANGES_STATE 0
#define SCS_DEVICE_INFO_GET_SIZE 0u

/* STATUS_GET (0x02, request, role patient, response STATUS): The device's state. */
#define SCS_STATUS_GET_ROLE SCS_ROLE_PATIENT
#define SCS_STATUS_GET_RESPONSE SCS_MSG_STATUS
#define SCS_STATUS_GET_CHANGES_STATE 0
#define SCS_STATUS_GET_SIZE 0u

/* STIM_SET (0x03, request, role patient, response RESULT, changes state): Turn stimulation on or off. Off is always accepted. */
#define SCS_STIM_SET_ROLE SCS_ROLE_PATIENT
#define SCS_STIM_SET_RESPONSE SCS_MSG_RESULT
#define SCS_STIM_SET_CHANGES_STATE 1
#define SCS_STIM_SET_SIZE 1u
#define SCS_STIM_SET_ON_OFFSET 0u /* uint8_t */
#define SCS_STIM_SET_ON_MAX 1u

/* PROGRAM_SELECT (0x04, request, role patient, response RESULT, changes state): Select a stored program the patient is allowed to use. */
#define SCS_PROGRAM_SELECT_ROLE SCS_ROLE_PATIENT
#define SCS_PROGRAM_SELECT_RESPONSE SCS_MSG_RESULT
#define SCS_PROGRAM_SELECT_CHANGES_STATE 1
#define SCS_PROGRAM_SELECT_SIZE 1u
#define SCS_PROGRAM_SELECT_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_PROGRAM_SELECT_PROGRAM_MAX 7u

/* AMPLITUDE_STEP (0x05, request, role patient, response AMPLITUDE, changes state): Step the amplitude of one area (255: all areas) by a signed number of amplitude steps. */
#define SCS_AMPLITUDE_STEP_ROLE SCS_ROLE_PATIENT
#define SCS_AMPLITUDE_STEP_RESPONSE SCS_MSG_AMPLITUDE
#define SCS_AMPLITUDE_STEP_CHANGES_STATE 1
#define SCS_AMPLITUDE_STEP_SIZE 2u
#define SCS_AMPLITUDE_STEP_AREA_OFFSET 0u /* uint8_t */
#define SCS_AMPLITUDE_STEP_STEPS_OFFSET 1u /* int8_t */
#define SCS_AMPLITUDE_STEP_STEPS_MIN (-20)
#define SCS_AMPLITUDE_STEP_STEPS_MAX (20)

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

/* AREA_READ (0x08, request, role clinician, response AREA): Read one stored area. */
#define SCS_AREA_READ_ROLE SCS_ROLE_CLINICIAN
#define SCS_AREA_READ_RESPONSE SCS_MSG_AREA
#define SCS_AREA_READ_CHANGES_STATE 0
#define SCS_AREA_READ_SIZE 2u
#define SCS_AREA_READ_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_AREA_READ_PROGRAM_MAX 7u
#define SCS_AREA_READ_AREA_OFFSET 1u /* uint8_t */
#define SCS_AREA_READ_AREA_MAX 3u

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

/* LIMITS_READ (0x0A, request, role patient, response LIMITS): Read the patient window of one area. */
#define SCS_LIMITS_READ_ROLE SCS_ROLE_PATIENT
#define SCS_LIMITS_READ_RESPONSE SCS_MSG_LIMITS
#define SCS_LIMITS_READ_CHANGES_STATE 0
#define SCS_LIMITS_READ_SIZE 2u
#define SCS_LIMITS_READ_PROGRAM_OFFSET 0u /* uint8_t */
#define SCS_LIMITS_READ_PROGRAM_MAX 7u
#define SCS_LIMITS_READ_AREA_OFFSET 1u /* uint8_t */
#define SCS_LIMITS_READ_AREA_MAX 3u

/* IMPEDANCE_GET (0x0B, request, role clinician, response IMPEDANCE): Result of the last impedance check of every contact. */
#define SCS_IMPEDANCE_GET_ROLE SCS_ROLE_CLINICIAN
#define SCS_IMPEDANCE_GET_RESPONSE SCS_MSG_IMPEDANCE
#define SCS_IMPEDANCE_GET_CHANGES_STATE 0
#define SCS_IMPEDANCE_GET_SIZE 0u

/* POSTURE_INPUT (0x0C, request, role test, response RESULT, changes state): Simulated accelerometer: the posture the patient is now in. */
#define SCS_POSTURE_INPUT_ROLE SCS_ROLE_TEST
#define SCS_POSTURE_INPUT_RESPONSE SCS_MSG_RESULT
#define SCS_POSTURE_INPUT_CHANGES_STATE 1
#define SCS_POSTURE_INPUT_SIZE 1u
#define SCS_POSTURE_INPUT_POSTURE_OFFSET 0u /* uint8_t */
#define SCS_POSTURE_INPUT_POSTURE_MAX 6u

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

/* MRI_MODE_SET (0x0E, request, role patient, response RESULT, changes state): Enter (stimulation off, only permitted requests) or leave MRI mode; entry refused while a fault is active. */
#define SCS_MRI_MODE_SET_ROLE SCS_ROLE_PATIENT
#define SCS_MRI_MODE_SET_RESPONSE SCS_MSG_RESULT
#define SCS_MRI_MODE_SET_CHANGES_STATE 1
#define SCS_MRI_MODE_SET_SIZE 1u
#define SCS_MRI_MODE_SET_ENTER_OFFSET 0u /* uint8_t */
#define SCS_MRI_MODE_SET_ENTER_MAX 1u

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

/* CHARGING_STATUS_GET (0x10, request, role patient, response CHARGING_STATUS): Recharge state. */
#define SCS_CHARGING_STATUS_GET_ROLE SCS_ROLE_PATIENT
#define SCS_CHARGING_STATUS_GET_RESPONSE SCS_MSG_CHARGING_STATUS
#define SCS_CHARGING_STATUS_GET_CHANGES_STATE 0
#define SCS_CHARGING_STATUS_GET_SIZE 0u

/* TRACE_START (0x11, request, role test, response RESULT, changes state): Clear the trace buffer and record the next pulses emitted (up to capacity). */
#define SCS_TRACE_START_ROLE SCS_ROLE_TEST
#define SCS_TRACE_START_RESPONSE SCS_MSG_RESULT
#define SCS_TRACE_START_CHANGES_STATE 1
#define SCS_TRACE_START_SIZE 4u
#define SCS_TRACE_START_MAX_PULSES_OFFSET 0u /* uint32_t */
#define SCS_TRACE_START_MAX_PULSES_MIN 1u

/* TRACE_STOP (0x12, request, role test, response RESULT, changes state): Stop recording; the buffer is kept for TRACE_DUMP. */
#define SCS_TRACE_STOP_ROLE SCS_ROLE_TEST
#define SCS_TRACE_STOP_RESPONSE SCS_MSG_RESULT
#define SCS_TRACE_STOP_CHANGES_STATE 1
#define SCS_TRACE_STOP_SIZE 0u

/* TRACE_DUMP (0x13, request, role test, response TRACE_DATA): Read recorded pulses from `offset`, as many as fit one frame (at most `count`). */
#define SCS_TRACE_DUMP_ROLE SCS_ROLE_TEST
#define SCS_TRACE_DUMP_RESPONSE SCS_MSG_TRACE_DATA
#define SCS_TRACE_DUMP_CHANGES_STATE 0
#define SCS_TRACE_DUMP_SIZE 6u
#define SCS_TRACE_DUMP_OFFSET_OFFSET 0u /* uint32_t */
#define SCS_TRACE_DUMP_COUNT_OFFSET 4u /* uint16_t */
#define SCS_TRACE_DUMP_COUNT_MIN 1u
#define SCS_TRACE_DUMP_COUNT_MAX 92u

/* EVENT_LOG_READ (0x14, request, role clinician, response EVENT_LOG_ENTRY): Read entry `index` of the event log (0 = oldest kept). */
#define SCS_EVENT_LOG_READ_ROLE SCS_ROLE_CLINICIAN
#define SCS_EVENT_LOG_READ_RESPONSE SCS_MSG_EVENT_LOG_ENTRY
#define SCS_EVENT_LOG_READ_CHANGES_STATE 0
#define SCS_EVENT_LOG_READ_SIZE 2u
#define SCS_EVENT_LOG_READ_INDEX_OFFSET 0u /* uint16_t */

/* CLOCK_GET (0x15, request, role patient, response CLOCK): The device clock. */
#define SCS_CLOCK_GET_ROLE SCS_ROLE_PATIENT
#define SCS_CLOCK_GET_RESPONSE SCS_MSG_CLOCK
#define SCS_CLOCK_GET_CHANGES_STATE 0
#define SCS_CLOCK_GET_SIZE 0u

/* CLOCK_ADVANCE (0x16, request, role test, response CLOCK, changes state): Advance a virtual clock (targets with capability bit 0). */
#define SCS_CLOCK_ADVANCE_ROLE SCS_ROLE_TEST
#define SCS_CLOCK_ADVANCE_RESPONSE SCS_MSG_CLOCK
#define SCS_CLOCK_ADVANCE_CHANGES_STATE 1
#define SCS_CLOCK_ADVANCE_SIZE 4u
#define SCS_CLOCK_ADVANCE_TICKS_OFFSET 0u /* uint32_t, tick */
#define SCS_CLOCK_ADVANCE_TICKS_MIN 1u

/* IMPEDANCE_INPUT (0x17, request, role test, response RESULT, changes state): Simulated lead: set the impedance one contact will measure at the next check. */
#define SCS_IMPEDANCE_INPUT_ROLE SCS_ROLE_TEST
#define SCS_IMPEDANCE_INPUT_RESPONSE SCS_MSG_RESULT
#define SCS_IMPEDANCE_INPUT_CHANGES_STATE 1
#define SCS_IMPEDANCE_INPUT_SIZE 3u
#define SCS_IMPEDANCE_INPUT_CONTACT_OFFSET 0u /* uint8_t */
#define SCS_IMPEDANCE_INPUT_CONTACT_MAX 15u
#define SCS_IMPEDANCE_INPUT_OHMS_OFFSET 1u /* uint16_t, ohm */

/* RESET (0x18, request, role clinician, response RESULT, changes state): Reset the device: 0 soft reset, 1 simulated power loss, 2 factory reset (settings erased, stimulation off, simulated inputs and handshake back-off cleared). */
#define SCS_RESET_ROLE SCS_ROLE_CLINICIAN
#define SCS_RESET_RESPONSE SCS_MSG_RESULT
#define SCS_RESET_CHANGES_STATE 1
#define SCS_RESET_SIZE 1u
#define SCS_RESET_KIND_OFFSET 0u /* uint8_t */
#define SCS_RESET_KIND_MAX 2u

/* HELLO (0x20, request, role none, response CHALLENGE): Starts the handshake: the role asked for and the host's nonce. */
#define SCS_HELLO_ROLE SCS_ROLE_NONE
#define SCS_HELLO_RESPONSE SCS_MSG_CHALLENGE
#define SCS_HELLO_CHANGES_STATE 0
#define SCS_HELLO_SIZE 17u
#define SCS_HELLO_ROLE_OFFSET 0u /* uint8_t */
#define SCS_HELLO_ROLE_MIN 1u
#define SCS_HELLO_ROLE_MAX 3u
#define SCS_HELLO_HOST_NONCE_OFFSET 1u /* uint8_t[16] */

/* AUTH (0x21, request, role none, response SESSION): Host proof HMAC(K_role, 'SCS1 host' | role | device_nonce | host_nonce | device_id); `host_nonce` names the handshake it completes. */
#define SCS_AUTH_ROLE SCS_ROLE_NONE
#define SCS_AUTH_RESPONSE SCS_MSG_SESSION
#define SCS_AUTH_CHANGES_STATE 0
#define SCS_AUTH_SIZE 48u
#define SCS_AUTH_HOST_NONCE_OFFSET 0u /* uint8_t[16] */
#define SCS_AUTH_HOST_PROOF_OFFSET 16u /* uint8_t[32] */

/* SESSION_END (0x22, request, role patient, response RESULT, changes state): Ends the session; later frames need a new handshake. */
#define SCS_SESSION_END_ROLE SCS_ROLE_PATIENT
#define SCS_SESSION_END_RESPONSE SCS_MSG_RESULT
#define SCS_SESSION_END_CHANGES_STATE 1
#define SCS_SESSION_END_SIZE 0u

/* RESULT (0x80, response): Outcome of a request that returns no data. */
#define SCS_RESULT_SIZE 3u
#define SCS_RESULT_REQUEST_ID_OFFSET 0u /* uint8_t */
#define SCS_RESULT_RESULT_OFFSET 1u /* uint8_t */
#define SCS_RESULT_RESULT_MAX 15u
#define SCS_RESULT_FIELD_OFFSET 2u /* uint8_t */

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

/* STATUS (0x82, response): Stimulation, battery, recharge and mode state. */
#define SCS_STATUS_SIZE 37u
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

/* AMPLITUDE (0x85, response): Amplitudes after a step; LIMIT_CLAMPED when the patient window or a safety limit applied. */
#define SCS_AMPLITUDE_SIZE 9u
#define SCS_AMPLITUDE_RESULT_OFFSET 0u /* uint8_t */
#define SCS_AMPLITUDE_RESULT_MAX 15u
#define SCS_AMPLITUDE_AMPLITUDE_UA_OFFSET 1u /* uint16_t[4], uA */
#define SCS_AMPLITUDE_AMPLITUDE_UA_COUNT 4u

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

/* LIMITS (0x8A, response): The patient window of one area. */
#define SCS_LIMITS_SIZE 6u
#define SCS_LIMITS_RESULT_OFFSET 0u /* uint8_t */
#define SCS_LIMITS_RESULT_MAX 15u
#define SCS_LIMITS_MIN_AMPLITUDE_UA_OFFSET 1u /* uint16_t, uA */
#define SCS_LIMITS_MAX_AMPLITUDE_UA_OFFSET 3u /* uint16_t, uA */
#define SCS_LIMITS_PATIENT_SELECTABLE_OFFSET 5u /* uint8_t */
#define SCS_LIMITS_PATIENT_SELECTABLE_MAX 1u

/* IMPEDANCE (0x8B, response): Impedance per contact and the faulted ones (outside the profile window). */
#define SCS_IMPEDANCE_SIZE 34u
#define SCS_IMPEDANCE_OHMS_OFFSET 0u /* uint16_t[16], ohm */
#define SCS_IMPEDANCE_OHMS_COUNT 16u
#define SCS_IMPEDANCE_FAULTED_MASK_OFFSET 32u /* uint16_t */

/* CHARGING_STATUS (0x90, response): Charger state, battery current, received power and implant temperature. */
#define SCS_CHARGING_STATUS_SIZE 15u
#define SCS_CHARGING_STATUS_RECHARGE_STATE_OFFSET 0u /* uint8_t */
#define SCS_CHARGING_STATUS_RECHARGE_STATE_MAX 5u
#define SCS_CHARGING_STATUS_BATTERY_CURRENT_UA_OFFSET 1u /* int32_t, uA */
#define SCS_CHARGING_STATUS_RECEIVED_MW_OFFSET 5u /* uint32_t, mW */
#define SCS_CHARGING_STATUS_TEMPERATURE_MC_OFFSET 9u /* int32_t, milli-degC */
#define SCS_CHARGING_STATUS_BATTERY_SOC_PERMILLE_OFFSET 13u /* uint16_t */
#define SCS_CHARGING_STATUS_BATTERY_SOC_PERMILLE_MAX 1000u

/* TRACE_DATA (0x93, response): Recorded pulses: `records` holds `count` records of 11 bytes: start tick u64, area u8, amplitude uA u16. */
#define SCS_TRACE_DATA_SIZE 10u /* plus variable bytes */
#define SCS_TRACE_DATA_OFFSET_OFFSET 0u /* uint32_t */
#define SCS_TRACE_DATA_TOTAL_OFFSET 4u /* uint32_t */
#define SCS_TRACE_DATA_COUNT_OFFSET 8u /* uint16_t */
#define SCS_TRACE_DATA_COUNT_MAX 92u
#define SCS_TRACE_DATA_RECORDS_OFFSET 10u /* uint8_t[0] */

/* EVENT_LOG_ENTRY (0x94, response): One logged event; result OUT_OF_RANGE past the end. */
#define SCS_EVENT_LOG_ENTRY_SIZE 20u
#define SCS_EVENT_LOG_ENTRY_RESULT_OFFSET 0u /* uint8_t */
#define SCS_EVENT_LOG_ENTRY_RESULT_MAX 15u
#define SCS_EVENT_LOG_ENTRY_INDEX_OFFSET 1u /* uint16_t */
#define SCS_EVENT_LOG_ENTRY_TOTAL_OFFSET 3u /* uint16_t */
#define SCS_EVENT_LOG_ENTRY_TICK_OFFSET 5u /* uint64_t, tick */
#define SCS_EVENT_LOG_ENTRY_KIND_OFFSET 13u /* uint8_t */
#define SCS_EVENT_LOG_ENTRY_KIND_MAX 5u
#define SCS_EVENT_LOG_ENTRY_CODE_OFFSET 14u /* uint16_t */
#define SCS_EVENT_LOG_ENTRY_DETAIL_OFFSET 16u /* uint32_t */

/* CLOCK (0x95, response): Device clock: ticks since the device was first powered (kept across resets, like an RTC). */
#define SCS_CLOCK_SIZE 8u
#define SCS_CLOCK_TICKS_OFFSET 0u /* uint64_t, tick */

/* CHALLENGE (0xA0, response): Device nonce and the device's proof HMAC(K_role, 'SCS1 dev' | role | host_nonce | device_nonce | device_id). */
#define SCS_CHALLENGE_SIZE 53u
#define SCS_CHALLENGE_RESULT_OFFSET 0u /* uint8_t */
#define SCS_CHALLENGE_RESULT_MAX 15u
#define SCS_CHALLENGE_DEVICE_NONCE_OFFSET 1u /* uint8_t[16] */
#define SCS_CHALLENGE_DEVICE_PROOF_OFFSET 17u /* uint8_t[32] */
#define SCS_CHALLENGE_RETRY_AFTER_MS_OFFSET 49u /* uint32_t, ms */

/* SESSION (0xA1, response): Handshake outcome. On OK this frame is already signed with the new session key (counter 1) and both sides sign every further frame; refusals are unsigned. */
#define SCS_SESSION_SIZE 2u
#define SCS_SESSION_RESULT_OFFSET 0u /* uint8_t */
#define SCS_SESSION_RESULT_MAX 15u
#define SCS_SESSION_ROLE_OFFSET 1u /* uint8_t */
#define SCS_SESSION_ROLE_MAX 3u

/* EVENT (0xC0, event): An event as it happens (same fields as a log entry). */
#define SCS_EVENT_SIZE 15u
#define SCS_EVENT_TICK_OFFSET 0u /* uint64_t, tick */
#define SCS_EVENT_KIND_OFFSET 8u /* uint8_t */
#define SCS_EVENT_KIND_MAX 5u
#define SCS_EVENT_CODE_OFFSET 9u /* uint16_t */
#define SCS_EVENT_DETAIL_OFFSET 11u /* uint32_t */

/* Field descriptors: the codec's range checks, table-driven (first failing field wins, as in Python). */
typedef struct {
    uint16_t offset;
    uint8_t size;      /* bytes per element: 1, 2, 4, 8; 0 for byte strings */
    uint8_t count;     /* elements (1 for scalars) */
    uint8_t is_signed;
    uint8_t checked;   /* 1 when the range is narrower than the type */
    int64_t min, max;
} scs_field_t;

static const scs_field_t SCS_DEVICE_INFO_GET_FIELDS[] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
#define SCS_DEVICE_INFO_GET_FIELD_COUNT 0u
static const scs_field_t SCS_STATUS_GET_FIELDS[] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
#define SCS_STATUS_GET_FIELD_COUNT 0u
static const scs_field_t SCS_STIM_SET_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 1}};
#define SCS_STIM_SET_FIELD_COUNT 1u
static const scs_field_t SCS_PROGRAM_SELECT_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 7}};
#define SCS_PROGRAM_SELECT_FIELD_COUNT 1u
static const scs_field_t SCS_AMPLITUDE_STEP_FIELDS[] = {{0u, 1u, 1u, 0u, 0u, 0, 255}, {1u, 1u, 1u, 1u, 1u, -20, 20}};
#define SCS_AMPLITUDE_STEP_FIELD_COUNT 2u
static const scs_field_t SCS_AREA_WRITE_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}, {2u, 1u, 1u, 0u, 1u, 0, 2}, {3u, 1u, 16u, 0u, 1u, 0, 100}, {19u, 2u, 1u, 0u, 0u, 0, 65535}, {21u, 1u, 1u, 0u, 1u, 0, 1}, {22u, 2u, 1u, 0u, 1u, 0, 25500}, {24u, 2u, 1u, 0u, 1u, 20, 1000}, {26u, 4u, 1u, 0u, 1u, 1000, 10000000}, {30u, 1u, 1u, 0u, 1u, 0, 100}, {31u, 1u, 1u, 0u, 1u, 0, 1}, {32u, 1u, 1u, 0u, 1u, 1, 10}, {33u, 2u, 1u, 0u, 1u, 0, 20000}, {35u, 1u, 1u, 0u, 1u, 1, 16}, {36u, 4u, 1u, 0u, 1u, 0, 1200000}, {40u, 4u, 1u, 0u, 0u, 0, 4294967295}, {44u, 4u, 1u, 0u, 0u, 0, 4294967295}, {48u, 2u, 1u, 0u, 1u, 0, 60000}};
#define SCS_AREA_WRITE_FIELD_COUNT 18u
static const scs_field_t SCS_PROGRAM_COMMIT_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 1, 4}};
#define SCS_PROGRAM_COMMIT_FIELD_COUNT 2u
static const scs_field_t SCS_AREA_READ_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}};
#define SCS_AREA_READ_FIELD_COUNT 2u
static const scs_field_t SCS_LIMITS_WRITE_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}, {2u, 2u, 1u, 0u, 1u, 0, 25500}, {4u, 2u, 1u, 0u, 1u, 0, 25500}, {6u, 1u, 1u, 0u, 1u, 0, 1}};
#define SCS_LIMITS_WRITE_FIELD_COUNT 5u
static const scs_field_t SCS_LIMITS_READ_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}};
#define SCS_LIMITS_READ_FIELD_COUNT 2u
static const scs_field_t SCS_IMPEDANCE_GET_FIELDS[] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
#define SCS_IMPEDANCE_GET_FIELD_COUNT 0u
static const scs_field_t SCS_POSTURE_INPUT_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 6}};
#define SCS_POSTURE_INPUT_FIELD_COUNT 1u
static const scs_field_t SCS_ADAPTIVE_SET_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 1}, {1u, 4u, 1u, 0u, 1u, 0, 600000}, {5u, 2u, 1u, 0u, 1u, 50, 25500}};
#define SCS_ADAPTIVE_SET_FIELD_COUNT 3u
static const scs_field_t SCS_MRI_MODE_SET_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 1}};
#define SCS_MRI_MODE_SET_FIELD_COUNT 1u
static const scs_field_t SCS_RECHARGE_COUPLING_INPUT_FIELDS[] = {{0u, 2u, 1u, 0u, 1u, 0, 100}, {2u, 2u, 1u, 0u, 1u, 0, 100}, {4u, 4u, 1u, 0u, 1u, 0, 5000}};
#define SCS_RECHARGE_COUPLING_INPUT_FIELD_COUNT 3u
static const scs_field_t SCS_CHARGING_STATUS_GET_FIELDS[] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
#define SCS_CHARGING_STATUS_GET_FIELD_COUNT 0u
static const scs_field_t SCS_TRACE_START_FIELDS[] = {{0u, 4u, 1u, 0u, 1u, 1, 4294967295}};
#define SCS_TRACE_START_FIELD_COUNT 1u
static const scs_field_t SCS_TRACE_STOP_FIELDS[] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
#define SCS_TRACE_STOP_FIELD_COUNT 0u
static const scs_field_t SCS_TRACE_DUMP_FIELDS[] = {{0u, 4u, 1u, 0u, 0u, 0, 4294967295}, {4u, 2u, 1u, 0u, 1u, 1, 92}};
#define SCS_TRACE_DUMP_FIELD_COUNT 2u
static const scs_field_t SCS_EVENT_LOG_READ_FIELDS[] = {{0u, 2u, 1u, 0u, 0u, 0, 65535}};
#define SCS_EVENT_LOG_READ_FIELD_COUNT 1u
static const scs_field_t SCS_CLOCK_GET_FIELDS[] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
#define SCS_CLOCK_GET_FIELD_COUNT 0u
static const scs_field_t SCS_CLOCK_ADVANCE_FIELDS[] = {{0u, 4u, 1u, 0u, 1u, 1, 4294967295}};
#define SCS_CLOCK_ADVANCE_FIELD_COUNT 1u
static const scs_field_t SCS_IMPEDANCE_INPUT_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 15}, {1u, 2u, 1u, 0u, 0u, 0, 65535}};
#define SCS_IMPEDANCE_INPUT_FIELD_COUNT 2u
static const scs_field_t SCS_RESET_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 0, 2}};
#define SCS_RESET_FIELD_COUNT 1u
static const scs_field_t SCS_HELLO_FIELDS[] = {{0u, 1u, 1u, 0u, 1u, 1, 3}, {1u, 0u, 16u, 0u, 0u, 0, 0}};
#define SCS_HELLO_FIELD_COUNT 2u
static const scs_field_t SCS_AUTH_FIELDS[] = {{0u, 0u, 16u, 0u, 0u, 0, 0}, {16u, 0u, 32u, 0u, 0u, 0, 0}};
#define SCS_AUTH_FIELD_COUNT 2u
static const scs_field_t SCS_SESSION_END_FIELDS[] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
#define SCS_SESSION_END_FIELD_COUNT 0u

#endif /* SCS_PROTOCOL_H */
