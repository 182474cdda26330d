"""Tests for autograd_mini.train.batches: how a batch is computed, in pieces, and what a loss function must return."""

import pytest

from autograd_mini.datasets import make_moons
from autograd_mini.nn import MLP
from autograd_mini.train import accuracy, batches, fit

X2 = [[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
Y2 = [0, 1, 1]


def test_compiled_training_splits_batches_too_large_for_one_run(monkeypatch):
    x, y = make_moons(40, seed=2)
    histories = []
    for limit in (batches.MAX_WORKING_VALUES, 2_000):  # 2,000 numbers: a few rows per run of the programs
        monkeypatch.setattr(batches, "MAX_WORKING_VALUES", limit)  # read by batches.pieces
        model = MLP(2, [4, 1], seed=2)
        histories.append(fit(model, x, y, lr=0.1, epochs=2, seed=2, progress=False, compiled=True))
        assert accuracy(model, x, y, compiled=True) == accuracy(model, x, y)
    assert histories[1].loss == pytest.approx(histories[0].loss, rel=1e-12)
    assert histories[1].accuracy == histories[0].accuracy


@pytest.mark.parametrize("compiled", [False, True])
def test_a_loss_function_returning_a_float_is_a_type_error(compiled):
    # The issue: "a custom loss returning a float gives AttributeError".
    model = MLP(2, [1], seed=0)
    before = [p.data for p in model.parameters()]
    with pytest.raises(TypeError, match="the loss function must return a Value computed from the outputs, got float"):
        fit(model, X2, Y2, loss=lambda outputs, label: 0.5, epochs=1, progress=False, compiled=compiled)
    assert [p.data for p in model.parameters()] == before
