"""Tests for autograd_mini.checks: one convention, a wrong type is a TypeError and a wrong value a ValueError."""

from __future__ import annotations

import math
import random

import numpy as np
import pytest

from autograd_mini import checks


@pytest.mark.parametrize("good", [1, 7, np.int64(3), 10**30])
def test_count_takes_ints_of_every_kind(good: object) -> None:
    assert checks.count(good, "n") == int(good)  # type: ignore[call-overload]
    assert type(checks.count(good, "n")) is int


@pytest.mark.parametrize(
    ("value", "error", "message"),
    [
        (2.5, TypeError, "epochs must be an int >= 1, got float: 2.5"),
        (2.0, TypeError, "epochs must be an int >= 1, got float: 2.0"),
        (True, TypeError, "epochs must be an int >= 1, got bool: True"),
        ("3", TypeError, "epochs must be an int >= 1, got str: '3'"),
        (None, TypeError, "epochs must be an int >= 1, got NoneType: None"),
        (0, ValueError, "epochs must be an int >= 1, got 0"),
        (-5, ValueError, "epochs must be an int >= 1, got -5"),
    ],
)
def test_count_refuses_with_the_error_of_its_kind(value: object, error: type[Exception], message: str) -> None:
    with pytest.raises(error) as caught:
        checks.count(value, "epochs")
    assert str(caught.value) == message


def test_count_with_bounds() -> None:
    assert checks.count(0, "max_paths", least=0) == 0
    assert checks.count(60_000, "interval_ms", least=10, most=60_000) == 60_000
    with pytest.raises(ValueError, match=r"^interval_ms must be an int from 10 to 60,000, got 9$"):
        checks.count(9, "interval_ms", least=10, most=60_000)
    with pytest.raises(ValueError, match="got 60001"):
        checks.count(60_001, "interval_ms", least=10, most=60_000)


def test_the_issues_two_checkers_now_agree() -> None:
    """train._count(2.5) raised TypeError and teach._check_count(2.5) ValueError; now both go through count."""
    from autograd_mini import MLP, Value, explain, fit

    x = Value(1.0, label="x")
    with pytest.raises(TypeError, match=r"max_paths must be an int >= 0, got float: 2\.5"):
        explain(x * x, x, max_paths=2.5)
    with pytest.raises(TypeError, match=r"epochs must be an int >= 1, got float: 2\.5"):
        fit(MLP(1, [1], seed=0), [[0.0], [1.0]], [0, 1], epochs=2.5, progress=False)


@pytest.mark.parametrize(
    ("check", "good", "result"),
    [
        (checks.positive, 0.1, 0.1),
        (checks.positive, 3, 3.0),
        (checks.non_negative, 0, 0.0),
        (checks.nonzero, -1e-6, -1e-6),
        (checks.real, math.inf, math.inf),
    ],
)
def test_number_checks_give_floats(check, good, result) -> None:  # type: ignore[no-untyped-def]
    assert checks.real(good, "x") == float(good)
    assert check(good, "x") == result
    assert type(check(good, "x")) is float


