/* libFuzzer harness over the board core's settings decode (ASan, UBSan), on the host port: the input
 * is stored as a valid settings image (magic, sequence, length and CRC right, so decoding is reached)
 * and the board boots from it; it must come up with stimulation either from a well-formed image or
 * safely off. */
#include <stdint.h>
#include <string.h>

#include "host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const uint8_t patient[SCS_KEY_SIZE] = {1}, clinician[SCS_KEY_SIZE] = {2}, test[SCS_KEY_SIZE] = {3};
    host_t *h = scs_host_new(0x5C5000000001ull, patient, clinician, test);
    if (scs_nvm_save(&h->fw.nvm, data, size) == 0) { /* else: it does not fit a slot */
        scs_fw_reboot(&h->fw, 0);
        scs_fw_advance(&h->fw, 1000000u);
        scs_fw_service(&h->fw);
    }
    scs_host_free(h);
    return 0;
}
