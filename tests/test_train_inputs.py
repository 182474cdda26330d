"""Tests for autograd_mini.train.inputs: the checks of the data and the model before any training."""

import math

import numpy as np
import pytest

from autograd_mini import Value
from autograd_mini.nn import MLP
from autograd_mini.train import accuracy, fit, predict
from autograd_mini.train.inputs import checked_data, checked_features

X2 = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y2 = [0, 1, 1]
ROW = r"X\[0\] must be a row of numbers \(a list, a tuple or a 1-D array\), got float: 0\.0 \(X holds one row per"
TABLE = r"X must be a table of numbers \(a list of rows or a 2-D array\), got"

# X as given, the error, and the message (a regex from its start): the same for fit, predict and accuracy.
BAD_X = [
    ([[0.0, 1.0], [1.0], [1.0, 1.0]], ValueError, r"X\[1\] must have 2 features like X\[0\], got 1: \[1\.0\]$"),
    (((0.0, 1.0), (1.0,), (1.0, 1.0)), ValueError, r"X\[1\] must have 2 features like X\[0\], got 1: \(1\.0,\)$"),
    (np.array([[0.0, 1.0], [1.0], [1.0, 1.0]], dtype=object), ValueError, r"X\[1\] must have 2 features"),
    ([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0, 2.0]], ValueError, r"X\[2\] must have 2 features like X\[0\], got 3: "),
    ([0.0, 1.0, 2.0], TypeError, ROW),
    (np.array([0.0, 1.0, 2.0]), TypeError, ROW),
    (np.zeros((3, 1, 2)), TypeError, r"X\[0\]\[0\] must be a real number, got list: \[0\.0, 0\.0\]$"),
    ([[0.0, 1.0], [0.0, math.nan], [1.0, 1.0]], ValueError, r"X\[1\]\[1\] must be a finite number, got nan$"),
    (np.array([[0.0, 1.0], [0.0, math.nan], [1.0, 1.0]]), ValueError, r"X\[1\]\[1\] must be a finite number, got nan$"),
    ([[0.0, 1.0], [1.0, 0.0], [-math.inf, 1.0]], ValueError, r"X\[2\]\[0\] must be a finite number, got -inf$"),
    (
        np.array([[0.0, 1.0], [1.0, 0.0], [-math.inf, 1.0]]),
        ValueError,
        r"X\[2\]\[0\] must be a finite number, got -inf$",
    ),
    (
        np.array([[0.0, math.inf], [1.0, 0.0], [1.0, 1.0]], dtype=np.float32),
        ValueError,
        r"X\[0\]\[1\] must be a finite number, got inf$",
    ),
    ([[0, 10**400], [1, 0], [1, 1]], ValueError, r"X\[0\]\[1\] must be a finite number, got 1000000"),
    ([[0.0, True], [1.0, 0.0], [1.0, 1.0]], TypeError, r"X\[0\]\[1\] must be a real number, got bool: True$"),
    (np.array(X2) > 0.5, TypeError, r"X\[0\]\[0\] must be a real number, got bool: False$"),
    ([["a", "b"], ["c", "d"], ["e", "f"]], TypeError, r"X\[0\]\[0\] must be a real number, got str: 'a'$"),
    (np.array([["0", "1"]] * 3), TypeError, r"X\[0\]\[0\] must be a real number, got str: '0'$"),
    ([[0.0, None], [1.0, 0.0], [1.0, 1.0]], TypeError, r"X\[0\]\[1\] must be a real number, got NoneType: None$"),
    ([[0.0, 1.0], [1.0, 2j], [1.0, 1.0]], TypeError, r"X\[1\]\[1\] must be a real number, got complex: 2j$"),
    (np.array(X2) * 1j, TypeError, r"X\[0\]\[0\] must be a real number, got complex: 0j$"),
    ([[0.0, 1.0], "ab", [1.0, 1.0]], TypeError, r"X\[1\] must be a row of numbers .*, got str: 'ab'"),
    ([[0.0, 1.0], None, [1.0, 1.0]], TypeError, r"X\[1\] must be a row of numbers .*, got NoneType: None"),
    (None, TypeError, TABLE + r" NoneType: None$"),
    ("abc", TypeError, TABLE + r" str: 'abc'$"),
    (3.0, TypeError, TABLE + r" float: 3\.0$"),
    (np.array(3.0), TypeError, TABLE + r" ndarray: array\(3\.\)$"),
    ({"a": [0.0, 1.0]}, TypeError, TABLE + r" dict: "),
    ([], ValueError, r"X must have at least one row \(one sample\), got \[\]$"),
    (np.zeros((0, 2)), ValueError, r"X must have at least one row \(one sample\), got array\(\[\], shape=\(0, 2\)"),
    ([[], [], []], ValueError, r"X\[0\] must have at least one feature, got \[\]$"),
]


