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
from collections.abc import Callable, Iterator
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


BinaryMethod: TypeAlias = "Callable[[Value, Operand], Value]"
UnaryMethod: TypeAlias = "Callable[[Value], Value]"


def _binary_method(op: str, doc: str, *, reflected: bool = False) -> BinaryMethod:
    """The Value method for the two-input primitive ``op``, e.g. ``__mul__`` for "*".

    The method computes the result and both local derivatives from the rule, and records
    the two parents. ``reflected`` makes ``__rmul__`` and friends: ``2 * x`` arrives as
    ``x.__rmul__(2)``, so the number is wrapped and goes first.
    """

    def method(self: Value, other: Operand) -> Value:
        forward, derivative = RULES[op]  # read on each call, so a rule changed in the table is used at once
        if reflected:
            a, b = _constant(other, op), self
        else:
            a, b = self, other if isinstance(other, Value) else _constant(other, op)
        out = forward(a.data, b.data)
        if not _MODE.record_graph:
            return _node("", out)
        da, db = derivative(a.data, b.data, out)
        # _node(op, out, a, da, b, db), written out: this is the engine's busiest line.
        node = object.__new__(Value)
        node.data = out
        node.grad = 0.0
        node.label = ""
        node.op = op
        node._a = a
        node._b = b
        node._da = da
        node._db = db
        if _MODE.check_anomalies:
            _check_forward(node)
        return node

    method.__doc__ = doc
    return method


