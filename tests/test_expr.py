"""The expression language: what it accepts, what it refuses (and where), and fuzzing.

Expected numbers come from hand-worked derivatives, or from this file's own float interpreter
(``reference``) and central differences on it: nothing here reuses the parser or the engine.
"""

from __future__ import annotations

import inspect
import math
import string
import sys
from collections.abc import Callable
from typing import Any

import pytest
from differences import central_difference
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from autograd_mini import Value
from autograd_mini.expr import MAX_DEPTH, MAX_LENGTH, ExpressionError, normalize_name, parse

# ---------------------------------------------------------------- what it computes


def test_a_neuron_gives_its_value_and_hand_worked_gradients() -> None:
    root, inputs = parse("tanh(x*w + b)").build({"x": 0.5, "w": -1.2, "b": 0.3})
    root.backward()
    y = math.tanh(0.5 * -1.2 + 0.3)
    slope = 1 - y * y  # tanh' = 1 - tanh**2
    assert root.data == pytest.approx(y)
    assert inputs["x"].grad == pytest.approx(slope * -1.2)
    assert inputs["w"].grad == pytest.approx(slope * 0.5)
    assert inputs["b"].grad == pytest.approx(slope)


def test_a_name_used_twice_is_one_leaf_that_collects_both_uses() -> None:
    root, inputs = parse("x * x + sin(x)").build({"x": 2.0})
    root.backward()
    assert list(inputs) == ["x"]
    assert inputs["x"].grad == pytest.approx(2 * 2.0 + math.cos(2.0))


def test_names_come_in_reading_order_and_leaves_carry_them_as_labels() -> None:
    expression = parse("b * exp(a) - c / a + b")
    assert expression.names == ("b", "a", "c")
    _, inputs = expression.build({"a": 1.0, "b": 2.0, "c": 3.0})
    assert [leaf.label for leaf in inputs.values()] == ["b", "a", "c"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("-2 ** 2", -4.0),  # ** binds tighter than unary minus, as in Python and maths
        ("(-2) ** 2", 4.0),
        ("+3 - -3", 6.0),
        ("1 / 4 * 2", 0.5),
        ("abs(-3) + relu(-1) + sqrt(16)", 7.0),
        ("2 ** -1", 0.5),
        ("1e3 / 1_000", 1.0),
    ],
)
def test_constant_expressions_follow_the_usual_precedence(text: str, value: float) -> None:
    root, inputs = parse(text).build({})
    assert inputs == {}
    assert root.data == pytest.approx(value)


def test_a_constant_expression_still_gives_a_value_labelled_f() -> None:
    root, _ = parse("2 + 3").build({})
    assert isinstance(root, Value) and root.label == "f" and root.data == 5.0


def test_a_lone_name_is_its_own_leaf() -> None:
    root, inputs = parse("x").build({"x": 4.0})
    root.backward()
    assert root is inputs["x"] and root.grad == 1.0


def test_the_output_is_not_named_like_an_input() -> None:
    root, inputs = parse("f * g + 1").build({"f": 2.0, "g": 3.0})
    assert root.label == "h" and [leaf.label for leaf in inputs.values()] == ["f", "g"]


# ---------------------------------------------------------------- what it refuses, and where

