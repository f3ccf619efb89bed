/* Little-endian loads and stores: the wire and the settings image are little-endian on every host. */
#ifndef SCS_LE_H
#define SCS_LE_H
#include <stdint.h>

static inline uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline void wr16(uint8_t *p, uint16_t v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static inline void wr32(uint8_t *p, uint32_t v)
{
    for (unsigned i = 0u; i < 4u; i++) {
        p[i] = (uint8_t)(v >> (8u * i));
    }
}
static inline void wr64(uint8_t *p, uint64_t v)
{
    for (unsigned i = 0u; i < 8u; i++) {
        unsigned shift = 8u * i;
        p[i] = (uint8_t)(v >> shift);
    }
}
#endif
