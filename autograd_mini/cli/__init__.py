"""The command line: ``autograd-mini`` (also ``python -m autograd_mini``).

Three commands:

* ``grad``: the value and gradients of an expression, with the chain rule spelled out, the
  graph drawn and the backward pass played step by step if asked;
* ``train``: a small network trained on a toy dataset, with its loss curve, decision boundary
  and saved model;
* ``demo``: both, with their pictures written into one folder.

A user mistake (a bad expression, a missing value, an unknown dataset) prints one line saying
what was wrong and one line with a hint, and exits with code 2; never a traceback.

>>> main(["grad", "x*y + y", "x=2", "y=3"])
f = x*y + y = 9
df/dx = 3
df/dy = 3
0
"""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from ..engine import Value
from .expr import FUNCTIONS, Built, ExpressionError, parse

PROG = "autograd-mini"
#: Exit code for a user mistake (the code argparse uses too).
USAGE_ERROR = 2
#: File types ``grad --draw`` can write.
DRAW_FORMATS = (".svg", ".png", ".pdf", ".dot")

_NO_GRAPHVIZ = "Graphviz's dot program is not installed, so the graph cannot be rendered"
_INSTALL_GRAPHVIZ = "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz)"

MAIN_EXAMPLES = f"""examples:
  {PROG} demo                                      the whole idea in one go (writes demo_output/)
  {PROG} grad "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3   value and gradients of an expression
  {PROG} train --data moons --epochs 100           train a small network, plot what it learned

more help: {PROG} COMMAND --help"""

GRAD_EXAMPLES = f"""examples:
  {PROG} grad "tanh(x*w + b)" x=0.5 w=-1.2 b=0.3
  {PROG} grad "x**2 * sin(x)" x=1.5 --explain
  {PROG} grad "sigmoid(a*b) + a" a=1 b=2 --draw graph.svg --steps steps.html
  {PROG} grad -- "-x*y" x=1 y=2        (an expression starting with '-' goes after --)

the expression: numbers, names, + - * / **, unary -, parentheses, and the functions
  {" ".join(FUNCTIONS)}; every name needs a value, given as name=number.
--draw writes .svg, .png or .pdf with Graphviz's dot program, or the DOT source for .dot."""


class CommandError(Exception):
    """A user mistake found by a command: printed as one line plus a hint, exit code 2.

    >>> print(CommandError("no such file: x.csv", "check the path"))
    no such file: x.csv
    """

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.hint = hint


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors raised as CommandError instead of printing usage and exiting."""

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments: -"):
            # argparse takes an expression such as "-x*y" for an option.
            raise CommandError(message, f'an expression starting with "-" goes after --: {PROG} grad -- "-x*y" x=1 y=2')
        raise CommandError(message, f"see: {self.prog} --help")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line with ``argv`` (default: ``sys.argv[1:]``) and return the exit code.

    Args:
        argv: the arguments after the program name.

    Returns:
        0 on success (and for no arguments, which print the help), 2 for a user mistake (after
        printing what was wrong on stderr).

    >>> main(["grad", "2*x", "x=5"])
    f = 2*x = 10
    df/dx = 2
    0
    >>> main(["grad", "2*x"])      # x has no value: two lines on stderr, exit code 2
    2
    """
    arguments = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    if not arguments:  # a newcomer typing just `autograd-mini` gets the overview with examples
        parser.print_help()
        return 0
    try:
        options = parser.parse_args(arguments)
        result: int = options.run(options)
        return result
    except ExpressionError as error:
        return _report(str(error), error.hint or "see: autograd-mini grad --help")
    except CommandError as error:
        return _report(str(error), error.hint)
    except SystemExit as stop:  # --help and --version end argparse with SystemExit(0)
        return stop.code if isinstance(stop.code, int) else 0


