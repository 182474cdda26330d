"""What ``fit``, ``predict`` and ``accuracy`` accept, checked before any training: the data and the model.

The features become rows of Python floats and the labels ints, so that the eager engine multiplies
floats by floats. A list of rows and a numpy array are checked by the same walk, so the same
mistake reads the same in either: the message names the argument and the first row (or number)
at fault, in the convention of ``autograd_mini.checks``.

>>> checked_data([[0.0, 1.0], [2.0, 3.0]], [0, 1])
([[0.0, 1.0], [2.0, 3.0]], [0, 1])
>>> checked_features([[1, 2], [3]])
Traceback (most recent call last):
...
ValueError: X[1] must have 2 features like X[0], got 1: [3]
>>> checked_data([[0.0], [1.0], [2.0]], [1, float("inf"), 0])
Traceback (most recent call last):
...
ValueError: y[1] must be a finite number (a class label 0, 1, 2, ...), got inf
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np

from .. import checks
from ..engine import Value, no_grad

LABEL = "a class label 0, 1, 2, ..."


def checked_features(features: Any) -> list[list[float]]:
    """X as a list of rows of Python floats (a Value times a float is faster than times np.float64).

    Refused: anything but a table (a list or tuple of rows, or a 2-D array) of real, finite numbers:
    rows of different lengths, no rows or an empty row, a bool, a str, None or a complex number in it
    (numpy would cut a complex number to its real part), NaN or an infinity (every loss after it
    would be NaN). A wrong type is a TypeError, a wrong value a ValueError.
    """
    if not isinstance(features, (list, tuple, np.ndarray)) and hasattr(features, "__array__"):
        features = np.asarray(features)  # a pandas DataFrame, a tensor, ...: checked as the array it gives
    if isinstance(features, np.ndarray) and features.ndim == 2 and features.size and features.dtype.kind in "iuf":
        array = features.astype(np.float64)
        bad = np.argwhere(~np.isfinite(array))
        if len(bad):
            row, column = (int(k) for k in bad[0])
            _number(features[row, column].item(), f"X[{row}][{column}]")  # raises, as the walk would
        rows: list[list[float]] = array.tolist()
        return rows
    return _walked_features(features)


def _walked_features(features: Any) -> list[list[float]]:
    """``checked_features`` one row and one number at a time: anything but a 2-D numeric array."""
    table = features.tolist() if isinstance(features, np.ndarray) else features
    if not isinstance(table, (list, tuple)):
        raise TypeError(
            "X must be a table of numbers (a list of rows or a 2-D array), "
            f"got {type(features).__name__}: {checks.shown(features)}"
        )
    if not table:
        raise ValueError(f"X must have at least one row (one sample), got {checks.shown(features)}")
    rows: list[list[float]] = []
    for i, row in enumerate(table):
        items = row.tolist() if isinstance(row, np.ndarray) and row.ndim == 1 else row
        if not isinstance(items, (list, tuple)):
            raise TypeError(
                f"X[{i}] must be a row of numbers (a list, a tuple or a 1-D array), got {type(row).__name__}: "
                f"{checks.shown(row)} (X holds one row per sample: for one feature, [[x] for x in X])"
            )
        if i and len(items) != len(rows[0]):
            raise ValueError(
                f"X[{i}] must have {_features(len(rows[0]))} like X[0], got {len(items)}: {checks.shown(row)}"
            )
        if not items:
            raise ValueError(f"X[{i}] must have at least one feature, got {checks.shown(row)}")
        rows.append([_number(value, f"X[{i}][{j}]") for j, value in enumerate(items)])
    return rows


def _number(value: Any, name: str) -> float:
    """One feature as a finite float, else the error naming it (``checks.real``, then the finite check)."""
    if type(value) is float and math.isfinite(value):
        return value
    try:
        number = checks.real(value, name)  # a bool, a str, None, a complex number: TypeError
    except OverflowError:  # an int too large for a float
        number = math.inf
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number, got {checks.shown(value)}")
    return number


def _features(count: int) -> str:
    return f"{count} feature{'' if count == 1 else 's'}"


def checked_data(features: Any, y: Any) -> tuple[list[list[float]], list[int]]:
    """X as ``checked_features`` gives it and y as a list of ints, one class label per row of X."""
    rows = checked_features(features)
    if not isinstance(y, (list, tuple, np.ndarray)) and hasattr(y, "__array__"):
        y = np.asarray(y)  # a pandas Series, ...
    if isinstance(y, np.ndarray) and y.ndim == 1 and y.dtype.kind in "iu" and len(y) == len(rows) and y.min() >= 0:
        return rows, y.tolist()  # the common case, checked at once (rows is never empty)
    labels = y.tolist() if isinstance(y, np.ndarray) else y
    if not isinstance(labels, (list, tuple)):
        raise TypeError(f"y must be a list or a 1-D array of class labels, got {type(y).__name__}: {checks.shown(y)}")
    if len(labels) != len(rows):
        raise ValueError(f"y must have one label per row of X ({len(rows)}), got {len(labels)} labels")
    return rows, [label if type(label) is int and label >= 0 else _label(label, i) for i, label in enumerate(labels)]


def _label(value: Any, i: int) -> int:
    """y[i] as an int class label: a whole number >= 0 (1.0 is label 1, as numpy's float arrays hold it)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"y[{i}] must be {LABEL}, got {type(value).__name__}: {checks.shown(value)}")
    if isinstance(value, numbers.Integral):
        number = int(value)
    else:
        real = float(value)
        if not math.isfinite(real):
            raise ValueError(f"y[{i}] must be a finite number ({LABEL}), got {checks.shown(value)}")
        number = int(real) if real.is_integer() else -1
    if number < 0:
        raise ValueError(f"y[{i}] must be {LABEL}, got {checks.shown(value)}")
    return number


def check_model(model: Any, rows: list[list[float]], *, trained: bool = False) -> None:
    """Refuse what cannot be a model, and rows of the wrong width for a model that says its ``nin``.

    A model is called on one row; one that ``fit`` trains (``trained``) also has ``parameters()``.
    """
    if not callable(model) or (trained and not callable(getattr(model, "parameters", None))):
        needs = "parameters() and a call on one row" if trained else "a call on one row"
        shown = checks.shown(model)
        raise TypeError(f"model must be a model with {needs} (an nn.MLP, ...), got {type(model).__name__}: {shown}")
    nin = getattr(model, "nin", None)
    if isinstance(nin, int) and nin != len(rows[0]):
        raise ValueError(f"X must have {_features(nin)} per row (the model's nin), got {len(rows[0])}")


def model_outputs(returned: Any, row: int) -> list[Value]:
    """What the model returned for the row X[row], as its list of outputs: a lone Value is one output."""
    if isinstance(returned, Value):
        return [returned]
    if isinstance(returned, (list, tuple)) and returned and all(isinstance(o, Value) for o in returned):
        return list(returned)
    raise TypeError(
        f"model(X[{row}]) must return a Value or a non-empty list of Values, got {type(returned).__name__}: "
        f"{checks.shown(returned)}"
    )


def check_for_training(model: Any, rows: list[list[float]], labels: list[int], loss: Any) -> int:
    """``check_model`` for ``fit``, then the model run once on X[0] (no graph): the labels and the loss
    checked against its outputs. Returns how many outputs it has."""
    check_model(model, rows, trained=True)
    with no_grad():
        n_outputs = len(model_outputs(model(rows[0]), 0))
    needed = 2 if n_outputs == 1 else n_outputs
    too_large = next((i for i, label in enumerate(labels) if label >= needed), None)
    if too_large is not None:
        classes = (
            "0 or 1 for a model with one output" if n_outputs == 1 else f"0 to {needed - 1} for {n_outputs} outputs"
        )
        shown = checks.shown(labels[too_large])
        raise ValueError(f"y[{too_large}] must be a class label {classes}, got {shown}")
    if loss == "binary_cross_entropy" and n_outputs != 1:
        raise ValueError(
            f"loss must suit a model with {n_outputs} outputs, got 'binary_cross_entropy' (one output: a logit)"
        )
    if loss == "cross_entropy" and n_outputs < 2:
        raise ValueError(
            "loss must suit a model with one output, got 'cross_entropy' (it needs one output per class, at least 2; "
            "binary_cross_entropy takes one)"
        )
    return n_outputs
