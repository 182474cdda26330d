"""Questions on derivatives: random expressions at a point, "what is df/dx?", answered by the engine.

The questions come from a ``random.Random`` the caller seeds, so one seed gives a whole class the
same questions. Each is written in the expression language (``autograd_mini.expr``) and computed by
the engine, never by ``eval``. ``autograd-mini quiz`` asks them, and ``teach.answers`` reads and
judges the typed answers.

A question's answer is the exact derivative to rounding: a question whose floats cannot give it
is drawn again. The slope of tanh and sigmoid far out on their tails is the one place where they
cannot: tanh(27) rounds to 1.0, so the engine's 1 - tanh(27)² is 0 where the slope is about
1.4e-23, and tanh(x³) at x = 3 would state df/dx = 0 for a true 3.8e-22.

>>> import random
>>> question = make_question("chain", random.Random(3))
>>> question.expression, question.wrt
('log(4*x + 2)', 'x')
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable
from typing import NamedTuple

from .. import checks
from ..engine import Value, topological_order
from ..expr import Built, parse

LEVELS = ("op", "chain", "shared", "neuron")
#: The functions a question uses: those whose derivative a student is expected to know.
QUIZ_FUNCTIONS = ("exp", "log", "sqrt", "tanh", "sigmoid", "sin", "cos")
# The templates of each level: {f} and {g} are two different functions, {a} and {b} whole numbers 2 to 4.
TEMPLATES = {
    "op": ("{a}*x", "x**{a}", "{a}/x", "x/{a}", "{f}(x)", "{g}(x)"),
    "chain": ("{f}({a}*x)", "{f}(x**{a})", "{f}({a}*x + {b})", "{f}({g}(x))", "{f}({g}({a}*x))"),
    "shared": ("x*{f}(x)", "{f}(x) + {a}*x", "{f}(x)/x", "x**{a} * {f}(x)", "{f}(x) * {g}(x)", "{f}(x*x + x)"),
    "neuron": ("tanh(x1*w1 + x2*w2 + b)", "sigmoid(x1*w1 + x2*w2 + b)", "relu(x1*w1 + x2*w2 + b)"),
}
X_VALUES = (0.5, 1.0, 1.5, 2.0, 2.5, 3.0)
NEURON_VALUES = tuple(k / 2 for k in range(-4, 5))
# A question's gradient is exactly 0 (a dead relu) or within these sizes, so that answers are worked, not guessed.
SMALLEST_ANSWER, LARGEST_ANSWER = 1e-3, 1e3
#: How close the engine's slope of a saturating function must be to its exact value (below): it
#: may lose 7 of its 16 digits, never more.
SLOPE_REL_TOL = 1e-9


def _tanh_slope(u: float) -> float:
    """1 - tanh(u)² = 4e^(-2|u|) / (1 + e^(-2|u|))²: no cancellation, whatever the size of u."""
    tail = math.exp(-2 * abs(u))
    return 4 * tail / (1 + tail) ** 2


def _sigmoid_slope(u: float) -> float:
    """s(u)(1 - s(u)) = e^(-|u|) / (1 + e^(-|u|))²: no cancellation, whatever the size of u."""
    tail = math.exp(-abs(u))
    return tail / (1 + tail) ** 2


#: The functions whose slope is never 0 in exact arithmetic, each with that slope written so that it
#: keeps its digits where the engine's form has lost them (or underflowed: exp's own slope).
EXACT_SLOPES: dict[str, Callable[[float], float]] = {"tanh": _tanh_slope, "sigmoid": _sigmoid_slope, "exp": math.exp}


class Question(NamedTuple):
    """One question: d(expression)/d(wrt) at ``values``, whose answer the engine's backward gives.

    Attributes:
        expression: the function, in the expression language.
        values: a number for each of its names.
        wrt: the name to differentiate with respect to.
        answer: the gradient.
    """

    expression: str
    values: dict[str, float]
    wrt: str
    answer: float


def make_question(level: str, rng: random.Random) -> Question:
    """A random question of ``level``, drawn again until it is defined and its answer a workable size.

    >>> question = make_question("op", random.Random(0))
    >>> question.wrt, parse(question.expression).names
    ('x', ('x',))
    """
    checks.one_of(level, "level", LEVELS)
    checks.instance(rng, random.Random, "rng", "a random.Random")
    while True:
        functions = rng.sample(QUIZ_FUNCTIONS, 2)
        a, b = rng.randint(2, 4), rng.randint(2, 4)
        expression = rng.choice(TEMPLATES[level]).format(f=functions[0], g=functions[1], a=a, b=b)
        if level == "neuron":
            values = {name: rng.choice(NEURON_VALUES) for name in ("x1", "w1", "x2", "w2", "b")}
            wrt = rng.choice(("w1", "w2", "b"))
            if values["x1"] * values["w1"] + values["x2"] * values["w2"] + values["b"] == 0:
                continue  # relu has no derivative at 0
        else:
            values, wrt = {"x": rng.choice(X_VALUES)}, "x"
        answer = _gradient(expression, values, wrt)
        if answer == 0 or SMALLEST_ANSWER <= abs(answer) <= LARGEST_ANSWER:
            return Question(expression, values, wrt, answer)


def _gradient(expression: str, values: dict[str, float], wrt: str) -> float:
    """d(expression)/d(wrt) by backward; NaN where the expression or its derivative is undefined, or
    where a slope has lost its digits, so that the answer would not be the exact one."""
    try:
        built = _built(expression, values)
        built.root.backward()
    except (ArithmeticError, ValueError):  # log of a negative number, 1/0, ...
        return math.nan
    if lost_digits(built.root):
        return math.nan
    return float(built.inputs[wrt].grad)


def lost_digits(root: Value) -> bool:
    """Whether a saturating function's slope in the graph of ``root`` is not its exact value to rounding.

    >>> from autograd_mini import Value
    >>> lost_digits(Value(27.0).tanh()), lost_digits(Value(3.0).tanh())   # tanh(27) rounds to 1.0
    (True, False)
    """
    for node in topological_order(root):
        exact_slope = EXACT_SLOPES.get(node.op)
        if exact_slope is None:
            continue
        exact = exact_slope(node.parents[0].data)
        if exact < sys.float_info.min or not math.isclose(node.local_grads[0], exact, rel_tol=SLOPE_REL_TOL):
            return True
    return False


def built(question: Question) -> Built:
    """The question's graph, built afresh (nothing computed backward yet): for showing its derivation."""
    return _built(question.expression, question.values)


def _built(expression: str, values: dict[str, float]) -> Built:
    return parse(expression).build(values)