def _report(message: str, hint: str) -> int:
    """Print a user mistake on stderr: one line for what was wrong, one for what to do."""
    print(f"{PROG}: error: {message}", file=sys.stderr)
    if hint:
        print(f"  hint: {hint}", file=sys.stderr)
    return USAGE_ERROR


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for all commands (``autograd-mini --help`` shows it).

    >>> build_parser().parse_args(["grad", "x*x", "x=3"]).values
    ['x=3']
    """
    parser = _Parser(
        prog=PROG,
        description="A scalar autograd engine for learning backpropagation.",
        epilog=MAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {_version()}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True, parser_class=_Parser)
    _add_grad(commands)
    _add_train(commands)
    _add_demo(commands)
    return parser


def _version() -> str:
    from .. import __version__  # here, not at the top: the package imports this module's siblings first

    return __version__


def _add_grad(commands: argparse._SubParsersAction[_Parser]) -> None:
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
    grad.set_defaults(run=_run_grad)


def _run_grad(options: argparse.Namespace) -> int:
    """The ``grad`` command: print the value and gradients, and write what was asked for."""
    _check_draw_path(options.draw)
    expression = parse(options.expression)
    values = parse_values(options.values)
    _check_names(expression.names, values)
    try:
        built = expression.build(values)
    except ExpressionError as error:
        raise CommandError(
            str(error), "pick other values: log needs an input > 0, sqrt >= 0, / a divisor != 0, exp an input < 709"
        ) from None
    name_nodes(built.root)
    built.root.backward()
    lines = [gradient_report(options.expression, built)]
    if options.explain:
        lines.append(explanations(built))
    # Everything is computed before anything is written or printed, so a mistake leaves no half-done output.
    files = {}
    if options.draw is not None:
        files[options.draw] = (_graph_bytes(built.root, options.draw.suffix), "graph")
    if options.steps is not None:
        files[options.steps] = (_page_bytes(built.root), "step-by-step page")
    for path, (content, what) in files.items():
        lines.append(f"{what} written to {_write(path, content)}")
    print("\n".join(lines))
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

    Raises:
        CommandError: a pair without "=", a name that is not an identifier, a number that is
            not a finite real number, or a name given twice.

    >>> parse_values(["x=0.5", "w=-1.2"])
    {'x': 0.5, 'w': -1.2}
    >>> parse_values(["x:0.5"])
    Traceback (most recent call last):
    ...
    autograd_mini.cli.CommandError: expected NAME=VALUE, got 'x:0.5'
    """
    values: dict[str, float] = {}
    for pair in pairs:
        name, equals, text = (part.strip() for part in pair.partition("="))
        if not equals:
            raise CommandError(f"expected NAME=VALUE, got {pair!r}", "write each value as name=number, e.g. x=0.5")
        if not name.isidentifier():
            raise CommandError(f"{name!r} in {pair!r} is not a name", "names are letters, digits and _, e.g. x or w1")
        if name in values:
            raise CommandError(f"{name!r} is given twice", "give each name one value")
        values[name] = _finite(text, pair)
    return values


