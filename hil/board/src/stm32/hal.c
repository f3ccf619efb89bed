#include "hal.h"

#include "port.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define RCC 0x40023800u
#define RCC_CR REG(RCC + 0x00u)
#define RCC_PLLCFGR REG(RCC + 0x04u)
#define RCC_CFGR REG(RCC + 0x08u)
#define RCC_AHB1ENR REG(RCC + 0x30u)
#define RCC_APB1ENR REG(RCC + 0x40u)
#define RCC_APB2ENR REG(RCC + 0x44u)
#define FLASH_ACR REG(0x40023C00u)
#define PWR_CR REG(0x40007000u)
#define GPIOA 0x40020000u
#define GPIOB 0x40020400u
#define MODER(port) REG((port) + 0x00u)
#define OSPEEDR(port) REG((port) + 0x08u)
#define BSRR(port) REG((port) + 0x18u)
#define AFRH(port) REG((port) + 0x24u)
#define USART1 0x40011000u
#define USART_SR REG(USART1 + 0x00u)
#define USART_DR REG(USART1 + 0x04u)
#define USART_BRR REG(USART1 + 0x08u)
#define USART_CR1 REG(USART1 + 0x0Cu)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define SR_ORE (1u << 3)
#define CR1_UE (1u << 13)
#define CR1_TXEIE (1u << 7)
#define CR1_RXNEIE (1u << 5)
#define CR1_TE (1u << 3)
#define CR1_RE (1u << 2)
#define TIM2 0x40000000u
#define TIM5 0x40000C00u
#define TIM_CR1(t) REG((t) + 0x00u)
#define TIM_DIER(t) REG((t) + 0x0Cu)
#define TIM_SR(t) REG((t) + 0x10u)
#define TIM_CNT(t) REG((t) + 0x24u)
#define TIM_ARR(t) REG((t) + 0x2Cu)
#define CR1_CEN 1u
#define CR1_URS (1u << 2)
#define CR1_OPM (1u << 3)
#define DAC_CR REG(0x40007400u)
#define DAC_DHR12R1 REG(0x40007408u)
#define IWDG 0x40003000u
#define IWDG_KR REG(IWDG + 0x00u)
#define IWDG_PR REG(IWDG + 0x04u)
#define IWDG_RLR REG(IWDG + 0x08u)
#define NVIC_ISER(n) REG(0xE000E100u + 4u * (n))
#define NVIC_IPR(irq) (*(volatile uint8_t *)(0xE000E400u + (irq)))
#define IRQ_USART1 37u
#define IRQ_TIM5 50u
#define BOOT_WORD (*(volatile uint32_t *)0x2001FFFCu) /* above the stack (linker script) */
#define BOOT_REALTIME 0x52544D31u                    /* "RTM1": set by the QEMU target's -device loader */
#define OUT_PINS_SHIFT 12u                           /* PB12..PB15 (README pin map) */
#define DAC_FULL_SCALE_UA 25500u

typedef struct {
    uint32_t core_hz, timer_hz, pclk2_hz;
    uint32_t counts_per_tick;
    int emulator;
    /* fine counter extension (shared by the main loop and the interrupts: read under the mask) */
    uint32_t last_cnt;
    uint64_t high;
    /* edge timer */
    scs_edges_t *edges;
    uint64_t armed_counts; /* fine count the edge timer fires at; UINT64_MAX: nothing armed */
    /* link */
    scs_ring_t *rx, *tx;
    /* load */
    uint64_t idle_counts, boot_counts;
} hal_t;

static hal_t hal; /* the one board: its registers are global too */

uint32_t scs_irq_lock(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}

void scs_irq_unlock(uint32_t saved) { __asm volatile("msr primask, %0" ::"r"(saved) : "memory"); }

int hal_is_emulator(void) { return RCC_CR == 0u; }
int hal_realtime_requested(void) { return hal.emulator && BOOT_WORD == BOOT_REALTIME; }
uint32_t hal_core_hz(void) { return hal.core_hz; }

/* PLL to 168 MHz (RM0090 6.3): HSE 8 MHz when it starts, else HSI 16 MHz; VCO in = 1 MHz (M = 8 or
 * 16), VCO = 336 MHz (N), SYSCLK = VCO/2 (P), 48 MHz = VCO/7 (Q). Flash: 5 wait states at 168 MHz and
 * 2.7-3.6 V (RM0090 table 10) with prefetch and caches; voltage scale 1; AHB /1, APB1 /4 (42 MHz),
 * APB2 /2 (84 MHz); timers on APB1 run at 84 MHz. */
