"""Teaching tools: one derivative seen three ways.

* As a limit of slopes: ``numeric_grad`` (central differences), ``secant_slopes`` (watch the slope
  settle, then break down when h is so small that rounding wins), and ``gradcheck``, which holds the
  engine's gradients against central differences.
* As the chain rule written out: d(root)/d(x) is the sum, over every path from x up to the root, of
  the product of the local derivatives along the path (``explain``, ``count_paths``, ``grad_by_paths``).
* As backpropagation: the same sums, memoized, so every edge is used once (``backward_cost`` next to
  ``path_sum_cost``). On k stacked layers of width w there are w**k paths but only about k*w*w edges.

``two_path_example`` builds the small graph worked by hand in the example step-by-step page and the tests.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> count_paths(y, x), backward_cost(y)    # x*x reaches x twice; 3 edges, 3 multiplications
(2, 3)
"""

from __future__ import annotations

import heapq
import html
import math
import numbers
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from . import collector
from .engine import Value, gradients, no_grad, topological_order
from .numeric import as_float, short_number
from .steps import node_names

# -- the worked example ---------------------------------------------------------------------


class TwoPath(NamedTuple):
    """The graph of ``two_path_example``: the loss first, then every node in the order it is built."""

    loss: Value
    a: Value
    b: Value
    c: Value
    d: Value


def two_path_example() -> TwoPath:
    """L = (a·b + a)² at a = 2, b = -3, built as c = a·b, d = c + a, L = d·d: a reaches L by two paths.

    Forward: c = -6, d = -4, L = 16. Backward by hand, one edge at a time:
    dL/dd = 2d = -8; dL/dc = dL/dd · 1 = -8; dL/db = dL/dc · a = -16;
    dL/da = dL/dc · b + dL/dd · 1 = 24 - 8 = 16 (the two paths, through c and straight to d, add up).
    In closed form: dL/da = 2(ab + a)(b + 1) = 16 and dL/db = 2(ab + a)a = -16.

    Returns:
        TwoPath(loss, a, b, c, d): fresh Values labelled L, a, b, c, d, gradients not yet computed.

    >>> ex = two_path_example()
    >>> ex.loss.data, ex.c.data, ex.d.data
    (16.0, -6.0, -4.0)
    >>> ex.loss.backward()
    >>> ex.a.grad, ex.b.grad, ex.c.grad, ex.d.grad
    (16.0, -16.0, -8.0, -8.0)
    """
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    loss = d * d
    loss.label = "L"
    return TwoPath(loss, a, b, c, d)


# -- numeric derivatives -------------------------------------------------------------------


def _check_step(h: Any, name: str) -> float:
    if isinstance(h, bool) or not isinstance(h, numbers.Real) or not math.isfinite(h) or h == 0:
        raise ValueError(f"{name} must be a finite non-zero number, got {h!r}")
    return float(h)


def _evaluate(f: Callable[..., Any], like: Sequence[Any], points: Sequence[float], who: str) -> float:
    """f at ``points``, each passed as the kind the caller gave in ``like`` (float or Value).

    Values are evaluated under no_grad: a numeric derivative needs only the number, not a graph.
    """
    args = [Value(p, label=x.label) if isinstance(x, Value) else p for x, p in zip(like, points, strict=True)]
    with no_grad():
        return as_float(f(*args), f"the result of f in {who}")


def numeric_grad(f: Callable[..., Any], *xs: Any, eps: float = 1e-6) -> list[float]:
    """Central differences: df/dx_i ≈ (f(.., x_i + eps, ..) - f(.., x_i - eps, ..)) / (2 eps).

    The error is about eps**2 times the third derivative, plus rounding of about 1e-16 |f| / eps.

    Args:
        f: a function returning a number or a Value.
        *xs: the point, one number or Value per argument of f. Each is passed to f as the same kind,
            so f may be written for plain floats or for Values.
        eps: the half-width of the difference.

    Returns:
        One estimate per argument, in order (a list even for one argument).

    >>> [round(g, 6) for g in numeric_grad(lambda x, y: x * y + y, 3.0, 4.0)]   # (y, x + 1)
    [4.0, 4.0]
    """
    if not xs:
        raise ValueError("numeric_grad needs at least one point to differentiate at, got none")
    eps = _check_step(eps, "eps")
    point = [as_float(x, f"numeric_grad argument {i}") for i, x in enumerate(xs)]
    slopes = []
    for i in range(len(point)):
        above, below = list(point), list(point)
        above[i] += eps
        below[i] -= eps
        rise = _evaluate(f, xs, above, "numeric_grad") - _evaluate(f, xs, below, "numeric_grad")
        slopes.append(rise / (2.0 * eps))
    return slopes


