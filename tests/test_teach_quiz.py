"""teach.quiz: questions on derivatives at four levels, each answered by the engine and checked
against central differences and against exact derivatives in 150-digit arithmetic.

The ``quiz`` command that asks them is tested in test_cli_quiz.py; how typed answers are read and
judged, in test_teach_answers.py.
"""

from __future__ import annotations

import ast
import decimal
import math
import random
import re
from collections.abc import Callable
from decimal import Decimal

import pytest
from differences import central_difference

from autograd_mini import Value
from autograd_mini.expr import parse
from autograd_mini.teach.quiz import (
    LEVELS,
    QUIZ_FUNCTIONS,
    TEMPLATES,
    Question,
    built,
    lost_digits,
    make_question,
)


def _questions(level: str, seed: int, n: int) -> list[Question]:
    """The questions ``quiz --level LEVEL --seed SEED --questions N`` asks."""
    rng = random.Random(seed)
    return [make_question(level, rng) for _ in range(n)]


def _as_function(question: Question) -> Callable[[float], float]:
    """The question's function of its ``wrt`` alone, the other values held."""
    expression = parse(question.expression)
    return lambda t: float(expression.build({**question.values, question.wrt: t}).root.data)


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_asks_valid_questions_whose_answer_is_the_derivative(level: str) -> None:
    for question in _questions(level, 0, 40):
        expression = parse(question.expression)
        assert set(expression.names) == set(question.values)
        assert question.wrt in expression.names

        built = expression.build(question.values)
        built.root.backward()
        assert built.inputs[question.wrt].grad == question.answer
        numeric = central_difference(_as_function(question), question.values[question.wrt], h=1e-6)
        assert math.isclose(question.answer, numeric, rel_tol=1e-5, abs_tol=1e-8), question
        assert question.answer == 0 or 1e-3 <= abs(question.answer) <= 1e3


def test_the_levels_ask_what_they_say() -> None:
    assert {q.expression.count("(") for q in _questions("op", 0, 40)} <= {0, 1}
    assert all(q.expression.count("x") >= 2 for q in _questions("shared", 0, 40))
    neurons = _questions("neuron", 0, 40)
    assert {q.wrt for q in neurons} == {"w1", "w2", "b"}
    assert {q.expression.split("(")[0] for q in neurons} == {"tanh", "sigmoid", "relu"}


def test_every_template_parses_with_every_pair_of_functions() -> None:
    pairs = [(f, g) for f in QUIZ_FUNCTIONS for g in QUIZ_FUNCTIONS if f != g]
    for level, templates in TEMPLATES.items():
        names = {"x1", "w1", "x2", "w2", "b"} if level == "neuron" else {"x"}
        for template in templates:
            for f, g in pairs:
                assert set(parse(template.format(f=f, g=g, a=2, b=3)).names) == names, (level, template)
    assert set(TEMPLATES) == set(LEVELS)


def _pattern(template: str) -> re.Pattern[str]:
    """The expressions ``template`` makes: {f} and {g} a function's name, {a} and {b} a whole number."""
    fields = {"{f}": r"[a-z]+", "{g}": r"[a-z]+", "{a}": r"\d", "{b}": r"\d"}
    pieces = re.split(r"(\{[fgab]\})", template)
    return re.compile("".join(fields.get(piece, re.escape(piece)) for piece in pieces))


@pytest.mark.parametrize("level", LEVELS)
def test_every_template_of_a_level_is_asked(level: str) -> None:
    asked = [question.expression for question in _questions(level, 0, 200)]
    for template in TEMPLATES[level]:
        assert any(_pattern(template).fullmatch(expression) for expression in asked), template
    assert all(any(_pattern(t).fullmatch(expression) for t in TEMPLATES[level]) for expression in asked)


def test_built_gives_a_fresh_graph_of_the_question() -> None:
    (question,) = _questions("shared", 6, 1)
    graph = built(question)
    assert graph.inputs[question.wrt].grad == 0.0  # nothing computed backward yet
    graph.root.backward()
    assert graph.inputs[question.wrt].grad == question.answer
    assert built(question).inputs[question.wrt].grad == 0.0  # built afresh each time


