/* scs_fields.c: GENERATED from protocol/spec/messages.toml by `python -m protocol.codegen`. Do not edit.
 * The range tables of the request fields, declared in scs_protocol.h. */
#include "scs_protocol.h"

const scs_field_t SCS_DEVICE_INFO_GET_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_STATUS_GET_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_STIM_SET_FIELDS[1u] = {{0u, 1u, 1u, 0u, 1u, 0, 1}};
const scs_field_t SCS_PROGRAM_SELECT_FIELDS[1u] = {{0u, 1u, 1u, 0u, 1u, 0, 7}};
const scs_field_t SCS_AMPLITUDE_STEP_FIELDS[2u] = {{0u, 1u, 1u, 0u, 0u, 0, 255}, {1u, 1u, 1u, 1u, 1u, -20, 20}};
const scs_field_t SCS_AREA_WRITE_FIELDS[18u] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}, {2u, 1u, 1u, 0u, 1u, 0, 2}, {3u, 1u, 16u, 0u, 1u, 0, 100}, {19u, 2u, 1u, 0u, 0u, 0, 65535}, {21u, 1u, 1u, 0u, 1u, 0, 1}, {22u, 2u, 1u, 0u, 1u, 0, 25500}, {24u, 2u, 1u, 0u, 1u, 20, 1000}, {26u, 4u, 1u, 0u, 1u, 1000, 10000000}, {30u, 1u, 1u, 0u, 1u, 0, 100}, {31u, 1u, 1u, 0u, 1u, 0, 1}, {32u, 1u, 1u, 0u, 1u, 1, 10}, {33u, 2u, 1u, 0u, 1u, 0, 20000}, {35u, 1u, 1u, 0u, 1u, 1, 16}, {36u, 4u, 1u, 0u, 1u, 0, 1200000}, {40u, 4u, 1u, 0u, 0u, 0, 4294967295}, {44u, 4u, 1u, 0u, 0u, 0, 4294967295}, {48u, 2u, 1u, 0u, 1u, 0, 60000}};
const scs_field_t SCS_PROGRAM_COMMIT_FIELDS[2u] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 1, 4}};
const scs_field_t SCS_AREA_READ_FIELDS[2u] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}};
const scs_field_t SCS_LIMITS_WRITE_FIELDS[5u] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}, {2u, 2u, 1u, 0u, 1u, 0, 25500}, {4u, 2u, 1u, 0u, 1u, 0, 25500}, {6u, 1u, 1u, 0u, 1u, 0, 1}};
const scs_field_t SCS_LIMITS_READ_FIELDS[2u] = {{0u, 1u, 1u, 0u, 1u, 0, 7}, {1u, 1u, 1u, 0u, 1u, 0, 3}};
const scs_field_t SCS_IMPEDANCE_GET_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_POSTURE_INPUT_FIELDS[1u] = {{0u, 1u, 1u, 0u, 1u, 0, 6}};
const scs_field_t SCS_ADAPTIVE_SET_FIELDS[3u] = {{0u, 1u, 1u, 0u, 1u, 0, 1}, {1u, 4u, 1u, 0u, 1u, 0, 600000}, {5u, 2u, 1u, 0u, 1u, 50, 25500}};
const scs_field_t SCS_MRI_MODE_SET_FIELDS[1u] = {{0u, 1u, 1u, 0u, 1u, 0, 1}};
const scs_field_t SCS_RECHARGE_COUPLING_INPUT_FIELDS[3u] = {{0u, 2u, 1u, 0u, 1u, 0, 100}, {2u, 2u, 1u, 0u, 1u, 0, 100}, {4u, 4u, 1u, 0u, 1u, 0, 5000}};
const scs_field_t SCS_CHARGING_STATUS_GET_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_TRACE_START_FIELDS[1u] = {{0u, 4u, 1u, 0u, 1u, 1, 4294967295}};
const scs_field_t SCS_TRACE_STOP_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_TRACE_DUMP_FIELDS[2u] = {{0u, 4u, 1u, 0u, 0u, 0, 4294967295}, {4u, 2u, 1u, 0u, 1u, 1, 92}};
const scs_field_t SCS_EVENT_LOG_READ_FIELDS[1u] = {{0u, 2u, 1u, 0u, 0u, 0, 65535}};
const scs_field_t SCS_CLOCK_GET_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_CLOCK_ADVANCE_FIELDS[1u] = {{0u, 4u, 1u, 0u, 1u, 1, 4294967295}};
const scs_field_t SCS_IMPEDANCE_INPUT_FIELDS[2u] = {{0u, 1u, 1u, 0u, 1u, 0, 15}, {1u, 2u, 1u, 0u, 0u, 0, 65535}};
const scs_field_t SCS_RESET_FIELDS[1u] = {{0u, 1u, 1u, 0u, 1u, 0, 2}};
const scs_field_t SCS_TIMING_GET_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_FAULT_INJECT_FIELDS[1u] = {{0u, 1u, 1u, 0u, 1u, 0, 3}};
const scs_field_t SCS_FAULT_RECORD_GET_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
const scs_field_t SCS_HELLO_FIELDS[2u] = {{0u, 1u, 1u, 0u, 1u, 1, 3}, {1u, 0u, 16u, 0u, 0u, 0, 0}};
const scs_field_t SCS_AUTH_FIELDS[2u] = {{0u, 0u, 16u, 0u, 0u, 0, 0}, {16u, 0u, 32u, 0u, 0u, 0, 0}};
const scs_field_t SCS_SESSION_END_FIELDS[1u] = {{0u, 0u, 0u, 0u, 0u, 0, 0}};
