"""The output stage's DAC codes: a current floored to a step of the definition's scale (code
``dac_code_max`` drives ``max_amplitude_ua``), and the two phases' codes of a pulse as the firmware picks
them (core/pulse_output.c, ``scs_phase_codes``; SRS-PIN-007)."""

from __future__ import annotations

from fractions import Fraction

from protocol.spec import generated as dev

DAC_FULL_SCALE_UA, DAC_MAX_CODE = dev.MAX_AMPLITUDE_UA, dev.DAC_CODE_MAX


def dac_code(amplitude_ua: int) -> int:
    """The DAC code of a current: floored to a step (the definition's scale)."""
    return amplitude_ua * DAC_MAX_CODE // DAC_FULL_SCALE_UA


def phase_dac_codes(amplitude_ua: int, recharge_amplitude_ua: int) -> tuple[int, int]:
    """The DAC codes of a pulse's cathodic and recharge phases (docs/pin-evidence.md): with an active
    recharge (a recharge current, 1/ratio of the amplitude) the recharge code is its current floored
    and the cathodic code exactly ratio times it, so both phases carry the same charge at the pins;
    otherwise the amplitude floored, and no recharge current."""
    if recharge_amplitude_ua <= 0:
        return dac_code(amplitude_ua), 0
    ratio, rest = divmod(amplitude_ua, recharge_amplitude_ua)
    if rest:
        raise ValueError(f"recharge current {recharge_amplitude_ua} uA does not divide the amplitude "
                         f"{amplitude_ua} uA: the reference's recharge is amplitude / ratio exactly")
    recharge = dac_code(recharge_amplitude_ua)
    return ratio * recharge, recharge


def dac_current_ua(code: int) -> Fraction:
    """The output current of a DAC code, uA (exact: full scale over the largest code)."""
    return Fraction(code * DAC_FULL_SCALE_UA, DAC_MAX_CODE)
