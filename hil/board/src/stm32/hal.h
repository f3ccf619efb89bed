/* The small hardware layer of the STM32F405/407: clocks (PLL 168 MHz), USART1 by interrupt into byte
 * rings, TIM2 as the free-running fine counter, TIM5 as the edge timer whose update interrupt fires the
 * pulse edges, the output pins and the DAC, the watchdog, and the settings storage. */
#ifndef SCS_HAL_H
#define SCS_HAL_H
#include <stddef.h>
#include <stdint.h>

#include "edges.h"
#include "ring.h"

void hal_init(void);
/* 1 in an emulator without a clock model (QEMU's netduinoplus2 has no RCC: its CR reads 0, a real
 * chip's reads HSION|HSIRDY). */
int hal_is_emulator(void);
/* In the emulator: the boot word the QEMU target sets (-device loader) to ask for real-time mode. */
int hal_realtime_requested(void);
uint32_t hal_core_hz(void);

/* Time: the fine counter (timer clock counts; 1 ns in QEMU), extended to 64 bits, and ticks (1 us). */
uint64_t hal_fine_now(void);
uint32_t hal_counts_per_tick(void);
uint64_t hal_ticks(void);

/* The pulse output: the edge interrupt fires the queue's edges on the pins and the DAC. */
void hal_edges_attach(scs_edges_t *q);
void hal_edges_kick(void);                 /* main loop, after queueing: arm the timer if it waits longer */
void hal_output(uint8_t pins, uint16_t dac_ua);

/* USART1 at 115200 8N1: received bytes go into rx, bytes put into tx go out by interrupt. */
void hal_uart_attach(scs_ring_t *rx, scs_ring_t *tx);
void hal_uart_kick(void);                  /* start sending what is queued in tx */

/* Sleep until an interrupt (with an output attached, the edge timer wakes the loop at least every
 * HAL_WAKE_TICKS). */
#define HAL_WAKE_TICKS 10000u
void hal_idle(void);
/* CPU load since boot: counts spent asleep and elapsed. */
void hal_load(uint64_t *idle_counts, uint64_t *elapsed_counts);

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