static void clock_init(void)
{
    RCC_CR |= 1u << 16; /* HSEON */
    uint32_t wait = 100000u, m = 8u, src = 1u;
    while (!(RCC_CR & (1u << 17)) && --wait) {
    }
    if (!wait) { /* no crystal: the internal 16 MHz oscillator feeds the PLL */
        RCC_CR &= ~(1u << 16);
        m = 16u;
        src = 0u;
    }
    RCC_APB1ENR |= 1u << 28; /* PWR */
    PWR_CR |= 1u << 14;      /* VOS: scale 1 */
    RCC_PLLCFGR = m | (336u << 6) | (0u << 16) | (src << 22) | (7u << 24) | (1u << 29); /* bit 29: reserved, reset value 1 */
    RCC_CR |= 1u << 24; /* PLLON */
    while (!(RCC_CR & (1u << 25))) {
    }
    FLASH_ACR = 5u | (1u << 8) | (1u << 9) | (1u << 10); /* LATENCY 5, PRFTEN, ICEN, DCEN */
    while ((FLASH_ACR & 7u) != 5u) {
    }
    RCC_CFGR = (RCC_CFGR & ~0xFCF3u) | (5u << 10) | (4u << 13) | 2u; /* APB1 /4, APB2 /2, SW = PLL */
    while ((RCC_CFGR & 0xCu) != 0x8u) {
    }
    hal.core_hz = 168000000u;
    hal.timer_hz = 84000000u;
    hal.pclk2_hz = 84000000u;
}

static void outputs_init(void)
{
    RCC_AHB1ENR |= (1u << 0) | (1u << 1);                               /* GPIOA, GPIOB */
    RCC_APB1ENR |= 1u << 29;                                            /* DAC */
    MODER(GPIOB) = (MODER(GPIOB) & ~(0xFFu << 24)) | (0x55u << 24);     /* PB12..15: outputs */
    OSPEEDR(GPIOB) |= 0xFFu << 24;                                      /* fast edges */
    MODER(GPIOA) |= 3u << 8;                                            /* PA4: analog (DAC1 out) */
    DAC_CR = 1u;                                                        /* EN1 */
    hal_output(0, 0);
}

static void uart_init(void)
{
    RCC_APB2ENR |= 1u << 4;                                               /* USART1 */
    MODER(GPIOA) = (MODER(GPIOA) & ~(0xFu << 18)) | (0xAu << 18);         /* PA9, PA10: alternate function */
    AFRH(GPIOA) = (AFRH(GPIOA) & ~(0xFFu << 4)) | (0x77u << 4);           /* AF7 = USART1 */
    USART_BRR = (hal.pclk2_hz + 115200u / 2u) / 115200u;                  /* 115200 baud, 8N1 */
    USART_CR1 = CR1_UE | CR1_TE | CR1_RE | CR1_RXNEIE;
    NVIC_IPR(IRQ_USART1) = 0x40u; /* below the edge timer */
    NVIC_ISER(IRQ_USART1 / 32u) = 1u << (IRQ_USART1 % 32u);
}

/* TIM2: free-running 32-bit fine counter at the timer clock, prescaler 0. TIM5: the edge timer.
 * QEMU 7.2 counts TIM2-5 at 1 GHz/(PSC+1) and computes the update deadline from the counter's base:
 * a write to PSC, CNT or EGR rebases it and shifts every later deadline, so in QEMU nothing but ARR
 * and CR1 is written (1 count = 1 ns there), and the counter base is the power-on instant. */
static void timers_init(void)
{
    RCC_APB1ENR |= (1u << 0) | (1u << 3); /* TIM2, TIM5 */
    TIM_ARR(TIM2) = 0xFFFFFFFFu;
    TIM_CR1(TIM2) = CR1_CEN;
    TIM_DIER(TIM5) = 1u; /* UIE */
    NVIC_IPR(IRQ_TIM5) = 0x00u; /* the highest priority: pulse edges first */
    NVIC_ISER(IRQ_TIM5 / 32u) = 1u << (IRQ_TIM5 % 32u);
    hal.armed_counts = UINT64_MAX;
}

