"""PyTorch as an independent reference: values, gradients and second derivatives of every primitive.

Random graphs over every primitive of ``rules.RULES`` (and the shared ``graphs.random_graphs``) are
replayed node by node in ``torch.autograd`` in float64; values, gradients and second derivatives
(ours through ``create_graph=True``) must agree. Then explicit edge points, where either both agree or
autograd_mini differs on purpose. The deliberate differences (README, "Numbers and limits"):

=============================  ==============================================  =============================
point                          autograd_mini                                   PyTorch 2.13 (float64)
=============================  ==============================================  =============================
``1 / 0``                      ZeroDivisionError at the op                     inf (slopes inf, -inf)
``0 ** -1``                    ZeroDivisionError at the op                     inf (slopes -inf, -inf)
``(-2) ** 0.5``                ValueError: no real value                       nan (slopes nan)
``sqrt(-1)``, ``log(-1)``      ValueError: outside the domain                  nan
``log(0)``                     ValueError: outside the domain                  -inf (slope inf)
``log(5e-324)``                OverflowError: the slope 2e323 overflows        -744.44 (slope inf)
``exp(710)``                   OverflowError at the op                         inf (slope inf)
d/db of ``(-2) ** 3``          0 (a constant exponent draws a clean 0)         nan (b log(a) of a < 0)
its Hessian [[a a, a b], ...]  [[-12, 4], [0, 0]]: d/db is 0 for a < 0, so     [[-12, nan], [nan, nan]]
                               the mixed entries differ
d² sqrt at 0                   ValueError: the second derivative is infinite   -inf
d/db (d/da, d/db) of           0, 0: the limits (a^b log(a) -> 0 at a = 0)     nan, nan
``0 ** 1.5``
d²/da db of ``a ** b`` at      2 (= 1/a, the exact value)                      0 (and 2 for d²/db da: its
(0.5, 0)                                                                       Hessian is not symmetric)
``softplus(30)``               30.000000000000092 (exact, rounded), slope      30.0, slope 1.0 (threshold
                               0.9999999999999064                              20: x itself above 20)
d² of ``relu(x) ** 1.5`` at 0   ``hessian`` refuses: 0 · inf is NaN             0
``Value(nan)``, ``Value(inf)``  ValueError: every number is finite             computes with them
=============================  ==============================================  =============================

Agreements checked at edge points: relu'(0) = 0, abs'(0) = 0, sqrt at 0 (0, slope inf), ``0 ** 2``,
``0 ** 0.5`` (slope inf), ``0 ** 0`` (1, slopes 0), ``0 ** 1.5`` (d²/da² inf, d²/da db 0), ``(-2) ** 3`` and
``(-2) ** -2`` (value and d/da), tanh and sigmoid saturated (±20, ±30, ±40, ±800), exp(709),
exp(-800), log(1e-300) (slope 1e300). Near saturation both lose the same digits: tanh'(10) is
8.2446145466e-9 here (1 - y·y) and 8.2446145296e-9 in PyTorch ((1 - y)(1 + y)), the exact value
8.2446144558e-9; they are checked to agree to 1e-8 there.
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Callable
from typing import Any

import pytest
from graphs import random_graphs
from hypothesis import given, settings
from hypothesis import strategies as st
from test_torch_bridge import torch_or_skip

from autograd_mini import Value, hessian
from autograd_mini.engine import gradients, topological_order
from autograd_mini.rules import RULES, arity

torch = torch_or_skip()
F = torch.nn.functional

#: Each primitive in torch; the test below fails when a primitive is added to RULES without one here.
TORCH_OPS: dict[str, Callable[..., Any]] = {
    "+": torch.add,
    "-": torch.sub,
    "*": torch.mul,
    "/": torch.div,
    "**": torch.pow,
    "neg": torch.neg,
    "abs": torch.abs,
    "exp": torch.exp,
    "log": torch.log,
    "sqrt": torch.sqrt,
    "tanh": torch.tanh,
    "sigmoid": torch.sigmoid,
    "relu": torch.relu,
    "softplus": F.softplus,
    "sin": torch.sin,
    "cos": torch.cos,
}
CONSTANTS = (2.0, 3.0, -1.0, 0.5, 1.5, -2.0)
RANDOM_GRAPHS = 300  # hypothesis examples of graphs_of_every_primitive
SHARED_GRAPHS = 100  # and of tests/graphs.py's random_graphs


def close(mine: float, theirs: float, rtol: float = 1e-9) -> bool:
    """Equal to ``rtol`` relative to the larger size (or 1); infinities must match exactly."""
    if not (math.isfinite(mine) and math.isfinite(theirs)):
        return mine == theirs or (math.isnan(mine) and math.isnan(theirs))
    return abs(mine - theirs) <= rtol * max(1.0, abs(mine), abs(theirs))


# -- ours, and the same graph replayed in torch ----------------------------------------------


def ours(root: Value, inputs: list[Value]) -> tuple[float, list[float], list[list[float]]]:
    """root's value, d(root)/d(input) and the second derivatives, through create_graph=True."""
    first = gradients(root, create_graph=True)
    grads, rows = [], []
    for x in inputs:
        slope = first.get(x)
        grads.append(0.0 if slope is None else slope.data)
        second = gradients(slope) if isinstance(slope, Value) else {}
        rows.append([float(second.get(other, 0.0)) for other in inputs])
    return root.data, grads, rows


