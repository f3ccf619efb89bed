/* Consistent Overhead Byte Stuffing (no 0x00 in the output; the 0x00 delimiter is added by the caller). */
#ifndef SCS_COBS_H
#define SCS_COBS_H
#include <stddef.h>
#include <stdint.h>
/* Returns the encoded length; out must hold len + len / 254 + 1 bytes. */
size_t scs_cobs_encode(const uint8_t *in, size_t len, uint8_t *out);
/* Returns the decoded length, or -1 when the input is not valid COBS (or out is too small). */
long scs_cobs_decode(const uint8_t *in, size_t len, uint8_t *out, size_t out_cap);
#endif
