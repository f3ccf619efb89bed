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
#include "platform.h"
#include "therapy.h"

#ifndef SCS_CELL_PRIMARY
#define SCS_CELL_PRIMARY 0 /* build with -DSCS_CELL_PRIMARY=1 for an IPG on a primary cell */
#endif
#define SCS_LOG_CAPACITY SCS_EVENT_LOG_CAPACITY
#define SCS_OUTBOX 16u

typedef struct {
    uint64_t tick;
    uint8_t kind;
    uint16_t code;
    uint32_t detail;
    uint8_t rank; /* who caused it, its log region (never sent): SCS_RANK_UNAUTHENTICATED, a session role, SCS_RANK_DEVICE */
} scs_event_t;
#define SCS_RANK_UNAUTHENTICATED 0u
#define SCS_RANK_DEVICE 4u

#define SCS_KEY_SIZE 32u

/* The provisioning block: the device's identity and role keys (tools/provision.py writes it). */
typedef struct {
    uint64_t device_id;
    uint8_t patient_key[SCS_KEY_SIZE];
    uint8_t clinician_key[SCS_KEY_SIZE];
    uint8_t test_key[SCS_KEY_SIZE];
    uint8_t has_test_key;       /* 0: no test role (a production device) */
    uint8_t development;        /* 1: keys made at random for this build (said in DEVICE_INFO) */
} scs_keys_t;

typedef struct {
    uint16_t seq;
    uint8_t msg_id;
    uint8_t used;
    uint8_t digest[16];        /* SHA-256(message id | length u16 | payload), first 16 bytes */
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
    int64_t answering;          /* counter of the authenticated request being answered, -1: none */
    uint8_t keep_session;       /* keep the next frame sent: the SESSION(OK) of a new session */
    uint8_t session_wire[64];   /* ... sent again, byte for byte, to a retransmitted AUTH */
    uint8_t session_wire_len;
} scs_link_t;

#define SCS_KEYED_ROLES SCS_SECURITY_RECORD_KEYED_ROLES /* patient, clinician, test */
#define SCS_RECORD_WORDS SCS_SECURITY_RECORD_WORDS     /* one slot of the security record, 32-bit words */

/* One handshake, from HELLO until it is replaced (exactly once: a retransmission gets the same answer). */
typedef struct {
    uint8_t role;               /* 0: free entry */
    uint8_t done;               /* its AUTH succeeded */
    uint8_t failed_tries;
    uint32_t age;               /* order of creation (oldest is dropped first) */
    uint8_t host_nonce[SCS_NONCE_SIZE];
    uint8_t device_nonce[SCS_NONCE_SIZE];
} scs_handshake_t;

/* The security record kept apart from the settings, in its own two slots of 32-bit words (backup
 * registers on a board, retained SRAM in the emulator): nonce epoch and back-off per role. */
typedef struct {
    uint32_t sequence;
    uint32_t epoch;
    uint16_t failures[SCS_KEYED_ROLES];
    uint32_t remaining[SCS_KEYED_ROLES]; /* back-off ticks left when it was written */
} scs_record_t;

/* The authenticated session and the handshake. */
typedef struct {
    uint8_t role;               /* 0 none */
    uint8_t session_key[32];
    uint8_t origin[SCS_NONCE_SIZE]; /* host nonce of the handshake that opened the session */
    uint32_t rx_counter;
    uint32_t tx_counter;
    scs_handshake_t handshakes[SCS_HANDSHAKES_KEPT];
    uint32_t handshake_age;
    uint8_t nonce_key[32];      /* derived from the role keys at init */
    uint8_t epoch_claimed;      /* the epoch of this boot is persisted */
    uint32_t epoch;
    uint32_t nonce_counter;
    uint8_t hw_rng;             /* 1: a hardware RNG answered and is mixed into nonces */
    uint8_t record_valid;       /* 1: a valid security record was loaded (or written since) */
    uint64_t backoff_until[SCS_KEYED_ROLES];
    scs_record_t record;
    uint32_t security_events;
} scs_session_t;

