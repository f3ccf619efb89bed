/* The STM32F405/407 port: the hardware layer (clocks, USART1, TIM2 fine counter, TIM5 edge timer, pins
 * and DAC, watchdog, retained storage, RNG) and the platform contract (core/platform.h) on top of it;
 * the link's rings and the board's counters are main.c's. Registers by CMSIS-style names: stm32f4xx.h. */
#include "hal.h"

#include "platform.h"
#include "scs_protocol.h"
#include "stm32f4xx.h"

#define BOOT_WORD (*(volatile uint32_t *)0x2001FFFCu) /* above the stack (linker script) */
#define BOOT_REALTIME 0x52544D31u                    /* "RTM1": set by the QEMU target's -device loader */
#define OUT_PINS_SHIFT 12u                           /* PB12..PB15 (README pin map) */
#define OUT_PINS_MASK (UINT32_C(0xF) << OUT_PINS_SHIFT)

/* The edge queue, a symbol of its own: its slots keep the last edges the interrupt drove (pins, DAC,
 * due tick, lateness), which a test reads from QEMU's memory where no GPIO is modelled. */
scs_edges_t scs_board_edges;

typedef struct {
    uint32_t core_hz;
    uint32_t timer_hz;
    uint32_t pclk2_hz;
    uint32_t counts_per_tick;
    int emulator;
    int realtime; /* the timer is the clock and drives the output (a board, or QEMU asked for it) */
    uint8_t *storage; /* the two settings slots */
    /* fine counter extension (shared by the main loop and the interrupts: read under the mask) */
    uint32_t last_cnt;
    uint64_t high;
    scs_edges_t *edges; /* driven by the edge timer (edge_timer.c) */
    /* link */
    scs_ring_t *rx;
    scs_ring_t *tx;
    /* load */
    uint64_t idle_counts;
    uint64_t boot_counts;
} hal_t;

static hal_t hal; /* the one board: its registers are global too */

uint32_t scs_platform_irq_lock(void)
{
    uint32_t primask;
    __asm volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
    return primask;
}

void scs_platform_irq_unlock(uint32_t saved) { __asm volatile("msr primask, %0" ::"r"(saved) : "memory"); }

/* QEMU's netduinoplus2 has no RCC model: its CR reads 0, a real chip's reads HSION|HSIRDY. */
static int is_emulator(void) { return RCC->CR == 0u; }
uint32_t hal_core_hz(void) { return hal.core_hz; }

/* PLL to 168 MHz (RM0090 6.3): HSE 8 MHz when it starts, else HSI 16 MHz; VCO in = 1 MHz (M = 8 or
 * 16), VCO = 336 MHz (N), SYSCLK = VCO/2 (P), 48 MHz = VCO/7 (Q). Flash: 5 wait states at 168 MHz and
 * 2.7-3.6 V (RM0090 table 10) with prefetch and caches; voltage scale 1; AHB /1, APB1 /4 (42 MHz),
 * APB2 /2 (84 MHz); timers on APB1 run at 84 MHz. */
