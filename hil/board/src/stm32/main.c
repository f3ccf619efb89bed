/* The dev board: the portable protocol core on USART1 (interrupt-driven rings), pulses fired by the
 * TIM5 edge interrupt from the queue the main loop fills ahead of time. */
#include "edges.h"
#include "fw.h"
#include "hal.h"
#include "ring.h"

extern const scs_keys_t scs_board_keys;

/* The edge queue, a symbol of its own: its slots keep the last edges the interrupt drove (pins, DAC,
 * due tick, lateness), which a test reads from QEMU's memory where no GPIO is modelled. */
scs_edges_t scs_board_edges;

typedef struct {
    scs_fw_t fw;
    scs_ring_t rx, tx;
    int realtime;
    uint64_t last;
    uint32_t worst_request_counts; /* frame handling, from its delimiter to its answer queued */
    uint32_t last_request_counts;
} board_t;

static board_t board;

/* Frames out: into the transmit ring; when it is full, wait for the interrupt to drain it while the
 * pulse queue is kept filled. */
static void keep_up(void *ctx);

static void uart_write(void *ctx, const uint8_t *data, size_t len)
{
    board_t *b = ctx;
    for (size_t i = 0; i < len; i++)
        while (!scs_ring_put(&b->tx, data[i])) {
            b->tx.overruns--; /* not lost: retried */
            hal_uart_kick();
            keep_up(b);
        }
    hal_uart_kick();
}

/* The device clock moves at least this often (its timers, the fuel gauge's floating point), and
 * always before a request is handled; every pulse edge wakes the loop, which must stay cheap then. */
#define CLOCK_STEP_TICKS 1000u

static void advance_clock(board_t *b, int always)
{
    if (!b->realtime)
        return;
    uint64_t now = hal_ticks();
    if (always || now - b->last >= CLOCK_STEP_TICKS) {
        scs_fw_advance(&b->fw, now - b->last);
        b->last = now;
    }
}

/* The clock, the pulse queue and the watchdog: called from the loop and from long computations. */
static void keep_up(void *ctx)
{
    board_t *b = ctx;
    advance_clock(b, 0);
    scs_fw_service(&b->fw);
    hal_edges_kick();
    hal_watchdog_kick();
}

static void board_load(void *ctx, scs_board_load_t *out)
{
    board_t *b = ctx;
    out->counts_per_tick = hal_counts_per_tick();
    hal_load(&out->idle_counts, &out->elapsed_counts);
    out->rx_overruns = b->rx.overruns;
    out->rx_high_water = b->rx.high_water;
    out->worst_request_counts = b->worst_request_counts;
    out->last_request_counts = b->last_request_counts;
}

static uint64_t board_clock(void *ctx)
{
    (void)ctx;
    return hal_ticks();
}

static void arm_edges(void *ctx)
{
    (void)ctx;
    hal_edges_kick();
}

/* Hand received bytes to the core up to and including one frame delimiter; 1 if a byte was taken. */
static int take_frame(board_t *b)
{
    uint8_t byte;
    int any = 0;
    while (scs_ring_get(&b->rx, &byte)) {
        any = 1;
        if (byte == 0)
            advance_clock(b, 1); /* a request sees the clock as it is */
        uint64_t t0 = byte == 0 ? hal_fine_now() : 0;
        scs_fw_receive(&b->fw, &byte, 1);
        if (byte == 0) {
            uint64_t took = hal_fine_now() - t0;
            b->last_request_counts = took > UINT32_MAX ? UINT32_MAX : (uint32_t)took;
            if (b->last_request_counts > b->worst_request_counts)
                b->worst_request_counts = b->last_request_counts;
            break;
        }
    }
    return any;
}

int main(void)
{
    board_t *b = &board;
    hal_init();
    scs_ring_init(&b->rx);
    scs_ring_init(&b->tx);
    hal_uart_attach(&b->rx, &b->tx);
    scs_fw_init(&b->fw, &scs_board_keys, uart_write, b);
    /* a board, or QEMU asked for real time: the clock is the timer and pulses go out on it; otherwise
     * (QEMU by default) a virtual clock that only CLOCK_ADVANCE moves, for fast deterministic tests.
     * All set before the settings load: a board stored while stimulating turns on again at boot. */
    b->realtime = !hal_is_emulator() || hal_realtime_requested();
    b->fw.virtual_clock = (uint8_t)!b->realtime;
    if (b->realtime) {
        scs_edges_init(&scs_board_edges, hal_output, scs_trace_pulse, &b->fw.therapy);
        b->fw.therapy.hw.edges = &scs_board_edges;
        hal_edges_attach(&scs_board_edges);
    }
    b->fw.therapy.hw.arm.fn = arm_edges;
    b->fw.therapy.hw.load = board_load;
    b->fw.therapy.hw.board = b;
    b->fw.therapy.hw.clock = board_clock;
    b->fw.therapy.hw.poll.fn = keep_up;
    b->fw.therapy.hw.poll.ctx = b;
    b->last = hal_ticks();
    if (b->realtime)
        b->fw.ticks = b->last; /* one clock: the edges are due in the timer's ticks */
    uint8_t *storage = hal_settings_storage();
    scs_fw_attach_security(&b->fw, hal_security_record(0), hal_security_record(1),
                           hal_is_emulator() ? hal_emulator_seed : hal_rng);
    scs_fw_boot(&b->fw, storage, storage + SCS_NVM_SLOT_SIZE);
    for (;;) {
        keep_up(b);
        if (!take_frame(b))
            hal_idle();
    }
}
