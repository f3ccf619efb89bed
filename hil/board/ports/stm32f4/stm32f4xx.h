/* The STM32F405/407 peripherals this port uses, CMSIS-style (a struct per peripheral, a pointer per
 * instance, bit names by register), written for this project from the reference manual RM0090 and the
 * Cortex-M4 generic user guide; no vendor file is used. Only the registers and bits the port touches
 * are named; the offsets are checked at compile time. */
#ifndef SCS_STM32F4XX_H
#define SCS_STM32F4XX_H
#include <stddef.h>
#include <stdint.h>

#define __IO volatile

/* --- RCC (RM0090 7.3) --- */
typedef struct {
    __IO uint32_t CR;
    __IO uint32_t PLLCFGR;
    __IO uint32_t CFGR;
    __IO uint32_t CIR;
    __IO uint32_t AHB1RSTR;
    __IO uint32_t AHB2RSTR;
    __IO uint32_t AHB3RSTR;
    __IO uint32_t RESERVED0;
    __IO uint32_t APB1RSTR;
    __IO uint32_t APB2RSTR;
    uint32_t RESERVED1[2];
    __IO uint32_t AHB1ENR;
    __IO uint32_t AHB2ENR;
    __IO uint32_t AHB3ENR;
    __IO uint32_t RESERVED2;
    __IO uint32_t APB1ENR;
    __IO uint32_t APB2ENR;
    uint32_t RESERVED3[2];
    __IO uint32_t AHB1LPENR;
    __IO uint32_t AHB2LPENR;
    __IO uint32_t AHB3LPENR;
    __IO uint32_t RESERVED4;
    __IO uint32_t APB1LPENR;
    __IO uint32_t APB2LPENR;
    uint32_t RESERVED5[2];
    __IO uint32_t BDCR;
    __IO uint32_t CSR;
    uint32_t RESERVED6[2];
    __IO uint32_t SSCGR;
    __IO uint32_t PLLI2SCFGR;
} RCC_TypeDef;
#define RCC_CR_HSION (1u << 0)
#define RCC_CR_HSIRDY (1u << 1)
#define RCC_CR_HSEON (UINT32_C(1) << 16)
#define RCC_CR_HSERDY (UINT32_C(1) << 17)
#define RCC_CR_PLLON (UINT32_C(1) << 24)
#define RCC_CR_PLLRDY (UINT32_C(1) << 25)
#define RCC_PLLCFGR_PLLM_Pos 0u
#define RCC_PLLCFGR_PLLN_Pos 6u
#define RCC_PLLCFGR_PLLP_Pos 16u /* 0: /2, 1: /4, 2: /6, 3: /8 */
#define RCC_PLLCFGR_PLLSRC_HSE (UINT32_C(1) << 22)
#define RCC_PLLCFGR_PLLQ_Pos 24u
#define RCC_PLLCFGR_RESERVED29 (UINT32_C(1) << 29) /* reads 1 after reset; written back as 1 */
#define RCC_CFGR_SW (3u << 0)
#define RCC_CFGR_SW_PLL (2u << 0)
#define RCC_CFGR_SWS (3u << 2)
#define RCC_CFGR_SWS_PLL (2u << 2)
#define RCC_CFGR_HPRE (0xFu << 4)
#define RCC_CFGR_PPRE1 (UINT32_C(7) << 10)
#define RCC_CFGR_PPRE1_DIV4 (UINT32_C(5) << 10)
#define RCC_CFGR_PPRE2 (UINT32_C(7) << 13)
#define RCC_CFGR_PPRE2_DIV2 (UINT32_C(4) << 13)
#define RCC_AHB1ENR_GPIOAEN (1u << 0)
#define RCC_AHB1ENR_GPIOBEN (1u << 1)
#define RCC_AHB1ENR_BKPSRAMEN (UINT32_C(1) << 18)
#define RCC_AHB2ENR_RNGEN (1u << 6)
#define RCC_APB1ENR_TIM2EN (1u << 0)
#define RCC_APB1ENR_TIM5EN (1u << 3)
#define RCC_APB1ENR_PWREN (UINT32_C(1) << 28)
#define RCC_APB1ENR_DACEN (UINT32_C(1) << 29)
#define RCC_APB2ENR_USART1EN (1u << 4)

/* --- FLASH interface (RM0090 3.9) --- */
typedef struct {
    __IO uint32_t ACR;
    __IO uint32_t KEYR;
    __IO uint32_t OPTKEYR;
    __IO uint32_t SR;
    __IO uint32_t CR;
    __IO uint32_t OPTCR;
} FLASH_TypeDef;
#define FLASH_ACR_LATENCY (7u << 0)
#define FLASH_ACR_LATENCY_5WS (5u << 0)
#define FLASH_ACR_PRFTEN (UINT32_C(1) << 8)
#define FLASH_ACR_ICEN (UINT32_C(1) << 9)
#define FLASH_ACR_DCEN (UINT32_C(1) << 10)

