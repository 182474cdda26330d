"""micrograd's ``Value``, as Karpathy's micrograd 0.1.0 and his lecture write it, built on our engine.

Change ``from micrograd.engine import Value`` to ``from autograd_mini.micrograd.engine import Value``
and micrograd code runs unchanged. Each of these Values *is* an ``autograd_mini.Value``: the same
node, with micrograd's names on top (``_prev``, ``_op``, ``_backward``), so ``autograd_mini.draw``,
``explain``, ``backward_page`` and ``trace`` take it. Every number is the one micrograd computes:
``-a`` is ``a * -1``, ``a - b`` is ``a + (-b)`` and ``a / b`` is ``a * b**-1``, as there.

Two things micrograd does that the main API (``autograd_mini.Value``) does not, kept here on purpose:

- ``backward()`` sets the root's grad to 1 and adds into every other node, so a second call
  without ``zero_grad`` gives numbers that are neither gradient (``Value.backward`` adds one
  whole gradient per call, as PyTorch does).
- ``_prev`` is a set, so ``a + a`` shows one child (``Value.parents`` keeps both edges, in order).

Beyond micrograd: the engine's numeric policy (a NaN, an infinity or a ``str`` is refused where it
comes in), ``data`` and ``grad`` always floats (micrograd keeps an ``int`` as given), and the main
API's other functions (``log``, ``sqrt``, ``sigmoid``, ``sin``, ``cos``, ``abs``) on these Values too.

>>> a = Value(2.0, label="a")
>>> b = Value(-3.0, label="b")
>>> d = a * b + 10.0
>>> d._op, sorted(child._op for child in d._prev)
('+', ['', '*'])
>>> d.backward()
>>> a.grad, b.grad
(-3.0, 2.0)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, cast

from .. import checks, engine

__all__ = ["Value"]


class Value(engine.Value):
    """A scalar node with micrograd's constructor and attributes.

    Args:
        data: the number.
        _children: the nodes this one was computed from (at most two), for a node made by hand
            as in the lecture; its local derivatives are 0, as micrograd's ``_backward`` does nothing
            until one is assigned (assigning one is not supported here: see ``_backward``).
        _op: the name of the operation that made it.
        label: a name for drawings.

    >>> Value(2.0, (), '', 'a')
    Value(data=2.0, grad=0.0)
    """

    __slots__ = ()  # the engine's node layout, unchanged: an op's result becomes one of these in place

    def __init__(self, data: float, _children: Iterable[engine.Value] = (), _op: str = "", label: str = "") -> None:
        super().__init__(data, label)
        children = tuple(_children)
        if len(children) > 2 or not all(isinstance(child, engine.Value) for child in children):
            raise TypeError(f"_children must be at most two Values, got {checks.shown(children)}")
        self.op = checks.text(_op, "_op")
        self._a, self._b = (*children, None, None)[:2]

    # -- micrograd's names for what the engine records --------------------------------------

    @property
    def _prev(self) -> set[engine.Value]:
        """The children (the nodes this one was computed from), as a set: ``a + a`` has one.

        >>> x = Value(3.0)
        >>> len((x + x)._prev), len((x * 2)._prev), len((x ** 2)._prev)   # ** keeps only its base
        (1, 2, 1)
        """
        return {self._a} if self.op == "**" and self._a is not None else set(self.parents)

    @property
    def _op(self) -> str:
        """The operation that made this node, spelled as micrograd spells it.

        >>> x = Value(3.0)
        >>> (x ** 2)._op, x.relu()._op, (x * 2)._op, Value(2.0)._op
        ('**2', 'ReLU', '*', '')
        """
        if self.op == "**" and self._b is not None:
            return f"**{_spelled(self._b.data)}"
        return {"relu": "ReLU", "const": ""}.get(self.op, self.op)

    def _backward(self) -> None:
        """Add this node's grad, times each local derivative, into its children's grads: one step of backward.

        The lecture's manual pass: set the output's grad to 1, then call ``_backward`` node by node.

        >>> a, b = Value(2.0), Value(-3.0)
        >>> c = a * b
        >>> c.grad = 1.0
        >>> c._backward()
        >>> a.grad, b.grad
        (-3.0, 2.0)
        """
        _push_grad(self)

    def backward(self, *, create_graph: bool = False) -> None:
        """micrograd's backward: order the graph, set this grad to 1, call every node's ``_backward``.

        It adds into every grad but the root's, so call ``zero_grad`` before calling it again.
        ``create_graph`` is not micrograd's and is refused here (use ``autograd_mini.Value``).

        >>> x = Value(3.0)
        >>> y = x * 2 * 5
        >>> y.backward(); x.grad
        10.0
        >>> y.backward(); x.grad       # not 20: the middle node's grad had added up to 10 first
        30.0
        """
        if create_graph:
            raise ValueError("create_graph must be False for micrograd's backward, got True")
        order = engine.topological_order(self)  # iterative: micrograd's recursive build_topo stops near depth 1000
        self.grad = 1.0
        for node in reversed(order):
            _push_grad(node)  # node._backward(), also for a node of the main API mixed into the graph

    # -- micrograd's operators: + * ** relu primitives, the rest built on them as there ------

    def __add__(self, other: engine.Value | float) -> Value:
        """a + b."""
        return _made(engine.Value.__add__(self, _lift(other)))

    def __mul__(self, other: engine.Value | float) -> Value:
        """a * b."""
        return _made(engine.Value.__mul__(self, _lift(other)))

    def __pow__(self, other: engine.Value | float) -> Value:
        """a ** k for a number k (as in micrograd, not a Value)."""
        checks.real(other, "exponent")  # a TypeError for a Value: micrograd asserts an int or a float
        return _made(engine.Value.__pow__(self, _lift(other)))

    def relu(self) -> Value:
        """max(a, 0)."""
        return _made(engine.Value.relu(self))

    def tanh(self) -> Value:
        """tanh(a), which the lecture adds to micrograd's Value."""
        return _made(engine.Value.tanh(self))

    def exp(self) -> Value:
        """e**a, which the lecture adds too."""
        return _made(engine.Value.exp(self))

    def __neg__(self) -> Value:
        return self * -1

    def __radd__(self, other: float) -> Value:
        return self + other

    def __sub__(self, other: engine.Value | float) -> Value:
        return self + (-other)

    def __rsub__(self, other: float) -> Value:
        return other + (-self)

    def __rmul__(self, other: float) -> Value:
        return self * other

    def __truediv__(self, other: engine.Value | float) -> Value:
        return self * other**-1

    def __rtruediv__(self, other: float) -> Value:
        return other * self**-1

    def __rpow__(self, other: float) -> Any:
        return NotImplemented  # 2 ** a is a TypeError, as in micrograd

    # -- no comparisons, as in micrograd: == is identity, < is a TypeError -------------------

    def __eq__(self, other: object) -> bool:
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        return NotImplemented

    def __lt__(self, other: Any) -> bool:
        return NotImplemented

    __le__ = __gt__ = __ge__ = __lt__
    __hash__ = engine.Value.__hash__

    def __repr__(self) -> str:
        return f"Value(data={self.data}, grad={self.grad})"

    def _repr_svg_(self) -> None:
        return None  # a notebook shows the repr, as micrograd's Value; draw_dot draws


