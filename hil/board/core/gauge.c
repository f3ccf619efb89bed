/* The fuel gauge: a coulomb counter over the cell's OCV table, battery states (ERI and EOS for a primary
 * cell), a CC-CV charger fed by the link after the load, OpenNerve-style supervision (over-voltage and
 * over-temperature pauses) and a first-order implant temperature.  Every constant comes from the device
 * definition's [fuel_gauge] (scs_protocol.h); the reference is firmware_model/battery/simulation.py. */
#include <math.h>

#include "core.h"

/* charge ends when the constant-voltage current falls to C/n (the definition's end_current_c_divisor) */
#define END_A (SCS_GAUGE_CAPACITY_MAH / 1000.0 / (double)SCS_GAUGE_END_CURRENT_C_DIVISOR)
/* the heat whose steady state is the allowed rise above body temperature */
#define MAX_HEAT_W (SCS_GAUGE_RISE_LIMIT_C / SCS_GAUGE_THERMAL_R_C_PER_W)
#define EPS 1e-9

static double table(const double *s, const double *v, unsigned n, double soc)
{
    if (soc <= 0.0)
        return v[0];
    for (unsigned i = 1; i < n; i++)
        if (soc <= s[i])
            return v[i - 1] + (v[i] - v[i - 1]) * (soc - s[i - 1]) / (s[i] - s[i - 1]);
    return v[n - 1];
}

double scs_ocv(double soc)
{
    static const double s[SCS_GAUGE_OCV_POINTS] = SCS_GAUGE_OCV_SOC;
    static const double v[SCS_GAUGE_OCV_POINTS] = SCS_GAUGE_OCV_V;
    return table(s, v, SCS_GAUGE_OCV_POINTS, soc);
}

double scs_cell_ocv(const scs_gauge_t *g)
{
    static const double s[SCS_GAUGE_PRIMARY_OCV_POINTS] = SCS_GAUGE_PRIMARY_OCV_SOC;
    static const double v[SCS_GAUGE_PRIMARY_OCV_POINTS] = SCS_GAUGE_PRIMARY_OCV_V;
    return g->primary ? table(s, v, SCS_GAUGE_PRIMARY_OCV_POINTS, g->soc) : scs_ocv(g->soc);
}

uint8_t scs_battery_state_of(const scs_gauge_t *g)
{
    if (g->primary) {
        if (g->soc <= SCS_GAUGE_EOS_SOC + 1e-12) return SCS_BATTERY_STATE_EOS;
        if (g->soc <= SCS_GAUGE_ERI_SOC + 1e-12) return SCS_BATTERY_STATE_ERI;
        return SCS_BATTERY_STATE_OK;
    }
    if (g->cutoff) return SCS_BATTERY_STATE_CUTOFF;
    if (g->soc < SCS_GAUGE_NOW_SOC) return SCS_BATTERY_STATE_RECHARGE_NOW;
    if (g->soc < SCS_GAUGE_SOON_SOC) return SCS_BATTERY_STATE_RECHARGE_SOON;
    if (g->soc >= SCS_GAUGE_FULL_SOC) return SCS_BATTERY_STATE_FULL;
    return SCS_BATTERY_STATE_OK;
}

uint8_t scs_charge_supervise(uint8_t state, double v_term, double temp_c)
{
    if (state == SCS_RECHARGE_STATE_PAUSED_HOT && temp_c < SCS_GAUGE_RESUME_C)
        state = SCS_RECHARGE_STATE_CONSTANT_CURRENT;
    if (state == SCS_RECHARGE_STATE_PAUSED_OVERVOLTAGE && v_term < SCS_GAUGE_V_RESUME)
        state = SCS_RECHARGE_STATE_CONSTANT_CURRENT;
    if (state == SCS_RECHARGE_STATE_CONSTANT_CURRENT || state == SCS_RECHARGE_STATE_CONSTANT_VOLTAGE) {
        if (temp_c >= SCS_GAUGE_HARD_LIMIT_C - EPS)
            return SCS_RECHARGE_STATE_PAUSED_HOT;
        if (v_term >= SCS_GAUGE_V_PAUSE - EPS)
            return SCS_RECHARGE_STATE_PAUSED_OVERVOLTAGE;
    }
    return state;
}

