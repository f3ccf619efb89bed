#include "cobs.h"

size_t scs_cobs_encode(const uint8_t *in, size_t len, uint8_t *out)
{
    size_t code_at = 0u;
    size_t o = 1u;
    uint8_t code = 1u;
    for (size_t i = 0u; i < len; i++) {
        if (in[i] == 0u) {
            out[code_at] = code;
            code_at = o;
            o++;
            code = 1u;
        } else {
            out[o] = in[i];
            o++;
            code++;
            if (code == 0xFFu) {
                out[code_at] = code;
                code_at = o;
                o++;
                code = 1u;
            }
        }
    }
    out[code_at] = code;
    return o;
}

long scs_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap)
{
    size_t i = 0u;
    size_t o = 0u;
    while (i < len) {
        uint8_t code = in[i];
        i++;
        if (code == 0u) {
            return -1;
        }
        for (uint8_t k = 1u; k < code; k++) {
            if ((i >= len) || (in[i] == 0u) || (o >= out_cap)) {
                return -1;
            }
            out[o] = in[i];
            o++;
            i++;
        }
        if ((code != 0xFFu) && (i < len)) {
            if (o >= out_cap) {
                return -1;
            }
            out[o] = 0u;
            o++;
        }
    }
    return (long)o;
}
