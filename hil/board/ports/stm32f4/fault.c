/* Processor faults, the reset cause and the stack guard (docs/faults.md).
 *
 * HardFault, MemManage, BusFault, UsageFault and NMI all enter Fault_Handler. Its first instructions
 * drive the outputs safe (PB12-15 low in one BSRR store: instruction 3; DAC code 0 with its trigger off:
 * instruction 8; the timer-driven output path stopped and the pins low again: instruction 13), using no
 * stack, since the fault may be a stack overflow. It then moves the main stack
 * pointer to the top of RAM and saves the fault record (PC, LR, xPSR from the stacked frame when it
 * was written; CFSR, HFSR, MMFAR, BFAR, SP, uptime) in retained SRAM (.noinit), and resets through
 * SCB->AIRCR. The stack's lowest 32 bytes are an MPU region nobody may access, at the base of RAM
 * (stm32f405.ld): an overflow faults in the guard or below RAM, and never writes over data. */
#include <stdbool.h>
#include <string.h>

#include "core.h"
#include "hal.h"
#include "platform.h"
#include "scs_protocol.h"
#include "stm32f4xx.h"

extern uint32_t _stack_guard;

#define RECORD_MAGIC 0x46524543u /* "CERF": a record the handler finished */
#define RECORD_STARTED 0x46525453u /* the handler began it: still this at boot means it never finished */
#define CAUSE_MAGIC 0x52430000u  /* high half of scs_reset_cause_word; low byte: ResetCause */
#define GUARD_BYTES 32u

typedef struct {
    uint32_t magic;
    scs_msg_fault_record_t record;
} retained_fault_t;

/* Retained SRAM (kept by a reset; blank at power-on in QEMU, where the harness writes the cause word
 * when it resets the board: PIN for system_reset, WATCHDOG for its emulated IWDG, POWER_ON when it
 * starts a new QEMU). On a chip the cause comes from RCC_CSR and the word only carries an injected
 * brown-out. */
__attribute__((section(".noinit"), used)) volatile uint32_t scs_reset_cause_word;
__attribute__((section(".noinit"))) static retained_fault_t retained_fault;
static uint8_t injected_kind = SCS_NOT_INJECTED; /* the FAULT_INJECT kind under way */
static uint8_t boot_cause;

/* The first thing every fault does: outputs safe, with no stack (see the file comment). The pins go low
 * first. The DAC's trigger is turned off before its code 0 is written: with the trigger on (OC=1, the
 * timer-driven path) a written code waits in DHR for the next TIM8 compare and the old current keeps
 * flowing. Then TIM8 and the DMA stream that copies pin words into BSRR are stopped, and the pins driven
 * low once more in case that DMA wrote between. In a build without OC=1 these peripherals are unclocked
 * (writes ignored on the chip) and the trigger is already off. */
__attribute__((naked, noreturn)) void Fault_Handler(void);
__attribute__((naked, noreturn)) void Fault_Handler(void)
{
    __asm volatile("ldr r0, =0x40020418\n" /* 1 GPIOB BSRR */
                   "mov r1, #0xF0000000\n" /* 2 BR12..BR15 */
                   "str r1, [r0]\n"        /* 3 PB12-15 low */
                   "ldr r2, =0x40007400\n" /* 4 DAC CR */
                   "movs r3, #1\n"         /* 5 EN1 alone: no trigger, a code reaches the output at once */
                   "str r3, [r2]\n"        /* 6 */
                   "movs r3, #0\n"         /* 7 */
                   "str r3, [r2, #8]\n"    /* 8 DAC DHR12R1 = 0 */
                   "ldr r2, =0x40010400\n" /* 9 TIM8 CR1 */
                   "str r3, [r2]\n"        /* 10 stopped: no compare moves pins or DAC */
                   "ldr r2, =0x40026440\n" /* 11 DMA2 stream 2 CR */
                   "str r3, [r2]\n"        /* 12 disabled */
                   "str r1, [r0]\n"        /* 13 PB12-15 low again */
                   "cpsid i\n"
                   "mrs r0, msp\n" /* where the frame was stacked (if it could be) */
                   "ldr r1, =_estack\n"
                   "msr msp, r1\n" /* a fresh stack: the fault may be an overflow */
                   "b fault_save\n"
                   ".ltorg\n");
}

