"""The Security section of docs/protocol.md: `protocol/session/security.md` (hand-written) with its
event-code tables and test vectors filled in from the code."""

from __future__ import annotations

from pathlib import Path

DOC = Path(__file__).resolve().parent / "security.md"


def _event_codes() -> str:
    from protocol.spec.catalog import load_catalog
    from protocol.spec.generated import (
        BatteryState,
        EventKind,
        FaultCode,
        ModeCode,
        RechargeState,
        ResetCause,
        ResetCode,
        SecuritySummary,
        TimingCode,
    )

    cat = load_catalog()
    details = {
        EventKind.FAULT: "IMPEDANCE_OPEN, IMPEDANCE_SHORT: the contacts at fault (bit i = contact i); WATCHDOG: "
                         "1 = the pulse scheduler stalled; the others: 0",
        EventKind.BATTERY: "0", EventKind.SECURITY: "see below",
        EventKind.RESET: "SLOT_FALLBACK: the slot loaded (0 or 1); the others: 0",
        EventKind.MODE: "STIM_ON: the active program; STIM_OFF: 0 when asked for, else the fault code that stopped it "
                        "(4 BATTERY_CUTOFF, 3 WATCHDOG); PROGRAM_SELECTED, PROGRAM_STORED: the program; "
                        "POSTURE_APPLIED: the posture; AREA_STOPPED: the area; FAULT_CLEARED: the fault code; "
                        "MRI_ENTER, MRI_EXIT: 0",
        EventKind.RECHARGE: "0", EventKind.TIMING: "LATE_PULSES: late pulses since power-on",
        EventKind.BOOT: "the fault record's PC, 0 when none"}
    codes = {EventKind.FAULT: FaultCode, EventKind.BATTERY: BatteryState, EventKind.RESET: ResetCode,
             EventKind.MODE: ModeCode, EventKind.RECHARGE: RechargeState, EventKind.TIMING: TimingCode, EventKind.BOOT: ResetCause}
    rows = ["| kind | codes | detail |", "|---|---|---|"]
    for kind in EventKind:
        if kind is EventKind.SECURITY:
            listed = (", ".join(f"{r.code} {r.name}" for r in cat.results if r.code)
                      + "".join(f", {c.value} {c.name} (a summary entry)" for c in SecuritySummary))
        else:
            listed = ", ".join(f"{c.value} {c.name}" for c in codes[kind])
        rows.append(f"| {kind.value} {kind.name} | {listed} | {details[kind]} |")
    return "\n".join(rows)


def _hex(b: bytes) -> str:
    return " ".join(f"{x:02x}" for x in b)


def _fields(wire: bytes) -> str:
    """Every byte of one frame's wire bytes, field by field (the decoded frame)."""
    from cobs import cobs

    raw = cobs.decode(wire[:-1])
    signed = raw[2] & 0x04
    end = len(raw) - 4 - (12 if signed else 0)
    parts = [f"version {raw[0]:02x}", f"id {raw[1]:02x}", f"flags {raw[2]:02x}",
             f"seq {_hex(raw[3:5])} ({int.from_bytes(raw[3:5], 'little')})"]
    if end > 5:
        parts.append(f"payload {_hex(raw[5:end])}")
    if signed:
        parts += [f"counter {_hex(raw[end:end + 4])} ({int.from_bytes(raw[end:end + 4], 'little')})",
                  f"tag {_hex(raw[end + 4:end + 12])}"]
    parts.append(f"CRC {_hex(raw[-4:])}")
    return "          = " + " | ".join(parts)


def _vectors() -> str:
    from protocol.session.vectors import HOST_NONCE, compute

    v = compute()
    lines = [
        "One frame: STATUS_GET, sequence 256, unsigned (no payload).", "",
        "```text",
        f"decoded   {_hex(v.frame_decoded)}",
        f"          version 01 | id 02 | flags 00 | seq 00 01 | CRC-32 0x{v.frame_crc:08x} little-endian",
        f"wire      {_hex(v.frame_wire)}",
        "          COBS of the decoded bytes, then the 0x00 delimiter",
        "```", "",
        "A clinician handshake with host nonce `a0 a1 .. af`, then CLOCK_GET (sequence 3) answered by "
        "CLOCK(ticks 0), on a device whose security record was blank (epoch 1, nonce counter 1, no RNG). "
        "Each frame line is the frame's wire bytes: COBS, then the 0x00 delimiter; a sender may put one more "
        "0x00 before a frame (after an idle or noisy line), which is not shown. The line under it "
        "(`=`) is the decoded frame, every byte: header, payload, and for a signed frame the counter and "
        "tag. Sequence numbers: HELLO 1, AUTH 2, CLOCK_GET 3. Counters: the device's SESSION(OK) uses 1 "
        "(answered 0), the host's CLOCK_GET 1, the device's CLOCK 2 (answered 1, the CLOCK_GET's counter); "
        "CHALLENGE and the other unsigned frames carry none.", "",
        "```text",
        f"K_nonce   {_hex(v.nonce_key)}",
        f"Nd        {_hex(v.device_nonce)}",
        f"Nh        {_hex(HOST_NONCE)}",
        f"HELLO     {_hex(v.hello)}", _fields(v.hello),
        f"CHALLENGE {_hex(v.challenge)}", _fields(v.challenge),
        f"Ph        {_hex(v.host_proof)}",
        f"AUTH      {_hex(v.auth)}", _fields(v.auth),
        f"Ks        {_hex(v.session_key)}",
        f"SESSION   {_hex(v.session)}", _fields(v.session),
        f"request   {_hex(v.request)}", _fields(v.request),
        f"response  {_hex(v.response)}", _fields(v.response),
        "```",
    ]
    return "\n".join(lines)


def render() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.replace("{{EVENT_CODES}}", _event_codes()).replace("{{VECTORS}}", _vectors()).rstrip("\n")
