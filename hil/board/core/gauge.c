/* The fuel gauge: a coulomb counter over the cell's OCV table, battery states (ERI and EOS for a primary
 * cell), a CC-CV charger fed by the link after the load, OpenNerve-style supervision (over-voltage and
 * over-temperature pauses) and a first-order implant temperature.  Every constant comes from the device
 * definition's [fuel_gauge] (scs_protocol.h); the reference is firmware_model/battery/simulation.py.
 * Single precision throughout (the Cortex-M4F's FPv4-SP; the host library computes the same bits); the
 * charge and the temperature integrate in integers (fw.h). */
#include <stdbool.h>

#include "core.h"
#include "fmath.h"

/* charge ends when the constant-voltage current falls to C/n (the definition's end_current_c_divisor) */
#define END_A (SCS_GAUGE_CAPACITY_MAH / 1000.0f / (float)SCS_GAUGE_END_CURRENT_C_DIVISOR)
/* the heat whose steady state is the allowed rise above body temperature */
#define MAX_HEAT_W (SCS_GAUGE_RISE_LIMIT_C / SCS_GAUGE_THERMAL_R_C_PER_W)
#define PC_PER_MAH_PPM 3600000 /* 3.6 C per mAh, a millionth of it */
#define NANO_C_PER_C 1e9f
#define PPM 1000000

/* A millionth of the cell's capacity, picocoulombs. (Float to 64-bit integer conversions are avoided
 * throughout: libgcc makes them through double, which the FPv4-SP has not.) */
static int64_t pc_per_ppm(const scs_gauge_t *g)
{
    float mah = (g->primary != 0u) ? SCS_GAUGE_PRIMARY_CAPACITY_MAH : SCS_GAUGE_CAPACITY_MAH;
    return (int64_t)(int32_t)mah * PC_PER_MAH_PPM;
}

static int64_t capacity_pc(const scs_gauge_t *g) { return pc_per_ppm(g) * PPM; }

/* The charge at a state of charge of the definition (thresholds to 1 ppm, compared in integers). */
static int64_t charge_at(const scs_gauge_t *g, float soc)
{
    float ppm = (soc * (float)PPM) + 0.5f;
    return (int32_t)ppm * pc_per_ppm(g);
}

/* x rounded to the nearest integer (half away from zero), within +-2^62, by the FPU's 32-bit conversions */
static int64_t round_i64(float x)
{
    float xc = x;
    if (xc > 4.6e18f) {
        xc = 4.6e18f;
    }
    if (xc < -4.6e18f) {
        xc = -4.6e18f;
    }
    int32_t hi = (int32_t)(xc * 0x1p-31f);  /* exact: 24 significant bits at most */
    float lo = xc - ((float)hi * 0x1p31f);  /* exact: x's bits below 2^31, with x's sign */
    if ((lo > -0x1p23f) && (lo < 0x1p23f)) { /* from 2^23 on a float is a whole number */
        float half = (lo < 0.0f) ? -0.5f : 0.5f; /* lo + -0.5f is lo - 0.5f exactly */
        lo = lo + half;
    }
    return ((int64_t)hi * 0x80000000LL) + (int32_t)lo;
}

float scs_gauge_soc(const scs_gauge_t *g) { return (float)g->charge_pc / (float)capacity_pc(g); }

float scs_gauge_temp_c(const scs_gauge_t *g) { return SCS_GAUGE_BODY_C + (float)g->rise_nano_c / NANO_C_PER_C; }

void scs_gauge_set_soc_ppm(scs_gauge_t *g, uint32_t soc_ppm) { g->charge_pc = (int64_t)soc_ppm * pc_per_ppm(g); }

static float table(const float *s, const float *v, unsigned n, float soc)
{
    if (soc <= 0.0f) {
        return v[0];
    }
    for (unsigned i = 1; i < n; i++) {
        if (soc <= s[i]) {
            return v[i - 1u] + (((v[i] - v[i - 1u]) * (soc - s[i - 1u])) / (s[i] - s[i - 1u]));
        }
    }
    return v[n - 1u];
}

