/* The fuel gauge: a coulomb counter over the cell's OCV table, CC-CV charge control, battery states. */
#include "core.h"

/* charge ends when the constant-voltage current falls to C/n (the definition's end_current_c_divisor) */
#define END_A (SCS_GAUGE_CAPACITY_MAH / 1000.0 / (double)SCS_GAUGE_END_CURRENT_C_DIVISOR)

double scs_ocv(double soc)
{
    static const double s[SCS_GAUGE_OCV_POINTS] = SCS_GAUGE_OCV_SOC;
    static const double v[SCS_GAUGE_OCV_POINTS] = SCS_GAUGE_OCV_V;
    if (soc <= 0.0)
        return v[0];
    for (unsigned i = 1; i < SCS_GAUGE_OCV_POINTS; i++)
        if (soc <= s[i])
            return v[i - 1] + (v[i] - v[i - 1]) * (soc - s[i - 1]) / (s[i] - s[i - 1]);
    return v[SCS_GAUGE_OCV_POINTS - 1];
}

uint8_t scs_battery_state_of(const scs_gauge_t *g)
{
    if (g->cutoff) return SCS_BATTERY_STATE_CUTOFF;
    if (g->soc < SCS_GAUGE_NOW_SOC) return SCS_BATTERY_STATE_RECHARGE_NOW;
    if (g->soc < SCS_GAUGE_SOON_SOC) return SCS_BATTERY_STATE_RECHARGE_SOON;
    if (g->soc >= SCS_GAUGE_FULL_SOC) return SCS_BATTERY_STATE_FULL;
    return SCS_BATTERY_STATE_OK;
}

void scs_set_recharge(scs_fw_t *fw, uint8_t state)
{
    if (fw->gauge.recharge_state != state) {
        fw->gauge.recharge_state = state;
        scs_log_event(fw, SCS_EVENT_KIND_RECHARGE, state, 0);
    }
}

/* The charge current the CC-CV controller draws now (moving through CC, CV and COMPLETE), A. */
static double charge_current_a(scs_fw_t *fw, double v_open)
{
    scs_gauge_t *g = &fw->gauge;
    if (g->recharge_state == SCS_RECHARGE_STATE_IDLE)
        scs_set_recharge(fw, SCS_RECHARGE_STATE_CONSTANT_CURRENT);
    double i = SCS_GAUGE_CC_CURRENT_A, by_link = g->link_w * SCS_GAUGE_CHARGER_EFFICIENCY / SCS_GAUGE_V_LIMIT;
    if (i > by_link)
        i = by_link;
    if (g->recharge_state == SCS_RECHARGE_STATE_CONSTANT_CURRENT && v_open + i * SCS_GAUGE_CELL_RESISTANCE_OHM >= SCS_GAUGE_V_LIMIT)
        scs_set_recharge(fw, SCS_RECHARGE_STATE_CONSTANT_VOLTAGE);
    if (g->recharge_state == SCS_RECHARGE_STATE_CONSTANT_VOLTAGE) {
        i = (SCS_GAUGE_V_LIMIT - v_open) / SCS_GAUGE_CELL_RESISTANCE_OHM;
        if (i > by_link)
            i = by_link;
    }
    if (g->recharge_state == SCS_RECHARGE_STATE_CONSTANT_VOLTAGE && i <= END_A) {
        scs_set_recharge(fw, SCS_RECHARGE_STATE_COMPLETE);
        i = 0;
    }
    return i;
}

static void charge(scs_fw_t *fw, double v_open, double dt)
{
    scs_gauge_t *g = &fw->gauge;
    double i = charge_current_a(fw, v_open);
    g->current_a = i;
    g->soc += i * dt / 3.6 / SCS_GAUGE_CAPACITY_MAH;
    if (g->soc > 1.0)
        g->soc = 1.0;
    if (g->cutoff && g->soc >= SCS_GAUGE_RESUME_SOC) { /* recharged enough to stimulate again */
        g->cutoff = 0;
        fw->fault_flags &= ~(1u << SCS_FAULT_CODE_BATTERY_CUTOFF);
        scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_FAULT_CLEARED, SCS_FAULT_CODE_BATTERY_CUTOFF);
    }
}

static void discharge(scs_fw_t *fw, double v_open, double dt)
{
    scs_gauge_t *g = &fw->gauge;
    if (!g->coupled)
        scs_set_recharge(fw, SCS_RECHARGE_STATE_IDLE);
    double i = g->cutoff ? 0.0 : SCS_GAUGE_QUIESCENT_CURRENT_A + scs_stim_current_a(&fw->therapy, v_open);
    g->current_a = -i;
    g->soc -= i * dt / 3.6 / SCS_GAUGE_CAPACITY_MAH;
    if (g->soc <= SCS_GAUGE_CUTOFF_SOC && !g->cutoff) {
        g->soc = SCS_GAUGE_CUTOFF_SOC;
        g->cutoff = 1;
    }
}

void scs_fuel_gauge(scs_fw_t *fw, double dt)
{
    scs_gauge_t *g = &fw->gauge;
    double v_open = scs_ocv(g->soc);
    if (g->coupled && g->recharge_state != SCS_RECHARGE_STATE_COMPLETE)
        charge(fw, v_open, dt);
    else
        discharge(fw, v_open, dt);
    uint8_t state = scs_battery_state_of(g);
    if (state != g->battery_state) {
        g->battery_state = state;
        scs_log_event(fw, SCS_EVENT_KIND_BATTERY, state, 0);
        if (state == SCS_BATTERY_STATE_CUTOFF) {
            fw->fault_flags |= 1u << SCS_FAULT_CODE_BATTERY_CUTOFF;
            scs_log_event(fw, SCS_EVENT_KIND_FAULT, SCS_FAULT_CODE_BATTERY_CUTOFF, 0);
            scs_stim_off(fw, 1);
        }
    }
}
