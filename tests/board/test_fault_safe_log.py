"""The fault-to-safe analysis reads the handler's safe sequence from an observer log: the pins low, the
DAC's trigger off before code 0, the timer-driven path (TIM8, DMA2 stream 2) stopped, the pins low again.
A handler that leaves the trigger on or the path running is told apart (the conformance test on qemu-rt
holds the board's handler to it)."""

from __future__ import annotations

import pytest

from hil.analysis.fault_safe import DAC_CR, DMA2_S2CR, TIM8_CR1, faults
from hil.analysis.pins import DAC_DHR12R1, GPIOB_BSRR

HANDLER = 0x08000400
ENTRY = 1000


def store(addr: int, value: int, n: int) -> list[str]:
    return [f"memory_region_ops_write cpu 0 mr 0x1 addr 0x{addr:08x} value 0x{value:x} size 4 name 'x'",
            f"S 0x{addr:08x} {ENTRY + n} -1"]


def log_of(tmp_path, stores: list[tuple[int, int, int]], before: int = 0x3000) -> list:
    lines = ["observer 1", *store(GPIOB_BSRR, before, -50), f"M 0x{HANDLER:08x} {ENTRY}"]
    for addr, value, n in stores:
        lines += store(addr, value, n)
    path = tmp_path / "qemu.log"
    path.write_text("\n".join(lines) + "\n")
    return faults(path, HANDLER)


BOARD = [(GPIOB_BSRR, 0xF0000000, 3), (DAC_CR, 1, 6), (DAC_DHR12R1, 0, 8), (TIM8_CR1, 0, 10), (DMA2_S2CR, 0, 12),
         (GPIOB_BSRR, 0xF0000000, 13)]


@pytest.mark.requirement("SRS-SAFE-004")
def test_the_boards_sequence_reads_as_safe_with_each_instruction_number(tmp_path):
    (f,) = log_of(tmp_path, BOARD)
    assert (f.pins_low_insns, f.dac_trigger_off_insns, f.dac_zero_insns, f.path_stopped_insns,
            f.pins_low_again_insns, f.pins_before) == (3, 6, 8, 12, 13, 0x3)
    assert f.dac_zero_reaches_the_output


@pytest.mark.parametrize("missing, broken", [
    ((DAC_CR, 1, 6), "dac_zero_reaches_the_output"),
    ((TIM8_CR1, 0, 10), "path_stopped_insns"),
    ((DMA2_S2CR, 0, 12), "path_stopped_insns"),
    ((GPIOB_BSRR, 0xF0000000, 13), "pins_low_again_insns"),
])
def test_a_handler_that_skips_one_step_is_told_apart(tmp_path, missing, broken):
    (f,) = log_of(tmp_path, [s for s in BOARD if s != missing])
    assert not getattr(f, broken)


def test_a_trigger_turned_off_only_after_code_0_is_written_does_not_count(tmp_path):
    (f,) = log_of(tmp_path, [(GPIOB_BSRR, 0xF0000000, 3), (DAC_DHR12R1, 0, 5), (DAC_CR, 1, 7)])
    assert not f.dac_zero_reaches_the_output


def test_a_trigger_left_on_or_a_timer_left_running_is_not_a_stop(tmp_path):
    (f,) = log_of(tmp_path, [(GPIOB_BSRR, 0xF0000000, 3), (DAC_CR, 0b111, 6), (DAC_DHR12R1, 0, 8), (TIM8_CR1, 1, 10),
                             (DMA2_S2CR, 0, 12), (GPIOB_BSRR, 0xF0000000, 13)])
    assert not f.dac_zero_reaches_the_output and f.path_stopped_insns is None


def test_stores_after_the_handlers_window_are_not_its_own(tmp_path):
    (f,) = log_of(tmp_path, [(GPIOB_BSRR, 0xF0000000, 3), (DAC_DHR12R1, 0, 400)])
    assert f.pins_low_insns == 3 and f.dac_zero_insns is None
