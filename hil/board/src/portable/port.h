/* What the portable core needs from the platform beyond I/O: masking the pulse interrupt for the few
 * places where the main loop and the timer interrupt share state (the edge queue's tail when it is cut
 * back, the trace when it restarts). On the host (tests) these do nothing. */
#ifndef SCS_PORT_H
#define SCS_PORT_H
#include <stdint.h>
uint32_t scs_irq_lock(void);         /* returns the previous mask, for scs_irq_unlock */
void scs_irq_unlock(uint32_t saved);
#endif