/* The rechargeable cell's open-circuit voltage at a state of charge (the definition's OCV table). */
static float scs_ocv(float soc)
{
    static const float s[SCS_GAUGE_OCV_POINTS] = SCS_GAUGE_OCV_SOC;
    static const float v[SCS_GAUGE_OCV_POINTS] = SCS_GAUGE_OCV_V;
    return table(s, v, SCS_GAUGE_OCV_POINTS, soc);
}

float scs_cell_ocv(const scs_gauge_t *g)
{
    static const float s[SCS_GAUGE_PRIMARY_OCV_POINTS] = SCS_GAUGE_PRIMARY_OCV_SOC;
    static const float v[SCS_GAUGE_PRIMARY_OCV_POINTS] = SCS_GAUGE_PRIMARY_OCV_V;
    float soc = scs_gauge_soc(g);
    return (g->primary != 0u) ? table(s, v, SCS_GAUGE_PRIMARY_OCV_POINTS, soc) : scs_ocv(soc);
}

uint8_t scs_battery_state_of(const scs_gauge_t *g)
{
    if (g->primary != 0u) {
        if (g->charge_pc <= charge_at(g, SCS_GAUGE_EOS_SOC)) {
            return SCS_BATTERY_STATE_EOS;
        }
        if (g->charge_pc <= charge_at(g, SCS_GAUGE_ERI_SOC)) {
            return SCS_BATTERY_STATE_ERI;
        }
        return SCS_BATTERY_STATE_OK;
    }
    if (g->cutoff != 0u) {
        return SCS_BATTERY_STATE_CUTOFF;
    }
    if (g->charge_pc < charge_at(g, SCS_GAUGE_NOW_SOC)) {
        return SCS_BATTERY_STATE_RECHARGE_NOW;
    }
    if (g->charge_pc < charge_at(g, SCS_GAUGE_SOON_SOC)) {
        return SCS_BATTERY_STATE_RECHARGE_SOON;
    }
    if (g->charge_pc >= charge_at(g, SCS_GAUGE_FULL_SOC)) {
        return SCS_BATTERY_STATE_FULL;
    }
    return SCS_BATTERY_STATE_OK;
}

/* (the model's 1e-9 tolerance at the limits is below a float's resolution there: none here) */
uint8_t scs_charge_supervise(uint8_t state, float v_term, float temp_c)
{
    uint8_t next = state;
    if ((next == (uint8_t)SCS_RECHARGE_STATE_PAUSED_HOT) && (temp_c < SCS_GAUGE_RESUME_C)) {
        next = SCS_RECHARGE_STATE_CONSTANT_CURRENT;
    }
    if ((next == (uint8_t)SCS_RECHARGE_STATE_PAUSED_OVERVOLTAGE) && (v_term < SCS_GAUGE_V_RESUME)) {
        next = SCS_RECHARGE_STATE_CONSTANT_CURRENT;
    }
    if ((next == (uint8_t)SCS_RECHARGE_STATE_CONSTANT_CURRENT) || (next == (uint8_t)SCS_RECHARGE_STATE_CONSTANT_VOLTAGE)) {
        if (temp_c >= SCS_GAUGE_HARD_LIMIT_C) {
            return SCS_RECHARGE_STATE_PAUSED_HOT;
        }
        if (v_term >= SCS_GAUGE_V_PAUSE) {
            return SCS_RECHARGE_STATE_PAUSED_OVERVOLTAGE;
        }
    }
    return next;
}