void hal_init(void)
{
    hal.emulator = hal_is_emulator();
    hal.core_hz = hal.timer_hz = hal.pclk2_hz = 16000000u; /* HSI after reset */
    if (!hal.emulator)
        clock_init();
    hal.counts_per_tick = hal.emulator ? 1000u : hal.timer_hz / 1000000u;
    outputs_init();
    timers_init();
    uart_init();
    IWDG_KR = 0x5555u; /* watchdog: ~1 s (LSI 32 kHz / 32, reload 1000) */
    IWDG_PR = 3u;
    IWDG_RLR = 1000u;
    IWDG_KR = 0xCCCCu;
    hal.boot_counts = hal_fine_now();
}

uint64_t hal_fine_now(void)
{
    uint32_t saved = scs_irq_lock();
    uint32_t cnt = TIM_CNT(TIM2);
    if (cnt < hal.last_cnt)
        hal.high += 1ull << 32;
    hal.last_cnt = cnt;
    uint64_t now = hal.high | cnt;
    scs_irq_unlock(saved);
    return now;
}

uint32_t hal_counts_per_tick(void) { return hal.counts_per_tick; }
uint64_t hal_ticks(void) { return hal_fine_now() / hal.counts_per_tick; }

void hal_output(uint8_t pins, uint16_t dac_ua)
{
    uint32_t set = (uint32_t)(pins & 0xFu) << OUT_PINS_SHIFT;
    BSRR(GPIOB) = set | ((~set & (0xFu << OUT_PINS_SHIFT)) << 16); /* all four pins in one write */
    DAC_DHR12R1 = (uint32_t)dac_ua * 4095u / DAC_FULL_SCALE_UA;
}

/* Shorter delays are not armed: QEMU repeats an update with the period last armed, and a storm of
 * 1-count periods would starve the core. A due edge is fired in the interrupt's own loop instead. */
#define MIN_DELAY_COUNTS 16u

/* Arm the edge timer to fire at fine count `target` (interrupts masked by the caller). */
static void arm(uint64_t target)
{
    uint64_t now = hal_fine_now();
    uint64_t delay = target > now + MIN_DELAY_COUNTS ? target - now : MIN_DELAY_COUNTS;
    if (delay > 0xFFFFFFF0u)
        delay = 0xFFFFFFF0u;
    hal.armed_counts = target;
    if (hal.emulator) { /* the update fires ARR counts after this write */
        TIM_CR1(TIM5) = CR1_CEN;
        TIM_ARR(TIM5) = (uint32_t)delay;
        return;
    }
    /* one pulse: count from 0, update when the counter passes ARR, then stop */
    TIM_CR1(TIM5) = 0;
    TIM_CNT(TIM5) = 0;
    TIM_ARR(TIM5) = (uint32_t)delay - 1u + (delay == 1u);
    TIM_SR(TIM5) = 0;
    TIM_CR1(TIM5) = CR1_OPM | CR1_URS | CR1_CEN;
}

void hal_edges_attach(scs_edges_t *q) { hal.edges = q; }

/* The next deadline: the first queued edge, or the periodic wake-up of the loop. */
static uint64_t deadline(uint64_t now)
{
    uint64_t due = hal.edges ? scs_edges_next_due(hal.edges) : UINT64_MAX;
    uint64_t wake = now + (uint64_t)HAL_WAKE_TICKS * hal.counts_per_tick;
    return due != UINT64_MAX && due * hal.counts_per_tick < wake ? due * hal.counts_per_tick : wake;
}

void hal_edges_kick(void)
{
    /* no output attached (QEMU's virtual-clock mode): the timer stays idle and the loop sleeps until
     * a byte arrives. QEMU rebases its timers at a QMP reset, and an armed timer then moves the virtual
     * clock by the whole time since power-on at every wake-up, growing it without bound. */
    if (!hal.edges)
        return;
    uint64_t target = deadline(hal_fine_now()); /* computed before masking: the mask stays short */
    uint32_t saved = scs_irq_lock();
    if (target < hal.armed_counts)
        arm(target);
    scs_irq_unlock(saved);
}

/* An interrupt more than this early (a stale or spurious update) re-arms instead of waiting. */
#define EARLY_SLACK_TICKS 2u

