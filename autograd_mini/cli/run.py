"""A whole training run from settings, as ``autograd-mini train`` and ``demo`` make it: data, model, files.

``train_and_save`` makes a run from ``TrainSettings``: the toy data set, an MLP and its optimizer,
``autograd_mini.train.fit``, then the loss curve, decision boundary and model saved in a folder.
The library's API is ``fit``; this module is the command line's, so it lives here. numpy,
matplotlib and the training loop are imported when a run starts, not when the command line does.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .. import checks, fileio, serialize
from ..engine import Value
from ..nn import MLP, parameter_count
from ..optim import SGD, Adam, Optimizer

if TYPE_CHECKING:
    import numpy as np
    from numpy.typing import NDArray

    from ..datasets import Dataset
    from ..train import History


DATASETS = ("moons", "circles", "spirals", "xor", "blobs", "credit")
"""The toy data sets a run can train on, by name: ``autograd_mini.datasets.make_<name>`` makes each."""

LOSS_CHOICES = ("auto", "binary_cross_entropy", "cross_entropy", "hinge", "mse")
"""The losses a run can use; "auto" lets ``loss_and_outputs`` pick one for the data."""

OPTIMIZERS: dict[str, Callable[[Iterable[Value], float], Optimizer]] = {"adam": Adam, "sgd": SGD}
"""The optimizers a run can use, by name: each is made from the parameters and the learning rate."""


@dataclass
class TrainSettings:
    """Everything one run of ``train_and_save`` needs; the ``train`` command's defaults are these defaults.

    >>> TrainSettings().hidden
    [16, 16]
    """

    data: str = "moons"
    samples: int = 100
    noise: float | None = None  # None: the data set's own noise
    hidden: list[int] = field(default_factory=lambda: [16, 16])
    activation: str = "relu"
    loss: str = "auto"
    optimizer: str = "adam"
    lr: float = 0.05
    epochs: int = 100
    batch_size: int | None = None
    seed: int = 0  # of the data, the initial weights and the sample order
    out: Path = Path("run")
    progress: bool = True
    compiled: bool = True  # train through traced numpy programs; False: the eager engine, graph by graph
    max_parameters: int | None = None  # refuse a larger network before building it (the command line sets one)


@dataclass
class Run:
    """What one run made: its data, the loss it used, the trained model, its history and the files written."""

    X: NDArray[np.float64]
    y: NDArray[np.int64]
    classes: int
    loss: str
    model: MLP
    history: History
    files: list[Path] = field(default_factory=list)


class SettingsError(ValueError):
    """A run that cannot go as its settings say.

    Attributes:
        setting: the setting to change: "samples" (the data set cannot be made with so many, or
            holds one class only), "noise" (it puts points beyond the range of a float, or made
            training fail at its first step), "hidden" (the network would have more parameters
            than ``max_parameters``), "loss" (it does not fit the number of classes), "lr"
            (training diverged, or the trained model overflows off the data on the boundary
            plot), or "data", "loss" or "optimizer" when it names something not offered.
    """

    def __init__(self, message: str, setting: str) -> None:
        super().__init__(message)
        self.setting = setting


def loss_and_outputs(loss: str, classes: int) -> tuple[str, int]:
    """The loss to train with, and how many outputs the network needs, for labels of ``classes`` classes.

    "auto" picks binary cross-entropy on one output (a logit) for two classes, and
    cross-entropy on one output per class for more. Every other loss gets one output for two
    classes (read by its sign), except cross-entropy, which always has one output per class.

    Args:
        loss: one of ``LOSS_CHOICES``.
        classes: how many classes the labels hold (at least 2).

    Returns:
        The loss's name ("auto" replaced by the one picked) and the number of outputs.

    Raises:
        ValueError: an unknown loss, fewer than 2 classes, or binary cross-entropy for more than 2.
        TypeError: ``classes`` is not an int.

    >>> loss_and_outputs("auto", 2), loss_and_outputs("auto", 3)
    (('binary_cross_entropy', 1), ('cross_entropy', 3))
    >>> loss_and_outputs("hinge", 2), loss_and_outputs("cross_entropy", 2)
    (('hinge', 1), ('cross_entropy', 2))
    """
    if loss not in LOSS_CHOICES:
        raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(map(repr, LOSS_CHOICES))}")
    classes = checks.count(classes, "classes", least=2)
    if loss == "binary_cross_entropy" and classes > 2:
        raise ValueError(f"binary_cross_entropy is for 2 classes, but the data has {classes}; use cross_entropy")
    if loss == "auto":
        loss = "binary_cross_entropy" if classes == 2 else "cross_entropy"
    return loss, 1 if classes == 2 and loss != "cross_entropy" else int(classes)


def train_and_save(settings: TrainSettings, on_start: Callable[[Run], None] | None = None) -> Run:
    """Train a fresh MLP as ``settings`` say, and save its plots and itself in the folder ``settings.out``.

    The folder is made before training, so a bad one fails at once rather than after minutes;
    it receives ``loss_curve.png``, ``decision_boundary.png`` (for data with 2 features only)
    and ``model.json`` (load it back with ``autograd_mini.load``), each written whole or not at
    all (``fileio.write_whole``).

    Args:
        settings: the data set, the network, the training and the output folder.
        on_start: called with the Run (its data, loss and untrained model; no history yet) just
            before training starts, e.g. to say what is being trained.

    Returns:
        The Run: its data, loss, trained model and history, and the paths of the files written.

    Raises:
        SettingsError: a name that is not offered, data that cannot be made, a network larger
            than ``settings.max_parameters``, a loss that does not fit the data, or training that
            diverges; its ``setting`` says which setting to change.
        ValueError: another setting out of range (epochs, or as the data set, MLP or optimizer says).
        TypeError: a setting of the wrong type.
        OSError: the folder cannot be made or a file cannot be written (the error names it).

    >>> import tempfile
    >>> settings = TrainSettings(samples=20, hidden=[4], epochs=2, out=Path(tempfile.mkdtemp()), progress=False)
    >>> run = train_and_save(settings)
    >>> run.model, run.loss
    (MLP(2 -> 4 relu -> 1 linear, bias, 17 parameters), 'binary_cross_entropy')
    >>> [path.name for path in run.files]
    ['loss_curve.png', 'decision_boundary.png', 'model.json']
    """
    from ..train import DivergenceError, History, fit  # here: numpy is slow to import, and only a run needs it

    _check_settings(settings)
    X, y = _data(settings)  # noqa: N806 (X and y, as in fit)
    classes = int(y.max()) + 1
    try:
        loss, n_outputs = loss_and_outputs(settings.loss, classes)
    except ValueError as error:
        raise SettingsError(str(error), "loss") from None
    sizes = [X.shape[1], *settings.hidden, n_outputs]
    _check_size(sizes, settings.max_parameters)
    model = MLP(sizes[0], sizes[1:], activation=settings.activation, seed=settings.seed)
    optimizer = OPTIMIZERS[settings.optimizer](model.parameters(), settings.lr)
    folder = Path(settings.out)
    folder.mkdir(parents=True, exist_ok=True)  # before training: a bad folder fails at once, not after minutes
    run = Run(X, y, classes, loss, model, History())
    if on_start is not None:
        on_start(run)
    try:
        run.history = fit(
            model, X, y, loss=loss, optimizer=optimizer, epochs=settings.epochs, batch_size=settings.batch_size,
            seed=settings.seed, progress=settings.progress, compiled=settings.compiled,
        )  # fmt: skip
    except DivergenceError as error:
        # Before any step, only the data's scale can be at fault, and a run's data grows only with the noise.
        setting = "noise" if not error.started and settings.noise is not None else "lr"
        raise SettingsError(str(error), setting) from None
    try:
        run.files = _save(run, settings, folder)
    except ArithmeticError as error:  # the boundary plot runs the model beyond the data, where it may overflow
        raise SettingsError(f"cannot draw the decision boundary: {error}", "lr") from None
    return run


def _check_settings(settings: TrainSettings) -> None:
    """Refuse a name that is not offered, and the counts ``fit`` would refuse, before any work.

    The other settings are checked where they are used: by the data set's maker, MLP and the optimizer.
    """
    offered: dict[str, Iterable[str]] = {"data": DATASETS, "loss": LOSS_CHOICES, "optimizer": OPTIMIZERS}
    for setting, names in offered.items():
        name = getattr(settings, setting)
        if name not in names:
            raise SettingsError(f"unknown {setting} {name!r}; expected one of {', '.join(map(repr, names))}", setting)
    checks.count(settings.epochs, "epochs")
    if settings.batch_size is not None:
        checks.count(settings.batch_size, "batch_size")


def _data(settings: TrainSettings) -> Dataset:
    """The data set the settings name, finite and with at least 2 classes; a refusal is a SettingsError."""
    import numpy as np

    from .. import datasets

    noise = {} if settings.noise is None else {"noise": settings.noise}
    make = getattr(datasets, f"make_{settings.data}")
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # a huge noise overflows: refused below, not warned about
            X, y = make(settings.samples, seed=settings.seed, **noise)  # noqa: N806
    except ValueError as error:  # the makers name the argument they refuse first
        raise SettingsError(str(error), "noise" if str(error).startswith("noise") else "samples") from None
    if not np.all(np.isfinite(X)):
        raise SettingsError(f"noise {settings.noise!r} puts points beyond the range of a float", "noise")
    if y.max() < 1:
        raise SettingsError(
            f"{len(y)} sample(s) of {settings.data} hold only one class; a classifier needs at least 2 samples",
            "samples",
        )
    return X, y


def _check_size(sizes: list[int], max_parameters: int | None) -> None:
    """Refuse a network of more than ``max_parameters`` weights and biases, counted before it is built."""
    if max_parameters is None:
        return
    count = parameter_count(sizes)
    if count > max_parameters:
        shape = " -> ".join(f"{n:,}" for n in sizes)
        raise SettingsError(
            f"the network {shape} would have {count:,} parameters, more than the limit of {max_parameters:,}",
            "hidden",
        )


def _save(run: Run, settings: TrainSettings, folder: Path) -> list[Path]:
    """Write the loss curve, the decision boundary (for 2-D data) and the model, each whole; return their paths."""
    from ..show import plots  # here, not at the top: matplotlib is slow to import and only saving needs it

    title = f"{settings.data}: MLP {'-'.join(map(str, [run.X.shape[1], *settings.hidden]))} {settings.activation}"
    pictures = {folder / "loss_curve.png": plots.loss_curve(run.history.loss, run.history.accuracy, title=title)}
    if run.X.shape[1] == 2:
        pictures[folder / "decision_boundary.png"] = plots.decision_boundary(run.model, run.X, run.y, title=title)
    for path, figure in pictures.items():
        fileio.write_whole(path, plots.png_bytes(figure))
    model_path = folder / "model.json"
    serialize.save(run.model, model_path)
    return [*pictures, model_path]
