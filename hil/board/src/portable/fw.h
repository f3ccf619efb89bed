/* The board's protocol core: the link (framing, sessions, exactly-once), one handler per request,
 * therapy, the fuel gauge and the persistent settings.  Portable C11: the same code runs on the
 * STM32F4 (src/stm32) and on the host as a shared library.  This header is the core's public face;
 * the parts share core.h. */
#ifndef SCS_FW_H
#define SCS_FW_H
#include <stddef.h>
#include <stdint.h>

#include "scs_protocol.h"
#include "nvm.h"
#include "therapy.h"

#define SCS_LOG_CAPACITY 128u
#define SCS_OUTBOX 16u

typedef struct {
    uint64_t tick;
    uint8_t kind;
    uint16_t code;
    uint32_t detail;
} scs_event_t;

#define SCS_KEY_SIZE 32u
#define SCS_CACHE_ENTRIES 8u

typedef struct {
    uint64_t device_id;
    uint8_t patient_key[SCS_KEY_SIZE];
    uint8_t clinician_key[SCS_KEY_SIZE];
    uint8_t nonce_seed[SCS_KEY_SIZE];
} scs_keys_t;

typedef void (*scs_write_fn)(void *ctx, const uint8_t *data, size_t len);

typedef struct {
    uint16_t seq;
    uint8_t msg_id;
    uint8_t used;
    uint32_t request_crc;      /* fingerprint of the request payload */
    uint8_t response_id;
    uint16_t response_len;
    uint8_t response[64];
} scs_cache_entry_t;

/* The link: stream decoder, outgoing frames and the exactly-once cache of state-changing answers. */
typedef struct {
    uint8_t rx[SCS_MAX_ENCODED];
    size_t rx_len;
    uint8_t rx_overflow;
    uint32_t dropped_frames;
    scs_cache_entry_t cache[SCS_CACHE_ENTRIES];
    uint8_t cache_next;
    scs_cache_entry_t *capture; /* where the answer being sent is cached, if state-changing */
    scs_write_fn write;
    void *write_ctx;
} scs_link_t;

/* The authenticated session and the handshake. */
typedef struct {
    uint8_t role;               /* 0 none */
    uint8_t pending_role;
    uint8_t host_nonce[SCS_NONCE_SIZE];
    uint8_t device_nonce[SCS_NONCE_SIZE];
    uint8_t session_key[32];
    uint32_t rx_counter, tx_counter;
    uint32_t failed_handshakes;
    uint64_t backoff_until;
    uint32_t nonce_counter;
    uint32_t security_events;
} scs_session_t;

/* The event log (retained across resets) and the events still to send. */
typedef struct {
    scs_event_t log[SCS_LOG_CAPACITY];
    uint16_t start, len;
    scs_event_t outbox[SCS_OUTBOX];
    uint8_t outbox_len;
} scs_events_t;

/* Fuel gauge: coulomb counter over the cell's OCV table, CC-CV charge control. */
typedef struct {
    double soc;
    double current_a;           /* positive while charging */
    uint8_t coupled;
    double link_w;              /* power the coil can deliver to the charger, W */
    uint8_t recharge_state, battery_state, cutoff;
} scs_gauge_t;

/* Simulated inputs and their timers. */
typedef struct {
    uint16_t lead_ohms[SCS_CONTACTS]; /* what the next impedance check will measure */
    uint64_t next_impedance_check;
    uint8_t pending_posture;    /* 0xFF: none */
    uint64_t posture_since;
    uint64_t ramp_next;         /* 0: no AdaptiveStim ramp running */
} scs_inputs_t;

typedef struct {
    scs_keys_t keys;
    uint64_t ticks;             /* device clock, 1 tick = 1 us */
    uint8_t virtual_clock;      /* 1: only CLOCK_ADVANCE moves the clock (emulator, host library) */
    scs_link_t link;
    scs_session_t session;
    scs_therapy_t therapy;
    scs_events_t events;
    scs_gauge_t gauge;
    scs_inputs_t inputs;
    scs_nvm_t nvm;
    uint32_t fault_flags;       /* bit n: fault code n (1 open, 2 short, 4 cut-off, 6 settings storage) */
    uint8_t pending_reset;      /* kind + 1 after a RESET was answered */
} scs_fw_t;

void scs_fw_init(scs_fw_t *fw, const scs_keys_t *keys, scs_write_fn write, void *write_ctx);
/* Attach the two settings slots and start from them, as after a power-on. */
void scs_fw_boot(scs_fw_t *fw, uint8_t *slot0, uint8_t *slot1);
/* Reboot: RAM state is lost, settings, the event log and the clock are kept. */
void scs_fw_reboot(scs_fw_t *fw, int factory);
/* Feed received bytes; responses go out through the write callback. */
void scs_fw_receive(scs_fw_t *fw, const uint8_t *data, size_t len);
void scs_fw_advance(scs_fw_t *fw, uint64_t ticks);
/* Emit the pulses that are due (call often: the trace records what went out, in ticks). */
void scs_fw_service(scs_fw_t *fw);
#endif