/* The event log (retained across resets) and the events still to send. */
typedef struct {
    scs_event_t log[SCS_LOG_CAPACITY];
    uint16_t start;
    uint16_t len;
    scs_event_t outbox[SCS_OUTBOX];
    uint8_t outbox_len;
} scs_events_t;

/* Fuel gauge: coulomb counter over the cell's OCV table, CC-CV charge control. The two integrators are
 * integers: a float state of charge would not move for a 10 uA load over a 1 ms step (1.4e-11 of a
 * 200 mAh cell against a float's 6e-8 near 0.8), nor a float temperature by 1.7e-6 of its distance to
 * the steady state per millisecond. The rates are single-precision floats (the Cortex-M4F's FPU). */
typedef struct {
    int64_t charge_pc;          /* charge held in the cell, picocoulombs */
    float current_a;            /* positive while charging */
    uint8_t coupled;
    float link_w;               /* power the coil can deliver to the charger, W */
    float link_eta;             /* the link's efficiency (transmitted to received) */
    int64_t rise_nano_c;        /* implant temperature above body, 1e-9 degC (a first-order model: the dev
                                   board has no sensor) */
    uint8_t primary;            /* 1: a primary cell (states OK, ERI, EOS; never charged) */
    uint8_t recharge_state;
    uint8_t battery_state;
    uint8_t cutoff;
} scs_gauge_t;

/* Simulated inputs and their timers. */
typedef struct {
    uint16_t lead_ohms[SCS_CONTACTS]; /* what the next impedance check will measure */
    uint64_t next_impedance_check;
    uint8_t pending_posture;    /* 0xFF: none */
    uint64_t posture_since;
    uint64_t ramp_next;         /* 0: no AdaptiveStim ramp running */
} scs_inputs_t;

struct scs_fw {
    scs_keys_t keys;
    uint64_t ticks;             /* device clock, 1 tick = 1 us */
    uint8_t virtual_clock;      /* 1: only CLOCK_ADVANCE moves the clock (emulator, host library) */
    uint64_t synced_at;         /* hardware-timed: the platform tick the clock last moved to */
    scs_link_t link;
    scs_session_t session;
    scs_therapy_t therapy;
    scs_events_t events;
    scs_gauge_t gauge;
    scs_inputs_t inputs;
    scs_nvm_t nvm;
    uint32_t fault_flags;       /* bit n: fault code n (1 open, 2 short, 4 cut-off, 6 settings storage) */
    uint8_t pending_reset;      /* kind + 1 after a RESET was answered */
    uint8_t pending_fault;      /* FaultKind + 1 after a FAULT_INJECT was answered */
    uint8_t reset_cause;        /* ResetCause of this processor boot (kept by RESET reboots) */
    uint8_t has_fault_record;   /* the fault record below was saved before this boot */
    scs_msg_fault_record_t fault_record;
};

/* Power-on: the initial state, the platform's output queue, then the settings and the security record
 * from the platform's retained storage. */
void scs_fw_power_on(scs_fw_t *fw, const scs_keys_t *keys);
/* Reboot: RAM state is lost, settings, the event log and the clock are kept. */
void scs_fw_reboot(scs_fw_t *fw, int factory);
/* Feed received bytes; responses go out through scs_platform_uart_write. */
void scs_fw_receive(scs_fw_t *fw, const uint8_t *data, size_t len);
void scs_fw_advance(scs_fw_t *fw, uint64_t ticks);
/* Emit the pulses that are due (call often: the trace records what went out, in ticks). */
void scs_fw_service(scs_fw_t *fw);
/* Hardware-timed: move the clock to the platform's tick (always, or once it is CLOCK_STEP_TICKS behind). */
void scs_fw_sync_clock(scs_fw_t *fw, int always);
/* The main loop's step, also taken by long computations: clock, due pulses, edge timer, watchdog. */
void scs_fw_keep_up(scs_fw_t *fw);
#endif
