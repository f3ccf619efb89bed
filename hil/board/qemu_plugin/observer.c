/* observer.so: a QEMU TCG plugin (API version 1) that watches the board from outside the firmware.
 *
 * It counts every executed guest instruction (an inline add per instruction: exact also when QEMU
 * re-translates a block to end at an I/O access) and writes one line per event of interest through
 * qemu_plugin_outs, into QEMU's log (-d plugin -D FILE), interleaved in order with QEMU's own MMIO
 * trace (-d trace:memory_region_ops_write,trace:memory_region_ops_read) which carries the values:
 *
 *   S <addr> <insns> <vns>   a store to a watched register (pins, DAC, watchdog key, and the timer-
 *                            driven output path the fault handler stops: DAC CR, TIM8 CR1, DMA2 S2CR)
 *   L <addr> <insns> <vns>   the first load of the free-running timer (TIM2 CNT, the board's own
 *                            clock) after each WFI and each mark: its value (in the MMIO read trace,
 *                            -d trace:memory_region_ops_read) gives the icount bias without <vns>
 *   W <insns>                a WFI executed (the core may sleep: QEMU's icount bias moves only then)
 *   M <pc> <insns>           the instruction at a marked address executed (arg mark=0xADDR)
 *
 * <insns> counts instructions executed up to and including this one. <vns> is QEMU's virtual clock
 * in ns when the running QEMU exports qemu_clock_get_ns (Debian's 7.2 binary does), else -1: the
 * analysis then takes the bias from the timer reads (their value is QEMU's clock, not the firmware's).
 *
 * No qemu-plugin.h ships with Debian's QEMU, so the few API-v1 declarations used are written here. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- QEMU TCG plugin API, version 1 (the declarations this plugin links against) ---- */
#define PLUGIN_EXPORT __attribute__((visibility("default")))
typedef uint64_t qemu_plugin_id_t;
typedef uint32_t qemu_plugin_meminfo_t;
typedef struct qemu_info_t {
    const char *target_name;
    struct {
        int min;
        int cur;
    } version;
    bool system_emulation;
    union {
        struct {
            int smp_vcpus;
            int max_vcpus;
        } system;
    };
} qemu_info_t;
struct qemu_plugin_tb;
struct qemu_plugin_insn;
struct qemu_plugin_hwaddr;
enum qemu_plugin_cb_flags { QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_CB_R_REGS, QEMU_PLUGIN_CB_RW_REGS };
enum qemu_plugin_mem_rw { QEMU_PLUGIN_MEM_R = 1, QEMU_PLUGIN_MEM_W, QEMU_PLUGIN_MEM_RW };
enum qemu_plugin_op { QEMU_PLUGIN_INLINE_ADD_U64 };
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu_index, void *userdata);
typedef void (*qemu_plugin_vcpu_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_mem_cb_t)(unsigned int vcpu_index, qemu_plugin_meminfo_t info, uint64_t vaddr,
                                          void *userdata);
void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_vcpu_tb_trans_cb_t cb);
void qemu_plugin_register_vcpu_insn_exec_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_udata_cb_t cb,
                                            enum qemu_plugin_cb_flags flags, void *userdata);
void qemu_plugin_register_vcpu_insn_exec_inline(struct qemu_plugin_insn *insn, enum qemu_plugin_op op, void *ptr,
                                                uint64_t imm);
void qemu_plugin_register_vcpu_mem_cb(struct qemu_plugin_insn *insn, qemu_plugin_vcpu_mem_cb_t cb,
                                      enum qemu_plugin_cb_flags flags, enum qemu_plugin_mem_rw rw, void *userdata);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
struct qemu_plugin_insn *qemu_plugin_tb_get_insn(const struct qemu_plugin_tb *tb, size_t idx);
const void *qemu_plugin_insn_data(const struct qemu_plugin_insn *insn);
size_t qemu_plugin_insn_size(const struct qemu_plugin_insn *insn);
uint64_t qemu_plugin_insn_vaddr(const struct qemu_plugin_insn *insn);
bool qemu_plugin_mem_is_store(qemu_plugin_meminfo_t info);
struct qemu_plugin_hwaddr *qemu_plugin_get_hwaddr(qemu_plugin_meminfo_t info, uint64_t vaddr);
bool qemu_plugin_hwaddr_is_io(const struct qemu_plugin_hwaddr *haddr);
void qemu_plugin_outs(const char *string);
PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv);
PLUGIN_EXPORT int qemu_plugin_version = 1;

/* ---- what is watched ---- */
#define TIM2_CNT 0x40000024u
#define IWDG_KR 0x40003000u
#define DAC_DHR12R1 0x40007408u
#define GPIOB_ODR 0x40020414u
#define GPIOB_BSRR 0x40020418u
/* the timer-driven output path (OC=1) the fault handler stops: DAC control, TIM8 control, DMA2 stream 2 */
#define DAC_CR 0x40007400u
#define TIM8_CR1 0x40010400u
#define DMA2_S2CR 0x40026440u
#define MAX_MARKS 16

static uint64_t insns;          /* instructions executed (one vCPU) */
static uint64_t marks[MAX_MARKS];
static unsigned n_marks;
static int clock_read_wanted = 1; /* the next TIM2 CNT load is logged (set by WFI and marks) */
static int64_t (*virtual_clock_ns)(int type); /* qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL), if exported */
#define QEMU_CLOCK_VIRTUAL 1

