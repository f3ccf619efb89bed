/* The platform contract: every function a port provides to the portable core, resolved at link time.
 * The core reaches the hardware through these and nothing else (no function pointers handed over at
 * start-up, no hooks filled in by a main loop). Each port implements all of them once:
 *   ports/stm32f4/platform_stm32f4.c   the dev board (and QEMU's netduinoplus2)
 *   ports/host/platform_host.c         the host library for tests and the fuzz harnesses
 * A port's own code (its main loop, its host API) calls the core's public face in fw.h.
 *
 * Functions taking the device (fw) serve one board among several (the host library runs many in one
 * process); the rest are the one chip's. */
#ifndef SCS_PLATFORM_H
#define SCS_PLATFORM_H
#include <stddef.h>
#include <stdint.h>

#include "edges.h"
#include "scs_protocol.h"

typedef struct scs_fw scs_fw_t;

/* What the board reports about its core and link (TIMING). */
typedef struct scs_board_load {
    uint32_t counts_per_tick;
    uint64_t idle_counts;
    uint64_t elapsed_counts;
    uint32_t rx_overruns;
    uint32_t rx_high_water;
    uint32_t worst_request_counts;
    uint32_t last_request_counts;
} scs_board_load_t;

/* --- the link --- */
/* Send encoded bytes on the serial line (may wait for room; it keeps the pulse output going meanwhile). */
void scs_platform_uart_write(scs_fw_t *fw, const uint8_t *data, size_t len);

/* --- time --- */
/* The kind of clock: SCS_CAPABILITY_VIRTUAL_CLOCK (only CLOCK_ADVANCE moves it: the host library, QEMU
 * by default) or SCS_CAPABILITY_HARDWARE_TIMED (the timer is the clock and fires the output edges). */
uint32_t scs_platform_clock_kind(void);
/* Hardware-timed: the timer's tick now (1 tick = SCS_TICK_NS). */
uint64_t scs_platform_ticks(void);
/* Hardware-timed: (re-)arm the edge timer after edges were queued. */
void scs_platform_timer_arm(void);

/* --- interrupts: mask the edge interrupt where the main loop shares state with it --- */
uint32_t scs_platform_irq_lock(void); /* returns the previous mask, for scs_platform_irq_unlock */
void scs_platform_irq_unlock(uint32_t saved);

/* --- pulse output --- */
/* The hardware-timed edge queue the timer interrupt drains (0 when not hardware-timed). */
scs_edges_t *scs_platform_edges(void);
/* Drive the output pins (SCS_PIN_* bits) and the DAC code (0..SCS_DAC_CODE_MAX; full scale drives
 * SCS_MAX_AMPLITUDE_UA) now (start-up, safe state). The core picks the codes (scs_phase_codes). */
void scs_platform_output(uint8_t pins, uint16_t dac_code);
/* The words the edge interrupt stores for those pins and that code (computed when an edge is queued). */
scs_out_t scs_platform_output_word(uint8_t pins, uint16_t dac_code);

/* --- entropy --- */
/* 16 bytes from a hardware random source and 1, or 0 when there is none. */
int scs_platform_rng(uint8_t out[16]);

/* --- retained storage (kept through every reset) --- */
/* The memory of settings slot 0 or 1 (SCS_SETTINGS_SLOT_SIZE bytes; erased = 0xFF). */
uint8_t *scs_platform_settings_slot(scs_fw_t *fw, unsigned slot);
/* Word `word` of security-record slot 0 or 1 (SCS_SECURITY_RECORD_WORDS words each; erased = all ones). */
uint32_t scs_platform_record_read(scs_fw_t *fw, unsigned slot, unsigned word);
void scs_platform_record_write(scs_fw_t *fw, unsigned slot, unsigned word, uint32_t value);

/* --- supervision --- */
void scs_platform_watchdog_kick(void);
/* The board's load and link counters: 1 with *out filled, 0 when the platform keeps none. */
int scs_platform_load(scs_fw_t *fw, scs_board_load_t *out);

/* --- processor faults and resets (docs/faults.md) --- */
/* Why the processor last reset (SCS_RESET_CAUSE_*: RCC_CSR on a chip, cleared with RMVF; in QEMU a
 * retained word the harness writes). Asked once, at power-on. */
uint8_t scs_platform_reset_cause(scs_fw_t *fw);
/* The fault record the fault handler kept in retained memory before that reset: 1 with *out filled
 * from `exception` on (reset_cause and valid are the core's), then forgotten; 0 when there is none. */
int scs_platform_fault_record(scs_fw_t *fw, scs_msg_fault_record_t *out);
/* FAULT_INJECT (test builds) once its answer is out: cause fault `kind` (SCS_FAULT_KIND_*). On a chip
 * it does not return (the fault handler or the watchdog resets it); a port with no processor to fault
 * returns 0 and the core then simulates the reset as the model does. */
int scs_platform_fault_inject(scs_fw_t *fw, uint8_t kind);
#endif
