"""Tests for autograd_mini.numeric: the one gate ``finite``, and what a Value does where a number is expected."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd_mini import Value
from autograd_mini.numeric import as_float, finite


@pytest.mark.parametrize(
    ("value", "error", "words"),
    [
        (math.nan, ValueError, r"^x must be a finite number, got nan"),
        (-math.inf, ValueError, r"^x must be a finite number, got -inf"),
        (np.float64("nan"), ValueError, r"^x must be a finite number, got nan"),
        (True, TypeError, r"^x must be a real number, got bool: True$"),
        (1j, TypeError, r"^x must be a real number or a Value, got complex: 1j$"),
        (10**400, OverflowError, r"^x got an integer too large for a float \(401 digits\)$"),
    ],
)
def test_finite_refuses_naming_what(value: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        finite(value, "x")


def test_finite_and_as_float_give_plain_floats() -> None:
    assert type(finite(np.float64(0.5))) is float and finite(3) == 3.0
    assert as_float(Value(2.0)) == 2.0


def test_a_value_compared_with_a_bool_or_nan_is_refused() -> None:
    # Before: Value(0.5) < True read True as 1, and every comparison with NaN quietly said False.
    v = Value(0.5)
    with pytest.raises(
        TypeError, match=r"^a Value compared with <, <=, > or >= must be a real number or a Value, got bool"
    ):
        _ = v < True
    for compare in (v.__lt__, v.__le__, v.__gt__, v.__ge__):
        with pytest.raises(ValueError, match=r"must be a number, got nan \(every comparison with NaN is False\)"):
            compare(math.nan)


def test_a_value_compares_with_numbers_infinities_and_values() -> None:
    v = Value(0.5)
    assert v < 1 and v <= 0.5 and v > -math.inf and v < math.inf and v >= Value(0.5)
    assert max([v, Value(2.0)]).data == 2.0
