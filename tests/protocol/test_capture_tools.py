"""Readable captures: every frame decoded with its verdicts, pcapng export, and the generated
Wireshark dissector run by the real tshark over an exported capture."""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from hil.cli.main import main
from protocol.capture.format import parse_capture
from protocol.capture.pcapng import LINKTYPE_USER0, frames_of, write_pcapng
from protocol.capture.view import decode_capture, render
from protocol.spec.catalog import load_catalog
from protocol.wire.codec import make
from protocol.wire.framing import MAX_ENCODED
from tests.support.captures import session
from tests.support.protocol_harness import KEYS, Pair

CAT = load_catalog()
ROOT = Path(__file__).resolve().parents[2]
DISSECTOR = ROOT / "protocol" / "wireshark" / "scs.lua"


def session_with_events() -> Pair:
    """The session, then events: MODE STIM_ON, a SECURITY refusal (a result code) and a code without a name."""
    p = session()
    for kind, code in ((4, 1), (2, CAT.results[1].code), (4, 999)):
        p.t_ns += 1_000_000
        p.capture.record("d2h", p.endpoint.event(make(CAT, "EVENT", tick=7, kind=kind, code=code, detail=3)))
    return p


def write(tmp_path: Path, lines: list[str]) -> Path:
    path = tmp_path / "c.jsonl"
    path.write_text("\n".join(lines) + "\n")
    return path


def tamper_last_h2d_tag(lines: list[str]) -> list[str]:
    """Flip one tag byte of the last host frame and fix its CRC: only the tag check can catch it."""
    from cobs import cobs

    from protocol.wire.framing import crc32

    i = max(n for n, line in enumerate(lines) if '"h2d"' in line)
    obj = json.loads(lines[i])
    data = bytes.fromhex(obj["data"]).strip(b"\x00")
    raw = bytearray(cobs.decode(data))
    raw[-5] ^= 0x40  # last tag byte (before the CRC)
    raw[-4:] = struct.pack("<I", crc32(bytes(raw[:-4])))
    obj["data"] = (b"\x00" + cobs.encode(bytes(raw)) + b"\x00").hex()
    return lines[:i] + [json.dumps(obj)] + lines[i + 1:]


def test_every_frame_is_decoded_with_time_direction_message_fields_and_tag_verdict():
    header, chunks = parse_capture(session().capture_lines())
    checker = decode_capture(chunks, KEYS)
    names = [r.message for r in checker.records]
    assert names[:2] == ["DEVICE_INFO_GET", "DEVICE_INFO"] and "AREA_WRITE" in names
    text = render(chunks, header, KEYS)
    area = next(line for line in text.splitlines() if "AREA_WRITE" in line)
    assert "host->dev" in area and "amplitude_ua=4200" in area and "rate_mhz=60000" in area
    assert "tag ok" in area and " ms " in area
    assert "result=OK" in next(line for line in text.splitlines() if " SESSION " in line)
    assert "tag unverified" in render(chunks, header), "without keys a tag is not judged"


def test_an_events_kind_and_code_are_shown_by_name():
    header, chunks = parse_capture(session_with_events().capture_lines())
    text = render(chunks, header, KEYS)
    assert "EVENT  tick=7 kind=MODE code=STIM_ON detail=3" in text
    assert f"kind=SECURITY code={CAT.results[1].name} detail=3" in text
    assert "kind=MODE code=999 detail=3" in text, "a code without a name stays a number"


def test_a_bad_tag_is_shown_on_its_frame_with_the_violation_inline(tmp_path):
    lines = tamper_last_h2d_tag(session().capture_lines())
    header, chunks = parse_capture(lines)
    text = render(chunks, header, KEYS).splitlines()
    i = max(n for n, line in enumerate(text) if "host->dev" in line)
    assert "tag BAD" in text[i]
    assert any("!! auth" in line for line in text[i + 1:]), "\n".join(text)