static void clock_init(void)
{
    RCC->CR |= RCC_CR_HSEON;
    uint32_t wait = 100000u;
    uint32_t m = 8u;
    uint32_t src = RCC_PLLCFGR_PLLSRC_HSE;
    while (!(RCC->CR & RCC_CR_HSERDY) && --wait) {
    }
    if (!wait) { /* no crystal: the internal 16 MHz oscillator feeds the PLL */
        RCC->CR &= ~RCC_CR_HSEON;
        m = 16u;
        src = 0u;
    }
    RCC->APB1ENR |= RCC_APB1ENR_PWREN;
    PWR->CR |= PWR_CR_VOS; /* scale 1 */
    RCC->PLLCFGR = (m << RCC_PLLCFGR_PLLM_Pos) | (UINT32_C(336) << RCC_PLLCFGR_PLLN_Pos) |
                   (UINT32_C(0) << RCC_PLLCFGR_PLLP_Pos) | src | (UINT32_C(7) << RCC_PLLCFGR_PLLQ_Pos) |
                   RCC_PLLCFGR_RESERVED29;
    RCC->CR |= RCC_CR_PLLON;
    while (!(RCC->CR & RCC_CR_PLLRDY)) {
    }
    FLASH->ACR = FLASH_ACR_LATENCY_5WS | FLASH_ACR_PRFTEN | FLASH_ACR_ICEN | FLASH_ACR_DCEN;
    while ((FLASH->ACR & FLASH_ACR_LATENCY) != FLASH_ACR_LATENCY_5WS) {
    }
    RCC->CFGR = (RCC->CFGR & ~(RCC_CFGR_SW | RCC_CFGR_HPRE | RCC_CFGR_PPRE1 | RCC_CFGR_PPRE2)) | RCC_CFGR_PPRE1_DIV4 |
                RCC_CFGR_PPRE2_DIV2 | RCC_CFGR_SW_PLL;
    while ((RCC->CFGR & RCC_CFGR_SWS) != RCC_CFGR_SWS_PLL) {
    }
    hal.core_hz = 168000000u;
    hal.timer_hz = 84000000u;
    hal.pclk2_hz = 84000000u;
}

static void outputs_init(void)
{
    RCC->AHB1ENR |= RCC_AHB1ENR_GPIOAEN | RCC_AHB1ENR_GPIOBEN;
    RCC->APB1ENR |= RCC_APB1ENR_DACEN;
    GPIOB->MODER = (GPIOB->MODER & ~(0xFFu << 24)) | (GPIO_MODER_OUTPUT * 0x55u << 24); /* PB12..15: outputs */
    GPIOB->OSPEEDR |= 0xFFu << 24;                                                      /* fast edges */
    GPIOA->MODER |= GPIO_MODER_ANALOG << 8;                                             /* PA4: DAC1 out */
    DAC->CR = DAC_CR_EN1;
    scs_platform_output(0, 0);
}

static void uart_init(void)
{
    RCC->APB2ENR |= RCC_APB2ENR_USART1EN;
    GPIOA->MODER = (GPIOA->MODER & ~(0xFu << 18)) | ((GPIO_MODER_AF << 2 | GPIO_MODER_AF) << 18); /* PA9, PA10 */
    GPIOA->AFR[1] = (GPIOA->AFR[1] & ~(0xFFu << 4)) | ((GPIO_AF7_USART1 << 4 | GPIO_AF7_USART1) << 4);
    USART1->BRR = (hal.pclk2_hz + 115200u / 2u) / 115200u; /* 115200 baud, 8N1 */
    USART1->CR1 = USART_CR1_UE | USART_CR1_TE | USART_CR1_RE | USART_CR1_RXNEIE;
    NVIC_SetPriority(USART1_IRQn, 4u); /* below the edge timer */
    NVIC_EnableIRQ(USART1_IRQn);
}

/* TIM2: free-running 32-bit fine counter at the timer clock, prescaler 0. TIM5: the edge timer
 * (edge_timer.c).
 * QEMU 7.2 counts TIM2-5 at 1 GHz/(PSC+1) and computes the update deadline from the counter's base:
 * a write to PSC, CNT or EGR rebases it and shifts every later deadline, so in QEMU nothing but ARR
 * and CR1 is written (1 count = 1 ns there), and the counter base is the power-on instant. */
static void timers_init(void)
{
    RCC->APB1ENR |= RCC_APB1ENR_TIM2EN | RCC_APB1ENR_TIM5EN;
    TIM2->ARR = 0xFFFFFFFFu;
    TIM2->CR1 = TIM_CR1_CEN;
    hal_edge_timer_init(hal.edges, hal.counts_per_tick, hal.emulator);
}

static void storage_init(void);

