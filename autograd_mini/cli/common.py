"""What every command shares: the program's name, the user-mistake error, and the argument parser."""

from __future__ import annotations

import argparse
import sys
from typing import NoReturn

PROG = "autograd-mini"
#: Exit code for a user mistake (the code argparse uses too).
USAGE_ERROR = 2


class CommandError(Exception):
    """A user mistake found by a command: printed as one line plus a hint, exit code 2.

    >>> print(CommandError("no such file: x.csv", "check the path"))
    no such file: x.csv
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as CommandError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: -"):
            # argparse takes an expression such as "-x*y" for an option.
            raise CommandError(message, f'an expression starting with "-" goes after --: {PROG} grad -- "-x*y" x=1 y=2')
        raise CommandError(message, f"see: {self.prog} --help")


def report(message: str, hint: str) -> int:
    """Print a user mistake on stderr: one line for what was wrong, one for what to do."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)
    return USAGE_ERROR
