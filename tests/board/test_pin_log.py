"""Reading the observer's log (no QEMU): values from QEMU's MMIO trace, time from instruction counts,
the bias across a sleep from QEMU's clock or from the board clock's value, the same either way."""

from __future__ import annotations

import pytest

from hil.analysis import pins

#: the bias after the 10 ms sleep: the board clock wrapped past 2^32 meanwhile
BIAS = 4_294_000_000 + 10_000_123


def _log(with_qemu_clock: bool) -> list[str]:
    def vns(t: int) -> int:
        return t if with_qemu_clock else -1

    first = 4_294_000_000  # the bias of the first wake period: TIM2 (32 bits) is about to wrap
    bias = BIAS
    return [
        "observer 1 clock=qemu marks=1",
        "W 10",
        f"memory_region_ops_read cpu 0 mr 0x2 addr 0x40000024 value {8 * 20 + first:#x} size 4",
        f"L 0x40000024 20 {vns(8 * 20 + first)}",
        "memory_region_ops_write cpu 0 mr 0x1 addr 0x40020418 value 0xf0000000 size 4 name 'GPIOB'",
        f"S 0x40020418 100 {vns(800 + first)}",
        "W 200",
        "M 0x080062b0 210",  # the marked clock function: the next clock read is the STIM_SET tick
        f"memory_region_ops_read cpu 0 mr 0x2 addr 0x40000024 value {(8 * 211 + bias) & 0xFFFFFFFF:#x} size 4",
        f"L 0x40000024 211 {vns(8 * 211 + bias)}",
        "memory_region_ops_write cpu 0 mr 0x1 addr 0x40020418 value 0xe0001000 size 4 name 'GPIOB'",
        f"S 0x40020418 300 {vns(8 * 300 + bias)}",
        "memory_region_ops_write cpu 0 mr 0x3 addr 0x40007408 value 0x1e1 size 4 name 'DAC'",
        f"S 0x40007408 305 {vns(8 * 305 + bias)}",
        "memory_region_ops_write cpu 0 mr 0x4 addr 0x40003000 value 0xaaaa size 4 name 'IWDG'",
        f"S 0x40003000 320 {vns(8 * 320 + bias)}",
    ]


@pytest.mark.parametrize("with_qemu_clock", [True, False])
def test_a_pin_write_after_a_sleep_is_timed_from_the_instruction_count_and_the_new_bias(with_qemu_clock):
    record = pins.parse_lines(_log(with_qemu_clock))
    assert record.pin_writes[-1] == pins.PinWrite(8 * 300 + BIAS, pins=0b0001, dac_code=0x1E1)
    assert record.watchdog_kicks == (8 * 320 + BIAS,)
    assert record.sleeps == (8 * 10, 8 * 200 + 4_294_000_000)
    assert pins.runs(record)[0].stim_set_tick == (8 * 211 + BIAS) // 1000


def test_a_qemu_clock_that_moves_without_a_sleep_is_refused():
    lines = _log(True)
    lines[-1] = "S 0x40003000 320 1"
    with pytest.raises(pins.ObserverLogError, match="without a WFI"):
        pins.parse_lines(lines)


def test_a_log_without_the_plugin_header_is_refused():
    with pytest.raises(pins.ObserverLogError, match="observer.so"):
        pins.parse_lines(_log(True)[1:])


def test_a_log_read_while_qemu_writes_it_leaves_the_unfinished_last_line(tmp_path):
    """QEMU writes its log as it runs: a read can end in half a trace line, which is not an error."""
    from hil.analysis import pins

    whole = tmp_path / "whole.log"
    whole.write_text("observer 1\n")
    cut = tmp_path / "cut.log"
    cut.write_text("observer 1\nmemory_region_ops_write cpu 0 mr 0x55e04595dba0")
    assert pins.parse_log(cut) == pins.parse_log(whole)
    with pytest.raises(pins.ObserverLogError, match="without addr/value"):
        pins.parse_lines(["observer 1", "memory_region_ops_write cpu 0 mr 0x55e04595dba0"])
