"""The training loop: ``fit`` runs gradient descent over a data set; ``predict`` and ``accuracy`` judge it.

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
stop being a finite float (the optimizers refuse to write such a parameter). Only that is
divergence: an error of the model's, the loss's or the optimizer's own (a ``1 / 0``, a
ValueError) comes out as it is, with a note naming the epoch and step.
"""

from __future__ import annotations

import math
import random
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from .. import checks, losses
from ..collector import paused
from ..engine import no_grad
from ..numeric import short_number
from ..optim import SGD, NonFiniteError, Optimizer
from .batches import Batches, Graphs, LossFunction, Model, Programs, classes, output_data, scores, traced_model
from .inputs import check_for_training, check_model, checked_data, checked_features, model_outputs

try:
    import numpy as np
    from numpy.typing import ArrayLike, NDArray
except ImportError as error:
    raise checks.missing("numpy", "autograd_mini.train (fit, predict, accuracy)") from error
try:
    from tqdm.std import TqdmWarning  # type: ignore[import-untyped]
except ImportError as error:
    raise checks.missing("tqdm", "autograd_mini.train (the progress bar of fit)") from error

with warnings.catch_warnings():  # in Jupyter without ipywidgets tqdm.auto falls back to the text bar: no need to warn
    warnings.simplefilter("ignore", TqdmWarning)
    from tqdm.auto import tqdm  # type: ignore[import-untyped]  # a widget in a notebook, text in a terminal

LOSSES: dict[str, LossFunction] = {
    "hinge": losses.hinge,
    "sse": losses.sse,
    "mse": losses.mse,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "cross_entropy": losses.cross_entropy,
}
"""The loss names ``fit`` accepts; ``_target`` says what each is given as the target."""

