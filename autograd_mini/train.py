"""Training a classifier: ``fit`` runs gradient descent over a data set; ``predict`` and ``accuracy`` judge it.

``fit`` works in epochs: one epoch shows the model every sample once, in a fresh random
order, split into batches. For each batch it builds the graph of the batch's mean loss,
runs backward, and lets the optimizer take one step. ``batch_size`` picks the flavour:

* ``None``: full batch, one step per epoch (plain gradient descent);
* ``k``: mini-batches of k samples;
* ``1``: the seed texts' stochastic backpropagation, one randomly drawn sample per step.

Labels ``y`` are class indices 0, 1, ..., and the model's outputs are read as follows:

* one output: a score; class 1 if it is > 0, else class 0;
* k >= 2 outputs: one score per class; the class with the largest score wins.

``fit(..., compiled=True)`` runs the same steps through numpy programs traced once from the
model and the loss (``autograd_mini.compiled``): the same History and, up to rounding, the same
parameters, for data sets too large to build a graph per sample in class time.

The numbers stay finite: ``fit`` refuses data holding NaN, infinities or complex numbers, and
stops with a ``DivergenceError`` naming the epoch and step when the loss or a parameter would
stop being a finite float (the optimizers refuse to write such a parameter).

``train_and_save`` makes a whole run from ``TrainSettings``: the toy data set, an MLP and its
optimizer, ``fit``, then the loss curve, decision boundary and model saved in a folder (what
``autograd-mini train`` runs).

>>> from autograd_mini.datasets import make_blobs
>>> from autograd_mini.nn import MLP
>>> X, y = make_blobs(30, noise=0.3, seed=0, centers=3)
>>> model = MLP(2, [3], seed=0)                          # 3 linear outputs, one per class
>>> history = fit(model, X, y, loss="cross_entropy", lr=0.5, epochs=20, seed=0, progress=False)
>>> history.loss[-1] < history.loss[0], accuracy(model, X, y)
(True, 1.0)
"""

from __future__ import annotations

import math
import numbers
import random
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol, TypeAlias

import numpy as np
from numpy.typing import ArrayLike, NDArray
from tqdm.std import TqdmWarning  # type: ignore[import-untyped]

from . import datasets, fileio, losses, serialize
from .collector import paused
from .compiled import MAX_WORKING_VALUES, Program, trace
from .engine import Value, no_grad
from .nn import MLP, parameter_count
from .numeric import short_number
from .optim import SGD, Adam, Optimizer

with warnings.catch_warnings():  # in Jupyter without ipywidgets tqdm.auto falls back to the text bar: no need to warn
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm  # type: ignore[import-untyped]  # a widget in a notebook, text in a terminal

LossFunction: TypeAlias = Callable[[list[Value], Any], Value]
"""(a model's outputs for one sample, that sample's target) -> the sample's loss."""

LOSSES: dict[str, LossFunction] = {
    "hinge": losses.hinge,
    "sse": losses.sse,
    "mse": losses.mse,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "cross_entropy": losses.cross_entropy,
}
"""The loss names ``fit`` accepts; ``_target`` says what each is given as the target."""

DEFAULT_LR = 0.1  # the SGD learning rate when neither lr nor an optimizer is given


class Model(Protocol):
    """What ``fit`` needs of a model: parameters to train and a call on one sample's features."""

    def parameters(self) -> list[Value]: ...

    def __call__(self, x: Sequence[float]) -> list[Value]: ...


@dataclass
class History:
    """What ``fit`` measured, one entry per epoch.

    Attributes:
        loss: the mean loss per sample over the epoch's batches.
        accuracy: the fraction of the epoch's samples that the model classified right when
            it saw them (during the epoch, as Keras reports it: no extra pass over the data).

    >>> History(loss=[0.9, 0.4], accuracy=[0.5, 0.75]).loss[-1]
    0.4
    """

    loss: list[float] = field(default_factory=list)
    accuracy: list[float] = field(default_factory=list)


class DivergenceError(ArithmeticError):
    """``fit`` stopped: the loss or a parameter would no longer be a finite float.

    Attributes:
        epoch: the epoch it happened in (1 for the first).
        step: the step within that epoch (1 for the first batch).
        started: whether an earlier step of this ``fit`` had changed the parameters. If not, the
            numbers were too large from the start (the data, the starting weights, or a first
            step too large for a float); if so, the steps grew: a smaller learning rate helps.
    """

    def __init__(self, message: str, epoch: int, step: int) -> None:
        super().__init__(message)
        self.epoch = epoch
        self.step = step
        self.started = (epoch, step) != (1, 1)


