"""The engine: a Value node and the backward pass that fills in gradients.

A Value holds a number (``data``), the gradient that backward adds to it (``grad``), the
operation that made it (``op``), and up to two parents with the local derivative of this
node with respect to each. Every primitive in ``rules.py`` takes one or two inputs, so two
parent slots are enough; keeping them as plain slots instead of tuples makes a node about
120 bytes instead of 216, which matters on million-node graphs.

>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x          # y = x**2 + 2x
>>> y.backward()
>>> y.data, x.grad             # dy/dx = 2x + 2
(15.0, 8.0)
"""

from __future__ import annotations

import contextlib
import gc
import math
import numbers
from collections.abc import Iterator
from typing import Any, TypeAlias

from .rules import RULES


class _Mode:
    """Engine-wide switches, changed only by the context managers ``no_grad`` and ``detect_anomaly``."""

    record_graph = True  # False inside no_grad(): results are plain leaves
    check_anomalies = False  # True inside detect_anomaly(): NaN/inf raise at once


_MODE = _Mode()

Number: TypeAlias = "int | float"
Operand: TypeAlias = "Value | int | float"


def _to_float(x: Any, where: str) -> float:
    """``x`` as a float, or a TypeError naming what was received."""
    if isinstance(x, float):
        return x
    if isinstance(x, (int, numbers.Real)):  # int first: the ABC check is slow
        return float(x)
    raise TypeError(f"{where} expects a real number (int or float), got {type(x).__name__}: {x!r}")


