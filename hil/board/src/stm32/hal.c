#include "hal.h"

#define REG(addr) (*(volatile uint32_t *)(addr))
#define RCC 0x40023800u
#define RCC_CR REG(RCC + 0x00u)
#define RCC_AHB1ENR REG(RCC + 0x30u)
#define RCC_APB1ENR REG(RCC + 0x40u)
#define RCC_APB2ENR REG(RCC + 0x44u)
#define GPIOA 0x40020000u
#define GPIOA_MODER REG(GPIOA + 0x00u)
#define GPIOA_AFRH REG(GPIOA + 0x24u)
#define USART1 0x40011000u
#define USART_SR REG(USART1 + 0x00u)
#define USART_DR REG(USART1 + 0x04u)
#define USART_BRR REG(USART1 + 0x08u)
#define USART_CR1 REG(USART1 + 0x0Cu)
#define SR_RXNE (1u << 5)
#define SR_TXE (1u << 7)
#define TIM2 0x40000000u
#define TIM_CR1 REG(TIM2 + 0x00u)
#define TIM_EGR REG(TIM2 + 0x14u)
#define TIM_CNT REG(TIM2 + 0x24u)
#define TIM_PSC REG(TIM2 + 0x28u)
#define TIM_ARR REG(TIM2 + 0x2Cu)
#define IWDG 0x40003000u
#define IWDG_KR REG(IWDG + 0x00u)
#define IWDG_PR REG(IWDG + 0x04u)
#define IWDG_RLR REG(IWDG + 0x08u)
/* After reset the core runs on the 16 MHz HSI; APB1 and APB2 run at 16 MHz too. */
#define PCLK_HZ 16000000u

static uint32_t last_cnt;
static uint64_t ticks_high;

void hal_init(void)
{
    RCC_AHB1ENR |= 1u << 0;                 /* GPIOA */
    RCC_APB1ENR |= 1u << 0;                 /* TIM2 */
    RCC_APB2ENR |= 1u << 4;                 /* USART1 */
    GPIOA_MODER = (GPIOA_MODER & ~(0xFu << 18)) | (0xAu << 18);        /* PA9, PA10: alternate function */
    GPIOA_AFRH = (GPIOA_AFRH & ~(0xFFu << 4)) | (0x77u << 4);          /* AF7 = USART1 */
    USART_BRR = (PCLK_HZ + 115200u / 2u) / 115200u;                    /* 115200 baud, 8N1 (default) */
    USART_CR1 = (1u << 13) | (1u << 3) | (1u << 2);                    /* UE, TE, RE */
    TIM_PSC = PCLK_HZ / 1000000u - 1u;                                 /* 1 MHz */
    TIM_ARR = 0xFFFFFFFFu;
    TIM_EGR = 1u;                                                      /* load the prescaler */
    TIM_CR1 = 1u;                                                      /* count */
    IWDG_KR = 0x5555u;                                                 /* watchdog: ~1 s */
    IWDG_PR = 3u;
    IWDG_RLR = 1000u;
    IWDG_KR = 0xCCCCu;
}

int hal_usart_read(uint8_t *byte)
{
    if (!(USART_SR & SR_RXNE))
        return 0;
    *byte = (uint8_t)USART_DR;
    return 1;
}

void hal_usart_write(void *ctx, const uint8_t *data, size_t len)
{
    (void)ctx;
    for (size_t i = 0; i < len; i++) {
        while (!(USART_SR & SR_TXE)) {
        }
        USART_DR = data[i];
    }
}

uint64_t hal_ticks(void)
{
    uint32_t cnt = TIM_CNT;
    if (cnt < last_cnt)
        ticks_high += 1ull << 32;
    last_cnt = cnt;
    return ticks_high | cnt;
}

void hal_watchdog_kick(void) { IWDG_KR = 0xAAAAu; }

int hal_is_emulator(void) { return RCC_CR == 0u; }

#define RETAINED_MAGIC 0x53435352u /* "RSCS": the storage has been set up */
#define PWR_CR REG(0x40007000u)
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
    if (!hal_is_emulator()) {
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
