"""`scs`: the command-line entry point. Each subcommand lives in `hil.cli.commands.<name>`.

Errors the user can fix (bad file, bad parameter, unreachable port) print one line naming what was
wrong and what is allowed, and exit 2; no traceback (set SCS_DEBUG=1 to see one).

When the reader of the output goes away (``scs capture show C | head -1``), scs stops quietly with
exit status 141 (128 + SIGPIPE), as a standard tool killed by SIGPIPE would be reported by the shell.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from pathlib import Path

from hil.cli.errors import EXIT_USAGE, CommandLineError, ScsArgumentParser, UsageError, error_line
from hil.cli.user_errors import user_facing

COMMANDS = {
    "simulate": "Generate the pulse timeline of a scenario and summarise it",
    "battery": "Battery life, recharge and heating projections of a scenario",
    "board": "Run the virtual dev board (device model) on a pty or TCP port",
    "hil": "Run the conformance suite against a target (default: the virtual dev board)",
    "check": "Check a recorded session (capture) for protocol violations",
    "capture": "Show a recorded session decoded, or export it for Wireshark",
    "keys": "Manage role key files",
    "logic": "Check a logic-analyzer capture of the board's output pins against the reference",
}


def version() -> str:
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("scs-hil")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "unknown (not installed)"


class DefaultsHelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Appends "(default: X)" to an option's help unless the help already says what the default is,
    or there is none to show (no value, a flag that is off)."""

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        if ("default" in text or not action.option_strings or action.default in (None, False)
                or action.default is argparse.SUPPRESS):
            return text
        return text + " (default: %(default)s)"


def _show_defaults(parser: argparse.ArgumentParser) -> None:
    """Every command and subcommand shows its defaults in --help."""
    parser.formatter_class = DefaultsHelpFormatter
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for child in action.choices.values():
                _show_defaults(child)


def build_parser() -> argparse.ArgumentParser:
    parser = ScsArgumentParser(prog="scs", description="Spinal cord stimulator reference model and HIL tools")
    parser.add_argument("--version", action="version", version=f"%(prog)s {version()}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, help_text in COMMANDS.items():
        module = importlib.import_module(f"hil.cli.commands.{name}")
        p = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(p)
        p.set_defaults(run=module.run)
    _show_defaults(parser)
    return parser


#: options naming a file a command writes: checked before any work starts
OUTPUT_OPTIONS = ("out", "vcd", "plot", "junit", "pcapng")


def check_key_file(args: argparse.Namespace) -> None:
    """--keys (every command that takes one) must name a key file, not a folder or nothing."""
    value = getattr(args, "keys", None)
    if not value:
        return
    if Path(value).is_dir():
        raise UsageError(f"--keys {value}: is a folder; give a key file (create one with `scs keys new`)")
    if not Path(value).exists():
        raise UsageError(f"--keys {value}: no such key file (create one with `scs keys new`)")


def check_output_paths(args: argparse.Namespace) -> None:
    """Every output path must be a file in an existing, writable folder (fail before a long run)."""
    for name in OUTPUT_OPTIONS:
        value = getattr(args, name, None)
        if not value:
            continue
        path = Path(value)
        folder = path.parent
        if path.is_dir():
            raise UsageError(f"--{name} {value}: is a folder (give a file name)")
        if not folder.is_dir():
            raise UsageError(f"--{name} {value}: folder {folder} does not exist (give a file in an existing folder)")
        if not os.access(folder, os.W_OK):
            raise UsageError(f"--{name} {value}: folder {folder} is not writable (give a file in a writable folder)")


#: exit status after the output's reader went away: 128 + SIGPIPE, what a shell reports for `yes | head -1`
EXIT_BROKEN_PIPE = 141


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so that flushing it at exit can't raise again."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)


def parse(parser: argparse.ArgumentParser, argv: list[str] | None) -> argparse.Namespace:
    """The command line, or a `CommandLineError` naming the command (also for options it does not know)."""
    args, extra = parser.parse_known_args(argv)
    if extra:
        raise CommandLineError(args.command, f"unknown {' '.join(extra)} (see scs {args.command} --help)")
    return args


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parse(parser, argv)
    except CommandLineError as e:
        if os.environ.get("SCS_DEBUG"):
            raise
        print(error_line(e.command, str(e)), file=sys.stderr)
        return EXIT_USAGE
    try:
        check_output_paths(args)
        check_key_file(args)
        code = int(args.run(args) or 0)
        sys.stdout.flush()  # here, so a closed pipe is handled below and not at interpreter exit
        return code
    except BrokenPipeError:
        _quiet_stdout()
        return EXIT_BROKEN_PIPE
    except KeyboardInterrupt:
        if os.environ.get("SCS_DEBUG"):
            raise
        print("scs: interrupted", file=sys.stderr)
        return 130
    except (UsageError, ValueError, OSError, KeyError) as e:
        if os.environ.get("SCS_DEBUG"):
            raise
        print(error_line(args.command, user_facing(str(e))), file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
