"""teach.paths: the chain rule as a sum over paths, counted by dynamic programming and summed naively,
next to what backward costs.

Expected numbers are worked out by hand in the comments, or come from an independent method
(counting by enumeration vs by dynamic programming, backward vs the path sum on random graphs).
"""

from __future__ import annotations

import itertools
import math
import time
from collections.abc import Callable

import pytest
from graphs import chain_of, diamonds, random_graphs
from hypothesis import given, settings

from autograd_mini import (
    Value,
    backward_cost,
    count_paths,
    explain,
    grad_by_paths,
    gradients,
    path_sum_cost,
    topological_order,
)
from autograd_mini.teach.paths import edge_count, listed_paths, reach_from, top_paths, unlink

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


def test_the_public_helpers_on_a_graph_worked_by_hand() -> None:
    # y = x·x + x at x = 3: two paths through s = x·x (each ∂s/∂x = 3, then ∂y/∂s = 1) and one direct
    x = Value(3.0, label="x")
    s = x * x
    y = s + x
    order = topological_order(y)
    reach = reach_from(order, x)
    assert (reach.counts[s], reach.counts[y]) == (2, 3)
    assert reach.lengths[y] == 2 * 2 + 1  # two paths of two edges, one of one
    assert reach.edges[s] == [(s, x, 3.0), (s, x, 3.0)] and reach.edges[y] == [(y, s, 1.0), (y, x, 1.0)]
    assert edge_count(order) == 4
    listed = [list(path) for path in listed_paths(y, x, reach)]  # each path is one list, reused: copy it
    assert listed == [[(y, s, 1.0), (s, x, 3.0)]] * 2 + [[(y, x, 1.0)]]  # root end first
    best = top_paths(y, x, reach, 2)
    assert [partial.product for partial in best] == [3.0, 3.0]
    assert unlink(best[0]) == ((y, s, 1.0), (s, x, 3.0))


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


def test_grad_by_paths_counts_before_it_lists_so_it_stops_at_its_limit_at_once() -> None:
    x = Value(0.5)
    root = diamonds(x, 200)
    started = time.process_time()
    with pytest.raises(ValueError, match=f"{2**200} paths lead from x to root, more than max_paths=100000"):
        grad_by_paths(root, x)
    assert time.process_time() - started < 5.0


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


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: grad_by_paths(x, x, max_paths=-1), ValueError, "max_paths must be an int >= 0, got -1"),
        (lambda x: grad_by_paths(x, x, max_paths=1.5), TypeError, "max_paths must be an int >= 0, got float: 1.5"),
    ],
)
def test_path_limits_must_be_counts(call: Callable[[Value], object], error: type[Exception], message: str) -> None:
    # a wrong value is a ValueError, a wrong type (a float) a TypeError
    with pytest.raises(error, match=message):
        call(Value(1.0))
