/* The dev board's main loop: the portable core on USART1 (interrupt-driven rings), pulses fired by the
 * TIM5 edge interrupt from the queue the core keeps filled ahead of time. The platform functions of
 * the link (scs_platform_uart_write, scs_platform_load) live here with the rings; the rest in hal.c. */
#include "fw.h"
#include "hal.h"
#include "platform.h"
#include "ring.h"

extern const scs_keys_t scs_board_keys;

typedef struct {
    scs_fw_t fw;
    scs_ring_t rx;
    scs_ring_t tx;
    uint32_t worst_request_counts; /* frame handling, from its delimiter to its answer queued */
    uint32_t last_request_counts;
} board_t;

static board_t board;

/* Frames out: into the transmit ring; when it is full, wait for the interrupt to drain it while the
 * pulse queue is kept filled. */
void scs_platform_uart_write(scs_fw_t *fw, const uint8_t *data, size_t len)
{
    board_t *b = &board;
    for (size_t i = 0u; i < len; i++) {
        while (!scs_ring_put(&b->tx, data[i])) {
            b->tx.overruns--; /* not lost: retried */
            hal_uart_kick();
            scs_fw_keep_up(fw);
        }
    }
    hal_uart_kick();
}

int scs_platform_load(scs_fw_t *fw, scs_board_load_t *out)
{
    (void)fw;
    board_t *b = &board;
    out->counts_per_tick = hal_counts_per_tick();
    hal_load(&out->idle_counts, &out->elapsed_counts);
    out->rx_overruns = b->rx.overruns;
    out->rx_high_water = b->rx.high_water;
    out->worst_request_counts = b->worst_request_counts;
    out->last_request_counts = b->last_request_counts;
    return 1;
}

/* Hand received bytes to the core up to and including one frame delimiter; 1 if a byte was taken. */
static int take_frame(board_t *b)
{
    uint8_t byte;
    int any = 0;
    while (scs_ring_get(&b->rx, &byte) != 0) {
        any = 1;
        if (byte == 0u) {
            scs_fw_sync_clock(&b->fw, 1); /* a request sees the clock as it is */
        }
        uint64_t t0 = (byte == 0u) ? hal_fine_now() : 0u;
        scs_fw_receive(&b->fw, &byte, 1u);
        if (byte == 0u) {
            uint64_t took = hal_fine_now() - t0;
            b->last_request_counts = (took > UINT32_MAX) ? UINT32_MAX : (uint32_t)took;
            if (b->last_request_counts > b->worst_request_counts) {
                b->worst_request_counts = b->last_request_counts;
            }
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
    /* the clock kind and the output queue come from the platform (hal.c) before the settings load: a
     * board stored while stimulating turns on again at boot */
    scs_fw_power_on(&b->fw, &scs_board_keys);
    for (;;) {
        scs_fw_keep_up(&b->fw);
        if (take_frame(b) == 0) {
            hal_idle();
        }
    }
}
