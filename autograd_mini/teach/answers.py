"""Typed answers: what a line of text says as a number, and whether it is the gradient asked for.

One set of rules for the quiz (``autograd-mini quiz``) and the step page's predict mode. This module
is the reference; the page's JavaScript (``show/assets/step_page.js``) follows the same rules with
the constants that ``page_rules`` hands it, and ``tests/answer_cases.json`` holds both to one table.

Reading (``read_answer``): a line longer than MAX_ANSWER_CHARS is refused before anything else
is looked at. Then, with spaces, tabs and line breaks around it taken off, it is

* a decimal number: ``-0.25``, ``.5``, ``3``, ``1e-3``, ``2.5E+4``, written with ASCII digits;
* a decimal comma where it cannot be a thousands separator: ``0,5`` and ``1,25`` are numbers,
  ``1,000`` and ``12,345`` are refused as ambiguous;
* a fraction of two such numbers: ``1/2``, ``-3/4``, ``1.5 / 2``;
* one of the words ``nan``, ``inf``, ``-inf`` (also ``+inf``, ``infinity``, any case): the only
  way to write a NaN or an infinite gradient.

A number a float cannot hold is refused, not rounded to what it is not: ``1e400`` is not ``inf``
and ``1e-400`` is not ``0``. Everything else (``abc``, an empty line, ``1/0``) is a ``Refused``
whose ``message`` says why in a few words and never repeats what was typed.

Judging (``judge``): right means within REL_TOL of the gradient, relatively, however small the
gradient is (typing 0 for 3e-18 is wrong); an exact 0 is answered by anything within ZERO_FLOOR of
0; a NaN gradient only by ``nan``, an infinite one only by the infinity of the same sign.

>>> read_answer(" -3/4 "), read_answer("0,5"), read_answer("inf")
(-0.75, 0.5, inf)
>>> read_answer("1e400").message
'too large for a float (for an infinite gradient type inf)'
>>> judge(read_answer("0"), 3e-18), judge(read_answer("3.0e-18"), 3e-18)
(False, True)
"""

from __future__ import annotations

import math
import re
from typing import Any, NamedTuple

from .. import checks

#: The longest answer line read: a float needs at most 17 significant digits and an exponent, so a
#: line beyond this is not a number anyone typed; it is refused before it is parsed.
MAX_ANSWER_CHARS = 64
#: How far an answer may be from a non-zero finite gradient, relative to it: 0.1%, so a gradient
#: rounded to the 4 significant digits that the page and the quiz show is always right.
REL_TOL = 1e-3
#: How far from 0 an answer to a gradient of exactly 0 may be. Only exact zeros get this floor:
#: any other gradient, however small, is judged relatively.
ZERO_FLOOR = 1e-12
#: The characters taken off both ends of a line: ASCII whitespace only (the page's JavaScript
#: uses the same set, not its own idea of whitespace).
SPACE = " \t\n\r\f\v"

_NUMBER = r"[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?"
#: An answer, as regular expressions the page's JavaScript reads too (ASCII only, no flags but i).
PATTERNS = {
    "word": r"^(?:[+-]?inf(?:inity)?|nan)$",
    "fraction": rf"^({_NUMBER})(?:[ \t]*/[ \t]*({_NUMBER}))?$",
    "ambiguous_comma": r"^[+-]?0*[1-9][0-9]*,[0-9]{3}(?:[eE]|$)",
}
_WORD = re.compile(PATTERNS["word"], re.IGNORECASE | re.ASCII)
_FRACTION = re.compile(PATTERNS["fraction"], re.ASCII)
_AMBIGUOUS_COMMA = re.compile(PATTERNS["ambiguous_comma"], re.ASCII)

#: Why a line is not an answer, as the quiz and the page say it.
REASONS = {
    "empty": "nothing typed",
    "too_long": f"longer than {MAX_ANSWER_CHARS} characters, so not a number",
    "not_a_number": "not a number: write one like 0.25, -3/4 or 1e-5 (or nan, inf, -inf)",
    "ambiguous_comma": "the comma is ambiguous (1,000 could be 1 or 1000): write 1.000 or 1000",
    "too_large": "too large for a float (for an infinite gradient type inf)",
    "too_small": "too small for a float: it would read as 0 (for a gradient of 0 type 0)",
    "zero_denominator": "a fraction over 0 (for an infinite gradient type inf or -inf)",
}


