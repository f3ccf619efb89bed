/* The platform contract (core/platform.h) on a host: boards simulated in memory, a virtual clock, no
 * interrupts, no hardware-timed output and no entropy source. Shared by the host library
 * (host_api.c) and the fuzz harnesses (fuzz/). */
#include <string.h>

#include "host.h"
#include "platform.h"

static host_t *host_of(scs_fw_t *fw) { return (host_t *)(void *)fw; }

void scs_platform_uart_write(scs_fw_t *fw, const uint8_t *data, size_t len)
{
    host_t *h = host_of(fw);
    size_t n = len;
    if (h->out == NULL) {
        return;
    }
    if ((h->out_len + n) > h->out_cap) {
        n = h->out_cap - h->out_len;
    }
    (void)memcpy(&h->out[h->out_len], data, n);
    h->out_len += n;
}

uint32_t scs_platform_clock_kind(void) { return SCS_CAPABILITY_VIRTUAL_CLOCK; }
uint64_t scs_platform_ticks(void) { return 0; } /* not hardware-timed: never asked */
void scs_platform_timer_arm(void) {}
uint32_t scs_platform_irq_lock(void) { return 0; }
void scs_platform_irq_unlock(uint32_t saved) { (void)saved; }
scs_edges_t *scs_platform_edges(void) { return NULL; }

void scs_platform_output(uint8_t pins, uint16_t dac_code)
{
    (void)pins;
    (void)dac_code;
}

scs_out_t scs_platform_output_word(uint8_t pins, uint16_t dac_code) { return (scs_out_t){pins, dac_code}; }

int scs_platform_rng(uint8_t out[16])
{
    (void)out;
    return 0;
}

uint8_t *scs_platform_settings_slot(scs_fw_t *fw, unsigned slot) { return host_of(fw)->slots[slot]; }
uint32_t scs_platform_record_read(scs_fw_t *fw, unsigned slot, unsigned word) { return host_of(fw)->record[slot][word]; }

void scs_platform_record_write(scs_fw_t *fw, unsigned slot, unsigned word, uint32_t value)
{
    host_of(fw)->record[slot][word] = value;
}

void scs_platform_watchdog_kick(void) {}

int scs_platform_load(scs_fw_t *fw, scs_board_load_t *out)
{
    (void)fw;
    (void)out;
    return 0;
}

/* A host board is powered on, never faulted: no record; FAULT_INJECT is simulated by the core. */
uint8_t scs_platform_reset_cause(scs_fw_t *fw)
{
    (void)fw;
    return SCS_RESET_CAUSE_POWER_ON;
}

int scs_platform_fault_record(scs_fw_t *fw, scs_msg_fault_record_t *out)
{
    (void)fw;
    (void)out;
    return 0;
}

int scs_platform_fault_inject(scs_fw_t *fw, uint8_t kind)
{
    (void)fw;
    (void)kind;
    return 0;
}