def in_torch(root: Value, inputs: list[Value]) -> tuple[float, list[float], list[list[float]]]:
    """The same, from the graph replayed op by op in torch.autograd (float64)."""
    leaves = {x: torch.tensor(x.data, dtype=torch.float64, requires_grad=True) for x in inputs}
    tensors = dict(leaves)
    for node in topological_order(root):
        if node not in tensors:
            args = [tensors[p] for p in node.parents]
            made = TORCH_OPS[node.op](*args) if args else torch.tensor(node.data, dtype=torch.float64)
            tensors[node] = made
    out, xs = tensors[root], [leaves[x] for x in inputs]
    if not out.requires_grad:
        return out.item(), [0.0] * len(xs), [[0.0] * len(xs) for _ in xs]
    first = torch.autograd.grad(out, xs, create_graph=True, allow_unused=True)
    rows = []
    for slope in first:
        if slope is None or not slope.requires_grad:
            rows.append([0.0] * len(xs))
            continue
        second = torch.autograd.grad(slope, xs, retain_graph=True, allow_unused=True)
        rows.append([0.0 if s is None else s.item() for s in second])
    return out.item(), [0.0 if s is None else s.item() for s in first], rows


def assert_agree(root: Value, inputs: list[Value], rtol: float = 1e-9) -> None:
    (value, grads, rows), (t_value, t_grads, t_rows) = ours(root, inputs), in_torch(root, inputs)
    assert close(value, t_value, rtol), (value, t_value)
    assert all(map(close, grads, t_grads, [rtol] * len(grads))), (grads, t_grads)
    for row, t_row in zip(rows, t_rows, strict=True):
        assert all(map(close, row, t_row, [rtol] * len(row))), (rows, t_rows)


# -- random graphs over every primitive ------------------------------------------------------


