"""One name for every node: what captions, drawings, explanations and the command line call it.

A labelled node is called by its label. A computed node without one gets ``n1``, ``n2``, ... in
reading order (``reading_order``): no gaps, and ``n1`` is what a reader meets first. A constant
the engine wrapped (the 2 of ``x * 2``) is called by its number (a negative one in parentheses,
``(-3)``, so that ``df/d(-3)`` reads as one symbol). A leaf made without a label gets ``leaf1``,
``leaf2``, ...

A name that is taken already (by a label, or by an earlier constant with the same number) gets a
prime the second time and a number from the third on: ``2``, ``2'``, ``2#3``, ``2#4``. So no two
nodes share a name by accident, and no name grows with the size of the graph: naming n values
takes time and text in proportion to n.

``formula`` says what an automatic name stands for (``n1 = x·x``), so that every text that uses one
can say it where the name first appears.

>>> from autograd_mini import Value
>>> x = Value(1.0, label="x")
>>> y = (x * 2).tanh() + x * 2
>>> names = node_names(y)
>>> [names[node] for node in reading_order(y)]
['x', '2', 'n1', 'n2', "2'", 'n3', 'n4']
>>> formula(y, names)
'n2 + n3'
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .engine import Value
from .numeric import short_number

# How a formula writes each binary op: a product as a centred dot, as the captions do.
BINARY = {"+": "{} + {}", "-": "{} - {}", "*": "{}·{}", "/": "{} / {}", "**": "{}**{}"}
UNARY = {"neg": "-{}", "abs": "|{}|"}
_PARENTS_DONE = object()  # on reading_order's stack above a node whose parents are being visited


def reading_order(root: Value, *more_roots: Value) -> list[Value]:
    """Every node below ``root`` (and ``more_roots``) in the order a left-to-right reading of the expression makes them.

    A post-order walk that visits each node's parents first argument first: for
    ``tanh(x1*w1 + x2*w2 + b)`` the computed nodes come as x1*w1, x2*w2, their sum, + b, tanh.
    Also topological (parents before the node), but not backward's order
    (``engine.topological_order``), which is kept as it is. Iterative: any depth.

    >>> from autograd_mini import Value
    >>> a, b, c = (Value(1.0, label=name) for name in "abc")
    >>> [node.label or node.op for node in reading_order(a * b + c)]
    ['a', 'b', '*', 'c', '+']
    """
    order: list[Value] = []
    visited: set[Value] = set()
    for start in (root, *more_roots):
        stack: list[Any] = [start]  # Values still to visit, and _PARENTS_DONE markers
        while stack:
            node = stack.pop()
            if node is _PARENTS_DONE:
                order.append(stack.pop())  # the node under the marker: its parents are all in the order
            elif node not in visited:
                visited.add(node)
                stack += (node, _PARENTS_DONE, *reversed(node.parents))  # the first argument on top
    return order


class _Fresh:
    """Hands out names nobody has: ``base``, then ``base'``, then ``base#3``, ``base#4``, ...

    Each base remembers how far it got, so asking again never re-tries a name already handed out:
    the work over a whole graph is one step per name, plus one per label in the way.
    """

    def __init__(self, taken: set[str]) -> None:
        self.taken = taken
        self.copies: dict[str, int] = {}

    def __call__(self, base: str) -> str:
        copy = self.copies.get(base, 0)
        while True:
            copy += 1
            name = base if copy == 1 else f"{base}'" if copy == 2 else f"{base}#{copy}"
            if name not in self.taken:
                break
        self.copies[base] = copy
        self.taken.add(name)
        return name


def is_automatic(node: Value) -> bool:
    """True when the node's name is made up by ``node_names`` (``n1``, ``leaf1``): no label, not a constant.

    >>> from autograd_mini import Value
    >>> x = Value(2.0, label="x")
    >>> is_automatic(x), is_automatic(x * x), is_automatic((x * 3).parents[1])
    (False, True, False)
    """
    return not node.label and node.op != "const"


def node_names(root: Value, *more_roots: Value) -> dict[Value, str]:
    """A short name for every node below ``root`` (and ``more_roots``), the one every picture and text uses.

    Labels come first: an automatic name or a constant that would repeat a label gets a prime
    (``n2'``), and so does the second 2 of ``x*2 + y*2`` (``2'``); the third 2 is ``2#3``. Two
    nodes given the same label by the user keep it: that is their choice.

    Args:
        root: the output whose graph is named.
        *more_roots: other outputs of the same graph, named in the same pass.

    Returns:
        The name of every node, in reading order.

    >>> from autograd_mini import Value
    >>> x = Value(1.0, label="x")
    >>> y = x * 1.0 * 1.0 * 1.0
    >>> [name for node, name in node_names(y).items() if node.op == "const"]
    ['1', "1'", '1#3']
    """
    order = reading_order(root, *more_roots)
    labelled = {node.label for node in order if node.label and node.op != "const"}
    fresh = _Fresh(labelled)
    counts = {"n": 0, "leaf": 0}
    names = {}
    for node in order:
        if node.label and node.op != "const":
            names[node] = node.label
        elif node.op == "const":
            names[node] = fresh(constant_name(node))
        else:
            prefix = "n" if node.parents else "leaf"
            counts[prefix] += 1
            names[node] = fresh(f"{prefix}{counts[prefix]}")
    return names


def constant_name(node: Value) -> str:
    """What a constant is called before any prime: its number, a negative one in parentheses.

    >>> from autograd_mini import Value
    >>> x = Value(1.0)
    >>> constant_name((x * 2).parents[1]), constant_name((x * -0.5).parents[1])
    ('2', '(-0.5)')
    """
    number = short_number(node.data)
    return f"({number})" if number.startswith("-") else number


def formula(node: Value, names: Mapping[Value, str]) -> str:
    """What made ``node``, written with its parents' names: ``x·x``, ``n1 + b``, ``tanh(n2)``, ``-n1``.

    A leaf has no formula: it is written as its number.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = (x * x).tanh()
    >>> names = node_names(y)
    >>> [formula(node, names) for node in reading_order(y)]
    ['3', 'x·x', 'tanh(n1)']
    """
    if not node.parents:
        return short_number(node.data)
    parents = [names[parent] for parent in node.parents]
    if len(parents) == 2:
        return BINARY.get(node.op, f"{node.op}({{}}, {{}})").format(*parents)
    return UNARY.get(node.op, f"{node.op}({{}})").format(*parents)


def definitions(nodes: Iterable[Value], names: Mapping[Value, str], known: set[Value] | None = None) -> list[str]:
    """``n1 = x·x`` for each automatically named node in ``nodes`` not yet in ``known`` (which then holds it).

    A text calls this with the nodes of each line it writes and one ``known`` set, so every
    automatic name it uses is defined once, where it first appears.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = (x * x).tanh()
    >>> names, known = node_names(y), set()
    >>> definitions(reading_order(y), names, known), definitions([y], names, known)
    (['n1 = x·x', 'n2 = tanh(n1)'], [])
    """
    known = set() if known is None else known
    lines = []
    for node in nodes:
        if node in known or not is_automatic(node):
            continue
        known.add(node)
        what = formula(node, names) if node.parents else f"{short_number(node.data)} (a Value without a label)"
        lines.append(f"{names[node]} = {what}")
    return lines