static void system_reset(void) __attribute__((noreturn));
static void system_reset(void)
{
    __asm volatile("dsb" ::: "memory");
    SCB->AIRCR = SCB_AIRCR_VECTKEY | SCB_AIRCR_SYSRESETREQ;
    __asm volatile("dsb" ::: "memory");
    for (;;) {
    }
}

static int frame_readable(uint32_t sp)
{
    return sp >= (uint32_t)&_stack_guard + GUARD_BYTES && sp + 32u <= (uint32_t)&_estack;
}

void fault_save(uint32_t sp) __attribute__((noreturn, used));
void fault_save(uint32_t sp)
{
    scs_msg_fault_record_t *r = &retained_fault.record;
    uint32_t ipsr;
    __asm volatile("mrs %0, ipsr" : "=r"(ipsr));
    retained_fault.magic = RECORD_STARTED;
    (void)memset(r, 0, sizeof *r);
    r->exception = (uint8_t)(ipsr & 0xFFu);
    r->fault_kind = injected_kind;
    r->sp = sp;
    if (frame_readable(sp) != 0) { /* r0-r3, r12, lr, pc, xpsr */
        const uint32_t *frame = (const uint32_t *)sp;
        r->lr = frame[5];
        r->pc = frame[6];
        r->xpsr = frame[7];
    }
    r->cfsr = SCB->CFSR;
    r->hfsr = SCB->HFSR;
    r->mmfar = SCB->MMFAR;
    r->bfar = SCB->BFAR;
    r->uptime_ticks = scs_platform_ticks();
    retained_fault.magic = RECORD_MAGIC;
    scs_reset_cause_word = CAUSE_MAGIC | (uint32_t)SCS_RESET_CAUSE_SOFTWARE; /* as RCC_CSR.SFTRSTF says on a chip */
    system_reset();
}

/* RCC_CSR's flags, most specific first: a power-on also sets PINRSTF and BORRSTF. */
static uint8_t decode_csr(uint32_t csr)
{
    if ((csr & (RCC_CSR_IWDGRSTF | RCC_CSR_WWDGRSTF)) != 0u) {
        return SCS_RESET_CAUSE_WATCHDOG;
    }
    if ((csr & RCC_CSR_SFTRSTF) != 0u) {
        return SCS_RESET_CAUSE_SOFTWARE;
    }
    if ((csr & RCC_CSR_PORRSTF) != 0u) {
        return SCS_RESET_CAUSE_POWER_ON;
    }
    if ((csr & RCC_CSR_BORRSTF) != 0u) {
        return SCS_RESET_CAUSE_BROWN_OUT;
    }
    if ((csr & RCC_CSR_PINRSTF) != 0u) {
        return SCS_RESET_CAUSE_PIN;
    }
    return SCS_RESET_CAUSE_UNKNOWN;
}

/* Once, at boot, before anything may fault again: the cause (then cleared) and the record. */
void fault_boot(int emulator)
{
    uint32_t word = scs_reset_cause_word;
    bool worded = ((word & 0xFFFF0000u) == CAUSE_MAGIC) && ((word & 0xFFu) <= (uint32_t)SCS_RESET_CAUSE_LOCKUP);
    if (emulator != 0) { /* no RCC model: the harness's word; RAM blank or random at power-on */
        boot_cause = worded ? (uint8_t)(word & 0xFFu) : (uint8_t)SCS_RESET_CAUSE_POWER_ON;
    } else {
        boot_cause = (worded && ((word & 0xFFu) == (uint32_t)SCS_RESET_CAUSE_BROWN_OUT))
                         ? (uint8_t)SCS_RESET_CAUSE_BROWN_OUT
                         : decode_csr(RCC->CSR);
        RCC->CSR |= RCC_CSR_RMVF;
    }
    if (retained_fault.magic == RECORD_STARTED) { /* the handler itself faulted: the core locked up */
        boot_cause = SCS_RESET_CAUSE_LOCKUP;
    }
    scs_reset_cause_word = CAUSE_MAGIC | (uint32_t)SCS_RESET_CAUSE_PIN; /* QEMU: a reset nobody describes is the pin */
}