def test_scs_check_decode_and_capture_show_print_the_decoded_exchange(tmp_path, capsys):
    path = write(tmp_path, session().capture_lines())
    assert main(["check", str(path), "--decode"]) == 0
    out = capsys.readouterr().out
    assert "AREA_WRITE" in out and "pulse_width_us=210" in out and "no violations" in out
    assert main(["capture", "show", str(path)]) == 0
    assert "DEVICE_INFO " in capsys.readouterr().out


def _blocks(data: bytes) -> list[tuple[int, bytes]]:
    out, off = [], 0
    while off < len(data):
        btype, total = struct.unpack_from("<II", data, off)
        assert total % 4 == 0 and struct.unpack_from("<I", data, off + total - 4)[0] == total
        out.append((btype, data[off + 8:off + total - 4]))
        off += total
    return out


def test_pcapng_export_holds_one_packet_per_frame_with_direction_and_nanosecond_times(tmp_path):
    header, chunks = parse_capture(session().capture_lines())
    out = tmp_path / "c.pcapng"
    with open(out, "wb") as f:
        n = write_pcapng(f, {**header, "started": "2026-01-02T03:04:05Z"}, chunks)
    blocks = _blocks(out.read_bytes())
    assert [b[0] for b in blocks[:2]] == [0x0A0D0D0A, 1]
    assert struct.unpack_from("<H", blocks[1][1])[0] == LINKTYPE_USER0
    packets = [b for t, b in blocks if t == 6]
    assert len(packets) == n == len(list(frames_of(chunks))) == decode_capture(chunks).frames
    _, hi, lo, cap, orig = struct.unpack_from("<IIIII", packets[0])
    assert cap == orig and ((hi << 32) | lo) // 10**9 == 1767323045
    assert packets[0][20] == 0 and packets[1][20] == 1, "host frame, then the device's answer"


def test_garbage_on_the_line_is_exported_as_bytes_that_are_not_a_frame():
    lines = [json.dumps({"format": "scs-capture", "version": 1}),
             json.dumps({"t_ns": 5, "dir": "d2h", "data": "0005ff00"})]
    _, chunks = parse_capture(lines)
    assert list(frames_of(chunks)) == [(5, "d2h", 0x81, b"\x05\xff")]


