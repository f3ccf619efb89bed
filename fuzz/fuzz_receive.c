/* libFuzzer harness over the board core's receive path (built with ASan and UBSan).
 * First input byte: 0 = raw bytes from an unauthenticated line; otherwise a session of role
 * 1 + (byte % 3) is open (set up directly: the harness is white-box) and the rest is cut into frames
 * whose id, flags and payload come from the input, signed with the session key so that they reach
 * the handlers.  After each input the core must still answer DEVICE_INFO_GET. */
#include <stdint.h>
#include <string.h>

#include "core.h"
#include "cobs.h"
#include "crc32.h"
#include "le.h"

static uint8_t answered;
static uint16_t want_seq;
static uint8_t slots[2][SCS_NVM_SLOT_SIZE];
static uint32_t record[2][SCS_RECORD_WORDS];
static scs_fw_t fw;

static void sink(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    static uint8_t raw[SCS_MAX_DECODED];
    if (len > 1 && len <= SCS_MAX_ENCODED + 1) {
        long n = scs_cobs_decode(data, len - 1, raw, sizeof raw);
        if (n >= 5 && rd16(raw + 3) == want_seq)
            answered = 1;
    }
}

static void send_frame(uint8_t id, uint8_t flags, uint16_t seq, const uint8_t *payload, size_t len, int sign)
{
    static uint8_t body[SCS_MAX_DECODED], wire[SCS_MAX_ENCODED + 2];
    if (len > SCS_MAX_PAYLOAD)
        len = SCS_MAX_PAYLOAD;
    size_t n = 0;
    body[n++] = SCS_PROTOCOL_VERSION;
    body[n++] = id;
    body[n++] = (uint8_t)(flags | (sign ? SCS_FLAG_SIGNED : 0));
    wr16(body + n, seq);
    n += 2;
    memcpy(body + n, payload, len);
    n += len;
    if (sign) {
        wr32(body + n, fw.session.rx_counter + 1u); /* the core advances it when the frame verifies */
        n += 4;
        scs_session_tag(&fw, 1, body, n, -1, body + n);
        n += SCS_TAG_SIZE;
    }
    wr32(body + n, scs_crc32(body, n));
    n += 4;
    wire[0] = 0;
    size_t m = scs_cobs_encode(body, n, wire + 1) + 1;
    wire[m++] = 0;
    scs_fw_receive(&fw, wire, m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const scs_keys_t keys = {0x5C5000000001ull, {1}, {2}, {3}, 1, 1};
    if (!size)
        return 0;
    memset(slots, 0xFF, sizeof slots);
    memset(record, 0xFF, sizeof record);
    scs_fw_init(&fw, &keys, sink, 0);
    fw.virtual_clock = 1;
    scs_fw_attach_security(&fw, record[0], record[1], 0);
    scs_fw_boot(&fw, slots[0], slots[1]);
    if (data[0] == 0) {
        scs_fw_receive(&fw, data + 1, size - 1);
    } else {
        fw.session.role = (uint8_t)(1u + data[0] % 3u);
        memset(fw.session.session_key, 0x5A, sizeof fw.session.session_key);
        size_t at = 1;
        while (at + 4 <= size) {
            uint8_t id = data[at], flags = data[at + 1] & 0x03u, len = data[at + 2];
            uint16_t seq = (uint16_t)(data[at + 3] | 1u);
            at += 4;
            size_t take = len < size - at ? len : size - at;
            send_frame(id, flags, seq, data + at, take, fw.session.role != 0);
            at += take;
            if (fw.session.role == 0)
                break; /* SESSION_END or RESET ended it */
        }
    }
    answered = 0;
    want_seq = 0xFFFF;
    static const uint8_t none[1] = {0};
    send_frame(SCS_MSG_DEVICE_INFO_GET, 0, want_seq, none, 0, 0);
    if (!answered)
        __builtin_trap();
    return 0;
}