def fit(
    model: Model,
    X: ArrayLike,  # noqa: N803 (X and y, as in scikit-learn and the issue)
    y: ArrayLike,
    loss: str | LossFunction = "hinge",
    optimizer: Optimizer | None = None,
    lr: float | None = None,
    epochs: int = 100,
    batch_size: int | None = None,
    seed: int | None = None,
    progress: bool = True,
    compiled: bool = False,
) -> History:
    """Train ``model`` to classify the rows of ``X`` as the labels ``y``.

    Each step minimises the MEAN of the per-sample losses over a batch. A loss named by
    string gets targets made from the class labels:

    ==========================  ============================  ===================================
    loss                        one output                    k outputs
    ==========================  ============================  ===================================
    ``hinge``                   -1 or +1                      +1 for the class, -1 for the others
    ``sse``, ``mse``            -1 or +1                      one-hot: 1 for the class, 0 elsewhere
    ``binary_cross_entropy``    0 or 1 (the output a logit)   (needs one output)
    ``cross_entropy``           (needs k >= 2 outputs)        the class index (outputs are logits)
    ==========================  ============================  ===================================

    A callable loss is called as ``loss(outputs, label)`` with the model's list of outputs
    and the sample's class label (an int), and must return a Value computed from the outputs.

    Args:
        model: e.g. an ``nn.MLP``; anything with ``parameters()`` and a call on one row.
        X: features, shape (n, d): n >= 1 samples of d numbers.
        y: class labels, shape (n,): ints 0, 1, ... (0 or 1 for a model with one output).
        loss: a name from the table above, or a function (outputs, label) -> Value.
        optimizer: how to step; None means ``SGD(model.parameters(), lr)``.
        lr: the learning rate of that default SGD (0.1 if None); give it to your own
            optimizer instead when you pass one.
        epochs: how many passes over the data (a positive int).
        batch_size: None for full batch, k for batches of k samples (the last may be
            smaller; k > n means one full batch), 1 for stochastic steps.
        seed: an int to make the sample order repeatable, None for a fresh one.
        progress: show a tqdm progress bar over the epochs, with the last epoch's loss and accuracy.
        compiled: False builds each sample's graph of Values and runs its backward: the engine you
            can watch, but slow beyond a few hundred samples. True traces the model and the loss
            once per call of ``fit`` (``autograd_mini.compiled.trace``, one loss program per class)
            and runs every batch through those numpy programs: the same batches, steps and History,
            and the same parameters up to rounding. The programs read the parameters by reference,
            so they follow the optimizer without being traced again. Use it for thousands of
            samples or many epochs (tens of times faster with batches of 30 or more); it gains
            nothing with ``batch_size=1``. The model and a callable loss must be traceable: a
            Python ``if`` on a Value's data is decided once, on the sample traced.

    Returns:
        A ``History`` with the loss and accuracy of every epoch.

    Raises:
        ValueError: X and y differ in length, the data set is empty, X holds NaN, an infinity or
            complex numbers, the rows have the wrong number of features for the model, a label
            does not fit the model's outputs, or an argument is out of range (nothing is trained then).
        TypeError: an argument of the wrong type, or a callable loss that does not return a Value.
        DivergenceError: the loss or a parameter would stop being a finite float; the message
            names the epoch and the step. The parameters keep the values of the last good step.

    >>> from autograd_mini.datasets import make_xor
    >>> from autograd_mini.nn import MLP
    >>> X, y = make_xor(40, noise=0.0, seed=1)
    >>> model = MLP(2, [8, 1], seed=1)
    >>> history = fit(model, X, y, lr=0.2, epochs=60, batch_size=10, seed=1, progress=False)
    >>> len(history.loss), history.accuracy[-1] >= 0.9
    (60, True)

    The same training through compiled programs ends with the same weights:

    >>> fast = MLP(2, [8, 1], seed=1)
    >>> history = fit(fast, X, y, lr=0.2, epochs=60, batch_size=10, seed=1, progress=False, compiled=True)
    >>> max(abs(a.data - b.data) for a, b in zip(model.parameters(), fast.parameters())) < 1e-9
    True
    """
    rows, labels = _checked_data(X, y)
    loss_fn = _loss_function(loss)
    n_outputs = _check_model(model, rows, labels, loss)
    optimizer = _optimizer(model, optimizer, lr)
    epochs = _count(epochs, "epochs")
    size = len(rows) if batch_size is None else min(_count(batch_size, "batch_size"), len(rows))
    for name, flag in (("progress", progress), ("compiled", compiled)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False, got {type(flag).__name__}: {flag!r}")
    targets = [_target(loss, label, n_outputs) for label in labels]
    try:  # tracing runs a sample of each class through the model and the loss: the first step's numbers
        batches: _Batches = (
            _Programs.traced(model, rows, labels, targets, loss_fn)
            if compiled
            else _Graphs(model, rows, targets, loss_fn)
        )
    except ArithmeticError as error:
        raise _diverged(error, 1, 1, math.ceil(len(rows) / size), optimizer) from error
    order = random.Random(_seed(seed))
    history = History()
    with tqdm(range(1, epochs + 1), desc="fit", unit="epoch", disable=not progress) as bar:
        for epoch in bar:
            samples = list(range(len(rows)))
            order.shuffle(samples)
            with paused():  # an epoch's graphs hold no cycles: the collector would only rescan them
                epoch_loss, epoch_accuracy = _epoch(batches, labels, optimizer, samples, size, epoch)
            history.loss.append(epoch_loss)
            history.accuracy.append(epoch_accuracy)
            bar.set_postfix(loss=short_number(epoch_loss), acc=f"{epoch_accuracy:.3f}")
    return history


def predict(model: Model, X: ArrayLike, compiled: bool = False) -> NDArray[np.int64]:  # noqa: N803
    """The class the model picks for each row of ``X`` (no graph is recorded).

    One output: class 1 where the score is > 0, else 0. Several: the index of the first largest.

    Args:
        model: e.g. an ``nn.MLP``.
        X: features, shape (n, d).
        compiled: False calls the model on each row; True traces it once on the first row and
            runs the numpy program over all of them (faster for many rows; see ``fit``).

    Returns:
        The predicted labels, int64 of shape (n,).

    >>> from autograd_mini.nn import MLP
    >>> model = MLP(1, [1], seed=0)
    >>> w, b = model.parameters()
    >>> w.data, b.data = 1.0, -0.5                     # score = x - 0.5
    >>> predict(model, [[0.0], [1.0], [2.0]]).tolist()
    [0, 1, 1]
    """
    rows = _checked_features(X)
    if compiled:
        return _classes(_scores(trace(lambda x: model(x), rows[0]), np.array(rows)))
    with no_grad():
        return _classes(np.array([_output_data(model(row)) for row in rows]))


def accuracy(model: Model, X: ArrayLike, y: ArrayLike, compiled: bool = False) -> float:  # noqa: N803
    """The fraction of rows of ``X`` whose predicted class equals the label in ``y``.

    Args:
        model: e.g. an ``nn.MLP``.
        X: features, shape (n, d).
        y: class labels, shape (n,).
        compiled: run the model as a traced program (see ``predict``).

    Returns:
        A number in [0, 1].

    >>> from autograd_mini.nn import MLP
    >>> model = MLP(1, [1], seed=0)
    >>> w, b = model.parameters()
    >>> w.data, b.data = 1.0, -0.5
    >>> accuracy(model, [[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])
    0.75
    """
    rows, labels = _checked_data(X, y)
    return float(np.mean(predict(model, rows, compiled) == np.array(labels)))


# -- one epoch ------------------------------------------------------------------------------


class _Batches(Protocol):
    """How an epoch computes a batch: with the engine's graphs (``_Graphs``) or traced programs (``_Programs``)."""

    def forward_backward(self, batch: list[int]) -> tuple[float, NDArray[np.float64]]:
        """Add the gradients of the batch's mean loss to the parameters' ``.grad``; return that
        mean loss and the model's scores for the batch's samples, shape (len(batch), outputs)."""
        ...


def _epoch(
    batches: _Batches, labels: list[int], optimizer: Optimizer, samples: list[int], size: int, epoch: int
) -> tuple[float, float]:
    """Train over ``samples`` in batches of ``size``; return the mean loss and the accuracy seen.

    A loss that is not finite, or a step the optimizer refuses, stops training with a
    DivergenceError naming this epoch and the step.
    """
    total_loss = 0.0
    correct = 0
    starts = range(0, len(samples), size)
    for step, start in enumerate(starts, 1):
        batch = samples[start : start + size]
        optimizer.zero_grad()
        try:
            batch_loss, scores = batches.forward_backward(batch)
            total_loss += batch_loss * len(batch)
            if not math.isfinite(total_loss):
                raise FloatingPointError(
                    f"the loss is too large for a float (the batch's: {short_number(batch_loss, 6)})"
                )
            optimizer.step()
        except ArithmeticError as error:  # an overflow in the engine, the loss above, or the optimizer's refusal
            raise _diverged(error, epoch, step, len(starts), optimizer) from error
        correct += int(np.count_nonzero(_classes(scores) == [labels[i] for i in batch]))
    return total_loss / len(samples), correct / len(samples)


def _diverged(error: ArithmeticError, epoch: int, step: int, steps: int, optimizer: Optimizer) -> DivergenceError:
    """The DivergenceError for ``error`` at that step, saying what to change: the data's scale or the learning rate."""
    if (epoch, step) == (1, 1):
        message = (
            f"training failed at its first step (epoch 1, step 1 of {steps}), before any parameter changed: "
            f"{error}. The numbers are too large from the start: scale the data down, or use a learning "
            f"rate smaller than {optimizer.lr:g}"
        )
    else:
        message = (
            f"training diverged at epoch {epoch}, step {step} of {steps}: {error}. "
            f"Try a learning rate smaller than {optimizer.lr:g}"
        )
    return DivergenceError(message, epoch, step)


@dataclass
class _Graphs:
    """What ``fit`` runs by default: each sample's graph of Values and its backward (the engine you can watch)."""

    model: Model
    rows: list[list[float]]
    targets: list[Any]
    loss_fn: LossFunction

    def forward_backward(self, batch: list[int]) -> tuple[float, NDArray[np.float64]]:
        sample_losses = []
        scores = []
        for i in batch:
            outputs = self.model(self.rows[i])
            scores.append(_output_data(outputs))
            sample_losses.append(_checked_loss(self.loss_fn(outputs, self.targets[i])))
        batch_loss = sum(sample_losses[1:], sample_losses[0]) * (1.0 / len(batch))
        batch_loss.backward()
        return batch_loss.data, np.array(scores)


@dataclass
class _Programs:
    """What ``fit(..., compiled=True)`` runs: the model's outputs, and the loss of one sample of each class.

    A sample's target depends only on its label, so one loss program per class computes the very
    graph the eager epoch builds for each of its samples.
    """

    model: Program
    losses: dict[int, Program]  # by label
    parameters: list[Value]  # every leaf the loss programs read by reference
    features: NDArray[np.float64]  # the data set, as the programs take it
    labels: NDArray[np.int64]

    @classmethod
    def traced(
        cls, model: Model, rows: list[list[float]], labels: list[int], targets: list[Any], loss_fn: LossFunction
    ) -> _Programs:
        first: dict[int, int] = {}  # each class's first sample, traced as the example
        for i, label in enumerate(labels):
            first.setdefault(label, i)
        losses = {label: trace(_sample_loss(model, loss_fn, targets[i]), rows[i]) for label, i in sorted(first.items())}
        parameters = list(dict.fromkeys(p for program in losses.values() for p in program.parameters))
        model_program = trace(lambda x: model(x), rows[0])
        return cls(model_program, losses, parameters, np.array(rows), np.array(labels, dtype=np.int64))

    def forward_backward(self, batch: list[int]) -> tuple[float, NDArray[np.float64]]:
        """``_Graphs.forward_backward`` through the programs: the same numbers in a few numpy calls."""
        features = self.features[batch]
        scores = _scores(self.model, features)
        return self.mean_loss_backward(features, self.labels[batch]), scores

    def mean_loss_backward(self, features: NDArray[np.float64], labels: NDArray[np.int64]) -> float:
        """Add the gradients of the batch's mean loss to the parameters' ``.grad``; return the mean loss."""
        before = [p.grad for p in self.parameters]
        total = 0.0
        for label, program in self.losses.items():
            for piece in _pieces(program, features[labels == label]):
                total += program.backward(piece, reduction="sum")
        scale = 1.0 / len(features)  # the eager batch loss is sum(sample losses) * (1 / len(batch))
        for p, grad in zip(self.parameters, before, strict=True):
            p.grad = grad + (p.grad - grad) * scale  # scale what this batch added, not what was there before
        return total * scale


def _sample_loss(model: Model, loss_fn: LossFunction, target: Any) -> Callable[[Sequence[float]], Value]:
    """One sample's loss as a function of its features, for ``trace``."""
    return lambda x: _checked_loss(loss_fn(model(x), target))


def _checked_loss(loss: Any) -> Value:
    """What a loss function returned, if it is a Value (a float has no graph to run backward on)."""
    if not isinstance(loss, Value):
        raise TypeError(
            f"the loss function must return a Value computed from the outputs, got {type(loss).__name__}: {loss!r}"
        )
    return loss


def _pieces(program: Program, features: NDArray[np.float64]) -> Iterator[NDArray[np.float64]]:
    """The rows of ``features`` in pieces small enough for one run of ``program`` (at most MAX_WORKING_VALUES)."""
    step = max(1, MAX_WORKING_VALUES // (2 * len(program.nodes)))  # a program has at most one row per node
    return (features[start : start + step] for start in range(0, len(features), step))


def _scores(program: Program, features: NDArray[np.float64]) -> NDArray[np.float64]:
    """The model program's outputs for every row of ``features``, shape (n, outputs)."""
    return np.concatenate([program(piece) for piece in _pieces(program, features)])


def _output_data(outputs: list[Value]) -> list[float]:
    return [o.data for o in outputs]


def _classes(scores: NDArray[np.float64]) -> NDArray[np.int64]:
    """The predicted class of each row of scores: one score, class 1 if it is > 0; several, the first largest."""
    chosen = scores[:, 0] > 0.0 if scores.shape[1] == 1 else np.argmax(scores, axis=1)
    classes: NDArray[np.int64] = chosen.astype(np.int64)
    return classes


def _target(loss: str | LossFunction, label: int, n_outputs: int) -> Any:
    """What the loss is given for a sample of class ``label`` (see the table in ``fit``)."""
    if callable(loss) or loss in ("cross_entropy", "binary_cross_entropy"):
        return label
    if n_outputs == 1:
        return 2.0 * label - 1.0
    off = -1.0 if loss == "hinge" else 0.0
    return [1.0 if k == label else off for k in range(n_outputs)]


# -- checking what the user passed ----------------------------------------------------------


def _checked_features(features: Any) -> list[list[float]]:
    """X as a list of rows of Python floats (a Value times a float is faster than times np.float64).

    Refused: anything but a 2-D table of real, finite numbers (numpy would cut a complex
    number to its real part, and NaN or an infinity would make every loss after it NaN).
    """
    try:
        given = np.asarray(features)
        array = given if np.iscomplexobj(given) else given.astype(np.float64)
    except (TypeError, ValueError) as error:
        raise ValueError(f"X must be a table of numbers, shape (n_samples, n_features): {error}") from None
    if array.ndim != 2:
        raise ValueError(f"X must be 2-D, shape (n_samples, n_features), got shape {array.shape}")
    if array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"X is empty (shape {array.shape}): need at least one sample with one feature")
    if np.iscomplexobj(array):
        row = int(np.argmax(np.any(array.imag != 0, axis=1)))  # the first with an imaginary part, else row 0
        raise ValueError(
            f"X holds complex numbers ({array.dtype}; row {row} is {array[row].tolist()}): the features must be "
            "real numbers (pass X.real if the imaginary parts are to be dropped)"
        )
    bad = np.argwhere(~np.isfinite(array))
    if len(bad):
        row, column = (int(k) for k in bad[0])
        value = "NaN" if math.isnan(array[row, column]) else str(array[row, column])
        raise ValueError(f"X holds {value} at row {row}, column {column}: the features must be finite numbers")
    rows: list[list[float]] = array.tolist()
    return rows


def _checked_data(features: Any, y: Any) -> tuple[list[list[float]], list[int]]:
    rows = _checked_features(features)
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be 1-D, one class label per sample, got shape {labels.shape}")
    if len(labels) != len(rows):
        raise ValueError(f"X and y must have the same length, got {len(rows)} rows in X and {len(labels)} labels in y")
    if labels.dtype.kind not in "iuf" or not np.all(labels == np.round(labels)) or np.any(labels < 0):
        raise ValueError(f"y must hold class labels 0, 1, 2, ..., got {labels[:5].tolist()}...")
    return rows, [int(label) for label in labels]


def _check_model(model: Any, rows: list[list[float]], labels: list[int], loss: str | LossFunction) -> int:
    """Run the model once on the first row (no graph) and check the labels fit its outputs."""
    if not callable(model) or not callable(getattr(model, "parameters", None)):
        raise TypeError(f"fit expects a model with parameters() and a call on one row, got {type(model).__name__}")
    nin = getattr(model, "nin", None)
    if isinstance(nin, int) and nin != len(rows[0]):
        raise ValueError(f"the model expects {nin} features per sample, but X has {len(rows[0])}")
    with no_grad():
        n_outputs = len(model(rows[0]))
    needed = 2 if n_outputs == 1 else n_outputs
    if max(labels) >= needed:
        raise ValueError(
            f"a model with {n_outputs} output(s) predicts classes 0..{needed - 1}, got label {max(labels)}"
        )
    if loss == "binary_cross_entropy" and n_outputs != 1:
        raise ValueError(f"binary_cross_entropy needs a model with one output (a logit), got {n_outputs} outputs")
    if loss == "cross_entropy" and n_outputs < 2:
        raise ValueError("cross_entropy needs one output per class (at least 2); use binary_cross_entropy for one")
    return n_outputs


def _loss_function(loss: Any) -> LossFunction:
    if callable(loss):
        return loss  # type: ignore[no-any-return]
    if isinstance(loss, str) and loss in LOSSES:
        return LOSSES[loss]
    raise ValueError(f"unknown loss {loss!r}; expected one of {', '.join(map(repr, LOSSES))} or a function")


def _optimizer(model: Model, optimizer: Any, lr: Any) -> Optimizer:
    if optimizer is None:
        return SGD(model.parameters(), lr=DEFAULT_LR if lr is None else lr)
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"optimizer must be an autograd_mini.optim optimizer or None, got {type(optimizer).__name__}")
    if lr is not None:
        raise ValueError("lr is for the default SGD; set the learning rate on the optimizer you pass instead")
    return optimizer


