"""Teaching tools: numeric derivatives, gradcheck (passing and failing), path counts and path sums.

Expected numbers are worked out by hand in the comments, or come from an independent method
(closed forms, central differences on plain floats, counting by enumeration vs by dynamic programming).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable
from typing import Any

import pytest
from graphs import random_graphs
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mini
from autograd_mini import (
    Value,
    backward_cost,
    count_paths,
    explain,
    grad_by_paths,
    gradcheck,
    gradients,
    numeric_grad,
    path_sum_cost,
    secant_slopes,
    tanh,
    topological_order,
)
from autograd_mini.rules import RULES, Rule

# -- random smooth expressions, as small programs run on floats or on Values ------------------

# Each op maps earlier values (a, b) to a new one; all are smooth and stay moderate in size on
# inputs in [-2, 2], so central differences are accurate to about 1e-9 relative.
SMOOTH_OPS: dict[str, Callable[[Any, Any], Any]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "tanh": lambda a, b: autograd_mini.tanh(a),
    "sin": lambda a, b: autograd_mini.sin(a),
    "cos": lambda a, b: autograd_mini.cos(a),
    "sigmoid": lambda a, b: autograd_mini.sigmoid(a),
    "soft_div": lambda a, b: a / (1 + b * b),
    "soft_sqrt": lambda a, b: autograd_mini.sqrt(1 + a * a),
}

Program = tuple[int, list[tuple[str, int, int]]]


@st.composite
def programs(draw: st.DrawFn) -> Program:
    """A straight-line program: n inputs, then steps (op, i, j) each reading two earlier slots."""
    n_inputs = draw(st.integers(1, 3))
    steps = []
    for k in range(draw(st.integers(1, 8))):
        slots = n_inputs + k
        steps.append(
            (
                draw(st.sampled_from(sorted(SMOOTH_OPS))),
                draw(st.integers(0, slots - 1)),
                draw(st.integers(0, slots - 1)),
            )
        )
    return n_inputs, steps


def run(program: Program) -> Callable[..., Any]:
    """The program as a function; it works on floats and on Values alike."""

    def f(*xs: Any) -> Any:
        slots = list(xs)
        for op, i, j in program[1]:
            slots.append(SMOOTH_OPS[op](slots[i], slots[j]))
        return slots[-1]

    return f


def points(n: int) -> st.SearchStrategy[list[float]]:
    return st.lists(st.floats(-2.0, 2.0), min_size=n, max_size=n)


# -- numeric_grad ---------------------------------------------------------------------------


def test_numeric_grad_of_plain_float_functions_matches_closed_forms() -> None:
    # f = sin(x) * y**2: df/dx = cos(x) y**2, df/dy = 2 y sin(x)
    x, y = 0.7, -1.3
    dx, dy = numeric_grad(lambda a, b: math.sin(a) * b**2, x, y)
    assert dx == pytest.approx(math.cos(x) * y**2, rel=1e-8)
    assert dy == pytest.approx(2 * y * math.sin(x), rel=1e-8)


def test_numeric_grad_passes_values_to_f_when_given_values() -> None:
    # f uses Value methods, so it only works if it receives Values; d tanh(x)/dx = 1 - tanh(x)**2
    x = Value(0.4, label="x")
    (slope,) = numeric_grad(lambda v: v.tanh(), x)
    assert slope == pytest.approx(1 - math.tanh(0.4) ** 2, rel=1e-8)
    assert x.grad == 0.0 and x.data == 0.4  # the caller's Value is left alone


def test_numeric_grad_error_falls_like_eps_squared() -> None:
    # For exp at 0 the central difference is (e^h - e^-h) / 2h = 1 + h**2/6 + ...
    (coarse,) = numeric_grad(math.exp, 0.0, eps=1e-2)
    assert coarse - 1.0 == pytest.approx(1e-4 / 6, rel=1e-3)


@pytest.mark.parametrize("eps", [0.0, -0.0, math.inf, math.nan, "0.1"])
def test_numeric_grad_rejects_a_bad_step(eps: object) -> None:
    with pytest.raises(ValueError, match="eps"):
        numeric_grad(math.sin, 1.0, eps=eps)  # type: ignore[arg-type]


def test_numeric_grad_errors_name_what_was_wrong() -> None:
    with pytest.raises(ValueError, match="at least one point"):
        numeric_grad(math.sin)
    with pytest.raises(TypeError, match=r"argument 1 must be a real number or a Value, got str"):
        numeric_grad(lambda a, b: a, 1.0, "2")
    with pytest.raises(TypeError, match="result of f in numeric_grad must be a real number or a Value, got list"):
        numeric_grad(lambda a: [a], 1.0)


# -- secant slopes ----------------------------------------------------------------------------


def test_secant_slopes_of_a_square_are_off_by_exactly_h() -> None:
    # ((x + h)**2 - x**2) / h = 2x + h, so the error is h (up to rounding)
    rows = secant_slopes(lambda x: x * x, 1.5, hs=[0.5, 0.25, 0.125])
    assert [row.h for row in rows] == [0.5, 0.25, 0.125]
    for row in rows:
        assert row.slope == pytest.approx(3.0 + row.h, rel=1e-12)
        assert row.error == pytest.approx(row.h, rel=1e-9)


def test_secant_slopes_converge_then_rounding_takes_over() -> None:
    # For sin at 1 the truncation error is about h sin(1)/2 and the rounding error about 1e-16 / h:
    # they cross near h = 1e-8, so the best step is there, not at the smallest h.
    rows = secant_slopes(lambda x: x.sin(), 1.0)
    errors = {row.h: abs(row.error) for row in rows}
    assert errors[1e-2] == pytest.approx(1e-2 * math.sin(1.0) / 2, rel=0.01)
    assert errors[1e-1] > errors[1e-2] > errors[1e-3] > errors[1e-4] > errors[1e-5]
    best = min(errors, key=errors.__getitem__)
    assert 1e-10 <= best <= 1e-6
    assert errors[1e-14] > 100 * errors[best]


def test_secant_slopes_rejects_bad_steps() -> None:
    with pytest.raises(ValueError, match="step h"):
        secant_slopes(lambda x: x, 1.0, hs=[0.1, 0.0])
    with pytest.raises(ValueError, match="at least one step"):
        secant_slopes(lambda x: x, 1.0, hs=[])


# -- gradcheck --------------------------------------------------------------------------------

CORRECT_CASES: list[tuple[str, Callable[..., Value], tuple[float, ...]]] = [
    ("polynomial", lambda x, y: x * x * y - 3 * y + 1, (1.5, -0.5)),
    ("division", lambda x, y: x / y, (2.0, -3.0)),
    ("power", lambda x, y: x**y, (1.7, 2.3)),
    ("transcendental", lambda x: (x.exp() + x.log() + x.sqrt()).tanh(), (0.8,)),
    ("trig", lambda x, y: x.sin() * y.cos() - x.sigmoid(), (0.3, 1.1)),
    ("abs and relu", lambda x, y: abs(x) * y.relu() - x, (-1.2, 0.9)),
    ("neuron", lambda x1, x2, w1, w2, b: (x1 * w1 + x2 * w2 + b).tanh(), (2.0, 0.0, -3.0, 1.0, 6.88)),
]


@pytest.mark.parametrize(("name", "f", "xs"), CORRECT_CASES, ids=[case[0] for case in CORRECT_CASES])
def test_gradcheck_passes_on_correct_rules(name: str, f: Callable[..., Value], xs: tuple[float, ...]) -> None:
    report = gradcheck(f, *xs, raise_on_failure=True)
    assert report.ok and not report.failures
    assert len(report.rows) == len(xs)
    for row in report.rows:
        assert row.abs_error <= 1e-6 + 1e-4 * abs(row.numeric)


def test_gradcheck_report_rows_hold_the_worked_numbers() -> None:
    # f = x * y at (2, 5): df/dx = 5, df/dy = 2
    report = gradcheck(lambda x, y: x * y, Value(2.0, label="x"), 5.0)
    first, second = report.rows
    assert (first.name, second.name) == ("x", "x1")  # a Value's label names its row; others by position
    assert (first.analytic, second.analytic) == (5.0, 2.0)
    assert first.numeric == pytest.approx(5.0, rel=1e-9)
    assert second.numeric == pytest.approx(2.0, rel=1e-9)
    assert first.abs_error == abs(first.analytic - first.numeric)
    text = str(report)
    assert "ok" in text.splitlines()[0]
    assert "analytic" in text and "numeric" in text
    assert len(text.splitlines()) == 4  # heading, column names, one line per input


def _off_by_one_percent(rule: Rule) -> Rule:
    """The same rule with every local derivative 1% too large: the kind of slip gradcheck must catch."""
    return Rule(rule.forward, lambda *args: tuple(1.01 * d for d in rule.derivative(*args)))


def test_gradcheck_fails_on_a_derivative_off_by_one_percent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "tanh", _off_by_one_percent(RULES["tanh"]))
    # tanh() the module function looks the rule up at call time, so it uses the broken one.
    report = gradcheck(lambda x, y: tanh(x) * y, 0.5, 2.0)
    assert not report.ok
    assert [row.name for row in report.failures] == ["x0"]  # y's derivative does not go through tanh
    (bad,) = report.failures
    # analytic = 1.01 * (1 - tanh(0.5)**2) * 2, numeric = the true value: 1% relative error
    true_slope = (1 - math.tanh(0.5) ** 2) * 2.0
    assert bad.analytic == pytest.approx(1.01 * true_slope, rel=1e-12)
    assert bad.numeric == pytest.approx(true_slope, rel=1e-8)
    assert bad.rel_error == pytest.approx(0.01, rel=1e-5)
    assert "FAILED for 1 of 2 inputs" in str(report)
    assert "NO" in str(report).splitlines()[2]


def test_gradcheck_raises_listing_the_mismatch_when_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "sin", _off_by_one_percent(RULES["sin"]))
    x = Value(0.3, label="angle")
    with pytest.raises(AssertionError, match=r"gradcheck failed for 1 of 1 inputs:\n  angle: analytic .* vs numeric"):
        gradcheck(lambda v: v.apply("sin"), x, raise_on_failure=True)


def test_gradcheck_catches_a_wrong_second_input_of_a_binary_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    forward, _ = RULES["*"]
    monkeypatch.setitem(RULES, "*", Rule(forward, lambda a, b, out: (b, 1.01 * a)))
    report = gradcheck(lambda x, y: x.apply("*", y), 3.0, 4.0)
    assert [row.ok for row in report.rows] == [True, False]


def test_gradcheck_failures_and_errors() -> None:
    with pytest.raises(ValueError, match="at least one point"):
        gradcheck(lambda x: x)
    with pytest.raises(ValueError, match="rtol"):
        gradcheck(lambda x: x, 1.0, rtol=-1.0)
    with pytest.raises(TypeError, match="result of f in gradcheck must be a real number or a Value, got str"):
        gradcheck(lambda x: "x", 1.0)


def test_gradcheck_never_passes_a_nan_derivative(monkeypatch: pytest.MonkeyPatch) -> None:
    forward, _ = RULES["exp"]
    monkeypatch.setitem(RULES, "exp", Rule(forward, lambda a, out: (math.nan,)))
    report = gradcheck(lambda x: x.apply("exp"), 0.0, atol=1e9, rtol=1e9)
    assert not report.ok
    assert math.isnan(report.rows[0].abs_error)


def test_gradcheck_of_a_constant_function_passes_with_zero_gradients() -> None:
    report = gradcheck(lambda x: 3.0, 1.0)
    assert report.ok and report.rows[0].analytic == 0.0 and report.rows[0].numeric == 0.0


@settings(max_examples=50, deadline=None)
@given(program=programs(), data=st.data())
def test_gradcheck_passes_on_random_smooth_expressions(program: Program, data: st.DataObject) -> None:
    xs = data.draw(points(program[0]))
    report = gradcheck(run(program), *xs)
    assert report.ok, str(report)


@settings(max_examples=50, deadline=None)
@given(program=programs(), data=st.data())
def test_engine_gradients_match_central_differences_on_plain_floats(program: Program, data: st.DataObject) -> None:
    # The reference never touches a Value: the same program run on floats.
    xs = data.draw(points(program[0]))
    leaves = [Value(x) for x in xs]
    out = run(program)(*leaves)
    assert isinstance(out, Value)
    grads = gradients(out)
    for leaf, expected in zip(leaves, numeric_grad(run(program), *xs), strict=True):
        assert grads.get(leaf, 0.0) == pytest.approx(expected, rel=1e-4, abs=1e-6)


# -- path counts ------------------------------------------------------------------------------


def stack(x: Value, width: int, depth: int, weight: float = 0.5) -> Value:
    """``depth`` fully connected layers of ``width`` units, then the sum of the last layer.

    Layer 1 is ``x * weight`` in every unit; each later unit adds ``unit * weight`` over the
    previous layer, so every unit of one layer reaches every unit of the next by exactly one path.
    """
    layer = [x * weight for _ in range(width)]
    for _ in range(depth - 1):
        layer = [sum((unit * weight for unit in layer[1:]), layer[0] * weight) for _ in range(width)]
    return sum(layer[1:], layer[0])


@pytest.mark.parametrize(("width", "depth"), [(1, 1), (2, 1), (2, 2), (3, 3), (2, 5), (4, 3)])
def test_a_stack_of_k_layers_of_width_w_has_w_to_the_k_paths(width: int, depth: int) -> None:
    x = Value(1.0)
    root = stack(x, width, depth)
    assert count_paths(root, x) == width**depth
    # each path multiplies by the weight once per layer and by 1 at every addition
    assert gradients(root)[x] == pytest.approx(width**depth * 0.5**depth)


def test_path_counts_on_small_graphs_by_hand() -> None:
    x, w = Value(2.0, label="x"), Value(3.0, label="w")
    assert count_paths(x, x) == 1  # the empty path
    assert count_paths(x * x, x) == 2  # two edges from x into the product
    assert count_paths(x.tanh().exp().sin(), x) == 1
    assert count_paths(x.sin() * x.cos() + x, x) == 3
    assert count_paths(w * 2, x) == 0  # w * 2 does not depend on x
    y = x
    for _ in range(10):  # each diamond doubles the paths
        y = y.sin() + y.cos()
    assert count_paths(y, x) == 2**10
    assert count_paths(y * y, x) == 2**11


def test_count_paths_is_dynamic_programming_even_for_astronomical_counts() -> None:
    # 200 diamonds: 2**200 paths, far too many to list; counting them must still be instant.
    x = Value(0.5)
    y = x
    for _ in range(200):
        y = y * 0.5 + y * 0.25
    assert count_paths(y, x) == 2**200


def test_count_paths_on_a_chain_deeper_than_the_recursion_limit() -> None:
    x = Value(0.1)
    y = x
    for _ in range(5000):
        y = y + 1.0
    assert count_paths(y, x) == 1
    assert grad_by_paths(y, x).gradient == 1.0


def test_count_paths_needs_values() -> None:
    with pytest.raises(TypeError, match="root must be a Value, got float"):
        count_paths(1.0, Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="x must be a Value, got str"):
        count_paths(Value(1.0), "x")  # type: ignore[arg-type]


# -- the naive path sum next to backward ------------------------------------------------------


def test_grad_by_paths_on_small_graphs_by_hand() -> None:
    x = Value(3.0)
    # x * x: two one-edge paths, each with local derivative x = 3
    assert grad_by_paths(x * x, x) == (6.0, 2)
    # sin(x) * cos(x): paths x->sin->prod and x->cos->prod, two edges each
    # d/dx = cos(x) cos(x) - sin(x) sin(x) = cos(2x)
    gradient, multiplications = grad_by_paths(x.sin() * x.cos(), x)
    assert gradient == pytest.approx(math.cos(6.0), rel=1e-12)
    assert multiplications == 4
    assert grad_by_paths(x, x) == (1.0, 0)  # the empty path: d x/dx = 1, nothing multiplied
    assert grad_by_paths(Value(1.0) * 2, x) == (0.0, 0)  # no path at all


def test_multiplications_on_a_two_by_two_stack_by_hand() -> None:
    # width 2, depth 2: x -> (x*w) -> (unit*w) -> layer-2 sum -> root sum: 4 edges per path, 4 paths.
    # backward: layer 1 has 2 products (2 edges each) = 4; layer 2 has 2 units, each 2 products and
    # 1 sum (6 edges) = 12; the root sum has 2 edges: 18 in all.
    x = Value(1.0)
    root = stack(x, 2, 2)
    assert grad_by_paths(root, x).multiplications == 16
    assert path_sum_cost(root, x) == 16
    assert backward_cost(root) == 18


def test_backward_cost_grows_linearly_while_paths_grow_exponentially() -> None:
    # Per extra layer of width w: w units, each w products (2 edges) and w - 1 sums (2 edges):
    # w * (4w - 2) more edges. First layer: 2w edges; the final sum: 2(w - 1).
    width = 3
    costs, paths = [], []
    for depth in range(1, 7):
        x = Value(1.0)
        root = stack(x, width, depth)
        costs.append(backward_cost(root))
        paths.append(count_paths(root, x))
        assert costs[-1] == 2 * width + (depth - 1) * width * (4 * width - 2) + 2 * (width - 1)
    assert {b - a for a, b in itertools.pairwise(costs)} == {width * (4 * width - 2)}
    assert [b // a for a, b in itertools.pairwise(paths)] == [width] * 5


@settings(max_examples=50, deadline=None)
@given(root=random_graphs())
def test_the_path_sum_equals_backward_on_random_graphs(root: Value) -> None:
    grads = gradients(root)
    for leaf in (node for node in topological_order(root) if not node.parents):
        gradient, multiplications = grad_by_paths(root, leaf)
        assert gradient == pytest.approx(grads[leaf], rel=1e-9, abs=1e-12)
        # two independent counts: one by listing every path, one by dynamic programming
        assert multiplications == path_sum_cost(root, leaf)
        if leaf is not root:  # every path has at least one edge
            assert multiplications >= count_paths(root, leaf)


def test_grad_by_paths_refuses_too_many_paths_and_points_to_backward() -> None:
    x = Value(1.0)
    root = stack(x, 4, 5)  # 1024 paths
    with pytest.raises(ValueError, match=r"1024 paths .* max_paths=1000.* gradients\(root\)\[x\]"):
        grad_by_paths(root, x, max_paths=1000)


def diamonds(x: Value, count: int) -> Value:
    """``count`` diamonds on top of x: 2**count paths."""
    y = x
    for _ in range(count):
        y = y * 0.5 + y * 0.25
    return y


def test_grad_by_paths_counts_before_it_lists_so_it_stops_at_its_limit_at_once() -> None:
    x = Value(0.5)
    root = diamonds(x, 200)
    started = time.process_time()
    with pytest.raises(ValueError, match=f"{2**200} paths lead from x to root, more than max_paths=100000"):
        grad_by_paths(root, x)
    assert time.process_time() - started < 5.0


def chain_of(length: int) -> tuple[Value, Value]:
    """x and ``length`` sines above it: one path of ``length`` edges."""
    x = Value(0.5, label="x")
    y = x
    for _ in range(length):
        y = y.sin()
    return x, y


@pytest.mark.parametrize("length", [16_000, 200_000])
def test_long_chains_take_time_linear_in_their_length(length: int) -> None:
    # The path used to be copied at every step: 0.7 s for 16,000 steps, past 60 s for a million.
    x, y = chain_of(length)
    grads = gradients(y)
    started = time.process_time()  # CPU time: other processes on the machine do not count
    gradient, multiplications = grad_by_paths(y, x)
    text = explain(y, x)
    # A generous bound, not a speed target: the old quadratic walk took minutes at this length.
    assert time.process_time() - started < 20.0
    assert multiplications == length and gradient == pytest.approx(grads[x], rel=1e-9)
    assert f"product of {length} local derivatives" in text
    assert f"{length - 10:,} more" not in text and f"… {length - 9} more …" in text  # the route, its middle left out
    assert text.endswith(f"(multiplications: {length:,} for the path sum, {length:,} for backward)")


def test_a_long_chain_with_too_many_paths_is_summarized_quickly() -> None:
    x, y = chain_of(16_000)
    top = diamonds(y, 5)  # 32 paths of 16,010 edges
    started = time.process_time()
    lines = explain(top, x, max_paths=20, top=2).splitlines()
    assert time.process_time() - started < 20.0
    assert "32 paths" in lines[0] and sum(line.startswith("path ") for line in lines) == 2
    assert lines[-1].endswith(f"multiplications: {32 * 16_010:,} for the path sum, {16_000 + 5 * 6:,} for backward)")


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda x: grad_by_paths(x, x, max_paths=-1), "max_paths must be an int >= 0, got -1"),
        (lambda x: grad_by_paths(x, x, max_paths=1.5), "max_paths must be an int >= 0, got 1.5"),
        (lambda x: explain(x, x, max_paths="20"), "max_paths must be an int >= 0, got '20'"),
        (lambda x: explain(x, x, top=0), "top must be an int >= 1, got 0"),
    ],
)
def test_path_limits_must_be_counts(call: Callable[[Value], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call(Value(1.0))


# -- explain ----------------------------------------------------------------------------------


def test_explain_a_small_graph_path_by_path() -> None:
    # L = a*b + a with a = 2, b = -3: dL/da = b + 1 = -2 over two paths; dL/db = a over one.
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    loss = c + a
    loss.label = "L"
    assert explain(loss, a) == "\n".join(
        [
            "dL/da by the chain rule: the sum over the 2 paths from a to L of the product of local derivatives.",
            "path 1: a → c → L",
            "    ∂c/∂a · ∂L/∂c = -3 · 1 = -3",
            "path 2: a → L",
            "    ∂L/∂a = 1",
            "sum over paths: -3 + 1 = -2",
            "backward gives dL/da = -2 (multiplications: 3 for the path sum, 4 for backward)",
        ]
    )
    assert explain(loss, b).endswith("backward gives dL/db = 2 (multiplications: 2 for the path sum, 4 for backward)")


def test_explain_a_ten_node_graph_fills_in_every_product() -> None:
    x, w, bias = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.25, label="b")
    h = (x * w + bias).tanh()
    out = h * h + x  # 8 nodes: x, w, x*w, b, +b, tanh, h*h, +x
    out.label = "out"
    text = explain(out, x)
    lines = text.splitlines()
    assert len(topological_order(out)) <= 10
    assert lines[0].startswith("dout/dx by the chain rule: the sum over the 3 paths")
    assert sum(line.startswith("path ") for line in lines) == 3
    # the local derivative of tanh, filled in: 1 - tanh(x*w + b)**2
    assert f"{1 - math.tanh(0.5 * -1.5 + 0.25) ** 2:.4g}" in text
    expected = 2 * math.tanh(-0.5) * (1 - math.tanh(-0.5) ** 2) * -1.5 + 1
    assert lines[-1].startswith(f"backward gives dout/dx = {expected:.4g}")


def test_explain_summarizes_a_graph_with_a_billion_paths() -> None:
    # 30 levels of y = 3y + 0.5y: 2**30 paths; the path with the largest product takes the
    # factor 3 every time (3**30), the runners-up take 0.5 once (3**29 * 0.5); dy/dx = 3.5**30.
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 3 + y * 0.5
    y.label = "y"
    text = explain(y, x, top=3)
    lines = text.splitlines()
    assert "1,073,741,824 paths" in lines[0]
    assert len(lines) == 2 + 3 * 2 + 1  # head, "the 3 paths", two lines per path, the verdict
    products = [line for line in lines if "product of 60 local derivatives" in line]
    assert products[0].endswith(f"= {3.0**30:.4g}")
    assert "(3 ×30, 1 ×30)" in products[0]
    assert all(line.endswith(f"= {3.0**29 * 0.5:.4g}") for line in products[1:])
    # 2**30 paths of 60 edges vs 6 edges per level
    assert (
        lines[-1]
        == f"backward gives dy/dx = {3.5**30:.4g} (multiplications: {2**30 * 60:,} for the path sum, 180 for backward)"
    )


def test_explain_when_there_is_no_path() -> None:
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    text = explain(y * 2, x)
    assert "= 0" in text and "no path" in text


def test_explain_needs_values() -> None:
    with pytest.raises(TypeError, match="root must be a Value"):
        explain(3.0, Value(1.0))  # type: ignore[arg-type]


def test_explain_speaks_of_one_path_in_the_singular() -> None:
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    lines = explain(y, x).splitlines()
    assert lines[0] == "dy/dx by the chain rule: the product of local derivatives along the one path from x to y."
    assert not any(line.startswith("sum over paths") for line in lines)  # one product: nothing to add up


def test_explain_says_why_two_paths_through_x_times_x_read_alike() -> None:
    x = Value(3.0, label="x")
    square = x * x
    square.label = "s"
    cube = square * x
    cube.label = "c"
    lines = explain(cube, x).splitlines()
    # c = x²·x: d/dx = 3x² = 27, from three paths (two through s, one direct), each product 9
    assert lines[-2] == "sum over paths: 9 + 9 + 9 = 27"
    assert lines.count("(s uses x as both of its arguments: each argument is a path of its own.)") == 1
    assert not any("uses" in line for line in explain(x * 2.0 + x, x).splitlines())


def test_explain_shows_its_lines_when_printed_as_a_repl_repr_and_in_jupyter() -> None:
    x = Value(3.0, label="x")
    y = x * (x + 1.0)
    y.label = "y<1>"
    text = explain(y, x)
    assert isinstance(text, str) and "\n" in text
    assert repr(text) == str(text)  # a REPL shows the lines, not one quoted string with \n in it
    html_text = text._repr_html_()
    assert html_text.startswith("<pre>") and "y&lt;1&gt;" in html_text and "<1>" not in html_text
