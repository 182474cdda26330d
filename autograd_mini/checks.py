"""One way to check an argument, used by every module: a wrong type is a TypeError, a wrong value a ValueError.

Each checker takes the argument and its name and returns it in the form the caller works with
(an int, a float, a bool). Its error names the argument, says what it got and what was expected:

>>> count(2.5, "epochs")
Traceback (most recent call last):
...
TypeError: epochs must be an int >= 1, got float: 2.5
>>> count(0, "epochs")
Traceback (most recent call last):
...
ValueError: epochs must be an int >= 1, got 0

A bool is never a number here (``True`` is an int in Python, but nobody means 1 by it). What an
error shows of a value is cut at SHOWN characters, so a 10 MB string is not echoed back whole.

This module imports nothing from the rest of the package: every layer can use it.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable
from typing import Any, TypeVar

#: The most characters of a value an error message shows.
SHOWN = 60

T = TypeVar("T")


def shown(value: Any) -> str:
    """``repr(value)``, cut to SHOWN characters (ending in "…") so that an error message stays one line.

    >>> shown("x" * 100)
    "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…"
    """
    try:
        text = repr(value)
    except ValueError:  # an int of more than 4,300 digits has no repr (sys.set_int_max_str_digits)
        return f"an int of about {int(value.bit_length() * math.log10(2)) + 1:,} digits"
    return text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"


def _wrong_type(name: str, expected: str, value: Any) -> TypeError:
    return TypeError(f"{name} must be {expected}, got {type(value).__name__}: {shown(value)}")


def _wrong_value(name: str, expected: str, value: Any) -> ValueError:
    return ValueError(f"{name} must be {expected}, got {shown(value)}")


def count(value: Any, name: str, *, least: int = 1, most: int | None = None) -> int:
    """``value`` as an int of at least ``least`` (and at most ``most``): a size, a number of steps, a limit.

    numpy's integers are ints here; floats, even whole ones, are not (``2.0`` epochs is a slip).

    >>> count(3, "epochs"), count(0, "max_paths", least=0)
    (3, 0)
    >>> count(2**31, "interval_ms", least=10, most=60_000)
    Traceback (most recent call last):
    ...
    ValueError: interval_ms must be an int from 10 to 60,000, got 2147483648
    """
    expected = f"an int >= {least}" if most is None else f"an int from {least:,} to {most:,}"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _wrong_type(name, expected, value)
    number = int(value)
    if number < least or (most is not None and number > most):
        raise _wrong_value(name, expected, value)
    return number


def real(value: Any, name: str) -> float:
    """``value`` as a float, if it is a real number (not a bool, not a str, not complex); NaN and inf pass.

    An int beyond a float's range becomes an infinity of its sign (what rounding to a float gives).

    >>> real(3, "x"), real(-(10**400), "x")
    (3.0, -inf)
    """
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _wrong_type(name, "a real number", value)
    number: Any = value  # an int here: float() overflows for nothing else
    try:
        return float(number)
    except OverflowError:
        return math.inf if number > 0 else -math.inf


def number_in(
    value: Any, name: str, low: float = -math.inf, high: float = math.inf, *, low_open: bool = False,
    high_open: bool = False,
) -> float:  # fmt: skip
    """``value`` as a finite float from ``low`` to ``high``; ``low_open``/``high_open`` leave an end out.

    >>> number_in(0.9, "momentum", 0.0, 1.0, high_open=True)
    0.9
    >>> number_in(1.0, "momentum", 0.0, 1.0, high_open=True)
    Traceback (most recent call last):
    ...
    ValueError: momentum must be a finite number >= 0 and < 1, got 1.0
    """
    number = real(value, name)
    inside = (number > low if low_open else number >= low) and (number < high if high_open else number <= high)
    if not (inside and math.isfinite(number)):
        raise _wrong_value(name, f"a finite number{_bounds(low, high, low_open, high_open)}", value)
    return number


def _bounds(low: float, high: float, low_open: bool, high_open: bool) -> str:
    """How a range reads in a message: " > 0", " >= 0 and < 1", "" for every finite number."""
    parts = []
    if low > -math.inf:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high < math.inf:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return (" " + " and ".join(parts)) if parts else ""


def positive(value: Any, name: str) -> float:
    """``value`` as a finite float > 0: a learning rate, an epsilon.

    >>> positive("0.1", "lr")
    Traceback (most recent call last):
    ...
    TypeError: lr must be a real number, got str: '0.1'
    """
    return number_in(value, name, 0.0, low_open=True)


def non_negative(value: Any, name: str) -> float:
    """``value`` as a finite float >= 0: a tolerance, a noise level.

    >>> non_negative(0, "atol")
    0.0
    """
    return number_in(value, name, 0.0)


def nonzero(value: Any, name: str) -> float:
    """``value`` as a finite float other than 0: the step h of a difference quotient.

    >>> nonzero(0.0, "eps")
    Traceback (most recent call last):
    ...
    ValueError: eps must be a finite number other than 0, got 0.0
    """
    number = real(value, name)
    if number == 0.0 or not math.isfinite(number):
        raise _wrong_value(name, "a finite number other than 0", value)
    return number


def flag(value: Any, name: str) -> bool:
    """``value`` if it is True or False (not 0, 1 or "yes").

    >>> flag("yes", "compiled")
    Traceback (most recent call last):
    ...
    TypeError: compiled must be True or False, got str: 'yes'
    """
    if not isinstance(value, bool):
        raise _wrong_type(name, "True or False", value)
    return value


def seed(value: Any, name: str = "seed", *, least: int | None = None) -> int | None:
    """``value`` as an int seed (at least ``least``, if given), or None for a fresh random one.

    >>> seed(None), seed(7)
    (None, 7)
    >>> seed(-1, least=0)     # numpy's generators take seeds >= 0
    Traceback (most recent call last):
    ...
    ValueError: seed must be an int >= 0 or None, got -1
    """
    if value is None:
        return None
    expected = "an int or None" if least is None else f"an int >= {least} or None"
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise _wrong_type(name, expected, value)
    number = int(value)
    if least is not None and number < least:
        raise _wrong_value(name, expected, value)
    return number


def text(value: Any, name: str) -> str:
    """``value`` if it is a str.

    >>> text(3, "title")
    Traceback (most recent call last):
    ...
    TypeError: title must be a str, got int: 3
    """
    if not isinstance(value, str):
        raise _wrong_type(name, "a str", value)
    return value


def one_of(value: Any, name: str, options: Iterable[str]) -> str:
    """``value`` if it is one of the names ``options`` (else a ValueError listing them).

    >>> one_of("up", "rankdir", ("LR", "TB"))
    Traceback (most recent call last):
    ...
    ValueError: rankdir must be one of 'LR', 'TB', got 'up'
    """
    offered = tuple(options)
    if not isinstance(value, str) or value not in offered:
        raise _wrong_value(name, f"one of {', '.join(map(repr, offered))}", value)
    return value


def instance(value: Any, kind: type[T], name: str, expected: str | None = None) -> T:
    """``value`` if it is a ``kind`` (``expected`` says how the message names the kind; default "a Kind").

    >>> instance(3, str, "label")
    Traceback (most recent call last):
    ...
    TypeError: label must be a str, got int: 3
    """
    if not isinstance(value, kind):
        raise _wrong_type(name, expected or f"a {kind.__name__}", value)
    return value


def function(value: Any, name: str) -> Any:
    """``value`` if it can be called.

    >>> function(None, "f")
    Traceback (most recent call last):
    ...
    TypeError: f must be a function, got NoneType: None
    """
    if not callable(value):
        raise _wrong_type(name, "a function", value)
    return value


def missing(package: str, needed_by: str) -> ModuleNotFoundError:
    """The error for a package that is not installed, saying who needs it and how to install it.

    The core needs only the standard library; a module that needs more raises this from its own
    failed ``import``, so that the missing package is named with the reason it is needed.

    >>> raise missing("numpy", "autograd_mini.datasets")
    Traceback (most recent call last):
    ...
    ModuleNotFoundError: autograd_mini.datasets needs numpy, which is not installed: pip install numpy
    """
    return ModuleNotFoundError(
        f"{needed_by} needs {package}, which is not installed: pip install {package}", name=package
    )
