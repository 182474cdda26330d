"""Every primitive's derivative against central differences, over its whole domain (hypothesis)."""

from __future__ import annotations

import math
from collections.abc import Callable

import pytest
from differences import central_difference
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mini as am
from autograd_mini import Value
from autograd_mini.rules import RULES


def slope(f: Callable[[float], float], x: float) -> float:
    """f'(x) by central differences, the step scaled to the size of x so it is not lost in rounding."""
    return central_difference(f, x, h=1e-6 * max(1.0, abs(x)))


def close(analytic: float, numeric: float) -> bool:
    return math.isclose(analytic, numeric, rel_tol=1e-5, abs_tol=1e-6)


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False)


# op: (how to apply it to a Value, the same on floats from the standard library, inputs to try)
UNARY = {
    "neg": (lambda v: -v, lambda x: -x, reals(-50, 50)),
    "abs": (abs, abs, reals(-50, 50).filter(lambda x: abs(x) > 1e-3)),
    "exp": (lambda v: v.exp(), math.exp, reals(-20, 20)),
    "log": (lambda v: v.log(), math.log, reals(1e-3, 1e3)),
    "sqrt": (lambda v: v.sqrt(), math.sqrt, reals(1e-3, 1e3)),
    "tanh": (lambda v: v.tanh(), math.tanh, reals(-5, 5)),
    "sigmoid": (lambda v: v.sigmoid(), lambda x: 1 / (1 + math.exp(-x)), reals(-20, 20)),
    "relu": (lambda v: v.relu(), lambda x: max(x, 0.0), reals(-50, 50).filter(lambda x: abs(x) > 1e-3)),
    "softplus": (lambda v: v.apply("softplus"), lambda x: math.log(1 + math.exp(x)), reals(-20, 20)),
    "sin": (lambda v: v.sin(), math.sin, reals(-10, 10)),
    "cos": (lambda v: v.cos(), math.cos, reals(-10, 10)),
}

BINARY = {
    "+": (lambda a, b: a + b, reals(-50, 50), reals(-50, 50)),
    "-": (lambda a, b: a - b, reals(-50, 50), reals(-50, 50)),
    "*": (lambda a, b: a * b, reals(-50, 50), reals(-50, 50)),
    "/": (lambda a, b: a / b, reals(-50, 50), reals(-50, 50).filter(lambda b: abs(b) > 0.1)),
    "**": (lambda a, b: a**b, reals(0.1, 5), reals(-3, 3)),
}


def test_the_tables_cover_every_rule() -> None:
    assert set(UNARY) | set(BINARY) == set(RULES)


@pytest.mark.parametrize("op", sorted(UNARY))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_unary_op_value_and_slope(op: str, data: st.DataObject) -> None:
    apply, reference, domain = UNARY[op]
    x0 = data.draw(domain)
    x = Value(x0)
    y = apply(x)
    y.backward()
    assert y.op == op and y.parents == (x,)
    assert math.isclose(y.data, reference(x0), rel_tol=1e-12, abs_tol=1e-12)
    assert close(x.grad, slope(reference, x0))


@pytest.mark.parametrize("op", sorted(BINARY))
@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_binary_op_value_and_slopes(op: str, data: st.DataObject) -> None:
    apply, left, right = BINARY[op]
    a0, b0 = data.draw(left), data.draw(right)
    a, b = Value(a0), Value(b0)
    out = apply(a, b)
    out.backward()
    assert out.op == op and out.parents == (a, b)
    assert math.isclose(out.data, apply(a0, b0), rel_tol=1e-12, abs_tol=1e-12)
    assert close(a.grad, slope(lambda t: apply(t, b0), a0))
    assert close(b.grad, slope(lambda t: apply(a0, t), b0))


@settings(max_examples=60, deadline=None)
@given(base=reals(-5, 5).filter(lambda x: abs(x) > 0.1), exponent=st.integers(-3, 4))
def test_negative_bases_with_integer_exponents(base: float, exponent: int) -> None:
    x = Value(base)
    y = x**exponent
    y.backward()
    assert math.isclose(y.data, base**exponent, rel_tol=1e-12)
    assert close(x.grad, slope(lambda t: t**exponent, base))


@pytest.mark.parametrize("name", ["exp", "log", "sqrt", "tanh", "sigmoid", "relu", "sin", "cos"])
@given(x0=reals(0.01, 5))
@settings(max_examples=20, deadline=None)
def test_module_functions_take_numbers_and_values(name: str, x0: float) -> None:
    function = getattr(am, name)
    as_number = function(x0)
    as_value = function(Value(x0))
    assert isinstance(as_number, float) and isinstance(as_value, Value)
    assert as_value.op == name and as_value.data == as_number
    whole = int(x0 * 10) + 1
    assert function(whole) == function(float(whole))


@pytest.mark.parametrize(
    ("x", "expected_value", "expected_grad"),
    [
        (0.0, 0.0, 0.0),  # relu'(0) = 0
        (-0.0, 0.0, 0.0),
        (2.5, 2.5, 1.0),
        (-2.5, 0.0, 0.0),
    ],
)
def test_relu_at_and_around_its_kink(x: float, expected_value: float, expected_grad: float) -> None:
    v = Value(x)
    y = v.relu()
    y.backward()
    assert (y.data, v.grad) == (expected_value, expected_grad)


@pytest.mark.parametrize(("x", "expected_grad"), [(0.0, 0.0), (3.0, 1.0), (-3.0, -1.0)])
def test_abs_slope_is_the_sign_with_zero_at_zero(x: float, expected_grad: float) -> None:
    v = Value(x)
    abs(v).backward()
    assert v.grad == expected_grad


@pytest.mark.parametrize("x", [-1000.0, -710.0, -50.0, 50.0, 710.0, 1000.0, 1e300, -1e300])
def test_tanh_and_sigmoid_never_overflow(x: float) -> None:
    for op in ("tanh", "sigmoid"):
        v = Value(x)
        y = v.apply(op)
        y.backward()
        assert math.isfinite(y.data) and math.isfinite(v.grad)
    if abs(x) >= 1000:  # far in the tails both saturate exactly
        assert Value(x).sigmoid().data == (1.0 if x > 0 else 0.0)
        assert Value(x).tanh().data == math.copysign(1.0, x)


@pytest.mark.parametrize(
    ("x", "value", "slope"), [(1000.0, 1000.0, 1.0), (-1000.0, 0.0, 0.0), (0.0, math.log(2.0), 0.5)]
)
def test_softplus_never_overflows_and_its_slope_is_the_sigmoid(x: float, value: float, slope: float) -> None:
    v = Value(x)
    y = v.apply("softplus")
    y.backward()
    assert y.data == pytest.approx(value, abs=1e-300) and v.grad == pytest.approx(slope, abs=1e-300)


def test_sqrt_slope_at_zero_is_infinite_as_in_pytorch() -> None:
    x = Value(0.0)
    x.sqrt().backward()
    assert x.grad == math.inf


def test_power_of_zero_base() -> None:
    x = Value(0.0)
    (x**2).backward()
    assert x.grad == 0.0  # 2 * 0**1
    x = Value(0.0)
    (x**0.5).backward()
    assert x.grad == math.inf


def test_constant_exponent_gets_no_nan_for_negative_base() -> None:
    x = Value(-3.0)
    y = x**2
    y.backward()
    exponent = y.parents[1]
    assert exponent.op == "const" and exponent.grad == 0.0
    assert x.grad == -6.0
