"""Errors a user can fix, in one style for every command: one line

    scs COMMAND: error: WHAT (ALLOWED)

on standard error, exit status 2, no traceback and no usage dump. `UsageError` is raised by the
commands; `ScsArgumentParser` turns argparse's own complaints (a bad value, a missing argument, an
unknown option) into the same line, naming what is allowed and where to look.
"""

from __future__ import annotations

import argparse
import re
from typing import NoReturn

#: exit status of every error the user can fix
EXIT_USAGE = 2


class UsageError(Exception):
    """A bad option, file or environment, described in one line."""


class CommandLineError(UsageError):
    """A command line argparse refused, with the command it belongs to (``capture show``, or "" for
    ``scs`` itself)."""

    def __init__(self, command: str, message: str):
        self.command = command
        super().__init__(message)


def warning_line(command: str, message: str) -> str:
    """``scs COMMAND: warning: MESSAGE``: something the user should know that does not stop the command."""
    return error_line(command, message).replace(": error: ", ": warning: ", 1)


def warn_turn_on_stops(command: str, scenario) -> int:
    """Warn (standard error) about every area that stops at turn-on; returns how many warnings."""
    import sys

    from firmware_model.scenario.program import stopped_at_turn_on

    stops = stopped_at_turn_on(scenario)
    for stop in stops:
        print(warning_line(command, f"{scenario.name}: {stop}"), file=sys.stderr)
    return len(stops)


def error_line(command: str | None, message: str) -> str:
    """``scs COMMAND: error: MESSAGE`` on one line (a message's own line breaks become "; ")."""
    text = "; ".join(line.strip() for line in str(message).splitlines() if line.strip())
    return f"scs {command}: error: {text}" if command else f"scs: error: {text}"


_TYPE_ALLOWED = {"float": "a number, e.g. 2.5", "int": "a whole number, e.g. 10"}


def argparse_message(message: str, prog: str) -> str:
    """argparse's wording as WHAT (ALLOWED), with ``prog --help`` as the place to look."""
    hint = f"see {prog} --help"
    m = re.fullmatch(r"argument (\S+): invalid (\w+) value: '(.*)'", message)
    if m:
        option, kind, value = m.groups()
        return f"{option} {value!r} is not {_article(kind)} ({_TYPE_ALLOWED.get(kind, hint)})"
    m = re.fullmatch(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)", message)
    if m:
        option, value, choices = m.groups()
        allowed = choices.replace("'", "")
        return f"{option} {value!r} is not known (one of {allowed})"
    m = re.fullmatch(r"the following arguments are required: (.*)", message)
    if m:
        return f"missing {m.group(1)} (required; {hint})"
    m = re.fullmatch(r"one of the arguments (.*) is required", message)
    if m:
        return f"missing one of {m.group(1)} (exactly one is required; {hint})"
    m = re.fullmatch(r"argument (\S+): not allowed with argument (\S+)", message)
    if m:
        return f"{m.group(1)} and {m.group(2)} together (give only one of them)"
    m = re.fullmatch(r"argument (\S+): expected (.*)", message)
    if m:
        return f"{m.group(1)} needs a value (expected {m.group(2)}; {hint})"
    m = re.fullmatch(r"argument (\S+): (.*)", message)
    if m:  # an argument type's own message (hil.cli.types) already names what is allowed
        text = m.group(2)
        return f"{m.group(1)}: {text}" + ("" if "(" in text or "allowed" in text else f" ({hint})")
    return message if "(" in message else f"{message} ({hint})"


def _article(kind: str) -> str:
    return {"float": "a number", "int": "a whole number"}.get(kind, f"a valid {kind}")


class ScsArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one `CommandLineError` (sub-parsers made by
    ``add_subparsers`` are of this class too): `hil.cli.main` prints it as one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("scs").strip()
        raise CommandLineError(command, argparse_message(message, self.prog))
