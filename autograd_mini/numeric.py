"""How the package reads and writes numbers: one coercion and one formatter, used everywhere.

This module imports nothing from the rest of the package, so every layer (the rules, the
engine, the drawings, the command line) can use it. A Value is recognised by its ``data``.

>>> as_float(3), short_number(2 / 3), short_number(-0.0)
(3.0, '0.6667', '0')
"""

from __future__ import annotations

import numbers
from typing import Any


def as_float(x: Any, what: str = "a number") -> float:
    """The number in ``x``: a float as it is, an int or other real number converted, a Value's ``data``.

    Args:
        x: a real number, or a Value.
        what: how the error message names ``x`` ("Value", "argument 0", ...).

    Raises:
        TypeError: ``x`` is neither a real number nor a Value; the message names ``what`` and ``x``.

    >>> as_float("3", "the step")
    Traceback (most recent call last):
    ...
    TypeError: the step must be a real number or a Value, got str: '3'
    """
    if isinstance(x, float):  # the common case first: this runs inside the derivative rules
        return x
    if isinstance(x, (int, numbers.Real)):  # int first: the abstract class's check is slow
        return float(x)
    data = getattr(x, "data", None)
    if isinstance(data, float) and hasattr(x, "local_grads"):  # a Value
        return data
    raise TypeError(f"{what} must be a real number or a Value, got {type(x).__name__}: {x!r}")


def short_number(x: Any, digits: int = 4) -> str:
    """A number as captions, drawings and reports write it: ``digits`` significant digits, -0 as 0.

    >>> short_number(0.91513696), short_number(-3.0), short_number(12345.0), short_number(1 / 3, 6)
    ('0.9151', '-3', '1.234e+04', '0.333333')
    """
    return f"{as_float(x) + 0.0:.{digits}g}"