void hal_init(void)
{
    hal.emulator = is_emulator();
    fault_boot(hal.emulator); /* the reset cause and the fault record, before anything may fault */
    fault_guard_init();
    if (hal.emulator == 0) {
        fault_bor_init();
    }
    /* a board, or QEMU asked for real time: the clock is the timer and pulses go out on it; otherwise
     * (QEMU by default) a virtual clock that only CLOCK_ADVANCE moves, for fast deterministic tests */
    hal.realtime = !hal.emulator || BOOT_WORD == BOOT_REALTIME;
    hal.edges = (hal.realtime != 0) ? &scs_board_edges : NULL;
    hal.pclk2_hz = 16000000u; /* HSI after reset */
    hal.timer_hz = 16000000u;
    hal.core_hz = 16000000u;
    if (hal.emulator == 0) {
        clock_init();
    }
    hal.counts_per_tick = (hal.emulator != 0) ? 1000u : (hal.timer_hz / 1000000u);
    outputs_init();
    timers_init();
    uart_init();
    IWDG->KR = IWDG_KR_UNLOCK; /* watchdog: ~1 s (LSI 32 kHz / 32, reload 1000) */
    IWDG->PR = IWDG_PR_DIV32;
    IWDG->RLR = 1000u;
    IWDG->KR = IWDG_KR_START;
    storage_init();
    hal.boot_counts = hal_fine_now();
}

uint64_t hal_fine_now(void)
{
    uint32_t saved = scs_platform_irq_lock();
    uint32_t cnt = TIM2->CNT;
    if (cnt < hal.last_cnt) {
        hal.high += 1ULL << 32;
    }
    hal.last_cnt = cnt;
    uint64_t now = hal.high | cnt;
    scs_platform_irq_unlock(saved);
    return now;
}

uint32_t hal_counts_per_tick(void) { return hal.counts_per_tick; }
uint64_t scs_platform_ticks(void) { return hal_fine_now() / hal.counts_per_tick; }
uint32_t scs_platform_clock_kind(void) { return hal.realtime ? SCS_CAPABILITY_HARDWARE_TIMED : SCS_CAPABILITY_VIRTUAL_CLOCK; }
scs_edges_t *scs_platform_edges(void) { return hal.edges; }

/* All four pins in one BSRR write (set bits, and reset bits for the others); the DAC's 12-bit code,
 * never past full scale. */
scs_out_t scs_platform_output_word(uint8_t pins, uint16_t dac_code)
{
    uint32_t set = ((uint32_t)pins & 0xFu) << OUT_PINS_SHIFT;
    uint32_t code = (dac_code > SCS_DAC_CODE_MAX) ? SCS_DAC_CODE_MAX : (uint32_t)dac_code;
    return (scs_out_t){set | ((~set & OUT_PINS_MASK) << 16), code};
}

void scs_platform_output(uint8_t pins, uint16_t dac_code)
{
    scs_out_t w = scs_platform_output_word(pins, dac_code);
    GPIOB->BSRR = w.pin_word;
    DAC->DHR12R1 = w.dac_word;
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
    while (((USART1->SR & USART_SR_TXE) != 0u) && (hal.tx != NULL) && (scs_ring_get(hal.tx, &b) != 0)) {
        USART1->DR = b;
    }
    if ((hal.tx != NULL) && (scs_ring_count(hal.tx) != 0u)) {
        USART1->CR1 |= USART_CR1_TXEIE;
    } else {
        USART1->CR1 &= ~USART_CR1_TXEIE;
    }
}

/* From the main loop: only the USART's own interrupt is held off (it drains the same ring); the
 * edge timer still preempts, however long QEMU's synchronous transmitter keeps this loop busy. */
void hal_uart_kick(void)
{
    NVIC_DisableIRQ(USART1_IRQn);
    __asm volatile("dsb\n isb" ::: "memory");
    tx_drain();
    NVIC_EnableIRQ(USART1_IRQn);
}

