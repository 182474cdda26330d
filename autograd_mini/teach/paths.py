"""The chain rule as a sum over paths: d(root)/d(x) adds, over every path from x up to root, the
product of the local derivatives along it.

Listing the paths (``grad_by_paths``) multiplies shared stretches again for every path;
backpropagation memoizes them, so every edge is used once (``backward_cost`` next to
``path_sum_cost``). On k stacked layers of width w there are w**k paths but only about k*w*w edges.
The paths are counted, measured and ranked by dynamic programming, never listed for that.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> count_paths(y, x), backward_cost(y)    # x*x reaches x twice; 3 edges, 3 multiplications
(2, 3)
"""

from __future__ import annotations

import heapq
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from .. import checks, collector
from ..engine import Value, topological_order

Edge = tuple[Value, Value, float]  # (node, parent, d(node)/d(parent))


class Reach(NamedTuple):
    """The nodes on paths from x: how many paths lead to each, how long they are, and by which edges."""

    counts: dict[Value, int]  # the number of paths from x to the node
    lengths: dict[Value, int]  # their lengths added up
    edges: dict[Value, list[Edge]]  # the node's edges from parents on such paths; in topological order


def reach_from(order: list[Value], x: Value) -> Reach:
    """The paths from x to every node of ``order`` (a topological order): counted, measured, and the edges they take.

    Dynamic programming: a node is reached by every path that reaches one of its parents, once
    per edge (``a * a`` has two edges from a), and each such path is one edge longer than at the parent.
    """
    counts: dict[Value, int] = {x: 1}
    lengths: dict[Value, int] = {x: 0}
    edges: dict[Value, list[Edge]] = {x: []}
    for node in order:
        paths, length, found = 0, 0, []
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            count = counts.get(parent)
            if count is not None:  # x reaches this parent
                paths += count
                length += lengths[parent] + count
                found.append((node, parent, local))
        if found:
            counts[node], lengths[node], edges[node] = paths, length, found
    return Reach(counts, lengths, edges)


def count_paths(root: Value, x: Value) -> int:
    """The number of paths from x up to root, counted by dynamic programming (never listed).

    Args:
        root: the output.
        x: a node root may depend on.

    Returns:
        The count (1 when x is root, 0 when root does not depend on x).

    >>> from autograd_mini import Value
    >>> x = Value(1.0)
    >>> y = x
    >>> for _ in range(40):        # 40 diamonds: each doubles the number of paths
    ...     y = y.sin() * y.cos()
    >>> count_paths(y, x) == 2**40
    True
    """
    root, x = checks.instance(root, Value, "root"), checks.instance(x, Value, "x")
    return reach_from(topological_order(root), x).counts.get(root, 0)


def backward_cost(root: Value) -> int:
    """How many multiplications ``root.backward()`` does: one ``upstream * local`` per edge.

    Memoization at work: each node's gradient is computed once and sent along each of its
    edges once, so the cost grows with the size of the graph, not with its number of paths.

    >>> from autograd_mini import Value
    >>> x = Value(2.0)
    >>> backward_cost(x * x + 1)    # edges: x->x*x twice, x*x->sum, 1->sum
    4
    """
    return edge_count(topological_order(checks.instance(root, Value, "root")))


def edge_count(order: list[Value]) -> int:
    return sum(len(node.parents) for node in order)


def path_sum_cost(root: Value, x: Value) -> int:
    """How many multiplications the naive path sum for d(root)/d(x) does, without doing them.

    Each path multiplies its local derivatives one by one, starting from d(root)/d(root) = 1 as
    backward does, so a path of n edges costs n. The total, the sum of all path lengths, is found
    by dynamic programming, so it works even for graphs with astronomically many paths.

    >>> from autograd_mini import Value
    >>> x = Value(2.0)
    >>> path_sum_cost(x * x + 1, x)    # two paths of two edges each
    4
    """
    root, x = checks.instance(root, Value, "root"), checks.instance(x, Value, "x")
    return reach_from(topological_order(root), x).lengths.get(root, 0)


