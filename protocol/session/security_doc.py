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
    details = {EventKind.FAULT: "impedance faults: mask of the contacts; watchdog: 1 = scheduler stalled",
               EventKind.BATTERY: "0", EventKind.SECURITY: "see below",
               EventKind.RESET: "slot fallback: the slot used", EventKind.MODE: "program, posture, area or fault code",
               EventKind.RECHARGE: "0", EventKind.TIMING: "late pulses since power-on",
               EventKind.BOOT: "the fault record's PC, 0 when none"}
    codes = {EventKind.FAULT: FaultCode, EventKind.BATTERY: BatteryState, EventKind.RESET: ResetCode,
             EventKind.MODE: ModeCode, EventKind.RECHARGE: RechargeState, EventKind.TIMING: TimingCode, EventKind.BOOT: ResetCause}
    rows = ["| kind | codes | detail |", "|---|---|---|"]
    for kind in EventKind:
        if kind is EventKind.SECURITY:
            listed = (", ".join(f"{r.code} {r.name}" for r in cat.results if r.code)
                      + "".join(f", {c.value} {c.name} (SecuritySummary)" for c in SecuritySummary))
        else:
            listed = ", ".join(f"{c.value} {c.name}" for c in codes[kind])
        rows.append(f"| {kind.value} {kind.name} | {listed} | {details[kind]} |")
    return "\n".join(rows)


def _hex(b: bytes) -> str:
    return " ".join(f"{x:02x}" for x in b)


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
        "CLOCK(ticks 0), on a device whose security record was blank (epoch 1, counter 1, no RNG). Wire "
        "bytes (COBS and delimiter included):", "",
        "```text",
        f"K_nonce   {_hex(v.nonce_key)}",
        f"Nd        {_hex(v.device_nonce)}",
        f"Nh        {_hex(HOST_NONCE)}",
        f"HELLO     {_hex(v.hello)}",
        f"CHALLENGE {_hex(v.challenge)}",
        f"Ph        {_hex(v.host_proof)}",
        f"AUTH      {_hex(v.auth)}",
        f"Ks        {_hex(v.session_key)}",
        f"SESSION   {_hex(v.session)}",
        f"request   {_hex(v.request)}",
        f"response  {_hex(v.response)}",
        "```",
    ]
    return "\n".join(lines)


def render() -> str:
    text = DOC.read_text(encoding="utf-8")
    return text.replace("{{EVENT_CODES}}", _event_codes()).replace("{{VECTORS}}", _vectors()).rstrip("\n")
