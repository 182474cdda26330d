"""The backward pass, one step at a time: what a class sees when the chain rule runs.

``trace_backward(root)`` replays backward without touching any ``.grad`` and returns one
:class:`Step` per node, in the order backward finalizes them: the node's gradient (now final,
since every consumer has reported), and for each parent the local derivative, the contribution
``upstream * local`` sent back, and the parent's running sum after it.

A value used by k operations gets k contributions, one back along each edge leaving it. Its sum
is final when the last one arrives: the caption of that step says ``(final, k of k)``, earlier ones
``(partial, i of k)``. A value used once is final with its only contribution (no mark).

>>> from autograd_mini import Value
>>> a, b = Value(2.0, label="a"), Value(3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> for step in trace_backward(c):
...     print(step.caption())
dc/dc = 1
dc/da = dc/dc · ∂c/∂a = 1 · 3 = 3
dc/db = dc/dc · ∂c/∂b = 1 · 2 = 2
dc/da = 3 (an input: nothing further back)
dc/db = 2 (an input: nothing further back)
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .engine import Value, topological_order
from .names import node_names
from .numeric import short_number


@dataclass(frozen=True)
class Edge:
    """One contribution sent back along an edge during a step."""

    parent: Value
    local_grad: float  # d(node)/d(parent)
    contribution: float  # upstream * local_grad
    total: float  # the parent's running sum d(root)/d(parent) after this contribution
    previous: float  # the running sum before it (0.0 for the first contribution)
    is_first: bool  # True when no other path had reached the parent yet
    arrival: int  # this is the parent's arrival-th contribution (from 1)
    uses: int  # the parent gets this many in all: one per edge leaving it

    @property
    def is_final(self) -> bool:
        """True when this is the parent's last contribution: its running sum is its gradient."""
        return self.arrival == self.uses

    def mark(self) -> str:
        """What a caption adds after the sum: ``(partial, 1 of 2)``, ``(final, 2 of 2)``; nothing if used once."""
        if self.uses == 1:
            return ""
        return f" ({'final' if self.is_final else 'partial'}, {self.arrival} of {self.uses})"


@dataclass(frozen=True)
class Step:
    """Backward at one node: its gradient is final, and it sends contributions to its parents."""

    index: int
    node: Value
    upstream: float  # d(root)/d(node), final at this step
    edges: tuple[Edge, ...]
    root: Value
    names: dict[Value, str]  # a short name for every node of the graph (names.node_names)

    def caption(self) -> str:
        """The chain-rule arithmetic of this step, one line per edge (∂node/∂parent: the local derivative)."""
        root = self.names[self.root]
        node = self.names[self.node]
        if not self.edges:
            head = f"d{root}/d{node} = {short_number(self.upstream)}"
            return head if self.index == 0 else f"{head} (an input: nothing further back)"
        lines = []
        for edge in self.edges:
            parent = self.names[edge.parent]
            # ∂ marks the local derivative, so the root's own step does not read dL/dd = dL/dL · dL/dd.
            product = (
                f"d{root}/d{node} · ∂{node}/∂{parent} = {short_number(self.upstream)} · {short_number(edge.local_grad)}"
            )
            line = f"d{root}/d{parent} = {product} = {short_number(edge.contribution)}{edge.mark()}"
            if not edge.is_first:  # paths meet here: add to what earlier paths brought
                line = (
                    f"d{root}/d{parent} += {product} = {short_number(edge.contribution)};"
                    f" sum {short_number(edge.previous)} + {short_number(edge.contribution)}"
                    f" = {short_number(edge.total)}{edge.mark()}"
                )
            lines.append(line)
        if self.index == 0:
            lines.insert(0, f"d{root}/d{root} = 1")
        return "\n".join(lines)


def trace_backward(root: Value) -> list[Step]:
    """Every step of ``root.backward()``, in order, without changing any ``.grad``.

    The arithmetic is the one backward does, in the same order, so the totals equal backward's
    gradients exactly.

    Args:
        root: the output whose gradients are traced.

    Returns:
        One Step per node, the root first, the inputs last.

    L = ab + a at a = 2, b = -3: the second step adds the path through ab to what a already has.

    >>> from autograd_mini import Value
    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> L = a * b + a
    >>> L.label = "L"
    >>> steps = trace_backward(L)
    >>> print(steps[1].caption())
    dL/da += dL/dn1 · ∂n1/∂a = 1 · -3 = -3; sum 1 + -3 = -2 (final, 2 of 2)
    dL/db = dL/dn1 · ∂n1/∂b = 1 · 2 = 2
    >>> a.grad      # tracing changes no gradient
    0.0
    """
    names = node_names(root)
    order = topological_order(root)
    uses = Counter(parent for node in order for parent in node.parents)
    arrived: Counter[Value] = Counter()
    grads: dict[Value, float] = {root: 1.0}
    steps = []
    # The loop of engine.gradients, line for line, with each edge written down as it is sent.
    for index, node in enumerate(reversed(order)):
        upstream = grads[node]  # final: every node that uses this one came earlier
        edges = []
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            is_first, previous = parent not in grads, grads.get(parent, 0.0)
            grads[parent] = previous + upstream * local
            arrived[parent] += 1
            count = (arrived[parent], uses[parent])
            edges.append(Edge(parent, local, upstream * local, grads[parent], previous, is_first, *count))
        steps.append(Step(index, node, upstream, tuple(edges), root, names))
    return steps