def _count(k: Any, what: str) -> int:
    if isinstance(k, bool) or not isinstance(k, numbers.Integral):
        raise TypeError(f"{what} must be a positive int, got {type(k).__name__}: {k!r}")
    if k < 1:
        raise ValueError(f"{what} must be a positive int, got {k}")
    return int(k)


def _seed(seed: Any) -> int | None:
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, numbers.Integral)):
        raise TypeError(f"seed must be an int or None, got {type(seed).__name__}: {seed!r}")
    return None if seed is None else int(seed)


# -- a whole run from settings: data, model, training, files --------------------------------

DATASETS: dict[str, Callable[..., datasets.Dataset]] = {
    "moons": datasets.make_moons,
    "circles": datasets.make_circles,
    "spirals": datasets.make_spirals,
    "xor": datasets.make_xor,
    "blobs": datasets.make_blobs,
    "credit": datasets.make_credit,
}
"""The toy data sets a run can train on, by name."""

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
    history: History = field(default_factory=History)
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
    if isinstance(classes, bool) or not isinstance(classes, numbers.Integral):
        raise TypeError(f"classes must be an int, got {type(classes).__name__}: {classes!r}")
    if classes < 2:
        raise ValueError(f"a classifier needs at least 2 classes, got {classes}")
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
    run = Run(X, y, classes, loss, model)
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
    _count(settings.epochs, "epochs")
    if settings.batch_size is not None:
        _count(settings.batch_size, "batch_size")


def _data(settings: TrainSettings) -> datasets.Dataset:
    """The data set the settings name, finite and with at least 2 classes; a refusal is a SettingsError."""
    noise = {} if settings.noise is None else {"noise": settings.noise}
    try:
        with np.errstate(over="ignore", invalid="ignore"):  # a huge noise overflows: refused below, not warned about
            X, y = DATASETS[settings.data](settings.samples, seed=settings.seed, **noise)  # noqa: N806
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
    from .show import plots  # here, not at the top: matplotlib is slow to import and only saving needs it

    title = f"{settings.data}: MLP {'-'.join(map(str, [run.X.shape[1], *settings.hidden]))} {settings.activation}"
    pictures = {folder / "loss_curve.png": plots.loss_curve(run.history.loss, run.history.accuracy, title=title)}
    if run.X.shape[1] == 2:
        pictures[folder / "decision_boundary.png"] = plots.decision_boundary(run.model, run.X, run.y, title=title)
    for path, figure in pictures.items():
        fileio.write_whole(path, plots.png_bytes(figure))
    model_path = folder / "model.json"
    serialize.save(run.model, model_path)
    return [*pictures, model_path]
