/* Single-precision e^x and e^x - 1 from + - * / and an exponent built in the bits. Not a libm's expf:
 * newlib's (on the board) and glibc's (in the host library) differ by an ulp now and then, and newlib's
 * newer one computes in double, which the FPv4-SP has not. These use IEEE single operations alone,
 * in one order (no contraction: -ffp-contract=off), so the board and the host library agree bit for bit. */
#include <stdint.h>
#include <string.h>

#include "fmath.h"

/* ln 2 in two parts: k * LN2_HI is exact for |k| < 512 (its last 9 bits are zero) */
#define LN2_HI 0.693145751953125f
#define LN2_LO 1.4286068202862268e-6f
#define INV_LN2 1.4426950408889634f
#define LOWEST_X (-87.0f) /* below: e^x < 2^-125 */
#define HIGHEST_X 88.0f   /* above: e^x > FLT_MAX */

/* 2^k as a float for -126 <= k <= 127 */
static float pow2(int k)
{
    uint32_t bits = ((uint32_t)k + 127u) << 23u; /* k + 127 is in 1..254: no wrap survives the sum */
    float f;
    (void)memcpy((void *)&f, (const void *)&bits, sizeof f); /* the bits of a float: a pun through bytes */
    return f;
}

/* e^r - 1 for |r| <= ln2 / 2: the Taylor series to r^8 (what it leaves out is below 2^-29 of it) */
static float expm1_reduced(float r)
{
    float p = 1.0f / 40320.0f;
    p = (p * r) + (1.0f / 5040.0f);
    p = (p * r) + (1.0f / 720.0f);
    p = (p * r) + (1.0f / 120.0f);
    p = (p * r) + (1.0f / 24.0f);
    p = (p * r) + (1.0f / 6.0f);
    p = (p * r) + 0.5f;
    p = (p * r) + 1.0f;
    return p * r;
}

/* x = k ln2 + r with |r| <= ln2 / 2; returns e^r - 1 */
static float reduce(float x, int *k)
{
    float t = x * INV_LN2;
    float half = (t < 0.0f) ? -0.5f : 0.5f; /* t + -0.5f is t - 0.5f exactly */
    float rounded = t + half;
    *k = (int)rounded;
    float kf = (float)*k;
    return expm1_reduced((x - (kf * LN2_HI)) - (kf * LN2_LO));
}

float scs_expf(float x)
{
    float xc = x;
    if (xc < LOWEST_X) {
        return 0.0f;
    }
    if (xc > HIGHEST_X) {
        xc = HIGHEST_X;
    }
    int k;
    float m = reduce(xc, &k);
    return pow2(k) * (m + 1.0f);
}

float scs_expm1f(float x)
{
    float xc = x;
    if (xc < LOWEST_X) {
        return -1.0f;
    }
    if (xc > HIGHEST_X) {
        xc = HIGHEST_X;
    }
    int k;
    float m = reduce(xc, &k);
    return (k == 0) ? m : ((pow2(k) * (m + 1.0f)) - 1.0f);
}