class Slope(NamedTuple):
    """One row of ``secant_slopes``: the step, the forward-difference slope, and its error."""

    h: float
    slope: float  # (f(x + h) - f(x)) / h
    error: float  # slope - f'(x), with f'(x) from the engine


DEFAULT_STEPS = tuple(10.0**-k for k in range(1, 15))


def secant_slopes(f: Callable[[Value], Any], x: float, hs: Sequence[float] = DEFAULT_STEPS) -> list[Slope]:
    """The slope (f(x + h) - f(x)) / h for each h, and how far it is from the derivative f'(x).

    As h shrinks the error falls like h, until rounding (about 1e-16 |f| / h) takes over: the
    derivative is a limit that floating point can only approach.

    Args:
        f: a function of one Value (the exact derivative comes from the engine).
        x: the point.
        hs: the steps to try.

    Returns:
        One Slope(h, slope, error) per step, in the order given.

    >>> for row in secant_slopes(lambda x: x * x, 3.0, hs=[0.1, 0.01]):   # slope = 2x + h
    ...     print(f"h={row.h:g} slope={row.slope:.4f} error={row.error:.4f}")
    h=0.1 slope=6.1000 error=0.1000
    h=0.01 slope=6.0100 error=0.0100
    """
    x = as_float(x, "secant_slopes x")
    steps = [_check_step(h, "each step h") for h in hs]
    if not steps:
        raise ValueError("secant_slopes needs at least one step h, got none")
    leaf = Value(x)
    out = f(leaf)
    exact = gradients(out).get(leaf, 0.0) if isinstance(out, Value) else 0.0
    like = [leaf]
    at_x = _evaluate(f, like, [x], "secant_slopes")
    rows = []
    for h in steps:
        slope = (_evaluate(f, like, [x + h], "secant_slopes") - at_x) / h
        rows.append(Slope(h, slope, slope - exact))
    return rows


# -- gradient checks -----------------------------------------------------------------------


@dataclass(frozen=True)
class GradcheckRow:
    """The check of one input: backward's gradient against central differences."""

    name: str
    analytic: float
    numeric: float
    abs_error: float
    rel_error: float  # abs_error / |numeric| (inf when numeric is 0 and they differ)
    ok: bool


@dataclass(frozen=True)
class GradcheckReport:
    """What ``gradcheck`` found: one row per input, and the tolerances used."""

    rows: tuple[GradcheckRow, ...]
    rtol: float
    atol: float

    @property
    def ok(self) -> bool:
        """True when every input passed."""
        return all(row.ok for row in self.rows)

    @property
    def failures(self) -> tuple[GradcheckRow, ...]:
        """The inputs whose gradients disagree."""
        return tuple(row for row in self.rows if not row.ok)

    def __str__(self) -> str:
        verdict = "ok" if self.ok else f"FAILED for {len(self.failures)} of {len(self.rows)} inputs"
        lines = [
            f"gradcheck (pass if |analytic - numeric| <= {self.atol:g} + {self.rtol:g} |numeric|): {verdict}",
            f"{'input':<10} {'analytic':>14} {'numeric':>14} {'abs error':>10} {'rel error':>10}  ok",
        ]
        for row in self.rows:
            lines.append(
                f"{row.name:<10} {row.analytic:>14.8g} {row.numeric:>14.8g} "
                f"{row.abs_error:>10.2g} {row.rel_error:>10.2g}  {'yes' if row.ok else 'NO'}"
            )
        return "\n".join(lines)


def _compare(name: str, analytic: float, numeric: float, rtol: float, atol: float) -> GradcheckRow:
    abs_error = abs(analytic - numeric)
    rel_error = abs_error / abs(numeric) if numeric != 0.0 else (0.0 if abs_error == 0.0 else math.inf)
    # Written so that a NaN anywhere fails the check (every comparison with NaN is False).
    ok = abs_error <= atol + rtol * abs(numeric)
    return GradcheckRow(name, analytic, numeric, abs_error, rel_error, ok)


def _check_tolerance(tol: Any, name: str) -> float:
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not float(tol) >= 0.0:
        raise ValueError(f"{name} must be a number >= 0, got {tol!r}")
    return float(tol)


