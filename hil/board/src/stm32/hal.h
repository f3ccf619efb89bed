/* The small hardware layer: clocks, USART1 at 115200 8N1, TIM2 as a 1 MHz tick counter, watchdog. */
#ifndef SCS_HAL_H
#define SCS_HAL_H
#include <stddef.h>
#include <stdint.h>
void hal_init(void);
int hal_usart_read(uint8_t *byte);              /* 1 when a byte was received */
void hal_usart_write(void *ctx, const uint8_t *data, size_t len);
uint64_t hal_ticks(void);                        /* 1 MHz, extended to 64 bits */
/* 1 in an emulator without a clock model (QEMU's netduinoplus2 has no RCC: its CR reads 0, a real
 * chip's reads HSION|HSIRDY): there the firmware keeps a virtual clock that only CLOCK_ADVANCE moves. */
int hal_is_emulator(void);
void hal_watchdog_kick(void);
/* Two settings slots (2 x 2 KB): the backup SRAM on a board (kept by VBAT through power-off),
 * retained SRAM in the emulator (kept through resets). */
uint8_t *hal_settings_storage(void);
/* The security record's two slots (SCS_RECORD_WORDS 32-bit words each, kept through every reset):
 * RTC backup registers 1-18 on a board (the backup domain, kept by VBAT), retained SRAM in the emulator. */
volatile uint32_t *hal_security_record(unsigned slot);
/* 16 bytes from the RNG peripheral (0x50060800) and 1, or 0 when it gives none: QEMU 7.2 does not
 * model it (reads 0, DRDY never set), and a seed or clock error (SECS/CECS) also gives 0. */
int hal_rng(uint8_t out[16]);
/* In QEMU instead: the 16 bytes the harness loaded for this launch (0 when none were). */
int hal_emulator_seed(uint8_t out[16]);
#endif
