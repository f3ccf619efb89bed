"""Errors a user can fix: printed as one line by the CLI, exit status 2."""


class UsageError(Exception):
    """A bad option, file or environment, described in one line."""
