/* Single-precision e^x for the fuel gauge, written with + - * / only. */
#ifndef SCS_FMATH_H
#define SCS_FMATH_H

/* e^x, 0 below x = -87 (where e^x leaves the normal floats). */
float scs_expf(float x);
/* e^x - 1, accurate for small |x| too (a thermal step of 1 ms against a 600 s time constant). */
float scs_expm1f(float x);

#endif