/* --- PWR (RM0090 5.4) --- */
typedef struct {
    __IO uint32_t CR;
    __IO uint32_t CSR;
} PWR_TypeDef;
#define PWR_CR_DBP (UINT32_C(1) << 8)
#define PWR_CR_VOS (UINT32_C(1) << 14)

/* --- GPIO (RM0090 8.4) --- */
typedef struct {
    __IO uint32_t MODER;
    __IO uint32_t OTYPER;
    __IO uint32_t OSPEEDR;
    __IO uint32_t PUPDR;
    __IO uint32_t IDR;
    __IO uint32_t ODR;
    __IO uint32_t BSRR;
    __IO uint32_t LCKR;
    __IO uint32_t AFR[2];
} GPIO_TypeDef;
#define GPIO_MODER_OUTPUT 1u /* two bits per pin */
#define GPIO_MODER_AF 2u
#define GPIO_MODER_ANALOG 3u
#define GPIO_AF7_USART1 7u /* four bits per pin */

/* --- USART (RM0090 30.6) --- */
typedef struct {
    __IO uint32_t SR;
    __IO uint32_t DR;
    __IO uint32_t BRR;
    __IO uint32_t CR1;
    __IO uint32_t CR2;
    __IO uint32_t CR3;
    __IO uint32_t GTPR;
} USART_TypeDef;
#define USART_SR_ORE (1u << 3)
#define USART_SR_RXNE (1u << 5)
#define USART_SR_TXE (1u << 7)
#define USART_CR1_RE (1u << 2)
#define USART_CR1_TE (1u << 3)
#define USART_CR1_RXNEIE (1u << 5)
#define USART_CR1_TXEIE (1u << 7)
#define USART_CR1_UE (UINT32_C(1) << 13)

/* --- general-purpose timers TIM2..TIM5 (RM0090 18.4) --- */
typedef struct {
    __IO uint32_t CR1;
    __IO uint32_t CR2;
    __IO uint32_t SMCR;
    __IO uint32_t DIER;
    __IO uint32_t SR;
    __IO uint32_t EGR;
    __IO uint32_t CCMR1;
    __IO uint32_t CCMR2;
    __IO uint32_t CCER;
    __IO uint32_t CNT;
    __IO uint32_t PSC;
    __IO uint32_t ARR;
    __IO uint32_t RCR;
    __IO uint32_t CCR1;
    __IO uint32_t CCR2;
    __IO uint32_t CCR3;
    __IO uint32_t CCR4;
    __IO uint32_t BDTR;
    __IO uint32_t DCR;
    __IO uint32_t DMAR;
    __IO uint32_t OR;
} TIM_TypeDef;
#define TIM_CR1_CEN (1u << 0)
#define TIM_CR1_URS (1u << 2)
#define TIM_CR1_OPM (1u << 3)
#define TIM_DIER_UIE (1u << 0)

/* --- DAC (RM0090 14.5) --- */
typedef struct {
    __IO uint32_t CR;
    __IO uint32_t SWTRIGR;
    __IO uint32_t DHR12R1;
    __IO uint32_t DHR12L1;
    __IO uint32_t DHR8R1;
    __IO uint32_t DHR12R2;
    __IO uint32_t DHR12L2;
    __IO uint32_t DHR8R2;
    __IO uint32_t DHR12RD;
    __IO uint32_t DHR12LD;
    __IO uint32_t DHR8RD;
    __IO uint32_t DOR1;
    __IO uint32_t DOR2;
    __IO uint32_t SR;
} DAC_TypeDef;
#define DAC_CR_EN1 (1u << 0)
#define DAC_DHR12R1_MAX 4095u

/* --- independent watchdog (RM0090 19.4) --- */
typedef struct {
    __IO uint32_t KR;
    __IO uint32_t PR;
    __IO uint32_t RLR;
    __IO uint32_t SR;
} IWDG_TypeDef;
#define IWDG_KR_UNLOCK 0x5555u /* PR and RLR writable */
#define IWDG_KR_RELOAD 0xAAAAu
#define IWDG_KR_START 0xCCCCu
#define IWDG_PR_DIV32 3u