class Refused(NamedTuple):
    """A line that is not a number that can be compared with a gradient.

    Attributes:
        reason: a key of REASONS.
    """

    reason: str

    @property
    def message(self) -> str:
        """Why, in a few words (never what was typed)."""
        return REASONS[self.reason]


def read_answer(text: str) -> float | Refused:
    """The number a typed line writes, or why it is not one (see the module's rules).

    Args:
        text: the line, as typed (a trailing line break is fine).

    Returns:
        A float (``nan``, ``inf`` and ``-inf`` only from those words), or a Refused.

    >>> read_answer("2.5e-1"), read_answer("1,000"), read_answer("x" * 10**7)
    (0.25, Refused(reason='ambiguous_comma'), Refused(reason='too_long'))
    """
    checks.text(text, "text")
    if len(text) > MAX_ANSWER_CHARS:  # before anything walks the line
        return Refused("too_long")
    line = text.strip(SPACE)
    if not line:
        return Refused("empty")
    if _WORD.match(line):
        return float(line)  # Python's float reads every form the pattern allows
    match = _FRACTION.match(line)
    if match is None:
        return Refused("not_a_number")
    numerator = _decimal(match.group(1))
    if isinstance(numerator, Refused) or match.group(2) is None:
        return numerator
    denominator = _decimal(match.group(2))
    if isinstance(denominator, Refused):
        return denominator
    return _quotient(numerator, denominator)


def _decimal(text: str) -> float | Refused:
    """One decimal number the pattern matched, as a float; refused if a float cannot hold it."""
    if _AMBIGUOUS_COMMA.match(text):
        return Refused("ambiguous_comma")
    number = float(text.replace(",", "."))
    if math.isinf(number):
        return Refused("too_large")
    if number == 0 and re.search("[1-9]", re.split("[eE]", text)[0]):
        return Refused("too_small")
    return number


def _quotient(numerator: float, denominator: float) -> float | Refused:
    """numerator / denominator, refused where it is not a float that means the fraction."""
    if denominator == 0:
        return Refused("zero_denominator")
    quotient = numerator / denominator
    if math.isinf(quotient):
        return Refused("too_large")
    if quotient == 0 and numerator != 0:
        return Refused("too_small")
    return quotient


def judge(answer: float, gradient: float, rel_tol: float = REL_TOL) -> bool:
    """Whether ``answer`` is ``gradient``: within ``rel_tol`` relatively; ZERO_FLOOR for an exact 0;
    NaN only for NaN, an infinity only for the same infinity.

    Args:
        answer: the typed number, as ``read_answer`` gives it.
        gradient: the true gradient.
        rel_tol: the relative tolerance, from 0 (excluded) to 1 (excluded).

    >>> judge(0.1235, 0.12345678), judge(0.123, 0.12345678), judge(1e-13, 0.0)
    (True, False, True)
    >>> judge(float("inf"), float("inf")), judge(1e308, float("inf")), judge(float("nan"), float("nan"))
    (True, False, True)
    """
    answer, gradient = checks.real(answer, "answer"), checks.real(gradient, "gradient")
    rel_tol = checks.number_in(rel_tol, "rel_tol", 0.0, 1.0, low_open=True, high_open=True)
    if math.isnan(gradient):
        return math.isnan(answer)
    if not (math.isfinite(gradient) and math.isfinite(answer)):
        return answer == gradient
    if gradient == 0:
        return abs(answer) <= ZERO_FLOOR
    return abs(answer - gradient) <= rel_tol * abs(gradient)


def page_rules() -> dict[str, Any]:
    """The constants, patterns and messages of these rules, as the step page's JavaScript reads them.

    >>> rules = page_rules()
    >>> rules["maxChars"], rules["relTol"], rules["zeroFloor"]
    (64, 0.001, 1e-12)
    """
    return {
        "maxChars": MAX_ANSWER_CHARS,
        "relTol": REL_TOL,
        "zeroFloor": ZERO_FLOOR,
        "space": SPACE,
        "patterns": PATTERNS,
        "reasons": REASONS,
    }


def clipped(text: str, most: int = 24) -> str:
    """The start of what was typed, for a hint: at most ``most`` characters, "…" where it was cut.

    >>> clipped("abc"), clipped("y" * 100, 5)
    ("'abc'", "'yyyy…'")
    """
    checks.text(text, "text")
    checks.count(most, "most")
    line = text.strip(SPACE)
    return repr(line if len(line) <= most else line[: most - 1] + "…")
