"""`scs logic`: pulse evidence from a logic analyzer on the board's output pins.

    scs logic --program hf10 --capture board.sr                  # a capture file sigrok reads
    scs logic --program examples/tonic.toml --capture board.sr   # the scenario TOML scs simulate takes
    scs logic --program hf10 --capture board.vcd --format vcd    # any sigrok input format
    scs logic --program prog.json --live fx2lafw --samples 300000 --channels D0,D1,D2,D3
    scs logic --program hf10 --expect expected.vcd --span-ticks 150000   # what the pins should show

The program is in the format every tool takes (`firmware_model.scenario.program`): a scenario TOML
(its impedances and profile too), a JSON list of AREA_WRITE field sets, or a built-in name. An area
that stops at turn-on (a contact outside the impedance window) is a warning naming the area, contact
and reason. The pins are decoded into pulses and compared, tick for tick, with the reference
scheduler. Exit status: 0 the capture is the reference, 1 differences (each names the pulse) or, with
--strict, an area that stops at turn-on, 2 bad input.
"""

from __future__ import annotations

import argparse

from hil.analysis import logic
from hil.cli.errors import UsageError, warn_turn_on_stops


def _pins(spec: str | None) -> dict[str, str] | None:
    if not spec:
        return None
    names = spec.split(",")
    if len(names) != len(logic.PINS) or not all(names):
        raise UsageError(f"--pins: four channel names for {','.join(logic.PINS)} in that order, not {spec!r}")
    return dict(zip(logic.PINS, names))


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--program", required=True, metavar="PROGRAM",
                   help="a scenario TOML (examples/), a JSON list of AREA_WRITE field sets, "
                        f"or a built-in: {', '.join(logic.BUILTIN_PROGRAMS)}")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--capture", metavar="FILE", help="a capture sigrok reads (.sr, or --format vcd/csv/...)")
    src.add_argument("--live", metavar="DRIVER", help="capture now with sigrok-cli -d DRIVER (e.g. fx2lafw)")
    src.add_argument("--expect", metavar="FILE", help="write the pins the reference drives, as VCD at 1 us")
    p.add_argument("--format", help="sigrok input format of --capture (default: sigrok's own .sr)")
    p.add_argument("--pins", help="capture channel names of CATH,RECH,AREA0,AREA1 (default: those names)")
    p.add_argument("--samplerate", type=int, default=1_000_000, help="--live sample rate, Hz")
    p.add_argument("--samples", type=int, default=300_000, help="--live sample count")
    p.add_argument("--channels", help="--live channels to capture (sigrok -C), e.g. D0,D1,D2,D3")
    p.add_argument("--span-ticks", type=int, default=150_000, help="--expect: how long, ticks")
    p.add_argument("--tolerance-ticks", type=int, default=0,
                   help="allowed difference per edge, ticks (an analyzer's own clock drifts: say how much)")
    p.add_argument("--strict", action="store_true", help="exit 1 when an area stops at turn-on (else a warning)")


def run(args: argparse.Namespace) -> int:
    areas = logic.load_program(args.program)
    stops = warn_turn_on_stops("logic", areas)
    code = _check(args, areas)
    return max(code, 1) if stops and args.strict else code


def _check(args: argparse.Namespace, areas) -> int:
    if args.expect:
        if args.span_ticks < 1:
            raise UsageError(f"--span-ticks must be at least 1, not {args.span_ticks}")
        logic.write_vcd(logic.reference(areas, args.span_ticks), args.expect)
        print(f"{args.expect}: the pins of {args.program} for {args.span_ticks} ticks")
        return 0
    if args.tolerance_ticks < 0:
        raise UsageError(f"--tolerance-ticks must be 0 or more, not {args.tolerance_ticks}")
    if args.live:
        text = logic.live_vcd(args.live, args.samplerate, args.samples, args.channels)
        source = f"{args.live} ({args.samples} samples at {args.samplerate} Hz)"
    else:
        text = logic.capture_vcd(args.capture, args.format)
        source = args.capture
    pulses = logic.decode(text, _pins(args.pins))
    problems = logic.compare(pulses, areas, args.tolerance_ticks)
    if not problems:
        print(f"{source}: {len(pulses)} pulses, every one on the reference tick with the reference phases")
        return 0
    print(f"{source}: {len(problems)} differences from the reference ({len(pulses)} pulses captured)")
    for line in problems[:20]:
        print(f"  {line}")
    return 1
