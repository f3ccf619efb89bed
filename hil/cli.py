"""`scs`: the command-line entry point. Each subcommand lives in `hil.commands.<name>`.

Errors the user can fix (bad file, bad parameter, unreachable port) print one line naming what was
wrong and what is allowed, and exit 2; no traceback (set SCS_DEBUG=1 to see one).
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from hil.errors import UsageError

COMMANDS = {
    "simulate": "Generate the pulse timeline of a scenario and summarise it",
    "battery": "Battery life, recharge and heating projections of a scenario",
    "board": "Run the virtual dev board (device model) on a pty or TCP port",
    "hil": "Run the conformance suite against a target (default: the virtual dev board)",
    "check": "Check a recorded session (capture) for protocol violations",
    "keys": "Manage role key files",
    "logic": "Check a logic-analyzer capture of the board's output pins against the reference",
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="scs", description="Spinal cord stimulator reference model and HIL tools")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"hil.commands.{name}")
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except KeyboardInterrupt:
        print("scs: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, OSError, KeyError) as e:
        if os.environ.get("SCS_DEBUG"):
            raise
        print(f"scs {args.command}: error: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
