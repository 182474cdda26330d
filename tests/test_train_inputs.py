"""Tests for autograd_mini.train.inputs: the checks of the data and the model before any training."""

import math

import numpy as np
import pytest

from autograd_mini import Value
from autograd_mini.nn import MLP
from autograd_mini.train import accuracy, fit, predict

X2 = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y2 = [0, 1, 1]


def test_binary_cross_entropy_needs_one_output():
    with pytest.raises(ValueError, match="binary_cross_entropy needs a model with one output"):
        fit(MLP(2, [2], seed=0), X2, Y2, loss="binary_cross_entropy", progress=False)


def test_a_model_without_parameters_is_refused():
    with pytest.raises(TypeError, match="parameters"):
        fit(lambda x: [Value(0.0)], X2, Y2, progress=False)


def test_predict_and_accuracy_check_their_input():
    model = MLP(2, [1], seed=0)
    with pytest.raises(ValueError, match="expects 2 inputs"):
        predict(model, [[1.0, 2.0, 3.0]])
    with pytest.raises(ValueError, match="same length"):
        accuracy(model, X2, [0, 1])


@pytest.mark.parametrize("compiled", [False, True])
def test_predict_and_accuracy_refuse_complex_and_non_finite_features(compiled):
    # The issue: "complex X is silently cut to its real part".
    model = MLP(2, [1], seed=0)
    for x, words in [(np.array(X2) * 1j, "complex"), ([[0.0, 1.0], [math.inf, 0.0]], "X holds inf at row 1")]:
        with pytest.raises(ValueError, match=words):
            predict(model, x, compiled=compiled)
        with pytest.raises(ValueError, match=words):
            accuracy(model, x, [0] * len(x), compiled=compiled)