def _unary_method(op: str, doc: str) -> UnaryMethod:
    """The Value method for the one-input primitive ``op``, e.g. ``tanh``."""

    def method(self: Value) -> Value:
        forward, derivative = RULES[op]
        out = forward(self.data)
        if not _MODE.record_graph:
            return _node("", out)
        (da,) = derivative(self.data, out)
        node = _node(op, out, self, da)
        if _MODE.check_anomalies:
            _check_forward(node)
        return node

    method.__doc__ = doc
    return method


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

    >>> x = Value(3.0, label="x")
    >>> y = 2 * x + 1
    >>> y
    Value(data=7, grad=0, op='+')
    >>> y.backward()
    >>> x
    Value(label='x', data=3, grad=2)
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
        """The inputs of the operation that made this node, in argument order.

        >>> a = Value(2.0, label="a")
        >>> [p.label for p in (a + a).parents]      # one slot per argument
        ['a', 'a']
        >>> a.parents                               # a leaf has none
        ()
        """
        return tuple(p for p in (self._a, self._b) if p is not None)

    @property
    def local_grads(self) -> tuple[float, ...]:
        """d(self)/d(parent) for each parent, computed when the node was made.

        >>> (Value(2.0) * Value(5.0)).local_grads   # d(ab)/da = b, d(ab)/db = a
        (5.0, 2.0)
        """
        return (self._da, self._db)[: len(self.parents)]

    def apply(self, op: str, *other: Operand) -> Value:
        """Apply the primitive ``op`` (a key of ``rules.RULES``) to self, and ``other`` if binary.

        >>> Value(2.0).apply("*", 3).data
        6.0
        """
        if op not in RULES:
            raise ValueError(f"unknown op {op!r}; the primitives are {', '.join(RULES)}")
        method = _binary_method(op, "") if other else _unary_method(op, "")
        return method(self, *other)

    def detach(self) -> Value:
        """A new leaf with the same data, cut off from the graph.

        >>> x = Value(3.0)
        >>> y = (x * x).detach()
        >>> y.data, y.parents
        (9.0, ())
        """
        return Value(self.data, label=self.label)

    def _repr_svg_(self) -> str | None:
        """Jupyter shows a Value as the drawing of its graph (``autograd_mini.draw``).

        Returns None (Jupyter then falls back to the text repr) when the graph is too large to
        draw or Graphviz's ``dot`` program is missing: displaying a value must never fail.
        """
        from .show.viz import draw  # imported here: the engine itself needs only the standard library

        try:
            svg: str = draw(self).pipe(format="svg", encoding="utf-8")
        except (ValueError, RuntimeError, OSError):  # too large, no `dot`, or `dot` failed
            return None
        return svg

    def __repr__(self) -> str:
        name = f"label={self.label!r}, " if self.label else ""
        made = f", op={self.op!r}" if self.op else ""
        return f"Value({name}data={self.data:.6g}, grad={_show(self.grad)}{made})"

    # -- operators and functions: each is one primitive from rules.py ---------------------
    #
    # The methods are made by _binary_method and _unary_method above: each reads its rule
    # from the table on every call (so a rule changed in rules.RULES takes effect at once)
    # and builds its node inline. Reflected forms (2 * x, 1 - x) wrap the number first.

    __add__ = _binary_method("+", "a + b; d/da = 1, d/db = 1.")
    __sub__ = _binary_method("-", "a - b; d/da = 1, d/db = -1.")
    __mul__ = _binary_method("*", "a * b; d/da = b, d/db = a.")
    __truediv__ = _binary_method("/", "a / b; d/da = 1/b, d/db = -a/b**2. Raises ZeroDivisionError for b = 0.")
    __pow__ = _binary_method(
        "**",
        """a ** b; d/da = b * a**(b-1), d/db = a**b * log(a) (reported as 0 where a <= 0).

        A negative base needs an integer exponent (ValueError otherwise); 0 ** b with b < 0
        raises ZeroDivisionError. At a = 0 with 0 < b < 1 the slope d/da is inf.
        """,
    )

    __radd__ = _binary_method("+", "number + a.", reflected=True)
    __rsub__ = _binary_method("-", "number - a.", reflected=True)
    __rmul__ = _binary_method("*", "number * a.", reflected=True)
    __rtruediv__ = _binary_method("/", "number / a.", reflected=True)
    __rpow__ = _binary_method("**", "number ** a.", reflected=True)

    __neg__ = _unary_method("neg", "-a; d/da = -1.")
    __abs__ = _unary_method("abs", "|a|; d/da = sign(a), with abs'(0) = 0 as in PyTorch.")
    # Each example shows the node's data and its local derivative, both easy to check by hand.
    exp = _unary_method(
        "exp",
        """e**a; d/da = e**a. Raises OverflowError above a = 709.78.

        >>> y = Value(0.0).exp()
        >>> y.data, y.local_grads
        (1.0, (1.0,))
        """,
    )
    log = _unary_method(
        "log",
        """Natural log; d/da = 1/a. Raises ValueError for a <= 0.

        >>> y = Value(1.0).log()
        >>> y.data, y.local_grads
        (0.0, (1.0,))
        """,
    )
    sqrt = _unary_method(
        "sqrt",
        """Square root; d/da = 1/(2 sqrt(a)), inf at a = 0. Raises ValueError for a < 0.

        >>> y = Value(4.0).sqrt()
        >>> y.data, y.local_grads      # 1/(2 * 2)
        (2.0, (0.25,))
        """,
    )
    tanh = _unary_method(
        "tanh",
        """tanh(a); d/da = 1 - tanh(a)**2. Finite for every finite a.

        >>> y = Value(0.0).tanh()
        >>> y.data, y.local_grads
        (0.0, (1.0,))
        >>> Value(1000.0).tanh().data
        1.0
        """,
    )
    sigmoid = _unary_method(
        "sigmoid",
        """1 / (1 + e**-a); d/da = s(a)(1 - s(a)). Never overflows, even at a = +-1000.

        >>> y = Value(0.0).sigmoid()
        >>> y.data, y.local_grads      # 0.5 * (1 - 0.5)
        (0.5, (0.25,))
        >>> Value(-1000.0).sigmoid().data
        0.0
        """,
    )
    relu = _unary_method(
        "relu",
        """max(a, 0); d/da = 1 for a > 0, else 0 (relu'(0) = 0, as in PyTorch).

        >>> Value(3.0).relu().local_grads, Value(0.0).relu().local_grads, Value(-2.0).relu().data
        ((1.0,), (0.0,), 0.0)
        """,
    )
    sin = _unary_method(
        "sin",
        """sin(a); d/da = cos(a).

        >>> y = Value(0.0).sin()
        >>> y.data, y.local_grads
        (0.0, (1.0,))
        """,
    )
    cos = _unary_method(
        "cos",
        """cos(a); d/da = -sin(a).

        >>> y = Value(0.0).cos()
        >>> y.data, y.local_grads      # -sin(0) is a negative zero
        (1.0, (-0.0,))
        """,
    )

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
        """Set ``grad`` back to 0.0 on self and every node it depends on.

        >>> x = Value(3.0)
        >>> y = x * x
        >>> y.backward()
        >>> x.grad
        6.0
        >>> y.zero_grad()
        >>> x.grad
        0.0
        """
        for node in topological_order(self):
            node.grad = 0.0


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
    # Bound methods as locals: the loop runs once per node, so lookups add up.
    visit, finish, pop = visited.add, order.append, stack.pop
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
        so_far = grads.get
        for node in reversed(topological_order(root)):
            a = node._a
            if a is not None:  # a leaf passes nothing further back
                upstream = grads[node]  # final: every consumer of node came earlier
                grads[a] = so_far(a, 0.0) + upstream * node._da
                b = node._b
                if b is not None:
                    grads[b] = so_far(b, 0.0) + upstream * node._db
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