def gradcheck(
    f: Callable[..., Any],
    *xs: Any,
    rtol: float = 1e-4,
    atol: float = 1e-6,
    eps: float = 1e-6,
    raise_on_failure: bool = False,
) -> GradcheckReport:
    """Compare the engine's gradients of f with central differences, input by input.

    f is called with fresh leaf Values at ``xs``; ``gradients`` (what backward uses) gives the
    analytic gradient and ``numeric_grad`` the numeric one. An input passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``.

    Args:
        f: a function of Values returning a Value (or a number, for a constant function).
        *xs: the point, numbers or Values (a Value's label names its row).
        rtol: relative tolerance.
        atol: absolute tolerance.
        eps: the step of the central differences.
        raise_on_failure: raise AssertionError listing the mismatches instead of returning a
            failed report.

    Returns:
        A GradcheckReport: ``report.ok``, ``report.rows``, ``report.failures``; print it for a table.

    >>> report = gradcheck(lambda x, y: (x * y).tanh(), 0.5, -1.5)
    >>> report.ok, [row.name for row in report.rows]
    (True, ['x0', 'x1'])
    """
    if not xs:
        raise ValueError("gradcheck needs at least one point to check at, got none")
    rtol, atol = _check_tolerance(rtol, "rtol"), _check_tolerance(atol, "atol")
    names = [x.label if isinstance(x, Value) and x.label else f"x{i}" for i, x in enumerate(xs)]
    leaves = [Value(as_float(x, f"gradcheck argument {i}"), label=names[i]) for i, x in enumerate(xs)]
    out = f(*leaves)
    as_float(out, "the result of f in gradcheck")  # a clear TypeError for a non-scalar result
    grads = gradients(out) if isinstance(out, Value) else {}
    numeric = numeric_grad(f, *leaves, eps=eps)
    rows = tuple(
        _compare(name, float(grads.get(leaf, 0.0)), estimate, rtol, atol)
        for name, leaf, estimate in zip(names, leaves, numeric, strict=True)
    )
    report = GradcheckReport(rows, rtol, atol)
    if raise_on_failure and not report.ok:
        mismatches = "\n".join(
            f"  {row.name}: analytic {row.analytic!r} vs numeric {row.numeric!r} "
            f"(abs error {row.abs_error:.3g}, rel error {row.rel_error:.3g})"
            for row in report.failures
        )
        raise AssertionError(f"gradcheck failed for {len(report.failures)} of {len(rows)} inputs:\n{mismatches}")
    return report


# -- the chain rule as a sum over paths ------------------------------------------------------


def _check_value(x: Any, name: str) -> Value:
    if not isinstance(x, Value):
        raise TypeError(f"{name} must be a Value, got {type(x).__name__}: {x!r}")
    return x


def _check_count(n: Any, name: str, least: int) -> int:
    if isinstance(n, bool) or not isinstance(n, int) or n < least:
        raise ValueError(f"{name} must be an int >= {least}, got {n!r}")
    return n


_Edge = tuple[Value, Value, float]  # (node, parent, d(node)/d(parent))


class _Reach(NamedTuple):
    """The nodes on paths from x: how many paths lead to each, how long they are, and by which edges."""

    counts: dict[Value, int]  # the number of paths from x to the node
    lengths: dict[Value, int]  # their lengths added up
    edges: dict[Value, list[_Edge]]  # the node's edges from parents on such paths; in topological order


def _reach(order: list[Value], x: Value) -> _Reach:
    """The paths from x to every node of ``order`` (a topological order): counted, measured, and the edges they take.

    Dynamic programming: a node is reached by every path that reaches one of its parents, once
    per edge (``a * a`` has two edges from a), and each such path is one edge longer than at the parent.
    """
    counts: dict[Value, int] = {x: 1}
    lengths: dict[Value, int] = {x: 0}
    edges: dict[Value, list[_Edge]] = {x: []}
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
    return _Reach(counts, lengths, edges)


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
    root, x = _check_value(root, "root"), _check_value(x, "x")
    return _reach(topological_order(root), x).counts.get(root, 0)


def backward_cost(root: Value) -> int:
    """How many multiplications ``root.backward()`` does: one ``upstream * local`` per edge.

    Memoization at work: each node's gradient is computed once and sent along each of its
    edges once, so the cost grows with the size of the graph, not with its number of paths.

    >>> from autograd_mini import Value
    >>> x = Value(2.0)
    >>> backward_cost(x * x + 1)    # edges: x->x*x twice, x*x->sum, 1->sum
    4
    """
    return _edge_count(topological_order(_check_value(root, "root")))


def _edge_count(order: list[Value]) -> int:
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
    root, x = _check_value(root, "root"), _check_value(x, "x")
    return _reach(topological_order(root), x).lengths.get(root, 0)


