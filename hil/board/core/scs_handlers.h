/* scs_handlers.h: GENERATED from protocol/spec/messages.toml and device.toml by `python -m protocol.codegen`. Do not edit.
 * The request handlers; core/scs_requests.c points at them. */
#ifndef SCS_HANDLERS_H
#define SCS_HANDLERS_H
#include <stdint.h>

#include "platform.h"

void scs_on_device_info_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_status_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_stim_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_program_select(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_amplitude_step(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_area_write(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_program_commit(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_area_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_limits_write(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_limits_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_impedance_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_posture_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_adaptive_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_mri_mode_set(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_recharge_coupling_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_charging_status_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_trace_start(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_trace_stop(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_trace_dump(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_event_log_read(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_clock_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_clock_advance(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_impedance_input(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_reset(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_timing_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_fault_inject(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_fault_record_get(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_hello(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_auth(scs_fw_t *fw, uint16_t seq, const uint8_t *p);
void scs_on_session_end(scs_fw_t *fw, uint16_t seq, const uint8_t *p);

#endif