double scs_link_efficiency(double separation_mm, double misalignment_mm)
{
    double m = misalignment_mm / SCS_GAUGE_LINK_M0_MM;
    return SCS_GAUGE_LINK_ETA_MAX * exp(-separation_mm / SCS_GAUGE_LINK_D0_MM) * exp(-m * m);
}

void scs_set_recharge(scs_fw_t *fw, uint8_t state)
{
    if (fw->gauge.recharge_state != state) {
        fw->gauge.recharge_state = state;
        scs_log_event(fw, SCS_EVENT_KIND_RECHARGE, state, 0);
    }
}

/* Implant heat per watt the charger delivers (converter loss, and the can's eddy loss on the transmitted
 * power). */
static double heat_per_bus_w(const scs_gauge_t *g)
{
    return (1.0 + SCS_GAUGE_CAN_LOSS / g->link_eta) / SCS_GAUGE_CHARGER_EFFICIENCY - 1.0;
}

/* The charge current the CC-CV controller draws now with ``spare_w`` of the link and ``spare_heat_w``
 * of the thermal budget left after the load (moving through CC, CV and COMPLETE), A. */
static double charge_current_a(scs_fw_t *fw, double v_open, double spare_w, double spare_heat_w)
{
    scs_gauge_t *g = &fw->gauge;
    double per_amp_heat = SCS_GAUGE_V_LIMIT * (1.0 + heat_per_bus_w(g)) - v_open;
    double limit = spare_w / SCS_GAUGE_V_LIMIT, by_heat = spare_heat_w / per_amp_heat;
    if (per_amp_heat > 0 && by_heat < limit)
        limit = by_heat;
    if (limit < 0)
        limit = 0;
    double i = SCS_GAUGE_CC_CURRENT_A < limit ? SCS_GAUGE_CC_CURRENT_A : limit;
    if (g->recharge_state == SCS_RECHARGE_STATE_CONSTANT_CURRENT && v_open + i * SCS_GAUGE_CELL_RESISTANCE_OHM >= SCS_GAUGE_V_LIMIT)
        scs_set_recharge(fw, SCS_RECHARGE_STATE_CONSTANT_VOLTAGE);
    if (g->recharge_state == SCS_RECHARGE_STATE_CONSTANT_VOLTAGE) {
        i = (SCS_GAUGE_V_LIMIT - v_open) / SCS_GAUGE_CELL_RESISTANCE_OHM;
        if (i > limit)
            i = limit;
        if (i <= END_A) {
            scs_set_recharge(fw, SCS_RECHARGE_STATE_COMPLETE);
            i = 0;
        }
    }
    return i;
}

static double load_a(const scs_fw_t *fw, double v_open)
{
    if (fw->gauge.cutoff) /* below cut-off a rechargeable cell is disconnected; after EOS housekeeping goes on */
        return fw->gauge.primary && fw->gauge.soc > 0.0 ? SCS_GAUGE_QUIESCENT_CURRENT_A : 0.0;
    return SCS_GAUGE_QUIESCENT_CURRENT_A + scs_stim_current_a(&fw->therapy, v_open);
}

/* The cell current (positive while charging) and the implant heat while coupled: the link feeds the
 * load first and only what is left charges the cell; a paused charger is off. */