void USART1_IRQHandler(void);
void USART1_IRQHandler(void)
{
    uint32_t sr = USART1->SR;
    if ((sr & (USART_SR_RXNE | USART_SR_ORE)) != 0u) {
        uint8_t b = (uint8_t)USART1->DR; /* reading DR clears RXNE and an overrun */
        if (hal.rx != NULL) {
            (void)scs_ring_put(hal.rx, b); /* a full ring counts the overrun itself */
        }
    }
    if ((sr & USART_SR_TXE) != 0u) {
        tx_drain();
    }
}

void hal_idle(void)
{
    /* sleep with interrupts masked: an interrupt still wakes the core, and is taken after the time
     * asleep is counted */
    uint32_t saved = scs_platform_irq_lock();
    uint32_t t0 = TIM2->CNT; /* raw counts: the loop wakes well within a counter period */
    if (scs_ring_count(hal.rx) == 0u) {
        __asm volatile("dsb\n wfi" ::: "memory");
    }
    hal.idle_counts += TIM2->CNT - t0;
    scs_platform_irq_unlock(saved);
}

void hal_load(uint64_t *idle_counts, uint64_t *elapsed_counts)
{
    uint32_t saved = scs_platform_irq_lock();
    *idle_counts = hal.idle_counts;
    *elapsed_counts = hal_fine_now() - hal.boot_counts;
    scs_platform_irq_unlock(saved);
}

void scs_platform_watchdog_kick(void) { IWDG->KR = IWDG_KR_RELOAD; }

#define RETAINED_MAGIC 0x53435352u /* "RSCS": the storage has been set up */
#define RETAINED_SIZE (2u * SCS_SETTINGS_SLOT_SIZE)
#define RECORD_WORDS SCS_SECURITY_RECORD_WORDS
_Static_assert(RETAINED_SIZE <= 4096u, "the settings fit the 4 KB backup SRAM");
_Static_assert((1u + (2u * RECORD_WORDS)) <= 20u, "the security record fits RTC backup registers 1-19");

/* In the emulator: SRAM the startup code never initialises, kept across resets (the settings slots and
 * their markers are storage_init's). */
__attribute__((section(".noinit"))) static uint32_t retained_record[2u * RECORD_WORDS];

static void blank(uint8_t *p, unsigned n)
{
    for (unsigned i = 0u; i < n; i++) {
        p[i] = 0xFFu;
    }
}

/* Two settings slots: the 4 KB backup SRAM on a board (kept through resets and, with VBAT,
 * power-off; its first-use marker sits in RTC backup register 0 of the same domain), retained SRAM in
 * the emulator. The security record: RTC backup registers 1.. on a board, retained SRAM in QEMU. */
static void storage_init(void)
{
    __attribute__((section(".noinit"))) static uint8_t retained[RETAINED_SIZE];
    __attribute__((section(".noinit"))) static uint32_t retained_magic;
    __attribute__((section(".noinit"))) static uint32_t retained_record_magic;
    if (hal.emulator == 0) {
        RCC->APB1ENR |= RCC_APB1ENR_PWREN;
        PWR->CR |= PWR_CR_DBP; /* backup domain writable */
        RCC->AHB1ENR |= RCC_AHB1ENR_BKPSRAMEN;
        if (RTC->BKPR[0] != RETAINED_MAGIC) {
            blank(BKPSRAM, RETAINED_SIZE);
            RTC->BKPR[0] = RETAINED_MAGIC;
        }
        hal.storage = BKPSRAM;
        return;
    }
    if (retained_magic != RETAINED_MAGIC) { /* first power-on: blank storage */
        blank(retained, sizeof retained);
        retained_magic = RETAINED_MAGIC;
    }
    if (retained_record_magic != RETAINED_MAGIC) {
        for (unsigned i = 0u; i < (2u * RECORD_WORDS); i++) {
            retained_record[i] = 0xFFFFFFFFu;
        }
        retained_record_magic = RETAINED_MAGIC;
    }
    hal.storage = retained;
}

