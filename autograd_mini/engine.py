"""The engine: a Value node and the backward pass that fills in gradients.

A Value holds a number (``data``), the gradient backward adds to it (``grad``), the operation
that made it (``op``), and up to two parents with the local derivative with respect to each.
Every primitive in ``rules.py`` takes one or two inputs, so two parent slots are enough.
``backward`` replays the chain rule from the output back to the inputs, once per node.
"""

from __future__ import annotations

from collections.abc import Callable
from math import isfinite
from typing import Any

from . import checks, collector, modes, rules
from .modes import MODES, OPEN, detect_anomaly, no_grad
from .numeric import AsNumber, finite, short_number
from .rules import RULES

__all__ = ["Value", "detect_anomaly", "gradients", "no_grad", "topological_order"]


def _reflected(op: str) -> Callable[[Value, float], Value]:
    """The method for ``number op a``: the number is wrapped as a constant, and goes first."""

    def reflected(self: Value, other: float) -> Value:
        return _node(op, _constant(other, op), self)

    reflected.__doc__ = f"number {op} a."
    return reflected


class Value(AsNumber):
    """A scalar in a computation graph. Where Python expects a number, its data stands in (AsNumber).

    Attributes:
        data: the number (a float).
        grad: d(root)/d(self), added by each ``root.backward()``; 0.0 until one reaches it.
        label: a name shown in drawings and explanations ("" if none).
        op: what made this node: "" for a leaf you made, "const" for a number the engine
            wrapped, else a primitive such as "+" or "tanh".

    >>> x = Value(3.0, label="x")
    >>> y = 2 * x + 1
    >>> y.backward()
    >>> y, x
    (Value(data=7, grad=1, op='+'), Value(label='x', data=3, grad=2))
    """

    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_da", "_db")  # about 120 bytes a node

    def __init__(self, data: int | float, label: str = "") -> None:
        checks.text(label, "Value label")
        self.data = finite(data, "Value")
        self.grad: float | Value = 0.0
        self.label, self.op = label, ""
        self._a: Value | None = None
        self._b: Value | None = None
        self._da: Any = 0.0
        self._db: Any = 0.0

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the operation that made this node, in argument order.

        >>> a = Value(2.0, label="a")
        >>> [p.label for p in (a + a).parents]      # one slot per argument
        ['a', 'a']
        >>> a.parents                               # a leaf has none
        ()
        """
        return () if self._a is None else (self._a,) if self._b is None else (self._a, self._b)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, computed when the node was made.

        >>> (Value(2.0) * Value(5.0)).local_grads   # d(ab)/da = b, d(ab)/db = a
        (5.0, 2.0)
        """
        return (self._da, self._db)[: len(self.parents)]

    # -- operators and functions: each is one primitive of rules.py -----------------------

    def __add__(self, other: Value | float) -> Value:
        """a + b; d/da = 1, d/db = 1."""
        return _node("+", self, other)

    def __sub__(self, other: Value | float) -> Value:
        """a - b; d/da = 1, d/db = -1."""
        return _node("-", self, other)

    def __mul__(self, other: Value | float) -> Value:
        """a * b; d/da = b, d/db = a."""
        return _node("*", self, other)

    def __truediv__(self, other: Value | float) -> Value:
        """a / b; d/da = 1/b, d/db = -a/b**2. Raises ZeroDivisionError for b = 0."""
        return _node("/", self, other)

    def __pow__(self, other: Value | float) -> Value:
        """a ** b; d/da = b a**(b-1), d/db = a**b log(a) (0 where a <= 0), inf at a = 0 for 0 < b < 1.

        A negative base needs an integer exponent (ValueError); 0 ** b with b < 0 is a ZeroDivisionError.
        """
        return _node("**", self, other)

    # 2 * x arrives as x.__rmul__(2): the number is wrapped, and goes first.
    __radd__ = _reflected("+")
    __rsub__ = _reflected("-")
    __rmul__ = _reflected("*")
    __rtruediv__ = _reflected("/")
    __rpow__ = _reflected("**")

    def __neg__(self) -> Value:
        """-a; d/da = -1."""
        return _node("neg", self)

    def __abs__(self) -> Value:
        """|a|; d/da = sign(a), with abs'(0) = 0 as in PyTorch."""
        return _node("abs", self)

    def exp(self) -> Value:
        """e**a; d/da = e**a. Raises OverflowError above a = 709.78.
        >>> Value(0.0).exp().local_grads     # e**0
        (1.0,)
        """
        return _node("exp", self)

    def log(self) -> Value:
        """Natural log; d/da = 1/a. Raises ValueError for a <= 0.
        >>> Value(4.0).log().local_grads     # 1/4
        (0.25,)
        """
        return _node("log", self)

    def sqrt(self) -> Value:
        """Square root; d/da = 1/(2 sqrt(a)), inf at a = 0. Raises ValueError for a < 0.
        >>> Value(4.0).sqrt().local_grads    # 1/(2 * 2)
        (0.25,)
        """
        return _node("sqrt", self)

    def tanh(self) -> Value:
        """tanh(a); d/da = 1 - tanh(a)**2.
        >>> Value(0.0).tanh().local_grads    # 1 - 0**2
        (1.0,)
        """
        return _node("tanh", self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-a); d/da = s(a)(1 - s(a)). Never overflows, even at a = +-1000.
        >>> Value(0.0).sigmoid().local_grads     # 0.5 * (1 - 0.5)
        (0.25,)
        """
        return _node("sigmoid", self)

    def relu(self) -> Value:
        """max(a, 0); d/da = 1 for a > 0, else 0 (relu'(0) = 0, as in PyTorch).
        >>> Value(3.0).relu().local_grads, Value(0.0).relu().local_grads
        ((1.0,), (0.0,))
        """
        return _node("relu", self)

    def sin(self) -> Value:
        """sin(a); d/da = cos(a).
        >>> Value(0.0).sin().local_grads     # cos 0
        (1.0,)
        """
        return _node("sin", self)

    def cos(self) -> Value:
        """cos(a); d/da = -sin(a).
        >>> Value(0.0).cos().local_grads     # -sin 0
        (-0.0,)
        """
        return _node("cos", self)

    def apply(self, op: str, *operands: Value | float) -> Value:
        """The primitive ``op`` (a key of ``rules.RULES``) applied to self and ``operands``.

        >>> Value(2.0).apply("*", 3).data      # the op's operand count is checked (rules.check_operands)
        6.0
        """
        rules.check_operands(op, len(operands))
        return _node(op, self, *operands)

    def backward(self, *, create_graph: bool = False) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node that self depends on.

        Gradients accumulate across calls, as in PyTorch: call ``zero_grad`` between passes.

        Args:
            create_graph: if True, each ``.grad`` becomes a Value with a graph of its own (second derivatives).

        >>> a = Value(2.0)
        >>> b = a + a
        >>> (b * b).backward()
        >>> b.grad, a.grad      # d(b*b)/db = 2b = 8, and a reaches b by two paths: 8 + 8
        (8.0, 16.0)
        """
        for node, grad in gradients(self, create_graph=create_graph).items():
            node.grad = node.grad + grad

    def zero_grad(self) -> None:
        """Set ``grad`` back to 0.0 on self and every node it depends on.

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward(); y.zero_grad(); x.grad
        0.0
        """
        for node in topological_order(self):
            node.grad = 0.0

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph.

        >>> (Value(3.0) * 3).detach()
        Value(data=9, grad=0)
        """
        return Value(self.data, label=self.label)

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        made = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={short_number(self.data, 6)}, grad={short_number(self.grad, 6)}{made})"

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value as the drawing of its graph (DRAW_SVG), or as text when it cannot be drawn."""
        return DRAW_SVG(self) if DRAW_SVG is not None else None


#: Draws a Value's graph as SVG text, or gives None. The engine imports no drawing code: the package sets this.
DRAW_SVG: Callable[[Value], str | None] | None = None


_ONE_INPUT: Any = object()  # _node's b when the primitive takes one input


def _node(op: str, a: Value, b: Any = _ONE_INPUT) -> Value:
    """The one way an operation makes a node: ``op``'s result on a (and b), its parents and local derivatives.

    The rule is read from the table on every call, so a rule changed by ``rules.define`` is used at once.
    """
    forward, derivative = RULES[op]
    if b is _ONE_INPUT:
        out = forward(a.data)
        b = None
    else:
        if not isinstance(b, Value):
            b = _constant(b, op)
        out = forward(a.data, b.data)
    if not isfinite(out):  # every number stays finite: an overflow stops at the op that made it
        raise rules.not_finite(op, (a.data,) if b is None else (a.data, b.data), out)
    switched = OPEN.count  # 0 unless some thread is inside no_grad() or detect_anomaly()
    if switched and not MODES.record_graph:
        return _leaf(out, "")
    node = object.__new__(Value)  # skips __init__'s checks: the engine made every input
    node.data = out
    node.grad = 0.0
    node.label = ""
    node.op = op
    node._a = a
    node._b = b
    if b is None:
        (node._da,) = derivative(a.data, out)
        node._db = 0.0
    else:
        node._da, node._db = derivative(a.data, b.data, out)
    return node


def _constant(x: Any, op: str) -> Value:
    """A number wrapped as a leaf so it can take part in ``op``; finite, as every number in a graph."""
    return _leaf(finite(x, f"operator {op!r}"), "const")


def _leaf(data: float, op: str) -> Value:
    """A node without parents: ``Value(data)`` without the checks, since the engine made ``data``."""
    node = object.__new__(Value)
    node.data, node.grad, node.label, node.op = data, 0.0, "", op
    node._a, node._b, node._da, node._db = None, None, 0.0, 0.0
    return node


# -- backward --------------------------------------------------------------------------

_PARENTS_DONE = object()  # on the stack above a node whose parents are being visited


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each after all of its parents; ``root`` last. No recursion: any depth.

    >>> x = Value(2.0, label="x")
    >>> [node.label or node.op for node in topological_order(x.tanh().exp())]
    ['x', 'tanh', 'exp']
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Any] = [root]  # Values still to visit, and _PARENTS_DONE markers
    pop, visit, finish = stack.pop, visited.add, order.append  # bound once: the loop runs once per node
    while stack:
        node = pop()
        if node is _PARENTS_DONE:
            finish(pop())  # the node under the marker: its parents are all in the order
        elif node not in visited:
            visit(node)
            a, b = node._a, node._b
            if a is None:
                finish(node)  # a leaf has no parents to wait for
            elif b is None:
                stack += (node, _PARENTS_DONE, a)
            else:
                stack += (node, _PARENTS_DONE, a, b)
    return order