static int watched_store(uint64_t a)
{
    return a == GPIOB_BSRR || a == GPIOB_ODR || a == DAC_DHR12R1 || a == IWDG_KR || a == DAC_CR || a == TIM8_CR1 ||
           a == DMA2_S2CR;
}

static int64_t now_ns(void) { return virtual_clock_ns ? virtual_clock_ns(QEMU_CLOCK_VIRTUAL) : -1; }

static void on_mem(unsigned int vcpu, qemu_plugin_meminfo_t info, uint64_t vaddr, void *udata)
{
    (void)vcpu;
    (void)udata;
    if ((vaddr >> 28) != 0x4u) /* peripherals only: RAM and flash return at once */
        return;
    int store = qemu_plugin_mem_is_store(info);
    if (store ? !watched_store(vaddr) : vaddr != TIM2_CNT || !clock_read_wanted)
        return;
    if (!store)
        clock_read_wanted = 0;
    /* the clock may only be read during an I/O access (QEMU aborts a read elsewhere under icount) */
    struct qemu_plugin_hwaddr *hw = qemu_plugin_get_hwaddr(info, vaddr);
    int64_t vns = hw && qemu_plugin_hwaddr_is_io(hw) ? now_ns() : -1;
    char line[80];
    snprintf(line, sizeof line, "%c 0x%08" PRIx64 " %" PRIu64 " %" PRId64 "\n", store ? 'S' : 'L', vaddr, insns, vns);
    qemu_plugin_outs(line);
}

static void on_wfi(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    (void)udata;
    char line[40];
    clock_read_wanted = 1;
    snprintf(line, sizeof line, "W %" PRIu64 "\n", insns);
    qemu_plugin_outs(line);
}

static void on_mark(unsigned int vcpu, void *udata)
{
    (void)vcpu;
    char line[60];
    clock_read_wanted = 1;
    snprintf(line, sizeof line, "M 0x%08" PRIx64 " %" PRIu64 "\n", (uint64_t)(uintptr_t)udata, insns);
    qemu_plugin_outs(line);
}

/* Thumb WFI: 0xBF30, or the 32-bit encoding F3AF 8003. */
static int is_wfi(const struct qemu_plugin_insn *insn)
{
    const uint8_t *d = qemu_plugin_insn_data(insn);
    size_t n = qemu_plugin_insn_size(insn);
    if (n == 2)
        return d[0] == 0x30 && d[1] == 0xBF;
    return n == 4 && d[0] == 0xAF && d[1] == 0xF3 && d[2] == 0x03 && d[3] == 0x80;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
    (void)id;
    size_t n = qemu_plugin_tb_n_insns(tb);
    for (size_t i = 0; i < n; i++) {
        struct qemu_plugin_insn *insn = qemu_plugin_tb_get_insn(tb, i);
        uint64_t pc = qemu_plugin_insn_vaddr(insn);
        qemu_plugin_register_vcpu_insn_exec_inline(insn, QEMU_PLUGIN_INLINE_ADD_U64, &insns, 1);
        qemu_plugin_register_vcpu_mem_cb(insn, on_mem, QEMU_PLUGIN_CB_NO_REGS, QEMU_PLUGIN_MEM_RW, NULL);
        if (is_wfi(insn))
            qemu_plugin_register_vcpu_insn_exec_cb(insn, on_wfi, QEMU_PLUGIN_CB_NO_REGS, NULL);
        for (unsigned m = 0; m < n_marks; m++)
            if (marks[m] == (pc & ~1ull))
                qemu_plugin_register_vcpu_insn_exec_cb(insn, on_mark, QEMU_PLUGIN_CB_NO_REGS,
                                                       (void *)(uintptr_t)marks[m]);
    }
}

PLUGIN_EXPORT int qemu_plugin_install(qemu_plugin_id_t id, const qemu_info_t *info, int argc, char **argv)
{
    if (!info->system_emulation || strcmp(info->target_name, "arm") != 0) {
        fprintf(stderr, "observer: needs qemu-system-arm (got %s)\n", info->target_name);
        return 1;
    }
    int clock_off = 0;
    for (int i = 0; i < argc; i++) {
        if (strncmp(argv[i], "mark=", 5) == 0 && n_marks < MAX_MARKS) {
            marks[n_marks++] = strtoull(argv[i] + 5, NULL, 0) & ~1ull;
        } else if (strcmp(argv[i], "clock=off") == 0) {
            clock_off = 1;
        } else {
            fprintf(stderr, "observer: unknown argument '%s' (allowed: mark=0xADDR up to %d times, clock=off)\n",
                    argv[i], MAX_MARKS);
            return 1;
        }
    }
    if (!clock_off) /* not part of the plugin API: a QEMU that does not export it gives -1 */
        *(void **)&virtual_clock_ns = dlsym(RTLD_DEFAULT, "qemu_clock_get_ns");
    qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
    char line[80];
    snprintf(line, sizeof line, "observer 1 clock=%s marks=%u\n", virtual_clock_ns ? "qemu" : "none", n_marks);
    qemu_plugin_outs(line);
    return 0;
}
