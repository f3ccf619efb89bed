/* CRC-32/ISO-HDLC: poly 0x04C11DB7 reflected, init and xorout 0xFFFFFFFF; check("123456789") = 0xCBF43926. */
#ifndef SCS_CRC32_H
#define SCS_CRC32_H
#include <stddef.h>
#include <stdint.h>
uint32_t scs_crc32(const uint8_t *data, size_t len);
#endif
