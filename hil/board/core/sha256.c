#include "sha256.h"

#include <string.h>

static uint32_t rotr(uint32_t x, unsigned n) { return (x >> n) | (x << (32u - n)); }

static void compress(uint32_t s[8], const uint8_t b[64])
{
    static const uint32_t K[64] = {
        0x428a2f98u, 0x71374491u, 0xb5c0fbcfu, 0xe9b5dba5u, 0x3956c25bu, 0x59f111f1u, 0x923f82a4u, 0xab1c5ed5u,
        0xd807aa98u, 0x12835b01u, 0x243185beu, 0x550c7dc3u, 0x72be5d74u, 0x80deb1feu, 0x9bdc06a7u, 0xc19bf174u,
        0xe49b69c1u, 0xefbe4786u, 0x0fc19dc6u, 0x240ca1ccu, 0x2de92c6fu, 0x4a7484aau, 0x5cb0a9dcu, 0x76f988dau,
        0x983e5152u, 0xa831c66du, 0xb00327c8u, 0xbf597fc7u, 0xc6e00bf3u, 0xd5a79147u, 0x06ca6351u, 0x14292967u,
        0x27b70a85u, 0x2e1b2138u, 0x4d2c6dfcu, 0x53380d13u, 0x650a7354u, 0x766a0abbu, 0x81c2c92eu, 0x92722c85u,
        0xa2bfe8a1u, 0xa81a664bu, 0xc24b8b70u, 0xc76c51a3u, 0xd192e819u, 0xd6990624u, 0xf40e3585u, 0x106aa070u,
        0x19a4c116u, 0x1e376c08u, 0x2748774cu, 0x34b0bcb5u, 0x391c0cb3u, 0x4ed8aa4au, 0x5b9cca4fu, 0x682e6ff3u,
        0x748f82eeu, 0x78a5636fu, 0x84c87814u, 0x8cc70208u, 0x90befffau, 0xa4506cebu, 0xbef9a3f7u, 0xc67178f2u,
    };
    uint32_t w[64];
    for (unsigned i = 0u; i < 16u; i++) {
        w[i] = ((uint32_t)b[4u * i] << 24) | ((uint32_t)b[(4u * i) + 1u] << 16) | ((uint32_t)b[(4u * i) + 2u] << 8) |
               (uint32_t)b[(4u * i) + 3u];
    }
    for (unsigned i = 16u; i < 64u; i++) {
        uint32_t s0 = rotr(w[i - 15u], 7u) ^ rotr(w[i - 15u], 18u) ^ (w[i - 15u] >> 3);
        uint32_t s1 = rotr(w[i - 2u], 17u) ^ rotr(w[i - 2u], 19u) ^ (w[i - 2u] >> 10);
        w[i] = w[i - 16u] + s0 + w[i - 7u] + s1;
    }
    uint32_t a = s[0];
    uint32_t bb = s[1];
    uint32_t c = s[2];
    uint32_t d = s[3];
    uint32_t e = s[4];
    uint32_t f = s[5];
    uint32_t g = s[6];
    uint32_t h = s[7];
    for (unsigned i = 0u; i < 64u; i++) {
        uint32_t t1 = h + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
        h = g; g = f; f = e; e = d + t1; d = c; c = bb; bb = a; a = t1 + t2;
    }
    s[0] += a; s[1] += bb; s[2] += c; s[3] += d; s[4] += e; s[5] += f; s[6] += g; s[7] += h;
}

void scs_sha256_init(scs_sha256_t *ctx)
{
    static const uint32_t iv[8] = {0x6a09e667u, 0xbb67ae85u, 0x3c6ef372u, 0xa54ff53au,
                                   0x510e527fu, 0x9b05688cu, 0x1f83d9abu, 0x5be0cd19u};
    (void)memcpy(ctx->state, iv, sizeof iv);
    ctx->length = 0u;
    ctx->used = 0u;
}

void scs_sha256_update(scs_sha256_t *ctx, const uint8_t *data, size_t len)
{
    size_t done = 0u;
    ctx->length += len;
    while (done < len) {
        size_t n = 64u - ctx->used;
        if (n > (len - done)) {
            n = len - done;
        }
        (void)memcpy(&ctx->block[ctx->used], &data[done], n);
        ctx->used += n;
        done += n;
        if (ctx->used == 64u) {
            compress(ctx->state, ctx->block);
            ctx->used = 0u;
        }
    }
}

void scs_sha256_final(scs_sha256_t *ctx, uint8_t digest[32])
{
    uint64_t bits = ctx->length * 8u;
    uint8_t pad = 0x80u;
    scs_sha256_update(ctx, &pad, 1u);
    pad = 0u;
    while (ctx->used != 56u) {
        scs_sha256_update(ctx, &pad, 1u);
    }
    uint8_t len_be[8];
    for (unsigned i = 0u; i < 8u; i++) {
        unsigned shift = 56u - (8u * i);
        len_be[i] = (uint8_t)(bits >> shift);
    }
    scs_sha256_update(ctx, len_be, 8u);
    for (unsigned i = 0u; i < 8u; i++) {
        digest[4u * i] = (uint8_t)(ctx->state[i] >> 24);
        digest[(4u * i) + 1u] = (uint8_t)(ctx->state[i] >> 16);
        digest[(4u * i) + 2u] = (uint8_t)(ctx->state[i] >> 8);
        digest[(4u * i) + 3u] = (uint8_t)ctx->state[i];
    }
}

void scs_sha256(const uint8_t *data, size_t len, uint8_t digest[32])
{
    scs_sha256_t ctx;
    scs_sha256_init(&ctx);
    scs_sha256_update(&ctx, data, len);
    scs_sha256_final(&ctx, digest);
}

void scs_hmac_init(scs_hmac_t *ctx, const uint8_t *key, size_t key_len)
{
    uint8_t block[64] = {0};
    if (key_len > 64u) {
        scs_sha256(key, key_len, block);
    } else {
        (void)memcpy(block, key, key_len);
    }
    uint8_t pad[64];
    for (unsigned i = 0u; i < 64u; i++) {
        pad[i] = block[i] ^ 0x36u;
    }
    scs_sha256_init(&ctx->inner);
    scs_sha256_update(&ctx->inner, pad, 64u);
    for (unsigned i = 0u; i < 64u; i++) {
        pad[i] = block[i] ^ 0x5Cu;
    }
    scs_sha256_init(&ctx->outer);
    scs_sha256_update(&ctx->outer, pad, 64u);
}

void scs_hmac_update(scs_hmac_t *ctx, const uint8_t *data, size_t len) { scs_sha256_update(&ctx->inner, data, len); }

void scs_hmac_final(scs_hmac_t *ctx, uint8_t mac[32])
{
    uint8_t inner[32];
    scs_sha256_final(&ctx->inner, inner);
    scs_sha256_update(&ctx->outer, inner, 32u);
    scs_sha256_final(&ctx->outer, mac);
}

void scs_hmac_sha256(const uint8_t *key, size_t key_len, const uint8_t *data, size_t len, uint8_t mac[32])
{
    scs_hmac_t ctx;
    scs_hmac_init(&ctx, key, key_len);
    scs_hmac_update(&ctx, data, len);
    scs_hmac_final(&ctx, mac);
}

int scs_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
    uint8_t diff = 0u;
    for (size_t i = 0u; i < len; i++) {
        diff |= a[i] ^ b[i];
    }
    return diff == 0u;
}