/* --- RTC: only its backup registers are used (RM0090 26.6) --- */
typedef struct {
    __IO uint32_t TR;
    __IO uint32_t DR;
    __IO uint32_t CR;
    __IO uint32_t ISR;
    __IO uint32_t PRER;
    __IO uint32_t WUTR;
    __IO uint32_t CALIBR;
    __IO uint32_t ALRMAR;
    __IO uint32_t ALRMBR;
    __IO uint32_t WPR;
    __IO uint32_t SSR;
    __IO uint32_t SHIFTR;
    __IO uint32_t TSTR;
    __IO uint32_t TSDR;
    __IO uint32_t TSSSR;
    __IO uint32_t CALR;
    __IO uint32_t TAFCR;
    __IO uint32_t ALRMASSR;
    __IO uint32_t ALRMBSSR;
    uint32_t RESERVED0;
    __IO uint32_t BKPR[20]; /* BKP0R .. BKP19R: the backup domain, kept by VBAT */
} RTC_TypeDef;

/* --- RNG (RM0090 24.4) --- */
typedef struct {
    __IO uint32_t CR;
    __IO uint32_t SR;
    __IO uint32_t DR;
} RNG_TypeDef;
#define RNG_CR_RNGEN (1u << 2)
#define RNG_SR_DRDY (1u << 0)
#define RNG_SR_CECS (1u << 1)
#define RNG_SR_SECS (1u << 2)
#define RNG_SR_CEIS (1u << 5)
#define RNG_SR_SEIS (1u << 6)

/* --- Cortex-M4 core: NVIC and SCB (ARMv7-M ARM B3.4, B3.2) --- */
typedef struct {
    __IO uint32_t ISER[8];
    uint32_t RESERVED0[24];
    __IO uint32_t ICER[8];
    uint32_t RESERVED1[24];
    __IO uint32_t ISPR[8];
    uint32_t RESERVED2[24];
    __IO uint32_t ICPR[8];
    uint32_t RESERVED3[24];
    __IO uint32_t IABR[8];
    uint32_t RESERVED4[56];
    __IO uint8_t IP[240]; /* priority per interrupt, upper 4 bits implemented */
} NVIC_Type;
typedef struct {
    __IO uint32_t CPUID;
    __IO uint32_t ICSR;
    __IO uint32_t VTOR;
    __IO uint32_t AIRCR;
    __IO uint32_t SCR;
    __IO uint32_t CCR;
    __IO uint8_t SHP[12];
    __IO uint32_t SHCSR;
    __IO uint32_t CFSR;
    __IO uint32_t HFSR;
    __IO uint32_t DFSR;
    __IO uint32_t MMFAR;
    __IO uint32_t BFAR;
    __IO uint32_t AFSR;
    __IO uint32_t PFR[2];
    __IO uint32_t DFR;
    __IO uint32_t ADR;
    __IO uint32_t MMFR[4];
    __IO uint32_t ISAR[5];
    uint32_t RESERVED0[5];
    __IO uint32_t CPACR;
} SCB_Type;
#define SCB_CPACR_CP10_CP11_FULL (UINT32_C(0xF) << 20) /* the FPU: full access for privileged and user code */
#define SCB_AIRCR_VECTKEY (UINT32_C(0x05FA) << 16)
#define SCB_AIRCR_SYSRESETREQ (1u << 2)

/* the MPU (ARMv7-M B3.5): 8 regions on the Cortex-M4 */
typedef struct {
    __IO uint32_t TYPE;
    __IO uint32_t CTRL;
    __IO uint32_t RNR;
    __IO uint32_t RBAR;
    __IO uint32_t RASR;
} MPU_Type;
#define MPU_BASE 0xE000ED90u
#define MPU ((MPU_Type *)MPU_BASE)
#define MPU_CTRL_ENABLE 1u
#define MPU_CTRL_PRIVDEFENA (1u << 2) /* the default map for privileged code outside the regions */
#define MPU_RASR_ENABLE 1u
#define MPU_RASR_XN (UINT32_C(1) << 28)        /* AP = 000: no access at all */

/* RCC_CSR reset flags (RM0090 7.3.21) */
#define RCC_CSR_RMVF (UINT32_C(1) << 24)
#define RCC_CSR_BORRSTF (UINT32_C(1) << 25)
#define RCC_CSR_PINRSTF (UINT32_C(1) << 26)
#define RCC_CSR_PORRSTF (UINT32_C(1) << 27)
#define RCC_CSR_SFTRSTF (UINT32_C(1) << 28)
#define RCC_CSR_IWDGRSTF (UINT32_C(1) << 29)
#define RCC_CSR_WWDGRSTF (UINT32_C(1) << 30)
/* FLASH option bytes (RM0090 3.7): BOR_LEV in OPTCR bits 3:2, 00 = level 3 */
#define FLASH_OPTKEY1 0x08192A3Bu
#define FLASH_OPTKEY2 0x4C5D6E7Fu
#define FLASH_OPTCR_OPTLOCK 1u
#define FLASH_OPTCR_OPTSTRT (1u << 1)
#define FLASH_OPTCR_BOR_LEV (3u << 2)
#define FLASH_SR_BSY (UINT32_C(1) << 16)

