"""Training plots: what they draw (read back from the figure), the PNG files, and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd_mini import Value
from autograd_mini.nn import MLP
from autograd_mini.show.plots import decision_boundary, loss_curve


def _threshold_model(w1: float, w2: float, b: float) -> MLP:
    """A single linear neuron: score = w1*x1 + w2*x2 + b, so the boundary is a known straight line."""
    model = MLP(2, [1], seed=0)
    for parameter, value in zip(model.parameters(), (w1, w2, b), strict=True):
        parameter.data = value
    return model


def test_loss_curve_plots_every_epoch_on_a_log_axis_beside_the_accuracy(tmp_path: Path) -> None:
    figure = loss_curve([0.8, 0.4, 0.1, 0.05], [0.5, 0.7, 0.9, 1.0], path=tmp_path / "loss.png", title="run")
    loss_axes, accuracy_axes = figure.axes
    assert loss_axes.get_yscale() == "log"
    assert list(loss_axes.lines[0].get_xdata()) == [1, 2, 3, 4]  # epochs counted from 1
    assert list(loss_axes.lines[0].get_ydata()) == [0.8, 0.4, 0.1, 0.05]
    assert list(accuracy_axes.lines[0].get_ydata()) == [0.5, 0.7, 0.9, 1.0]
    assert (tmp_path / "loss.png").read_bytes().startswith(b"\x89PNG")


def test_a_loss_of_zero_or_a_range_under_one_decade_gets_a_linear_axis() -> None:
    assert loss_curve([1.0, 0.0]).axes[0].get_yscale() == "linear"
    assert loss_curve([0.7, 0.3, 0.08]).axes[0].get_yscale() == "linear"  # 0.7 / 0.08 < 10
    assert loss_curve([0.7, 0.3, 0.06]).axes[0].get_yscale() == "log"


@pytest.mark.parametrize(
    ("loss", "accuracy", "fragment"),
    [
        ([], None, "at least one epoch"),
        ([1.0, float("nan")], None, "finite"),
        ([1.0, 0.5], [0.5], "one number per epoch"),
    ],
)
def test_loss_curve_refuses_bad_series(loss: list[float], accuracy: list[float] | None, fragment: str) -> None:
    with pytest.raises(ValueError, match=fragment):
        loss_curve(loss, accuracy)


def test_the_binary_boundary_line_lies_where_the_score_is_zero(tmp_path: Path) -> None:
    # score = x1 - 0.5: the boundary is the vertical line x1 = 0.5.
    points = np.array([[0.0, 0.0], [1.0, 1.0], [0.0, 1.0], [1.0, 0.0]])
    figure = decision_boundary(
        _threshold_model(1.0, 0.0, -0.5), points, [0, 1, 0, 1], resolution=21, path=tmp_path / "b.png"
    )
    axes = figure.axes[0]
    boundary = [path.vertices for collection in axes.collections for path in _contour_paths(collection)]
    assert boundary, "no boundary line drawn"
    assert np.allclose(np.concatenate(boundary)[:, 0], 0.5, atol=1e-9)
    assert (tmp_path / "b.png").read_bytes().startswith(b"\x89PNG")
    assert [text.get_text() for text in axes.get_legend().get_texts()] == ["class 0", "class 1"]


def _contour_paths(collection: Any) -> list[Any]:
    """The paths of a black line contour (the boundary); none for the shading or the scatter points."""
    colors = collection.get_edgecolor()
    is_black_line = len(colors) > 0 and np.allclose(colors[0][:3], 0.0) and collection.get_linewidth()[0] > 1
    return list(collection.get_paths()) if is_black_line else []


def test_no_boundary_line_when_the_model_gives_every_point_one_class() -> None:
    figure = decision_boundary(_threshold_model(0.0, 0.0, 3.0), [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=5)
    assert not any(_contour_paths(collection) for collection in figure.axes[0].collections)


def test_several_outputs_colour_the_plane_by_the_largest_score() -> None:
    # Three outputs: scores x1, x2 and 0.2 (a constant) -> three regions.
    model = MLP(2, [3], seed=0)
    for parameter, value in zip(model.parameters(), (1.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.2), strict=True):
        parameter.data = value
    figure = decision_boundary(model, [[-1.0, -1.0], [1.0, 0.0], [0.0, 1.0]], [2, 0, 1], resolution=9)
    labels = [text.get_text() for text in figure.axes[0].get_legend().get_texts()]
    assert labels == ["class 0", "class 1", "class 2"]


@pytest.mark.parametrize(
    ("X", "y", "resolution", "fragment"),
    [
        ([[0.0, 0.0, 0.0]], [0], 10, "shape \\(n, 2\\)"),
        ([], [], 10, "shape \\(n, 2\\)"),
        ([[0.0, 0.0], [1.0, 1.0]], [0], 10, "one class label"),
        ([[0.0, 0.0]], [0.5], 10, "one class label"),
        ([[0.0, 0.0]], [0], 1, "resolution"),
    ],
)
def test_decision_boundary_refuses_bad_input(
    X: list[list[float]],  # noqa: N803
    y: list[float],
    resolution: int,
    fragment: str,
) -> None:
    with pytest.raises(ValueError, match=fragment):
        decision_boundary(_threshold_model(1.0, 0.0, 0.0), X, y, resolution=resolution)


def test_decision_boundary_refuses_a_compiled_that_is_not_a_bool() -> None:
    with pytest.raises(TypeError, match="compiled must be True or False, got int: 1"):
        decision_boundary(_threshold_model(1.0, 0.0, 0.0), [[0.0, 0.0]], [0], compiled=1)  # type: ignore[arg-type]


class _Counted:
    """A model that counts its calls: the work the boundary plot does, counted, not timed."""

    def __init__(self, model: Any) -> None:
        self.model = model
        self.calls = 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        return self.model(x)


def _boundary_points(figure: Any) -> Any:
    return np.concatenate([path.vertices for c in figure.axes[0].collections for path in _contour_paths(c)])


SPIRAL_POINTS = [[-1.0, -0.5], [0.5, 1.0], [1.0, -1.0], [-0.5, 0.5]]


def test_the_boundary_traces_the_model_instead_of_calling_it_at_every_grid_point() -> None:
    model = MLP(2, [8, 8, 1], activation="tanh", seed=0)
    model.parameters()[-1].data -= model([0.0, 0.0])[0].data  # the output's bias: score 0 at the centre
    counted = _Counted(model)
    compiled = decision_boundary(counted, SPIRAL_POINTS, [0, 1, 0, 1], resolution=30)
    calls_compiled, counted.calls = counted.calls, 0
    eager = decision_boundary(counted, SPIRAL_POINTS, [0, 1, 0, 1], resolution=30, compiled=False)
    # Compiled: the trace calls the model twice (the example and a nearby point), the check 9 times more.
    assert (calls_compiled, counted.calls) == (2 + 9, 30 * 30)
    # The same picture: the boundary line through the same points, to rounding.
    assert np.allclose(_boundary_points(compiled), _boundary_points(eager), rtol=0, atol=1e-9)


def _branching(x: Any) -> list[Value]:
    """score = |x1 - 1| - 0.5, the absolute value written as a Python if: boundaries at x1 = 0.5 and 1.5."""
    x1 = Value(0.0) + x[0]
    return [(x1 - 1.0 if x1.data > 1.0 else 1.0 - x1) - 0.5]


def test_a_model_whose_program_differs_from_it_is_drawn_eagerly() -> None:
    # Traced at the grid's first point (x1 < 1), the program would compute 0.5 - x1 everywhere:
    # one boundary line, at x1 = 0.5. The spot check at 9 grid points sees the difference.
    figure = decision_boundary(_branching, [[0.0, 0.0], [2.0, 2.0]], [0, 1], resolution=21)
    lines = _boundary_points(figure)[:, 0]
    assert np.allclose(sorted({round(float(x), 6) for x in lines}), [0.5, 1.5])


def test_a_model_the_trace_refuses_is_drawn_eagerly() -> None:
    def frozen(x: Any) -> list[Value]:  # x1 - 0.5, with a number read out of a Value: the trace refuses it
        x1 = Value(0.0) + x[0]
        return [x1 * 2.0 - Value(x1.data) - 0.5]

    counted = _Counted(frozen)
    figure = decision_boundary(counted, [[0.0, 0.0], [1.0, 1.0]], [0, 1], resolution=11)
    assert np.allclose(_boundary_points(figure)[:, 0], 0.5)
    assert counted.calls == 2 + 11 * 11  # the refused trace (example and nearby point), then every grid point