REFUSED = [
    # text, column (1-based, counted by hand), a fragment of the message
    ("x.real", 1, "attribute access"),
    ("tanh(x.real)", 6, "attribute access"),
    ("x[0]", 1, "subscripts"),
    ("lambda: 1", 1, "lambda"),
    ("[t for t in x]", 1, "comprehensions"),
    ("(t for t in x)", 1, "comprehensions"),
    ("exp(x=1)", 1, "keyword"),
    ("exp(x, y)", 1, "exactly one argument"),
    ("exp()", 1, "exactly one argument"),
    ("exp(*x)", 1, "exactly one argument"),
    ("'text'", 1, "strings"),
    ("f'{x}'", 1, "strings"),
    ("b'x'", 1, "strings"),
    ("x + open(y)", 5, "unknown function 'open'"),
    ("__import__('os')", 1, "unknown function '__import__'"),
    ("exp + 1", 1, "exp is a function"),
    ("x(1)", 1, "unknown function 'x'"),
    ("exp(x)(y)", 1, "cannot call"),
    ("x ** 1001", 6, "exponent 1001 is too large"),
    ("x ** -5000", 6, "exponent -5000 is too large"),
    ("x ** y ** 2", 3, "power inside an exponent"),
    ("2 ** (3 ** x)", 3, "power inside an exponent"),
    ("x ** exp(y ** 2)", 3, "power inside an exponent"),
    ("x // 2", 3, "operator //"),
    ("x % 2", 3, "operator %"),
    ("x @ y", 3, "operator @"),
    ("(x) ^ y", 5, "operator ^"),
    ("~x", 1, "operator ~"),
    ("not x", 1, "operator not"),
    ("x < 1", 1, "comparisons"),
    ("x and y", 1, "'and'/'or'"),
    ("x if y else 1", 1, "if ... else"),
    ("(y := 2)", 2, "assignment"),
    ("x, y", 1, "tuples"),
    ("{x: 1}", 1, "dicts"),
    ("1j", 1, "not a real number"),
    ("True", 1, "not a real number"),
    ("None", 1, "not a real number"),
    ("...", 1, "not a real number"),
    ("1e999", 1, "too large for a float"),
    ("9" * 400, 1, "too large for a float"),
    ("é + x.y", 5, "attribute access"),  # é is 2 bytes in UTF-8 but one column
    ("x\n+ 1", 2, "'\\n'"),
    ("x +\x00 1", 4, "'\\x00'"),
    ("x +", None, "syntax error"),
    ("import os", None, "syntax error"),
    ("x = 1", None, "syntax error"),
    ("", None, "empty"),
    ("   ", None, "empty"),
]


@pytest.mark.parametrize(("text", "column", "fragment"), REFUSED)
def test_refused_text_names_the_problem_and_its_column(text: str, column: int | None, fragment: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert fragment in str(caught.value)
    if column is not None:
        assert caught.value.column == column
        assert f"column {column}" in str(caught.value)


def test_an_expression_error_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="attribute access"):
        parse("x.y")


def test_non_text_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="got int"):
        parse(3)  # type: ignore[arg-type]


def test_the_length_limit_is_exact() -> None:
    at_limit = "x" * MAX_LENGTH
    assert parse(at_limit).names == (at_limit,)
    with pytest.raises(ExpressionError, match=f"too long: {MAX_LENGTH + 1} characters"):
        parse(at_limit + " ")


def test_the_depth_limit_is_exact() -> None:
    # Each unary minus is one level and the name one more: MAX_DEPTH - 1 minuses reach the limit.
    root, _ = parse("-" * (MAX_DEPTH - 1) + "x").build({"x": 2.0})
    assert root.data == (-2.0 if (MAX_DEPTH - 1) % 2 else 2.0)
    with pytest.raises(ExpressionError, match="nested too deeply") as caught:
        parse("-" * MAX_DEPTH + "x")
    assert caught.value.column == MAX_DEPTH + 1  # the name that went one level too far


def test_deep_parentheses_are_refused_without_a_crash() -> None:
    with pytest.raises(ExpressionError):
        parse("(" * 300 + "x" + ")" * 300)
    with pytest.raises(ExpressionError):
        parse("exp(" * 100 + "x" + ")" * 100)


