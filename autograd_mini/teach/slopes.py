"""A derivative as a limit of slopes: central differences, and secants that settle, then break down.

>>> [round(g, 6) for g in numeric_grad(lambda x: x * x, 3.0)]      # d(x²)/dx = 2x
[6.0]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from .. import checks
from ..engine import Value, gradients, no_grad
from ..numeric import as_float


def _evaluate(f: Callable[..., Any], like: Sequence[Any], points: Sequence[float], who: str) -> float:
    """f at ``points``, each passed as the kind the caller gave in ``like`` (float or Value).

    Values are evaluated under no_grad: a numeric derivative needs only the number, not a graph.
    """
    args = [Value(p, label=x.label) if isinstance(x, Value) else p for x, p in zip(like, points, strict=True)]
    with no_grad():
        return as_float(f(*args), f"the result of f in {who}")


def numeric_grad(f: Callable[..., Any], *xs: Any, eps: float = 1e-6) -> list[float]:
    """Central differences: df/dx_i ≈ (f(.., x_i + eps, ..) - f(.., x_i - eps, ..)) / (2 eps).

    The error is about eps**2 times the third derivative, plus rounding of about 1e-16 |f| / eps.

    Args:
        f: a function returning a number or a Value.
        *xs: the point, one number or Value per argument of f. Each is passed to f as the same kind,
            so f may be written for plain floats or for Values.
        eps: the half-width of the difference.

    Returns:
        One estimate per argument, in order (a list even for one argument).

    >>> [round(g, 6) for g in numeric_grad(lambda x, y: x * y + y, 3.0, 4.0)]   # (y, x + 1)
    [4.0, 4.0]
    """
    if not xs:
        raise ValueError("numeric_grad needs at least one point to differentiate at, got none")
    eps = checks.nonzero(eps, "eps")
    point = [as_float(x, f"numeric_grad argument {i}") for i, x in enumerate(xs)]
    slopes = []
    for i in range(len(point)):
        above, below = list(point), list(point)
        above[i] += eps
        below[i] -= eps
        rise = _evaluate(f, xs, above, "numeric_grad") - _evaluate(f, xs, below, "numeric_grad")
        slopes.append(rise / (2.0 * eps))
    return slopes


class Slope(NamedTuple):
    """One row of ``secant_slopes``: the step, the forward-difference slope, and its error."""

    h: float
    slope: float  # (f(x + h) - f(x)) / h
    error: float  # slope - f'(x), with f'(x) from the engine


DEFAULT_STEPS = tuple(10.0**-k for k in range(1, 15))


def secant_slopes(f: Callable[[Value], Any], x: float, hs: Sequence[float] = DEFAULT_STEPS) -> list[Slope]:
    """The slope (f(x + h) - f(x)) / h for each h, and how far it is from the derivative f'(x).

    As h shrinks the error falls like h, until rounding (about 1e-16 |f| / h) takes over: the
    derivative is a limit that floating point can only approach.

    Args:
        f: a function of one Value (the exact derivative comes from the engine).
        x: the point.
        hs: the steps to try.

    Returns:
        One Slope(h, slope, error) per step, in the order given.

    >>> for row in secant_slopes(lambda x: x * x, 3.0, hs=[0.1, 0.01]):   # slope = 2x + h
    ...     print(f"h={row.h:g} slope={row.slope:.4f} error={row.error:.4f}")
    h=0.1 slope=6.1000 error=0.1000
    h=0.01 slope=6.0100 error=0.0100
    """
    x = as_float(x, "secant_slopes x")
    steps = [checks.nonzero(h, "each step h") for h in hs]
    if not steps:
        raise ValueError("secant_slopes needs at least one step h, got none")
    leaf = Value(x)
    out = f(leaf)
    exact = gradients(out).get(leaf, 0.0) if isinstance(out, Value) else 0.0
    like = [leaf]
    at_x = _evaluate(f, like, [x], "secant_slopes")
    rows = []
    for h in steps:
        slope = (_evaluate(f, like, [x + h], "secant_slopes") - at_x) / h
        rows.append(Slope(h, slope, slope - exact))
    return rows
