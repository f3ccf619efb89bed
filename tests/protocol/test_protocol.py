"""The remote-control protocol: catalog, codec, framing, exactly-once delivery and secure sessions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from protocol.session import DeviceKeys, HandshakeError, HostHandshake, KeyFileError, KeyStore, new_key_file
from protocol.session.endpoint import HostEndpoint, ProtocolError
from protocol.spec.catalog import Kind, Role, load_catalog
from protocol.wire.codec import DecodeError, EncodeError, decode_payload, encode_payload, make
from protocol.wire.framing import FLAG_SIGNED, MAX_ENCODED, MAX_PAYLOAD, Frame, FrameError, StreamDecoder, crc32, encode_frame, parse_frame
from protocol.wire.reliability import NoResponseError, ResponseCache, RetryPolicy, send_with_retries
from tests.support.protocol_harness import KEYS, Pair, counter_rng

CAT = load_catalog()
SETTINGS = settings(max_examples=200, deadline=None)


def field_values(f):
    if f.base == "bytes":
        return st.binary(min_size=f.count, max_size=f.count) if f.count else st.binary(max_size=200)
    lo, hi = f.bounds()
    one = st.integers(lo, hi)
    return st.tuples(*[one] * f.count) if f.is_array else one


@st.composite
def messages(draw, kinds=(Kind.REQUEST, Kind.RESPONSE, Kind.EVENT)):
    """Any catalogued message with every field in range: strategies derived from the catalog."""
    msg = draw(st.sampled_from([m for m in CAT.messages if m.kind in kinds]))
    return msg, msg.type(**{f.name: draw(field_values(f)) for f in msg.fields})


# --- catalog ------------------------------------------------------------------------------------

def test_catalog_covers_the_required_messages():
    names = {m.name for m in CAT.messages}
    required = {"DEVICE_INFO_GET", "STATUS_GET", "STIM_SET", "PROGRAM_SELECT", "AMPLITUDE_STEP", "AREA_WRITE",
                "PROGRAM_COMMIT", "AREA_READ", "LIMITS_WRITE", "LIMITS_READ", "IMPEDANCE_GET", "POSTURE_INPUT",
                "ADAPTIVE_SET", "MRI_MODE_SET", "RECHARGE_COUPLING_INPUT", "CHARGING_STATUS_GET", "TRACE_START",
                "TRACE_STOP", "TRACE_DUMP", "EVENT_LOG_READ", "EVENT", "CLOCK_GET", "RESET", "HELLO", "AUTH",
                "SESSION_END"}
    assert required <= names


@pytest.mark.requirement("SRS-PROTO-004")
def test_catalog_result_codes_distinguish_every_required_outcome():
    names = {r.name for r in CAT.results}
    assert {"OK", "BAD_FRAME", "UNKNOWN_MESSAGE", "BAD_LENGTH", "OUT_OF_RANGE", "NOT_PERMITTED",
            "NOT_AUTHENTICATED", "REPLAY", "WRONG_STATE", "BUSY", "LIMIT_CLAMPED"} <= names
    assert len({r.code for r in CAT.results}) == len(CAT.results)


@pytest.mark.requirement("SRS-SEC-001", "SRS-GEN-ROLE-NONE")
def test_every_request_names_a_response_and_only_info_and_handshake_need_no_session():
    for m in CAT.requests:
        assert CAT[m.response].kind is Kind.RESPONSE
    assert {m.name for m in CAT.requests if m.role is Role.NONE} == {"DEVICE_INFO_GET", "HELLO", "AUTH"}


@pytest.mark.requirement("SRS-SEC-002", "SRS-GEN-ROLE-CLINICIAN")
def test_programs_and_limits_can_only_be_written_by_a_clinician():
    for name in ("AREA_WRITE", "PROGRAM_COMMIT", "LIMITS_WRITE"):
        assert CAT[name].role is Role.CLINICIAN and CAT[name].changes_state


# --- codec --------------------------------------------------------------------------------------

@SETTINGS
@given(messages())
def test_every_message_round_trips_through_encode_and_decode(m):
    msg, obj = m
    assert decode_payload(msg, encode_payload(msg, obj)) == obj


@SETTINGS
@given(messages(), st.integers(0, 0xFFFF))
def test_every_message_round_trips_through_a_whole_frame(m, seq):
    msg, obj = m
    wire = encode_frame(msg.id, seq, encode_payload(msg, obj))
    assert wire.count(0) == 1 and wire.endswith(b"\x00")
    [frame] = StreamDecoder().feed(wire)
    assert (frame.msg_id, frame.seq) == (msg.id, seq)
    assert decode_payload(msg, frame.payload) == obj


def test_out_of_range_field_names_the_field_and_its_range_on_encode_and_decode():
    msg = CAT["AREA_WRITE"]
    bad = make(CAT, "AREA_WRITE", pulse_width_us=1001)
    with pytest.raises(EncodeError, match=r"AREA_WRITE.pulse_width_us = 1001 is not allowed: 20 to 1000 us"):
        encode_payload(msg, bad)
    good = encode_payload(msg, make(CAT, "AREA_WRITE", pulse_width_us=300))
    offset = dict((f.name, o) for f, o in msg.offsets())["pulse_width_us"]
    raw = bytearray(good)
    raw[offset:offset + 2] = (1001).to_bytes(2, "little")
    with pytest.raises(DecodeError) as e:
        decode_payload(msg, bytes(raw))
    assert e.value.result == "OUT_OF_RANGE"
    assert msg.fields[e.value.field_index].name == "pulse_width_us"


@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-BAD_LENGTH")
def test_wrong_payload_length_is_bad_length():
    with pytest.raises(DecodeError) as e:
        decode_payload(CAT["STIM_SET"], b"\x01\x00")
    assert e.value.result == "BAD_LENGTH"


# --- framing ------------------------------------------------------------------------------------

def test_crc_is_crc32_iso_hdlc():
    assert crc32(b"123456789") == 0xCBF43926
    assert CAT.crc == "CRC-32/ISO-HDLC"


@SETTINGS
@given(st.binary(max_size=3000))
def test_any_bytes_give_frames_or_reported_errors_never_an_exception(data):
    dec = StreamDecoder()
    out = dec.feed(data)
    assert all(isinstance(x, (Frame, FrameError)) for x in out)
    assert dec.buffered <= MAX_ENCODED


@pytest.mark.requirement("SRS-PROTO-003")
@SETTINGS
@given(messages(), st.data())
def test_a_corrupted_valid_frame_is_never_accepted(m, data):
    msg, obj = m
    wire = bytearray(encode_frame(msg.id, 7, encode_payload(msg, obj)))
    n_flips = data.draw(st.integers(1, 3))
    positions = data.draw(st.lists(st.integers(0, (len(wire) - 1) * 8 - 1), min_size=n_flips, max_size=n_flips,
                                   unique=True))
    for p in positions:
        wire[p // 8] ^= 1 << (p % 8)
    original = parse_frame(bytes(encode_frame(msg.id, 7, encode_payload(msg, obj))[:-1]))
    for item in StreamDecoder().feed(bytes(wire) + b"\x00"):
        assert isinstance(item, FrameError) or item == original


@SETTINGS
@given(st.lists(messages(), min_size=1, max_size=6), st.lists(st.integers(1, 50), min_size=1, max_size=40))
def test_decoding_is_independent_of_how_the_stream_is_chunked(ms, cuts):
    wire = b"".join(encode_frame(m.id, i, encode_payload(m, o)) for i, (m, o) in enumerate(ms))
    whole = StreamDecoder().feed(wire)
    dec, pieces, i = StreamDecoder(), [], 0
    for cut in cuts * (len(wire) // max(1, sum(cuts)) + 1):
        pieces += dec.feed(wire[i:i + cut])
        i += cut
        if i >= len(wire):
            break
    pieces += dec.feed(wire[i:])
    assert pieces == whole and len(whole) == len(ms)


@SETTINGS
@given(st.binary(min_size=1, max_size=500), messages())
def test_decoder_resynchronises_at_the_next_delimiter_after_garbage_and_reports_what_it_dropped(garbage, m):
    msg, obj = m
    dec = StreamDecoder()
    good = encode_frame(msg.id, 3, encode_payload(msg, obj))
    # senders start with a delimiter after an idle or noisy line, so garbage ends at a 0x00
    out = dec.feed(garbage + b"\x00" + good)
    frames = [x for x in out if isinstance(x, Frame)]
    assert frames and frames[-1].payload == encode_payload(msg, obj)
    errors = [x for x in out if isinstance(x, FrameError)]
    assert dec.errors == len(errors)
    assert dec.dropped_bytes <= len(garbage) + 1
    assert dec.dropped_bytes == sum(len(e.raw) + 1 for e in errors)


def test_decoder_buffer_is_bounded_without_delimiters_and_recovers():
    dec = StreamDecoder()
    for _ in range(100):
        assert dec.feed(bytes([0x55]) * 10_000) == []
        assert dec.buffered <= MAX_ENCODED
    out = dec.feed(b"\x00" + encode_frame(0x01, 1, b""))
    assert isinstance(out[0], FrameError) and out[0].reason == "oversize"
    assert isinstance(out[1], Frame)
    assert dec.dropped_bytes == 1_000_001


def test_maximum_payload_is_enforced_on_both_sides():
    with pytest.raises(ValueError, match="at most 1024"):
        encode_frame(0x93, 1, bytes(MAX_PAYLOAD + 1))
    assert isinstance(StreamDecoder().feed(encode_frame(0x93, 1, bytes(MAX_PAYLOAD)))[0], Frame)


# --- device pipeline ----------------------------------------------------------------------------

def result_of(frames) -> str:
    [f] = [f for f in frames if isinstance(f, Frame)]
    msg = CAT.by_id(f.msg_id)
    obj = decode_payload(msg, f.payload)
    return CAT.result_name(obj.result) if hasattr(obj, "result") else "OK"


@pytest.mark.requirement("SRS-SEC-001", "SRS-GEN-RESULT-NOT_AUTHENTICATED")
def test_before_a_session_only_device_info_and_the_handshake_are_accepted():
    p = Pair()
    _, info = p.request(make(CAT, "DEVICE_INFO_GET"))
    assert info.device_id == KEYS.device_id
    for name in ("STATUS_GET", "STIM_SET", "AREA_WRITE", "TRACE_DUMP"):
        obj = make(CAT, name, **({"count": 1} if name == "TRACE_DUMP" else {}))
        assert result_of(p.raw(HostEndpoint(CAT).request_bytes(obj, 5))) == "NOT_AUTHENTICATED"
    assert p.device.executions == {"DEVICE_INFO_GET": 1}
    assert [e.code for e in p.guard.events] == ["NOT_AUTHENTICATED"] * 4


@pytest.mark.requirement("SRS-PROTO-004", "SRS-GEN-RESULT-UNKNOWN_MESSAGE", "SRS-GEN-RESULT-BAD_LENGTH", "SRS-GEN-RESULT-OUT_OF_RANGE")
def test_unknown_message_and_bad_length_and_out_of_range_have_their_result_codes():
    p = Pair()
    p.login()
    counter, signer = p.host.session.sign()
    assert result_of(p.raw(encode_frame(0x7F, 9, b"", 0, counter, signer))) == "UNKNOWN_MESSAGE"
    counter, signer = p.host.session.sign()
    assert result_of(p.raw(encode_frame(CAT["STIM_SET"].id, 10, b"\x01\x01", 0, counter, signer))) == "BAD_LENGTH"
    counter, signer = p.host.session.sign()
    frames = p.raw(encode_frame(CAT["STIM_SET"].id, 11, b"\x02", 0, counter, signer))
    assert result_of(frames) == "OUT_OF_RANGE"
    assert decode_payload(CAT["RESULT"], frames[0].payload).field == 0
    assert p.device.executions == {}


@pytest.mark.requirement("SRS-GEN-RESULT-VERSION_MISMATCH")
def test_a_frame_of_another_protocol_version_is_answered_version_mismatch():
    from cobs import cobs

    wire = encode_frame(0x01, 4, b"")
    raw = bytearray(cobs.decode(wire[:-1]))
    raw[0] = 2
    raw[-4:] = crc32(bytes(raw[:-4])).to_bytes(4, "little")
    assert result_of(Pair().raw(cobs.encode(bytes(raw)) + b"\x00")) == "VERSION_MISMATCH"


@pytest.mark.requirement("SRS-PROTO-003")
def test_frames_failing_crc_are_dropped_unanswered():
    p = Pair()
    wire = bytearray(encode_frame(0x01, 4, b""))
    wire[2] ^= 0x10
    assert p.raw(bytes(wire)) == []
    assert p.endpoint.dropped_frames == 1


# --- exactly once -------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-EXO-001", "SRS-GEN-EXACTLY-ONCE-CACHE")
def test_a_retransmitted_request_gets_the_cached_response_and_is_not_executed_twice():
    p = Pair()
    p.login()
    obj = make(CAT, "STIM_SET", on=1)
    first = p.raw(p.host.request_bytes(obj, 77))
    again = p.raw(p.host.request_bytes(obj, 77))  # same number, new counter: a retransmission
    assert p.device.executions["STIM_SET"] == 1
    assert first[0].payload == again[0].payload and again[0].seq == 77
    p.raw(p.host.request_bytes(obj, 78))            # a new number is a new request
    assert p.device.executions["STIM_SET"] == 2


@pytest.mark.requirement("SRS-EXO-002")
def test_a_reused_number_with_different_content_is_executed():
    cache = ResponseCache(size=2)
    cache.put(5, 3, b"\x01", "resp")
    assert cache.get(5, 3, b"\x01") == "resp"
    assert cache.get(5, 3, b"\x00") is None
    cache.put(6, 3, b"", "a")
    cache.put(7, 3, b"", "b")
    assert cache.get(5, 3, b"\x01") is None, "the cache is bounded"


def test_the_sender_retries_with_the_same_number_then_gives_up_with_a_clear_error():
    sent = []
    with pytest.raises(NoResponseError, match="no response to STIM_SET after 3 attempts of 0.01 s"):
        send_with_retries(sent.append, lambda t: None, RetryPolicy(timeout_s=0.01, attempts=3), "STIM_SET")
    assert sent == [0, 1, 2]


@pytest.mark.requirement("SRS-EXO-001")
def test_under_byte_loss_and_bit_flips_every_command_executes_exactly_once():
    p = Pair(loss=0.01, flips=0.001, seed=5)
    p.login()
    for i in range(1000):
        p.request(make(CAT, "STIM_SET", on=i % 2))
    assert p.device.executions["STIM_SET"] == 1000
    assert p.device.stim_on == 1


# --- security -----------------------------------------------------------------------------------

@pytest.mark.requirement("SRS-SEC-002")
def test_a_patient_session_can_never_write_programs_or_limits():
    p = Pair()
    p.login(Role.PATIENT)
    for name in ("AREA_WRITE", "PROGRAM_COMMIT", "LIMITS_WRITE"):
        frames = p.raw(p.host.request_bytes(make(CAT, name), p.seq.next()))
        assert result_of(frames) == "NOT_PERMITTED"
    assert p.device.executions == {}
    assert [e.code for e in p.guard.events] == ["NOT_PERMITTED"] * 3
    p.request(make(CAT, "STIM_SET", on=1))
    assert p.device.stim_on == 1


@pytest.mark.requirement("SRS-SEC-004", "SRS-SEC-007", "SRS-GEN-RESULT-REPLAY")
def test_a_recorded_frame_replayed_is_rejected_and_recorded():
    p = Pair()
    p.login()
    recorded = p.host.request_bytes(make(CAT, "STIM_SET", on=1), 40)
    p.raw(recorded)
    p.request(make(CAT, "STIM_SET", on=0))
    assert result_of(p.raw(recorded)) == "STALE_COUNTER"
    last = p.host.request_bytes(make(CAT, "STATUS_GET"), 50)
    p.raw(last)
    assert result_of(p.raw(last)) == "REPLAY"
    assert p.device.stim_on == 0
    assert [e.code for e in p.guard.events] == ["STALE_COUNTER", "REPLAY"]


@pytest.mark.requirement("SRS-SEC-006", "SRS-SEC-007", "SRS-GEN-RESULT-BAD_TAG")
def test_a_frame_with_a_bad_tag_is_rejected_and_recorded():
    p = Pair()
    p.login()
    counter, _ = p.host.session.sign()
    frames = p.raw(encode_frame(CAT["STIM_SET"].id, 3, b"\x01", 0, counter, lambda body: bytes(8)))
    assert result_of(frames) == "BAD_TAG"
    assert p.device.executions == {} and p.guard.events[-1].code == "BAD_TAG"


@pytest.mark.requirement("SRS-SEC-008")
def test_a_device_frame_reflected_back_to_the_device_does_not_verify():
    p = Pair()
    p.login()
    p.raw(p.host.request_bytes(make(CAT, "STATUS_GET"), 8))
    device_frame = bytes(p.wire_d2h).split(b"\x00")[-2] + b"\x00"
    assert result_of(p.raw(device_frame)) in ("UNKNOWN_MESSAGE", "BAD_TAG")


def test_the_host_rejects_an_impostor_device_and_a_tampered_device_frame():
    impostor = DeviceKeys(KEYS.device_id, bytes(32), bytes([1]) * 32)
    p = Pair(keys=impostor)
    with pytest.raises(HandshakeError, match="impostor"):
        p.login()
    p = Pair()
    p.login()
    frames = p.raw(p.host.request_bytes(make(CAT, "STATUS_GET"), 9))
    f = frames[0]
    forged = Frame(f.msg_id, f.flags, f.seq, f.payload, f.counter + 1, f.tag, signed_body=f.signed_body[:-4]
                   + (f.counter + 1).to_bytes(4, "little"))
    with pytest.raises(ProtocolError, match="BAD_TAG"):
        p.host.accept(forged)


@pytest.mark.requirement("SRS-SEC-012", "SRS-GEN-BACKOFF")
def test_failed_handshakes_back_off_with_increasing_delay_in_device_time():
    p = Pair()
    wrong = DeviceKeys(KEYS.device_id, bytes(range(32)), bytes(32))
    delays = []
    for attempt in range(4):
        hs = HostHandshake(wrong, Role.CLINICIAN, counter_rng(attempt))
        _, ch = p.request(p.host.start_handshake(hs))
        assert CAT.result_name(ch.result) == "OK"
        # the host can't check the device proof with a wrong key; it sends its (wrong) proof anyway
        hs.host_nonce, hs.device_nonce = hs.host_nonce, ch.device_nonce
        _, sess = p.request(make(CAT, "AUTH", host_nonce=hs.host_nonce, host_proof=bytes(32)))
        assert CAT.result_name(sess.result) == "BAD_TAG"
        _, busy = p.request(p.host.start_handshake(HostHandshake(KEYS, Role.CLINICIAN, counter_rng(7 + attempt))))
        assert CAT.result_name(busy.result) == "BUSY"
        delays.append(busy.retry_after_ms)
        p.device.now = p.guard.backoff_until[Role.CLINICIAN]  # wait it out in device time
    assert delays == [1000, 2000, 4000, 8000]
    p.login()  # after the back-off the right key gets in, and the failure count resets
    assert p.guard.failures(Role.CLINICIAN) == 0
    assert sum(e.code == "BAD_TAG" for e in p.guard.events) == 4


def test_a_new_successful_handshake_replaces_the_previous_session():
    p = Pair()
    p.login()
    old = p.host.session
    p.login(Role.PATIENT)
    counter, signer = old.sign()
    frames = p.raw(encode_frame(CAT["STATUS_GET"].id, 3, b"", 0, counter, signer))
    assert result_of(frames) == "BAD_TAG"


def test_key_files_load_and_bad_key_files_are_named():
    text = new_key_file([0x5C5000000001, 0x5C5000000002])
    import tomllib

    store = KeyStore.from_dict(tomllib.loads(text))
    assert len(store.devices) == 2 and store.keys(0x5C5000000002).patient != store.keys(0x5C5000000002).clinician
    with pytest.raises(KeyFileError, match="no such key file"):
        KeyStore.load("/no/such/keys.toml")
    with pytest.raises(KeyFileError, match="64 hex digits"):
        KeyStore.from_dict({"device": [{"device_id": 1, "patient_key": "00", "clinician_key": "11"}]})
    with pytest.raises(KeyFileError, match="must differ"):
        KeyStore.from_dict({"device": [{"device_id": 1, "patient_key": "00" * 32, "clinician_key": "00" * 32}]})


def test_signed_frames_carry_counter_and_an_8_byte_tag():
    p = Pair()
    p.login()
    wire = p.host.request_bytes(make(CAT, "STATUS_GET"), 12)
    [frame] = StreamDecoder().feed(wire)
    assert frame.flags & FLAG_SIGNED and len(frame.tag) == 8 and frame.counter >= 1


@SETTINGS
@given(st.binary(min_size=1, max_size=100), st.binary(max_size=300))
def test_precomputed_pad_authenticator_equals_plain_hmac_sha256(key, body):
    from protocol.session import HOST_TO_DEVICE, FrameAuthenticator, frame_tag

    assert FrameAuthenticator(key).tag(HOST_TO_DEVICE, body) == frame_tag(key, HOST_TO_DEVICE, body)


def test_scs_keys_new_writes_a_private_key_file_that_loads(tmp_path, capsys):
    from hil.cli.main import main

    path = tmp_path / "keys.toml"
    assert main(["keys", "new", "--device-id", "0x5c5000000001", "--out", str(path)]) == 0
    assert path.stat().st_mode & 0o777 == 0o600
    assert KeyStore.load(path).keys(0x5C5000000001)
    assert main(["keys", "new", "--device-id", "1", "--out", str(path)]) == 2
    assert "refusing to overwrite" in capsys.readouterr().err