@pytest.mark.parametrize(
    ("text", "column"),
    [
        ("(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), MAX_DEPTH + 1),  # the ( that opens one level too many
        ("exp(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), 4 * (MAX_DEPTH + 1)),  # the ( of call 101
        ("exp(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH, 4 * MAX_DEPTH + 1),  # the name: under 100 calls, 101 deep
        ("x+(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1), 3 * (MAX_DEPTH + 1)),  # nested sums are nesting
        ("-" * MAX_DEPTH + "x", MAX_DEPTH + 1),
    ],
)
def test_real_nesting_past_the_limit_is_refused(text: str, column: int) -> None:
    with pytest.raises(ExpressionError, match=f"nested too deeply \\(more than {MAX_DEPTH} levels") as caught:
        parse(text)
    assert caught.value.column == column


def test_parentheses_at_the_limit_are_fine() -> None:
    assert parse("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH).build({"x": 2.0}).root.data == 2.0


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("+".join(["x"] * 101), 101 * 1.5),  # was refused as "nested too deeply": ((x + x) + x) + ... in the tree
        ("+".join(["x"] * 500), 500 * 1.5),  # 999 characters, as long as the length limit allows
        ("*".join(["x"] * 500), 1.5**500),
        ("-".join(["x"] * 500), 1.5 - 499 * 1.5),
        ("x" + "-1" * 499, 1.5 - 499),
        ("/".join(["x"] * 300), 1.5**-298),
        ("x" + " + x*x" * 166, 1.5 + 166 * 2.25),  # a sum of products: two levels
    ],
)
def test_flat_chains_as_long_as_the_length_limit_allows_are_one_level(text: str, value: float) -> None:
    assert len(text) <= MAX_LENGTH
    root, inputs = parse(text).build({"x": 1.5})
    assert root.data == pytest.approx(value, rel=1e-12)
    root.backward()  # and backward goes through every link of the chain
    assert inputs["x"].grad != 0


def test_a_long_chain_is_built_without_recursing_along_it() -> None:
    expression = parse("+".join(["x"] * 500))
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 50)  # far fewer frames than the chain has links
    try:
        root, _ = expression.build({"x": 1.0})
    finally:
        sys.setrecursionlimit(limit)
    assert root.data == 500.0


def test_names_are_normalized_as_the_parser_does() -> None:
    # grad "ｘ*2" ｘ=1 said "no value given for x": the expression is read in NFKC form, so ｘ is x.
    assert normalize_name("ｘ") == "x" and normalize_name("ﬁt") == "fit" and normalize_name("w_1") == "w_1"
    assert normalize_name("é") == "é" == normalize_name("e\u0301")  # composed, as Python's parser does
    expression = parse("ｘ*2 + y")
    assert expression.names == ("x", "y")
    root, inputs = expression.build({"ｘ": 1.0, "y": 0.5})
    assert root.data == 2.5 and list(inputs) == ["x", "y"]
    with pytest.raises(ExpressionError, match="two values were given for 'x'"):
        expression.build({"x": 1.0, "ｘ": 2.0, "y": 0.5})
    with pytest.raises(TypeError, match="a name must be a str, got int"):
        normalize_name(1)  # type: ignore[arg-type]


def test_exponents_at_the_limit_and_powers_of_powers_in_the_base_are_fine() -> None:
    root, _ = parse("x ** 1000 + x ** -1000 + (x ** 2) ** 3").build({"x": 1.0})
    assert root.data == 3.0


# ---------------------------------------------------------------- what fails while computing


@pytest.mark.parametrize(
    ("text", "values", "column", "fragment"),
    [
        ("1 + log(x - 2)", {"x": 1.0}, 5, "log"),
        ("y * (1 / (x - x))", {"x": 1.0, "y": 1.0}, 8, "division by zero"),  # the column of "/"
        ("(-8) ** (1 / 3)", {}, 6, "negative base"),
        ("exp(x)", {"x": 1000.0}, 1, "too large"),
        ("sqrt(x)", {"x": -1.0}, 1, "sqrt"),
    ],
)
def test_a_failing_operation_names_itself_and_its_column(
    text: str, values: dict[str, float], column: int, fragment: str
) -> None:
    with pytest.raises(ExpressionError, match=fragment) as caught:
        parse(text).build(values)
    assert caught.value.column == column


def test_missing_and_unused_values_are_named() -> None:
    expression = parse("x * w + b")
    with pytest.raises(ExpressionError, match="no value given for 'w' \\(used at column 5\\)"):
        expression.build({"x": 1.0, "b": 2.0})
    with pytest.raises(ExpressionError, match=r"'z'.*it uses: x, w, b"):
        expression.build({"x": 1.0, "w": 1.0, "b": 2.0, "z": 0.0})


def test_a_value_that_is_not_a_number_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="str"):
        parse("x").build({"x": "1"})  # type: ignore[dict-item]


# ---------------------------------------------------------------- fuzzing: random text

EXPRESSION_CHARACTERS = string.ascii_letters[:8] + string.digits + " .,+-*/%()[]{}'\"=:<>!@^&|~_\\é"
TOKENS = ["x", "y", "1", "2.5", "1e3", "+", "-", "*", "/", "**", "(", ")", ",", "exp", "log", "abs", "foo", ".", "="]


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=60), st.text(EXPRESSION_CHARACTERS, max_size=60)))
def test_random_text_raises_nothing_but_expression_error(text: str) -> None:
    _parse_and_build(text)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=25).map(" ".join))
