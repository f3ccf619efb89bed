/* Vector table and reset handler for the Cortex-M4 of the STM32F405/407. */
#include <stdint.h>
#include <string.h>

extern uint32_t _estack, _sidata, _sdata, _edata, _sbss, _ebss;
int main(void);

void Reset_Handler(void);
void Default_Handler(void);
void Fault_Handler(void); /* fault.c: outputs safe first, a fault record, a reset */

void Default_Handler(void)
{
    for (;;) {
    }
}

void Reset_Handler(void)
{
    memcpy(&_sdata, &_sidata, (size_t)((char *)&_edata - (char *)&_sdata));
    memset(&_sbss, 0, (size_t)((char *)&_ebss - (char *)&_sbss));
    main();
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
