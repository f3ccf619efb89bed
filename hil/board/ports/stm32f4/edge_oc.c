/* OC=1 (make arm OC=1): the pins and the DAC driven by timer hardware at the due count, on a chip.
 *
 * PB12 has no timer channel, so the compare does not drive the pins directly: TIM8, started in step
 * with TIM2 (TIM2 TRGO -> TIM8 ITR1, RM0090 table 94) and counting two per TIM2 count (168 MHz against
 * 84 MHz), raises a compare event on channel 1 at the edge's due count. The event
 *  - requests DMA2 stream 2 channel 7 (TIM8_CH1, RM0090 table 43), which copies the edge's precomputed
 *    BSRR word (scs_edge_t.out.pin_word) into GPIOB BSRR: DMA2 reaches the AHB1 GPIO, DMA1 cannot;
 *  - pulses TIM8 TRGO (MMS = compare pulse), which triggers DAC channel 1 (TSEL1 = TIM8 TRGO) to move
 *    the code loaded beforehand into DHR12R1 to its output.
 * The edge interrupt (edge_timer.c) loads one edge a lead before it is due, then accounts for it once
 * the event has passed; the pins change within a few bus cycles of the count, with no interrupt
 * latency. An edge loaded too late (the compare already passed) is stored by the CPU and counted late.
 * QEMU 7.2 models neither TIM8 compares, DMA nor the DAC: this path is built (make arm OC=1) but only a
 * chip runs it. */
#include "hal.h"
#include "stm32f4xx.h"

#if SCS_EDGE_OC

/* DMA2 stream registers (RM0090 10.5) and the TIM8/TIM1 advanced-timer map (RM0090 17.4). */
typedef struct {
    __IO uint32_t CR;
    __IO uint32_t NDTR;
    __IO uint32_t PAR;
    __IO uint32_t M0AR;
    __IO uint32_t M1AR;
    __IO uint32_t FCR;
} DMA_Stream_TypeDef;
typedef struct {
    __IO uint32_t LISR;
    __IO uint32_t HISR;
    __IO uint32_t LIFCR;
    __IO uint32_t HIFCR;
} DMA_TypeDef;
#define DMA2_BASE 0x40026400u
#define DMA2 ((DMA_TypeDef *)DMA2_BASE)
#define DMA2_Stream2 ((DMA_Stream_TypeDef *)(DMA2_BASE + 0x10u + 0x18u * 2u))
#define TIM8 ((TIM_TypeDef *)(PERIPH_BASE + 0x10400u))
#define RCC_AHB1ENR_DMA2EN (UINT32_C(1) << 22)
#define RCC_APB2ENR_TIM8EN (1u << 1)
#define DMA_SxCR_EN (1u << 0)
#define DMA_SxCR_DIR_M2P (1u << 6)
#define DMA_SxCR_MSIZE_32 (UINT32_C(2) << 13)
#define DMA_SxCR_PSIZE_32 (UINT32_C(2) << 11)
#define DMA_SxCR_CHSEL_7 (UINT32_C(7) << 25)
#define DMA_LIFCR_STREAM2 (UINT32_C(0x3D) << 16)
#define TIM_CR2_MMS_ENABLE (1u << 4)      /* TIM2: TRGO on counter enable */
#define TIM_CR2_MMS_COMPARE (3u << 4)     /* TIM8: TRGO pulses at each compare match */
#define TIM_SMCR_TRIGGER_ITR1 (6u | 1u << 4) /* TIM8: start on TIM2's TRGO */
#define TIM_DIER_CC1DE (UINT32_C(1) << 9)
#define TIM_SR_CC1IF (1u << 1)
#define DAC_CR_TEN1 (1u << 2)
#define DAC_CR_TSEL1_TIM8 (1u << 3)
#define TIM8_PER_TIM2 2u

static int started;

/* Once at start-up, TIM2 stopped at 0: TIM8 starts on TIM2's enable, so TIM8 = 2 x TIM2 (mod 2^16) from then on. */
void hal_oc_init(void)
{
    RCC->AHB1ENR |= RCC_AHB1ENR_DMA2EN;
    RCC->APB2ENR |= RCC_APB2ENR_TIM8EN;
    TIM8->ARR = 0xFFFFu;
    TIM8->SMCR = TIM_SMCR_TRIGGER_ITR1;
    TIM8->CR2 = TIM_CR2_MMS_COMPARE;
    TIM8->DIER = TIM_DIER_CC1DE;
    TIM2->CR2 = TIM_CR2_MMS_ENABLE;
    DMA2_Stream2->PAR = (uint32_t)(uintptr_t)&GPIOB->BSRR;
    DAC->CR |= DAC_CR_TEN1 | DAC_CR_TSEL1_TIM8;
    started = 1;
}

/* Load one edge into the hardware: stored at TIM2 count `due` (its low 32 bits) by DMA and the DAC
 * trigger. 1 when loaded ahead of the count, 0 when too late (the caller stores it itself). */
int hal_oc_load(const scs_out_t *out, uint32_t due)
{
    if (!started || ((TIM2->CNT + 2u) - due) < 0x80000000u) {
        return 0;
    }
    DMA2_Stream2->CR = 0;
    DMA2->LIFCR = DMA_LIFCR_STREAM2;
    DMA2_Stream2->M0AR = (uint32_t)(uintptr_t)&out->pin_word;
    DMA2_Stream2->NDTR = 1u;
    DMA2_Stream2->CR = DMA_SxCR_CHSEL_7 | DMA_SxCR_DIR_M2P | DMA_SxCR_MSIZE_32 | DMA_SxCR_PSIZE_32 | DMA_SxCR_EN;
    DAC->DHR12R1 = out->dac_word; /* held until the compare's trigger */
    TIM8->SR = ~TIM_SR_CC1IF;
    TIM8->CCR1 = (uint16_t)(due * TIM8_PER_TIM2);
    if ((TIM2->CNT - due) >= 0x80000000u) { /* TIM2 short of due: their difference mod 2^32 is negative */
        return 1; /* still ahead once loaded: the compare will fire */
    }
    DMA2_Stream2->CR = 0;
    return 0;
}
#endif