def gradients(root: Value, *, create_graph: bool = False) -> dict[Value, Any]:
    """d(root)/d(node) for every node that root depends on, without touching any ``.grad``.

    The chain rule, memoized: from the root back to the inputs, a node's gradient is final when the
    walk reaches it (every node that uses it came earlier), and is passed on once.

    >>> x = Value(3.0)
    >>> gradients(x * x)[x]
    6.0
    """
    zero = Value(0.0) if create_graph else 0.0  # a gradient before the first path reaches it
    grads: dict[Value, Any] = {root: Value(1.0) if create_graph else 1.0}
    with collector.paused():  # the pass makes no cycles: a collection would only rescan the graph
        for node in reversed(topological_order(root)):
            a, b = node._a, node._b
            if a is None:
                continue  # a leaf: nothing further back
            upstream = grads[node]  # final: every node that uses this one came earlier
            da, db = node._da, node._db  # d(node)/d(a), d(node)/d(b)
            if create_graph:  # the same derivatives as Values, from the rule, so they can be differentiated
                da, db = (*RULES[node.op].derivative(*node.parents, node), 0.0)[:2]
            grads[a] = grads.get(a, zero) + upstream * da
            if b is not None:
                grads[b] = grads.get(b, zero) + upstream * db
    if MODES.check_anomalies:
        modes.check_backward(topological_order(root), grads)
    return grads