class Value:
    """A scalar in a computation graph.

    Args:
        data: the number this node holds.
        label: a name shown in drawings and explanations.

    Attributes:
        data: the number (a float).
        grad: d(root)/d(self), added by each ``root.backward()``; 0.0 until one reaches it.
        label: the name given by the user ("" if none).
        op: the operation that made this node: "" for a leaf you made, "const" for a number
            the engine wrapped, else a primitive such as "+" or "tanh".
    """

    __slots__ = ("data", "grad", "label", "op", "_a", "_b", "_da", "_db")

    data: float
    grad: float | Value
    label: str
    op: str

    def __init__(self, data: Number, label: str = "") -> None:
        if not isinstance(label, str):
            raise TypeError(f"Value label must be a str, got {type(label).__name__}: {label!r}")
        self.data = _to_float(data, "Value")
        self.grad = 0.0
        self.label = label
        self.op = ""
        self._a: Value | None = None
        self._b: Value | None = None
        self._da: Any = 0.0
        self._db: Any = 0.0

    # -- the graph, as data -------------------------------------------------------------

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the operation that made this node, in argument order."""
        return tuple(p for p in (self._a, self._b) if p is not None)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, computed when the node was made."""
        return (self._da, self._db)[: len(self.parents)]

    def apply(self, op: str, *other: Operand) -> Value:
        """Apply the primitive ``op`` (a key of ``rules.RULES``) to self, and ``other`` if binary.

        >>> Value(2.0).apply("*", 3).data
        6.0
        """
        if op not in RULES:
            raise ValueError(f"unknown op {op!r}; the primitives are {', '.join(RULES)}")
        return _binary(op, self, other[0]) if other else _unary(op, self)

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph.

        >>> x = Value(3.0)
        >>> y = (x * x).detach()
        >>> y.data, y.parents
        (9.0, ())
        """
        return Value(self.data, label=self.label)

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        made = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data:.6g}, grad={_show(self.grad)}{made})"

    # -- operators: each is one primitive from rules.py -----------------------------------

    def __add__(self, other: Operand) -> Value:
        """a + b; d/da = 1, d/db = 1."""
        return _binary("+", self, other)

    def __radd__(self, other: Number) -> Value:
        return _binary("+", _constant(other, "+"), self)

    def __sub__(self, other: Operand) -> Value:
        """a - b; d/da = 1, d/db = -1."""
        return _binary("-", self, other)

    def __rsub__(self, other: Number) -> Value:
        return _binary("-", _constant(other, "-"), self)

    def __mul__(self, other: Operand) -> Value:
        """a * b; d/da = b, d/db = a."""
        return _binary("*", self, other)

    def __rmul__(self, other: Number) -> Value:
        return _binary("*", _constant(other, "*"), self)

    def __truediv__(self, other: Operand) -> Value:
        """a / b; d/da = 1/b, d/db = -a/b**2. Raises ZeroDivisionError for b = 0."""
        return _binary("/", self, other)

    def __rtruediv__(self, other: Number) -> Value:
        return _binary("/", _constant(other, "/"), self)

    def __pow__(self, other: Operand) -> Value:
        """a ** b; d/da = b * a**(b-1), d/db = a**b * log(a) (reported as 0 where a <= 0).

        A negative base needs an integer exponent (ValueError otherwise); 0 ** b with b < 0
        raises ZeroDivisionError. At a = 0 with 0 < b < 1 the slope d/da is inf.
        """
        return _binary("**", self, other)

    def __rpow__(self, other: Number) -> Value:
        return _binary("**", _constant(other, "**"), self)

    def __neg__(self) -> Value:
        """-a; d/da = -1."""
        return _unary("neg", self)

    def __abs__(self) -> Value:
        """|a|; d/da = sign(a), with abs'(0) = 0 as in PyTorch."""
        return _unary("abs", self)

    # -- functions --------------------------------------------------------------------

    def exp(self) -> Value:
        """e**a; d/da = e**a. Raises OverflowError above a = 709.78."""
        return _unary("exp", self)

    def log(self) -> Value:
        """Natural log; d/da = 1/a. Raises ValueError for a <= 0."""
        return _unary("log", self)

    def sqrt(self) -> Value:
        """Square root; d/da = 1/(2 sqrt(a)), inf at a = 0. Raises ValueError for a < 0."""
        return _unary("sqrt", self)

    def tanh(self) -> Value:
        """tanh(a); d/da = 1 - tanh(a)**2. Finite for every finite a."""
        return _unary("tanh", self)

    def sigmoid(self) -> Value:
        """1 / (1 + e**-a); d/da = s(a)(1 - s(a)). Never overflows, even at a = +-1000."""
        return _unary("sigmoid", self)

    def relu(self) -> Value:
        """max(a, 0); d/da = 1 for a > 0, else 0 (relu'(0) = 0, as in PyTorch)."""
        return _unary("relu", self)

    def sin(self) -> Value:
        """sin(a); d/da = cos(a)."""
        return _unary("sin", self)

    def cos(self) -> Value:
        """cos(a); d/da = -sin(a)."""
        return _unary("cos", self)

    # -- backward ---------------------------------------------------------------------

    def backward(self, *, create_graph: bool = False) -> None:
        """Add d(self)/d(node) to ``node.grad`` for every node that self depends on.

        Gradients accumulate across calls, as in PyTorch: call ``zero_grad`` between passes.

        Args:
            create_graph: if True, each ``.grad`` becomes a Value with its own graph, so it
                can be differentiated again (second derivatives).

        >>> a = Value(2.0)
        >>> b = a + a
        >>> c = b * b
        >>> c.backward()
        >>> b.grad, a.grad      # dc/db = 2b = 8, dc/da = 8 * 2
        (8.0, 16.0)
        """
        for node, grad in gradients(self, create_graph=create_graph).items():
            node.grad = node.grad + grad

    def zero_grad(self) -> None:
        """Set ``grad`` back to 0.0 on self and every node it depends on."""
        for node in topological_order(self):
            node.grad = 0.0


def _unary(op: str, a: Value) -> Value:
    """The node ``op(a)``: its value and its local derivative, both from the rules table."""
    forward, derivative = RULES[op]
    out = forward(a.data)
    if not _MODE.record_graph:
        return _node("", out)
    (da,) = derivative(a.data, out)
    node = _node(op, out, a, da)
    if _MODE.check_anomalies:
        _check_forward(node)
    return node


