"""teach.slopes: numeric derivatives by central differences, and secant slopes settling then breaking down.

Expected numbers are closed forms worked out in the comments.
"""

from __future__ import annotations

import math

import pytest

from autograd_mini import Value, numeric_grad, secant_slopes

# -- numeric_grad ---------------------------------------------------------------------------


def test_numeric_grad_of_plain_float_functions_matches_closed_forms() -> None:
    # f = sin(x) * y**2: df/dx = cos(x) y**2, df/dy = 2 y sin(x)
    x, y = 0.7, -1.3
    dx, dy = numeric_grad(lambda a, b: math.sin(a) * b**2, x, y)
    assert dx == pytest.approx(math.cos(x) * y**2, rel=1e-8)
    assert dy == pytest.approx(2 * y * math.sin(x), rel=1e-8)


def test_numeric_grad_passes_values_to_f_when_given_values() -> None:
    # f uses Value methods, so it only works if it receives Values; d tanh(x)/dx = 1 - tanh(x)**2
    x = Value(0.4, label="x")
    (slope,) = numeric_grad(lambda v: v.tanh(), x)
    assert slope == pytest.approx(1 - math.tanh(0.4) ** 2, rel=1e-8)
    assert x.grad == 0.0 and x.data == 0.4  # the caller's Value is left alone


def test_numeric_grad_error_falls_like_eps_squared() -> None:
    # For exp at 0 the central difference is (e^h - e^-h) / 2h = 1 + h**2/6 + ...
    (coarse,) = numeric_grad(math.exp, 0.0, eps=1e-2)
    assert coarse - 1.0 == pytest.approx(1e-4 / 6, rel=1e-3)


@pytest.mark.parametrize(
    ("eps", "error"),
    [(0.0, ValueError), (-0.0, ValueError), (math.inf, ValueError), (math.nan, ValueError), ("0.1", TypeError)],
)
def test_numeric_grad_rejects_a_bad_step(eps: object, error: type[Exception]) -> None:
    # a wrong value is a ValueError, a wrong type (a str) a TypeError
    with pytest.raises(error, match="eps"):
        numeric_grad(math.sin, 1.0, eps=eps)  # type: ignore[arg-type]


def test_numeric_grad_errors_name_what_was_wrong() -> None:
    with pytest.raises(ValueError, match="at least one point"):
        numeric_grad(math.sin)
    with pytest.raises(TypeError, match=r"argument 1 must be a real number or a Value, got str"):
        numeric_grad(lambda a, b: a, 1.0, "2")
    with pytest.raises(TypeError, match="result of f in numeric_grad must be a real number or a Value, got list"):
        numeric_grad(lambda a: [a], 1.0)
    with pytest.raises(ValueError, match=r"^eps must be a finite number other than 0, got 0$"):
        numeric_grad(math.sin, 1.0, eps=0)
    with pytest.raises(TypeError, match=r"^eps must be a real number, got str: '0.1'$"):
        numeric_grad(math.sin, 1.0, eps="0.1")  # type: ignore[arg-type]


# -- secant slopes ----------------------------------------------------------------------------


def test_secant_slopes_of_a_square_are_off_by_exactly_h() -> None:
    # ((x + h)**2 - x**2) / h = 2x + h, so the error is h (up to rounding)
    rows = secant_slopes(lambda x: x * x, 1.5, hs=[0.5, 0.25, 0.125])
    assert [row.h for row in rows] == [0.5, 0.25, 0.125]
    for row in rows:
        assert row.slope == pytest.approx(3.0 + row.h, rel=1e-12)
        assert row.error == pytest.approx(row.h, rel=1e-9)


def test_secant_slopes_converge_then_rounding_takes_over() -> None:
    # For sin at 1 the truncation error is about h sin(1)/2 and the rounding error about 1e-16 / h:
    # they cross near h = 1e-8, so the best step is there, not at the smallest h.
    rows = secant_slopes(lambda x: x.sin(), 1.0)
    errors = {row.h: abs(row.error) for row in rows}
    assert errors[1e-2] == pytest.approx(1e-2 * math.sin(1.0) / 2, rel=0.01)
    assert errors[1e-1] > errors[1e-2] > errors[1e-3] > errors[1e-4] > errors[1e-5]
    best = min(errors, key=errors.__getitem__)
    assert 1e-10 <= best <= 1e-6
    assert errors[1e-14] > 100 * errors[best]


def test_secant_slopes_rejects_bad_steps() -> None:
    with pytest.raises(ValueError, match="step h"):
        secant_slopes(lambda x: x, 1.0, hs=[0.1, 0.0])
    with pytest.raises(ValueError, match="at least one step"):
        secant_slopes(lambda x: x, 1.0, hs=[])