float scs_link_efficiency(float separation_mm, float misalignment_mm)
{
    float m = misalignment_mm / SCS_GAUGE_LINK_M0_MM;
    return SCS_GAUGE_LINK_ETA_MAX * scs_expf(-separation_mm / SCS_GAUGE_LINK_D0_MM) * scs_expf(-m * m);
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
static float heat_per_bus_w(const scs_gauge_t *g)
{
    return ((1.0f + (SCS_GAUGE_CAN_LOSS / g->link_eta)) / SCS_GAUGE_CHARGER_EFFICIENCY) - 1.0f;
}

/* The charge current the CC-CV controller draws now with ``spare_w`` of the link and ``spare_heat_w``
 * of the thermal budget left after the load (moving through CC, CV and COMPLETE), A. */
static float charge_current_a(scs_fw_t *fw, float v_open, float spare_w, float spare_heat_w)
{
    scs_gauge_t *g = &fw->gauge;
    float per_amp_heat = (SCS_GAUGE_V_LIMIT * (1.0f + heat_per_bus_w(g))) - v_open;
    float limit = spare_w / SCS_GAUGE_V_LIMIT;
    float by_heat = spare_heat_w / per_amp_heat;
    if ((per_amp_heat > 0.0f) && (by_heat < limit)) {
        limit = by_heat;
    }
    if (limit < 0.0f) {
        limit = 0.0f;
    }
    float i = (SCS_GAUGE_CC_CURRENT_A < limit) ? SCS_GAUGE_CC_CURRENT_A : limit;
    if ((g->recharge_state == (uint8_t)SCS_RECHARGE_STATE_CONSTANT_CURRENT) &&
        ((v_open + (i * SCS_GAUGE_CELL_RESISTANCE_OHM)) >= SCS_GAUGE_V_LIMIT)) {
        scs_set_recharge(fw, SCS_RECHARGE_STATE_CONSTANT_VOLTAGE);
    }
    if (g->recharge_state == (uint8_t)SCS_RECHARGE_STATE_CONSTANT_VOLTAGE) {
        i = (SCS_GAUGE_V_LIMIT - v_open) / SCS_GAUGE_CELL_RESISTANCE_OHM;
        if (i > limit) {
            i = limit;
        }
        if (i <= END_A) {
            scs_set_recharge(fw, SCS_RECHARGE_STATE_COMPLETE);
            i = 0.0f;
        }
    }
    return i;
}

static float load_a(const scs_fw_t *fw, float v_open)
{
    if (fw->gauge.cutoff != 0u) { /* below cut-off a rechargeable cell is disconnected; after EOS housekeeping goes on */
        return ((fw->gauge.primary != 0u) && (fw->gauge.charge_pc > 0)) ? SCS_GAUGE_QUIESCENT_CURRENT_A : 0.0f;
    }
    return SCS_GAUGE_QUIESCENT_CURRENT_A + scs_stim_current_a(&fw->therapy, v_open);
}

/* The cell current (positive while charging) and the implant heat while coupled: the link feeds the
 * load first and only what is left charges the cell; a paused charger is off. */
static float coupled_current_a(scs_fw_t *fw, float v_open, float *heat_w)
{
    scs_gauge_t *g = &fw->gauge;
    float load_w = load_a(fw, v_open) * v_open;
    float h = heat_per_bus_w(g);
    *heat_w = 0.0f;
    if ((g->recharge_state == (uint8_t)SCS_RECHARGE_STATE_PAUSED_HOT) ||
        (g->recharge_state == (uint8_t)SCS_RECHARGE_STATE_PAUSED_OVERVOLTAGE)) {
        return -load_w / v_open;
    }
    if (g->recharge_state == (uint8_t)SCS_RECHARGE_STATE_IDLE) {
        scs_set_recharge(fw, SCS_RECHARGE_STATE_CONSTANT_CURRENT);
    }
    float avail_w = g->link_w * SCS_GAUGE_CHARGER_EFFICIENCY;
    float link_load_w = load_w;
    if (link_load_w > avail_w) {
        link_load_w = avail_w;
    }
    if ((link_load_w * h) > MAX_HEAT_W) {
        link_load_w = MAX_HEAT_W / h;
    }
    if (link_load_w < load_w) { /* the link cannot cover the load: the cell supplies the rest */
        *heat_w = link_load_w * h;
        return -(load_w - link_load_w) / v_open;
    }
    float i = 0.0f;
    if (g->recharge_state != (uint8_t)SCS_RECHARGE_STATE_COMPLETE) {
        i = charge_current_a(fw, v_open, avail_w - load_w, MAX_HEAT_W - (load_w * h));
    }
    float v_term = v_open + (i * SCS_GAUGE_CELL_RESISTANCE_OHM);
    *heat_w = ((((i * v_term) + load_w) * (1.0f + h)) - (i * v_open)) - load_w;
    return i;
}

static void cut_off_or_resume(scs_fw_t *fw)
{
    scs_gauge_t *g = &fw->gauge;
    int64_t floor_pc = (g->primary != 0u) ? 0 : charge_at(g, SCS_GAUGE_CUTOFF_SOC);
    if (g->charge_pc <= floor_pc) {
        g->charge_pc = floor_pc;
        g->current_a = 0.0f;
    }
    if (g->primary != 0u) {
        g->cutoff = g->charge_pc <= charge_at(g, SCS_GAUGE_EOS_SOC); /* EOS: stimulation stops for good */
    } else if ((g->charge_pc <= floor_pc) && (g->cutoff == 0u)) {
        g->cutoff = 1;
    } else if ((g->cutoff != 0u) && (g->charge_pc >= charge_at(g, SCS_GAUGE_RESUME_SOC))) { /* recharged enough to stimulate again */
        g->cutoff = 0;
        fw->fault_flags &= ~(1u << (unsigned)SCS_FAULT_CODE_BATTERY_CUTOFF);
        scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_FAULT_CLEARED, SCS_FAULT_CODE_BATTERY_CUTOFF);
    } else {
        /* between the floor and the resume charge the cut-off state holds */
    }
}