def _binary(op: str, a: Value, other: Operand) -> Value:
    """The node ``a op other``; a plain number ``other`` is wrapped as a constant first."""
    b = other if isinstance(other, Value) else _constant(other, op)
    forward, derivative = RULES[op]
    out = forward(a.data, b.data)
    if not _MODE.record_graph:
        return _node("", out)
    da, db = derivative(a.data, b.data, out)
    node = _node(op, out, a, da, b, db)
    if _MODE.check_anomalies:
        _check_forward(node)
    return node


def _node(op: str, data: float, a: Value | None = None, da: Any = 0.0, b: Value | None = None, db: Any = 0.0) -> Value:
    """A new node made by the engine; skips __init__'s checks, since the engine made every input.

    Each slot is set by its own statement: measurably faster than one tuple assignment.
    """
    out = object.__new__(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out.op = op
    out._a = a
    out._b = b
    out._da = da
    out._db = db
    return out


def _constant(x: Any, op: str) -> Value:
    """A number wrapped as a leaf so it can take part in ``op``."""
    data = float(x) if isinstance(x, (float, int)) else _to_float(x, f"operator {op!r}")
    return _node("const", data)


def _show(x: float | Value) -> str:
    return f"{x:.6g}" if isinstance(x, float) else repr(x)


# Pushed on the walk's stack just above a node whose parents are being visited; popping it
# means they are all in the order, so the node can follow.
_PARENTS_DONE = object()


def topological_order(root: Value) -> list[Value]:
    """Every node that ``root`` depends on, each after all of its parents; ``root`` is last.

    Iterative depth-first search, so graphs of any depth work at the default recursion limit.

    >>> x = Value(2.0, label="x")
    >>> [node.label or node.op for node in topological_order(x.tanh().exp())]
    ['x', 'tanh', 'exp']
    """
    order: list[Value] = []
    visited: set[Value] = set()
    stack: list[Any] = [root]  # Values still to visit, and _PARENTS_DONE markers
    while stack:
        node = stack.pop()
        if node is _PARENTS_DONE:
            order.append(stack.pop())  # the node under the marker
        elif node not in visited:
            visited.add(node)
            if node._a is None:
                order.append(node)  # a leaf has no parents to wait for
            elif node._b is None:
                stack += (node, _PARENTS_DONE, node._a)
            else:
                stack += (node, _PARENTS_DONE, node._a, node._b)
    return order


def gradients(root: Value, *, create_graph: bool = False) -> dict[Value, Any]:
    """d(root)/d(node) for every node that root depends on, without touching any ``.grad``.

    The chain rule, memoized: nodes are visited from the root back to the inputs, so when a
    node is reached every consumer has already added its contribution
    ``upstream * local derivative``; its gradient is final and is used once.

    >>> x = Value(3.0)
    >>> y = x * x
    >>> gradients(y)[x]
    6.0
    """
    if create_graph:
        return _differentiable_gradients(root)
    grads: dict[Value, Any] = {root: 1.0}
    collector_was_on = gc.isenabled()
    gc.disable()  # the pass creates no cycles; a collection here would only rescan the graph
    try:
        for node in reversed(topological_order(root)):
            upstream = grads[node]
            if node._a is not None:
                grads[node._a] = grads.get(node._a, 0.0) + upstream * node._da
                if node._b is not None:
                    grads[node._b] = grads.get(node._b, 0.0) + upstream * node._db
    finally:
        if collector_was_on:
            gc.enable()
    if _MODE.check_anomalies:
        _check_backward(root, grads)
    return grads


def _differentiable_gradients(root: Value) -> dict[Value, Any]:
    """As ``gradients``, but every gradient is a Value built from the rules in rules.py."""
    grads: dict[Value, Any] = {root: Value(1.0)}
    for node in reversed(topological_order(root)):
        if node._a is None:
            continue  # a leaf: nothing further back
        upstream = grads[node]
        for parent, local in zip(node.parents, _local_grads_as_values(node), strict=True):
            contribution = upstream * local
            grads[parent] = grads[parent] + contribution if parent in grads else contribution
    return grads


def _describe(node: Value) -> str:
    name = f"{node.label!r} " if node.label else ""
    return f"{name}{node.op or 'leaf'} = {node.data!r}"


def _check_forward(node: Value) -> None:
    if not math.isfinite(node.data):
        inputs = ", ".join(_describe(p) for p in node.parents)
        raise FloatingPointError(f"detect_anomaly: {node.op!r} produced {node.data!r} from inputs: {inputs}")


def _check_backward(root: Value, grads: dict[Value, Any]) -> None:
    """Name the first op, walking back from the root, whose local derivative made a NaN."""
    for node in reversed(topological_order(root)):
        upstream = grads[node]
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            if math.isnan(upstream * local) and not math.isnan(upstream):
                raise FloatingPointError(
                    f"detect_anomaly: backward through {node.op!r} gave a NaN gradient for input "
                    f"{_describe(parent)} (upstream gradient {upstream!r}, local derivative {local!r})"
                )


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, operations compute values but record no graph (also a decorator).

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (4.0, ())
    """
    before = _MODE.record_graph
    _MODE.record_graph = False
    try:
        yield
    finally:
        _MODE.record_graph = before


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block, a NaN or inf made by an op, or a NaN gradient, raises FloatingPointError.

    >>> x = Value(0.0, label="x")
    >>> with detect_anomaly():
    ...     y = x.sqrt() * 0.0     # d/dx = 0 * inf: not a number
    ...     y.backward()
    Traceback (most recent call last):
    ...
    FloatingPointError: detect_anomaly: backward through 'sqrt' gave ... 'x' leaf = 0.0 ...
    """
    before = _MODE.check_anomalies
    _MODE.check_anomalies = True
    try:
        yield
    finally:
        _MODE.check_anomalies = before


def _local_grads_as_values(node: Value) -> tuple[Any, ...]:
    """The node's local derivatives recomputed on Values, so they are differentiable too."""
    return RULES[node.op].derivative(*node.parents, node)


# -- the same functions for Values and plain numbers -------------------------------------


def _function(op: str, x: Operand) -> Any:
    """``op`` applied to a Value (a new node) or to a plain number (a float)."""
    if isinstance(x, Value):
        return x.apply(op)
    return RULES[op].forward(_to_float(x, op))


def exp(x: Operand) -> Any:
    """e**x of a Value (a new node) or a number (a float).

    >>> exp(0.0), exp(Value(0.0)).data
    (1.0, 1.0)
    """
    return _function("exp", x)


def log(x: Operand) -> Any:
    """Natural log of a Value or a number; ValueError for x <= 0.

    >>> log(1)
    0.0
    """
    return _function("log", x)


def sqrt(x: Operand) -> Any:
    """Square root of a Value or a number; ValueError for x < 0.

    >>> sqrt(9)
    3.0
    """
    return _function("sqrt", x)


def tanh(x: Operand) -> Any:
    """tanh of a Value or a number.

    >>> tanh(0.0)
    0.0
    """
    return _function("tanh", x)


def sigmoid(x: Operand) -> Any:
    """1 / (1 + e**-x) of a Value or a number; never overflows.

    >>> sigmoid(0)
    0.5
    """
    return _function("sigmoid", x)


def relu(x: Operand) -> Any:
    """max(x, 0) of a Value or a number.

    >>> relu(-2.0), relu(3)
    (0.0, 3.0)
    """
    return _function("relu", x)


def sin(x: Operand) -> Any:
    """sin of a Value or a number.

    >>> sin(0)
    0.0
    """
    return _function("sin", x)


def cos(x: Operand) -> Any:
    """cos of a Value or a number.

    >>> cos(0)
    1.0
    """
    return _function("cos", x)