def tame(node: Value) -> bool:
    """Whether a node stays where float64 answers are well conditioned, so both sides should agree to 1e-9.

    Its value is 0 or from 1e-6 to 1e3 in size, its local slopes at most 1e3 (the differentiable pass
    makes nodes such as ``a ** (b - 1)``, which overflow for a tiny a even where the answer is finite:
    ``hessian(lambda x: x**x)(1.1e-308)`` raises OverflowError, PyTorch gives -inf); tanh and sigmoid
    are not saturated (|x| <= 6: beyond, both lose the digits of 1 - y², checked at the edge points);
    softplus stays below PyTorch's threshold 20; a power ``a ** b`` whose b is not a constant has a > 0
    and b != 0, and a = 0 only with a whole b.
    """
    a, *rest = node.parents
    if not (node.data == 0.0 or 1e-6 <= abs(node.data) <= 1e3):
        return False
    if any(not math.isfinite(d) or abs(d) > 1e3 for d in node.local_grads):
        return False
    if node.op in ("tanh", "sigmoid", "softplus") and not -6.0 <= a.data <= (20.0 if node.op == "softplus" else 6.0):
        return False
    # a ** b with b an input's node: no negative a (d/db differs on purpose), no b = 0 (PyTorch's mixed
    # second derivative is 0 there: test_torch_drops_a_mixed_second_derivative_of_a_power_at_exponent_0)
    # and a = 0 only with a whole b: else a second derivative is infinite there, and 0 * inf is NaN for us
    # (test_a_second_derivative_of_0_times_inf_is_refused_where_torch_gives_0)
    if node.op == "**" and a.data == 0.0 and not rest[0].data.is_integer():
        return False
    return not (node.op == "**" and rest[0].op != "const" and (a.data <= 0.0 or rest[0].data == 0.0))


#: An input: 0, or from 1e-6 to 3 in size (as ``tame`` asks of every node).
NUMBERS = st.just(0.0) | st.floats(1e-6, 3.0) | st.floats(-3.0, -1e-6)


@st.composite
def graphs_of_every_primitive(draw: st.DrawFn) -> tuple[Value, list[Value]]:
    """A random DAG: each new node applies any primitive to earlier nodes (or a constant); kept if tame."""
    inputs = [Value(draw(NUMBERS), label=f"x{i}") for i in range(draw(st.integers(1, 3)))]
    nodes = list(inputs)
    for _ in range(draw(st.integers(1, 30))):
        op = draw(st.sampled_from(sorted(RULES)))
        a = draw(st.sampled_from(nodes[-2:]))  # one of the newest: deep graphs, not many shallow branches
        operands = [draw(st.sampled_from(nodes) | st.sampled_from(CONSTANTS))] if arity(op) == 2 else []
        try:
            node = a.apply(op, *operands)
        except (ArithmeticError, ValueError):  # outside the op's domain: drawn again
            continue
        if tame(node):
            nodes.append(node)
    return nodes[-1], inputs


def test_every_primitive_has_its_torch_op() -> None:
    assert set(TORCH_OPS) == set(RULES)


@settings(max_examples=RANDOM_GRAPHS, deadline=None)
@given(graphs_of_every_primitive())
def test_random_graphs_of_every_primitive_agree_with_torch(graph: tuple[Value, list[Value]]) -> None:
    assert_agree(*graph)


@settings(max_examples=SHARED_GRAPHS, deadline=None)
@given(random_graphs())
def test_the_shared_random_graphs_agree_with_torch(root: Value) -> None:
    inputs = [node for node in topological_order(root) if not node.op]
    assert_agree(root, inputs)


@pytest.mark.parametrize("op", sorted(RULES))
def test_every_primitive_agrees_with_torch_at_an_ordinary_point(op: str) -> None:
    inputs = [Value(0.7, label="a"), Value(1.3, label="b")][: arity(op) or 2]
    root = inputs[0].apply(op, *inputs[1:])
    assert_agree(root, inputs, rtol=1e-14)
    assert any(g != 0.0 for g in ours(root, inputs)[1])