def _unary(method: Callable[[engine.Value], engine.Value]) -> Callable[[Value], Value]:
    """One of the main API's functions, giving a micrograd Value."""

    def function(self: Value) -> Value:
        return _made(method(self))

    function.__doc__ = method.__doc__
    return function


for _name in ("log", "sqrt", "sigmoid", "sin", "cos", "__abs__"):
    setattr(Value, _name, _unary(getattr(engine.Value, _name)))


def _push_grad(node: engine.Value) -> None:
    """One node's step of backward: its grad times each local derivative, added into each child's grad."""
    for child, local in zip(node.parents, node.local_grads, strict=True):
        child.grad = child.grad + local * cast(float, node.grad)


def _made(node: engine.Value) -> Value:
    """The engine's result, made a micrograd Value in place (the same slots: nothing is copied)."""
    node.__class__ = Value
    return cast(Value, node)


def _lift(other: engine.Value | float) -> engine.Value:
    """A number as a micrograd Value, marked as a constant for drawings, as micrograd wraps it."""
    if isinstance(other, engine.Value):
        return other
    constant = Value(other)
    constant.op = "const"
    return constant


def _spelled(exponent: float) -> str:
    """An exponent as micrograd's ``_op`` writes it: 3 for 3.0, since the engine keeps every number a float."""
    return str(int(exponent)) if exponent.is_integer() and abs(exponent) < 1e16 else repr(exponent)