@pytest.mark.parametrize(
    ("check", "value", "error", "message"),
    [
        (checks.positive, 0.0, ValueError, "lr must be a finite number > 0, got 0.0"),
        (checks.positive, -1, ValueError, "lr must be a finite number > 0, got -1"),
        (checks.positive, math.inf, ValueError, "lr must be a finite number > 0, got inf"),
        (checks.positive, math.nan, ValueError, "lr must be a finite number > 0, got nan"),
        (checks.positive, "0.1", TypeError, "lr must be a real number, got str: '0.1'"),
        (checks.positive, True, TypeError, "lr must be a real number, got bool: True"),
        (checks.positive, 1j, TypeError, "lr must be a real number, got complex: 1j"),
        (checks.non_negative, -0.5, ValueError, "lr must be a finite number >= 0, got -0.5"),
        (checks.nonzero, 0, ValueError, "lr must be a finite number other than 0, got 0"),
        (checks.nonzero, math.nan, ValueError, "lr must be a finite number other than 0, got nan"),
    ],
)
def test_number_checks_refuse_naming_the_argument(check, value, error, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(error) as caught:
        check(value, "lr")
    assert str(caught.value) == message


def test_number_in_reads_its_ends() -> None:
    assert checks.number_in(0.0, "momentum", 0.0, 1.0, high_open=True) == 0.0
    with pytest.raises(ValueError, match=r"^momentum must be a finite number >= 0 and < 1, got 1$"):
        checks.number_in(1, "momentum", 0.0, 1.0, high_open=True)
    with pytest.raises(ValueError, match=r"^factor must be a finite number > 0 and <= 1, got 0$"):
        checks.number_in(0, "factor", 0.0, 1.0, low_open=True)
    assert checks.number_in(1.0, "factor", 0.0, 1.0, low_open=True) == 1.0


def test_flag_seed_text_one_of_instance_function() -> None:
    assert checks.flag(False, "compiled") is False
    with pytest.raises(TypeError, match=r"^compiled must be True or False, got int: 1$"):
        checks.flag(1, "compiled")
    assert checks.seed(None) is None and checks.seed(np.int32(4)) == 4
    with pytest.raises(TypeError, match=r"^seed must be an int or None, got float: 1\.5$"):
        checks.seed(1.5)
    assert checks.text("t", "title") == "t"
    with pytest.raises(TypeError, match=r"^title must be a str, got bytes: b't'$"):
        checks.text(b"t", "title")
    assert checks.one_of("LR", "rankdir", ("LR", "TB")) == "LR"
    with pytest.raises(ValueError, match=r"^rankdir must be one of 'LR', 'TB', got 'lr'$"):
        checks.one_of("lr", "rankdir", ("LR", "TB"))
    with pytest.raises(ValueError, match="got 3"):
        checks.one_of(3, "rankdir", ("LR", "TB"))
    generator = random.Random(0)
    assert checks.instance(generator, random.Random, "rng") is generator
    with pytest.raises(TypeError, match=r"^rng must be a random\.Random, got int: 0$"):
        checks.instance(0, random.Random, "rng", "a random.Random")
    assert checks.function(len, "f") is len
    with pytest.raises(TypeError, match="f must be a function, got int: 3"):
        checks.function(3, "f")


def test_a_huge_value_is_not_echoed_back_whole() -> None:
    with pytest.raises(TypeError) as caught:
        checks.count("9" * 10_000_000, "epochs")
    assert len(str(caught.value)) < 150
    assert str(caught.value).endswith("…")


def test_missing_says_who_needs_the_package() -> None:
    error = checks.missing("numpy", "autograd_mini.datasets")
    assert isinstance(error, ModuleNotFoundError) and error.name == "numpy"
    assert str(error) == "autograd_mini.datasets needs numpy, which is not installed: pip install numpy"


# -- issue 19: seeds with a floor, ints beyond a float, ints too long to print --------------------


def test_seed_with_a_floor_names_the_argument() -> None:
    assert checks.seed(0, least=0) == 0 and checks.seed(None, least=0) is None
    assert checks.seed(-1) == -1  # without a floor (random.Random takes any int)
    with pytest.raises(ValueError, match=r"^seed must be an int >= 0 or None, got -1$"):
        checks.seed(-1, least=0)
    with pytest.raises(ValueError, match=r"^data_seed must be an int >= 0 or None, got -7$"):
        checks.seed(-7, "data_seed", least=0)
    with pytest.raises(TypeError, match=r"^seed must be an int >= 0 or None, got bool: False$"):
        checks.seed(False, least=0)


@pytest.mark.parametrize("check", [checks.positive, checks.non_negative, checks.nonzero, checks.number_in])
def test_an_int_beyond_a_float_is_a_value_error_naming_the_argument(check) -> None:  # type: ignore[no-untyped-def]
    # Before: Python's own OverflowError "int too large to convert to float", naming nothing.
    with pytest.raises(ValueError, match=r"^lr must be a finite number.*, got 1000000"):
        check(10**400, "lr")


def test_real_rounds_an_int_beyond_a_float_to_an_infinity() -> None:
    assert checks.real(10**400, "x") == math.inf and checks.real(-(10**400), "x") == -math.inf


def test_an_int_too_long_to_print_is_described_not_printed() -> None:
    # Python refuses to turn an int of more than 4,300 digits into text: the message must still be made.
    with pytest.raises(ValueError, match=r"^epochs must be an int from 1 to 10, got an int of about 5,001 digits$"):
        checks.count(10**5000, "epochs", most=10)
    assert checks.shown(10**5000) == "an int of about 5,001 digits"