static void battery_state_events(scs_fw_t *fw)
{
    scs_gauge_t *g = &fw->gauge;
    uint8_t state = scs_battery_state_of(g);
    if (state == g->battery_state) {
        return;
    }
    g->battery_state = state;
    scs_log_event(fw, SCS_EVENT_KIND_BATTERY, state, 0);
    if ((state == (uint8_t)SCS_BATTERY_STATE_CUTOFF) || (state == (uint8_t)SCS_BATTERY_STATE_EOS)) {
        fw->fault_flags |= 1u << (unsigned)SCS_FAULT_CODE_BATTERY_CUTOFF;
        scs_log_event(fw, SCS_EVENT_KIND_FAULT, SCS_FAULT_CODE_BATTERY_CUTOFF, 0);
        if (fw->therapy.stim_on != 0u) { /* STIM_OFF's detail: the fault that stopped it (docs/protocol.md) */
            scs_log_event(fw, SCS_EVENT_KIND_MODE, SCS_MODE_CODE_STIM_OFF, SCS_FAULT_CODE_BATTERY_CUTOFF);
        }
        scs_stim_off(fw, 0);
    }
}

/* First-order implant temperature over dt_ticks: exact for the heat held over the step (the step toward
 * the steady state by e^-x - 1, which keeps its precision for a millisecond against minutes). */
static void heat(scs_gauge_t *g, float heat_w, uint64_t dt_ticks)
{
    float rise_c = (float)g->rise_nano_c / NANO_C_PER_C;
    float steady_rise_c = heat_w * SCS_GAUGE_THERMAL_R_C_PER_W;
    float toward = -scs_expm1f(-(float)dt_ticks / (SCS_GAUGE_THERMAL_TAU_S * 1e6f));
    g->rise_nano_c += round_i64((steady_rise_c - rise_c) * toward * NANO_C_PER_C);
}

void scs_fuel_gauge(scs_fw_t *fw, uint64_t dt_ticks)
{
    scs_gauge_t *g = &fw->gauge;
    float v_open = scs_cell_ocv(g);
    float heat_w = 0.0f;
    float i;
    bool coupled = (g->coupled != 0u) && (g->primary == 0u);
    if (coupled) {
        i = coupled_current_a(fw, v_open, &heat_w);
    } else {
        scs_set_recharge(fw, SCS_RECHARGE_STATE_IDLE);
        i = -load_a(fw, v_open);
    }
    g->current_a = i;
    g->charge_pc += round_i64(i * (float)dt_ticks * 1e6f); /* A x us = uC */
    if (g->charge_pc > capacity_pc(g)) {
        g->charge_pc = capacity_pc(g);
    }
    heat(g, heat_w, dt_ticks);
    cut_off_or_resume(fw);
    if (coupled) {
        float v_term = scs_cell_ocv(g) + (g->current_a * SCS_GAUGE_CELL_RESISTANCE_OHM);
        scs_set_recharge(fw, scs_charge_supervise(g->recharge_state, v_term, scs_gauge_temp_c(g)));
    }
    battery_state_events(fw);
}
