/* libFuzzer harness over the board core's receive path (built with ASan and UBSan), on the host port.
 * First input byte: 0 = raw bytes from an unauthenticated line; otherwise a session of role
 * 1 + (byte % 3) is open (set up directly: the harness is white-box) and the rest is cut into frames
 * whose id, flags and payload come from the input, signed with the session key so that they reach
 * the handlers.  After each input the core must still answer DEVICE_INFO_GET. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cobs.h"
#include "host.h"
#include "le.h"

static uint8_t out[1 << 16];

/* 1 when a frame in the answer carries sequence number seq. */
static int answered(const uint8_t *data, size_t len, uint16_t seq)
{
    static uint8_t raw[SCS_MAX_DECODED];
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        if (data[i] != 0)
            continue;
        if (i > start && i - start <= SCS_MAX_ENCODED) {
            long n = scs_cobs_decode(data + start, i - start, raw, sizeof raw);
            if (n >= 5 && rd16(raw + 3) == seq)
                return 1;
        }
        start = i + 1;
    }
    return 0;
}

/* One frame to the board (the core's own frame assembly), after a delimiter; the bytes it answered. */
static size_t send_frame(host_t *h, uint8_t id, uint8_t flags, uint16_t seq, const uint8_t *payload, size_t len, int sign)
{
    static uint8_t wire[SCS_MAX_ENCODED + 2];
    /* the core advances its counter when the frame verifies */
    scs_frame_t f = {id, flags, seq, payload, len, sign, h->fw.session.rx_counter + 1u, -1};
    wire[0] = 0;
    size_t m = scs_frame_encode(&h->fw, &f, wire + 1) + 1;
    return scs_host_receive(h, wire, m, out, sizeof out);
}

static void session_frames(host_t *h, const uint8_t *data, size_t size)
{
    h->fw.session.role = (uint8_t)(1u + data[0] % 3u);
    memset(h->fw.session.session_key, 0x5A, sizeof h->fw.session.session_key);
    size_t at = 1;
    while (at + 4 <= size) {
        uint8_t id = data[at], flags = data[at + 1] & (SCS_FLAG_RESPONSE | SCS_FLAG_EVENT), len = data[at + 2];
        uint16_t seq = (uint16_t)(data[at + 3] | 1u);
        at += 4;
        size_t take = len < size - at ? len : size - at;
        send_frame(h, id, flags, seq, data + at, take, h->fw.session.role != 0);
        at += take;
        if (h->fw.session.role == 0)
            break; /* SESSION_END or RESET ended it */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t patient[SCS_KEY_SIZE] = {1}, clinician[SCS_KEY_SIZE] = {2}, test[SCS_KEY_SIZE] = {3};
    if (!size)
        return 0;
    host_t *h = scs_host_new(0x5C5000000001ull, patient, clinician, test);
    h->fw.keys.development = 1;
    if (data[0] == 0)
        scs_host_receive(h, data + 1, size - 1, out, sizeof out);
    else
        session_frames(h, data, size);
    static const uint8_t none[1] = {0};
    size_t n = send_frame(h, SCS_MSG_DEVICE_INFO_GET, 0, 0xFFFF, none, 0, 0);
    if (!answered(out, n, 0xFFFF))
        __builtin_trap();
    scs_host_free(h);
    return 0;
}
