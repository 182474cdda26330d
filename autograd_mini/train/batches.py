"""How an epoch computes one batch: the engine's graphs (``Graphs``) or traced numpy programs (``Programs``).

Both add the gradients of the batch's mean loss to the parameters' ``.grad`` and return that loss
with the model's scores, so the loop in ``loop.py`` does not care which one it runs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TypeAlias

import numpy as np
from numpy.typing import NDArray

from ..compiled import MAX_WORKING_VALUES, Program, trace
from ..engine import Value
from .inputs import model_outputs

LossFunction: TypeAlias = Callable[[list[Value], Any], Value]
"""(a model's outputs for one sample, that sample's target) -> the sample's loss."""


class Model(Protocol):
    """What ``fit`` needs of a model: parameters to train and a call on one sample's features.

    The call returns the list of the model's outputs, or a lone Value for one output.
    """

    def parameters(self) -> list[Value]: ...

    def __call__(self, x: Sequence[float]) -> Sequence[Value] | Value: ...


class Batches(Protocol):
    """How an epoch computes a batch: with the engine's graphs (``Graphs``) or traced programs (``Programs``)."""

    def forward_backward(self, batch: list[int]) -> tuple[float, NDArray[np.float64]]:
        """Add the gradients of the batch's mean loss to the parameters' ``.grad``; return that
        mean loss and the model's scores for the batch's samples, shape (len(batch), outputs)."""
        ...


@dataclass
class Graphs:
    """What ``fit`` runs by default: each sample's graph of Values and its backward (the engine you can watch)."""

    model: Model
    rows: list[list[float]]
    targets: list[Any]
    loss_fn: LossFunction

    def forward_backward(self, batch: list[int]) -> tuple[float, NDArray[np.float64]]:
        sample_losses = []
        scores = []
        for i in batch:
            outputs = model_outputs(self.model(self.rows[i]), i)
            scores.append(output_data(outputs))
            sample_losses.append(checked_loss(self.loss_fn(outputs, self.targets[i])))
        batch_loss = sum(sample_losses[1:], sample_losses[0]) * (1.0 / len(batch))
        batch_loss.backward()
        return batch_loss.data, np.array(scores)


@dataclass
class Programs:
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
    ) -> Programs:
        first: dict[int, int] = {}  # each class's first sample, traced as the example
        for i, label in enumerate(labels):
            first.setdefault(label, i)
        losses = {
            label: trace(_sample_loss(model, loss_fn, targets[i], i), rows[i]) for label, i in sorted(first.items())
        }
        parameters = list(dict.fromkeys(p for program in losses.values() for p in program.parameters))
        return cls(traced_model(model, rows), losses, parameters, np.array(rows), np.array(labels, dtype=np.int64))

    def forward_backward(self, batch: list[int]) -> tuple[float, NDArray[np.float64]]:
        """``Graphs.forward_backward`` through the programs: the same numbers in a few numpy calls."""
        features = self.features[batch]
        outputs = scores(self.model, features)
        return self.mean_loss_backward(features, self.labels[batch]), outputs

    def mean_loss_backward(self, features: NDArray[np.float64], labels: NDArray[np.int64]) -> float:
        """Add the gradients of the batch's mean loss to the parameters' ``.grad``; return the mean loss."""
        before = [p.grad for p in self.parameters]
        total = 0.0
        for label, program in self.losses.items():
            for piece in pieces(program, features[labels == label]):
                total += program.backward(piece, reduction="sum")
        scale = 1.0 / len(features)  # the eager batch loss is sum(sample losses) * (1 / len(batch))
        for p, grad in zip(self.parameters, before, strict=True):
            p.grad = grad + (p.grad - grad) * scale  # scale what this batch added, not what was there before
        return total * scale


def traced_model(model: Model, rows: list[list[float]]) -> Program:
    """The model's program, traced on X[0]: its outputs as a list, so that a run gives shape (n, outputs)."""
    return trace(lambda x: model_outputs(model(x), 0), rows[0])


def _sample_loss(model: Model, loss_fn: LossFunction, target: Any, row: int) -> Callable[[Sequence[float]], Value]:
    """The loss of the sample X[row] as a function of its features, for ``trace``."""
    return lambda x: checked_loss(loss_fn(model_outputs(model(x), row), target))


def checked_loss(loss: Any) -> Value:
    """What a loss function returned, if it is a Value (a float has no graph to run backward on)."""
    if not isinstance(loss, Value):
        raise TypeError(
            f"the loss function must return a Value computed from the outputs, got {type(loss).__name__}: {loss!r}"
        )
    return loss


def pieces(program: Program, features: NDArray[np.float64]) -> Iterator[NDArray[np.float64]]:
    """The rows of ``features`` in pieces small enough for one run of ``program`` (at most MAX_WORKING_VALUES)."""
    step = max(1, MAX_WORKING_VALUES // (2 * len(program.nodes)))  # a program has at most one row per node
    return (features[start : start + step] for start in range(0, len(features), step))


def scores(program: Program, features: NDArray[np.float64]) -> NDArray[np.float64]:
    """The model program's outputs for every row of ``features``, shape (n, outputs)."""
    return np.concatenate([program(piece) for piece in pieces(program, features)])


def output_data(outputs: list[Value]) -> list[float]:
    return [o.data for o in outputs]


def classes(scores: NDArray[np.float64]) -> NDArray[np.int64]:
    """The predicted class of each row of scores: one score, class 1 if it is > 0; several, the first largest."""
    chosen = scores[:, 0] > 0.0 if scores.shape[1] == 1 else np.argmax(scores, axis=1)
    classes: NDArray[np.int64] = chosen.astype(np.int64)
    return classes