DEFAULT_LR = 0.1  # the SGD learning rate when neither lr nor an optimizer is given


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
        model: e.g. an ``nn.MLP``; anything with ``parameters()`` and a call on one row that
            returns a list of Values (or a lone Value for one output).
        X: features, shape (n, d): n >= 1 samples of d finite numbers (a list of rows or a 2-D array).
        y: class labels, shape (n,): ints 0, 1, ... (0 or 1 for a model with one output); whole
            floats such as 1.0 are read as ints.
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
        ValueError: X and y differ in length, X or one of its rows is empty, the rows differ in
            length or from the model's ``nin``, X holds NaN or an infinity, a label is not a finite
            whole number >= 0 or does not fit the model's outputs, or an argument is out of range.
            The message names the argument and the first row at fault (``X[1][0]``, ``y[2]``).
        TypeError: an argument of the wrong type (X or y not a table or list; a bool, str, None or
            complex number in them), a model that returns no Values, or a callable loss that does not
            return a Value. Nothing is trained then.
        DivergenceError: the loss or a parameter would stop being a finite float (an overflow in the
            engine's arithmetic, or a step the optimizer refuses); the message names the epoch and
            the step. The parameters keep the values of the last good step.

    Any other error raised while training (by the model, the loss or the optimizer: a ``1 / 0``,
    a ValueError of their own) is raised as it is, the same exception with its traceback, plus
    a note "fit stopped at epoch E, step S of N" (printed under the message from Python 3.11; on
    3.10 it is in the exception's ``__notes__``).

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
    rows, labels = checked_data(X, y)  # every argument is checked before the model is first called
    loss_fn = _loss_function(loss)
    epochs = checks.count(epochs, "epochs")
    size = len(rows) if batch_size is None else min(checks.count(batch_size, "batch_size"), len(rows))
    order = random.Random(checks.seed(seed))
    checks.flag(progress, "progress")
    checks.flag(compiled, "compiled")
    check_model(model, rows, trained=True)
    optimizer = _optimizer(model, optimizer, lr)
    n_outputs = check_for_training(model, rows, labels, loss)
    targets = [_target(loss, label, n_outputs) for label in labels]
    # tracing runs a sample of each class through the model and the loss: the first step's numbers
    with _stopped_at(1, 1, math.ceil(len(rows) / size), optimizer, tracing=compiled):
        batches: Batches = (
            Programs.traced(model, rows, labels, targets, loss_fn)
            if compiled
            else Graphs(model, rows, targets, loss_fn)
        )
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
        model: e.g. an ``nn.MLP``: a call on one row that returns a list of Values (or one Value).
        X: features, shape (n, d), checked as ``fit`` checks them (the same errors).
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
    return _predicted(model, checked_features(X), compiled)


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
    rows, labels = checked_data(X, y)
    return float(np.mean(_predicted(model, rows, compiled) == np.array(labels)))


def _predicted(model: Model, rows: list[list[float]], compiled: bool) -> NDArray[np.int64]:
    """``predict`` on rows already checked (``accuracy`` checks them with the labels)."""
    compiled = checks.flag(compiled, "compiled")
    check_model(model, rows)
    if compiled:
        return classes(scores(traced_model(model, rows), np.array(rows)))
    with no_grad():
        return classes(np.array([output_data(model_outputs(model(row), i)) for i, row in enumerate(rows)]))


def _epoch(
    batches: Batches, labels: list[int], optimizer: Optimizer, samples: list[int], size: int, epoch: int
) -> tuple[float, float]:
    """Train over ``samples`` in batches of ``size``; return the mean loss and the accuracy seen.

    A loss that is not finite, or a step the optimizer refuses, stops training with a
    DivergenceError naming this epoch and the step (see ``_stopped_at``).
    """
    total_loss = 0.0
    correct = 0
    starts = range(0, len(samples), size)
    for step, start in enumerate(starts, 1):
        batch = samples[start : start + size]
        optimizer.zero_grad()
        with _stopped_at(epoch, step, len(starts), optimizer):
            batch_loss, scores = batches.forward_backward(batch)
            total_loss += batch_loss * len(batch)
            if not math.isfinite(total_loss):
                raise OverflowError(f"the loss is too large for a float (the batch's: {short_number(batch_loss, 6)})")
            optimizer.step()
        correct += int(np.count_nonzero(classes(scores) == [labels[i] for i in batch]))
    return total_loss / len(samples), correct / len(samples)


@contextmanager
def _stopped_at(epoch: int, step: int, steps: int, optimizer: Optimizer, tracing: bool = False) -> Iterator[None]:
    """Within: the step ``step`` of ``steps`` of epoch ``epoch`` (or the tracing before it, for compiled=True).

    An overflow in the engine's own arithmetic, or a step the optimizer refuses, becomes a
    DivergenceError. Any other error is the model's, the loss's or the optimizer's own: it is raised
    as it is (same type, same traceback, so an ``except ZeroDivisionError`` still catches it), with
    a note naming the step. A note rather than a new exception raised ``from`` it: a wrapper would
    change the type, and a copy of the same type cannot be made for every class of exception.
    """
    try:
        yield
    except Exception as error:
        if _overflowed(error):
            raise _diverged(error, epoch, step, steps, optimizer) from error
        doing = ", tracing the model and the loss for compiled=True" if tracing else ""
        kept = "no parameter had changed" if (epoch, step) == (1, 1) else "the parameters hold the last step's values"
        _add_note(error, f"fit stopped at epoch {epoch}, step {step} of {steps}{doing} ({kept})")
        raise


def _overflowed(error: Exception) -> bool:
    """Whether ``error`` says that a number outgrew a float in this package's arithmetic: divergence.

    That is the optimizer's refusal (NonFiniteError), or an OverflowError raised by the package's own
    code: the engine's ops (``rules.not_finite``, exp, ``**``), a compiled program, the loss sum in
    ``_epoch``. An OverflowError raised in the user's code (``math.exp(1000)`` in their loss) is theirs,
    and so are a ZeroDivisionError and a ValueError wherever they come from: none of them is an overflow.
    """
    if isinstance(error, NonFiniteError):
        return True
    if not isinstance(error, OverflowError) or error.__traceback__ is None:
        return False
    frame = error.__traceback__
    while frame.tb_next is not None:  # the frame that raised it
        frame = frame.tb_next
    module = str(frame.tb_frame.f_globals.get("__name__", ""))
    return module.partition(".")[0] == __name__.partition(".")[0]


def _add_note(error: BaseException, note: str) -> None:
    """``error.add_note(note)``; on Python 3.10, which has no add_note, the ``__notes__`` list it would fill."""
    if sys.version_info >= (3, 11):
        error.add_note(note)
    else:  # PEP 678's attribute: read by pytest and by 3.11's tracebacks, not printed by 3.10's
        error.__notes__ = [*getattr(error, "__notes__", []), note]


def _diverged(error: Exception, epoch: int, step: int, steps: int, optimizer: Optimizer) -> DivergenceError:
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


def _target(loss: str | LossFunction, label: int, n_outputs: int) -> Any:
    """What the loss is given for a sample of class ``label`` (see the table in ``fit``)."""
    if callable(loss) or loss in ("cross_entropy", "binary_cross_entropy"):
        return label
    if n_outputs == 1:
        return 2.0 * label - 1.0
    off = -1.0 if loss == "hinge" else 0.0
    return [1.0 if k == label else off for k in range(n_outputs)]


def _loss_function(loss: Any) -> LossFunction:
    """The loss named by ``loss``, or ``loss`` itself if it is a function."""
    if callable(loss):
        return loss  # type: ignore[no-any-return]
    expected = f"one of {', '.join(map(repr, LOSSES))} or a function (outputs, label) -> Value"
    if not isinstance(loss, str):
        raise TypeError(f"loss must be {expected}, got {type(loss).__name__}: {checks.shown(loss)}")
    if loss not in LOSSES:
        raise ValueError(f"loss must be {expected}, got {checks.shown(loss)}")
    return LOSSES[loss]


def _optimizer(model: Model, optimizer: Any, lr: Any) -> Optimizer:
    """The optimizer given, or the default SGD with learning rate ``lr``."""
    if optimizer is None:
        return SGD(model.parameters(), lr=DEFAULT_LR if lr is None else lr)
    given = checks.instance(
        optimizer, Optimizer, "optimizer", "an autograd_mini.optim optimizer (SGD, Adam, ...) or None"
    )
    if lr is not None:
        raise ValueError(
            f"lr must be None when an optimizer is given (set it on the optimizer), got {checks.shown(lr)}"
        )
    return given