@pytest.mark.parametrize(("x", "error", "words"), BAD_X)
def test_bad_features_are_refused_by_fit_naming_the_first_row_at_fault(x, error, words):
    # A ragged X used to give numpy's "inhomogeneous shape" message, a bool was trained on as 1.0.
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(error, match="^" + words):  # X is checked first: y is not at fault even for an empty X
        fit(model, x, Y2, epochs=1, progress=False)
    assert [p.data for p in model.parameters()] == before


@pytest.mark.parametrize("compiled", [False, True])
@pytest.mark.parametrize(("x", "error", "words"), BAD_X)
def test_predict_and_accuracy_check_x_as_fit_does(x, error, words, compiled):
    model = MLP(2, [1], seed=0)
    with pytest.raises(error, match="^" + words):
        predict(model, x, compiled=compiled)
    with pytest.raises(error, match="^" + words):
        accuracy(model, x, Y2, compiled=compiled)


LABEL = r"a class label 0, 1, 2, \.\.\."

# y as given, the error, and the message: checked by fit and accuracy.
BAD_Y = [
    ([0, math.inf, 1], ValueError, rf"y\[1\] must be a finite number \({LABEL}\), got inf$"),
    (np.array([0.0, math.inf, 1.0]), ValueError, rf"y\[1\] must be a finite number \({LABEL}\), got inf$"),
    ([0, -math.inf, 1], ValueError, rf"y\[1\] must be a finite number \({LABEL}\), got -inf$"),
    ([0, math.nan, 1], ValueError, rf"y\[1\] must be a finite number \({LABEL}\), got nan$"),
    ([0, -1, 1], ValueError, rf"y\[1\] must be {LABEL}, got -1$"),
    (np.array([0, -1, 1]), ValueError, rf"y\[1\] must be {LABEL}, got -1$"),
    ([0, 0.5, 1], ValueError, rf"y\[1\] must be {LABEL}, got 0\.5$"),
    ([False, True, True], TypeError, rf"y\[0\] must be {LABEL}, got bool: False$"),
    (np.array([False, True, True]), TypeError, rf"y\[0\] must be {LABEL}, got bool: False$"),
    (["a", "b", "a"], TypeError, rf"y\[0\] must be {LABEL}, got str: 'a'$"),
    ([0, None, 1], TypeError, rf"y\[1\] must be {LABEL}, got NoneType: None$"),
    ([[0], [1], [1]], TypeError, rf"y\[0\] must be {LABEL}, got list: \[0\]$"),
    (np.array([[0], [1], [1]]), TypeError, rf"y\[0\] must be {LABEL}, got list: \[0\]$"),
    ([0, 1], ValueError, r"y must have one label per row of X \(3\), got 2 labels$"),
    (np.array([0, 1, 1, 0]), ValueError, r"y must have one label per row of X \(3\), got 4 labels$"),
    (None, TypeError, r"y must be a list or a 1-D array of class labels, got NoneType: None$"),
    ("abc", TypeError, r"y must be a list or a 1-D array of class labels, got str: 'abc'$"),
    (1, TypeError, r"y must be a list or a 1-D array of class labels, got int: 1$"),
]


