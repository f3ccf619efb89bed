"""Errors a user can fix, in one style for every command: one line

    scs COMMAND: error: WHAT (ALLOWED)

on standard error, exit status 2, no traceback and no usage dump. `UsageError` is raised by the
commands; `ScsArgumentParser` turns argparse's own complaints (a bad value, a missing argument, an
unknown option) into the same line, naming what is allowed and where to look.
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Callable
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


def _typed_value(m: re.Match, hint: str) -> str:
    option, kind, value = m.groups()
    return f"{option} {value!r} is not {_article(kind)} ({_TYPE_ALLOWED.get(kind, hint)})"


def _own_message(m: re.Match, hint: str) -> str:
    text = m.group(2)  # an argument type's own message (hil.cli.types) already names what is allowed
    return f"{m.group(1)}: {text}" + ("" if "(" in text or "allowed" in text else f" ({hint})")


#: argparse's messages, most specific first, each with its rewording as WHAT (ALLOWED)
_ARGPARSE_REWRITES: tuple[tuple[re.Pattern, Callable[[re.Match, str], str]], ...] = (
    (re.compile(r"argument (\S+): invalid (\w+) value: '(.*)'"), _typed_value),
    (re.compile(r"argument (\S+): invalid choice: '(.*)' \(choose from (.*)\)"),
     lambda m, hint: f"{m.group(1)} {m.group(2)!r} is not known (one of {m.group(3).replace(chr(39), '')})"),
    (re.compile(r"the following arguments are required: (.*)"),
     lambda m, hint: f"missing {m.group(1)} (required; {hint})"),
    (re.compile(r"one of the arguments (.*) is required"),
     lambda m, hint: f"missing one of {m.group(1)} (exactly one is required; {hint})"),
    (re.compile(r"argument (\S+): not allowed with argument (\S+)"),
     lambda m, hint: f"{m.group(1)} and {m.group(2)} together (give only one of them)"),
    (re.compile(r"argument (\S+): expected (.*)"),
     lambda m, hint: f"{m.group(1)} needs a value (expected {m.group(2)}; {hint})"),
    (re.compile(r"argument (\S+): (.*)"), _own_message),
)


def argparse_message(message: str, prog: str) -> str:
    """argparse's wording as WHAT (ALLOWED), with ``prog --help`` as the place to look."""
    hint = f"see {prog} --help"
    for pattern, reword in _ARGPARSE_REWRITES:
        m = pattern.fullmatch(message)
        if m:
            return reword(m, hint)
    return message if "(" in message else f"{message} ({hint})"


def _article(kind: str) -> str:
    return {"float": "a number", "int": "a whole number"}.get(kind, f"a valid {kind}")


class ScsArgumentParser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one `CommandLineError` (sub-parsers made by
    ``add_subparsers`` are of this class too): `hil.cli.main` prints it as one line, exit status 2."""

    def error(self, message: str) -> NoReturn:
        command = self.prog.removeprefix("scs").strip()
        raise CommandLineError(command, argparse_message(message, self.prog))