def listed_paths(root: Value, x: Value, reach: Reach) -> Iterator[Sequence[Edge]]:
    """Every path from x to root as its edges, root end first, listed by an iterative depth-first search.

    The path is one list, extended by an edge on the way down and shortened on the way back, so
    nothing is copied: each path yielded is that list, valid until the next one is asked for. Only
    nodes that x reaches are entered, so no dead branch is searched.
    """
    if root not in reach.edges:
        return
    path: list[Edge] = []
    if root is x:
        yield path  # the empty path
        return
    # For each node on the path, root first: its edges towards x not yet followed.
    untried = [iter(reach.edges[root])]
    while untried:
        edge = next(untried[-1], None)
        if edge is None:  # every way on from this node is done: step back
            untried.pop()
            if path:
                path.pop()
            continue
        path.append(edge)
        if edge[1] is x:
            yield path
            path.pop()
        else:
            untried.append(iter(reach.edges[edge[1]]))


class PathSum(NamedTuple):
    """The result of ``grad_by_paths``: the gradient and the multiplications it took."""

    gradient: float
    multiplications: int


def grad_by_paths(root: Value, x: Value, *, max_paths: int = 100_000) -> PathSum:
    """d(root)/d(x) the naive way: list every path, multiply along it, add the products.

    This is the chain rule with no memoization: shared stretches of paths are multiplied again
    for every path, so the work grows with the number of paths (often exponentially).

    Args:
        root: the output.
        x: the input to differentiate with respect to.
        max_paths: refuse (ValueError) when there are more paths than this.

    Returns:
        PathSum(gradient, multiplications): the multiplications are the path lengths added up.

    >>> from autograd_mini import Value
    >>> x = Value(3.0)
    >>> grad_by_paths(x * x, x)    # two paths: d(x*x)/dx = x + x
    PathSum(gradient=6.0, multiplications=2)
    """
    root, x = checks.instance(root, Value, "root"), checks.instance(x, Value, "x")
    max_paths = checks.count(max_paths, "max_paths", least=0)
    with collector.paused():  # the walks make no cycles: a collection would only rescan the graph
        order = topological_order(root)
        reach = reach_from(order, x)
        paths = reach.counts.get(root, 0)
        if paths > max_paths:  # counted before a single path is listed
            raise ValueError(
                f"{paths} paths lead from x to root, more than max_paths={max_paths}; listing them would take too "
                f"long. gradients(root)[x] gives the same number with {edge_count(order)} multiplications"
            )
        total, multiplications = 0.0, 0
        for path in listed_paths(root, x, reach):
            product = 1.0
            for _node, _parent, local in path:
                product *= local
                multiplications += 1
            total += product
    return PathSum(total, multiplications)


@dataclass(frozen=True)
class Partial:
    """A path from x to ``node``, kept as a linked list so that extending it copies nothing."""

    product: float
    node: Value
    local: float  # d(node)/d(previous node); unused at x
    previous: Partial | None


def top_paths(root: Value, x: Value, reach: Reach, top: int) -> list[Partial]:
    """The ``top`` paths from x to root with the largest |product|, by dynamic programming.

    Any best path to a node extends one of the ``top`` best paths to one of its parents, so
    keeping the best few per node is enough: the work is about nodes * top, however many paths.
    """
    best: dict[Value, list[Partial]] = {x: [Partial(1.0, x, 1.0, None)]}
    for node, edges in reach.edges.items():  # in topological order, x first
        if node is not x:
            candidates = [
                Partial(partial.product * local, node, local, partial)
                for _, parent, local in edges
                for partial in best[parent]
            ]
            best[node] = heapq.nlargest(top, candidates, key=lambda partial: abs(partial.product))
    return best.get(root, [])


def unlink(partial: Partial) -> tuple[Edge, ...]:
    """The edges of a linked path, root end first (the order ``listed_paths`` uses)."""
    edges: list[Edge] = []
    while partial.previous is not None:
        edges.append((partial.node, partial.previous.node, partial.local))
        partial = partial.previous
    return tuple(edges)
