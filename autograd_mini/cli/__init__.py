"""The command line: ``autograd-mini`` (also ``python -m autograd_mini``).

Four commands, one module each:

* ``grad`` (grad.py): the value and gradients of an expression, with the chain rule spelled
  out, the graph drawn and the backward pass played step by step if asked;
* ``train`` (train.py): a small network trained on a toy dataset, with its loss curve, decision
  boundary and saved model (the training itself is ``autograd_mini.train``);
* ``demo`` (demo.py): both, with their pictures written into one folder;
* ``quiz`` (quiz.py): questions on derivatives, checked, with the derivation shown on a miss.

run.py makes a training run from its settings (for ``train`` and ``demo``), and files.py writes
the pictures, each file whole or not at all. The expressions are parsed by ``autograd_mini.expr``
and the quiz's questions made by ``autograd_mini.teach.quiz``: this folder holds the argument
parsing, the printing and the files, and the library never imports it.
A user mistake (a bad expression, a missing value, an unknown dataset, a run over the limits) or
a file that cannot be written (a read-only folder, a full disk, a folder in the way) prints one
line saying what was wrong and one line with a hint, and exits with code 2; Ctrl-C prints one
line and exits with 130; a closed stdout (``| head -1``) ends quietly with 141. Never a traceback.

>>> main(["grad", "x*y + y", "x=2", "y=3"])
f = x*y + y = 9
df/dx = 3
df/dy = 3
0
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ..expr import ExpressionError
from . import demo, grad, quiz, train
from .common import PIPE_CLOSED, PROG, USAGE_ERROR, CommandError, Parser, flush_stdout, interrupted, report
from .demo import _demo_pictures
from .files import DRAW_FORMATS, write_drawing, write_steps
from .grad import explanations, gradient_report, parse_values
from .run import DATASETS, TrainSettings, train_and_save
from .train import parse_sizes

MAIN_EXAMPLES = f"""examples:
  {PROG} demo                                      the whole idea in one go (writes demo_output/)
  {PROG} grad "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3   value and gradients of an expression
  {PROG} train --data moons --epochs 100           train a small network, plot what it learned

more help: {PROG} COMMAND --help"""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Args:
        argv: the arguments after the program name.

    Returns:
        0 on success (and for no arguments, which print the help), 2 for a user mistake or a file
        that cannot be written (after printing what was wrong on stderr), 130 after Ctrl-C, 141
        when the reader of stdout has gone.

    >>> main(["grad", "2*x", "x=5"])
    f = 2*x = 10
    df/dx = 2
    0
    >>> main(["grad", "2*x"])      # x has no value: two lines on stderr, exit code 2
    2
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    try:
        code = _run(arguments)
        flush_stdout()  # now, so that a full stdout is reported here rather than at exit
        return code
    except ExpressionError as error:
        return report(str(error), error.hint or "see: autograd-mini grad --help")
    except CommandError as error:
        return report(str(error), error.hint)
    except BrokenPipeError:  # the reader has gone (`| head -1`): no one is left to tell
        return PIPE_CLOSED
    except KeyboardInterrupt:
        return interrupted()


def _run(arguments: list[str]) -> int:
    """Parse the arguments and run the command; no arguments print the overview with examples."""
    parser = build_parser()
    if not arguments:
        parser.print_help()
        return 0
    try:
        options = parser.parse_args(arguments)
    except SystemExit as stop:  # --help and --version end argparse with SystemExit(0)
        return stop.code if isinstance(stop.code, int) else 0
    code: int = options.run(options)
    return code


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all commands (``autograd-mini --help`` shows it).

    >>> build_parser().parse_args(["grad", "x*x", "x=3"]).values
    ['x=3']
    """
    parser = Parser(
        prog=PROG,
        description="A scalar autograd engine for learning backpropagation.",
        epilog=MAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=Parser)
    for command in (grad, train, demo, quiz):
        command.add_parser(commands)
    return parser


def _version() -> str:
    """The installed package's version (read only for --version: importlib.metadata is slow to import)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("autograd-mini")
    except PackageNotFoundError:  # run from a checkout that was never installed
        return "(not installed)"


# The names that were importable from here when the command line was one module.
__all__ = [
    "DATASETS",
    "DRAW_FORMATS",
    "PROG",
    "USAGE_ERROR",
    "CommandError",
    "TrainSettings",
    "_demo_pictures",
    "build_parser",
    "explanations",
    "gradient_report",
    "main",
    "parse_sizes",
    "parse_values",
    "train_and_save",
    "write_drawing",
    "write_steps",
]
