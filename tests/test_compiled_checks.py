"""What trace and a program refuse: numbers read out of Values, examples and batches that are not
numbers, and rules changed after the trace. Each refusal is held against what would have happened:
the eager engine's value where the program would have silently differed from it.
"""

from __future__ import annotations

import math
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

from autograd_mini import TraceError, Value, rules, trace
from autograd_mini.rules import RULES

pytestmark = pytest.mark.filterwarnings("error")

Fn = Callable[..., Any]

# -- numbers read out of a Value inside fn: frozen at the example, so refused ----------------

# fn of x, each computing part of its result from a number read out of x, which the graph keeps as a constant
FROZEN: dict[str, Fn] = {
    "Value(x.data * 3)": lambda x: x * 2 + Value(x.data * 3),
    "x * x.data": lambda x: x * x.data,
    "x + math.sin(x)": lambda x: x + math.sin(x),  # math.sin reads float(x)
    "x * float(x)": lambda x: x * float(x),
    "an if that turns at the example": lambda x: x * 2.0 if x.data > 1.0 else -x,
}


@pytest.mark.parametrize("case", sorted(FROZEN))
def test_a_number_read_out_of_a_value_is_refused(case: str) -> None:
    fn = FROZEN[case]
    with pytest.raises(TraceError, match=r"at a nearby example \(x=1\.00.*\), the program .*x\.data") as info:
        trace(fn, 1.0)
    assert "Values' operations" in str(info.value)


def test_the_refused_program_would_have_differed_from_fn() -> None:
    fn = FROZEN["Value(x.data * 3)"]
    eager = [fn(Value(x)).data for x in (1.0, 3.0)]
    assert eager == [5.0, 15.0]  # 2x + 3x, worked by hand; a frozen 3 * 1.0 would give 5 and 9


def test_a_difference_of_two_inputs_read_out_is_refused() -> None:
    """Each input moves by its own fraction, so that v[0] - v[1] moves too."""
    fn = lambda v: [v[0] * v[1], v[0] + Value(v[0].data - v[1].data)]
    with pytest.raises(TraceError, match="for output 1 at a nearby example"):
        trace(fn, [1.0, 1.0])


@pytest.mark.parametrize(
    "fn",
    [
        lambda x: x * Value(2.0) + 1.0,
        lambda x: Value(2.0, label="c") * x + math.pi,
        lambda x: (x * 0.5).tanh() * 3 - Value(-1.0),
        lambda x: x * 2.0 if x.data > 0 else -x,  # decided for the example, the same a little further
    ],
    ids=["Value(2.0)", "a labelled constant and math.pi", "constants on both sides", "an if far from its turn"],
)
def test_constants_made_inside_fn_are_traced(fn: Fn) -> None:
    program = trace(fn, 1.0)
    xs = [0.5, 1.0, 2.0]
    assert program(np.array(xs)).tolist() == pytest.approx([fn(Value(x)).data for x in xs], rel=1e-15)


def test_where_fn_is_undefined_above_the_example_the_check_looks_below() -> None:
    fn = lambda x: (-x).sqrt() + x  # defined for x <= 0 only
    program = trace(fn, 0.0)
    assert program(np.array([0.0, -4.0])).tolist() == [0.0, 2.0 - 4.0]


def test_where_fn_is_undefined_on_both_sides_the_program_is_kept() -> None:
    fn = lambda x: (-((x - 1.0) ** 2)).sqrt() + x  # defined at x = 1 only
    assert trace(fn, 1.0)(np.array([1.0])).tolist() == [1.0]


def test_fn_returning_another_number_of_outputs_nearby_is_refused() -> None:
    fn = lambda x: [x * 2] if x.data <= 1.0 else [x * 2, x * 3]
    with pytest.raises(TraceError, match="returns 2 Values at a nearby example, 1 at the example"):
        trace(fn, 1.0)


def test_a_program_that_raises_where_fn_does_not_is_refused() -> None:
    fn = lambda x: (1.0001 - x).log() if x.data <= 1.0 else x * 1.0  # the traced branch has no value above 1.0001
    fn(Value(1.01))  # eager: fine there
    with pytest.raises(TraceError, match=r"the program raises ValueError: log: the input must be > 0"):
        trace(fn, 1.0)


# -- examples that are neither numbers nor sequences: refused before fn is called ---------


def _numbers() -> Iterator[float]:
    yield from (1.0, 2.0)


@pytest.mark.parametrize(
    ("example", "named", "hint"),
    [
        ({0: 1.0, 1: 2.0}, "dict", "keys are not its values"),
        ((v for v in (1.0, 2.0)), "generator", "used up by one reading"),
        (_numbers(), "generator", "used up by one reading"),
        (iter([1.0, 2.0]), "list_iterator", "used up by one reading"),
        ({1.0, 2.0}, "set", ""),
        (b"\x01\x02", "bytes", ""),
        (np.ma.array([1.0, 2.0], mask=[False, True]), "MaskedArray", "masked entries would be read as numbers"),
    ],
    ids=["dict", "generator expression", "generator", "iterator", "set", "bytes", "masked array"],
)
def test_an_example_that_is_not_a_sequence_is_refused_up_front(example: Any, named: str, hint: str) -> None:
    calls = []

    def fn(x: list[Value]) -> Value:
        calls.append(x)
        return x[0] * x[1]

    with pytest.raises(TypeError, match=rf"the example for 'x' must be a number or a sequence .*got {named}\b") as info:
        trace(fn, example)
    assert "a list, a tuple or a 1-D numpy array" in str(info.value) and hint in str(info.value)
    assert calls == []


