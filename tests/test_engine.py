"""The engine: Value, the graph it records, and backward (expected numbers worked out by hand)."""

from __future__ import annotations

import gc
import math
import sys

import pytest
from graphs import random_graphs
from hypothesis import given, settings

import autograd_mini.engine as engine
from autograd_mini import Value, gradients, log, sqrt, topological_order

# -- classic expressions, derivatives worked out by hand ----------------------------------


def test_product_plus_sum() -> None:
    # f = x*y + z; df/dx = y, df/dy = x, df/dz = 1
    x, y, z = Value(2.0), Value(-3.0), Value(10.0)
    f = x * y + z
    f.backward()
    assert f.data == 4.0
    assert (x.grad, y.grad, z.grad) == (-3.0, 2.0, 1.0)


def test_tanh_neuron_at_a_point_where_tanh_is_one_over_root_two() -> None:
    # n = x1*w1 + x2*w2 + b = ln(1 + sqrt 2), so tanh(n) = 1/sqrt 2 and do/dn = 1 - 1/2 = 1/2.
    x1, x2, w1, w2 = Value(2.0), Value(0.0), Value(-3.0), Value(1.0)
    b = Value(6.0 + math.log(1.0 + math.sqrt(2.0)))
    o = (x1 * w1 + x2 * w2 + b).tanh()
    o.backward()
    assert o.data == pytest.approx(1 / math.sqrt(2), abs=1e-15)
    assert x1.grad == pytest.approx(0.5 * -3.0)
    assert w1.grad == pytest.approx(0.5 * 2.0)
    assert x2.grad == pytest.approx(0.5 * 1.0)
    assert w2.grad == pytest.approx(0.0)
    assert b.grad == pytest.approx(0.5)


def test_quotient() -> None:
    # f = (x + 1) / (x - 1) at 3: f = 2, f' = -2 / (x - 1)**2 = -0.5
    x = Value(3.0)
    f = (x + 1) / (x - 1)
    f.backward()
    assert (f.data, x.grad) == (2.0, -0.5)


def test_log_of_square_plus_one() -> None:
    # f = log(x**2 + 1) at 1: f = ln 2, f' = 2x / (x**2 + 1) = 1
    x = Value(1.0)
    f = log(x**2 + 1)
    f.backward()
    assert f.data == pytest.approx(math.log(2.0))
    assert x.grad == pytest.approx(1.0)


def test_sigmoid_slope_at_zero_is_a_quarter() -> None:
    x = Value(0.0)
    x.sigmoid().backward()
    assert x.grad == 0.25


def test_numbers_on_either_side() -> None:
    x = Value(4.0)
    assert [(2 * x).data, (x * 2).data, (1 - x).data, (x - 1).data] == [8.0, 8.0, -3.0, 3.0]
    assert [(1 / x).data, (x / 2).data, (2**x).data, (x**0.5).data] == [0.25, 2.0, 16.0, 2.0]
    assert [(1 + x).data, (-x).data, abs(-x).data, sqrt(x).data] == [5.0, -4.0, 4.0, 2.0]


def test_value_exponent_gets_its_gradient() -> None:
    # f = a ** b; df/db = a**b ln a; at a = 2, b = 3: 8 ln 2
    a, b = Value(2.0), Value(3.0)
    f = a**b
    f.backward()
    assert a.grad == pytest.approx(12.0)
    assert b.grad == pytest.approx(8 * math.log(2.0))


def test_in_place_update_makes_a_new_node() -> None:
    x = Value(1.0)
    y = x
    y += 2
    y *= x
    assert y is not x and x.data == 1.0
    y.backward()
    assert y.data == 3.0 and x.grad == 4.0  # y = (x + 2) * x, y' = 2x + 2


# -- graph shapes -------------------------------------------------------------------------


def test_square_by_multiplying_a_value_with_itself_keeps_both_edges() -> None:
    a = Value(3.0)
    b = a * a
    assert b.parents == (a, a) and b.local_grads == (3.0, 3.0)
    b.backward()
    assert a.grad == 6.0


def test_a_plus_a_then_b_plus_b() -> None:
    a = Value(1.0)
    b = a + a
    c = b + b
    c.backward()
    assert (a.grad, b.grad, c.grad) == (4.0, 2.0, 1.0)


def test_diamond() -> None:
    # d = (2a) * (a + 1); dd/da = 2(a + 1) + 2a = 14 at a = 3
    a = Value(3.0)
    d = (a * 2) * (a + 1)
    d.backward()
    assert (d.data, a.grad) == (24.0, 14.0)


