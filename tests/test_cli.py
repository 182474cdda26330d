"""The command line, run in-process through ``main(argv)`` and, twice, as a user would run it.

Expected numbers are worked by hand (closed-form derivatives), never copied from the output.
"""

from __future__ import annotations

import errno
import math
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from autograd_mini import fileio, load
from autograd_mini.cli import main
from autograd_mini.cli import train as train_command
from autograd_mini.cli.demo import _demo_pictures
from autograd_mini.cli.grad import parse_values
from autograd_mini.datasets import make_moons
from autograd_mini.expr import FUNCTIONS, parse
from autograd_mini.rules import RULES
from autograd_mini.show import plots


def _numbers(stdout: str) -> dict[str, float]:
    """``{"f": value, "df/dx": gradient, ...}`` read back from the grad command's lines."""
    found = {}
    for line in stdout.splitlines():
        match = re.fullmatch(r"(f|df/d\w+)\s*= (?:.* = )?(\S+)", line)
        if match:
            found[match.group(1)] = float(match.group(2))
    return found


def _fails_cleanly(capsys: pytest.CaptureFixture[str], argv: list[str], trained: bool = False) -> str:
    """Run a mistaken command: exit code 2, one error line plus one hint line, and nothing on stdout
    but, for a run refused once training has started, the two lines that say what it trains."""
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert [line.split(":")[0] for line in out.splitlines()] == (["data", "model"] if trained else [])
    lines = err.strip().splitlines()
    assert len(lines) == 2, err
    assert lines[0].startswith("autograd-mini: error: ")
    assert lines[1].startswith("  hint: ")
    assert "Traceback" not in err
    return err


# ---------------------------------------------------------------- grad