def _paths(root: Value, x: Value, reach: _Reach) -> Iterator[Sequence[_Edge]]:
    """Every path from x to root as its edges, root end first, listed by an iterative depth-first search.

    The path is one list, extended by an edge on the way down and shortened on the way back, so
    nothing is copied: each path yielded is that list, valid until the next one is asked for. Only
    nodes that x reaches are entered, so no dead branch is searched.
    """
    if root not in reach.edges:
        return
    path: list[_Edge] = []
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
    root, x = _check_value(root, "root"), _check_value(x, "x")
    max_paths = _check_count(max_paths, "max_paths", least=0)
    with collector.paused():  # the walks make no cycles: a collection would only rescan the graph
        order = topological_order(root)
        reach = _reach(order, x)
        paths = reach.counts.get(root, 0)
        if paths > max_paths:  # counted before a single path is listed
            raise ValueError(
                f"{paths} paths lead from x to root, more than max_paths={max_paths}; listing them would take too "
                f"long. gradients(root)[x] gives the same number with {_edge_count(order)} multiplications"
            )
        total, multiplications = 0.0, 0
        for path in _paths(root, x, reach):
            product = 1.0
            for _node, _parent, local in path:
                product *= local
                multiplications += 1
            total += product
    return PathSum(total, multiplications)


# -- explanations ----------------------------------------------------------------------------


def _route(nodes: Sequence[Value], names: dict[Value, str], longest: int = 12) -> str:
    """The nodes of a path, x first, with the middle left out of very long paths."""
    shown = [names[node] for node in nodes]
    if len(shown) > longest:
        shown = [*shown[:5], f"… {len(shown) - 10} more …", *shown[-5:]]
    return " → ".join(shown)


def _path_lines(number: int, edges: Sequence[_Edge], x: Value, names: dict[Value, str], product: float) -> list[str]:
    """One path (edges root end first): its route from x, and the product of its local derivatives."""
    forward = list(reversed(edges))  # x end first, as the path is read
    route = _route([x, *(node for node, _, _ in forward)], names)
    if not forward:
        return [f"path {number}: {route}", "    no edges: the derivative of a node by itself is 1"]
    if len(forward) > 8:  # too long to write out: say which factors it multiplies, and how often
        tally = Counter(short_number(local) for _, _, local in forward).most_common()
        factors = ", ".join(f"{value} ×{times}" for value, times in tally[:6]) + (", …" if len(tally) > 6 else "")
        return [
            f"path {number}: {route}",
            f"    product of {len(forward)} local derivatives ({factors}) = {short_number(product)}",
        ]
    symbols = " · ".join(f"∂{names[node]}/∂{names[parent]}" for node, parent, _ in forward)
    factors = " · ".join(short_number(local) for _, _, local in forward)
    arithmetic = f"{factors} = {short_number(product)}" if len(forward) > 1 else factors
    return [f"path {number}: {route}", f"    {symbols} = {arithmetic}"]


@dataclass(frozen=True)
class _Partial:
    """A path from x to ``node``, kept as a linked list so that extending it copies nothing."""

    product: float
    node: Value
    local: float  # d(node)/d(previous node); unused at x
    previous: _Partial | None


def _top_paths(root: Value, x: Value, reach: _Reach, top: int) -> list[_Partial]:
    """The ``top`` paths from x to root with the largest |product|, by dynamic programming.

    Any best path to a node extends one of the ``top`` best paths to one of its parents, so
    keeping the best few per node is enough: the work is about nodes * top, however many paths.
    """
    best: dict[Value, list[_Partial]] = {x: [_Partial(1.0, x, 1.0, None)]}
    for node, edges in reach.edges.items():  # in topological order, x first
        if node is not x:
            candidates = [
                _Partial(partial.product * local, node, local, partial)
                for _, parent, local in edges
                for partial in best[parent]
            ]
            best[node] = heapq.nlargest(top, candidates, key=lambda partial: abs(partial.product))
    return best.get(root, [])


def _unlink(partial: _Partial) -> tuple[_Edge, ...]:
    """The edges of a linked path, root end first (the order ``_paths`` uses)."""
    edges: list[_Edge] = []
    while partial.previous is not None:
        edges.append((partial.node, partial.previous.node, partial.local))
        partial = partial.previous
    return tuple(edges)


