"""The ``quiz`` command: random expressions, a point, "what is df/dx?"; a miss shows the chain rule.

The questions are made by ``autograd_mini.teach.quiz`` from ``random.Random(seed)``, so one seed
gives a whole class the same questions; this module asks them, reads the answers and keeps the score.
Answers are read and judged by ``autograd_mini.teach.answers``, the rules the step page's predict
mode follows too. A line that is not a number is not a miss: the quiz says why and asks again.
"""

from __future__ import annotations

import argparse
import random
import sys

from ..numeric import short_number
from ..teach.answers import MAX_ANSWER_CHARS, SPACE, Refused, clipped, judge, read_answer
from ..teach.explanation import explain
from ..teach.quiz import LEVELS, Question, built, make_question
from .common import PROG, CommandError, Parser, non_negative_int, positive_int, positive_number, say

#: The most questions one quiz asks.
MAX_QUESTIONS = 100
_ENDINGS = ("", "q", "quit")
#: How much of an over-long line is read at a time while it is skipped.
_CHUNK = 1 << 16

QUIZ_EXAMPLES = f"""examples:
  {PROG} quiz
  {PROG} quiz --level chain --questions 10 --seed 42     (one seed: the whole class gets the same questions)
  {PROG} quiz --level neuron --tolerance 0.01

levels: op (one operation), chain (a function of a function), shared (x reached by two paths),
neuron (tanh, sigmoid or relu of x1*w1 + x2*w2 + b; asks for a weight's or the bias's gradient).
answer with a number (4 significant digits will do: right is within 0.1%), a fraction like 1/2, or
a decimal comma (0,5); a line that is not a number is asked again. A blank line or q ends the quiz."""


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
    add("--questions", metavar="N", type=positive_int, default=5, help="how many (default: %(default)s)")
    add("--seed", metavar="S", type=non_negative_int, help="same seed, same questions (default: a random one)")
    add(
        "--tolerance", metavar="T", type=positive_number, default=1e-3, help="relative tolerance (default: %(default)s)"
    )
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


def _read_answer() -> float | None:
    """The next answer from stdin; None to stop (a blank line, q, or the end of input). A line that is
    not a number is not an answer: a short hint says why (quoting at most a few dozen characters of
    it), and the next line is read."""
    while True:
        text = _read_line()
        if len(text) <= MAX_ANSWER_CHARS and text.strip(SPACE).lower() in _ENDINGS:
            return None
        answer = read_answer(text)
        if not isinstance(answer, Refused):
            return answer
        typed = "that line" if answer.reason == "too_long" else clipped(text)
        say(f"{typed}: {answer.message}; try again (a blank line or q ends the quiz)")


def _read_line() -> str:
    """One line of stdin without its line break; "" at its end, or when there is none to read (closed,
    not text). A line longer than an answer can be is read only that far and the rest skipped, so a
    10 MB line is never held whole."""
    try:
        if sys.stdin is None:
            return ""
        line = sys.stdin.readline(MAX_ANSWER_CHARS + 1)
        if len(line) > MAX_ANSWER_CHARS and not line.endswith("\n"):  # too long to be an answer
            while (chunk := sys.stdin.readline(_CHUNK)) and not chunk.endswith("\n"):
                pass  # the rest of the line, skipped a chunk at a time
    except (OSError, ValueError):
        return ""
    return line.removesuffix("\n")


def _check(question: Question, answer: float, tolerance: float) -> int:
    """Say whether ``answer`` is right (1) or not (0, with the right value and its derivation)."""
    if judge(answer, question.answer, tolerance):
        say("right")
        return 1
    graph = built(question)
    say(f"not quite: df/d{question.wrt} = {short_number(question.answer, 6)}")
    say(explain(graph.root, graph.inputs[question.wrt]))
    return 0
