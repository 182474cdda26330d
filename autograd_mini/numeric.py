"""How the package reads and writes numbers: one coercion, one policy, one formatter, used everywhere.

The numeric policy: every number in a graph is a finite Python float. ``finite`` is the one
gate: ``Value(...)``, a number combined with a Value (``x + 2``), the command line's values and
the data ``fit`` trains on all go through it, so NaN, infinities, booleans and complex numbers
are refused where they come in, and a numpy scalar becomes a plain float. An operation whose
result would overflow raises at that operation (``rules.not_finite``).

This module imports nothing from the rest of the package, so every layer (the rules, the
engine, the drawings, the command line) can use it. A Value is recognised by its ``data``.

>>> as_float(3), short_number(2 / 3), short_number(-0.0)
(3.0, '0.6667', '0')
"""

from __future__ import annotations

import math
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
    if type(x) is float:  # the common case first: this runs inside the derivative rules
        return x
    if isinstance(x, (int, numbers.Real)):  # int first: the abstract class's check is slow
        try:
            return float(x)  # also makes a numpy scalar a plain float
        except OverflowError:
            raise OverflowError(f"{what} got an integer too large for a float ({len(str(x))} digits)") from None
    data = getattr(x, "data", None)
    if isinstance(data, float) and hasattr(x, "local_grads"):  # a Value
        return data
    raise TypeError(f"{what} must be a real number or a Value, got {type(x).__name__}: {x!r}")


def finite(x: Any, what: str = "a number") -> float:
    """``x`` as a finite Python float, or an error naming ``what``: the engine's numeric policy.

    Raises:
        TypeError: ``x`` is a bool, or not a real number (nor a Value).
        ValueError: ``x`` is NaN or infinite.
        OverflowError: ``x`` is an integer too large for a float.

    >>> finite(2), type(finite(__import__("numpy").float64(0.5)))
    (2.0, <class 'float'>)
    >>> finite(float("nan"), "Value")
    Traceback (most recent call last):
    ...
    ValueError: Value must be a finite number, got nan (the engine refuses NaN and infinities)
    """
    if type(x) is float and math.isfinite(x):
        return x
    if isinstance(x, bool):
        raise TypeError(f"{what} must be a real number, got bool: {x!r}")
    number = as_float(x, what)
    if not math.isfinite(number):
        raise ValueError(f"{what} must be a finite number, got {number!r} (the engine refuses NaN and infinities)")
    return number


def short_number(x: Any, digits: int = 4) -> str:
    """A number as captions, drawings and reports write it: ``digits`` significant digits, -0 as 0.

    >>> short_number(0.91513696), short_number(-3.0), short_number(12345.0), short_number(1 / 3, 6)
    ('0.9151', '-3', '1.234e+04', '0.333333')
    """
    return f"{as_float(x) + 0.0:.{digits}g}"


class AsNumber:
    """What a Value does where Python expects a number: its ``data`` stands in.

    ``float(v)``, ``f"{v:.3f}"``, ``round(v, 2)`` (a float) and the order comparisons ``<``,
    ``<=``, ``>``, ``>=`` (so ``if loss < 0.01``, ``max`` and ``sorted`` work) all read ``data``.
    ``==`` is different: a Value is a node of a graph, and nodes are told apart by identity, which
    is what lets Values be dictionary keys and set members. So ``v == w`` for two Values asks
    whether they are the same node, and ``v == 1.0`` raises a TypeError that says to compare
    ``v.data`` instead, rather than silently answering False.

    >>> from autograd_mini import Value
    >>> loss = Value(0.0123)
    >>> float(loss), f"{loss:.2f}", round(loss, 3), loss < 0.05, max([loss, Value(1.0)]).data
    (0.0123, '0.01', 0.012, True, 1.0)
    >>> loss == 0.0123
    Traceback (most recent call last):
    ...
    TypeError: == between a Value and a number compares nodes, not numbers: write v.data == 0.0123
    """

    __slots__ = ()
    data: float

    def __float__(self) -> float:
        return self.data

    def __format__(self, spec: str) -> str:
        return format(self.data, spec) if spec else str(self)

    def __round__(self, ndigits: int | None = None) -> float:
        return round(self.data, ndigits)

    def __lt__(self, other: Any) -> bool:
        return self.data < _compared(other)

    def __le__(self, other: Any) -> bool:
        return self.data <= _compared(other)

    def __gt__(self, other: Any) -> bool:
        return self.data > _compared(other)

    def __ge__(self, other: Any) -> bool:
        return self.data >= _compared(other)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, numbers.Real):
            raise TypeError(f"== between a Value and a number compares nodes, not numbers: write v.data == {other!r}")
        return self is other

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__  # node identity: Values are dictionary keys and set members


def _compared(other: Any) -> float:
    """The number an order comparison reads: a Value's data or a real number; not a bool, not NaN.

    An infinity is fine here (``loss < math.inf`` is a plain question); NaN is not: every comparison
    with it is False, which would hide the NaN.

    >>> from autograd_mini import Value
    >>> Value(1.0) < float("nan")
    Traceback (most recent call last):
    ...
    ValueError: a Value compared with <, <=, > or >= must be a number, got nan (every comparison with NaN is False)
    """
    what = "a Value compared with <, <=, > or >="
    if isinstance(other, bool):
        raise TypeError(f"{what} must be a real number or a Value, got bool: {other!r}")
    number = as_float(other, what)
    if math.isnan(number):
        raise ValueError(f"{what} must be a number, got nan (every comparison with NaN is False)")
    return number