typedef enum { USART1_IRQn = 37, TIM5_IRQn = 50 } IRQn_Type;

/* --- the memory map (RM0090 2.3) --- */
#define PERIPH_BASE 0x40000000u
#define TIM2_BASE (PERIPH_BASE + 0x0000u)
#define TIM5_BASE (PERIPH_BASE + 0x0C00u)
#define RTC_BASE (PERIPH_BASE + 0x2800u)
#define IWDG_BASE (PERIPH_BASE + 0x3000u)
#define PWR_BASE (PERIPH_BASE + 0x7000u)
#define DAC_BASE (PERIPH_BASE + 0x7400u)
#define USART1_BASE (PERIPH_BASE + 0x11000u)
#define GPIOA_BASE (PERIPH_BASE + 0x20000u)
#define GPIOB_BASE (PERIPH_BASE + 0x20400u)
#define RCC_BASE (PERIPH_BASE + 0x23800u)
#define FLASH_R_BASE (PERIPH_BASE + 0x23C00u)
#define BKPSRAM_BASE (PERIPH_BASE + 0x24000u)
#define RNG_BASE 0x50060800u
#define NVIC_BASE 0xE000E100u
#define SCB_BASE 0xE000ED00u

#define TIM2 ((TIM_TypeDef *)TIM2_BASE)
#define TIM5 ((TIM_TypeDef *)TIM5_BASE)
#define RTC ((RTC_TypeDef *)RTC_BASE)
#define IWDG ((IWDG_TypeDef *)IWDG_BASE)
#define PWR ((PWR_TypeDef *)PWR_BASE)
#define DAC ((DAC_TypeDef *)DAC_BASE)
#define USART1 ((USART_TypeDef *)USART1_BASE)
#define GPIOA ((GPIO_TypeDef *)GPIOA_BASE)
#define GPIOB ((GPIO_TypeDef *)GPIOB_BASE)
#define RCC ((RCC_TypeDef *)RCC_BASE)
#define FLASH ((FLASH_TypeDef *)FLASH_R_BASE)
#define RNG ((RNG_TypeDef *)RNG_BASE)
#define NVIC ((NVIC_Type *)NVIC_BASE)
#define SCB ((SCB_Type *)SCB_BASE)
#define BKPSRAM ((uint8_t *)BKPSRAM_BASE) /* 4 KB backup SRAM */

static inline void NVIC_EnableIRQ(IRQn_Type irq) { NVIC->ISER[(uint32_t)irq >> 5] = 1u << ((uint32_t)irq & 31u); }
static inline void NVIC_DisableIRQ(IRQn_Type irq) { NVIC->ICER[(uint32_t)irq >> 5] = 1u << ((uint32_t)irq & 31u); }
static inline void NVIC_SetPriority(IRQn_Type irq, uint8_t prio) { NVIC->IP[irq] = (uint8_t)(prio << 4); }

/* The offsets of RM0090's register maps. */
_Static_assert(((size_t)offsetof(RCC_TypeDef, PLLCFGR) == 0x04u) && ((size_t)offsetof(RCC_TypeDef, AHB1ENR) == 0x30u) &&
                   ((size_t)offsetof(RCC_TypeDef, APB1ENR) == 0x40u) && ((size_t)offsetof(RCC_TypeDef, BDCR) == 0x70u) &&
                   ((size_t)offsetof(RCC_TypeDef, PLLI2SCFGR) == 0x84u), "RCC register map");
_Static_assert(((size_t)offsetof(GPIO_TypeDef, BSRR) == 0x18u) && ((size_t)offsetof(GPIO_TypeDef, AFR) == 0x20u), "GPIO register map");
_Static_assert(((size_t)offsetof(TIM_TypeDef, CNT) == 0x24u) && ((size_t)offsetof(TIM_TypeDef, ARR) == 0x2Cu) && ((size_t)offsetof(TIM_TypeDef, OR) == 0x50u),
               "TIM register map");
_Static_assert(((size_t)offsetof(DAC_TypeDef, DHR12R1) == 0x08u) && ((size_t)offsetof(DAC_TypeDef, SR) == 0x34u), "DAC register map");
_Static_assert(((size_t)offsetof(RTC_TypeDef, BKPR) == 0x50u), "RTC register map");
_Static_assert(((size_t)offsetof(NVIC_Type, ICER) == 0x80u) && ((size_t)offsetof(NVIC_Type, IP) == 0x300u), "NVIC register map");
_Static_assert(((size_t)offsetof(SCB_Type, CPACR) == 0x88u), "SCB register map");
#endif
