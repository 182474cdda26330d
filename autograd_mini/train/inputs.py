"""What ``fit``, ``predict`` and ``accuracy`` accept, checked before any training: the data and the model.

The features become rows of Python floats and the labels ints, so that the eager engine multiplies
floats by floats; anything that is not a 2-D table of finite real numbers is refused with the row
and column at fault.

>>> checked_data([[0.0, 1.0], [2.0, 3.0]], [0, 1])
([[0.0, 1.0], [2.0, 3.0]], [0, 1])
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from ..engine import no_grad

if TYPE_CHECKING:
    from .batches import LossFunction


def checked_features(features: Any) -> list[list[float]]:
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


def checked_data(features: Any, y: Any) -> tuple[list[list[float]], list[int]]:
    rows = checked_features(features)
    labels = np.asarray(y)
    if labels.ndim != 1:
        raise ValueError(f"y must be 1-D, one class label per sample, got shape {labels.shape}")
    if len(labels) != len(rows):
        raise ValueError(f"X and y must have the same length, got {len(rows)} rows in X and {len(labels)} labels in y")
    if labels.dtype.kind not in "iuf" or not np.all(labels == np.round(labels)) or np.any(labels < 0):
        raise ValueError(f"y must hold class labels 0, 1, 2, ..., got {labels[:5].tolist()}...")
    return rows, [int(label) for label in labels]


def check_model(model: Any, rows: list[list[float]], labels: list[int], loss: str | LossFunction) -> int:
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
