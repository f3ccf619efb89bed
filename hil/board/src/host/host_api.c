/* A C API around the portable core for host tests (ctypes): no struct layouts cross the boundary. */
#include <stdlib.h>
#include <string.h>

#include "fw.h"

typedef struct {
    scs_fw_t fw;
    uint8_t *out;
    size_t out_len, out_cap;
} host_t;

static void collect(void *ctx, const uint8_t *data, size_t len)
{
    host_t *h = ctx;
    size_t n = len;
    if (h->out_len + n > h->out_cap)
        n = h->out_cap - h->out_len;
    memcpy(h->out + h->out_len, data, n);
    h->out_len += n;
}

void *scs_host_new(uint64_t device_id, const uint8_t *patient_key, const uint8_t *clinician_key, const uint8_t *seed)
{
    host_t *h = calloc(1, sizeof *h);
    if (!h)
        return 0;
    scs_keys_t keys;
    keys.device_id = device_id;
    memcpy(keys.patient_key, patient_key, SCS_KEY_SIZE);
    memcpy(keys.clinician_key, clinician_key, SCS_KEY_SIZE);
    memcpy(keys.nonce_seed, seed, SCS_KEY_SIZE);
    scs_fw_init(&h->fw, &keys, collect, h);
    return h;
}

void scs_host_free(void *h) { free(h); }

size_t scs_host_receive(void *handle, const uint8_t *data, size_t len, uint8_t *out, size_t out_cap)
{
    host_t *h = handle;
    h->out = out;
    h->out_len = 0;
    h->out_cap = out_cap;
    scs_fw_receive(&h->fw, data, len);
    return h->out_len;
}

void scs_host_advance(void *handle, uint64_t ticks) { scs_fw_advance(&((host_t *)handle)->fw, ticks); }
uint32_t scs_host_dropped(void *handle) { return ((host_t *)handle)->fw.dropped_frames; }
