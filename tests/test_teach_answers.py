"""teach.answers: reading a typed answer and judging it against a gradient.

The cases are one table, tests/answer_cases.json, which test_page_browser.py runs against the step
page's JavaScript too: the page and the quiz read and judge every line alike.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from autograd_mini.teach.answers import (
    MAX_ANSWER_CHARS,
    REASONS,
    REL_TOL,
    ZERO_FLOOR,
    Refused,
    clipped,
    judge,
    page_rules,
    read_answer,
)

CASES = json.loads((Path(__file__).parent / "answer_cases.json").read_text(encoding="utf-8"))


def case_text(case: dict[str, Any]) -> str:
    """The line a case types: its text, or a piece repeated (and what follows it)."""
    if "text" in case:
        return str(case["text"])
    piece, times = case["repeat"]
    return str(piece) * int(times) + str(case.get("then", ""))


def case_number(written: float | str) -> float:
    """A number of the table: JSON has no NaN or infinities, so those are written as strings."""
    return float(written)


def case_id(case: dict[str, Any]) -> str:
    text = case_text(case)
    return repr(text if len(text) <= 30 else f"{text[:12]}…({len(text)} characters)")


def same_number(a: float, b: float) -> bool:
    """Equal as floats, NaN equal to NaN, and 0 told from -0."""
    return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a) == math.copysign(1, b))


@pytest.mark.parametrize("case", CASES["reading"], ids=case_id)
def test_every_line_of_the_table_reads_as_it_says(case: dict[str, Any]) -> None:
    read = read_answer(case_text(case))
    if "refused" in case:
        assert read == Refused(case["refused"])
    else:
        assert isinstance(read, float) and same_number(read, case_number(case["number"])), read


@pytest.mark.parametrize("case", CASES["judging"], ids=lambda case: f"{case['text']} for {case['gradient']}")
def test_every_answer_of_the_table_is_judged_as_it_says(case: dict[str, Any]) -> None:
    read = read_answer(case["text"])
    assert isinstance(read, float), read
    assert judge(read, case_number(case["gradient"])) is case["right"]


def test_the_table_covers_every_reason_and_the_cases_of_the_issue() -> None:
    refused = {case["refused"] for case in CASES["reading"] if "refused" in case}
    assert refused == set(REASONS)
    judged = {(case["text"], str(case["gradient"]), case["right"]) for case in CASES["judging"]}
    assert {("0", "3e-18", False), ("inf", "inf", True), ("nan", "nan", True)} <= judged


class Watched(str):
    """A line that fails the test if anything reads it beyond its length."""

    __slots__ = ()

    def __getattribute__(self, name: str) -> Any:
        if name not in {"__len__", "__class__"}:
            raise AssertionError(f"read_answer looked at the line ({name}) before refusing it")
        return super().__getattribute__(name)


def test_a_line_longer_than_the_cap_is_refused_before_it_is_parsed() -> None:
    # Before: parse_answer stripped and parsed it, and a 10 MB line of digits read as inf.
    for line in ("9" * 10_000_000, "abc" * 3_000_000):
        assert read_answer(Watched(line)) == Refused("too_long")
    assert read_answer("9" * MAX_ANSWER_CHARS) == float("9" * MAX_ANSWER_CHARS)  # the cap itself is allowed
    with pytest.raises(AssertionError, match="looked at the line"):  # the watch works
        Watched("1").strip()


def test_overflowing_and_underflowing_literals_are_not_the_numbers_a_float_makes_of_them() -> None:
    assert read_answer("1e400") == Refused("too_large")  # float("1e400") is inf: not the same as typing inf
    assert read_answer("1e-400") == Refused("too_small")  # float("1e-400") is 0
    assert judge(math.inf, math.inf) and read_answer("inf") == math.inf


def test_tiny_gradients_are_judged_relatively_and_only_exact_zeros_get_the_floor() -> None:
    for gradient in (3e-18, 3.8e-22, -1e-300, 2.5e-308):
        assert not judge(0.0, gradient)
        assert judge(gradient * (1 + REL_TOL / 2), gradient)
        assert not judge(gradient * (1 + 2 * REL_TOL), gradient)
    assert judge(ZERO_FLOOR, 0.0) and judge(-ZERO_FLOOR, 0.0) and not judge(2 * ZERO_FLOOR, 0.0)


def test_judge_takes_a_tolerance_and_checks_its_arguments() -> None:
    assert judge(1.005, 1.0, 0.01) and not judge(1.005, 1.0)
    with pytest.raises(ValueError, match=r"^rel_tol must be a finite number > 0 and < 1, got 0$"):
        judge(1.0, 1.0, 0)
    with pytest.raises(TypeError, match=r"^answer must be a real number, got str: '1'$"):
        judge("1", 1.0)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^gradient must be a real number, got bool: True$"):
        judge(1.0, True)
    with pytest.raises(TypeError, match=r"^text must be a str, got float: 1.0$"):
        read_answer(1.0)  # type: ignore[arg-type]


def test_messages_never_repeat_what_was_typed_and_a_hint_quotes_only_its_start() -> None:
    assert all(len(message) <= 80 for message in REASONS.values())
    assert Refused("too_long").message == f"longer than {MAX_ANSWER_CHARS} characters, so not a number"
    assert len(clipped("x" * MAX_ANSWER_CHARS)) <= 26 and clipped(" abc \n") == "'abc'"


def test_the_page_gets_every_constant_and_message_from_here() -> None:
    rules = page_rules()
    assert (rules["maxChars"], rules["relTol"], rules["zeroFloor"]) == (MAX_ANSWER_CHARS, REL_TOL, ZERO_FLOOR)
    assert rules["reasons"] == REASONS
    assert json.loads(json.dumps(rules)) == rules  # plain JSON, as the page reads it
