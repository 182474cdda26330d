"""The ``train`` command: its options and what it prints; the training itself is ``autograd_mini.train``."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from ..numeric import short_number
from .common import (
    PROG,
    CommandError,
    Parser,
    non_negative_int,
    non_negative_number,
    positive_int,
    positive_number,
    say,
    whole_number,
)
from .files import cannot_write, make_folder
from .run import DATASETS, LOSS_CHOICES, OPTIMIZERS, Run, SettingsError, TrainSettings, train_and_save

#: The most samples ``train --samples`` accepts: 100,000 train (compiled) in about a minute.
MAX_SAMPLES = 100_000
#: The most parameters (weights and biases) of a network ``train`` builds: the decision boundary
#: plot runs the network eagerly on 3,600 points, which takes about a minute at this size.
MAX_PARAMETERS = 10_000
#: The files a run writes into its folder.
RUN_FILES = ("loss_curve.png", "decision_boundary.png", "model.json")
_PYTHON_API = "for a larger run, call autograd_mini.train.fit from Python, which has no such limit"

TRAIN_EXAMPLES = f"""examples:
  {PROG} train
  {PROG} train --data moons --hidden 16,16 --activation relu --epochs 100 --lr 0.05 --seed 0 --out run/
  {PROG} train --data spirals --activation tanh --epochs 200
  {PROG} train --data xor --optimizer sgd --lr 0.2 --batch-size 10
  {PROG} train --data spirals --samples 2000 --epochs 300 --batch-size 50 --activation tanh
  {PROG} train --eager --samples 50 --epochs 20

writes into the --out folder: loss_curve.png, decision_boundary.png (2-D data only) and model.json
(load it back with autograd_mini.load). --loss auto: binary cross-entropy on one output for two
classes, cross-entropy on one output per class for more.

limits, so that a run ends within minutes: --samples up to {MAX_SAMPLES:,}, and networks of up to
{MAX_PARAMETERS:,} parameters (--hidden 64,64 on 2 features has 4,417). They cannot be raised here:
{_PYTHON_API}."""


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
        type=positive_int,
        default=defaults.samples,
        help=f"dataset size, at most {MAX_SAMPLES:,} (default: %(default)s)",
    )
    add("--noise", metavar="STD", type=non_negative_number, help="dataset noise (default: the dataset's own)")
    add("--hidden", metavar="SIZES", type=parse_sizes, default=defaults.hidden, help="hidden layers (default: 16,16)")
    add("--activation", choices=("relu", "tanh", "sigmoid"), default=defaults.activation, help="(default: %(default)s)")
    add("--loss", choices=LOSS_CHOICES, default=defaults.loss, help="(default: %(default)s)")
    add("--optimizer", choices=tuple(OPTIMIZERS), default=defaults.optimizer, help="(default: %(default)s)")
    add("--lr", type=positive_number, default=defaults.lr, help="learning rate (default: %(default)s)")
    add(
        "--epochs",
        metavar="N",
        type=positive_int,
        default=defaults.epochs,
        help="passes over the data (default: %(default)s)",
    )
    add("--batch-size", metavar="N", type=positive_int, help="samples per step (default: all of them)")
    add(
        "--seed",
        metavar="N",
        type=non_negative_int,
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
    """The ``train`` command: check the limits, then train, print what it did and write the files."""
    names = [field.name for field in dataclasses.fields(TrainSettings) if field.name in vars(options)]
    settings = TrainSettings(**{name: getattr(options, name) for name in names}, max_parameters=MAX_PARAMETERS)
    if settings.samples > MAX_SAMPLES:
        raise CommandError(
            f"--samples {settings.samples:,} is more than the limit of {MAX_SAMPLES:,} samples", _PYTHON_API
        )
    train_and_report(settings)
    return 0


def train_and_report(settings: TrainSettings) -> Run:
    """Train and save as ``settings`` say (``train_and_save``), printing as it goes.

    First what is trained (the data and the model), then the last epoch's loss and accuracy
    (the numbers loss_curve.png ends with) and the files written.

    Args:
        settings: the dataset, network and training options.

    Returns:
        The Run.

    Raises:
        CommandError: the output folder cannot be made or written, or the run refuses its settings.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = train_and_report(TrainSettings(samples=20, hidden=[4], epochs=2, out=folder, progress=False))
    ... # doctest: +ELLIPSIS
    data: moons, 20 samples, 2 features, 2 classes
    model: MLP(2 -> 4 relu -> 1 linear, bias, 17 parameters), loss binary_cross_entropy, adam lr 0.05, ..., compiled
    final loss: ... (mean over the last epoch)
    final accuracy: ... (during the last epoch, as loss_curve.png shows)
    wrote .../loss_curve.png
    wrote .../decision_boundary.png
    wrote .../model.json
    """
    make_folder(settings.out, RUN_FILES)  # first, so that a bad --out fails at once, said the command line's way
    try:
        result = train_and_save(settings, on_start=lambda started: say(_what_is_trained(started, settings)))
    except SettingsError as error:
        raise CommandError(str(error), _hint(error.setting, settings)) from None
    except OSError as error:
        if error.filename is None:  # not one of the run's files (a closed stdout, say)
            raise
        raise cannot_write(error, "another --out") from None
    say(_results(result, settings))
    return result


def _what_is_trained(started: Run, settings: TrainSettings) -> str:
    engine = "compiled" if settings.compiled else "eager"
    return (
        f"data: {settings.data}, {len(started.X)} samples, {started.X.shape[1]} features, {started.classes} classes\n"
        f"model: {started.model!r}, loss {started.loss}, {settings.optimizer} lr {settings.lr:g}, "
        f"{settings.epochs} epochs, {engine}"
    )


def _results(result: Run, settings: TrainSettings) -> str:
    """The last epoch's loss and accuracy (as the loss curve ends), warnings, and the files written."""
    losses = result.history.loss
    lines = [
        f"final loss: {short_number(losses[-1])} (mean over the last epoch)",
        f"final accuracy: {result.history.accuracy[-1]:.3f} (during the last epoch, as loss_curve.png shows)",
    ]
    if losses[-1] > losses[0]:
        lines.append(
            f"(the loss rose, from {short_number(losses[0])} in the first epoch: the steps are too large; "
            "try a smaller --lr)"
        )
    if result.X.shape[1] != 2:
        lines.append(f"(no decision boundary plot: {settings.data} has {result.X.shape[1]} features, not 2)")
    return "\n".join(lines + [f"wrote {path}" for path in result.files])


def _hint(setting: str, settings: TrainSettings) -> str:
    """What to change when a run refuses ``setting`` (``SettingsError.setting``)."""
    hints = {
        "samples": f"use --samples 2 or more (the default is {TrainSettings.samples})",
        "noise": "use a smaller --noise, or leave it out for the dataset's own",
        "hidden": f"use smaller --hidden layers; {_PYTHON_API}",
        "loss": "try --loss auto",
        "lr": f"try a smaller --lr than {settings.lr:g}",
    }
    return hints.get(setting, f"see: {PROG} train --help")


def parse_sizes(text: str) -> list[int]:
    """Hidden layer sizes from ``"16,16"``; ``""`` is no hidden layer.

    >>> parse_sizes("16, 8")
    [16, 8]
    """
    parts = [part.strip() for part in text.split(",")] if text.strip() else []
    sizes = [whole_number(part) for part in parts]
    if not all(size is not None and size >= 1 for size in sizes):
        raise argparse.ArgumentTypeError(
            f"expects sizes such as 16,16 (whole numbers >= 1, comma-separated), got {text!r}"
        )
    return [size for size in sizes if size is not None]