def test_capture_export_refuses_to_overwrite_and_names_the_dissector(tmp_path, capsys):
    path = write(tmp_path, session().capture_lines())
    out = tmp_path / "x.pcapng"
    assert main(["capture", "export", "--pcapng", str(out), str(path)]) == 0
    assert "lua_script:" in capsys.readouterr().out
    assert main(["capture", "export", "--pcapng", str(out), str(path)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
    assert main(["capture", "export", "--pcapng", str(tmp_path / "no" / "x.pcapng"), str(path)]) == 2


def test_capture_export_refuses_to_write_over_its_own_input_even_with_force(tmp_path, capsys):
    path = write(tmp_path, session().capture_lines())
    before = path.read_bytes()
    (tmp_path / "link.jsonl").symlink_to(path)
    for out in (path, tmp_path / "link.jsonl", tmp_path / "." / "c.jsonl"):
        assert main(["capture", "export", "--force", "--pcapng", str(out), str(path)]) == 2
        assert "is the capture being exported" in capsys.readouterr().err
    assert path.read_bytes() == before


def oversized_capture() -> list[str]:
    lines = session_with_events().capture_lines()
    return lines[:2] + [json.dumps({"t_ns": json.loads(lines[1])["t_ns"], "dir": "d2h", "data": (b"\x13" * 300_000 + b"\x00").hex()})] \
        + lines[2:]


def test_an_oversized_run_of_bytes_is_exported_cut_to_the_largest_frame_with_a_comment(tmp_path):
    header, chunks = parse_capture(oversized_capture())
    out = tmp_path / "c.pcapng"
    notes: list[str] = []
    with open(out, "wb") as f:
        n = write_pcapng(f, header, chunks, notes)
    packets = [b for t, b in _blocks(out.read_bytes()) if t == 6]
    assert len(packets) == n == decode_capture(chunks).frames + 1
    big = [p for p in packets if struct.unpack_from("<I", p, 16)[0] == 300_001]
    assert len(big) == 1 and struct.unpack_from("<I", big[0], 12)[0] == MAX_ENCODED + 1
    assert big[0][20] == 0x81 and b"oversize: 300000 bytes" in big[0]
    assert len(notes) == 1 and "oversize" in notes[0]


@pytest.mark.tools
def test_tshark_decodes_an_exported_capture_with_the_generated_dissector(tmp_path):
    if shutil.which("tshark") is None:
        if os.environ.get("CI"):
            pytest.fail("tshark is missing: the README's test command installs it (make test)")
        pytest.skip("tshark not installed (make test installs it)")
    lines = tamper_last_h2d_tag(oversized_capture())
    path = write(tmp_path, lines)
    out = tmp_path / "c.pcapng"
    proc = subprocess.run([sys.executable, "-P", "-m", "hil.cli", "capture", "export", "--pcapng", str(out),
                           str(path)], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0 and "note: packet 2 (d2h" in proc.stdout and "oversize" in proc.stdout, proc.stderr
    fields = ["scs.direction", "scs.msg", "scs.seq", "scs.flags.signed", "scs.counter",
              "scs.area_write.amplitude_ua", "scs.area_write.rate_mhz", "scs.area_write.cathode_share_pct",
              "scs.session.result", "scs.device_info.device_id", "scs.event.kind", "scs.event.code_name"]
    cmd = ["tshark", "-n", "-X", f"lua_script:{DISSECTOR}", "-r", str(out), "-T", "fields", "-E", "separator=|"]
    for f in fields:
        cmd += ["-e", f]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(tmp_path)})
    assert proc.returncode == 0, proc.stderr
    rows = [dict(zip(fields, line.split("|"))) for line in proc.stdout.splitlines()]
    _, chunks = parse_capture(lines)
    assert [r["scs.msg"] for r in rows if r["scs.msg"]] == [r.message for r in decode_capture(chunks).records
                                                            if r.frame is not None]
    assert len(rows) == decode_capture(chunks).frames + 1, "the oversized bytes are one (cut) packet"
    info = next(r for r in rows if r["scs.msg"] == "DEVICE_INFO")
    assert int(info["scs.device_info.device_id"]) == KEYS.device_id
    area = next(r for r in rows if r["scs.msg"] == "AREA_WRITE")
    assert area["scs.direction"] == "0" and area["scs.flags.signed"] == "1"
    assert area["scs.area_write.amplitude_ua"] == "4200" and area["scs.area_write.rate_mhz"] == "60000"
    assert area["scs.area_write.cathode_share_pct"].split(",") == ["100"] + ["0"] * 15
    session_row = next(r for r in rows if r["scs.msg"] == "SESSION")
    assert session_row["scs.direction"] == "1" and session_row["scs.session.result"] == "0"
    assert int(area["scs.counter"]) >= 1
    events = [(r["scs.event.kind"], r["scs.event.code_name"]) for r in rows if r["scs.msg"] == "EVENT"]
    assert events == [("4", "STIM_ON"), ("2", CAT.results[1].name), ("4", "")]
    verbose = subprocess.run(cmd[:cmd.index("-T")] + ["-V"], capture_output=True, text=True, timeout=60,
                             env={**os.environ, "HOME": str(tmp_path)}).stdout
    assert "kind: MODE (4)" in verbose and "Event code name: STIM_ON" in verbose


def test_every_event_kind_names_the_enum_of_its_codes_and_a_wrong_name_is_refused():
    from protocol.spec.catalog import CatalogError
    from protocol.spec.definition import definition_text, load_definition, parse_definition

    assert all(m.codes for m in load_definition().enum("EventKind").members)
    with pytest.raises(CatalogError, match="EventKind.MODE: codes must name an enum"):
        parse_definition(definition_text().replace('codes = "ModeCode"', 'codes = "ModeCodes"'), CAT)