static double coupled_current_a(scs_fw_t *fw, double v_open, double *heat_w)
{
    scs_gauge_t *g = &fw->gauge;
    double load_w = load_a(fw, v_open) * v_open, h = heat_per_bus_w(g);
    *heat_w = 0.0;
    if (g->recharge_state == SCS_RECHARGE_STATE_PAUSED_HOT || g->recharge_state == SCS_RECHARGE_STATE_PAUSED_OVERVOLTAGE)
        return -load_w / v_open;
    if (g->recharge_state == SCS_RECHARGE_STATE_IDLE)
        scs_set_recharge(fw, SCS_RECHARGE_STATE_CONSTANT_CURRENT);
    double avail_w = g->link_w * SCS_GAUGE_CHARGER_EFFICIENCY, link_load_w = load_w;
    if (link_load_w > avail_w)
        link_load_w = avail_w;
    if (link_load_w * h > MAX_HEAT_W)
        link_load_w = MAX_HEAT_W / h;
    if (link_load_w < load_w) { /* the link cannot cover the load: the cell supplies the rest */
        *heat_w = link_load_w * h;
        return -(load_w - link_load_w) / v_open;
    }
    double i = 0.0;
    if (g->recharge_state != SCS_RECHARGE_STATE_COMPLETE)
        i = charge_current_a(fw, v_open, avail_w - load_w, MAX_HEAT_W - load_w * h);
    double v_term = v_open + i * SCS_GAUGE_CELL_RESISTANCE_OHM;
    *heat_w = (i * v_term + load_w) * (1.0 + h) - i * v_open - load_w;
    return i;
}

static void cut_off_or_resume(scs_fw_t *fw)
{
    scs_gauge_t *g = &fw->gauge;
    double floor = g->primary ? 0.0 : SCS_GAUGE_CUTOFF_SOC;
    if (g->soc <= floor) {
        g->soc = floor;
        g->current_a = 0.0;
    }
    if (g->primary) {
        g->cutoff = g->soc <= SCS_GAUGE_EOS_SOC + 1e-12; /* EOS: stimulation stops for good */
    } else if (g->soc <= SCS_GAUGE_CUTOFF_SOC && !g->cutoff) {
        g->cutoff = 1;
    } else if (g->cutoff && g->soc >= SCS_GAUGE_RESUME_SOC) { /* recharged enough to stimulate again */
        g->cutoff = 0;
        fw->fault_flags &= ~(1u << SCS_FAULT_CODE_BATTERY_CUTOFF);
        scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_FAULT_CLEARED, SCS_FAULT_CODE_BATTERY_CUTOFF);
    }
}

static void battery_state_events(scs_fw_t *fw)
{
    scs_gauge_t *g = &fw->gauge;
    uint8_t state = scs_battery_state_of(g);
    if (state == g->battery_state)
        return;
    g->battery_state = state;
    scs_log_event(fw, SCS_EVENT_KIND_BATTERY, state, 0);
    if (state == SCS_BATTERY_STATE_CUTOFF || state == SCS_BATTERY_STATE_EOS) {
        fw->fault_flags |= 1u << SCS_FAULT_CODE_BATTERY_CUTOFF;
        scs_log_event(fw, SCS_EVENT_KIND_FAULT, SCS_FAULT_CODE_BATTERY_CUTOFF, 0);
        scs_stim_off(fw, 1);
    }
}

void scs_fuel_gauge(scs_fw_t *fw, double dt)
{
    scs_gauge_t *g = &fw->gauge;
    double v_open = scs_cell_ocv(g), heat_w = 0.0, i;
    int coupled = g->coupled && !g->primary;
    if (coupled) {
        i = coupled_current_a(fw, v_open, &heat_w);
    } else {
        scs_set_recharge(fw, SCS_RECHARGE_STATE_IDLE);
        i = -load_a(fw, v_open);
    }
    g->current_a = i;
    g->soc += i * dt / 3.6 / (g->primary ? SCS_GAUGE_PRIMARY_CAPACITY_MAH : SCS_GAUGE_CAPACITY_MAH);
    if (g->soc > 1.0)
        g->soc = 1.0;
    /* first-order implant temperature: exact for the heat held over this step */
    double steady = SCS_GAUGE_BODY_C + heat_w * SCS_GAUGE_THERMAL_R_C_PER_W;
    g->temp_c = steady + (g->temp_c - steady) * exp(-dt / SCS_GAUGE_THERMAL_TAU_S);
    cut_off_or_resume(fw);
    if (coupled) {
        double v_term = scs_cell_ocv(g) + g->current_a * SCS_GAUGE_CELL_RESISTANCE_OHM;
        scs_set_recharge(fw, scs_charge_supervise(g->recharge_state, v_term, g->temp_c));
    }
    battery_state_events(fw);
}