def test_grad_prints_the_value_and_hand_worked_gradients(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grad", "tanh(x*w + b)", "x=0.5", "w=-1.2", "b=0.3"]) == 0
    found = _numbers(capsys.readouterr().out)
    y = math.tanh(0.5 * -1.2 + 0.3)
    slope = 1 - y * y
    assert found["f"] == pytest.approx(y, rel=1e-5)
    assert found["df/dx"] == pytest.approx(slope * -1.2, rel=1e-5)
    assert found["df/dw"] == pytest.approx(slope * 0.5, rel=1e-5)
    assert found["df/db"] == pytest.approx(slope, rel=1e-5)


def test_grad_with_a_name_used_twice(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grad", "x**2 * sin(x)", "x=1.5"]) == 0
    found = _numbers(capsys.readouterr().out)
    assert found["df/dx"] == pytest.approx(2 * 1.5 * math.sin(1.5) + 1.5**2 * math.cos(1.5), rel=1e-5)


def test_grad_explain_spells_out_the_chain_rule_for_each_input(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grad", "a*b + a", "a=2", "b=5", "--explain"]) == 0
    out = capsys.readouterr().out
    assert "df/da by the chain rule" in out and "df/db by the chain rule" in out
    assert "2 paths from a to f" in out  # a reaches f through a*b and directly
    assert "backward gives df/da = 6" in out  # b + 1


def test_grad_names_nodes_in_reading_order_and_constants_by_their_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "graph.dot"
    assert main(["grad", "x**2 * sin(x)", "x=1.5", "--explain", "--draw", str(target)]) == 0
    out = capsys.readouterr().out
    assert "path 1: x → n1 → f" in out and "path 2: x → n2 → f" in out  # x**2 is read first
    assert "where n1 = x**2, n2 = sin(x)" in out  # every automatic name is said, where it first appears
    source = target.read_text(encoding="utf-8")
    assert "<b>n1</b>" in source and "<b>n2</b>" in source and "<b>2</b>" in source
    assert "n3" not in source and "<b>const" not in source  # the constant 2 gets no node name


def test_grad_names_the_demo_neuron_without_gaps(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "graph.dot"
    values = ["x1=2", "x2=0", "w1=-3", "w2=1", "b=6.88"]
    assert main(["grad", "tanh(x1*w1 + x2*w2 + b)", *values, "--explain", "--draw", str(target)]) == 0
    assert "path 1: x1 → n1 → n3 → n4 → f" in capsys.readouterr().out
    source = target.read_text(encoding="utf-8")
    assert all(f"<b>n{k}</b>" in source for k in range(1, 5)) and "<b>n5</b>" not in source  # tanh is f


def test_grad_draws_dot_source(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "sub" / "graph.dot"
    assert main(["grad", "x*y", "x=2", "y=3", "--draw", str(target)]) == 0
    source = target.read_text(encoding="utf-8")
    assert source.startswith("digraph") and "x" in source and "y" in source
    assert str(target) in capsys.readouterr().out


@pytest.mark.parametrize(("suffix", "magic"), [(".svg", b"<?xml"), (".png", b"\x89PNG"), (".pdf", b"%PDF")])
def test_grad_renders_pictures_with_graphviz(tmp_path: Path, suffix: str, magic: bytes) -> None:
    target = tmp_path / f"graph{suffix}"
    assert main(["grad", "tanh(x)", "x=1", "--draw", str(target)]) == 0
    assert target.read_bytes().startswith(magic)


def test_grad_writes_the_step_page(tmp_path: Path) -> None:
    target = tmp_path / "steps.html"
    assert main(["grad", "x*y + x", "x=2", "y=3", "--steps", str(target)]) == 0
    html = target.read_text(encoding="utf-8")
    assert html.lstrip().lower().startswith("<!doctype html") and "<svg" in html


def test_grad_of_a_constant_has_nothing_to_differentiate(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grad", "2 + 3 * 4"]) == 0
    out = capsys.readouterr().out
    assert _numbers(out)["f"] == 14.0 and "nothing to differentiate" in out


def test_grad_prints_six_significant_digits_and_minus_zero_as_zero(capsys: pytest.CaptureFixture[str]) -> None:
    # f = x*0 at x = -1 is -0.0 in floating point, shown as 0; df/dx = 0; 1/3 keeps 6 significant digits.
    assert main(["grad", "x*0", "x=-1"]) == 0
    assert main(["grad", "x/3", "x=1"]) == 0
    assert capsys.readouterr().out.splitlines() == [
        "f = x*0 = 0",
        "df/dx = 0",
        "f = x/3 = 0.333333",
        "df/dx = 0.333333",
    ]


def test_grad_help_lists_every_one_input_primitive_of_the_rules_table(capsys: pytest.CaptureFixture[str]) -> None:
    # The functions an expression may call come from the rules table: the named primitives but
    # "neg", which is written as unary minus; each takes one input.
    assert (
        set(FUNCTIONS)
        == {"abs", "exp", "log", "sqrt", "tanh", "sigmoid", "relu", "softplus", "sin", "cos"}
        < set(RULES)
    )
    assert main(["grad", "--help"]) == 0
    assert " ".join(FUNCTIONS) in capsys.readouterr().out


def test_an_expression_starting_with_minus_goes_after_double_dash(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grad", "--", "-x*y", "x=1", "y=2"]) == 0
    found = _numbers(capsys.readouterr().out)
    assert (found["f"], found["df/dx"], found["df/dy"]) == (-2.0, -2.0, -1.0)
    err = _fails_cleanly(capsys, ["grad", "-x*y", "x=1", "y=2"])
    assert "goes after --" in err


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        (["grad", "tanh(x*w + b)", "x=0.5"], "no value given for w, b"),
        (["grad", "x", "x=1", "z=2"], "does not use z"),
        (["grad", "x", "x"], "expected NAME=VALUE, got 'x'"),
        (["grad", "x", "x=abc"], "'abc' in 'x=abc' is not a number"),
        (["grad", "x", "x=nan"], "not a finite number"),
        (["grad", "x", "1x=2"], "is not a name"),
        (["grad", "x", "x=1", "x=2"], "given twice"),
        (["grad", "foo(x)", "x=1"], "unknown function 'foo'"),
        (["grad", "x.__class__", "x=1"], "attribute access"),
        (["grad", "x ** 99999", "x=1"], "exponent 99999 is too large"),
        (["grad", "x +", "x=1"], "syntax error"),
        (["grad", "log(x)", "x=-1"], "log: the input must be > 0"),
        (["grad", "1 / (x - x)", "x=1"], "division by zero"),
        (["grad", "x", "x=1", "--draw", "graph.txt"], "unknown file type '.txt'"),
        (["grad"], "required: expression"),
        (["nonsense"], "invalid choice: 'nonsense'"),
    ],
)
def test_user_mistakes_give_one_line_a_hint_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], argv: list[str], fragment: str
) -> None:
    assert fragment in _fails_cleanly(capsys, argv)


def test_a_refused_draw_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _fails_cleanly(capsys, ["grad", "x", "x=1", "--draw", str(tmp_path / "graph.gif")])
    assert list(tmp_path.iterdir()) == []


def test_a_folder_that_cannot_be_written_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    err = _fails_cleanly(capsys, ["grad", "x", "x=1", "--draw", str(blocker / "graph.dot")])
    assert "cannot write" in err


def test_parse_values_keeps_the_order_given() -> None:
    assert list(parse_values(["b=1", "a=-2.5e-1"]).items()) == [("b", 1.0), ("a", -0.25)]


@pytest.mark.parametrize("argv", [[], ["--help"], ["grad", "--help"], ["train", "--help"], ["demo", "--help"]])
def test_help_exits_0_and_shows_examples(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "autograd-mini" in out
    assert "example" in out.lower()


# ---------------------------------------------------------------- as a user runs it


def test_python_dash_m_runs_grad_in_a_fresh_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograd_mini", "grad", "tanh(x*w + b)", "x=0.5", "w=-1.2", "b=0.3"],
        capture_output=True,
        text=True,
        check=True,
    )
    y = math.tanh(0.5 * -1.2 + 0.3)
    assert _numbers(result.stdout)["df/dw"] == pytest.approx((1 - y * y) * 0.5, rel=1e-5)


def test_python_dash_m_reports_a_mistake_without_a_traceback() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "autograd_mini", "grad", "__import__('os').system('echo hi')"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stdout == ""
    assert "Traceback" not in result.stderr and "hint:" in result.stderr


# ---------------------------------------------------------------- train


def _printed(out: str, key: str) -> float:
    match = re.search(rf"^{key}: ([0-9.e+-]+)", out, re.MULTILINE)
    assert match, out
    return float(match.group(1))


def test_train_writes_plots_and_a_model_that_loads_back(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "--samples", "30", "--hidden", "4", "--epochs", "3", "--seed", "1", "--out", str(tmp_path)]
    assert main([*argv, "--no-progress"]) == 0
    out = capsys.readouterr().out
    for name in ("loss_curve.png", "decision_boundary.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
        assert f"wrote {tmp_path / name}" in out
    # The saved model is the network trained: it loads back and classifies the data (moons, seed 1) as printed.
    model = load(tmp_path / "model.json")
    assert model.nouts == [4, 1]
    points, labels = make_moons(30, seed=1)
    right = sum(int(model(list(row))[0].data > 0) == label for row, label in zip(points, labels, strict=True))
    assert 0 < right <= 30
    assert 0 < _printed(out, "final loss") < 10
    assert [name for name in (path.name for path in tmp_path.iterdir()) if name.startswith(".")] == []  # no temp files


def test_the_printed_loss_and_accuracy_are_the_last_point_of_the_plot(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The issue: `train --lr 1e6 --optimizer sgd` printed "an accuracy that disagrees with its own plot" and a
    # 146-digit loss. Now both lines are the last epoch's numbers, which loss_curve.png ends with.
    plotted = []
    drawn = plots.loss_curve
    monkeypatch.setattr(
        plots,
        "loss_curve",
        lambda loss, accuracy, **kw: plotted.append((loss, accuracy)) or drawn(loss, accuracy, **kw),
    )
    argv = ["train", "--lr", "1e6", "--optimizer", "sgd", "--samples", "40", "--epochs", "20", "--out", str(tmp_path)]
    assert main([*argv, "--no-progress"]) == 0
    out = capsys.readouterr().out
    ((loss, accuracy),) = plotted
    assert loss[-1] > 1e4  # the steps are far too large: the loss grows
    assert re.search(r"^final loss: -?\d(\.\d{1,3})?(e[+-]\d+)? \(", out, re.MULTILINE), out  # 4 significant digits
    assert _printed(out, "final loss") == pytest.approx(loss[-1], rel=1e-3)
    assert re.search(
        rf"^final accuracy: {accuracy[-1]:.3f} \(during the last epoch, as loss_curve.png shows\)$", out, re.MULTILINE
    )
    assert "(the loss rose, from " in out and "try a smaller --lr)" in out


def test_train_with_three_classes_uses_one_output_per_class(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "--data", "blobs", "--samples", "30", "--hidden", "3", "--epochs", "2", "--out", str(tmp_path)]
    assert main([*argv, "--no-progress"]) == 0
    out = capsys.readouterr().out
    assert "3 classes" in out and "-> 3 linear" in out and "loss cross_entropy" in out
    assert load(tmp_path / "model.json").nouts == [3, 3]


def test_train_on_ten_features_skips_the_boundary_plot(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "--data", "credit", "--samples", "20", "--hidden", "", "--epochs", "1", "--out", str(tmp_path)]
    assert main([*argv, "--no-progress"]) == 0
    assert "no decision boundary plot: credit has 10 features" in capsys.readouterr().out
    assert sorted(path.name for path in tmp_path.iterdir()) == ["loss_curve.png", "model.json"]


def _final_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith(("final loss:", "final accuracy:"))]


@pytest.mark.parametrize(
    "options",
    [
        ["--samples", "40", "--hidden", "6", "--epochs", "5", "--batch-size", "8"],  # moons: one logit
        ["--data", "blobs", "--samples", "30", "--hidden", "4", "--epochs", "4", "--loss", "hinge"],  # 3 outputs
        ["--samples", "30", "--hidden", "4", "--epochs", "3", "--loss", "mse", "--optimizer", "sgd", "--seed", "3"],
    ],
)
def test_train_compiled_and_eager_print_the_same_final_loss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], options: list[str]
) -> None:
    outs = []
    for engine in ([], ["--eager"]):
        assert (
            main(["train", *options, *engine, "--out", str(tmp_path / (engine or ["compiled"])[0]), "--no-progress"])
            == 0
        )
        outs.append(capsys.readouterr().out)
    compiled, eager = outs
    assert re.search(r"^model: .*, compiled$", compiled, re.MULTILINE), compiled
    assert re.search(r"^model: .*, eager$", eager, re.MULTILINE), eager
    assert len(_final_lines(compiled)) == 2 and _final_lines(compiled) == _final_lines(eager)


@pytest.mark.parametrize("command", ["train", "demo"])
def test_help_explains_eager_in_one_line(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    assert main([command, "--help"]) == 0
    lines = capsys.readouterr().out.splitlines()
    (i,) = [i for i, line in enumerate(lines) if line.startswith("  --eager ")]
    assert "not compiled" in lines[i] and "same results" in lines[i]
    assert lines[i + 1] == ""  # nothing wrapped onto a second line


@pytest.mark.parametrize(
    ("option", "fragment"),
    [
        (["--hidden", "16,x"], "--hidden expects sizes such as 16,16 (whole numbers >= 1, comma-separated), got"),
        (["--hidden", "16,²"], "--hidden expects sizes such as 16,16"),
        (["--epochs", "0"], "--epochs expects a whole number >= 1, got '0'"),
        (
            ["--epochs", "²"],
            "--epochs expects a whole number >= 1, got '²'",
        ),  # the issue: "invalid _positive_int value"
        (["--batch-size", "2.5"], "--batch-size expects a whole number >= 1, got '2.5'"),
        (["--seed", "-1"], "--seed expects a whole number >= 0, got '-1'"),
        (["--seed", "x"], "--seed expects a whole number >= 0, got 'x'"),
        (["--lr", "-1"], "--lr expects a number > 0, got '-1'"),
        (["--lr", "inf"], "--lr expects a finite number, got 'inf'"),
        (["--noise", "lots"], "--noise expects a number, got 'lots'"),
        (["--data", "mnist"], "invalid choice: 'mnist'"),
        (["--activation", "gelu"], "invalid choice: 'gelu'"),
        # Refused by autograd_mini.train, said the command line's way:
        (["--samples", "1"], "1 sample(s) of moons hold only one class"),
        (["--data", "blobs", "--loss", "binary_cross_entropy"], "binary_cross_entropy is for 2 classes"),
    ],
)
def test_train_mistakes_give_one_line_a_hint_and_exit_code_2(
    capsys: pytest.CaptureFixture[str], option: list[str], fragment: str
) -> None:
    assert fragment in _fails_cleanly(capsys, ["train", *option])


def test_train_into_a_folder_that_cannot_be_made_fails_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", encoding="utf-8")
    err = _fails_cleanly(capsys, ["train", "--out", str(blocker / "run"), "--no-progress"])
    assert "cannot make the folder" in err


# ---------------------------------------------------------------- demo


def test_demo_prints_the_neuron_and_writes_every_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--out", str(tmp_path), "--no-progress"]) == 0
    out = capsys.readouterr().out
    # o = tanh(n) with n = x1*w1 + x2*w2 + b = -6 + 0 + 6.8814 = 0.8814 = atanh(1/sqrt(2)); do/dn = 1 - o**2 = 0.5.
    found = _numbers(out)
    assert found["f"] == pytest.approx(1 / math.sqrt(2), rel=1e-5)
    assert (found["df/dx1"], found["df/dw1"], found["df/dx2"], found["df/dw2"], found["df/db"]) == pytest.approx(
        (0.5 * -3.0, 0.5 * 2.0, 0.5 * 1.0, 0.5 * 0.0, 0.5)
    )
    assert "df/dw1 by the chain rule" in out
    names = {"graph.svg", "graph.png", "steps.html", "loss_curve.png", "decision_boundary.png", "model.json"}
    assert {path.name for path in tmp_path.iterdir()} == names
    assert _printed(out, "final accuracy") >= 0.95  # moons is easy for a 16-16 network
    assert str(tmp_path) in out


def test_the_demo_trains_eagerly_on_request_to_the_same_final_loss(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", "--eager", "--out", str(tmp_path / "demo"), "--no-progress"]) == 0
    eager = capsys.readouterr().out
    # The demo's training is `train --hidden 16,16 --epochs 40` (compiled by default).
    assert (
        main(["train", "--hidden", "16,16", "--epochs", "40", "--out", str(tmp_path / "train"), "--no-progress"]) == 0
    )
    compiled = capsys.readouterr().out
    assert ", eager\n" in eager and ", compiled\n" in compiled
    assert len(_final_lines(eager)) == 2 and _final_lines(eager) == _final_lines(compiled)


# ---------------------------------------------------------------- without Graphviz, and fuzzed


def test_without_graphviz_pictures_fail_cleanly_but_dot_source_works(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))  # no `dot` program to find
    err = _fails_cleanly(capsys, ["grad", "x*y", "x=1", "y=2", "--draw", str(tmp_path / "graph.svg")])
    assert "Graphviz" in err and "--draw graph.dot" in err
    assert not (tmp_path / "graph.svg").exists()
    assert main(["grad", "x*y", "x=1", "y=2", "--draw", str(tmp_path / "graph.dot")]) == 0
    assert (tmp_path / "graph.dot").read_text(encoding="utf-8").startswith("digraph")


def _crashing_dot(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """PATH starts with a ``dot`` that dies of SIGSEGV, as Graphviz's does on some graphs."""
    dot = folder / "dot"
    dot.write_text("#!/bin/sh\nkill -SEGV $$\n", encoding="utf-8")
    dot.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


def test_a_crashing_dot_is_one_line_with_a_hint_not_a_traceback(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _crashing_dot(tmp_path, monkeypatch)
    err = _fails_cleanly(capsys, ["grad", "x*y", "x=1", "y=2", "--draw", str(tmp_path / "graph.svg")])
    assert "dot crashed drawing the graph (signal SIGSEGV)" in err and "--draw graph.dot" in err
    err = _fails_cleanly(capsys, ["grad", "x*y", "x=1", "y=2", "--steps", str(tmp_path / "steps.html")])
    assert "dot crashed" in err
    assert not (tmp_path / "graph.svg").exists() and not (tmp_path / "steps.html").exists()


def test_a_value_used_hundreds_of_times_is_drawn_or_refused_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Graphviz 2.43.0 dies of SIGSEGV laying out this graph (x feeds 300 additions); a later one may draw it.
    code = main(["grad", "+".join(["x"] * 300), "x=1", "--draw", str(tmp_path / "graph.svg")])
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert (code, (tmp_path / "graph.svg").exists()) in {(0, True), (2, False)}
    if code == 0:
        assert "df/dx = 300" in out
    else:  # refused before anything is printed: no gradients without the picture asked for
        assert out == "" and len(err.strip().splitlines()) == 2 and "dot" in err


def test_the_demo_without_graphviz_writes_the_dot_source_and_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing-here"))
    root = parse("x * y").build({"x": 1.0, "y": 2.0}).root
    (line,) = _demo_pictures(root, tmp_path)
    assert line.startswith(f"wrote {tmp_path / 'graph.dot'}") and "Graphviz" in line
    assert [path.name for path in tmp_path.iterdir()] == ["graph.dot"]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(max_size=30), st.lists(st.text(max_size=8), max_size=3))
def test_random_grad_arguments_end_in_0_or_2_never_a_traceback(
    capsys: pytest.CaptureFixture[str], expression: str, values: list[str]
) -> None:
    code = main(["grad", "--", expression, *values])
    out, err = capsys.readouterr()
    assert code in (0, 2)
    assert "Traceback" not in err
    if code == 2:
        assert err.startswith("autograd-mini: error: ") and out == ""


def test_grad_names_the_output_after_the_inputs(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["grad", "f*g + 1", "f=2", "g=3"]) == 0
    assert capsys.readouterr().out.splitlines() == ["h = f*g + 1 = 7", "dh/df = 3", "dh/dg = 2"]


def test_names_importable_from_the_cli_before_the_split_still_are() -> None:
    from autograd_mini import cli

    names = "parse_values gradient_report explanations write_drawing write_steps parse_sizes"
    names += " train_and_save TrainSettings _demo_pictures CommandError DRAW_FORMATS DATASETS"
    assert [name for name in names.split() if not hasattr(cli, name)] == []


# ---------------------------------------------------------------- hints, limits and Unicode names


def test_a_fullwidth_name_is_the_name_it_stands_for(capsys: pytest.CaptureFixture[str]) -> None:
    # The issue: `grad "ｘ*2" ｘ=1` said "no value given for x" (Python reads the ｘ of the expression as x).
    assert main(["grad", "ｘ*2", "ｘ=1"]) == 0
    assert main(["grad", "x*2", "ｘ=1"]) == 0
    assert [line for line in capsys.readouterr().out.splitlines() if line.startswith("df")] == ["df/dx = 2"] * 2
    err = _fails_cleanly(capsys, ["grad", "x*2", "ｘ=1", "x=2"])
    assert "'x' is given twice: 'ｘ=1' and 'x=2'" in err


@pytest.mark.parametrize(
    ("option", "hint", "not_hint"),
    [
        (["--samples", "1"], "use --samples 2 or more", "defaults"),  # the issue: "try the defaults"
        (["--seed", "-1"], "see: autograd-mini train --help", "--samples"),  # the issue: "try the defaults: --samples"
        (["--noise", "1e308"], "use a smaller --noise", "--lr"),
        (["--noise", "1e307", "--loss", "mse", "--samples", "20"], "use a smaller --noise", "--lr"),  # at step 1
    ],
)
def test_train_hints_name_the_setting_at_fault(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: list[str], hint: str, not_hint: str
) -> None:
    argv = ["train", *option, "--out", str(tmp_path / "run"), "--no-progress"]
    err = _fails_cleanly(capsys, argv, trained="1e307" in option)
    (hint_line,) = [line for line in err.splitlines() if line.startswith("  hint: ")]
    assert hint in hint_line and not_hint not in hint_line


def test_a_run_that_diverges_names_the_epoch_and_step(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["train", "--lr", "1e300", "--optimizer", "sgd", "--loss", "mse", "--activation", "tanh", "--samples", "20"]
    assert main([*argv, "--epochs", "3", "--out", str(tmp_path), "--no-progress"]) == 2
    out, err = capsys.readouterr()
    assert out.startswith("data: moons, 20 samples")  # said before training
    assert "training diverged at epoch 2, step 1 of 1: " in err and "hint: try a smaller --lr than 1e+300" in err
    assert "Traceback" not in err and list(tmp_path.iterdir()) == []


def test_limits_are_checked_before_any_work(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The issue: `train --hidden 100000,100000` ran on and on; `train --samples 1000000000` ended in a traceback.
    # The work is the data set's maker and the MLP's constructor: neither may be called for a refused run
    # (a limit checked after them would still print the message, but only after minutes).
    from autograd_mini import datasets
    from autograd_mini.cli import run as run_module

    called: list[str] = []

    def must_not_run(name: str) -> object:
        def refuse(*args: object, **kwargs: object) -> None:
            called.append(name)
            raise AssertionError(f"{name} ran before the limit was checked")

        return refuse

    monkeypatch.setattr(datasets, "make_moons", must_not_run("make_moons"))
    err = _fails_cleanly(capsys, ["train", "--samples", "1000000000", "--out", str(tmp_path / "a")])
    assert "--samples 1,000,000,000 is more than the limit of 100,000 samples" in err
    assert "call autograd_mini.train.fit from Python" in err
    monkeypatch.undo()
    monkeypatch.setattr(run_module, "MLP", must_not_run("MLP"))
    err = _fails_cleanly(capsys, ["train", "--hidden", "100000,100000", "--out", str(tmp_path / "b")])
    assert "2 -> 100,000 -> 100,000 -> 1 would have 10,000,500,001 parameters, more than the limit of 10,000" in err
    assert "use smaller --hidden layers; for a larger run, call autograd_mini.train.fit from Python" in err
    assert called == []
    assert not (tmp_path / "a").exists() and list((tmp_path / "b").iterdir()) == []


def test_the_limits_are_inclusive_and_in_the_help(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["train", "--help"]) == 0
    assert "--samples up to 100,000, and networks of up to\n10,000 parameters" in capsys.readouterr().out
    monkeypatch.setattr(train_command, "MAX_SAMPLES", 30)
    monkeypatch.setattr(train_command, "MAX_PARAMETERS", 17)  # 2 -> 4 -> 1: 12 + 5
    argv = ["train", "--hidden", "4", "--epochs", "1", "--out", str(tmp_path), "--no-progress"]
    assert main([*argv, "--samples", "30"]) == 0
    capsys.readouterr()
    assert "limit of 30 samples" in _fails_cleanly(capsys, [*argv, "--samples", "31"])
    assert "limit of 17" in _fails_cleanly(capsys, [*argv, "--samples", "30", "--hidden", "5"])


# ---------------------------------------------------------------- files that cannot be written


@pytest.fixture
def full_disk(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every file fileio writes fails as on a full disk: flushing it to the disk (fsync) gives ENOSPC."""

    def no_space(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(fileio.os, "fsync", no_space)


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A folder in which nothing can be created (as root, a folder's mode alone does not stop writes)."""
    folder = tmp_path / "read-only"
    folder.mkdir()
    real_open = os.open

    def refusing_open(path, flags, *args, **kwargs):
        if Path(path).resolve().is_relative_to(folder) and flags & (os.O_WRONLY | os.O_RDWR):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", refusing_open)
    return folder


def _names(folder: Path) -> list[str]:
    return sorted(path.name for path in folder.iterdir())


def test_a_full_disk_leaves_the_old_page_whole(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], full_disk: None
) -> None:
    # The issue: "on a full disk `grad --steps` reports a clean error but leaves a truncated page".
    page = tmp_path / "steps.html"
    page.write_text("the old page", encoding="utf-8")
    err = _fails_cleanly(capsys, ["grad", "x*y", "x=1", "y=2", "--steps", str(page)])
    assert f"cannot write {str(page)!r}: No space left on device" in err
    assert "hint: the disk is full: free some space, or choose another --steps file" in err
    assert page.read_text(encoding="utf-8") == "the old page" and _names(tmp_path) == ["steps.html"]


def test_a_full_disk_after_training_is_a_clean_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], full_disk: None
) -> None:
    argv = ["train", "--samples", "20", "--hidden", "4", "--epochs", "1", "--out", str(tmp_path), "--no-progress"]
    assert main(argv) == 2
    out, err = capsys.readouterr()
    assert out.startswith("data: ") and "wrote" not in out
    assert f"cannot write {str(tmp_path / 'loss_curve.png')!r}: No space left on device" in err
    assert "Traceback" not in err and _names(tmp_path) == []  # no half file, no temporary file


@pytest.mark.parametrize("command", [["train", "--samples", "20", "--epochs", "1"], ["demo"]])
def test_a_read_only_folder_fails_before_any_work(
    capsys: pytest.CaptureFixture[str], read_only: Path, command: list[str]
) -> None:
    # The issue: "`train --out` into a read-only folder ... ends in a Python traceback".
    err = _fails_cleanly(capsys, [*command, "--out", str(read_only), "--no-progress"])
    assert f"cannot write into the folder {str(read_only)!r}: Permission denied" in err
    assert "you may not write there: choose another --out" in err and _names(read_only) == []


def test_grad_into_a_read_only_folder_is_a_clean_error(capsys: pytest.CaptureFixture[str], read_only: Path) -> None:
    err = _fails_cleanly(capsys, ["grad", "x", "x=1", "--draw", str(read_only / "graph.dot")])
    assert "Permission denied" in err and "choose another --draw file" in err and _names(read_only) == []


@pytest.mark.parametrize(
    "argv",
    [
        ["grad", "x", "x=1", "--steps", "/proc/autograd-mini-test/steps.html"],
        ["grad", "x", "x=1", "--draw", "/proc/graph.dot"],  # /proc takes no new files, even from root
        ["train", "--out", "/proc/autograd-mini-test"],
    ],
)
def test_paths_under_proc_are_clean_errors(capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
    assert "cannot " in _fails_cleanly(capsys, [*argv, *(["--no-progress"] if argv[0] == "train" else [])])


@pytest.mark.parametrize("name", ["model.json", "loss_curve.png", "decision_boundary.png"])
def test_a_folder_in_the_way_of_a_file_fails_before_training(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    (tmp_path / name).mkdir()
    err = _fails_cleanly(capsys, ["train", "--out", str(tmp_path), "--no-progress"])
    assert f"cannot write {str(tmp_path / name)!r}: it exists and is not a file" in err
    assert "move it away, or choose another --out" in err and _names(tmp_path) == [name]


def test_grad_onto_a_folder_is_a_clean_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    err = _fails_cleanly(capsys, ["grad", "x", "x=1", "--steps", str(tmp_path)])
    assert "not a regular file but a directory" in err and "a folder has that name" in err


# ---------------------------------------------------------------- stdout closed or full, Ctrl-C (as a user runs it)

COMMAND = [sys.executable, "-m", "autograd_mini"]
ROOT = Path(__file__).resolve().parents[1]


def test_a_full_stdout_is_a_clean_error() -> None:
    # The issue: `grad ... >/dev/full` ended in a traceback.
    for argv in (["grad", "x*y", "x=1", "y=2"], ["--help"]):
        with open("/dev/full", "w") as full:
            result = subprocess.run([*COMMAND, *argv], stdout=full, stderr=subprocess.PIPE, text=True, timeout=60)
        assert result.returncode == 2
        assert result.stderr.splitlines() == [
            "autograd-mini: error: cannot write the output: No space left on device",
            "  hint: check where stdout goes: the disk may be full",
        ]


@pytest.mark.parametrize("argv", [["grad", "x*y", "x=1", "y=2"], ["train", "--help"], []])
def test_a_closed_stdout_ends_quietly(argv: list[str]) -> None:
    # A reader that has gone, as after `| head -1`: exit 141 (128 + SIGPIPE), and nothing on stderr.
    reader, writer = os.pipe()
    os.close(reader)
    try:
        result = subprocess.run([*COMMAND, *argv], stdout=writer, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(writer)
    assert (result.returncode, result.stderr) == (141, "")


def test_piped_into_head() -> None:
    with subprocess.Popen([*COMMAND, "train", "--help"], stdout=subprocess.PIPE, stderr=subprocess.PIPE) as command:
        head = subprocess.run(["head", "-1"], stdin=command.stdout, capture_output=True, text=True, timeout=60)
        assert command.stdout is not None and command.stderr is not None
        command.stdout.close()
        err = command.stderr.read().decode()
        assert command.wait(timeout=60) in (0, 141)  # 0 if it wrote everything before head left
    assert head.stdout.startswith("usage: autograd-mini train") and err == ""


# A child that presses Ctrl-C on itself the moment it starts importing ``module``, then starts the
# command as the ``autograd-mini`` script does: a Ctrl-C at one exact point of the start-up, every run.
_CTRL_C_WHILE_IMPORTING = """
import os, signal, sys

class CtrlC:
    def find_spec(self, name, path=None, target=None):
        if name == {module!r}:
            os.kill(os.getpid(), signal.SIGINT)
        return None

sys.meta_path.insert(0, CtrlC())
sys.argv = ["autograd-mini", "grad", "x*x", "x=1"]
import _autograd_mini_start
sys.exit(_autograd_mini_start.run())
"""


@pytest.mark.parametrize(
    "module", ["autograd_mini", "autograd_mini.engine", "autograd_mini.teach.explanation", "autograd_mini.cli.grad"]
)
def test_ctrl_c_while_the_package_loads_is_one_line_and_exit_130(module: str) -> None:
    child = _CTRL_C_WHILE_IMPORTING.format(module=module)
    result = subprocess.run([sys.executable, "-c", child], capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert (result.returncode, result.stderr, result.stdout) == (130, "autograd-mini: interrupted\n", "")


def test_the_command_starts_outside_the_package() -> None:
    # An entry point inside autograd_mini could catch Ctrl-C only after the package had loaded.
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["scripts"] == {"autograd-mini": "_autograd_mini_start:run"}


@pytest.mark.parametrize("progress", [["--no-progress"], []])
def test_ctrl_c_during_training_is_one_line_and_exit_130(tmp_path: Path, progress: list[str]) -> None:
    argv = ["train", "--samples", "2000", "--epochs", "100000", "--out", str(tmp_path), *progress]
    command = subprocess.Popen([*COMMAND, *argv], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    watchdog = threading.Timer(60, command.kill)  # readline below has no timeout of its own
    watchdog.start()
    try:
        assert command.stdout is not None
        assert command.stdout.readline().startswith("data: moons, 2000 samples")  # printed as training starts
        time.sleep(0.3)
        command.send_signal(signal.SIGINT)
        _, err = command.communicate(timeout=30)
    finally:
        watchdog.cancel()
        command.kill()
    assert command.returncode == 130
    assert "Traceback" not in err and err.endswith("\nautograd-mini: interrupted\n" if progress == [] else "")
    if progress:
        assert err == "autograd-mini: interrupted\n"
    assert _names(tmp_path) == []  # nothing written, not even half a file
