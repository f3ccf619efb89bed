/* libFuzzer harness over the board core's settings decode (ASan, UBSan): the input is stored as a
 * valid settings image (magic, sequence, length and CRC right, so decoding is reached) and the board
 * boots from it; it must come up with stimulation either from a well-formed image or safely off. */
#include <stdint.h>
#include <string.h>

#include "core.h"

static uint8_t slots[2][SCS_NVM_SLOT_SIZE];
static uint32_t record[2][SCS_RECORD_WORDS];

static void sink(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    (void)data;
    (void)len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const scs_keys_t keys = {0x5C5000000001ull, {1}, {2}, {3}, 1, 1};
    static scs_fw_t fw;
    memset(slots, 0xFF, sizeof slots);
    memset(record, 0xFF, sizeof record);
    scs_fw_init(&fw, &keys, sink, 0);
    fw.virtual_clock = 1;
    scs_fw_attach_security(&fw, record[0], record[1], 0);
    scs_fw_boot(&fw, slots[0], slots[1]);
    if (scs_nvm_save(&fw.nvm, data, size) != 0)
        return 0; /* does not fit a slot */
    scs_fw_reboot(&fw, 0);
    scs_fw_advance(&fw, 1000000u);
    scs_fw_service(&fw);
    return 0;
}
