"""Training plots: what they draw (read back from the figure), the PNG files, and bad input."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

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
