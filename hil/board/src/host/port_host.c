/* The port layer on a host (the shared library for tests, the fuzz harnesses): no interrupts, so
 * nothing to mask. The board's own is in src/stm32. */
#include "port.h"

uint32_t scs_irq_lock(void) { return 0; }
void scs_irq_unlock(uint32_t saved) { (void)saved; }
