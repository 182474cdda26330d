"""teach.gradient_check: gradcheck passing on correct rules and failing on a 1% slip, and the engine
against central differences on random smooth expressions.

Expected numbers are worked out by hand in the comments, or come from an independent method
(central differences on plain floats, run by a program that never touches a Value).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mini
from autograd_mini import Value, gradcheck, gradients, numeric_grad, tanh
from autograd_mini.rules import RULES, Rule

# -- random smooth expressions, as small programs run on floats or on Values ------------------

# Each op maps earlier values (a, b) to a new one; all are smooth and stay moderate in size on
# inputs in [-2, 2], so central differences are accurate to about 1e-9 relative.
SMOOTH_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "tanh": lambda a, b: autograd_mini.tanh(a),
    "sin": lambda a, b: autograd_mini.sin(a),
    "cos": lambda a, b: autograd_mini.cos(a),
    "sigmoid": lambda a, b: autograd_mini.sigmoid(a),
    "soft_div": lambda a, b: a / (1 + b * b),
    "soft_sqrt": lambda a, b: autograd_mini.sqrt(1 + a * a),
}

Program = tuple[int, list[tuple[str, int, int]]]


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """A straight-line program: n inputs, then steps (op, i, j) each reading two earlier slots."""
    n_inputs = draw(st.integers(1, 3))
    steps = []
    for k in range(draw(st.integers(1, 8))):
        slots = n_inputs + k
        steps.append(
            (
                draw(st.sampled_from(sorted(SMOOTH_OPS))),
                draw(st.integers(0, slots - 1)),
                draw(st.integers(0, slots - 1)),
            )
        )
    return n_inputs, steps


def run(program: Program) -> Callable[..., Any]:
    """The program as a function; it works on floats and on Values alike."""

    def f(*xs: Any) -> Any:
        slots = list(xs)
        for op, i, j in program[1]:
            slots.append(SMOOTH_OPS[op](slots[i], slots[j]))
        return slots[-1]

    return f


def points(n: int) -> st.SearchStrategy[list[float]]:
    return st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n)


# -- gradcheck --------------------------------------------------------------------------------

CORRECT_CASES: list[tuple[str, Callable[..., Value], tuple[float, ...]]] = [
    ("polynomial", lambda x, y: x * x * y - 3 * y + 1, (1.5, -0.5)),
    ("division", lambda x, y: x / y, (2.0, -3.0)),
    ("power", lambda x, y: x**y, (1.7, 2.3)),
    ("transcendental", lambda x: (x.exp() + x.log() + x.sqrt()).tanh(), (0.8,)),
    ("trig", lambda x, y: x.sin() * y.cos() - x.sigmoid(), (0.3, 1.1)),
    ("abs and relu", lambda x, y: abs(x) * y.relu() - x, (-1.2, 0.9)),
    ("neuron", lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(), (2.0, 0.0, -3.0, 1.0, 6.88)),
]


@pytest.mark.parametrize(("name", "f", "xs"), CORRECT_CASES, ids=[case[0] for case in CORRECT_CASES])
def test_gradcheck_passes_on_correct_rules(name: str, f: Callable[..., Value], xs: tuple[float, ...]) -> None:
    report = gradcheck(f, *xs, raise_on_failure=True)
    assert report.ok and not report.failures
    assert len(report.rows) == len(xs)
    for row in report.rows:
        assert row.abs_error <= 1e-6 + 1e-4 * abs(row.numeric)


def test_gradcheck_report_rows_hold_the_worked_numbers() -> None:
    # f = x * y at (2, 5): df/dx = 5, df/dy = 2
    report = gradcheck(lambda x, y: x * y, Value(2.0, label="x"), 5.0)
    first, second = report.rows
    assert (first.name, second.name) == ("x", "x1")  # a Value's label names its row; others by position
    assert (first.analytic, second.analytic) == (5.0, 2.0)
    assert first.numeric == pytest.approx(5.0, rel=1e-9)
    assert second.numeric == pytest.approx(2.0, rel=1e-9)
    assert first.abs_error == abs(first.analytic - first.numeric)
    text = str(report)
    assert "ok" in text.splitlines()[0]
    assert "analytic" in text and "numeric" in text
    assert len(text.splitlines()) == 4  # heading, column names, one line per input


def _off_by_one_percent(rule: Rule) -> Rule:
    """The same rule with every local derivative 1% too large: the kind of slip gradcheck must catch."""
    return Rule(rule.forward, lambda *args: tuple(1.01 * d for d in rule.derivative(*args)))


def test_gradcheck_fails_on_a_derivative_off_by_one_percent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "tanh", _off_by_one_percent(RULES["tanh"]))
    # tanh() the module function looks the rule up at call time, so it uses the broken one.
    report = gradcheck(lambda x, y: tanh(x) * y, 0.5, 2.0)
    assert not report.ok
    assert [row.name for row in report.failures] == ["x0"]  # y's derivative does not go through tanh
    (bad,) = report.failures
    # analytic = 1.01 * (1 - tanh(0.5)**2) * 2, numeric = the true value: 1% relative error
    true_slope = (1 - math.tanh(0.5) ** 2) * 2.0
    assert bad.analytic == pytest.approx(1.01 * true_slope, rel=1e-12)
    assert bad.numeric == pytest.approx(true_slope, rel=1e-8)
    assert bad.rel_error == pytest.approx(0.01, rel=1e-5)
    assert "FAILED for 1 of 2 inputs" in str(report)
    assert "NO" in str(report).splitlines()[2]


def test_gradcheck_raises_listing_the_mismatch_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "sin", _off_by_one_percent(RULES["sin"]))
    x = Value(0.3, label="angle")
    with pytest.raises(AssertionError, match=r"gradcheck failed for 1 of 1 inputs:\n  angle: analytic .* vs numeric"):
        gradcheck(lambda v: v.apply("sin"), x, raise_on_failure=True)


def test_gradcheck_catches_a_wrong_second_input_of_a_binary_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    forward, _ = RULES["*"]
    monkeypatch.setitem(RULES, "*", Rule(forward, lambda a, b, out: (b, 1.01 * a)))
    report = gradcheck(lambda x, y: x.apply("*", y), 3.0, 4.0)
    assert [row.ok for row in report.rows] == [True, False]


def test_gradcheck_failures_and_errors() -> None:
    with pytest.raises(ValueError, match="at least one point"):
        gradcheck(lambda x: x)
    with pytest.raises(ValueError, match="rtol"):
        gradcheck(lambda x: x, 1.0, rtol=-1.0)
    with pytest.raises(ValueError, match=r"^rtol must be a finite number >= 0, got -1$"):
        gradcheck(lambda x: x, 1.0, rtol=-1)
    with pytest.raises(TypeError, match=r"^raise_on_failure must be True or False, got int: 1$"):
        gradcheck(lambda x: x, 1.0, raise_on_failure=1)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="result of f in gradcheck must be a real number or a Value, got str"):
        gradcheck(lambda x: "x", 1.0)


def test_gradcheck_never_passes_a_nan_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    forward, _ = RULES["exp"]
    monkeypatch.setitem(RULES, "exp", Rule(forward, lambda a, out: (math.nan,)))
    report = gradcheck(lambda x: x.apply("exp"), 0.0, atol=1e9, rtol=1e9)
    assert not report.ok
    assert math.isnan(report.rows[0].abs_error)


def test_gradcheck_of_a_constant_function_passes_with_zero_gradients() -> None:
    report = gradcheck(lambda x: 3.0, 1.0)
    assert report.ok and report.rows[0].analytic == 0.0 and report.rows[0].numeric == 0.0


@settings(max_examples=50, deadline=None)
@given(program=programs(), data=st.data())
def test_gradcheck_passes_on_random_smooth_expressions(program: Program, data: st.DataObject) -> None:
    xs = data.draw(points(program[0]))
    report = gradcheck(run(program), *xs)
    assert report.ok, str(report)


@settings(max_examples=50, deadline=None)
@given(program=programs(), data=st.data())
def test_engine_gradients_match_central_differences_on_plain_floats(program: Program, data: st.DataObject) -> None:
    # The reference never touches a Value: the same program run on floats.
    xs = data.draw(points(program[0]))
    leaves = [Value(x) for x in xs]
    out = run(program)(*leaves)
    assert isinstance(out, Value)
    grads = gradients(out)
    for leaf, expected in zip(leaves, numeric_grad(run(program), *xs), strict=True):
        assert grads.get(leaf, 0.0) == pytest.approx(expected, rel=1e-4, abs=1e-6)
