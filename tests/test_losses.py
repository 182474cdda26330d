"""losses: values against closed forms and numpy, gradients against closed forms and central differences,
stability at logits of +-1000, and bad shapes."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
from differences import central_difference
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import Value, binary_cross_entropy, cross_entropy, hinge, mse, sse


def values(*numbers: float) -> list[Value]:
    return [Value(x) for x in numbers]


# -- squared errors --------------------------------------------------------------------


def test_sse_value_and_gradient_two_o_minus_t() -> None:
    o = values(0.5, -1.0, 3.0)
    loss = sse(o, [1.0, 1.0, 3.0])
    loss.backward()
    assert loss.data == 0.25 + 4.0 + 0.0
    assert [x.grad for x in o] == [2 * (0.5 - 1.0), 2 * (-1.0 - 1.0), 0.0]


def test_mse_is_sse_over_n() -> None:
    o = values(0.5, -1.0)
    loss = mse(o, np.array([1.0, 1.0]))
    loss.backward()
    assert loss.data == pytest.approx((0.25 + 4.0) / 2)
    assert [x.grad for x in o] == pytest.approx([(0.5 - 1.0), (-1.0 - 1.0)])


def test_a_single_value_or_a_list_of_one() -> None:
    assert sse(Value(3.0), 1.0).data == sse([Value(3.0)], [1.0]).data == 4.0
    assert mse([Value(3.0)], 1).data == 4.0


def test_targets_may_be_values() -> None:
    o, t = Value(3.0), Value(1.0)
    sse(o, t).backward()
    assert (o.grad, t.grad) == (4.0, -4.0)


# -- hinge -----------------------------------------------------------------------------


def test_hinge_by_hand() -> None:
    o = values(0.25, -3.0, -0.5)
    loss = hinge(o, [1, -1, 1])
    loss.backward()
    assert loss.data == 0.75 + 0.0 + 1.5
    assert [x.grad for x in o] == [-1.0, 0.0, -1.0]  # d/do max(0, 1 - t o) = -t inside the margin, else 0


def test_hinge_rejects_labels_other_than_plus_minus_one() -> None:
    with pytest.raises(ValueError, match="labels -1 or \\+1, got 0"):
        hinge([Value(1.0)], [0])


# -- binary cross-entropy --------------------------------------------------------------

LOGITS = [-1000.0, -40.0, -3.0, -0.5, 0.0, 0.5, 3.0, 40.0, 1000.0]


@pytest.mark.parametrize("z", LOGITS)
@pytest.mark.parametrize("t", [0, 1, 0.25])
def test_binary_cross_entropy_matches_numpy_and_has_gradient_sigmoid_minus_target(z: float, t: float) -> None:
    logit = Value(z)
    loss = binary_cross_entropy([logit], t)
    loss.backward()
    # softplus(z) - t z, with numpy's own stable log(e**0 + e**z)
    assert loss.data == pytest.approx(np.logaddexp(0.0, z) - t * z, rel=1e-12, abs=1e-15)
    assert math.isfinite(loss.data) and isinstance(logit.grad, float) and math.isfinite(logit.grad)
    sigmoid = 0.5 * (1 + math.tanh(z / 2))  # an independent, overflow-free closed form
    assert logit.grad == pytest.approx(sigmoid - t, abs=1e-15)


def test_binary_cross_entropy_agrees_with_the_textbook_formula_where_that_is_safe() -> None:
    for z in (-3.0, 0.0, 2.0):
        s = 1 / (1 + math.exp(-z))
        for t in (0, 1):
            textbook = -(t * math.log(s) + (1 - t) * math.log(1 - s))
            assert binary_cross_entropy(Value(z), t).data == pytest.approx(textbook, rel=1e-12)


def test_binary_cross_entropy_gradient_by_central_differences() -> None:
    for z in (-2.0, -1e-3, 0.0, 1e-3, 1.5):
        logit = Value(z)
        binary_cross_entropy(logit, 1).backward()
        expected = central_difference(lambda t: binary_cross_entropy(Value(t), 1).data, z)
        assert logit.grad == pytest.approx(expected, abs=1e-8)


def test_binary_cross_entropy_second_derivative_is_s_times_one_minus_s() -> None:
    """Built from primitives, so create_graph differentiates it again: d2/dz2 = s(z)(1 - s(z))."""
    for z in (-2.0, 0.0, 1.0):
        logit = Value(z)
        binary_cross_entropy(logit, 0).backward(create_graph=True)
        first = logit.grad
        assert isinstance(first, Value)
        logit.grad = 0.0
        first.backward()
        s = 1 / (1 + math.exp(-z))
        assert logit.grad == pytest.approx(s * (1 - s), rel=1e-12)


def test_binary_cross_entropy_bad_input() -> None:
    with pytest.raises(ValueError, match=r"target in \[0, 1\].*got 2"):
        binary_cross_entropy(Value(0.0), 2)
    with pytest.raises(ValueError, match="one output and one target, got 2 outputs and 2 targets"):
        binary_cross_entropy(values(0.0, 1.0), [0, 1])


# -- cross-entropy ---------------------------------------------------------------------


def numpy_cross_entropy(z: list[float], k: int) -> tuple[float, np.ndarray]:
    """The loss by numpy's log-sum-exp, and the gradient softmax - onehot."""
    z_array = np.array(z)
    lse = np.logaddexp.reduce(z_array)
    softmax = np.exp(z_array - lse)
    return float(lse - z_array[k]), softmax - np.eye(len(z))[k]


