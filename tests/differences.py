"""Central differences on plain floats: the reference the gradient tests hold the engine against.

Nothing here imports autograd_mini, so a wrong derivative in the engine cannot hide in its own check.

>>> round(central_difference(lambda x: x**3, 2.0), 6)   # d(x³)/dx = 3x² = 12
12.0
"""

from __future__ import annotations

from collections.abc import Callable


def central_difference(f: Callable[[float], float], x: float, h: float = 1e-6) -> float:
    """f'(x) ≈ (f(x + h) - f(x - h)) / 2h.

    The error is about h² f'''(x) / 6 from the curve, plus about 1e-16 |f(x)| / h from rounding.

    Args:
        f: a function of one float, returning a float.
        x: the point.
        h: the step on each side of x.

    Returns:
        The estimate of f'(x).

    >>> central_difference(lambda x: x * x, 1.5, h=0.25)   # exact for a parabola: 2x
    3.0
    """
    return (f(x + h) - f(x - h)) / (2 * h)
