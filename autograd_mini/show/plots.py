"""Pictures of training: the loss curve and the decision boundary a classifier learned.

Both functions return a matplotlib ``Figure`` (shown inline by Jupyter) and, given a path, also
save it as PNG. They use matplotlib's object API, not ``pyplot``: no global state, no window,
and they work on machines without a display.

>>> figure = loss_curve([0.7, 0.4, 0.2], [0.5, 0.8, 0.9])
>>> [axes.get_title() for axes in figure.axes]
['loss', 'accuracy']
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
from numpy.typing import ArrayLike, NDArray

from .. import checks
from ..compiled import TraceError, trace
from ..engine import Value, no_grad
from ..fileio import write_whole
from ..train.batches import scores

try:
    from matplotlib.colors import LinearSegmentedColormap, ListedColormap
    from matplotlib.figure import Figure
except ImportError as error:
    raise checks.missing("matplotlib", "autograd_mini.show.plots (the loss curve and decision boundary)") from error

# One colour per class (colour-blind safe, from the Okabe-Ito palette).
CLASS_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00")


class Classifier(Protocol):
    """What the boundary plot needs: a call on one row of features giving a list of scores."""

    def __call__(self, x: Sequence[float]) -> list[Value]: ...


def loss_curve(
    loss: Sequence[float],
    accuracy: Sequence[float] | None = None,
    *,
    path: str | os.PathLike[str] | None = None,
    title: str = "",
) -> Figure:
    """The loss per epoch and, if given, the accuracy per epoch beside it.

    The loss axis is logarithmic when the loss falls more than tenfold (where a linear axis would
    flatten the late, steady progress to zero), linear otherwise.

    Args:
        loss: one number per epoch, e.g. ``history.loss`` from ``train.fit``.
        accuracy: one number in [0, 1] per epoch, e.g. ``history.accuracy``; None for no panel.
        path: save the figure here as PNG too.
        title: a heading over the figure.

    Returns:
        The figure.

    Raises:
        ValueError: no epochs, lengths that differ, or a loss that is not a finite number.

    >>> figure = loss_curve([1.0, 0.1, 0.01])
    >>> figure.axes[0].get_yscale(), len(figure.axes[0].lines[0].get_xdata())
    ('log', 3)
    >>> loss_curve([1.0, 0.8, 0.5]).axes[0].get_yscale()       # under a tenfold fall
    'linear'
    """
    losses = _series(loss, "loss")
    panels = 1 if accuracy is None else 2
    figure = Figure(figsize=(4.5 * panels, 3.4), layout="constrained")
    epochs = np.arange(1, len(losses) + 1)
    loss_axes = figure.add_subplot(1, panels, 1)
    loss_axes.plot(epochs, losses, color=CLASS_COLORS[0], linewidth=1.8)
    # A log scale shows the steady fall late in training that a linear axis flattens to zero; under
    # one decade of range it only makes odd tick labels, so it is kept for curves that need it.
    spans_a_decade = min(losses) > 0 and max(losses) > 10 * min(losses)
    loss_axes.set(
        title="loss", xlabel="epoch", ylabel="mean loss per sample", yscale="log" if spans_a_decade else "linear"
    )
    loss_axes.grid(True, which="both", alpha=0.3)
    if accuracy is not None:
        accuracies = _series(accuracy, "accuracy")
        if len(accuracies) != len(losses):
            raise ValueError(
                f"loss and accuracy need one number per epoch each, got {len(losses)} and {len(accuracies)}"
            )
        accuracy_axes = figure.add_subplot(1, 2, 2)
        accuracy_axes.plot(epochs, accuracies, color=CLASS_COLORS[2], linewidth=1.8)
        accuracy_axes.set(title="accuracy", xlabel="epoch", ylabel="fraction classified right", ylim=(0.0, 1.02))
        accuracy_axes.grid(True, alpha=0.3)
    if title:
        figure.suptitle(title)
    return _saved(figure, path)


def decision_boundary(
    model: Classifier,
    X: ArrayLike,  # noqa: N803 (X and y, as in scikit-learn and train.fit)
    y: ArrayLike,
    *,
    path: str | os.PathLike[str] | None = None,
    resolution: int = 60,
    title: str = "",
    compiled: bool = True,
) -> Figure:
    """The regions of the plane the model gives to each class, with the data points on top.

    A model with one output (a score, class 1 where it is > 0) is drawn shaded by how sure it
    is, with the boundary (score 0) as a black line. A model with k outputs colours each point
    of the plane by the class with the largest score. The model is evaluated on a
    ``resolution`` x ``resolution`` grid.

    With ``compiled`` (the default) the model is traced once (``autograd_mini.compiled.trace``)
    and the program runs the whole grid with numpy: 120 x 120 points take a fraction of a second
    instead of seconds. A model the trace refuses, or whose program differs from the model itself
    at any of 9 points spread over the grid (an ``if`` on a Value's ``.data`` the trace decided once),
    is run eagerly instead, one point at a time without recording a graph, as with ``compiled=False``.

    Args:
        model: a classifier of 2-D points, e.g. ``nn.MLP(2, [...])``.
        X: the points, shape (n, 2).
        y: their class labels 0, 1, ..., shape (n,).
        path: save the figure here as PNG too.
        resolution: grid points per side (at least 2).
        title: a heading over the plot.
        compiled: run the grid through a traced program (False: the eager engine, point by point).

    Returns:
        The figure.

    Raises:
        ValueError: X is not n x 2, y does not match it, or resolution < 2.
        TypeError: compiled is not a bool.

    >>> from autograd_mini.nn import MLP
    >>> figure = decision_boundary(MLP(2, [1], seed=0), [[0, 0], [1, 1]], [0, 1], resolution=5)
    >>> figure.axes[0].get_xlabel()
    'x1'
    """
    points, labels = _points(X, y)
    if not isinstance(resolution, int) or resolution < 2:
        raise ValueError(f"resolution must be an int >= 2, got {resolution!r}")
    checks.flag(compiled, "compiled")
    xs, ys = _grid_axes(points, resolution)
    grid = np.column_stack([xs.ravel(), ys.ravel()])
    at_points = _compiled_scores(model, grid) if compiled else None
    grid_scores = (_eager_scores(model, grid) if at_points is None else at_points).reshape(*xs.shape, -1)
    figure = Figure(figsize=(5.2, 4.4), layout="constrained")
    axes = figure.add_subplot()
    n_classes = max(int(labels.max()) + 1, grid_scores.shape[-1] if grid_scores.shape[-1] > 1 else 2)
    palette = [CLASS_COLORS[k % len(CLASS_COLORS)] for k in range(n_classes)]
    colors = ListedColormap(palette)
    if grid_scores.shape[-1] == 1:
        _shade_binary(axes, xs, ys, grid_scores[..., 0])
    else:
        regions = grid_scores.argmax(axis=-1)
        axes.contourf(xs, ys, regions, levels=np.arange(n_classes + 1) - 0.5, cmap=colors, alpha=0.25)
    for k in range(n_classes):
        mine = points[labels == k]
        axes.scatter(
            mine[:, 0], mine[:, 1], color=palette[k], s=22, edgecolors="white", linewidths=0.6, label=f"class {k}"
        )
    axes.legend(loc="upper right", fontsize="small", framealpha=0.8)
    axes.set(xlabel="x1", ylabel="x2", title=title or "decision boundary")
    return _saved(figure, path)


def _shade_binary(axes: Any, xs: NDArray[np.float64], ys: NDArray[np.float64], score: NDArray[np.float64]) -> None:
    """Shade by the model's confidence, sigmoid(score), and draw the boundary where score = 0."""
    confidence = 1.0 / (1.0 + np.exp(-np.clip(score, -50.0, 50.0)))
    # From class 0's colour through white (unsure) to class 1's colour.
    shades = LinearSegmentedColormap.from_list("classes", [CLASS_COLORS[0], "#ffffff", CLASS_COLORS[1]])
    axes.contourf(xs, ys, confidence, levels=np.linspace(0.0, 1.0, 11), cmap=shades, alpha=0.45)
    if score.min() < 0.0 < score.max():
        axes.contour(xs, ys, score, levels=[0.0], colors="black", linewidths=1.5)


def _grid_axes(points: NDArray[np.float64], resolution: int) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """A grid over the points' bounding box with a margin of 10% on each side."""
    low, high = points.min(axis=0), points.max(axis=0)
    margin = 0.1 * np.maximum(high - low, 1e-9) + 0.1
    first = np.linspace(low[0] - margin[0], high[0] + margin[0], resolution)
    second = np.linspace(low[1] - margin[1], high[1] + margin[1], resolution)
    xs, ys = np.meshgrid(first, second)
    return xs, ys


def _eager_scores(model: Classifier, points: NDArray[np.float64]) -> NDArray[np.float64]:
    """The model's outputs at each of the points, shape (points, outputs), one eager call per point."""
    with no_grad():  # no graph: a forward pass per point, nothing to differentiate
        outputs = [[o.data for o in model([float(a), float(b)])] for a, b in points]
    return np.array(outputs, dtype=np.float64).reshape(len(points), -1)


def _compiled_scores(model: Classifier, grid: NDArray[np.float64]) -> NDArray[np.float64] | None:
    """The model's outputs at every point of the grid through its traced program, shape (points, outputs);
    None when the trace refuses the model or the program differs from it at one of 9 points spread over the grid."""
    try:
        program = trace(lambda x: list(model(x)), grid[0].tolist())
    except TraceError:
        return None
    computed = scores(program, grid)
    spread = np.linspace(0, len(grid) - 1, 9).round().astype(np.int64)
    # The program sums a neuron's products in another order than the engine: rounding, nothing more.
    same = np.allclose(computed[spread], _eager_scores(model, grid[spread]), rtol=1e-9, atol=1e-12)
    return computed if same else None


def _points(X: ArrayLike, y: ArrayLike) -> tuple[NDArray[np.float64], NDArray[np.int64]]:  # noqa: N803
    points = np.asarray(X, dtype=np.float64)
    labels = np.asarray(y)
    if points.ndim != 2 or points.shape[1] != 2 or len(points) == 0:
        raise ValueError(f"the boundary plot needs 2-D points, X of shape (n, 2); got shape {points.shape}")
    if labels.shape != (len(points),) or not np.issubdtype(labels.dtype, np.integer) or labels.min() < 0:
        raise ValueError(
            f"y must hold one class label 0, 1, ... per point ({len(points)}); "
            f"got {labels.dtype} of shape {labels.shape}"
        )
    return points, labels.astype(np.int64)


def _series(values: Sequence[float], what: str) -> list[float]:
    numbers = [float(v) for v in values]
    if not numbers:
        raise ValueError(f"{what} needs at least one epoch, got none")
    if not all(np.isfinite(numbers)):
        raise ValueError(f"{what} must be finite numbers, got {values!r}")
    return numbers


def png_bytes(figure: Figure) -> bytes:
    """The figure as a PNG file's bytes, drawn in memory, at the resolution every picture here uses.

    >>> png_bytes(Figure())[:8]
    b'\\x89PNG\\r\\n\\x1a\\n'
    """
    png = io.BytesIO()
    figure.savefig(png, format="png", dpi=120)
    return png.getvalue()


def _saved(figure: Figure, path: str | os.PathLike[str] | None) -> Figure:
    if path is not None:
        write_whole(path, png_bytes(figure))  # written whole or not at all, as every output file
    return figure
