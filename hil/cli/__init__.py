"""The ``scs`` command line: one sub-command module per job in `hil.cli.commands`."""

from hil.cli.main import main

__all__ = ["main"]