def test_reused_interior_node() -> None:
    # e = a*a; f = e + e*e; df/de = 1 + 2e = 9 and df/da = 9 * 2a = 36 at a = 2
    a = Value(2.0)
    e = a * a
    f = e + e * e
    f.backward()
    assert (f.data, e.grad, a.grad) == (20.0, 9.0, 36.0)


def test_a_constant_root() -> None:
    c = Value(5.0)
    c.backward()
    assert c.grad == 1.0


def test_gradients_flow_through_constants() -> None:
    x = Value(2.0)
    y = 3 * x + 1
    y.backward()
    three = y.parents[0].parents[0]
    assert three.op == "const" and three.data == 3.0
    assert x.grad == 3.0 and three.grad == 2.0


def test_a_leaf_the_root_does_not_depend_on_keeps_zero() -> None:
    x, unused = Value(2.0), Value(7.0)
    (x * x).backward()
    assert unused.grad == 0.0


def test_a_million_node_chain_at_the_default_recursion_limit() -> None:
    assert sys.getrecursionlimit() <= 10_000  # nothing here raised it
    x, w = Value(1.0), Value(1.0)
    y = x
    for _ in range(1_000_000):
        y = y * w
    y.backward()
    # y = x * w**n: dy/dx = w**n = 1, dy/dw = n * x * w**(n-1) = n
    assert (x.grad, w.grad) == (1.0, 1_000_000.0)


def test_a_hundred_thousand_term_sum() -> None:
    xs = [Value(float(i)) for i in range(100_000)]
    total = sum(x * x for x in xs)
    assert isinstance(total, Value)
    total.backward()
    assert total.data == sum(float(i) ** 2 for i in range(100_000))
    assert all(x.grad == 2 * x.data for x in xs)


# -- backward semantics --------------------------------------------------------------------


def test_backward_twice_accumulates_without_reusing_old_gradients() -> None:
    x = Value(3.0)
    z = 2 * x * x
    z.backward()
    assert x.grad == 12.0
    z.backward()
    assert x.grad == 24.0  # an engine that reuses interior grads gives 36


def test_zero_grad_resets_every_node_below() -> None:
    x = Value(3.0)
    y = x * x
    z = y + 1
    z.backward()
    z.zero_grad()
    assert (x.grad, y.grad, z.grad) == (0.0, 0.0, 0.0)
    z.backward()
    assert x.grad == 6.0


def test_gradients_leaves_grad_untouched() -> None:
    x = Value(3.0)
    y = x * x
    grads = gradients(y)
    assert grads[x] == 6.0 and grads[y] == 1.0 and x.grad == 0.0


@pytest.mark.parametrize("collector_on", [True, False])
def test_backward_restores_the_garbage_collector(collector_on: bool) -> None:
    was = gc.isenabled()
    try:
        gc.enable() if collector_on else gc.disable()
        x = Value(2.0)
        (x * x).backward()
        assert gc.isenabled() is collector_on
    finally:
        gc.enable() if was else gc.disable()


