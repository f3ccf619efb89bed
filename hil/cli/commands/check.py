"""`scs check CAPTURE [--decode]`: protocol conformance of a recorded session.

Exit status: 0 clean, 1 violations found, 2 unreadable capture or key file, or a key file that
verifies none of the capture's handshakes (said once, in one line; the other checks still run). ``--decode`` prints every
frame decoded with the violations inline (the same as `scs capture show`).
"""

from __future__ import annotations

import argparse

from rich.console import Console
from rich.table import Table

from hil.cli.commands.capture import add_key_arguments, load_keys
from protocol.capture.checker import Checker
from protocol.capture.format import read_capture
from protocol.spec.catalog import load_catalog


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("capture", help="capture file (JSON lines, see protocol/capture/format.py)")
    p.add_argument("--deadline-ms", type=int, default=250, help="response deadline")
    p.add_argument("--decode", action="store_true", help="print every frame decoded, violations inline")
    add_key_arguments(p)


def run(args: argparse.Namespace) -> int:
    header, chunks = read_capture(args.capture)
    keys = load_keys(args)
    if args.deadline_ms <= 0:
        from hil.cli.errors import UsageError

        raise UsageError(f"--deadline-ms {args.deadline_ms} is not allowed: more than 0")
    if args.decode:
        from protocol.capture.view import render

        text = render(chunks, header, keys, args.deadline_ms)
        print(text)
    checker = Checker(load_catalog(), args.deadline_ms, keys)
    violations = checker.check(chunks)
    out = Console(width=max(Console().width, 120))
    target = header.get("target") or "unknown target"
    if not violations:
        out.print(f"{args.capture}: {checker.frames} frames from {target}, no violations"
                  + (" (tags not verified)" if checker.key_problem else ""))
        return _key_problem(args, checker)
    table = Table(title=f"{args.capture}: {len(violations)} violations in {checker.frames} frames ({target})")
    for col in ("#", "kind", "where", "what"):
        table.add_column(col)
    for i, v in enumerate(violations, 1):
        table.add_row(str(i), v.kind, str(v.position), v.message)
    out.print(table)
    return _key_problem(args, checker) or 1


def _key_problem(args: argparse.Namespace, checker: Checker) -> int:
    """Keys that verify none of the handshakes: one line naming the key file, exit 2."""
    if checker.key_problem is None:
        return 0
    import sys

    problem = checker.key_problem.replace("this key file", f"this key file: {args.keys}", 1)
    print(f"scs check: error: {problem} (give the recording device's key file with --keys FILE)", file=sys.stderr)
    return 2
