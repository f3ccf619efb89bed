/* The fuel gauge: a coulomb counter over the cell's OCV table, CC-CV charge control, battery states. */
#include "core.h"

#define CAPACITY_MAH 200.0
#define CC_A 0.050
#define END_A (CC_A / 10.0) /* C/20 of 200 mAh */

double scs_ocv(double soc)
{
    static const double s[9] = {0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 0.8, 0.9, 1.0};
    static const double v[9] = {3.200, 3.494, 3.575, 3.625, 3.697, 3.854, 3.937, 4.046, 4.187};
    if (soc <= 0.0)
        return v[0];
    for (unsigned i = 1; i < 9; i++)
        if (soc <= s[i])
            return v[i - 1] + (v[i] - v[i - 1]) * (soc - s[i - 1]) / (s[i] - s[i - 1]);
    return v[8];
}

uint8_t scs_battery_state_of(const scs_gauge_t *g)
{
    if (g->cutoff) return BATT_CUTOFF;
    if (g->soc < 0.10) return BATT_NOW;
    if (g->soc < 0.30) return BATT_SOON;
    if (g->soc >= 0.95) return BATT_FULL;
    return BATT_OK;
}

void scs_set_recharge(scs_fw_t *fw, uint8_t state)
{
    if (fw->gauge.recharge_state != state) {
        fw->gauge.recharge_state = state;
        scs_log_event(fw, KIND_RECHARGE, state, 0);
    }
}

/* The charge current the CC-CV controller draws now (moving through CC, CV and COMPLETE), A. */
static double charge_current_a(scs_fw_t *fw, double v_open)
{
    scs_gauge_t *g = &fw->gauge;
    if (g->recharge_state == RCH_IDLE)
        scs_set_recharge(fw, RCH_CC);
    double i = CC_A, by_link = g->link_w * 0.85 / SCS_GAUGE_V_LIMIT;
    if (i > by_link)
        i = by_link;
    if (g->recharge_state == RCH_CC && v_open + i * SCS_GAUGE_R_CELL >= SCS_GAUGE_V_LIMIT)
        scs_set_recharge(fw, RCH_CV);
    if (g->recharge_state == RCH_CV) {
        i = (SCS_GAUGE_V_LIMIT - v_open) / SCS_GAUGE_R_CELL;
        if (i > by_link)
            i = by_link;
    }
    if (g->recharge_state == RCH_CV && i <= END_A) {
        scs_set_recharge(fw, RCH_COMPLETE);
        i = 0;
    }
    return i;
}

static void charge(scs_fw_t *fw, double v_open, double dt)
{
    scs_gauge_t *g = &fw->gauge;
    double i = charge_current_a(fw, v_open);
    g->current_a = i;
    g->soc += i * dt / 3.6 / CAPACITY_MAH;
    if (g->soc > 1.0)
        g->soc = 1.0;
    if (g->cutoff && g->soc >= 0.05) { /* recharged enough to stimulate again */
        g->cutoff = 0;
        fw->fault_flags &= ~(1u << FAULT_CUTOFF);
        scs_log_event(fw, KIND_MODE, MODE_FAULT_CLEARED, FAULT_CUTOFF);
    }
}

static void discharge(scs_fw_t *fw, double v_open, double dt)
{
    scs_gauge_t *g = &fw->gauge;
    if (!g->coupled)
        scs_set_recharge(fw, RCH_IDLE);
    double i = g->cutoff ? 0.0 : 10e-6 + scs_stim_current_a(&fw->therapy, v_open);
    g->current_a = -i;
    g->soc -= i * dt / 3.6 / CAPACITY_MAH;
    if (g->soc <= 0.02 && !g->cutoff) {
        g->soc = 0.02;
        g->cutoff = 1;
    }
}

void scs_fuel_gauge(scs_fw_t *fw, double dt)
{
    scs_gauge_t *g = &fw->gauge;
    double v_open = scs_ocv(g->soc);
    if (g->coupled && g->recharge_state != RCH_COMPLETE)
        charge(fw, v_open, dt);
    else
        discharge(fw, v_open, dt);
    uint8_t state = scs_battery_state_of(g);
    if (state != g->battery_state) {
        g->battery_state = state;
        scs_log_event(fw, KIND_BATTERY, state, 0);
        if (state == BATT_CUTOFF) {
            fw->fault_flags |= 1u << FAULT_CUTOFF;
            scs_log_event(fw, KIND_FAULT, FAULT_CUTOFF, 0);
            scs_stim_off(fw, 1);
        }
    }
}
