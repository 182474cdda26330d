"""The ``quiz`` command: random expressions, a point, "what is df/dx?"; a miss shows the chain rule.

The questions come from ``random.Random(seed)``, so one seed gives a whole class the same questions.
Each is written in the expression language (expr.py) and computed by the engine, never by ``eval``.
"""

from __future__ import annotations

import argparse
import math
import random
import sys
from typing import NamedTuple

from ..numeric import short_number
from ..teach import explain
from .common import PROG, CommandError, Parser, say
from .expr import Built, parse
from .train import _non_negative_int, _positive, _positive_int

LEVELS = ("op", "chain", "shared", "neuron")
#: The most questions one quiz asks.
MAX_QUESTIONS = 100
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
_ENDINGS = ("", "q", "quit")

QUIZ_EXAMPLES = f"""examples:
  {PROG} quiz
  {PROG} quiz --level chain --questions 10 --seed 42     (one seed: the whole class gets the same questions)
  {PROG} quiz --level neuron --tolerance 0.01

levels: op (one operation), chain (a function of a function), shared (x reached by two paths),
neuron (tanh, sigmoid or relu of x1*w1 + x2*w2 + b; asks for a weight's or the bias's gradient).
answer with a number (4 significant digits will do) or a fraction like 1/2; a blank line or q ends the quiz."""


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


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``quiz`` and its options to the command line."""
    quiz = commands.add_parser(
        "quiz",
        help="practise derivatives: random questions, checked, the chain rule shown on a miss",
        description="Ask for the derivative of random expressions at a point, check each answer, and show the\n"
        "chain-rule derivation of any that missed. Reads one answer a line from stdin.",
        epilog=QUIZ_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    add = quiz.add_argument
    add("--level", choices=LEVELS, default="chain", help="kind of expression (default: %(default)s)")
    add("--questions", metavar="N", type=_positive_int, default=5, help="how many (default: %(default)s)")
    add("--seed", metavar="S", type=_non_negative_int, help="same seed, same questions (default: a random one)")
    add("--tolerance", metavar="T", type=_positive, default=1e-3, help="relative tolerance (default: %(default)s)")
    quiz.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """The ``quiz`` command: ask, check, explain the misses, print the score."""
    if options.questions > MAX_QUESTIONS:
        raise CommandError(f"--questions {options.questions} is more than {MAX_QUESTIONS}", "ask for fewer questions")
    if options.tolerance >= 1:
        raise CommandError(f"--tolerance {options.tolerance:g} is not below 1", "a relative tolerance, e.g. 1e-3")
    seed = random.randrange(1_000_000) if options.seed is None else options.seed
    rng = random.Random(seed)
    questions = [make_question(options.level, rng) for _ in range(options.questions)]
    say(f"{len(questions)} questions, level {options.level}, seed {seed} (--seed {seed} asks them again)")
    say("answer with a number or a fraction like 1/2; a blank line or q ends the quiz")
    score = 0
    for number, question in enumerate(questions, 1):
        point = ", ".join(f"{name} = {short_number(value, 6)}" for name, value in question.values.items())
        say(f"\n{number}. f = {question.expression}; what is df/d{question.wrt} at {point}?")
        answer = _read_answer()
        if answer is None:
            say(f"\nscore: {score} of {number - 1} (stopped after {number - 1} of {len(questions)} questions)")
            return 0
        score += _check(question, answer, options.tolerance)
    say(f"\nscore: {score} of {len(questions)}")
    return 0


def make_question(level: str, rng: random.Random) -> Question:
    """A random question of ``level``, drawn again until it is defined and its answer a workable size.

    >>> question = make_question("op", random.Random(0))
    >>> question.wrt, parse(question.expression).names
    ('x', ('x',))
    """
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
    """d(expression)/d(wrt) by backward, or NaN where the expression or its derivative is undefined."""
    try:
        built = _built(expression, values)
        built.root.backward()
    except (ArithmeticError, ValueError):  # log of a negative number, 1/0, ...
        return math.nan
    return float(built.inputs[wrt].grad)


def _built(expression: str, values: dict[str, float]) -> Built:
    return parse(expression).build(values)


def parse_answer(text: str) -> float | None:
    """The finite number ``text`` writes, as a decimal (``-0.25``, ``1e-3``) or a fraction (``1/2``); else None.

    >>> parse_answer("0.25"), parse_answer(" -1/4 "), parse_answer("1/0"), parse_answer("x")
    (0.25, -0.25, None, None)
    """
    numerator, slash, denominator = text.strip().partition("/")
    try:
        number = float(numerator) / float(denominator) if slash else float(numerator)
    except (ValueError, ZeroDivisionError):
        return None
    return number if math.isfinite(number) else None


def _read_answer() -> float | None:
    """The next answer from stdin; None to stop (a blank line, q, or the end of input). A line that is
    not a number is asked again once with a hint; a second one counts as a miss (NaN)."""
    for attempt in range(2):
        text = _read_line().strip()
        if text.lower() in _ENDINGS:
            return None
        number = parse_answer(text)
        if number is not None:
            return number
        if attempt == 0:
            say(f"{text!r} is not a number: write one like 0.25, -3 or 1/2 (a blank line or q ends the quiz)")
    return math.nan


def _read_line() -> str:
    """One line of stdin; "" at its end, or when there is none to read (closed, not text)."""
    try:
        return sys.stdin.readline() if sys.stdin is not None else ""
    except (OSError, ValueError):
        return ""


def _check(question: Question, answer: float, tolerance: float) -> int:
    """Say whether ``answer`` is right (1) or not (0, with the right value and its derivation)."""
    if math.isclose(answer, question.answer, rel_tol=tolerance, abs_tol=1e-12):
        say("right")
        return 1
    built = _built(question.expression, question.values)
    say(f"not quite: df/d{question.wrt} = {short_number(question.answer, 6)}")
    say(explain(built.root, built.inputs[question.wrt]))
    return 0