uint8_t scs_platform_reset_cause(scs_fw_t *fw)
{
    (void)fw;
    return boot_cause;
}

int scs_platform_fault_record(scs_fw_t *fw, scs_msg_fault_record_t *out)
{
    (void)fw;
    if (retained_fault.magic != RECORD_MAGIC) {
        return 0;
    }
    *out = retained_fault.record;
    retained_fault.magic = 0; /* reported by this boot only */
    return 1;
}

/* The stack guard: MPU region 0, the lowest GUARD_BYTES of the stack (the base of RAM), no access; the
 * default map for everything else (privileged code only runs here). The HardFault and NMI handlers run with
 * the MPU off (HFNMIENA clear), so they may save their record anywhere. */
void fault_guard_init(void)
{
    MPU->RNR = 0u;
    MPU->RBAR = (uint32_t)&_stack_guard;
    MPU->RASR = MPU_RASR_XN | (4u << 1) /* 2^(4+1) = 32 bytes */ | MPU_RASR_ENABLE;
    MPU->CTRL = MPU_CTRL_PRIVDEFENA | MPU_CTRL_ENABLE;
    __asm volatile("dsb\n isb" ::: "memory");
}

/* BOR level 3 (about 2.7 V) in the option bytes, once (a chip only: QEMU models no flash interface). */
void fault_bor_init(void)
{
    if ((FLASH->OPTCR & FLASH_OPTCR_BOR_LEV) == 0u) {
        return; /* already level 3 */
    }
    FLASH->OPTKEYR = FLASH_OPTKEY1;
    FLASH->OPTKEYR = FLASH_OPTKEY2;
    while (FLASH->SR & FLASH_SR_BSY) {
    }
    FLASH->OPTCR = (FLASH->OPTCR & ~FLASH_OPTCR_BOR_LEV) | FLASH_OPTCR_OPTSTRT;
    while (FLASH->SR & FLASH_SR_BSY) {
    }
    FLASH->OPTCR |= FLASH_OPTCR_OPTLOCK;
}

/* Recursion with a frame the compiler must keep: it runs into the guard. */
static uint32_t overflow(volatile uint32_t depth)
{
    volatile uint8_t pad[64];
    pad[0] = (uint8_t)depth;
    if (depth > 1000000u) { /* never: the stack ends long before */
        return pad[0];
    }
    return overflow(depth + 1u) + pad[0];
}

int scs_platform_fault_inject(scs_fw_t *fw, uint8_t kind)
{
    (void)fw;
    injected_kind = kind;
    if (kind == (uint8_t)SCS_FAULT_KIND_HARD_FAULT) {
        __asm volatile("udf #0" ::: "memory"); /* UsageFault (disabled): escalated to HardFault */
    } else if (kind == (uint8_t)SCS_FAULT_KIND_STACK_OVERFLOW) {
        (void)overflow(0u);
    } else if (kind == (uint8_t)SCS_FAULT_KIND_BROWN_OUT) { /* what the BOR does: outputs off, a reset */
        scs_platform_output(0u, 0u);
        scs_reset_cause_word = CAUSE_MAGIC | (uint32_t)SCS_RESET_CAUSE_BROWN_OUT;
        system_reset();
    } else {
        /* HANG, and any other kind: the hang below */
    }
    for (;;) { /* a hang: interrupts still run, nothing kicks the watchdog */
        __asm volatile("" ::: "memory");
    }
}