def test_random_token_soup_raises_nothing_but_expression_error(text: str) -> None:
    _parse_and_build(text)


def _parse_and_build(text: str) -> None:
    """Parse ``text`` and, if it is accepted, build and differentiate it; only ExpressionError may escape."""
    try:
        expression = parse(text)
        root, _ = expression.build(dict.fromkeys(expression.names, 0.7))
    except ExpressionError as error:
        assert str(error)
        assert error.column is None or 1 <= error.column <= len(text) + 1
        return
    root.backward()
    assert isinstance(root.data, float)


# ---------------------------------------------------------------- fuzzing: valid expressions vs a reference

# A tree is ("num", c) | ("var", name) | ("neg", t) | (op, left, right) | ("call", function, t).
Tree = tuple[Any, ...]
NAMES = ("x", "y", "w")


def _pow_reference(a: float, b: float) -> float:
    if a < 0 and not b.is_integer():
        raise ValueError("no real power")  # Python would give a complex number
    return a**b  # 0 ** -1 raises ZeroDivisionError, overflow raises OverflowError


def _sigmoid_reference(a: float) -> float:
    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))


REFERENCE_FUNCTIONS: dict[str, Callable[[float], float]] = {
    "exp": math.exp,
    "log": math.log,
    "sqrt": math.sqrt,
    "tanh": math.tanh,
    "sigmoid": _sigmoid_reference,
    "relu": lambda a: max(a, 0.0),
    "sin": math.sin,
    "cos": math.cos,
    "abs": abs,
}
REFERENCE_BINARY: dict[str, Callable[[float, float], float]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "/": lambda a, b: a / b,
    "**": _pow_reference,
}


def reference(tree: Tree, values: dict[str, float]) -> float:
    """This test's own float interpreter for generated trees (raises on any domain error)."""
    kind = tree[0]
    if kind == "num":
        return float(tree[1])
    if kind == "var":
        return values[tree[1]]
    if kind == "neg":
        return -reference(tree[1], values)
    if kind == "call":
        return REFERENCE_FUNCTIONS[tree[1]](reference(tree[2], values))
    return REFERENCE_BINARY[kind](reference(tree[1], values), reference(tree[2], values))


def render(tree: Tree) -> str:
    """The tree as text, with every operation in parentheses."""
    kind = tree[0]
    if kind == "num":
        return repr(tree[1])
    if kind == "var":
        return str(tree[1])
    if kind == "neg":
        return f"(-{render(tree[1])})"
    if kind == "call":
        return f"{tree[1]}({render(tree[2])})"
    return f"({render(tree[1])} {kind} {render(tree[2])})"


numbers = st.sampled_from([0.5, 1, 2, 3, 0.25, 1.5, 4])
leaves = st.one_of(numbers.map(lambda c: ("num", c)), st.sampled_from(NAMES).map(lambda n: ("var", n)))
exponents = st.one_of(st.sampled_from([2, 3, -1, 0.5]).map(lambda c: ("num", c)), leaves)