class Explanation(str):
    r"""The text ``explain`` returns: a str, shown as its lines wherever it lands.

    ``print`` gives the lines; in a REPL the bare result shows as the same lines (not one long quoted
    string full of ``\n``), and Jupyter shows it as a block of monospaced text.

    >>> Explanation("dy/dx = 6\nby two paths")
    dy/dx = 6
    by two paths
    """

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(self)}</pre>"


def explain(root: Value, x: Value, *, max_paths: int = 20, top: int = 5) -> Explanation:
    """The chain rule for d(root)/d(x) spelled out: every path, its product, and their sum.

    Each path from x up to root contributes the product of the local derivatives along it;
    the derivative is the sum of those products, which is the number backward computes. Graphs
    with more than ``max_paths`` paths get a summary instead: the path count (by dynamic
    programming), the ``top`` paths with the largest |product|, and the two methods' costs.

    Args:
        root: the output.
        x: the input.
        max_paths: list every path only up to this many.
        top: how many paths a summary shows.

    Returns:
        The explanation, lines of text (an :class:`Explanation`: a str that a REPL or Jupyter shows
        as its lines). It prints nothing itself: ``print(explain(...))`` in a script.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> y.label = "y"
    >>> explain(y, x)
    dy/dx by the chain rule: the sum over the 2 paths from x to y of the product of local derivatives.
    path 1: x → y
        ∂y/∂x = 3
    path 2: x → y
        ∂y/∂x = 3
    (y uses x as both of its arguments: each argument is a path of its own.)
    sum over paths: 3 + 3 = 6
    backward gives dy/dx = 6 (multiplications: 2 for the path sum, 2 for backward)
    """
    root, x = _check_value(root, "root"), _check_value(x, "x")
    max_paths, top = _check_count(max_paths, "max_paths", least=0), _check_count(top, "top", least=1)
    with collector.paused():  # the walks make no cycles: a collection would only rescan the graph
        names = node_names(root)
        if x not in names:
            names[x] = x.label or "x"
        head = f"d{names[root]}/d{names[x]}"
        order = topological_order(root)
        reach = _reach(order, x)
        paths = reach.counts.get(root, 0)
        if paths == 0:
            return Explanation(
                f"{head} = 0: {names[root]} does not depend on {names[x]}, so no path leads from one to the other."
            )
        if paths <= max_paths:
            lines = _listed(head, root, x, reach, names)
        else:
            lines = [
                f"{head} by the chain rule: the sum over {paths:,} paths from {names[x]} to {names[root]}"
                f" (counted by dynamic programming; more than max_paths={max_paths}, so not listed).",
                *_best_listed(root, x, reach, top, names),
            ]
        lines.append(
            f"backward gives {head} = {short_number(gradients(root).get(x, 0.0))} (multiplications:"
            f" {reach.lengths[root]:,} for the path sum, {_edge_count(order):,} for backward)"
        )
    return Explanation("\n".join(lines))


def _listed(head: str, root: Value, x: Value, reach: _Reach, names: dict[Value, str]) -> list[str]:
    """Every path from x to root with its product, and the sum of the products."""
    paths = reach.counts[root]
    lines = [
        f"{head} by the chain rule: the product of local derivatives along the one path from {names[x]}"
        f" to {names[root]}."
        if paths == 1
        else f"{head} by the chain rule: the sum over the {paths} paths from {names[x]} to {names[root]}"
        " of the product of local derivatives."
    ]
    products = []
    doubled: dict[Value, None] = {}  # nodes whose two arguments are one value, as in x*x, in path order
    for number, edges in enumerate(_paths(root, x, reach), start=1):
        products.append(math.prod(local for _, _, local in edges))
        lines += _path_lines(number, edges, x, names, products[-1])
        doubled.update((node, None) for node, parent, _ in edges if node.parents == (parent, parent))
    for node in doubled:  # otherwise two paths through it read alike and look like a repeat
        twice = names[node.parents[0]]
        lines.append(f"({names[node]} uses {twice} as both of its arguments: each argument is a path of its own.)")
    if paths > 1:  # one path has nothing to add up
        lines.append(
            f"sum over paths: {' + '.join(short_number(p) for p in products)} = {short_number(math.fsum(products))}"
        )
    return lines


def _best_listed(root: Value, x: Value, reach: _Reach, top: int, names: dict[Value, str]) -> list[str]:
    """The ``top`` paths with the largest |product|, each with its product."""
    best = _top_paths(root, x, reach, top)
    lines = [f"The {len(best)} paths with the largest |product|:"]
    for number, partial in enumerate(best, start=1):
        lines += _path_lines(number, _unlink(partial), x, names, partial.product)
    return lines