def _finite(text: str, pair: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise CommandError(f"{text!r} in {pair!r} is not a number", "write numbers like 2, -0.5 or 1e-3") from None
    if not math.isfinite(number):
        raise CommandError(f"{text!r} in {pair!r} is not a finite number", "write numbers like 2, -0.5 or 1e-3")
    return number


def name_nodes(root: Value) -> None:
    """Label every unlabelled node n<k> (``steps.node_names``), so the drawing shows the names the explanation uses.

    >>> root = parse("2*x").build({"x": 1.0}).root
    >>> name_nodes(root)
    >>> [node.label for node in root.parents]
    ['n1', 'x']
    """
    from ..steps import node_names

    for node, name in node_names(root).items():
        node.label = node.label or name


def gradient_report(text: str, built: Built) -> str:
    """The value and one line per input's gradient, after ``backward``.

    >>> built = parse("x*y").build({"x": 2.0, "y": 3.0})
    >>> built.root.backward()
    >>> print(gradient_report("x*y", built))
    f = x*y = 6
    df/dx = 3
    df/dy = 2
    """
    out = built.root.label
    lines = [f"{out} = {text} = {_number(built.root.data)}"]
    if not built.inputs:
        lines.append("(no names: nothing to differentiate)")
    width = max((len(name) for name in built.inputs), default=0)
    lines += [f"d{out}/d{name:<{width}} = {_number(leaf.grad)}" for name, leaf in built.inputs.items()]
    return "\n".join(lines)


def _number(x: float | Value) -> str:
    """Six significant digits: enough to check by hand, short enough to read."""
    return f"{x.data if isinstance(x, Value) else x:.6g}"


def explanations(built: Built) -> str:
    """The chain-rule derivation of every input's gradient (``teach.explain``), one block each.

    >>> built = parse("x*x").build({"x": 3.0})
    >>> print(explanations(built))  # doctest: +ELLIPSIS
    <BLANKLINE>
    df/dx by the chain rule: the sum over the 2 paths from x to f ...
    """
    from ..teach import explain  # here, not at the top: only --explain needs it

    blocks = [explain(built.root, leaf) for leaf in built.inputs.values() if leaf is not built.root]
    return "".join(f"\n{block}\n" for block in blocks)


def _check_draw_path(path: Path | None) -> None:
    """Refuse a --draw file type we cannot write before computing anything."""
    if path is not None and path.suffix.lower() not in DRAW_FORMATS:
        raise CommandError(
            f"cannot draw to {str(path)!r}: unknown file type {path.suffix or '(none)'!r}",
            f"use one of {' '.join(DRAW_FORMATS)}, e.g. --draw graph.svg",
        )


def write_drawing(root: Value, path: Path) -> Path:
    """Draw the graph of ``root`` into ``path``: the DOT source for .dot, else rendered by Graphviz.

    Args:
        root: the output whose graph is drawn.
        path: the file to write; its suffix (.svg .png .pdf .dot) picks the format.

    Returns:
        ``path``.

    Raises:
        CommandError: an unknown suffix, a graph too large to draw, Graphviz missing, or a folder
            that cannot be written.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = write_drawing(Value(2.0, label="x") * 3, folder / "graph.dot")
    >>> path.read_text(encoding="utf-8").startswith("digraph")
    True
    """
    _check_draw_path(path)
    return _write(path, _graph_bytes(root, path.suffix))


def _graph_bytes(root: Value, suffix: str) -> bytes:
    """The drawing of ``root`` as a file of type ``suffix``: DOT source, or rendered by Graphviz."""
    from ..show.viz import GraphvizNotFoundError, draw  # here, not at the top: only drawing needs Graphviz

    try:
        drawing = draw(root)
    except ValueError as error:
        raise CommandError(str(error), "draw a smaller expression") from None
    if suffix.lower() == ".dot":
        source: str = drawing.source
        return source.encode("utf-8")
    try:
        picture: bytes = drawing.pipe(format=suffix.lower()[1:])
    except GraphvizNotFoundError:
        raise CommandError(_NO_GRAPHVIZ, f"{_INSTALL_GRAPHVIZ}, or write the DOT source: --draw graph.dot") from None
    return picture


def write_steps(root: Value, path: Path) -> Path:
    """Write the step-by-step page of ``root``'s backward pass (``backward_page``; needs Graphviz's ``dot``).

    Raises:
        CommandError: the graph is too large for a page, or the file cannot be written.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_steps(Value(2.0, label="x") * 3, folder / "steps.html").stat().st_size > 1000
    True
    """
    return _write(path, _page_bytes(root))


def _page_bytes(root: Value) -> bytes:
    from ..show.frames import backward_page  # here, not at the top: only the step page needs it
    from ..show.viz import GraphvizNotFoundError

    try:
        page = backward_page(root)
    except ValueError as error:
        raise CommandError(str(error), "play a smaller expression") from None
    except GraphvizNotFoundError:
        raise CommandError(_NO_GRAPHVIZ, _INSTALL_GRAPHVIZ) from None
    return page.html.encode("utf-8")


def _write(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path``, making its folder; a failure is a CommandError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as error:
        raise CommandError(f"cannot write {str(path)!r}: {error.strerror or error}", "check the folder") from None
    return path


# ---------------------------------------------------------------- train

DATASETS = ("moons", "circles", "spirals", "xor", "blobs", "credit")
LOSS_CHOICES = ("auto", "binary_cross_entropy", "cross_entropy", "hinge", "mse")
OPTIMIZERS = ("adam", "sgd")

TRAIN_EXAMPLES = f"""examples:
  {PROG} train
  {PROG} train --data moons --hidden 16,16 --activation relu --epochs 100 --lr 0.05 --seed 0 --out run/
  {PROG} train --data spirals --activation tanh --epochs 200
  {PROG} train --data xor --optimizer sgd --lr 0.2 --batch-size 10

writes into the --out folder: loss_curve.png, decision_boundary.png (2-D data only) and model.json
(load it back with autograd_mini.load). --loss auto: binary cross-entropy on one output for two
classes, cross-entropy on one output per class for more."""


@dataclass
class TrainSettings:
    """Everything ``train`` needs; the command-line defaults are these defaults.

    >>> TrainSettings().hidden
    [16, 16]
    """

    data: str = "moons"
    samples: int = 100
    noise: float | None = None
    hidden: list[int] = field(default_factory=lambda: [16, 16])
    activation: str = "relu"
    loss: str = "auto"
    optimizer: str = "adam"
    lr: float = 0.05
    epochs: int = 100
    batch_size: int | None = None
    seed: int = 0
    out: Path = Path("run")
    progress: bool = True


def _add_train(commands: argparse._SubParsersAction[_Parser]) -> None:
    defaults = TrainSettings()
    train = commands.add_parser(
        "train",
        help="train a small network on a toy dataset and plot what it learned",
        description="Train an MLP classifier with this engine's backpropagation; save plots and the model.",
        epilog=TRAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = train.add_argument
    add("--data", choices=DATASETS, default=defaults.data, help="the dataset (default: %(default)s)")
    add(
        "--samples",
        metavar="N",
        type=_positive_int,
        default=defaults.samples,
        help="dataset size (default: %(default)s)",
    )
    add("--noise", metavar="STD", type=_non_negative, help="dataset noise (default: the dataset's own)")
    add("--hidden", metavar="SIZES", type=parse_sizes, default=defaults.hidden, help="hidden layers (default: 16,16)")
    add("--activation", choices=("relu", "tanh", "sigmoid"), default=defaults.activation, help="(default: %(default)s)")
    add("--loss", choices=LOSS_CHOICES, default=defaults.loss, help="(default: %(default)s)")
    add("--optimizer", choices=OPTIMIZERS, default=defaults.optimizer, help="(default: %(default)s)")
    add("--lr", type=_positive, default=defaults.lr, help="learning rate (default: %(default)s)")
    add(
        "--epochs",
        metavar="N",
        type=_positive_int,
        default=defaults.epochs,
        help="passes over the data (default: %(default)s)",
    )
    add("--batch-size", metavar="N", type=_positive_int, help="samples per step (default: all of them)")
    add(
        "--seed",
        metavar="N",
        type=int,
        default=defaults.seed,
        help="seed of data, weights, order (default: %(default)s)",
    )
    add(
        "--out",
        metavar="DIR",
        type=Path,
        default=defaults.out,
        help="folder for plots and model (default: %(default)s/)",
    )
    add("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    train.set_defaults(run=_run_train)


def _run_train(options: argparse.Namespace) -> int:
    """The ``train`` command: train, print the final loss and accuracy, write the files."""
    names = [name for name in TrainSettings.__dataclass_fields__ if name in vars(options)]
    settings = TrainSettings(**{name: getattr(options, name) for name in names})
    for line in train_and_save(settings):
        print(line)
    return 0


def parse_sizes(text: str) -> list[int]:
    """Hidden layer sizes from ``"16,16"``; ``""`` is no hidden layer.

    >>> parse_sizes("16, 8")
    [16, 8]
    """
    parts = [part.strip() for part in text.split(",")] if text.strip() else []
    if not all(part.isdigit() and int(part) > 0 for part in parts):
        raise argparse.ArgumentTypeError(f"expected sizes such as 16,16 (positive ints, comma-separated), got {text!r}")
    return [int(part) for part in parts]


def _positive_int(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a positive int, got {text!r}")
    return int(text)


def _positive(text: str) -> float:
    number = _number_or_error(text)
    if not number > 0.0:
        raise argparse.ArgumentTypeError(f"expected a number > 0, got {text!r}")
    return number


def _non_negative(text: str) -> float:
    number = _number_or_error(text)
    if not number >= 0.0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return number


def _number_or_error(text: str) -> float:
    try:
        number = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not math.isfinite(number):
        raise argparse.ArgumentTypeError(f"expected a finite number, got {text!r}")
    return number


def train_and_save(settings: TrainSettings) -> list[str]:
    """Train as ``settings`` say, write the plots and the model into ``settings.out``, and report.

    Args:
        settings: the dataset, network and training options.

    Returns:
        The lines to print: the data, the model, the final loss and accuracy, and the files written.

    Raises:
        CommandError: the output folder cannot be made, or the training refuses its input.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> settings = TrainSettings(samples=20, hidden=[4], epochs=2, out=folder, progress=False)
    >>> print("\\n".join(train_and_save(settings)))  # doctest: +ELLIPSIS
    data: moons, 20 samples, 2 features, 2 classes
    model: MLP(2 -> 4 relu -> 1 linear, bias, 17 parameters), loss binary_cross_entropy, adam lr 0.05, 2 epochs
    final loss: ...
    final accuracy: ...
    wrote .../loss_curve.png
    wrote .../decision_boundary.png
    wrote .../model.json
    """
    from ..train import accuracy  # here, not at the top: only training needs it

    run = _fit(settings)
    lines = [
        f"data: {settings.data}, {len(run.X)} samples, {run.X.shape[1]} features, {run.classes} classes",
        f"model: {run.model!r}, loss {run.loss}, {settings.optimizer} lr {settings.lr:g}, {settings.epochs} epochs",
        f"final loss: {run.history.loss[-1]:.4f} (mean over the last epoch)",
        f"final accuracy: {accuracy(run.model, run.X, run.y):.3f} (on the training data, after training)",
    ]
    if run.X.shape[1] != 2:
        lines.append(f"(no decision boundary plot: {settings.data} has {run.X.shape[1]} features, not 2)")
    return lines + [f"wrote {path}" for path in _save_run(run, settings)]


@dataclass
class _Run:
    """What one training run made: the data, the trained model, the loss used, and its history."""

    X: Any
    y: Any
    classes: int
    loss: str
    model: Any
    history: Any


def _fit(settings: TrainSettings) -> _Run:
    """Make the data and the model, and train; a refused input is a CommandError."""
    from ..train import fit

    features, labels = _dataset(settings)
    classes = int(labels.max()) + 1
    loss = settings.loss if settings.loss != "auto" else "binary_cross_entropy" if classes == 2 else "cross_entropy"
    model = _model(settings, features.shape[1], 1 if classes == 2 and loss != "cross_entropy" else classes)
    _make_folder(settings.out)
    try:
        history = fit(
            model, features, labels, loss=loss, optimizer=_optimizer(settings, model), epochs=settings.epochs,
            batch_size=settings.batch_size, seed=settings.seed, progress=settings.progress,
        )  # fmt: skip
    except (ValueError, ArithmeticError) as error:
        raise CommandError(f"training failed: {error}", "try a smaller --lr, or another --loss") from None
    return _Run(features, labels, classes, loss, model, history)


def _save_run(run: _Run, settings: TrainSettings) -> list[Path]:
    """Write the loss curve, the decision boundary (for 2-D data) and the model; return their paths."""
    from .. import serialize
    from ..show import plots

    title = f"{settings.data}: MLP {'-'.join(map(str, [run.X.shape[1], *settings.hidden]))} {settings.activation}"
    paths = [settings.out / "loss_curve.png"]
    plots.loss_curve(run.history.loss, run.history.accuracy, path=paths[-1], title=title)
    if run.X.shape[1] == 2:
        paths.append(settings.out / "decision_boundary.png")
        plots.decision_boundary(run.model, run.X, run.y, path=paths[-1], title=title)
    paths.append(settings.out / "model.json")
    serialize.save(run.model, paths[-1])
    return paths


def _dataset(settings: TrainSettings) -> tuple[Any, Any]:
    from .. import datasets

    make = getattr(datasets, f"make_{settings.data}")
    options: dict[str, Any] = {"seed": settings.seed}
    if settings.noise is not None:
        options["noise"] = settings.noise
    try:
        return make(settings.samples, **options)  # type: ignore[no-any-return]
    except ValueError as error:
        raise CommandError(str(error), "try the defaults: --samples 100, no --noise") from None


def _model(settings: TrainSettings, n_features: int, n_outputs: int) -> Any:
    from ..nn import MLP

    return MLP(n_features, [*settings.hidden, n_outputs], activation=settings.activation, seed=settings.seed)


def _optimizer(settings: TrainSettings, model: Any) -> Any:
    from ..optim import SGD, Adam

    return (
        Adam(model.parameters(), settings.lr) if settings.optimizer == "adam" else SGD(model.parameters(), settings.lr)
    )


def _make_folder(folder: Path) -> None:
    """Make the output folder before training, so a bad --out fails at once, not after minutes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"cannot make the folder {str(folder)!r}: {error.strerror or error}", "choose another --out"
        ) from None


# ---------------------------------------------------------------- demo

#: The neuron of the demo: o = tanh(x1*w1 + x2*w2 + b), with b chosen so that o = 1/sqrt(2).
DEMO_EXPRESSION = "tanh(x1*w1 + x2*w2 + b)"
DEMO_VALUES = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.881373587019543}
DEMO_FOLDER = Path("demo_output")


def _add_demo(commands: argparse._SubParsersAction[_Parser]) -> None:
    demo = commands.add_parser(
        "demo",
        help="gradients of a neuron, its graph, and a short training run, with pictures",
        description=(
            f"Compute the gradients of one neuron, {DEMO_EXPRESSION}, explain one by the chain rule, draw its\n"
            "graph and a step-by-step page of backward; then train a small network on the moons dataset.\n"
            "Takes about 10 seconds."
        ),
        epilog=f"examples:\n  {PROG} demo\n  {PROG} demo --out pictures/\n\n"
        "writes graph.svg, graph.png, steps.html, loss_curve.png, decision_boundary.png and model.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--out", metavar="DIR", type=Path, default=DEMO_FOLDER, help="folder for the files (default: %(default)s/)"
    )
    demo.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    demo.set_defaults(run=_run_demo)


def _run_demo(options: argparse.Namespace) -> int:
    """The ``demo`` command: one neuron's gradients and pictures, then a short training run."""
    out: Path = options.out
    _make_folder(out)
    print(f"1. Gradients of one neuron, by backpropagation\n{'-' * 46}")
    built = parse(DEMO_EXPRESSION).build(DEMO_VALUES)
    name_nodes(built.root)
    built.root.backward()
    print(gradient_report(DEMO_EXPRESSION, built))
    print(f"\nWhy df/dw1 is {_number(built.inputs['w1'].grad)}:")
    print(_explain_one(built, "w1"))
    print("\n".join(_demo_pictures(built.root, out)))
    print(f"\n2. Training a small network on the moons dataset\n{'-' * 48}")
    settings = TrainSettings(hidden=[16, 16], epochs=40, out=out, progress=options.progress)
    print("\n".join(train_and_save(settings)))
    print(f"\nAll files are in {out}/ ({out.resolve()}). Open steps.html in a browser to watch backward step by step.")
    return 0


def _explain_one(built: Built, name: str) -> str:
    from ..teach import explain

    return explain(built.root, built.inputs[name])


def _demo_pictures(root: Value, out: Path) -> list[str]:
    """Draw the graph and the step page; without Graphviz, write the DOT source and say so."""
    try:
        paths = [write_drawing(root, out / "graph.svg"), write_drawing(root, out / "graph.png")]
        paths.append(write_steps(root, out / "steps.html"))
    except CommandError as error:
        dot = write_drawing(root, out / "graph.dot")
        return [f"wrote {dot} (no pictures: {error}; {error.hint})"]
    return [f"wrote {path}" for path in paths]
