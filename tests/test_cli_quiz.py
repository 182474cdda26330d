"""The ``quiz`` command, run through ``main(argv)`` with its answers scripted on stdin.

The questions themselves (levels, templates, answers, reading a typed answer) are tested in
test_teach_quiz.py, next to ``autograd_mini.teach.quiz`` which makes them.
"""

from __future__ import annotations

import io
import random

import pytest

from autograd_mini.cli import main
from autograd_mini.teach.quiz import Question, make_question


def _quiz(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], answers: str) -> str:
    """Run ``autograd-mini quiz ARGV`` reading ``answers``; check it ends with code 0 and nothing on stderr."""
    monkeypatch.setattr("sys.stdin", io.StringIO(answers))
    assert main(["quiz", *argv]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    return out


def _questions(level: str, seed: int, n: int) -> list[Question]:
    """The questions ``quiz --level LEVEL --seed SEED --questions N`` asks."""
    rng = random.Random(seed)
    return [make_question(level, rng) for _ in range(n)]


def _right(question: Question) -> str:
    return f"{question.answer!r}\n"


def test_a_seed_gives_the_same_questions_and_is_printed(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["--seed", "7", "--questions", "4"]
    first = _quiz(monkeypatch, capsys, argv, "1\n" * 4)
    assert _quiz(monkeypatch, capsys, argv, "1\n" * 4) == first
    assert "seed 7" in first.splitlines()[0]
    assert _quiz(monkeypatch, capsys, ["--seed", "8", "--questions", "4"], "1\n" * 4) != first


def test_without_a_seed_it_prints_the_one_it_drew_and_that_seed_asks_the_same(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _quiz(monkeypatch, capsys, ["--questions", "3"], "1\n" * 3)
    seed = first.split("seed ", 1)[1].split()[0]
    assert _quiz(monkeypatch, capsys, ["--questions", "3", "--seed", seed], "1\n" * 3) == first


def test_right_answers_score(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    questions = _questions("shared", 3, 2)
    answers = f"{questions[0].answer * (1 + 5e-4)!r}\n" + _right(questions[1])  # within the 1e-3 tolerance
    out = _quiz(monkeypatch, capsys, ["--level", "shared", "--seed", "3", "--questions", "2"], answers)
    assert out.count("\nright\n") == 2
    assert "not quite" not in out
    assert out.endswith("score: 2 of 2\n")


def test_a_wrong_answer_shows_the_right_value_and_the_derivation(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (question,) = _questions("chain", 1, 1)
    out = _quiz(monkeypatch, capsys, ["--seed", "1", "--questions", "1"], f"{question.answer + 1}\n")
    lines = out.splitlines()
    miss = next(line for line in lines if line.startswith("not quite: df/dx = "))
    assert float(miss.split("= ")[1]) == pytest.approx(question.answer, rel=1e-5)
    derivation = lines[lines.index(miss) + 1 :]
    assert derivation[0].startswith("df/dx by the chain rule")
    assert any(line.startswith("backward gives df/dx = ") for line in derivation)
    assert lines[-1] == "score: 0 of 1"


def test_the_tolerance_decides(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    (question,) = _questions("op", 2, 1)
    close = f"{question.answer * 1.005!r}\n"
    assert "not quite" in _quiz(monkeypatch, capsys, ["--level", "op", "--seed", "2", "--questions", "1"], close)
    argv = ["--level", "op", "--seed", "2", "--questions", "1", "--tolerance", "0.01"]
    assert "\nright\n" in _quiz(monkeypatch, capsys, argv, close)


def test_a_non_number_is_not_a_miss_and_is_asked_again_with_a_short_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: a second non-number in a row counted as a miss.
    first, second = _questions("op", 4, 2)
    answers = "abc\n" + _right(first) + "abc\nstill not\n1/0\n1,000\n" + _right(second)
    out = _quiz(monkeypatch, capsys, ["--level", "op", "--seed", "4", "--questions", "2"], answers)
    assert out.count("'abc': not a number: write one like 0.25, -3/4 or 1e-5 (or nan, inf, -inf); try again") == 2
    assert "'still not': not a number" in out
    assert "'1/0': a fraction over 0" in out and "'1,000': the comma is ambiguous" in out
    assert out.count("\nright\n") == 2 and "not quite" not in out
    assert out.endswith("score: 2 of 2\n")


class Recorded(io.StringIO):
    """stdin that records the most characters any read asked for or returned."""

    largest = 0

    def readline(self, size: int | None = -1) -> str:
        line = super().readline(size)
        Recorded.largest = max(Recorded.largest, len(line), size if size is not None and size >= 0 else 10**9)
        return line


@pytest.mark.parametrize("piece", ["9", "a"], ids=["digits", "letters"])
def test_a_10_mb_line_is_skipped_in_pieces_with_a_short_hint_and_asked_again(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], piece: str
) -> None:
    # Before: a 10 MB line of letters was echoed whole in the hint; one of digits read as inf (a miss).
    (question,) = _questions("op", 2, 1)
    Recorded.largest = 0
    monkeypatch.setattr("sys.stdin", Recorded(piece * 10_000_000 + "\n" + _right(question)))
    assert main(["quiz", "--level", "op", "--seed", "2", "--questions", "1"]) == 0
    out = capsys.readouterr().out
    assert "that line: longer than 64 characters, so not a number; try again" in out
    assert len(out) < 2_000 and piece * 30 not in out
    assert out.endswith("right\n\nscore: 1 of 1\n")
    assert Recorded.largest <= 1 << 16  # never asked for, nor given, the whole line at once


def test_an_answer_of_64_characters_is_read_and_one_of_65_is_not(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (question,) = _questions("op", 2, 1)
    exact = f"{question.answer!r}"
    argv = ["--level", "op", "--seed", "2", "--questions", "1"]
    padded = " " * (64 - len(exact)) + exact
    assert _quiz(monkeypatch, capsys, argv, padded + "\n").endswith("right\n\nscore: 1 of 1\n")
    out = _quiz(monkeypatch, capsys, argv, " " + padded + "\n" + exact + "\n")
    assert "longer than 64 characters" in out and out.endswith("score: 1 of 1\n")


def test_inf_nan_and_overflowing_numbers_are_read_by_the_shared_rules(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (question,) = _questions("op", 2, 1)  # a finite answer: inf is a wrong number, 1e400 not a number
    argv = ["--level", "op", "--seed", "2", "--questions", "1"]
    out = _quiz(monkeypatch, capsys, argv, "1e400\ninf\n")
    assert "'1e400': too large for a float" in out and "not quite" in out and out.endswith("score: 0 of 1\n")
    comma = f"{question.answer!r}".replace(".", ",") + "\n"
    assert "," in comma and _quiz(monkeypatch, capsys, argv, comma).endswith("right\n\nscore: 1 of 1\n")


@pytest.mark.parametrize("ending", ["\n", "q\n", "Q\n", "quit\n", ""], ids=["blank", "q", "Q", "quit", "eof"])
def test_a_blank_line_q_or_the_end_of_input_stops_with_the_score_so_far(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], ending: str
) -> None:
    (first,) = _questions("neuron", 5, 1)
    out = _quiz(monkeypatch, capsys, ["--level", "neuron", "--seed", "5"], _right(first) + ending)
    assert out.count("what is df/d") == 2
    assert out.endswith("score: 1 of 1 (stopped after 1 of 5 questions)\n")


def test_no_answer_at_all_scores_0_of_0(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    assert _quiz(monkeypatch, capsys, [], "").endswith("score: 0 of 0 (stopped after 0 of 5 questions)\n")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--level", "hard"], "invalid choice: 'hard'"),
        (["--questions", "0"], "--questions expects a whole number >= 1, got '0'"),
        (["--questions", "five"], "--questions expects a whole number >= 1, got 'five'"),
        (["--questions", "101"], "--questions 101 is more than 100"),
        (["--seed", "-1"], "--seed expects a whole number >= 0, got '-1'"),
        (["--tolerance", "0"], "--tolerance expects a number > 0, got '0'"),
        (["--tolerance", "nan"], "--tolerance expects a finite number, got 'nan'"),
        (["--tolerance", "2"], "--tolerance 2 is not below 1"),
    ],
)
def test_bad_options_give_one_line_and_a_hint(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    monkeypatch.setattr("sys.stdin", io.StringIO("1\n"))
    assert main(["quiz", *argv]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("autograd-mini: error: ") and message in lines[0]
    assert lines[1].startswith("  hint: ")


def test_help_shows_the_levels(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["quiz", "--help"]) == 0
    assert "--level {op,chain,shared,neuron}" in capsys.readouterr().out
