/* Vector table and reset handler for the Cortex-M4F of the STM32F405/407. */
#include <stdint.h>
#include <string.h>

#include "hal.h"
#include "stm32f4xx.h"

#if !defined(__ARM_FP) || !defined(__ARM_PCS_VFP)
#error "the board image is built for the FPU: -mfpu=fpv4-sp-d16 -mfloat-abi=hard (hil/board/Makefile)"
#endif

extern uint32_t _sidata;
extern uint32_t _sdata;
extern uint32_t _edata;
extern uint32_t _sbss;
extern uint32_t _ebss;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void Fault_Handler(void); /* fault.c: outputs safe first, a fault record, a reset */

void Default_Handler(void)
{
    for (;;) {
    }
}

/* The FPU is off at reset (CP10/CP11 access denied: the first float instruction would fault), so it is
 * turned on before anything else runs, the C library's memcpy included. Lazy stacking stays as reset
 * leaves it (FPCCR ASPEN and LSPEN set): an interrupt saves the float registers only if its handler
 * uses them, and neither the USART nor the edge timer handler does. */
void Reset_Handler(void)
{
    SCB->CPACR |= SCB_CPACR_CP10_CP11_FULL;
    __asm volatile("dsb\n isb" ::: "memory");
    (void)memcpy(&_sdata, &_sidata, (size_t)(uintptr_t)&_edata - (size_t)(uintptr_t)&_sdata);
    (void)memset(&_sbss, 0, (size_t)(uintptr_t)&_ebss - (size_t)(uintptr_t)&_sbss);
    (void)main();
    for (;;) {
    }
}

void TIM5_IRQHandler(void);
void USART1_IRQHandler(void);

#define IRQS 82 /* STM32F405/407 */
#define IRQ(n) [16 + (n)]

__attribute__((section(".isr_vector"), used)) static void (*const vectors[16 + IRQS])(void) = {
    /* NMI, HardFault, MemManage, BusFault, UsageFault: Fault_Handler */
    [0] = (void (*)(void))(&_estack), Reset_Handler, Fault_Handler, Fault_Handler, Fault_Handler,
    Fault_Handler, Fault_Handler, 0, 0, 0, 0, Default_Handler, Default_Handler, 0, Default_Handler, Default_Handler,
    [16 ... 16 + 36] = Default_Handler,
    IRQ(37) = USART1_IRQHandler, /* USART1 */
    [16 + 38 ... 16 + 49] = Default_Handler,
    IRQ(50) = TIM5_IRQHandler,   /* TIM5: the pulse edges */
    [16 + 51 ... 16 + IRQS - 1] = Default_Handler,
};
