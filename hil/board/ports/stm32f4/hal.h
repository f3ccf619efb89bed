/* The STM32F405/407 hardware layer beyond the platform contract (core/platform.h, also implemented in
 * hal.c): clocks (PLL 168 MHz), USART1 by interrupt into byte rings, TIM2 as the free-running fine
 * counter, the sleep of the main loop and its load counters. */
#ifndef SCS_HAL_H
#define SCS_HAL_H
#include <stddef.h>
#include <stdint.h>

#include "edges.h"
#include "ring.h"

/* OC=1 (make arm OC=1) builds with -DSCS_EDGE_OC=1: the edges stored by timer hardware (edge_oc.c). */
#ifndef SCS_EDGE_OC
#define SCS_EDGE_OC 0
#endif

/* Clocks, pins, DAC, timers, USART1, watchdog and retained storage; in QEMU's netduinoplus2 (no RCC
 * model) the clock stays virtual unless the boot word asks for real time. */
void hal_init(void);
uint32_t hal_core_hz(void);

/* Time: the fine counter (timer clock counts; 1 ns in QEMU), extended to 64 bits. */
uint64_t hal_fine_now(void);
uint32_t hal_counts_per_tick(void);

/* The edge timer (edge_timer.c; edge_oc.c with OC=1): fires the queued edges at their due counts. */
void hal_edge_timer_init(scs_edges_t *edges, uint32_t counts_per_tick, int emulator);

/* USART1 at 115200 8N1: received bytes go into rx, bytes put into tx go out by interrupt. */
void hal_uart_attach(scs_ring_t *rx, scs_ring_t *tx);
void hal_uart_kick(void);                  /* start sending what is queued in tx */

/* Sleep until an interrupt (hardware-timed, the edge timer wakes the loop at least every
 * HAL_WAKE_TICKS). */
#define HAL_WAKE_TICKS 10000u
void hal_idle(void);
/* CPU load since boot: counts spent asleep and elapsed. */
void hal_load(uint64_t *idle_counts, uint64_t *elapsed_counts);

/* The top of the stack (the linker script's symbol): the initial stack pointer, and the fault handler's
 * fresh stack. */
extern uint32_t _estack;

/* fault.c: the reset cause and fault record (at boot), the stack's MPU guard, the BOR level */
void fault_boot(int emulator);
void fault_guard_init(void);
void fault_bor_init(void);
#endif
