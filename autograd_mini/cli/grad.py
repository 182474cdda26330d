"""The ``grad`` command: an expression's value and gradients; if asked, the chain rule spelled out,
the graph drawn and the backward pass played step by step."""

from __future__ import annotations

import argparse
import math
from collections.abc import Sequence
from pathlib import Path

from ..expr import FUNCTIONS, Built, ExpressionError, normalize_name, parse
from ..numeric import short_number
from .common import PROG, CommandError, Parser, say
from .files import check_draw_path, graph_bytes, page_bytes, write

GRAD_EXAMPLES = f"""examples:
  {PROG} grad "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3
  {PROG} grad "x**2 * sin(x)" x=1.5 --explain
  {PROG} grad "sigmoid(a*b) + a" a=1 b=2 --draw graph.svg --steps steps.html
  {PROG} grad -- "-x*y" x=1 y=2        (an expression starting with '-' goes after --)

the expression: numbers, names, + - * / **, unary -, parentheses, and the functions
  {" ".join(FUNCTIONS)}; every name needs a value, given as name=number.
--draw writes .svg, .png or .pdf with Graphviz's dot program, or the DOT source for .dot."""


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``grad`` and its options to the command line."""
    grad = commands.add_parser(
        "grad",
        help="value and gradients of an expression",
        description="Compute an expression and the gradient of its value with respect to each input.",
        epilog=GRAD_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    grad.add_argument("expression", help='for example "tanh(x*w + b)" (quote it for the shell)')
    grad.add_argument("values", nargs="*", metavar="NAME=VALUE", help="a number for each name, e.g. x=0.5")
    grad.add_argument("--explain", action="store_true", help="spell out the chain rule for each gradient")
    grad.add_argument("--draw", metavar="FILE", type=Path, help="draw the graph: .svg, .png, .pdf or .dot")
    grad.add_argument("--steps", metavar="FILE", type=Path, help="write an HTML page playing backward step by step")
    grad.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """The ``grad`` command: print the value and gradients, and write what was asked for."""
    check_draw_path(options.draw)
    expression = parse(options.expression)
    values = parse_values(options.values)
    _check_names(expression.names, values)
    try:
        built = expression.build(values)
    except ExpressionError as error:
        raise CommandError(
            str(error), "pick other values: log needs an input > 0, sqrt >= 0, / a divisor != 0, exp an input < 709"
        ) from None
    built.root.backward()
    lines = [gradient_report(options.expression, built)]
    if options.explain:
        lines.append(explanations(built))
    # Everything is computed before anything is written or printed, so a mistake leaves no half-done output.
    files = {}
    if options.draw is not None:
        files[options.draw] = (graph_bytes(built.root, options.draw.suffix), "graph", "--draw")
    if options.steps is not None:
        files[options.steps] = (page_bytes(built.root), "step-by-step page", "--steps")
    for path, (content, what, option) in files.items():
        lines.append(f"{what} written to {write(path, content, f'another {option} file')}")
    say("\n".join(lines))
    return 0


def _check_names(names: Sequence[str], values: dict[str, float]) -> None:
    """Every name of the expression has a value and every value a name; else say all that is wrong."""
    missing = [name for name in names if name not in values]
    unused = [name for name in values if name not in names]
    if missing:
        example = " ".join(f"{name}=1.0" for name in names)
        raise CommandError(f"no value given for {', '.join(missing)}", f"give each name a number, e.g. {example}")
    if unused:
        uses = f"it uses {', '.join(names)}" if names else "it has no names"
        raise CommandError(f"the expression does not use {', '.join(unused)} ({uses})", f"drop {' '.join(unused)}")


def parse_values(pairs: Sequence[str]) -> dict[str, float]:
    """``["x=0.5", "w=-1.2"]`` as ``{"x": 0.5, "w": -1.2}``.

    Args:
        pairs: strings of the form name=number.

    Returns:
        The values by name, in the order given.

    Names are read as the expression's names are (``normalize_name``): ``ｘ=1`` is a value for ``x``.

    Raises:
        CommandError: a pair without "=", a name that is not an identifier, a number that is
            not a finite real number, or a name given twice.

    >>> parse_values(["x=0.5", "w=-1.2"])
    {'x': 0.5, 'w': -1.2}
    >>> parse_values(["ｘ=2"])
    {'x': 2.0}
    >>> parse_values(["x:0.5"])
    Traceback (most recent call last):
    ...
    autograd_mini.cli.common.CommandError: expected NAME=VALUE, got 'x:0.5'
    """
    values: dict[str, float] = {}
    given: dict[str, str] = {}  # the pair that gave each name its value
    for pair in pairs:
        typed, equals, text = (part.strip() for part in pair.partition("="))
        if not equals:
            raise CommandError(f"expected NAME=VALUE, got {pair!r}", "write each value as name=number, e.g. x=0.5")
        if not typed.isidentifier():
            raise CommandError(f"{typed!r} in {pair!r} is not a name", "names are letters, digits and _, e.g. x or w1")
        name = normalize_name(typed)
        if name in values:
            raise CommandError(f"{name!r} is given twice: {given[name]!r} and {pair!r}", "give each name one value")
        values[name] = _finite(text, pair)
        given[name] = pair
    return values


def _finite(text: str, pair: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise CommandError(f"{text!r} in {pair!r} is not a number", "write numbers like 2, -0.5 or 1e-3") from None
    if not math.isfinite(number):
        raise CommandError(f"{text!r} in {pair!r} is not a finite number", "write numbers like 2, -0.5 or 1e-3")
    return number


def gradient_report(text: str, built: Built) -> str:
    """The value and one line per input's gradient (6 significant digits), after ``backward``.

    >>> built = parse("x*y").build({"x": 2.0, "y": 3.0})
    >>> built.root.backward()
    >>> print(gradient_report("x*y", built))
    f = x*y = 6
    df/dx = 3
    df/dy = 2
    """
    out = built.root.label
    lines = [f"{out} = {text} = {short_number(built.root, 6)}"]
    if not built.inputs:
        lines.append("(no names: nothing to differentiate)")
    width = max((len(name) for name in built.inputs), default=0)
    lines += [f"d{out}/d{name:<{width}} = {short_number(leaf.grad, 6)}" for name, leaf in built.inputs.items()]
    return "\n".join(lines)


def explanations(built: Built) -> str:
    """The chain-rule derivation of every input's gradient (``teach.explain``), one block each.

    >>> built = parse("x*x").build({"x": 3.0})
    >>> print(explanations(built))  # doctest: +ELLIPSIS
    <BLANKLINE>
    df/dx by the chain rule: the sum over the 2 paths from x to f ...
    """
    from ..teach.explanation import explain  # here, not at the top: only --explain needs it

    blocks = [explain(built.root, leaf) for leaf in built.inputs.values() if leaf is not built.root]
    return "".join(f"\n{block}\n" for block in blocks)