void TIM5_IRQHandler(void);
void TIM5_IRQHandler(void)
{
    uint64_t now = hal_fine_now(), due = hal.armed_counts;
    uint32_t cpt = hal.counts_per_tick;
    TIM_SR(TIM5) = 0;
    hal.armed_counts = UINT64_MAX;
    if (due != UINT64_MAX && now + (uint64_t)EARLY_SLACK_TICKS * cpt < due) {
        arm(due);
        return;
    }
    if (due == UINT64_MAX)
        due = now;
    while (hal.edges) {
        while (now < due) /* never early: the deadline rounds to counts */
            now = hal_fine_now();
        uint64_t late = now - due;
        /* the tick now, by a short division from the due instant (a tick boundary) */
        uint64_t now_tick = due / cpt + (uint32_t)(late > UINT32_MAX ? UINT32_MAX : late) / cpt;
        uint64_t next = scs_edges_fire(hal.edges, now_tick, late > UINT32_MAX ? UINT32_MAX : (uint32_t)late);
        now = hal_fine_now();
        if (next == UINT64_MAX || next * cpt > now + cpt) /* the next edge is more than a tick away */
            break;
        due = next * cpt;
    }
    arm(deadline(now));
}

void hal_uart_attach(scs_ring_t *rx, scs_ring_t *tx)
{
    hal.rx = rx;
    hal.tx = tx;
}

/* Move queued bytes into the transmitter while it takes them (QEMU's always does: it sends at once
 * and never raises TXE interrupts; a real USART takes one and interrupts for the next). */
static void tx_drain(void)
{
    uint8_t b;
    while ((USART_SR & SR_TXE) && hal.tx && scs_ring_get(hal.tx, &b))
        USART_DR = b;
    if (hal.tx && scs_ring_count(hal.tx))
        USART_CR1 |= CR1_TXEIE;
    else
        USART_CR1 &= ~CR1_TXEIE;
}

#define NVIC_ICER(n) REG(0xE000E180u + 4u * (n))

/* From the main loop: only the USART's own interrupt is held off (it drains the same ring); the
 * edge timer still preempts, however long QEMU's synchronous transmitter keeps this loop busy. */
void hal_uart_kick(void)
{
    NVIC_ICER(IRQ_USART1 / 32u) = 1u << (IRQ_USART1 % 32u);
    __asm volatile("dsb\n isb" ::: "memory");
    tx_drain();
    NVIC_ISER(IRQ_USART1 / 32u) = 1u << (IRQ_USART1 % 32u);
}

void USART1_IRQHandler(void);
void USART1_IRQHandler(void)
{
    uint32_t sr = USART_SR;
    if (sr & (SR_RXNE | SR_ORE)) {
        uint8_t b = (uint8_t)USART_DR; /* reading DR clears RXNE and an overrun */
        if (hal.rx)
            scs_ring_put(hal.rx, b);
    }
    if (sr & SR_TXE)
        tx_drain();
}

void hal_idle(void)
{
    /* sleep with interrupts masked: an interrupt still wakes the core, and is taken after the time
     * asleep is counted */
    uint32_t saved = scs_irq_lock();
    uint32_t t0 = TIM_CNT(TIM2); /* raw counts: the loop wakes well within a counter period */
    if (!scs_ring_count(hal.rx))
        __asm volatile("dsb\n wfi" ::: "memory");
    hal.idle_counts += TIM_CNT(TIM2) - t0;
    scs_irq_unlock(saved);
}

void hal_load(uint64_t *idle_counts, uint64_t *elapsed_counts)
{
    uint32_t saved = scs_irq_lock();
    *idle_counts = hal.idle_counts;
    *elapsed_counts = hal_fine_now() - hal.boot_counts;
    scs_irq_unlock(saved);
}

void hal_watchdog_kick(void) { IWDG_KR = 0xAAAAu; }

#define RETAINED_MAGIC 0x53435352u /* "RSCS": the storage has been set up */
#define RTC_BKP0R REG(0x40002850u)
#define BKPSRAM ((uint8_t *)0x40024000u)

/* In the emulator: SRAM the startup code never initialises, kept across resets. */
__attribute__((section(".noinit"))) static uint8_t retained[2 * 2048u];
__attribute__((section(".noinit"))) static uint32_t retained_magic;