def test_make_question_refuses_a_bad_level_or_generator() -> None:
    with pytest.raises(ValueError, match=r"^level must be one of 'op', 'chain', 'shared', 'neuron', got 'hard'$"):
        make_question("hard", random.Random(0))
    with pytest.raises(TypeError, match=r"^rng must be a random.Random, got int: 3$"):
        make_question("op", 3)  # type: ignore[arg-type]


# -- the stated answer is the exact derivative: dual numbers in 150-digit decimal arithmetic --------
#
# Independent of the engine and of the quiz: the expression's text is walked as a Python syntax tree
# (never evaluated), each operation carrying (value, derivative) as Decimals with 150 digits and an
# exponent range far beyond a float's, so a slope of 1e-141000 is that, not 0. The derivatives of
# tanh and sigmoid are written as sech² and e^-|u| / (1 + e^-|u|)², which keep their digits on the
# tails. A derivative that is 0 here is 0 in exact arithmetic: only exact zeros (a dead relu, a
# factor that is exactly 0, sin(0), e·1 - e·1) give it.

DIGITS = decimal.Context(prec=150, Emin=decimal.MIN_EMIN, Emax=decimal.MAX_EMAX)
Dual = tuple[Decimal, Decimal]


def _pi() -> Decimal:
    """π to DIGITS' precision (the decimal module's recipe)."""
    with decimal.localcontext(DIGITS) as context:
        context.prec += 5
        three = Decimal(3)
        last, t, s, n, na, d, da = 0, three, 3, 1, 0, 0, 24
        while s != last:
            last = s
            n, na = n + na, na + 8
            d, da = d + da, da + 32
            t = (t * n) / d
            s += t
    return +s


PI = _pi()


def _sin_cos(u: Decimal) -> tuple[Decimal, Decimal]:
    """sin u and cos u by their Taylor series, after taking whole turns off u."""
    with decimal.localcontext(DIGITS) as context:
        context.prec += 10
        u = u.remainder_near(2 * PI)
        sin, cos, term, k = Decimal(0), Decimal(0), Decimal(1), 0
        while term != 0 and (k < 4 or abs(term) > Decimal(10) ** -(context.prec + 2)):
            if k % 2 == 0:
                cos += term if k % 4 == 0 else -term
            else:
                sin += term if k % 4 == 1 else -term
            k += 1
            term = term * u / k
    return +sin, +cos


def _function(name: str, value: Decimal) -> tuple[Decimal, Decimal]:
    """(f(value), f'(value)) for the expression language's functions, each written out by hand."""
    if name == "exp":
        e = value.exp()
        return e, e
    if name == "log":
        return value.ln(), 1 / value
    if name == "sqrt":
        root = value.sqrt()
        return root, 1 / (2 * root)
    if name == "sin":
        sin, cos = _sin_cos(value)
        return sin, cos
    if name == "cos":
        sin, cos = _sin_cos(value)
        return cos, -sin
    if name == "tanh":  # tanh u = sign(u)(1 - e^-2|u|)/(1 + e^-2|u|), sech² u = 4e^-2|u| / (1 + e^-2|u|)²
        tail = (-2 * abs(value)).exp()
        return (1 - tail) / (1 + tail) * (1 if value >= 0 else -1), 4 * tail / (1 + tail) ** 2
    if name == "sigmoid":  # σ(u) = 1/(1 + e^-u), σ'(u) = e^-|u| / (1 + e^-|u|)²
        tail = (-abs(value)).exp()
        return (1 / (1 + tail) if value >= 0 else tail / (1 + tail)), tail / (1 + tail) ** 2
    if name == "relu":
        return (value, Decimal(1)) if value > 0 else (Decimal(0), Decimal(0))
    raise AssertionError(f"no reference for {name}")


def _dual(node: ast.expr, values: dict[str, Dual]) -> Dual:
    """(value, derivative) of one node of the expression's syntax tree."""
    if isinstance(node, ast.Constant):
        return Decimal(node.value), Decimal(0)
    if isinstance(node, ast.Name):
        return values[node.id]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        v, d = _dual(node.operand, values)
        return -v, -d
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        v, d = _dual(node.args[0], values)
        f, slope = _function(node.func.id, v)
        return f, slope * d
    if isinstance(node, ast.BinOp):
        (a, da), (b, db) = _dual(node.left, values), _dual(node.right, values)
        if isinstance(node.op, ast.Add):
            return a + b, da + db
        if isinstance(node.op, ast.Sub):
            return a - b, da - db
        if isinstance(node.op, ast.Mult):
            return a * b, da * b + a * db
        if isinstance(node.op, ast.Div):
            return a / b, (da * b - a * db) / (b * b)
        if isinstance(node.op, ast.Pow) and db == 0 and b == b.to_integral_value():
            return a**b, b * a ** (b - 1) * da
    raise AssertionError(f"no reference for {ast.dump(node)}")


