/* The host port: simulated boards in one process (the shared library the tests load with ctypes, and
 * the fuzz harnesses). Each board is a host_t whose first member is the core's state, so the platform
 * functions (platform_host.c) find their board from the fw pointer the core passes. */
#ifndef SCS_HOST_H
#define SCS_HOST_H
#include <stddef.h>
#include <stdint.h>

#include "core.h"

typedef struct {
    scs_fw_t fw;                          /* first: platform_host.c casts fw to its host_t */
    uint8_t slots[2][SCS_NVM_SLOT_SIZE];  /* the settings storage of this simulated board */
    uint32_t record[2][SCS_RECORD_WORDS]; /* its security record */
    uint8_t *out;                         /* where frames sent go (scs_host_receive's buffer) */
    size_t out_len;
    size_t out_cap;
} host_t;

/* A board with these keys (test_key may be NULL: no test role), blank storage, powered on. */
void *scs_host_new(uint64_t device_id, const uint8_t *patient_key, const uint8_t *clinician_key, const uint8_t *test_key);
void scs_host_free(void *h);
/* Feed bytes; the bytes it sent in answer go to out (up to out_cap); returns how many. */
size_t scs_host_receive(void *handle, const uint8_t *data, size_t len, uint8_t *out, size_t out_cap);
#endif
