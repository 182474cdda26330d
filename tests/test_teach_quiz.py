"""teach.quiz: questions on derivatives at four levels, each answered by the engine and checked
against central differences; typed answers read as numbers or fractions.

The ``quiz`` command that asks them is tested in test_cli_quiz.py.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Callable

import pytest
from differences import central_difference

from autograd_mini.expr import parse
from autograd_mini.teach.quiz import LEVELS, QUIZ_FUNCTIONS, TEMPLATES, Question, built, make_question, parse_answer


def _questions(level: str, seed: int, n: int) -> list[Question]:
    """The questions ``quiz --level LEVEL --seed SEED --questions N`` asks."""
    rng = random.Random(seed)
    return [make_question(level, rng) for _ in range(n)]


def test_a_fraction_is_an_answer() -> None:
    assert parse_answer("1/2") == 0.5
    assert parse_answer("-3/4") == -0.75
    assert parse_answer("2.5e-1") == 0.25
    for text in ("", "abc", "1/0", "1/2/3", "nan", "inf", "1/x"):
        assert parse_answer(text) is None, text


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