def exact_derivative(expression: str, values: dict[str, float], wrt: str) -> Decimal:
    """d(expression)/d(wrt) at ``values``, to about 150 digits (every float value is exact in Decimal)."""
    tree = ast.parse(expression, mode="eval").body
    duals = {name: (Decimal(value), Decimal(name == wrt)) for name, value in values.items()}
    with decimal.localcontext(DIGITS):
        return _dual(tree, duals)[1]


def test_the_exact_reference_agrees_with_hand_worked_derivatives_and_central_differences() -> None:
    # tanh(x³) at 3: 3x² sech²(27) = 27 · 4e^-54 / (1 + e^-54)², about 3.8e-22, not the 0 floats give
    by_hand = 27 * 4 * math.exp(-54) / (1 + math.exp(-54)) ** 2
    assert math.isclose(float(exact_derivative("tanh(x**3)", {"x": 3.0}, "x")), by_hand, rel_tol=1e-12)
    assert float(exact_derivative("x*sin(x)", {"x": 2.0}, "x")) == pytest.approx(math.sin(2) + 2 * math.cos(2))
    assert exact_derivative("exp(x)/x", {"x": 1.0}, "x") == 0  # e·1 - e·1: exactly 0
    assert exact_derivative("sigmoid(x**4)", {"x": 2.5}, "x") > 0  # sigmoid(39.0625) rounds to 1.0 in floats
    for expression in ("cos(log(2*x + 1))", "sqrt(x) * tanh(x)", "sigmoid(-x**3)/x", "sin(exp(x))"):
        f = parse(expression)
        numeric = central_difference(lambda t, f=f: float(f.build({"x": t}).root.data), 1.3, h=1e-6)
        assert float(exact_derivative(expression, {"x": 1.3}, "x")) == pytest.approx(numeric, rel=1e-7)


def test_the_exact_reference_catches_an_answer_that_floats_rounded_to_0() -> None:
    # what make_question returned before: tanh(x³) at x = 3 with answer 0.0
    assert exact_derivative("tanh(x**3)", {"x": 3.0}, "x") != 0
    assert not _states_the_exact_answer(Question("tanh(x**3)", {"x": 3.0}, "x", 0.0))


def _states_the_exact_answer(question: Question) -> bool:
    """The question's float answer is the exact derivative to rounding (1e-9), and 0 only where that is 0."""
    exact = exact_derivative(question.expression, question.values, question.wrt)
    if exact == 0:
        return question.answer == 0
    return abs(Decimal(question.answer) - exact) <= Decimal("1e-9") * abs(exact)


@pytest.mark.parametrize("level", LEVELS)
def test_every_question_states_the_exact_answer(level: str) -> None:
    wrong = [q for seed in range(120) for q in _questions(level, seed, 10) if not _states_the_exact_answer(q)]
    assert wrong == []


def test_questions_whose_floats_lose_the_slope_are_drawn_again() -> None:
    asked = {(q.expression, q.values["x"]) for seed in range(300) for q in _questions("chain", seed, 10)}
    assert ("tanh(x**3)", 3.0) not in asked and ("sigmoid(x**4)", 2.5) not in asked
    assert ("tanh(x**3)", 1.0) in asked  # the template stays, at points where floats keep the slope


def test_lost_digits_finds_a_saturated_slope_and_only_that() -> None:
    x = Value(2.5, label="x")
    assert lost_digits((x**4).sigmoid())  # sigmoid(39.0625) rounds to 1.0: slope 0 for about 1e-17
    assert lost_digits(Value(27.0).tanh()) and lost_digits(Value(-27.0).tanh())
    assert lost_digits(Value(-800.0).exp())  # underflows to 0, where e^-800 is not 0
    assert not lost_digits((x * 2).tanh()) and not lost_digits(x.sigmoid()) and not lost_digits(x.exp())
    assert not lost_digits((x * x + x).sin())  # no saturating function at all
