#include "nvm.h"

#include <string.h>

#include "le.h"

#include "crc32.h"

#define MAGIC SCS_SETTINGS_MAGIC
#define HEADER 12u


/* sequence of a valid image, or -1 */
static int64_t valid_sequence(const uint8_t *s)
{
    uint32_t len = rd32(&s[8]);
    if ((rd32(s) != MAGIC) || (len > (SCS_NVM_SLOT_SIZE - HEADER - 4u))) {
        return -1;
    }
    if (scs_crc32(s, HEADER + len) != rd32(&s[HEADER + len])) {
        return -1;
    }
    return rd32(&s[4]);
}

int scs_nvm_slot_valid(const scs_nvm_t *nvm, unsigned slot) { return valid_sequence(nvm->slot[slot]) >= 0; }

int scs_nvm_slot_blank(const scs_nvm_t *nvm, unsigned slot)
{
    for (unsigned i = 0; i < SCS_NVM_SLOT_SIZE; i++) {
        if (nvm->slot[slot][i] != 0xFFu) {
            return 0;
        }
    }
    return 1;
}

int scs_nvm_load(const scs_nvm_t *nvm, uint8_t *out, size_t cap, size_t *len, uint32_t *sequence)
{
    int64_t s0 = valid_sequence(nvm->slot[0]);
    int64_t s1 = valid_sequence(nvm->slot[1]);
    if ((s0 < 0) && (s1 < 0)) {
        return 0;
    }
    const uint8_t *s = (s0 >= s1) ? nvm->slot[0] : nvm->slot[1];
    uint32_t n = rd32(&s[8]);
    if (n > cap) {
        return 0;
    }
    (void)memcpy(out, &s[HEADER], n);
    *len = n;
    *sequence = rd32(&s[4]);
    return 1;
}

static int step(scs_nvm_t *nvm)
{
    if ((nvm->fail_at_step >= 0) && (nvm->steps == (uint32_t)nvm->fail_at_step)) {
        nvm->fail_at_step = -1;
        nvm->power_lost = 1;
        return 0;
    }
    nvm->steps++;
    return 1;
}

void scs_nvm_erase_all(scs_nvm_t *nvm)
{
    (void)memset(nvm->slot[0], 0xFF, SCS_NVM_SLOT_SIZE);
    (void)memset(nvm->slot[1], 0xFF, SCS_NVM_SLOT_SIZE);
}

int scs_nvm_save(scs_nvm_t *nvm, const uint8_t *payload, size_t len)
{
    static uint8_t image[SCS_NVM_SLOT_SIZE];
    if ((HEADER + len + 4u) > SCS_NVM_SLOT_SIZE) {
        return -1;
    }
    int64_t s0 = valid_sequence(nvm->slot[0]);
    int64_t s1 = valid_sequence(nvm->slot[1]);
    int64_t newest = (s0 > s1) ? s0 : s1;
    uint8_t target = (s0 >= s1) ? 1u : 0u; /* never overwrite the newest valid image */
    size_t n = HEADER + len + 4u;
    wr32(image, MAGIC);
    wr32(&image[4], (uint32_t)newest + 1u); /* -1 (no valid image) wraps to sequence 0 */
    wr32(&image[8], (uint32_t)len);
    (void)memcpy(&image[HEADER], payload, len);
    wr32(&image[HEADER + len], scs_crc32(image, HEADER + len));
    if (!step(nvm)) {
        return -2;
    }
    (void)memset(nvm->slot[target], 0xFF, SCS_NVM_SLOT_SIZE);
    for (size_t off = SCS_NVM_PAGE; off < n; off += SCS_NVM_PAGE) {
        if (!step(nvm)) {
            return -2;
        }
        size_t rest = n - off;
        (void)memcpy(&nvm->slot[target][off], &image[off], (rest < SCS_NVM_PAGE) ? rest : SCS_NVM_PAGE);
    }
    if (!step(nvm)) {
        return -2;
    }
    (void)memcpy(nvm->slot[target], image, (n < SCS_NVM_PAGE) ? n : SCS_NVM_PAGE);
    return 0;
}