@pytest.mark.parametrize(
    ("z", "k"),
    [
        ([0.0, 0.0, 0.0], 1),
        ([1.0, 2.0, 3.0], 0),
        ([-0.5, 4.0], 1),
        ([1000.0, -1000.0, 0.0], 1),
        ([1000.0, -1000.0, 0.0], 0),
        ([-1000.0, -1000.0], 0),
        ([1000.0, 1000.0, 999.0], 2),
    ],
)
def test_cross_entropy_matches_numpy_log_sum_exp(z: list[float], k: int) -> None:
    logits = values(*z)
    loss = cross_entropy(logits, k)
    loss.backward()
    expected, expected_grad = numpy_cross_entropy(z, k)
    assert loss.data == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert all(isinstance(x.grad, float) and math.isfinite(x.grad) for x in logits)
    assert [x.grad for x in logits] == pytest.approx(expected_grad, abs=1e-12)


@settings(max_examples=30, deadline=None)
@given(
    z=st.lists(st.floats(-20, 20, allow_nan=False), min_size=2, max_size=5),
    data=st.data(),
)
def test_cross_entropy_gradient_by_central_differences(z: list[float], data: st.DataObject) -> None:
    k = data.draw(st.integers(0, len(z) - 1))
    logits = values(*z)
    cross_entropy(logits, k).backward()
    for i, x in enumerate(logits):
        expected = central_difference(lambda t: cross_entropy(values(*z[:i], t, *z[i + 1 :]), k).data, z[i])  # noqa: B023
        assert x.grad == pytest.approx(expected, abs=1e-6)


def test_cross_entropy_of_two_classes_is_binary_cross_entropy_of_the_difference() -> None:
    """softmax over (0, z) is (1 - s(z), s(z)): an independent cross-check of the two losses."""
    for z in (-3.0, 0.0, 0.7, 1000.0):
        for t in (0, 1):
            assert cross_entropy(values(0.0, z), t).data == pytest.approx(binary_cross_entropy(Value(z), t).data)


def test_cross_entropy_bad_input() -> None:
    with pytest.raises(ValueError, match=r"class index must be in 0..2, got 3"):
        cross_entropy(values(1, 2, 3), 3)
    with pytest.raises(ValueError, match="got -1"):
        cross_entropy(values(1, 2, 3), -1)
    with pytest.raises(TypeError, match="class index \\(int\\), got float"):
        cross_entropy(values(1, 2), 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="got bool"):
        cross_entropy(values(1, 2), True)
    with pytest.raises(ValueError, match="non-empty list of logits"):
        cross_entropy([], 0)
    with pytest.raises(ValueError, match="non-empty list of logits"):
        cross_entropy(Value(1.0), 0)  # type: ignore[arg-type]
    assert cross_entropy(values(1, 2), np.int64(1)).data == pytest.approx(math.log(1 + math.exp(-1)))  # type: ignore[arg-type]


# -- shapes ----------------------------------------------------------------------------


@pytest.mark.parametrize("loss", [sse, mse, hinge])
def test_lengths_must_match(loss: Callable[..., Value]) -> None:
    with pytest.raises(ValueError, match=r"as many targets as outputs .* got 2 outputs and 3 targets"):
        loss(values(1.0, 1.0), [1, 1, 1])
    with pytest.raises(ValueError, match="got 0 outputs and 0 targets"):
        loss([], [])


@pytest.mark.parametrize("loss", [sse, mse, hinge, binary_cross_entropy])
def test_outputs_must_be_values_and_targets_numbers(loss: Callable[..., Value]) -> None:
    with pytest.raises(TypeError, match="outputs as a Value or a list of Values"):
        loss([1.0], [1.0])
    with pytest.raises(TypeError, match="target must be a real number or a Value, got str"):
        loss([Value(1.0)], ["1"])
    with pytest.raises(TypeError, match="targets as numbers, got NoneType"):
        loss([Value(1.0)], None)
    with pytest.raises(ValueError, match="finite number, got nan"):
        loss([Value(1.0)], [math.nan])
