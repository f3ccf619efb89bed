/* SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104), checked against the RFC 4231 vectors. */
#ifndef SCS_SHA256_H
#define SCS_SHA256_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint32_t state[8];
    uint64_t length;
    uint8_t block[64];
    size_t used;
} scs_sha256_t;

void scs_sha256_init(scs_sha256_t *ctx);
void scs_sha256_update(scs_sha256_t *ctx, const uint8_t *data, size_t len);
void scs_sha256_final(scs_sha256_t *ctx, uint8_t digest[32]);
void scs_sha256(const uint8_t *data, size_t len, uint8_t digest[32]);

typedef struct {
    scs_sha256_t inner;
    scs_sha256_t outer;
} scs_hmac_t;

void scs_hmac_init(scs_hmac_t *ctx, const uint8_t *key, size_t key_len);
void scs_hmac_update(scs_hmac_t *ctx, const uint8_t *data, size_t len);
void scs_hmac_final(scs_hmac_t *ctx, uint8_t mac[32]);
void scs_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t mac[32]);
/* Constant-time comparison: 1 when equal. */
int scs_equal(const uint8_t *a, const uint8_t *b, size_t len);
#endif