def _extend(inner: st.SearchStrategy[Tree]) -> st.SearchStrategy[Tree]:
    return st.one_of(
        st.tuples(st.sampled_from(["+", "-", "*", "/"]), inner, inner),
        st.tuples(st.just("**"), inner, exponents),  # a leaf exponent: powers inside exponents are refused
        st.tuples(st.just("neg"), inner),
        st.tuples(st.just("call"), st.sampled_from(sorted(REFERENCE_FUNCTIONS)), inner),
    )


trees = st.recursive(leaves, _extend, max_leaves=8)
points = st.fixed_dictionaries({name: st.floats(-2.0, 2.0).map(lambda v: round(v, 3)) for name in NAMES})


def _used(values: dict[str, float], names: tuple[str, ...]) -> dict[str, float]:
    return {name: values[name] for name in names}


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(trees, points)
def test_random_expressions_agree_with_the_reference_interpreter(tree: Tree, values: dict[str, float]) -> None:
    expression = parse(render(tree))
    try:
        expected = reference(tree, values)
    except (ArithmeticError, ValueError):
        with pytest.raises(ExpressionError):
            expression.build(_used(values, expression.names))
        return
    assume(math.isfinite(expected))
    root, _ = expression.build(_used(values, expression.names))
    assert root.data == pytest.approx(expected, rel=1e-12, abs=1e-12)


def _slopes(tree: Tree, values: dict[str, float], name: str) -> tuple[float, float, float, float]:
    """Slopes of the reference in ``name``: one-sided from the left, central, one-sided from the right,
    and central again with a step ten times wider."""
    h, x = 1e-6, values[name]
    f = lambda t: reference(tree, {**values, name: t})
    here = f(x)
    return (here - f(x - h)) / h, central_difference(f, x, h), (f(x + h) - here) / h, central_difference(f, x, 10 * h)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
@given(trees, points)
# |x|**x at 0: both one-sided slopes are ln(h), the true slope is -inf (found once in CI).
@example(("**", ("call", "abs", ("var", "x")), ("var", "x")), {"x": 0.0, "y": 0.0, "w": 0.0})
def test_random_expressions_have_gradients_that_match_central_differences(tree: Tree, values: dict[str, float]) -> None:
    expression = parse(render(tree))
    assume(expression.names)
    try:
        expected = reference(tree, values)
        slopes = {name: _slopes(tree, values, name) for name in expression.names}
    except (ArithmeticError, ValueError):
        assume(False)  # a domain edge within h of the point: no derivative to compare
    assume(math.isfinite(expected) and abs(expected) < 1e6)
    root, inputs = expression.build(_used(values, expression.names))
    root.backward()
    for name, (left, central, right, wider) in slopes.items():
        # One-sided slopes that disagree mean a kink (relu, abs) or a steep curve at the point: skip.
        assume(math.isclose(left, right, rel_tol=1e-3, abs_tol=1e-4))
        # A slope that changes with the step does not converge: no derivative there (|x|**x at 0).
        assume(math.isclose(central, wider, rel_tol=1e-3, abs_tol=1e-4))
        # sqrt(0)-like points give inf * 0 = nan in the chain rule (as in PyTorch), though the slope exists.
        assume(math.isfinite(inputs[name].grad))
        assert inputs[name].grad == pytest.approx(central, rel=1e-4, abs=1e-5), name


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("2x", "write 2*x for 2 times x"),
        ("2.5w + 1", "write 2.5*w for 2.5 times w"),
        ("3(x + 1)", "write 3*(x + 1)"),
    ],
)
def test_a_product_written_without_its_star_gets_a_hint_that_says_so(text: str, hint: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(text)
    assert hint in caught.value.hint


@pytest.mark.parametrize("text", ["1e-3*x", "x2 + 1", "2e3 * x"])
def test_numbers_with_exponents_and_names_with_digits_still_parse(text: str) -> None:
    assert parse(text).names
