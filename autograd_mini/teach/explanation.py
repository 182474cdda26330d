"""``explain``: the chain rule for one gradient spelled out, every path, its product, and their sum.

Every automatic name the text uses (``n1``, ``n2``: the names drawings show) is defined where it
first appears, as in ``where n1 = x·x``.
"""

from __future__ import annotations

import html
import math
from collections import Counter
from collections.abc import Sequence

from .. import checks, collector
from ..engine import Value, gradients, topological_order
from ..names import definitions, is_automatic, node_names
from ..numeric import short_number
from .paths import Edge, Reach, edge_count, listed_paths, reach_from, top_paths, unlink

#: The most names a where line defines beyond those the text shows: the parents their definitions name.
MORE_DEFINED = 20


def _route(nodes: Sequence[Value], longest: int = 12) -> list[Value | str]:
    """The nodes of a path, x first, with the middle of a very long path left out (a note in its place)."""
    if len(nodes) <= longest:
        return list(nodes)
    return [*nodes[:5], f"… {len(nodes) - 10} more …", *nodes[-5:]]


class _Writer:
    """The lines of one explanation, and every node they name (whose automatic names it then defines)."""

    def __init__(self, names: dict[Value, str]) -> None:
        self.names = names
        self.lines: list[str] = []
        self.named: set[Value] = set()
        self.elided: set[Value] = set()  # nodes of a path that its route leaves out ("… 20 more …")

    def name(self, node: Value) -> str:
        self.named.add(node)
        return self.names[node]

    def path(self, number: int, edges: Sequence[Edge], x: Value, product: float) -> None:
        """One path (edges root end first): its route from x, and the product of its local derivatives."""
        forward = list(reversed(edges))  # x end first, as the path is read
        nodes = [x, *(node for node, _, _ in forward)]
        stops = _route(nodes)
        if len(stops) < len(nodes):
            self.elided.update(nodes[5:-5])
        route = " → ".join(stop if isinstance(stop, str) else self.name(stop) for stop in stops)
        self.lines.append(f"path {number}: {route}")
        if not forward:
            self.lines.append("    no edges: the derivative of a node by itself is 1")
        elif len(forward) > 8:  # too long to write out: say which factors it multiplies, and how often
            tally = Counter(short_number(local) for _, _, local in forward).most_common()
            factors = ", ".join(f"{value} ×{times}" for value, times in tally[:6]) + (", …" if len(tally) > 6 else "")
            self.lines.append(f"    product of {len(forward)} local derivatives ({factors}) = {short_number(product)}")
        else:
            symbols = " · ".join(f"∂{self.names[node]}/∂{self.names[parent]}" for node, parent, _ in forward)
            factors = " · ".join(short_number(local) for _, _, local in forward)
            arithmetic = f"{factors} = {short_number(product)}" if len(forward) > 1 else factors
            self.lines.append(f"    {symbols} = {arithmetic}")

    def text(self) -> Explanation:
        """The lines, with the automatic names they use defined under the first, in reading order.

        A definition names the node's parents, so they are defined too (``leaf2`` in ``n1 = leaf1·leaf2``),
        except those a route leaves out, which "… more …" stands for; at most MORE_DEFINED of them.
        """
        wanted, added = set(self.named), 0
        stack = list(self.named)
        while stack and added < MORE_DEFINED:
            for parent in stack.pop().parents:
                if is_automatic(parent) and parent not in wanted and parent not in self.elided:
                    wanted.add(parent)
                    stack.append(parent)
                    added += 1
        position = {node: i for i, node in enumerate(self.names)}
        found = definitions(sorted(wanted, key=position.__getitem__), self.names)
        where = [f"where {', '.join(found)}"] if found else []
        return Explanation("\n".join([*self.lines[:1], *where, *self.lines[1:]]))


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

    A node without a label is called by its automatic name, defined under the first line:

    >>> explain(x * x + x, x)  # doctest: +ELLIPSIS
    dn2/dx by the chain rule: the sum over the 3 paths from x to n2 of the product of local derivatives.
    where n1 = x·x, n2 = n1 + x
    path 1: x → n1 → n2
    ...
    """
    root, x = checks.instance(root, Value, "root"), checks.instance(x, Value, "x")
    max_paths, top = checks.count(max_paths, "max_paths", least=0), checks.count(top, "top", least=1)
    with collector.paused():  # the walks make no cycles: a collection would only rescan the graph
        names = node_names(root)
        if x not in names:
            names[x] = x.label or "x"
        text = _Writer(names)
        head = f"d{text.name(root)}/d{text.name(x)}"
        order = topological_order(root)
        reach = reach_from(order, x)
        paths = reach.counts.get(root, 0)
        if paths == 0:
            text.lines.append(
                f"{head} = 0: {names[root]} does not depend on {names[x]}, so no path leads from one to the other."
            )
            return text.text()
        if paths <= max_paths:
            _listed(text, head, root, x, reach)
        else:
            text.lines.append(
                f"{head} by the chain rule: the sum over {paths:,} paths from {names[x]} to {names[root]}"
                f" (counted by dynamic programming; more than max_paths={max_paths}, so not listed)."
            )
            _best_listed(text, root, x, reach, top)
        text.lines.append(
            f"backward gives {head} = {short_number(gradients(root).get(x, 0.0))} (multiplications:"
            f" {reach.lengths[root]:,} for the path sum, {edge_count(order):,} for backward)"
        )
    return text.text()


def _listed(text: _Writer, head: str, root: Value, x: Value, reach: Reach) -> None:
    """Every path from x to root with its product, and the sum of the products."""
    names = text.names
    paths = reach.counts[root]
    text.lines.append(
        f"{head} by the chain rule: the product of local derivatives along the one path from {names[x]}"
        f" to {names[root]}."
        if paths == 1
        else f"{head} by the chain rule: the sum over the {paths} paths from {names[x]} to {names[root]}"
        " of the product of local derivatives."
    )
    products = []
    doubled: dict[Value, None] = {}  # nodes whose two arguments are one value, as in x*x, in path order
    for number, edges in enumerate(listed_paths(root, x, reach), start=1):
        products.append(math.prod(local for _, _, local in edges))
        text.path(number, edges, x, products[-1])
        doubled.update((node, None) for node, parent, _ in edges if node.parents == (parent, parent))
    for node in doubled:  # otherwise two paths through it read alike and look like a repeat
        twice = names[node.parents[0]]
        text.lines.append(f"({names[node]} uses {twice} as both of its arguments: each argument is a path of its own.)")
    if paths > 1:  # one path has nothing to add up
        text.lines.append(
            f"sum over paths: {' + '.join(short_number(p) for p in products)} = {short_number(math.fsum(products))}"
        )


def _best_listed(text: _Writer, root: Value, x: Value, reach: Reach, top: int) -> None:
    """The ``top`` paths with the largest |product|, each with its product."""
    best = top_paths(root, x, reach, top)
    text.lines.append(f"The {len(best)} paths with the largest |product|:")
    for number, partial in enumerate(best, start=1):
        text.path(number, unlink(partial), x, partial.product)