def test_the_checker_fails_on_a_wrong_rule(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(RULES, "sin", RULES["sin"]._replace(derivative=lambda a, out: (1.01 * math.cos(a),)))
    x = Value(0.5)
    with pytest.raises(AssertionError):
        assert_agree(x.sin(), [x])


# -- edge points ------------------------------------------------------------------------------

AGREE = [
    ("relu", (0.0,)),
    ("abs", (0.0,)),
    ("sqrt", (0.0,)),  # value 0, slope inf on both sides
    ("**", (0.0, 2.0)),
    ("**", (0.0, 0.5)),  # slope inf
    ("**", (0.0, 0.0)),  # 1, slopes 0
    ("tanh", (20.0,)),
    ("tanh", (-30.0,)),
    ("sigmoid", (40.0,)),
    ("sigmoid", (-40.0,)),
    ("sigmoid", (800.0,)),
    ("sigmoid", (-800.0,)),
    ("exp", (709.0,)),
    ("exp", (-800.0,)),
    ("log", (1e-300,)),
]


def first_order(op: str, args: tuple[float, ...]) -> tuple[tuple[float, list[float]], tuple[float, list[float]]]:
    """(value, slopes) of op at args, ours and torch's, without create_graph (an infinite slope is a float)."""
    xs = [Value(a) for a in args]
    out = xs[0].apply(op, *xs[1:])
    slopes = gradients(out)
    ts = [torch.tensor(a, dtype=torch.float64, requires_grad=True) for a in args]
    t_out = TORCH_OPS[op](*ts)
    t_slopes = torch.autograd.grad(t_out, ts)
    return (out.data, [slopes.get(x, 0.0) for x in xs]), (t_out.item(), [s.item() for s in t_slopes])


@pytest.mark.parametrize(("op", "args"), AGREE)
def test_edge_points_where_both_agree(op: str, args: tuple[float, ...]) -> None:
    (value, slopes), (t_value, t_slopes) = first_order(op, args)
    assert close(value, t_value, 1e-15) and all(map(close, slopes, t_slopes, [1e-15] * len(slopes)))


def test_negative_bases_agree_on_the_value_and_the_base_slope_only() -> None:
    for b in (3.0, -2.0):
        (value, (da, db)), (t_value, (t_da, t_db)) = first_order("**", (-2.0, b))
        assert (value, da) == (t_value, t_da) == ((-2.0) ** b, b * (-2.0) ** (b - 1))
        assert db == 0.0 and math.isnan(t_db)  # deliberate: a constant exponent draws a clean 0


def test_the_hessian_of_a_negative_power_differs_off_the_diagonal() -> None:
    assert hessian(lambda a, b: a**b)(-2.0, 3.0) == [[-12.0, 4.0], [0.0, 0.0]]  # b(b-1)a^(b-2) = -12; a^(b-1) = 4
    *_, t_rows = in_torch(*two_inputs("**", -2.0, 3.0))
    assert t_rows[0][0] == -12.0 and math.isnan(t_rows[0][1]) and math.isnan(t_rows[1][0])


def test_torch_drops_a_mixed_second_derivative_of_a_power_at_exponent_0() -> None:
    # d²(a^b)/da db = a^(b-1) (1 + b log a) = 1/a = 2 at (0.5, 0); d²/db² = a^b log² a = log² 2
    assert hessian(lambda a, b: a**b)(0.5, 0.0) == [[0.0, 2.0], [2.0, math.log(2.0) ** 2]]
    *_, t_rows = in_torch(*two_inputs("**", 0.5, 0.0))
    assert t_rows[0][1] == 0.0 and t_rows[1][0] == 2.0  # PyTorch's Hessian is not even symmetric there
    *_, t_rows = in_torch(*two_inputs("**", 0.5, 1e-300))
    assert t_rows[0][1] == t_rows[1][0] == 2.0  # next to 0 it is right


def test_a_second_derivative_of_0_times_inf_is_refused_where_torch_gives_0() -> None:
    with pytest.raises(ValueError, match=r"is not a number \(nan\): 0 \* inf: backward through '\*\*'"):
        hessian(lambda x: x.relu() ** 1.5)(0.0)  # relu'(0)² (= 0) times d²(a^1.5)/da² at 0 (= inf)
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(torch.relu(t) ** 1.5, t, create_graph=True)
    assert torch.autograd.grad(slope, t)[0].item() == 0.0


def two_inputs(op: str, a: float, b: float) -> tuple[Value, list[Value]]:
    xs = [Value(a), Value(b)]
    return xs[0].apply(op, xs[1]), xs


def test_second_derivatives_at_the_edges() -> None:
    (_, _, rows), (_, _, t_rows) = ours(*two_inputs("**", 0.0, 1.5)), in_torch(*two_inputs("**", 0.0, 1.5))
    assert rows[0] == t_rows[0] == [math.inf, 0.0]  # d²/da² = b(b-1)a^(b-2): inf at 0; d²/da db = 0 (the limit)
    assert rows[1] == [0.0, 0.0] and all(map(math.isnan, t_rows[1]))  # deliberate: the limits, where torch has nan
    x = Value(0.0)
    with pytest.raises(ValueError, match="the second derivative of sqrt is infinite at 0"):
        ours(x.sqrt(), [x])
    t = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (slope,) = torch.autograd.grad(torch.sqrt(t), t, create_graph=True)
    assert torch.autograd.grad(slope, t)[0].item() == -math.inf


def test_saturated_tanh_loses_the_same_digits_on_both_sides() -> None:
    exact = float(4 / (decimal.Decimal(10).exp() + decimal.Decimal(-10).exp()) ** 2)  # sech²(10)
    (_, (slope,)), (_, (t_slope,)) = first_order("tanh", (10.0,))
    assert close(slope, t_slope, 1e-8) and close(slope, exact, 2e-8) and close(t_slope, exact, 2e-8)


REFUSED = [  # op, inputs, our error and what its message says, torch's value
    ("/", (1.0, 0.0), ZeroDivisionError, "division by zero: 1.0 / 0.0", math.inf),
    ("**", (0.0, -1.0), ZeroDivisionError, "pow: 0.0 ** -1.0 divides by zero", math.inf),
    ("**", (-2.0, 0.5), ValueError, "pow: a negative base -2.0 with the non-integer exponent 0.5", math.nan),
    ("sqrt", (-1.0,), ValueError, "sqrt: the input must be >= 0, got -1.0", math.nan),
    ("log", (-1.0,), ValueError, "log: the input must be > 0, got -1.0", math.nan),
    ("log", (0.0,), ValueError, "log: the input must be > 0, got 0.0", -math.inf),
    ("exp", (710.0,), OverflowError, "exp: exp(710.0) is too large for a float", math.inf),
]


@pytest.mark.parametrize(("op", "args", "error", "says", "torch_value"), REFUSED)
def test_where_torch_makes_inf_or_nan_the_engine_raises(
    op: str, args: tuple[float, ...], error: type[Exception], says: str, torch_value: float
) -> None:
    xs = [Value(a) for a in args]
    with pytest.raises(error, match=re.escape(says)):
        xs[0].apply(op, *xs[1:])
    assert close(TORCH_OPS[op](*(torch.tensor(a, dtype=torch.float64) for a in args)).item(), torch_value)


def test_a_slope_that_overflows_raises_where_torch_gives_inf() -> None:
    with pytest.raises(OverflowError, match="'log' of 5e-324: the local derivative is too large"):
        Value(5e-324).log()
    t = torch.tensor(5e-324, dtype=torch.float64, requires_grad=True)
    assert torch.autograd.grad(torch.log(t), t)[0].item() == math.inf


def test_softplus_is_exact_where_torch_switches_to_x() -> None:
    exact = float((decimal.Decimal(30).exp() + 1).ln())  # 30 + 9.4e-14
    (value, (slope,)), (t_value, (t_slope,)) = first_order("softplus", (30.0,))
    assert value == exact != 30.0 and 0.0 < 1.0 - slope < 1e-13
    assert (t_value, t_slope) == (30.0, 1.0)


def test_the_engine_refuses_nan_and_inf_that_torch_computes_with() -> None:
    for number in (math.nan, math.inf):
        with pytest.raises(ValueError, match="the engine refuses NaN and infinities"):
            Value(number)
        assert not math.isfinite(torch.exp(torch.tensor(number, dtype=torch.float64)).item())
