-- GENERATED from protocol/spec/messages.toml by `python -m protocol.codegen`. Do not edit.
-- Wireshark/tshark dissector for scs-hil captures exported with `scs capture export --pcapng`.
-- Use: tshark -X lua_script:scs.lua -r capture.pcapng -V   (or copy to Wireshark's plugins folder)
-- Link type DLT_USER0 (147): a direction byte, then the frame without COBS.

local scs = Proto("scs", "scs-hil remote-control protocol v1")

local RESULTS = {
  [0] = "OK",
  [1] = "BAD_FRAME",
  [2] = "UNKNOWN_MESSAGE",
  [3] = "BAD_LENGTH",
  [4] = "OUT_OF_RANGE",
  [5] = "NOT_PERMITTED",
  [6] = "NOT_AUTHENTICATED",
  [7] = "REPLAY",
  [8] = "WRONG_STATE",
  [9] = "BUSY",
  [10] = "LIMIT_CLAMPED",
  [11] = "BAD_TAG",
  [12] = "STALE_COUNTER",
  [13] = "UNSAFE",
  [14] = "VERSION_MISMATCH",
  [15] = "STORAGE_ERROR",
}
local EVENT_KINDS = {
  [0] = "FAULT",
  [1] = "BATTERY",
  [2] = "SECURITY",
  [3] = "RESET",
  [4] = "MODE",
  [5] = "RECHARGE",
  [6] = "TIMING",
  [7] = "BOOT",
}
-- per event kind: its codes' names
local EVENT_CODES = {
  [0] = {[1] = "IMPEDANCE_OPEN", [2] = "IMPEDANCE_SHORT", [3] = "WATCHDOG", [4] = "BATTERY_CUTOFF", [5] = "OVER_TEMPERATURE", [6] = "NVM_CORRUPT"},
  [1] = {[0] = "FULL", [1] = "OK", [2] = "RECHARGE_SOON", [3] = "RECHARGE_NOW", [4] = "CUTOFF", [5] = "ERI", [6] = "EOS"},
  [2] = {[0] = "OK", [1] = "BAD_FRAME", [2] = "UNKNOWN_MESSAGE", [3] = "BAD_LENGTH", [4] = "OUT_OF_RANGE", [5] = "NOT_PERMITTED", [6] = "NOT_AUTHENTICATED", [7] = "REPLAY", [8] = "WRONG_STATE", [9] = "BUSY", [10] = "LIMIT_CLAMPED", [11] = "BAD_TAG", [12] = "STALE_COUNTER", [13] = "UNSAFE", [14] = "VERSION_MISMATCH", [15] = "STORAGE_ERROR"},
  [3] = {[0] = "SOFT", [1] = "POWER_LOSS", [2] = "DEFAULTS_LOADED", [3] = "SLOT_FALLBACK", [4] = "FACTORY"},
  [4] = {[1] = "STIM_ON", [2] = "STIM_OFF", [3] = "MRI_ENTER", [4] = "MRI_EXIT", [5] = "PROGRAM_SELECTED", [6] = "PROGRAM_STORED", [7] = "POSTURE_APPLIED", [8] = "AREA_STOPPED", [9] = "FAULT_CLEARED"},
  [5] = {[0] = "IDLE", [1] = "CONSTANT_CURRENT", [2] = "CONSTANT_VOLTAGE", [3] = "PAUSED_HOT", [4] = "PAUSED_OVERVOLTAGE", [5] = "COMPLETE"},
  [6] = {[1] = "LATE_PULSES"},
  [7] = {[0] = "UNKNOWN", [1] = "POWER_ON", [2] = "PIN", [3] = "WATCHDOG", [4] = "SOFTWARE", [5] = "BROWN_OUT", [6] = "LOCKUP"},
}
local NAMES = {
  [0x01] = "DEVICE_INFO_GET",
  [0x02] = "STATUS_GET",
  [0x03] = "STIM_SET",
  [0x04] = "PROGRAM_SELECT",
  [0x05] = "AMPLITUDE_STEP",
  [0x06] = "AREA_WRITE",
  [0x07] = "PROGRAM_COMMIT",
  [0x08] = "AREA_READ",
  [0x09] = "LIMITS_WRITE",
  [0x0a] = "LIMITS_READ",
  [0x0b] = "IMPEDANCE_GET",
  [0x0c] = "POSTURE_INPUT",
  [0x0d] = "ADAPTIVE_SET",
  [0x0e] = "MRI_MODE_SET",
  [0x0f] = "RECHARGE_COUPLING_INPUT",
  [0x10] = "CHARGING_STATUS_GET",
  [0x11] = "TRACE_START",
  [0x12] = "TRACE_STOP",
  [0x13] = "TRACE_DUMP",
  [0x14] = "EVENT_LOG_READ",
  [0x15] = "CLOCK_GET",
  [0x16] = "CLOCK_ADVANCE",
  [0x17] = "IMPEDANCE_INPUT",
  [0x18] = "RESET",
  [0x19] = "TIMING_GET",
  [0x1a] = "FAULT_INJECT",
  [0x1b] = "FAULT_RECORD_GET",
  [0x20] = "HELLO",
  [0x21] = "AUTH",
  [0x22] = "SESSION_END",
  [0x80] = "RESULT",
  [0x81] = "DEVICE_INFO",
  [0x82] = "STATUS",
  [0x85] = "AMPLITUDE",
  [0x88] = "AREA",
  [0x8a] = "LIMITS",
  [0x8b] = "IMPEDANCE",
  [0x90] = "CHARGING_STATUS",
  [0x93] = "TRACE_DATA",
  [0x94] = "EVENT_LOG_ENTRY",
  [0x95] = "CLOCK",
  [0x99] = "TIMING",
  [0x9b] = "FAULT_RECORD",
  [0xa0] = "CHALLENGE",
  [0xa1] = "SESSION",
  [0xc0] = "EVENT",
}

local hf = {
  direction = ProtoField.uint8("scs.direction", "Direction", base.DEC, {[0] = "host to device", [1] = "device to host"}, 0x7f),
  version = ProtoField.uint8("scs.version", "Protocol version"),
  msg_id = ProtoField.uint8("scs.msg_id", "Message id", base.HEX, NAMES),
  msg = ProtoField.string("scs.msg", "Message"),
  flags = ProtoField.uint8("scs.flags", "Flags", base.HEX),
  response = ProtoField.bool("scs.flags.response", "Response", 8, nil, 0x01),
  event = ProtoField.bool("scs.flags.event", "Event", 8, nil, 0x02),
  signed = ProtoField.bool("scs.flags.signed", "Signed", 8, nil, 0x04),
  seq = ProtoField.uint16("scs.seq", "Sequence number"),
  counter = ProtoField.uint32("scs.counter", "Session counter"),
  tag = ProtoField.bytes("scs.tag", "Tag (truncated HMAC-SHA256)"),
  crc = ProtoField.uint32("scs.crc", "CRC-32/ISO-HDLC", base.HEX),
  raw = ProtoField.bytes("scs.raw", "Bytes that are not a COBS frame"),
  event_code_name = ProtoField.string("scs.event.code_name", "Event code name"),
}

-- per message: its fields in wire order {ProtoField, scalar size, count (0: variable bytes), array?, name}
local LAYOUT = {}
LAYOUT[0x01] = {name = "DEVICE_INFO_GET", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
LAYOUT[0x02] = {name = "STATUS_GET", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["stim_set.on"] = ProtoField.uint8("scs.stim_set.on", "on", base.DEC)
LAYOUT[0x03] = {name = "STIM_SET", kind = "request", size = 1, result_at = nil, event_at = nil, fields = {{hf["stim_set.on"], 1, 1, false, "on"}}}
hf["program_select.program"] = ProtoField.uint8("scs.program_select.program", "program", base.DEC)
LAYOUT[0x04] = {name = "PROGRAM_SELECT", kind = "request", size = 1, result_at = nil, event_at = nil, fields = {{hf["program_select.program"], 1, 1, false, "program"}}}
hf["amplitude_step.area"] = ProtoField.uint8("scs.amplitude_step.area", "area", base.DEC)
hf["amplitude_step.steps"] = ProtoField.int8("scs.amplitude_step.steps", "steps", base.DEC)
LAYOUT[0x05] = {name = "AMPLITUDE_STEP", kind = "request", size = 2, result_at = nil, event_at = nil, fields = {{hf["amplitude_step.area"], 1, 1, false, "area"}, {hf["amplitude_step.steps"], 1, 1, false, "steps"}}}
hf["area_write.program"] = ProtoField.uint8("scs.area_write.program", "program", base.DEC)
hf["area_write.area"] = ProtoField.uint8("scs.area_write.area", "area", base.DEC)
hf["area_write.waveform"] = ProtoField.uint8("scs.area_write.waveform", "waveform", base.DEC)
hf["area_write.cathode_share_pct"] = ProtoField.uint8("scs.area_write.cathode_share_pct", "cathode_share_pct (%)", base.DEC)
hf["area_write.anode_mask"] = ProtoField.uint16("scs.area_write.anode_mask", "anode_mask", base.DEC)
hf["area_write.case_anode"] = ProtoField.uint8("scs.area_write.case_anode", "case_anode", base.DEC)
hf["area_write.amplitude_ua"] = ProtoField.uint16("scs.area_write.amplitude_ua", "amplitude_ua (uA)", base.DEC)
hf["area_write.pulse_width_us"] = ProtoField.uint16("scs.area_write.pulse_width_us", "pulse_width_us (us)", base.DEC)
hf["area_write.rate_mhz"] = ProtoField.uint32("scs.area_write.rate_mhz", "rate_mhz (mHz)", base.DEC)
hf["area_write.interphase_gap_us"] = ProtoField.uint8("scs.area_write.interphase_gap_us", "interphase_gap_us (us)", base.DEC)
hf["area_write.recharge"] = ProtoField.uint8("scs.area_write.recharge", "recharge", base.DEC)
hf["area_write.recharge_ratio"] = ProtoField.uint8("scs.area_write.recharge_ratio", "recharge_ratio", base.DEC)
hf["area_write.passive_window_us"] = ProtoField.uint16("scs.area_write.passive_window_us", "passive_window_us (us)", base.DEC)
hf["area_write.pulses_per_burst"] = ProtoField.uint8("scs.area_write.pulses_per_burst", "pulses_per_burst", base.DEC)
hf["area_write.intra_burst_rate_mhz"] = ProtoField.uint32("scs.area_write.intra_burst_rate_mhz", "intra_burst_rate_mhz (mHz)", base.DEC)
hf["area_write.cycle_on_ms"] = ProtoField.uint32("scs.area_write.cycle_on_ms", "cycle_on_ms (ms)", base.DEC)
hf["area_write.cycle_off_ms"] = ProtoField.uint32("scs.area_write.cycle_off_ms", "cycle_off_ms (ms)", base.DEC)
hf["area_write.soft_start_ms"] = ProtoField.uint16("scs.area_write.soft_start_ms", "soft_start_ms (ms)", base.DEC)
LAYOUT[0x06] = {name = "AREA_WRITE", kind = "request", size = 50, result_at = nil, event_at = nil, fields = {{hf["area_write.program"], 1, 1, false, "program"}, {hf["area_write.area"], 1, 1, false, "area"}, {hf["area_write.waveform"], 1, 1, false, "waveform"}, {hf["area_write.cathode_share_pct"], 1, 16, true, "cathode_share_pct"}, {hf["area_write.anode_mask"], 2, 1, false, "anode_mask"}, {hf["area_write.case_anode"], 1, 1, false, "case_anode"}, {hf["area_write.amplitude_ua"], 2, 1, false, "amplitude_ua"}, {hf["area_write.pulse_width_us"], 2, 1, false, "pulse_width_us"}, {hf["area_write.rate_mhz"], 4, 1, false, "rate_mhz"}, {hf["area_write.interphase_gap_us"], 1, 1, false, "interphase_gap_us"}, {hf["area_write.recharge"], 1, 1, false, "recharge"}, {hf["area_write.recharge_ratio"], 1, 1, false, "recharge_ratio"}, {hf["area_write.passive_window_us"], 2, 1, false, "passive_window_us"}, {hf["area_write.pulses_per_burst"], 1, 1, false, "pulses_per_burst"}, {hf["area_write.intra_burst_rate_mhz"], 4, 1, false, "intra_burst_rate_mhz"}, {hf["area_write.cycle_on_ms"], 4, 1, false, "cycle_on_ms"}, {hf["area_write.cycle_off_ms"], 4, 1, false, "cycle_off_ms"}, {hf["area_write.soft_start_ms"], 2, 1, false, "soft_start_ms"}}}
hf["program_commit.program"] = ProtoField.uint8("scs.program_commit.program", "program", base.DEC)
hf["program_commit.area_count"] = ProtoField.uint8("scs.program_commit.area_count", "area_count", base.DEC)
LAYOUT[0x07] = {name = "PROGRAM_COMMIT", kind = "request", size = 2, result_at = nil, event_at = nil, fields = {{hf["program_commit.program"], 1, 1, false, "program"}, {hf["program_commit.area_count"], 1, 1, false, "area_count"}}}
hf["area_read.program"] = ProtoField.uint8("scs.area_read.program", "program", base.DEC)
hf["area_read.area"] = ProtoField.uint8("scs.area_read.area", "area", base.DEC)
LAYOUT[0x08] = {name = "AREA_READ", kind = "request", size = 2, result_at = nil, event_at = nil, fields = {{hf["area_read.program"], 1, 1, false, "program"}, {hf["area_read.area"], 1, 1, false, "area"}}}
hf["limits_write.program"] = ProtoField.uint8("scs.limits_write.program", "program", base.DEC)
hf["limits_write.area"] = ProtoField.uint8("scs.limits_write.area", "area", base.DEC)
hf["limits_write.min_amplitude_ua"] = ProtoField.uint16("scs.limits_write.min_amplitude_ua", "min_amplitude_ua (uA)", base.DEC)
hf["limits_write.max_amplitude_ua"] = ProtoField.uint16("scs.limits_write.max_amplitude_ua", "max_amplitude_ua (uA)", base.DEC)
hf["limits_write.patient_selectable"] = ProtoField.uint8("scs.limits_write.patient_selectable", "patient_selectable", base.DEC)
LAYOUT[0x09] = {name = "LIMITS_WRITE", kind = "request", size = 7, result_at = nil, event_at = nil, fields = {{hf["limits_write.program"], 1, 1, false, "program"}, {hf["limits_write.area"], 1, 1, false, "area"}, {hf["limits_write.min_amplitude_ua"], 2, 1, false, "min_amplitude_ua"}, {hf["limits_write.max_amplitude_ua"], 2, 1, false, "max_amplitude_ua"}, {hf["limits_write.patient_selectable"], 1, 1, false, "patient_selectable"}}}
hf["limits_read.program"] = ProtoField.uint8("scs.limits_read.program", "program", base.DEC)
hf["limits_read.area"] = ProtoField.uint8("scs.limits_read.area", "area", base.DEC)
LAYOUT[0x0a] = {name = "LIMITS_READ", kind = "request", size = 2, result_at = nil, event_at = nil, fields = {{hf["limits_read.program"], 1, 1, false, "program"}, {hf["limits_read.area"], 1, 1, false, "area"}}}
LAYOUT[0x0b] = {name = "IMPEDANCE_GET", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["posture_input.posture"] = ProtoField.uint8("scs.posture_input.posture", "posture", base.DEC)
LAYOUT[0x0c] = {name = "POSTURE_INPUT", kind = "request", size = 1, result_at = nil, event_at = nil, fields = {{hf["posture_input.posture"], 1, 1, false, "posture"}}}
hf["adaptive_set.enabled"] = ProtoField.uint8("scs.adaptive_set.enabled", "enabled", base.DEC)
hf["adaptive_set.dwell_ms"] = ProtoField.uint32("scs.adaptive_set.dwell_ms", "dwell_ms (ms)", base.DEC)
hf["adaptive_set.ramp_ua_per_s"] = ProtoField.uint16("scs.adaptive_set.ramp_ua_per_s", "ramp_ua_per_s (uA/s)", base.DEC)
LAYOUT[0x0d] = {name = "ADAPTIVE_SET", kind = "request", size = 7, result_at = nil, event_at = nil, fields = {{hf["adaptive_set.enabled"], 1, 1, false, "enabled"}, {hf["adaptive_set.dwell_ms"], 4, 1, false, "dwell_ms"}, {hf["adaptive_set.ramp_ua_per_s"], 2, 1, false, "ramp_ua_per_s"}}}
hf["mri_mode_set.enter"] = ProtoField.uint8("scs.mri_mode_set.enter", "enter", base.DEC)
LAYOUT[0x0e] = {name = "MRI_MODE_SET", kind = "request", size = 1, result_at = nil, event_at = nil, fields = {{hf["mri_mode_set.enter"], 1, 1, false, "enter"}}}
hf["recharge_coupling_input.separation_mm"] = ProtoField.uint16("scs.recharge_coupling_input.separation_mm", "separation_mm (mm)", base.DEC)
hf["recharge_coupling_input.misalignment_mm"] = ProtoField.uint16("scs.recharge_coupling_input.misalignment_mm", "misalignment_mm (mm)", base.DEC)
hf["recharge_coupling_input.transmit_mw"] = ProtoField.uint32("scs.recharge_coupling_input.transmit_mw", "transmit_mw (mW)", base.DEC)
LAYOUT[0x0f] = {name = "RECHARGE_COUPLING_INPUT", kind = "request", size = 8, result_at = nil, event_at = nil, fields = {{hf["recharge_coupling_input.separation_mm"], 2, 1, false, "separation_mm"}, {hf["recharge_coupling_input.misalignment_mm"], 2, 1, false, "misalignment_mm"}, {hf["recharge_coupling_input.transmit_mw"], 4, 1, false, "transmit_mw"}}}
LAYOUT[0x10] = {name = "CHARGING_STATUS_GET", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["trace_start.max_pulses"] = ProtoField.uint32("scs.trace_start.max_pulses", "max_pulses", base.DEC)
LAYOUT[0x11] = {name = "TRACE_START", kind = "request", size = 4, result_at = nil, event_at = nil, fields = {{hf["trace_start.max_pulses"], 4, 1, false, "max_pulses"}}}
LAYOUT[0x12] = {name = "TRACE_STOP", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["trace_dump.offset"] = ProtoField.uint32("scs.trace_dump.offset", "offset", base.DEC)
hf["trace_dump.count"] = ProtoField.uint16("scs.trace_dump.count", "count", base.DEC)
LAYOUT[0x13] = {name = "TRACE_DUMP", kind = "request", size = 6, result_at = nil, event_at = nil, fields = {{hf["trace_dump.offset"], 4, 1, false, "offset"}, {hf["trace_dump.count"], 2, 1, false, "count"}}}
hf["event_log_read.index"] = ProtoField.uint16("scs.event_log_read.index", "index", base.DEC)
LAYOUT[0x14] = {name = "EVENT_LOG_READ", kind = "request", size = 2, result_at = nil, event_at = nil, fields = {{hf["event_log_read.index"], 2, 1, false, "index"}}}
LAYOUT[0x15] = {name = "CLOCK_GET", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["clock_advance.ticks"] = ProtoField.uint32("scs.clock_advance.ticks", "ticks (tick)", base.DEC)
LAYOUT[0x16] = {name = "CLOCK_ADVANCE", kind = "request", size = 4, result_at = nil, event_at = nil, fields = {{hf["clock_advance.ticks"], 4, 1, false, "ticks"}}}
hf["impedance_input.contact"] = ProtoField.uint8("scs.impedance_input.contact", "contact", base.DEC)
hf["impedance_input.ohms"] = ProtoField.uint16("scs.impedance_input.ohms", "ohms (ohm)", base.DEC)
LAYOUT[0x17] = {name = "IMPEDANCE_INPUT", kind = "request", size = 3, result_at = nil, event_at = nil, fields = {{hf["impedance_input.contact"], 1, 1, false, "contact"}, {hf["impedance_input.ohms"], 2, 1, false, "ohms"}}}
hf["reset.kind"] = ProtoField.uint8("scs.reset.kind", "kind", base.DEC)
LAYOUT[0x18] = {name = "RESET", kind = "request", size = 1, result_at = nil, event_at = nil, fields = {{hf["reset.kind"], 1, 1, false, "kind"}}}
LAYOUT[0x19] = {name = "TIMING_GET", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["fault_inject.kind"] = ProtoField.uint8("scs.fault_inject.kind", "kind", base.DEC)
LAYOUT[0x1a] = {name = "FAULT_INJECT", kind = "request", size = 1, result_at = nil, event_at = nil, fields = {{hf["fault_inject.kind"], 1, 1, false, "kind"}}}
LAYOUT[0x1b] = {name = "FAULT_RECORD_GET", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["hello.role"] = ProtoField.uint8("scs.hello.role", "role", base.DEC)
hf["hello.host_nonce"] = ProtoField.bytes("scs.hello.host_nonce", "host_nonce")
LAYOUT[0x20] = {name = "HELLO", kind = "request", size = 17, result_at = nil, event_at = nil, fields = {{hf["hello.role"], 1, 1, false, "role"}, {hf["hello.host_nonce"], 1, 16, false, "host_nonce"}}}
hf["auth.host_nonce"] = ProtoField.bytes("scs.auth.host_nonce", "host_nonce")
hf["auth.host_proof"] = ProtoField.bytes("scs.auth.host_proof", "host_proof")
LAYOUT[0x21] = {name = "AUTH", kind = "request", size = 48, result_at = nil, event_at = nil, fields = {{hf["auth.host_nonce"], 1, 16, false, "host_nonce"}, {hf["auth.host_proof"], 1, 32, false, "host_proof"}}}
LAYOUT[0x22] = {name = "SESSION_END", kind = "request", size = 0, result_at = nil, event_at = nil, fields = {}}
hf["result.request_id"] = ProtoField.uint8("scs.result.request_id", "request_id", base.DEC)
hf["result.result"] = ProtoField.uint8("scs.result.result", "result", base.DEC, RESULTS)
hf["result.field"] = ProtoField.uint8("scs.result.field", "field", base.DEC)
LAYOUT[0x80] = {name = "RESULT", kind = "response", size = 3, result_at = 1, event_at = nil, fields = {{hf["result.request_id"], 1, 1, false, "request_id"}, {hf["result.result"], 1, 1, false, "result"}, {hf["result.field"], 1, 1, false, "field"}}}
hf["device_info.protocol_version"] = ProtoField.uint8("scs.device_info.protocol_version", "protocol_version", base.DEC)
hf["device_info.firmware_version"] = ProtoField.uint32("scs.device_info.firmware_version", "firmware_version", base.DEC)
hf["device_info.device_id"] = ProtoField.uint64("scs.device_info.device_id", "device_id", base.DEC)
hf["device_info.tick_ns"] = ProtoField.uint32("scs.device_info.tick_ns", "tick_ns (ns)", base.DEC)
hf["device_info.capabilities"] = ProtoField.uint32("scs.device_info.capabilities", "capabilities", base.DEC)
hf["device_info.contact_count"] = ProtoField.uint8("scs.device_info.contact_count", "contact_count", base.DEC)
hf["device_info.max_programs"] = ProtoField.uint8("scs.device_info.max_programs", "max_programs", base.DEC)
hf["device_info.max_areas"] = ProtoField.uint8("scs.device_info.max_areas", "max_areas", base.DEC)
hf["device_info.amplitude_step_ua"] = ProtoField.uint16("scs.device_info.amplitude_step_ua", "amplitude_step_ua (uA)", base.DEC)
hf["device_info.max_amplitude_ua"] = ProtoField.uint16("scs.device_info.max_amplitude_ua", "max_amplitude_ua (uA)", base.DEC)
hf["device_info.max_cathode_charge_pc"] = ProtoField.uint32("scs.device_info.max_cathode_charge_pc", "max_cathode_charge_pc (pC)", base.DEC)
hf["device_info.compliance_mv"] = ProtoField.uint16("scs.device_info.compliance_mv", "compliance_mv (mV)", base.DEC)
LAYOUT[0x81] = {name = "DEVICE_INFO", kind = "response", size = 34, result_at = nil, event_at = nil, fields = {{hf["device_info.protocol_version"], 1, 1, false, "protocol_version"}, {hf["device_info.firmware_version"], 4, 1, false, "firmware_version"}, {hf["device_info.device_id"], 8, 1, false, "device_id"}, {hf["device_info.tick_ns"], 4, 1, false, "tick_ns"}, {hf["device_info.capabilities"], 4, 1, false, "capabilities"}, {hf["device_info.contact_count"], 1, 1, false, "contact_count"}, {hf["device_info.max_programs"], 1, 1, false, "max_programs"}, {hf["device_info.max_areas"], 1, 1, false, "max_areas"}, {hf["device_info.amplitude_step_ua"], 2, 1, false, "amplitude_step_ua"}, {hf["device_info.max_amplitude_ua"], 2, 1, false, "max_amplitude_ua"}, {hf["device_info.max_cathode_charge_pc"], 4, 1, false, "max_cathode_charge_pc"}, {hf["device_info.compliance_mv"], 2, 1, false, "compliance_mv"}}}
hf["status.stim_on"] = ProtoField.uint8("scs.status.stim_on", "stim_on", base.DEC)
hf["status.active_program"] = ProtoField.uint8("scs.status.active_program", "active_program", base.DEC)
hf["status.amplitude_ua"] = ProtoField.uint16("scs.status.amplitude_ua", "amplitude_ua (uA)", base.DEC)
hf["status.clock_ticks"] = ProtoField.uint64("scs.status.clock_ticks", "clock_ticks (tick)", base.DEC)
hf["status.battery_soc_permille"] = ProtoField.uint16("scs.status.battery_soc_permille", "battery_soc_permille", base.DEC)
hf["status.battery_mv"] = ProtoField.uint16("scs.status.battery_mv", "battery_mv (mV)", base.DEC)
hf["status.battery_state"] = ProtoField.uint8("scs.status.battery_state", "battery_state", base.DEC)
hf["status.recharge_state"] = ProtoField.uint8("scs.status.recharge_state", "recharge_state", base.DEC)
hf["status.temperature_mc"] = ProtoField.int32("scs.status.temperature_mc", "temperature_mc (milli-degC)", base.DEC)
hf["status.fault_flags"] = ProtoField.uint32("scs.status.fault_flags", "fault_flags", base.DEC)
hf["status.mri_mode"] = ProtoField.uint8("scs.status.mri_mode", "mri_mode", base.DEC)
hf["status.device_mode"] = ProtoField.uint8("scs.status.device_mode", "device_mode", base.DEC)
hf["status.posture"] = ProtoField.uint8("scs.status.posture", "posture", base.DEC)
hf["status.trial_day"] = ProtoField.uint16("scs.status.trial_day", "trial_day", base.DEC)
hf["status.late_pulses"] = ProtoField.uint32("scs.status.late_pulses", "late_pulses", base.DEC)
LAYOUT[0x82] = {name = "STATUS", kind = "response", size = 41, result_at = nil, event_at = nil, fields = {{hf["status.stim_on"], 1, 1, false, "stim_on"}, {hf["status.active_program"], 1, 1, false, "active_program"}, {hf["status.amplitude_ua"], 2, 4, true, "amplitude_ua"}, {hf["status.clock_ticks"], 8, 1, false, "clock_ticks"}, {hf["status.battery_soc_permille"], 2, 1, false, "battery_soc_permille"}, {hf["status.battery_mv"], 2, 1, false, "battery_mv"}, {hf["status.battery_state"], 1, 1, false, "battery_state"}, {hf["status.recharge_state"], 1, 1, false, "recharge_state"}, {hf["status.temperature_mc"], 4, 1, false, "temperature_mc"}, {hf["status.fault_flags"], 4, 1, false, "fault_flags"}, {hf["status.mri_mode"], 1, 1, false, "mri_mode"}, {hf["status.device_mode"], 1, 1, false, "device_mode"}, {hf["status.posture"], 1, 1, false, "posture"}, {hf["status.trial_day"], 2, 1, false, "trial_day"}, {hf["status.late_pulses"], 4, 1, false, "late_pulses"}}}
hf["amplitude.result"] = ProtoField.uint8("scs.amplitude.result", "result", base.DEC, RESULTS)
hf["amplitude.amplitude_ua"] = ProtoField.uint16("scs.amplitude.amplitude_ua", "amplitude_ua (uA)", base.DEC)
LAYOUT[0x85] = {name = "AMPLITUDE", kind = "response", size = 9, result_at = 0, event_at = nil, fields = {{hf["amplitude.result"], 1, 1, false, "result"}, {hf["amplitude.amplitude_ua"], 2, 4, true, "amplitude_ua"}}}
hf["area.result"] = ProtoField.uint8("scs.area.result", "result", base.DEC, RESULTS)
hf["area.program"] = ProtoField.uint8("scs.area.program", "program", base.DEC)
hf["area.area"] = ProtoField.uint8("scs.area.area", "area", base.DEC)
hf["area.waveform"] = ProtoField.uint8("scs.area.waveform", "waveform", base.DEC)
hf["area.cathode_share_pct"] = ProtoField.uint8("scs.area.cathode_share_pct", "cathode_share_pct (%)", base.DEC)
hf["area.anode_mask"] = ProtoField.uint16("scs.area.anode_mask", "anode_mask", base.DEC)
hf["area.case_anode"] = ProtoField.uint8("scs.area.case_anode", "case_anode", base.DEC)
hf["area.amplitude_ua"] = ProtoField.uint16("scs.area.amplitude_ua", "amplitude_ua (uA)", base.DEC)
hf["area.pulse_width_us"] = ProtoField.uint16("scs.area.pulse_width_us", "pulse_width_us (us)", base.DEC)
hf["area.rate_mhz"] = ProtoField.uint32("scs.area.rate_mhz", "rate_mhz (mHz)", base.DEC)
hf["area.interphase_gap_us"] = ProtoField.uint8("scs.area.interphase_gap_us", "interphase_gap_us (us)", base.DEC)
hf["area.recharge"] = ProtoField.uint8("scs.area.recharge", "recharge", base.DEC)
hf["area.recharge_ratio"] = ProtoField.uint8("scs.area.recharge_ratio", "recharge_ratio", base.DEC)
hf["area.passive_window_us"] = ProtoField.uint16("scs.area.passive_window_us", "passive_window_us (us)", base.DEC)
hf["area.pulses_per_burst"] = ProtoField.uint8("scs.area.pulses_per_burst", "pulses_per_burst", base.DEC)
hf["area.intra_burst_rate_mhz"] = ProtoField.uint32("scs.area.intra_burst_rate_mhz", "intra_burst_rate_mhz (mHz)", base.DEC)
hf["area.cycle_on_ms"] = ProtoField.uint32("scs.area.cycle_on_ms", "cycle_on_ms (ms)", base.DEC)
hf["area.cycle_off_ms"] = ProtoField.uint32("scs.area.cycle_off_ms", "cycle_off_ms (ms)", base.DEC)
hf["area.soft_start_ms"] = ProtoField.uint16("scs.area.soft_start_ms", "soft_start_ms (ms)", base.DEC)
LAYOUT[0x88] = {name = "AREA", kind = "response", size = 51, result_at = 0, event_at = nil, fields = {{hf["area.result"], 1, 1, false, "result"}, {hf["area.program"], 1, 1, false, "program"}, {hf["area.area"], 1, 1, false, "area"}, {hf["area.waveform"], 1, 1, false, "waveform"}, {hf["area.cathode_share_pct"], 1, 16, true, "cathode_share_pct"}, {hf["area.anode_mask"], 2, 1, false, "anode_mask"}, {hf["area.case_anode"], 1, 1, false, "case_anode"}, {hf["area.amplitude_ua"], 2, 1, false, "amplitude_ua"}, {hf["area.pulse_width_us"], 2, 1, false, "pulse_width_us"}, {hf["area.rate_mhz"], 4, 1, false, "rate_mhz"}, {hf["area.interphase_gap_us"], 1, 1, false, "interphase_gap_us"}, {hf["area.recharge"], 1, 1, false, "recharge"}, {hf["area.recharge_ratio"], 1, 1, false, "recharge_ratio"}, {hf["area.passive_window_us"], 2, 1, false, "passive_window_us"}, {hf["area.pulses_per_burst"], 1, 1, false, "pulses_per_burst"}, {hf["area.intra_burst_rate_mhz"], 4, 1, false, "intra_burst_rate_mhz"}, {hf["area.cycle_on_ms"], 4, 1, false, "cycle_on_ms"}, {hf["area.cycle_off_ms"], 4, 1, false, "cycle_off_ms"}, {hf["area.soft_start_ms"], 2, 1, false, "soft_start_ms"}}}
hf["limits.result"] = ProtoField.uint8("scs.limits.result", "result", base.DEC, RESULTS)
hf["limits.min_amplitude_ua"] = ProtoField.uint16("scs.limits.min_amplitude_ua", "min_amplitude_ua (uA)", base.DEC)
hf["limits.max_amplitude_ua"] = ProtoField.uint16("scs.limits.max_amplitude_ua", "max_amplitude_ua (uA)", base.DEC)
hf["limits.patient_selectable"] = ProtoField.uint8("scs.limits.patient_selectable", "patient_selectable", base.DEC)
LAYOUT[0x8a] = {name = "LIMITS", kind = "response", size = 6, result_at = 0, event_at = nil, fields = {{hf["limits.result"], 1, 1, false, "result"}, {hf["limits.min_amplitude_ua"], 2, 1, false, "min_amplitude_ua"}, {hf["limits.max_amplitude_ua"], 2, 1, false, "max_amplitude_ua"}, {hf["limits.patient_selectable"], 1, 1, false, "patient_selectable"}}}
hf["impedance.ohms"] = ProtoField.uint16("scs.impedance.ohms", "ohms (ohm)", base.DEC)
hf["impedance.faulted_mask"] = ProtoField.uint16("scs.impedance.faulted_mask", "faulted_mask", base.DEC)
LAYOUT[0x8b] = {name = "IMPEDANCE", kind = "response", size = 34, result_at = nil, event_at = nil, fields = {{hf["impedance.ohms"], 2, 16, true, "ohms"}, {hf["impedance.faulted_mask"], 2, 1, false, "faulted_mask"}}}
hf["charging_status.recharge_state"] = ProtoField.uint8("scs.charging_status.recharge_state", "recharge_state", base.DEC)
hf["charging_status.battery_current_ua"] = ProtoField.int32("scs.charging_status.battery_current_ua", "battery_current_ua (uA)", base.DEC)
hf["charging_status.received_mw"] = ProtoField.uint32("scs.charging_status.received_mw", "received_mw (mW)", base.DEC)
hf["charging_status.temperature_mc"] = ProtoField.int32("scs.charging_status.temperature_mc", "temperature_mc (milli-degC)", base.DEC)
hf["charging_status.battery_soc_permille"] = ProtoField.uint16("scs.charging_status.battery_soc_permille", "battery_soc_permille", base.DEC)
LAYOUT[0x90] = {name = "CHARGING_STATUS", kind = "response", size = 15, result_at = nil, event_at = nil, fields = {{hf["charging_status.recharge_state"], 1, 1, false, "recharge_state"}, {hf["charging_status.battery_current_ua"], 4, 1, false, "battery_current_ua"}, {hf["charging_status.received_mw"], 4, 1, false, "received_mw"}, {hf["charging_status.temperature_mc"], 4, 1, false, "temperature_mc"}, {hf["charging_status.battery_soc_permille"], 2, 1, false, "battery_soc_permille"}}}
hf["trace_data.offset"] = ProtoField.uint32("scs.trace_data.offset", "offset", base.DEC)
hf["trace_data.total"] = ProtoField.uint32("scs.trace_data.total", "total", base.DEC)
hf["trace_data.count"] = ProtoField.uint16("scs.trace_data.count", "count", base.DEC)
hf["trace_data.records"] = ProtoField.bytes("scs.trace_data.records", "records")
LAYOUT[0x93] = {name = "TRACE_DATA", kind = "response", size = 10, result_at = nil, event_at = nil, fields = {{hf["trace_data.offset"], 4, 1, false, "offset"}, {hf["trace_data.total"], 4, 1, false, "total"}, {hf["trace_data.count"], 2, 1, false, "count"}, {hf["trace_data.records"], 1, 0, false, "records"}}}
hf["event_log_entry.result"] = ProtoField.uint8("scs.event_log_entry.result", "result", base.DEC, RESULTS)
hf["event_log_entry.index"] = ProtoField.uint16("scs.event_log_entry.index", "index", base.DEC)
hf["event_log_entry.total"] = ProtoField.uint16("scs.event_log_entry.total", "total", base.DEC)
hf["event_log_entry.tick"] = ProtoField.uint64("scs.event_log_entry.tick", "tick (tick)", base.DEC)
hf["event_log_entry.kind"] = ProtoField.uint8("scs.event_log_entry.kind", "kind", base.DEC, EVENT_KINDS)
hf["event_log_entry.code"] = ProtoField.uint16("scs.event_log_entry.code", "code", base.DEC)
hf["event_log_entry.detail"] = ProtoField.uint32("scs.event_log_entry.detail", "detail", base.DEC)
LAYOUT[0x94] = {name = "EVENT_LOG_ENTRY", kind = "response", size = 20, result_at = 0, event_at = {13, 14}, fields = {{hf["event_log_entry.result"], 1, 1, false, "result"}, {hf["event_log_entry.index"], 2, 1, false, "index"}, {hf["event_log_entry.total"], 2, 1, false, "total"}, {hf["event_log_entry.tick"], 8, 1, false, "tick"}, {hf["event_log_entry.kind"], 1, 1, false, "kind"}, {hf["event_log_entry.code"], 2, 1, false, "code"}, {hf["event_log_entry.detail"], 4, 1, false, "detail"}}}
hf["clock.ticks"] = ProtoField.uint64("scs.clock.ticks", "ticks (tick)", base.DEC)
LAYOUT[0x95] = {name = "CLOCK", kind = "response", size = 8, result_at = nil, event_at = nil, fields = {{hf["clock.ticks"], 8, 1, false, "ticks"}}}
hf["timing.counts_per_tick"] = ProtoField.uint32("scs.timing.counts_per_tick", "counts_per_tick", base.DEC)
hf["timing.edges"] = ProtoField.uint32("scs.timing.edges", "edges", base.DEC)
hf["timing.pulses"] = ProtoField.uint32("scs.timing.pulses", "pulses", base.DEC)
hf["timing.late_edges"] = ProtoField.uint32("scs.timing.late_edges", "late_edges", base.DEC)
hf["timing.late_pulses"] = ProtoField.uint32("scs.timing.late_pulses", "late_pulses", base.DEC)
hf["timing.worst_latency_counts"] = ProtoField.uint32("scs.timing.worst_latency_counts", "worst_latency_counts", base.DEC)
hf["timing.idle_counts"] = ProtoField.uint64("scs.timing.idle_counts", "idle_counts", base.DEC)
hf["timing.elapsed_counts"] = ProtoField.uint64("scs.timing.elapsed_counts", "elapsed_counts", base.DEC)
hf["timing.rx_overruns"] = ProtoField.uint32("scs.timing.rx_overruns", "rx_overruns", base.DEC)
hf["timing.rx_high_water"] = ProtoField.uint32("scs.timing.rx_high_water", "rx_high_water (B)", base.DEC)
hf["timing.worst_request_counts"] = ProtoField.uint32("scs.timing.worst_request_counts", "worst_request_counts", base.DEC)
hf["timing.last_request_counts"] = ProtoField.uint32("scs.timing.last_request_counts", "last_request_counts", base.DEC)
LAYOUT[0x99] = {name = "TIMING", kind = "response", size = 56, result_at = nil, event_at = nil, fields = {{hf["timing.counts_per_tick"], 4, 1, false, "counts_per_tick"}, {hf["timing.edges"], 4, 1, false, "edges"}, {hf["timing.pulses"], 4, 1, false, "pulses"}, {hf["timing.late_edges"], 4, 1, false, "late_edges"}, {hf["timing.late_pulses"], 4, 1, false, "late_pulses"}, {hf["timing.worst_latency_counts"], 4, 1, false, "worst_latency_counts"}, {hf["timing.idle_counts"], 8, 1, false, "idle_counts"}, {hf["timing.elapsed_counts"], 8, 1, false, "elapsed_counts"}, {hf["timing.rx_overruns"], 4, 1, false, "rx_overruns"}, {hf["timing.rx_high_water"], 4, 1, false, "rx_high_water"}, {hf["timing.worst_request_counts"], 4, 1, false, "worst_request_counts"}, {hf["timing.last_request_counts"], 4, 1, false, "last_request_counts"}}}
hf["fault_record.reset_cause"] = ProtoField.uint8("scs.fault_record.reset_cause", "reset_cause", base.DEC)
hf["fault_record.valid"] = ProtoField.uint8("scs.fault_record.valid", "valid", base.DEC)
hf["fault_record.exception"] = ProtoField.uint8("scs.fault_record.exception", "exception", base.DEC)
hf["fault_record.fault_kind"] = ProtoField.uint8("scs.fault_record.fault_kind", "fault_kind", base.DEC)
hf["fault_record.pc"] = ProtoField.uint32("scs.fault_record.pc", "pc", base.DEC)
hf["fault_record.lr"] = ProtoField.uint32("scs.fault_record.lr", "lr", base.DEC)
hf["fault_record.xpsr"] = ProtoField.uint32("scs.fault_record.xpsr", "xpsr", base.DEC)
hf["fault_record.cfsr"] = ProtoField.uint32("scs.fault_record.cfsr", "cfsr", base.DEC)
hf["fault_record.hfsr"] = ProtoField.uint32("scs.fault_record.hfsr", "hfsr", base.DEC)
hf["fault_record.mmfar"] = ProtoField.uint32("scs.fault_record.mmfar", "mmfar", base.DEC)
hf["fault_record.bfar"] = ProtoField.uint32("scs.fault_record.bfar", "bfar", base.DEC)
hf["fault_record.sp"] = ProtoField.uint32("scs.fault_record.sp", "sp", base.DEC)
hf["fault_record.uptime_ticks"] = ProtoField.uint64("scs.fault_record.uptime_ticks", "uptime_ticks (tick)", base.DEC)
LAYOUT[0x9b] = {name = "FAULT_RECORD", kind = "response", size = 44, result_at = nil, event_at = nil, fields = {{hf["fault_record.reset_cause"], 1, 1, false, "reset_cause"}, {hf["fault_record.valid"], 1, 1, false, "valid"}, {hf["fault_record.exception"], 1, 1, false, "exception"}, {hf["fault_record.fault_kind"], 1, 1, false, "fault_kind"}, {hf["fault_record.pc"], 4, 1, false, "pc"}, {hf["fault_record.lr"], 4, 1, false, "lr"}, {hf["fault_record.xpsr"], 4, 1, false, "xpsr"}, {hf["fault_record.cfsr"], 4, 1, false, "cfsr"}, {hf["fault_record.hfsr"], 4, 1, false, "hfsr"}, {hf["fault_record.mmfar"], 4, 1, false, "mmfar"}, {hf["fault_record.bfar"], 4, 1, false, "bfar"}, {hf["fault_record.sp"], 4, 1, false, "sp"}, {hf["fault_record.uptime_ticks"], 8, 1, false, "uptime_ticks"}}}
hf["challenge.result"] = ProtoField.uint8("scs.challenge.result", "result", base.DEC, RESULTS)
hf["challenge.device_nonce"] = ProtoField.bytes("scs.challenge.device_nonce", "device_nonce")
hf["challenge.device_proof"] = ProtoField.bytes("scs.challenge.device_proof", "device_proof")
hf["challenge.retry_after_ms"] = ProtoField.uint32("scs.challenge.retry_after_ms", "retry_after_ms (ms)", base.DEC)
LAYOUT[0xa0] = {name = "CHALLENGE", kind = "response", size = 53, result_at = 0, event_at = nil, fields = {{hf["challenge.result"], 1, 1, false, "result"}, {hf["challenge.device_nonce"], 1, 16, false, "device_nonce"}, {hf["challenge.device_proof"], 1, 32, false, "device_proof"}, {hf["challenge.retry_after_ms"], 4, 1, false, "retry_after_ms"}}}
hf["session.result"] = ProtoField.uint8("scs.session.result", "result", base.DEC, RESULTS)
hf["session.role"] = ProtoField.uint8("scs.session.role", "role", base.DEC)
LAYOUT[0xa1] = {name = "SESSION", kind = "response", size = 2, result_at = 0, event_at = nil, fields = {{hf["session.result"], 1, 1, false, "result"}, {hf["session.role"], 1, 1, false, "role"}}}
hf["event.tick"] = ProtoField.uint64("scs.event.tick", "tick (tick)", base.DEC)
hf["event.kind"] = ProtoField.uint8("scs.event.kind", "kind", base.DEC, EVENT_KINDS)
hf["event.code"] = ProtoField.uint16("scs.event.code", "code", base.DEC)
hf["event.detail"] = ProtoField.uint32("scs.event.detail", "detail", base.DEC)
LAYOUT[0xc0] = {name = "EVENT", kind = "event", size = 15, result_at = nil, event_at = {8, 9}, fields = {{hf["event.tick"], 8, 1, false, "tick"}, {hf["event.kind"], 1, 1, false, "kind"}, {hf["event.code"], 2, 1, false, "code"}, {hf["event.detail"], 4, 1, false, "detail"}}}

local fields = {}
for _, f in pairs(hf) do table.insert(fields, f) end
scs.fields = fields

local ef_short = ProtoExpert.new("scs.short", "Payload shorter than the message", expert.group.MALFORMED, expert.severity.ERROR)
local ef_unknown = ProtoExpert.new("scs.unknown", "Unknown message id", expert.group.MALFORMED, expert.severity.WARN)
scs.experts = {ef_short, ef_unknown}

local function payload_fields(buf, tree, layout)
  local off = 0
  for _, e in ipairs(layout.fields) do
    local field, size, count, array = e[1], e[2], e[3], e[4]
    if count == 0 then
      if buf:len() > off then tree:add(field, buf(off)) end
      return
    end
    local span = size * count
    if array then
      local sub = tree:add(buf(off, span), e[5] .. " [" .. count .. "]")
      for i = 0, count - 1 do sub:add_le(field, buf(off + i * size, size)) end
    elseif size == count then
      tree:add(field, buf(off, span))
    else
      tree:add_le(field, buf(off, span))
    end
    off = off + span
  end
end

-- version, message id, flags, sequence number; returns the id and the flags
local function header_fields(f, tree)
  tree:add(hf.version, f(0, 1))
  local id = f(1, 1):uint()
  tree:add(hf.msg_id, f(1, 1))
  local flags = f(2, 1):uint()
  local ft = tree:add(hf.flags, f(2, 1))
  ft:add(hf.response, f(2, 1))
  ft:add(hf.event, f(2, 1))
  ft:add(hf.signed, f(2, 1))
  tree:add_le(hf.seq, f(3, 2))
  return id, flags
end

-- payload length: the frame without header and trailer (CRC, and counter and tag if signed)
local function payload_length(f, flags)
  local trailer = 4
  if bit32.band(flags, 0x04) ~= 0 then trailer = trailer + 12 end
  return f:len() - 5 - trailer
end

-- session counter and tag of a signed frame, then the CRC
local function trailer_fields(f, tree, flags, plen)
  if bit32.band(flags, 0x04) ~= 0 then
    local at = 5 + plen
    tree:add_le(hf.counter, f(at, 4))
    tree:add(hf.tag, f(at + 4, 8))
  end
  tree:add_le(hf.crc, f(f:len() - 4, 4))
end

-- an event's kind and code by name (the code's enum depends on the kind); returns them as text
local function event_names(payload, tree, at)
  local kind = payload(at[1], 1):uint()
  local code = payload(at[2], 2):le_uint()
  local name = (EVENT_CODES[kind] or {})[code]
  if name then tree:add(hf.event_code_name, payload(at[2], 2), name) end
  return (EVENT_KINDS[kind] or tostring(kind)) .. " " .. (name or tostring(code))
end

-- the message and its payload fields; returns the info column (with the result, if any)
local function message_fields(f, tree, id, plen, arrow)
  local layout = LAYOUT[id]
  local info = arrow .. (layout and layout.name or string.format("unknown 0x%02x", id)) .. " seq " .. f(3, 2):le_uint()
  if not layout then
    tree:add_proto_expert_info(ef_unknown)
    return info
  end
  tree:add(hf.msg, f(1, 1), layout.name)
  local payload = plen > 0 and f(5, plen) or nil
  if plen < layout.size then
    tree:add_proto_expert_info(ef_short)
  elseif payload then
    local pt = tree:add(payload, layout.name .. " (" .. layout.kind .. ", " .. plen .. " bytes)")
    payload_fields(payload, pt, layout)
    if layout.event_at then
      info = info .. " " .. event_names(payload, pt, layout.event_at)
    end
    if layout.result_at then
      info = info .. " " .. (RESULTS[payload(layout.result_at, 1):uint()] or "?")
    end
  end
  return info
end

function scs.dissector(buf, pinfo, root)
  pinfo.cols.protocol = "SCS"
  local tree = root:add(scs, buf())
  local dir = buf(0, 1):uint()
  tree:add(hf.direction, buf(0, 1))
  local arrow = (bit32.band(dir, 0x7f) == 0) and "host->dev " or "dev->host "
  if bit32.band(dir, 0x80) ~= 0 then
    tree:add(hf.raw, buf(1))
    pinfo.cols.info = arrow .. "not a COBS frame"
    return
  end
  local f = buf(1)
  if f:len() < 9 then
    tree:add_proto_expert_info(ef_short)
    return
  end
  local id, flags = header_fields(f, tree)
  local plen = payload_length(f, flags)
  if plen < 0 then
    tree:add_proto_expert_info(ef_short)
    return
  end
  local info = message_fields(f, tree, id, plen, arrow)
  trailer_fields(f, tree, flags, plen)
  pinfo.cols.info = info
end

local encaps = wtap_encaps or wtap
DissectorTable.get("wtap_encap"):add(encaps.USER0, scs)
