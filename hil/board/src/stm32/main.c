/* The dev board: the portable protocol core on USART1, its clock from TIM2. */
#include "fw.h"
#include "hal.h"

extern const scs_keys_t scs_board_keys;
static scs_fw_t fw;

int main(void)
{
    hal_init();
    scs_fw_init(&fw, &scs_board_keys, hal_usart_write, 0);
    uint8_t *storage = hal_settings_storage();
    scs_fw_attach_security(&fw, hal_security_record(0), hal_security_record(1),
                           hal_is_emulator() ? hal_emulator_seed : hal_rng);
    scs_fw_boot(&fw, storage, storage + SCS_NVM_SLOT_SIZE);
    /* QEMU's timer runs at no real rate (DESIGN §7): there the clock is virtual and deterministic,
     * moved only by CLOCK_ADVANCE; on a board TIM2 drives it */
    fw.virtual_clock = (uint8_t)hal_is_emulator();
    uint64_t last = hal_ticks();
    for (;;) {
        uint8_t b;
        uint64_t now = hal_ticks();
        if (!fw.virtual_clock)
            scs_fw_advance(&fw, now - last);
        scs_fw_service(&fw);
        last = now;
        if (hal_usart_read(&b))
            scs_fw_receive(&fw, &b, 1);
        hal_watchdog_kick();
    }
}