def test_backward_restores_the_collector_when_it_fails(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(root: Value) -> list[Value]:
        raise RuntimeError("boom")

    monkeypatch.setattr(engine, "topological_order", broken)
    assert gc.isenabled()
    with pytest.raises(RuntimeError, match="boom"):
        Value(1.0).backward()
    assert gc.isenabled()


# -- the order backward walks ---------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(root=random_graphs())
def test_topological_order_puts_every_parent_first(root: Value) -> None:
    order = topological_order(root)
    position = {node: i for i, node in enumerate(order)}
    assert len(position) == len(order), "each node exactly once"
    assert order[-1] is root
    for node in order:
        for parent in node.parents:
            assert position[parent] < position[node]


@settings(max_examples=100, deadline=None)
@given(root=random_graphs())
def test_backward_matches_a_slow_sum_over_consumers(root: Value) -> None:
    # Independent reference: d(root)/d(node) = sum over consumers c of d(root)/dc * dc/dnode,
    # evaluated by repeated sweeps until nothing changes (no ordering trick involved).
    nodes = set(topological_order(root))
    reference = {node: 0.0 for node in nodes}
    for _ in range(len(nodes) + 1):
        updated = {node: 0.0 for node in nodes}
        updated[root] = 1.0
        for consumer in nodes:
            for parent, local in zip(consumer.parents, consumer.local_grads, strict=True):
                updated[parent] += reference[consumer] * local if consumer is not root else local
        reference = updated
    root.backward()
    for node in nodes:
        assert node.grad == pytest.approx(reference[node], rel=1e-9, abs=1e-12)


# -- the node as data ----------------------------------------------------------------------


def test_fields_users_read() -> None:
    a = Value(2.0, label="a")
    b = a.tanh()
    assert (a.data, a.grad, a.label, a.op, a.parents, a.local_grads) == (2.0, 0.0, "a", "", (), ())
    assert b.op == "tanh" and b.parents == (a,)
    assert b.local_grads == pytest.approx((1 - math.tanh(2.0) ** 2,))
    b.label = "b"
    assert b.label == "b"
    assert isinstance(Value(3).data, float)


def test_repr_reads_well() -> None:
    assert repr(Value(2.0, label="a")) == "Value(label='a', data=2, grad=0)"
    assert repr(Value(2.0) * 3) == "Value(data=6, grad=0, op='*')"


# -- bad input -----------------------------------------------------------------------------


@pytest.mark.parametrize(("bad", "type_name"), [("3", "str"), (None, "NoneType"), ([1.0], "list"), (1 + 2j, "complex")])
def test_value_rejects_what_is_not_a_real_number(bad: object, type_name: str) -> None:
    with pytest.raises(TypeError, match=type_name):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", ["a", None, [1.0], 1j])
def test_operators_reject_what_is_not_a_number(bad: object) -> None:
    x = Value(1.0)
    for make in (lambda: x + bad, lambda: bad + x, lambda: x * bad, lambda: x - bad, lambda: x / bad, lambda: x**bad):
        with pytest.raises(TypeError, match=type(bad).__name__):
            make()


def test_label_must_be_text() -> None:
    with pytest.raises(TypeError, match="label must be a str, got int"):
        Value(1.0, label=3)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "error", "words"),
    [
        (lambda: Value(0.0).log(), ValueError, r"log: .*> 0, got 0\.0"),
        (lambda: Value(-2.0).log(), ValueError, r"log: .*got -2\.0"),
        (lambda: log(0), ValueError, r"log: .*got 0\.0"),
        (lambda: Value(-1.0).sqrt(), ValueError, r"sqrt: .*>= 0, got -1\.0"),
        (lambda: sqrt(-4), ValueError, r"sqrt: .*got -4\.0"),
        (lambda: Value(1.0) / 0, ZeroDivisionError, r"division by zero: 1\.0 / 0\.0"),
        (lambda: 1 / Value(0.0), ZeroDivisionError, r"division by zero: 1\.0 / 0\.0"),
        (lambda: Value(1000.0).exp(), OverflowError, r"exp: exp\(1000\.0\) is too large"),
        (lambda: Value(-8.0) ** (1 / 3), ValueError, r"pow: a negative base -8\.0"),
        (lambda: Value(0.0) ** -1, ZeroDivisionError, r"pow: 0\.0 \*\* -1\.0"),
        (lambda: Value(10.0) ** 400, OverflowError, r"pow: 10\.0 \*\* 400\.0 is too large"),
    ],
)
def test_domain_errors_name_the_op_and_the_value(make: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        make()  # type: ignore[operator]


def test_a_failed_op_leaves_its_inputs_as_they_were() -> None:
    x = Value(-1.0, label="x")
    with pytest.raises(ValueError):
        x.log()
    assert (x.data, x.grad, x.label, x.parents) == (-1.0, 0.0, "x", ())


def test_exp_just_below_the_overflow_limit_is_finite() -> None:
    assert math.isfinite(Value(709.0).exp().data)


def test_apply_names_an_unknown_op() -> None:
    with pytest.raises(ValueError, match="unknown op 'cube'; the primitives are"):
        Value(2.0).apply("cube")


def test_jupyter_shows_a_value_as_its_graph_and_falls_back_to_text_when_it_cannot() -> None:
    x = Value(2.0, label="x")
    y = (x * x).tanh()
    svg = y._repr_svg_()
    assert svg is not None and "<svg" in svg and ">x<" in svg.replace(" ", "")  # the leaf's label is drawn
    big = Value(0.0)
    for _ in range(600):  # over draw's default max_nodes
        big = big + 1.0
    assert big._repr_svg_() is None


# -- the numeric policy: finite numbers in, an error at the op that overflows -------------------


@pytest.mark.parametrize(
    ("bad", "error", "words"),
    [
        (float("nan"), ValueError, "Value must be a finite number, got nan"),
        (float("inf"), ValueError, "Value must be a finite number, got inf"),
        (True, TypeError, "Value must be a real number, got bool"),
        (10**400, OverflowError, "Value got an integer too large for a float \\(401 digits\\)"),
    ],
)
def test_value_refuses_what_is_not_a_finite_real_number(bad: object, error: type[Exception], words: str) -> None:
    with pytest.raises(error, match=words):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("bad", [float("nan"), float("-inf"), True])
def test_operands_follow_the_same_policy(bad: object) -> None:
    with pytest.raises((ValueError, TypeError), match="operator '\\*'"):
        _ = Value(1.0) * bad  # type: ignore[operator]


def test_a_numpy_scalar_becomes_a_plain_float_and_overflows_like_one() -> None:
    np = pytest.importorskip("numpy")
    x = Value(np.float64(10.0))
    assert type(x.data) is float
    assert type((x * np.float64(2.0)).data) is float
    for base in (x, Value(10.0)):  # the same error for both, and no numpy warning
        with pytest.raises(OverflowError, match=r"pow: 10\.0 \*\* 400\.0 is too large"):
            _ = base**400


@pytest.mark.parametrize(
    ("make", "words"),
    [
        (lambda: Value(1e200) * Value(1e200), r"'\*' of 1e\+200 and 1e\+200: the result is too large"),
        (lambda: Value(1e308) + 1e308, r"'\+' of 1e\+308 and 1e\+308"),
        (lambda: Value(-1e308) - 1e308, r"'-' of -1e\+308 and 1e\+308"),
        (lambda: Value(1e300) / 1e-10, r"'/' of 1e\+300 and 1e-10: the result is too large"),
    ],
)
def test_an_overflow_raises_at_the_op_that_caused_it(make: object, words: str) -> None:
    with pytest.raises(OverflowError, match=words):
        make()  # type: ignore[operator]


@pytest.mark.parametrize(
    ("make", "words"),
    [
        # the value 1e200 is finite, its slope -1 * 1e-200 ** -2 = -1e400 is not
        (lambda: Value(1e-200) ** -1.0, r"'\*\*' of 1e-200 and -1\.0: the local derivative is too large"),
        (lambda: Value(1e-10) / Value(1e-300), r"'/' of 1e-10 and 1e-300: the local derivative is too large"),
        (lambda: Value(5e-324).log(), r"'log' of 5e-324: the local derivative is too large"),
    ],
)
def test_a_local_derivative_that_overflows_raises_naming_op_and_inputs(make: object, words: str) -> None:
    with pytest.raises(OverflowError, match=words):
        make()  # type: ignore[operator]


def test_an_infinite_slope_is_not_an_overflow() -> None:
    # sqrt at 0 and a ** 0.5 at 0 have infinite slopes in exact arithmetic: reported as inf, as in PyTorch
    assert Value(0.0).sqrt().local_grads == (math.inf,)
    assert (Value(0.0) ** 0.5).local_grads[0] == math.inf


def test_create_graph_overflows_raise_the_same_way() -> None:
    x = Value(1e-150)
    y = x * x  # 1e-300: fine
    with pytest.raises(OverflowError):  # d/dx of 1/y = -1/y**2 overflows when built as Values
        (1.0 / y).backward(create_graph=True)


# -- a Value where Python expects a number ------------------------------------------------------


def test_a_value_reads_as_its_number_in_float_format_round_and_order() -> None:
    loss = Value(0.004567)
    assert float(loss) == 0.004567 and f"{loss:.3f}" == "0.005" and f"{loss:.2e}" == "4.57e-03"
    assert round(loss, 4) == 0.0046 and type(round(loss, 4)) is float
    assert loss < 0.01 and loss <= 0.004567 and not loss > 1 and loss >= -1
    values = [Value(3.0), Value(-1.0), Value(2.0)]
    assert [v.data for v in sorted(values)] == [-1.0, 2.0, 3.0]
    assert max(values) is values[0] and min(values) is values[1]
    assert f"{loss}" == repr(loss)  # no format spec: the usual text


def test_equality_is_node_identity_and_a_number_on_either_side_is_refused() -> None:
    a, b = Value(1.0), Value(1.0)
    assert a == a and a != b and len({a, b}) == 2 and {a: 1, b: 2}[b] == 2
    for compare in (lambda: a == 1.0, lambda: 1.0 == a, lambda: a != 1, lambda: a in [1.0]):  # noqa: SIM300
        with pytest.raises(TypeError, match=r"write v\.data == 1"):
            compare()
    assert a != "1.0" and a is not None and a != None  # noqa: E711 -- other types: identity, as before


def test_order_comparisons_refuse_what_is_not_a_number() -> None:
    with pytest.raises(TypeError, match="compared with <"):
        _ = Value(1.0) < "2"
