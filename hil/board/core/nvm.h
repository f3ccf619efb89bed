/* Persistent settings in two slots: a power loss at any step of a write leaves the old or the new
 * image, never a mix (the same layout and rules as firmware_model/device/nvm.py):
 *   magic u32 "SCS1" | sequence u32 | length u32 | payload | CRC-32 of everything before it
 * A write goes to the slot not holding the newest valid image: erase, every page but the first,
 * then the first page (with the magic), so the image validates only once complete. */
#ifndef SCS_NVM_H
#define SCS_NVM_H
#include <stddef.h>
#include <stdint.h>

#include "scs_protocol.h"

#define SCS_NVM_SLOT_SIZE SCS_SETTINGS_SLOT_SIZE
#define SCS_NVM_PAGE SCS_SETTINGS_PAGE_SIZE

typedef struct {
    uint8_t *slot[2];           /* memory of each slot (backup SRAM, retained SRAM or a host array) */
    int32_t fail_at_step;       /* host tests: the write step that loses power (-1: never) */
    uint32_t steps;
    uint8_t power_lost;
} scs_nvm_t;

/* 1 with the newest valid payload copied to out (*len set), 0 when no slot is valid. */
int scs_nvm_load(const scs_nvm_t *nvm, uint8_t *out, size_t cap, size_t *len, uint32_t *sequence);
int scs_nvm_slot_valid(const scs_nvm_t *nvm, unsigned slot);
int scs_nvm_slot_blank(const scs_nvm_t *nvm, unsigned slot);
/* 0 on success, -1 when the payload does not fit a slot, -2 when power was lost during the write. */
int scs_nvm_save(scs_nvm_t *nvm, const uint8_t *payload, size_t len);
void scs_nvm_erase_all(scs_nvm_t *nvm);
#endif
