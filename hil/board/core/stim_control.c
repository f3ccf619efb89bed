/* Stimulation on and off (with its log entries) and the remembered amplitudes of the active program. */
#include <string.h>

#include "core.h"
#include "stimulation.h"

unsigned scs_memory_key(const scs_therapy_t *t) { return t->adaptive_enabled ? t->posture : (SCS_MEMORY_KEYS - 1u); }

void scs_remembered(scs_therapy_t *t)
{
    const scs_program_t *p = &t->programs[t->active];
    (void)memset(t->applied, 0, sizeof t->applied);
    if (!p->used) {
        return;
    }
    unsigned key = scs_memory_key(t);
    for (unsigned a = 0; a < p->count; a++) {
        uint16_t v = p->remembered[key] ? p->amps[key][a] : p->area[a].amplitude_ua;
        if (v < p->lo[a]) {
            v = p->lo[a];
        }
        if (v > p->hi[a]) {
            v = p->hi[a];
        }
        t->applied[a] = v;
    }
}

void scs_stim_on(scs_fw_t *fw)
{
    scs_stim_start(&fw->therapy, fw->ticks);
    scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_STIM_ON, fw->therapy.active);
}

/* Off at once: the queued pulses that have not started are dropped before anything else (the log entry,
 * the settings write, the signed answer), so no pulse starts after this call; a pulse in progress
 * completes its charge balance. The pin observer marks this function (hil/board/observer.py). */
void scs_stim_off(scs_fw_t *fw, int log)
{
    (void)scs_output_cut(&fw->therapy);
    if (fw->therapy.stim_on && log) {
        scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_STIM_OFF, 0);
    }
    fw->therapy.stim_on = 0;
}
