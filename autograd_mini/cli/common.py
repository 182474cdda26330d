"""What every command shares: the program's name, the user-mistake error, the argument parser, and
the way output reaches the terminal.

Exit codes: 0 done; 2 a mistake or a file that cannot be written (one line saying what, one hint);
130 interrupted by Ctrl-C and 141 when the reader of stdout has gone (``| head -1``), as a shell
reports a command stopped by SIGINT or SIGPIPE (128 + the signal's number).
"""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import re
import sys
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from _typeshed import SupportsWrite

PROG = "autograd-mini"
#: Exit code for a user mistake (the code argparse uses too).
USAGE_ERROR = 2
#: Exit code after Ctrl-C: 128 + SIGINT.
INTERRUPTED = 130
#: Exit code when stdout is a pipe whose reader has gone: 128 + SIGPIPE.
PIPE_CLOSED = 141


class CommandError(Exception):
    """A user mistake found by a command: printed as one line plus a hint, exit code 2.

    >>> print(CommandError("no such file: x.csv", "check the path"))
    no such file: x.csv
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as CommandError instead of printing usage and exiting, and
    its help printed by ``say`` (argparse ignores a full or closed stdout)."""

    def print_help(self, file: SupportsWrite[str] | None = None) -> None:
        if file is None:
            say(self.format_help().rstrip("\n"))
        else:
            super().print_help(file)

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: -"):
            # argparse takes an expression such as "-x*y" for an option.
            raise CommandError(message, f'an expression starting with "-" goes after --: {PROG} grad -- "-x*y" x=1 y=2')
        # "argument --epochs: expects a whole number ..." (an option's type refusing its text) reads as a sentence.
        raise CommandError(re.sub(r"^argument (\S+): expects ", r"\1 expects ", message), f"see: {self.prog} --help")


def say(text: str) -> None:
    """Print ``text`` on stdout now (flushed), so that a full or closed stdout is found here, not at exit.

    Raises:
        BrokenPipeError: the reader has gone (``| head -1``): there is no one left to tell.
        CommandError: stdout cannot be written (a full disk, ``>/dev/full``).
    """
    try:
        print(text, flush=True)
    except OSError as error:
        raise _stdout_failed(error) from None


def flush_stdout() -> None:
    """Flush what argparse printed (help, version), failing as ``say`` does."""
    try:
        sys.stdout.flush()
    except OSError as error:
        raise _stdout_failed(error) from None


def report(message: str, hint: str) -> int:
    """Print a user mistake on stderr: one line for what was wrong, one for what to do."""
    lines = [f"{PROG}: error: {message}"] + ([f"  hint: {hint}"] if hint else [])
    with contextlib.suppress(OSError):  # stderr closed as well: nowhere left to say it
        print("\n".join(lines), file=sys.stderr, flush=True)
    return USAGE_ERROR


def interrupted() -> int:
    """Say, in one line, that Ctrl-C stopped the command."""
    with contextlib.suppress(OSError):
        print(f"{PROG}: interrupted", file=sys.stderr, flush=True)
    return INTERRUPTED


def _stdout_failed(error: OSError) -> Exception:
    """What to raise when stdout fails; first drop it, since what is still buffered would fail
    again when Python flushes stdout at exit, and print a traceback there."""
    with contextlib.suppress(OSError, ValueError, AttributeError):  # a stdout without a file descriptor
        stdout = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, stdout)
        os.close(null)
    if isinstance(error, BrokenPipeError):
        return error
    return CommandError(
        f"cannot write the output: {error.strerror or error}", "check where stdout goes: the disk may be full"
    )


# -- argparse types: an option's text as a number, or a message argparse shows -----------------


def positive_int(text: str) -> int:
    """An option's text as a whole number >= 1 (``--epochs``)."""
    return _at_least(text, 1)


def non_negative_int(text: str) -> int:
    """An option's text as a whole number >= 0 (``--seed``)."""
    return _at_least(text, 0)


def _at_least(text: str, least: int) -> int:
    number = whole_number(text)
    if number is None or number < least:
        raise argparse.ArgumentTypeError(f"expects a whole number >= {least}, got {text!r}")
    return number


def whole_number(text: str) -> int | None:
    """The int ``text`` spells (as Python's ``int`` reads it), or None."""
    try:
        return int(text)
    except ValueError:
        return None


def positive_number(text: str) -> float:
    """An option's text as a finite number > 0 (``--lr``)."""
    number = _number_or_error(text)
    if not number > 0.0:
        raise argparse.ArgumentTypeError(f"expects a number > 0, got {text!r}")
    return number


def non_negative_number(text: str) -> float:
    """An option's text as a finite number >= 0 (``--noise``)."""
    number = _number_or_error(text)
    if not number >= 0.0:
        raise argparse.ArgumentTypeError(f"expects a number >= 0, got {text!r}")
    return number


def _number_or_error(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expects a number, got {text!r}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"expects a finite number, got {text!r}")
    return number