static void blank(uint8_t *p, unsigned n)
{
    for (unsigned i = 0; i < n; i++)
        p[i] = 0xFFu;
}

uint8_t *hal_settings_storage(void)
{
    if (!hal.emulator) {
        /* the 4 KB backup SRAM, kept through resets and, with VBAT, power-off; its first-use marker
         * sits in an RTC backup register of the same domain */
        RCC_APB1ENR |= 1u << 28; /* PWR */
        PWR_CR |= 1u << 8;       /* DBP: backup domain writable */
        RCC_AHB1ENR |= 1u << 18; /* BKPSRAM */
        if (RTC_BKP0R != RETAINED_MAGIC) {
            blank(BKPSRAM, 2 * 2048u);
            RTC_BKP0R = RETAINED_MAGIC;
        }
        return BKPSRAM;
    }
    if (retained_magic != RETAINED_MAGIC) { /* first power-on: blank storage */
        blank(retained, sizeof retained);
        retained_magic = RETAINED_MAGIC;
    }
    return retained;
}

#define RTC_BKP1R ((volatile uint32_t *)0x40002854u)
#define RECORD_WORDS 9u
__attribute__((section(".noinit"))) static uint32_t retained_record[2 * RECORD_WORDS];
__attribute__((section(".noinit"))) static uint32_t retained_record_magic;

volatile uint32_t *hal_security_record(unsigned slot)
{
    if (!hal_is_emulator())
        return RTC_BKP1R + slot * RECORD_WORDS; /* hal_settings_storage() made the domain writable */
    if (retained_record_magic != RETAINED_MAGIC) {
        for (unsigned i = 0; i < 2 * RECORD_WORDS; i++)
            retained_record[i] = 0xFFFFFFFFu;
        retained_record_magic = RETAINED_MAGIC;
    }
    return retained_record + slot * RECORD_WORDS;
}

#define RCC_PLLCFGR REG(RCC + 0x04u)
#define RCC_AHB2ENR REG(RCC + 0x34u)
#define RNG_CR REG(0x50060800u)
#define RNG_SR REG(0x50060804u)
#define RNG_DR REG(0x50060808u)

/* The RNG needs the PLL's 48 MHz output: PLL from the 16 MHz HSI, M 16, N 192, Q 4 (the system
 * clock stays on the HSI). */
static int rng_clock(void)
{
    if (!(RCC_CR & (1u << 25))) {
        RCC_PLLCFGR = 16u | 192u << 6 | 3u << 16 | 4u << 24; /* source HSI, P 8 (unused) */
        RCC_CR |= 1u << 24;                                   /* PLLON */
        for (unsigned i = 0; i < 100000u && !(RCC_CR & (1u << 25)); i++) {
        }
    }
    return (RCC_CR & (1u << 25)) != 0;
}

/* QEMU models no RNG: the harness gives each emulator launch 16 random bytes here (QEMU's generic
 * loader), so a fresh emulator with blank memory and the same image still never repeats a nonce. */
__attribute__((section(".noinit"), used)) volatile uint32_t scs_emulator_seed[4];

int hal_emulator_seed(uint8_t out[16])
{
    uint32_t seen = 0;
    for (unsigned w = 0; w < 4u; w++) {
        uint32_t v = scs_emulator_seed[w];
        seen |= v;
        for (unsigned b = 0; b < 4u; b++)
            out[4 * w + b] = (uint8_t)(v >> (8 * b));
    }
    return seen != 0;
}

int hal_rng(uint8_t out[16])
{
    if (hal_is_emulator() || !rng_clock())
        return 0;
    RCC_AHB2ENR |= 1u << 6; /* RNGEN */
    RNG_CR |= 1u << 2;      /* RNGEN */
    uint32_t seen = 0;
    for (unsigned w = 0; w < 4u; w++) {
        unsigned i = 0;
        while (!(RNG_SR & 1u) && i++ < 100000u) {
        }
        if (!(RNG_SR & 1u) || (RNG_SR & 0x66u))
            return 0; /* no data, or a seed/clock error */
        uint32_t v = RNG_DR;
        seen |= v;
        for (unsigned b = 0; b < 4u; b++)
            out[4 * w + b] = (uint8_t)(v >> (8 * b));
    }
    return seen != 0; /* all zero: not a working RNG */
}