uint8_t *scs_platform_settings_slot(scs_fw_t *fw, unsigned slot)
{
    (void)fw;
    return &hal.storage[slot * SCS_SETTINGS_SLOT_SIZE];
}

static volatile uint32_t *record_word(unsigned slot, unsigned word)
{
    unsigned i = (slot * RECORD_WORDS) + word;
    return hal.emulator ? &retained_record[i] : &RTC->BKPR[1u + i];
}

uint32_t scs_platform_record_read(scs_fw_t *fw, unsigned slot, unsigned word)
{
    (void)fw;
    return *record_word(slot, word);
}

void scs_platform_record_write(scs_fw_t *fw, unsigned slot, unsigned word, uint32_t value)
{
    (void)fw;
    *record_word(slot, word) = value;
}

/* The RNG needs the PLL's 48 MHz output: PLL from the 16 MHz HSI, M 16, N 192, Q 4 (the system
 * clock stays on the HSI). */
static int rng_clock(void)
{
    if (!(RCC->CR & RCC_CR_PLLRDY)) {
        RCC->PLLCFGR = (UINT32_C(16) << RCC_PLLCFGR_PLLM_Pos) | (UINT32_C(192) << RCC_PLLCFGR_PLLN_Pos) |
                       (UINT32_C(3) << RCC_PLLCFGR_PLLP_Pos) |
                       (UINT32_C(4) << RCC_PLLCFGR_PLLQ_Pos); /* source HSI, P 8 (unused) */
        RCC->CR |= RCC_CR_PLLON;
        for (unsigned i = 0; i < 100000u && !(RCC->CR & RCC_CR_PLLRDY); i++) {
        }
    }
    return (RCC->CR & RCC_CR_PLLRDY) != 0u;
}

/* QEMU models no RNG: the harness gives each emulator launch 16 random bytes here (QEMU's generic
 * loader), so a fresh emulator with blank memory and the same image still never repeats a nonce. */
__attribute__((section(".noinit"), used)) volatile uint32_t scs_emulator_seed[4];

static int emulator_seed(uint8_t out[16])
{
    uint32_t seen = 0u;
    for (unsigned w = 0u; w < 4u; w++) {
        uint32_t v = scs_emulator_seed[w];
        seen |= v;
        for (unsigned b = 0u; b < 4u; b++) {
            out[(4u * w) + b] = (uint8_t)(v >> (8u * b));
        }
    }
    return seen != 0u;
}

/* 16 bytes from the RNG peripheral, or 0 when it gives none: QEMU 7.2 does not model it (reads 0,
 * DRDY never set), and a seed or clock error also gives 0. In QEMU: the harness's seed instead. */
int scs_platform_rng(uint8_t out[16])
{
    if (hal.emulator != 0) {
        return emulator_seed(out);
    }
    if (rng_clock() == 0) {
        return 0;
    }
    RCC->AHB2ENR |= RCC_AHB2ENR_RNGEN;
    RNG->CR |= RNG_CR_RNGEN;
    uint32_t seen = 0u;
    for (unsigned w = 0u; w < 4u; w++) {
        unsigned i = 0u;
        while (!(RNG->SR & RNG_SR_DRDY) && i++ < 100000u) {
        }
        if (((RNG->SR & RNG_SR_DRDY) == 0u) || ((RNG->SR & (RNG_SR_CECS | RNG_SR_SECS | RNG_SR_CEIS | RNG_SR_SEIS)) != 0u)) {
            return 0; /* no data, or a seed/clock error */
        }
        uint32_t v = RNG->DR;
        seen |= v;
        for (unsigned b = 0u; b < 4u; b++) {
            out[(4u * w) + b] = (uint8_t)(v >> (8u * b));
        }
    }
    return seen != 0u; /* all zero: not a working RNG */
}
