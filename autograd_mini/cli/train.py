"""The ``train`` command: its options and what it prints; the training itself is ``autograd_mini.train``."""

from __future__ import annotations

import argparse
import dataclasses
import math
from pathlib import Path

from ..train import DATASETS, LOSS_CHOICES, OPTIMIZERS, SettingsError, TrainSettings, accuracy, train_and_save
from .common import PROG, CommandError, Parser
from .files import make_folder

TRAIN_EXAMPLES = f"""examples:
  {PROG} train
  {PROG} train --data moons --hidden 16,16 --activation relu --epochs 100 --lr 0.05 --seed 0 --out run/
  {PROG} train --data spirals --activation tanh --epochs 200
  {PROG} train --data xor --optimizer sgd --lr 0.2 --batch-size 10
  {PROG} train --data spirals --samples 2000 --epochs 300 --batch-size 50 --activation tanh
  {PROG} train --eager --samples 50 --epochs 20

writes into the --out folder: loss_curve.png, decision_boundary.png (2-D data only) and model.json
(load it back with autograd_mini.load). --loss auto: binary cross-entropy on one output for two
classes, cross-entropy on one output per class for more."""

# What to try when a run refuses its settings (SettingsError.setting names the one at fault).
_HINTS = {
    "samples": "try the defaults: --samples 100, no --noise",
    "loss": "try --loss auto",
    "lr": "try a smaller --lr, or another --loss",
}


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``train`` and its options to the command line; their defaults are ``TrainSettings``'s."""
    defaults = TrainSettings()
    train = commands.add_parser(
        "train",
        help="train a small network on a toy dataset and plot what it learned",
        description="Train an MLP classifier with this engine's backpropagation; save plots and the model.",
        epilog=TRAIN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = train.add_argument
    add("--data", choices=tuple(DATASETS), default=defaults.data, help="the dataset (default: %(default)s)")
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
    add("--optimizer", choices=tuple(OPTIMIZERS), default=defaults.optimizer, help="(default: %(default)s)")
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
    add_eager_option(train)
    train.set_defaults(run=run)


def add_eager_option(command: Parser) -> None:
    """``--eager``: train with the engine's graphs instead of the compiled program (``fit``'s ``compiled``)."""
    command.add_argument(
        "--eager",
        dest="compiled",
        action="store_false",
        help="a graph per sample, not compiled: slower, same results",
    )


def run(options: argparse.Namespace) -> int:
    """The ``train`` command: train, print the final loss and accuracy, write the files."""
    names = [field.name for field in dataclasses.fields(TrainSettings) if field.name in vars(options)]
    settings = TrainSettings(**{name: getattr(options, name) for name in names})
    print("\n".join(train_report(settings)))
    return 0


def train_report(settings: TrainSettings) -> list[str]:
    """Train and save as ``settings`` say (``train_and_save``), and report what was result.

    Args:
        settings: the dataset, network and training options.

    Returns:
        The lines to print: the data, the model, the final loss and accuracy, and the files written.

    Raises:
        CommandError: the output folder cannot be made, or the run refuses its settings.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> settings = TrainSettings(samples=20, hidden=[4], epochs=2, out=folder, progress=False)
    >>> print("\\n".join(train_report(settings)))  # doctest: +ELLIPSIS
    data: moons, 20 samples, 2 features, 2 classes
    model: MLP(2 -> 4 relu -> 1 linear, bias, 17 parameters), loss binary_cross_entropy, adam lr 0.05, ..., compiled
    final loss: ...
    final accuracy: ...
    wrote .../loss_curve.png
    wrote .../decision_boundary.png
    wrote .../model.json
    """
    make_folder(settings.out)  # first, so that a bad --out fails at once, said the command line's way
    try:
        result = train_and_save(settings)
    except SettingsError as error:
        raise CommandError(str(error), _HINTS.get(error.setting, f"see: {PROG} train --help")) from None
    features = result.X.shape[1]
    optimizer = f"{settings.optimizer} lr {settings.lr:g}"
    engine = "compiled" if settings.compiled else "eager"
    final_accuracy = accuracy(result.model, result.X, result.y, compiled=settings.compiled)
    lines = [
        f"data: {settings.data}, {len(result.X)} samples, {features} features, {result.classes} classes",
        f"model: {result.model!r}, loss {result.loss}, {optimizer}, {settings.epochs} epochs, {engine}",
        f"final loss: {result.history.loss[-1]:.4f} (mean over the last epoch)",
        f"final accuracy: {final_accuracy:.3f} (on the training data, after training)",
    ]
    if features != 2:
        lines.append(f"(no decision boundary plot: {settings.data} has {features} features, not 2)")
    return lines + [f"wrote {path}" for path in result.files]


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