@pytest.mark.parametrize("example", [[1.0, 2.0], (1.0, 2.0), np.array([1.0, 2.0]), range(1, 3)], ids=repr)
def test_sequences_are_accepted_as_examples(example: Any) -> None:
    program = trace(lambda x: x[0] * x[1], example)
    assert program(np.array([[1.0, 2.0], [3.0, 4.0]])).tolist() == [2.0, 12.0]


# -- batches whose values are not their data -------------------------------------------------


class Masked:
    """An array-like with a mask, as other libraries have them: numpy reads its data, masked or not."""

    def __init__(self, data: list[float], mask: list[bool]) -> None:
        self.data, self.mask = np.array(data), np.array(mask)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        return self.data


@pytest.mark.parametrize(
    "batch",
    [np.ma.array([1.0, 2.0, 99.0], mask=[False, False, True]), Masked([1.0, 2.0, 99.0], [False, False, True])],
    ids=["numpy.ma", "an array-like with a mask"],
)
def test_a_masked_batch_is_refused_naming_the_argument(batch: Any) -> None:
    w = Value(2.0, label="w")
    program = trace(lambda x: w * x, 1.0)
    assert np.asarray(batch).tolist() == [1.0, 2.0, 99.0]  # the masked 99 would have been read as a number
    for run in (program, program.backward):
        with pytest.raises(TypeError, match=r"batch argument 'x' must be an array of real numbers without a mask"):
            run(batch)
    assert w.grad == 0.0


def test_a_numpy_matrix_is_read_as_its_numbers() -> None:
    program = trace(lambda v: v[0] - v[1], [1.0, 2.0])
    with warnings.catch_warnings():  # numpy discourages matrix; still, it holds its numbers
        warnings.simplefilter("ignore", PendingDeprecationWarning)
        batch = np.matrix([[1.0, 2.0], [5.0, 3.0]])
    assert program(batch).tolist() == [-1.0, 2.0]


# -- rules changed after the trace: the program refuses, naming the rule ---------------------


@pytest.fixture
def cube() -> Iterator[None]:
    rules.define("test_cube", lambda a: a * a * a, lambda a, out: (3.0 * a * a,))
    yield
    RULES.pop("test_cube", None)


@pytest.mark.usefixtures("cube")
def test_a_program_refuses_to_run_once_its_rule_was_redefined() -> None:
    program = trace(lambda x: x.apply("test_cube"), 2.0)
    source = program.source  # written and kept before the change
    assert "RULES" in source
    rules.define("test_cube", lambda a: a * a, lambda a, out: (2.0 * a,))
    assert Value(3.0).apply("test_cube").data == 9.0  # the eager engine uses the new rule at once
    for use in (lambda: program(np.array([3.0])), lambda: program.backward(np.array([3.0])), lambda: program.source):
        with pytest.raises(TraceError, match=r"the rule for 'test_cube' was changed .* trace fn again"):
            use()


@pytest.mark.usefixtures("cube")
def test_a_program_refuses_to_run_once_its_rule_was_removed() -> None:
    program = trace(lambda x: x.apply("test_cube"), 2.0)
    del RULES["test_cube"]
    for run in (program, program.backward):
        with pytest.raises(TraceError, match=r"the rule for 'test_cube' was removed from rules.RULES"):
            run(np.array([1.0, 1e200]))  # the overflow's check read the table: a bare KeyError


def test_a_redefined_built_in_rule_is_refused_and_its_return_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    original = RULES["tanh"]
    monkeypatch.setitem(RULES, "tanh", original)
    program = trace(lambda x: x.tanh(), 0.5)
    rules.define("tanh", lambda a: 2.0 * a, lambda a, out: (2.0,))
    with pytest.raises(TraceError, match="the rule for 'tanh' was changed"):
        program(np.array([0.5]))
    with pytest.raises(TraceError, match="the rule for 'tanh' was changed"):
        program.source  # noqa: B018 -- it would say math.tanh while fn uses the new rule
    RULES["tanh"] = original  # the rule it was traced with, back: the program runs again
    assert program(np.array([0.5])).tolist() == [math.tanh(0.5)]


def test_a_rule_redefined_before_the_compiler_is_imported_is_not_run_as_its_kernel() -> None:
    script = textwrap.dedent(
        """
        import sys
        from autograd_mini import Value, rules
        assert "autograd_mini.compiled" not in sys.modules
        rules.define("relu", lambda a: a if a > 0.0 else 0.1 * a, lambda a, out: (1.0 if a > 0.0 else 0.1,))
        import numpy as np
        from autograd_mini.compiled import trace
        program = trace(lambda x: x.relu(), 1.0)
        print(program(np.array([-1.0]))[0], Value(-1.0).relu().data)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["-0.1", "-0.1"]  # the leaky rule, not numpy's max(a, 0)