@pytest.mark.parametrize(("y", "error", "words"), BAD_Y)
def test_bad_labels_are_refused_naming_the_first_label_at_fault(y, error, words):
    model = MLP(2, [3, 1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(error, match="^" + words):
        fit(model, X2, y, epochs=1, progress=False)
    assert [p.data for p in model.parameters()] == before
    with pytest.raises(error, match="^" + words):
        accuracy(model, X2, y)


@pytest.mark.parametrize("loss", ["hinge", "cross_entropy"])
def test_an_infinite_label_is_refused_before_any_work(loss):
    # The issue: y = [1, inf, 0] gave "OverflowError: cannot convert float infinity to integer" from inside fit.
    calls = []

    class Recording(MLP):
        def __call__(self, x):
            calls.append(x)
            return super().__call__(x)

    model = Recording(2, [3 if loss == "cross_entropy" else 1], seed=0)
    before = [p.data for p in model.parameters()]
    for y in ([1, float("inf"), 0], [1, float("inf"), -1]):
        with pytest.raises(ValueError, match=rf"^y\[1\] must be a finite number \({LABEL}\), got inf$"):
            fit(model, X2, y, loss=loss, epochs=1, progress=False)
    assert calls == [] and [p.data for p in model.parameters()] == before


def test_labels_too_large_for_the_model_are_refused_naming_the_first():
    with pytest.raises(ValueError, match=r"^y\[2\] must be a class label 0 or 1 for a model with one output, got 2$"):
        fit(MLP(2, [1], seed=0), X2, [0, 1, 2], epochs=1, progress=False)
    with pytest.raises(ValueError, match=r"^y\[1\] must be a class label 0 to 2 for 3 outputs, got 5$"):
        fit(MLP(2, [3], seed=0), X2, [0, 5, 7], loss="cross_entropy", epochs=1, progress=False)


@pytest.mark.parametrize(
    ("x", "y"),
    [
        (X2, Y2),
        (tuple(tuple(row) for row in X2), tuple(Y2)),
        (np.array(X2), np.array(Y2)),
        (np.array(X2, dtype=np.float32), np.array(Y2, dtype=np.uint8)),
        (np.array([[0, 1], [1, 0], [1, 1]]), np.array([0.0, 1.0, 1.0])),  # labels as numpy's float arrays hold them
        ([np.array(row) for row in X2], [np.int64(label) for label in Y2]),
        (np.array(X2, dtype=object), np.array(Y2, dtype=object)),
    ],
)
def test_the_kinds_of_tables_accepted_give_python_floats_and_ints(x, y):
    rows, labels = checked_data(x, y)
    assert rows == X2 and labels == Y2
    assert all(type(v) is float for row in rows for v in row) and all(type(label) is int for label in labels)


def test_a_list_and_an_array_holding_the_same_mistake_give_the_same_message():
    messages = []
    for x in ([[0.0, 1.0], [1.0, math.nan]], np.array([[0.0, 1.0], [1.0, math.nan]])):
        with pytest.raises(ValueError) as caught:
            checked_features(x)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] == "X[1][1] must be a finite number, got nan"


def test_loss_and_model_outputs_must_fit():
    with pytest.raises(ValueError, match=r"^loss must suit a model with 2 outputs, got 'binary_cross_entropy' \("):
        fit(MLP(2, [2], seed=0), X2, Y2, loss="binary_cross_entropy", progress=False)


def test_a_model_without_parameters_is_refused():
    with pytest.raises(TypeError, match=r"^model must be a model with parameters\(\) and a call on one row"):
        fit(lambda x: [Value(0.0)], X2, Y2, progress=False)


@pytest.mark.parametrize("compiled", [False, True])
def test_predict_checks_the_width_of_x_against_the_model(compiled):
    model = MLP(2, [1], seed=0)
    words = r"^X must have 2 features per row \(the model's nin\), got 3$"
    with pytest.raises(ValueError, match=words):
        predict(model, [[1.0, 2.0, 3.0]], compiled=compiled)
    with pytest.raises(ValueError, match=words):
        fit(model, [[1.0, 2.0, 3.0]], [0], progress=False, compiled=compiled)
