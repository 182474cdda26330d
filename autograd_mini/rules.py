"""The calculus of the engine: every primitive's forward and local derivatives, side by side.

Each primitive is a :class:`Rule` with two functions:

* ``forward(*inputs)`` computes the result from plain floats, raising a clear error
  outside the function's domain;
* ``derivative(*inputs, out)`` returns one local derivative d(out)/d(input) per input.

A derivative rule is written with ``+ - * /`` and the dispatching helpers below, so the
same line serves both kinds of backward pass: on floats (the fast first-order pass, where
the local derivatives are computed once, when a node is made) and on Values (the
differentiable pass of ``backward(create_graph=True)``, which builds a graph of its own).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any, NamedTuple

# Largest x whose exp(x) is a finite float.
EXP_LIMIT = math.log(2.0**1023 * (2.0 - 2.0**-52))


class Rule(NamedTuple):
    """A primitive operation: its forward on floats and its local derivatives."""

    forward: Callable[..., float]
    derivative: Callable[..., tuple[Any, ...]]


def _as_float(x: Any) -> float:
    """The number inside ``x``, whether it is a float or a Value."""
    return x if isinstance(x, float) else x.data


def call(op: str, x: Any) -> Any:
    """Apply the unary primitive ``op`` to a float (giving a float) or a Value (a new node).

    >>> call("exp", 0.0)
    1.0
    >>> from autograd_mini import Value
    >>> call("exp", Value(0.0)).op
    'exp'
    """
    return RULES[op].forward(x) if isinstance(x, float) else x.apply(op)


def _div(a: float, b: float) -> float:
    if b == 0.0:
        raise ZeroDivisionError(f"division by zero: {a!r} / {b!r}")
    return a / b


def _pow(a: float, b: float) -> float:
    if a == 0.0 and b < 0.0:
        raise ZeroDivisionError(f"pow: 0.0 ** {b!r} divides by zero")
    if a < 0.0 and not b.is_integer():
        raise ValueError(f"pow: a negative base {a!r} with the non-integer exponent {b!r} has no real value")
    try:
        result: float = a**b
    except OverflowError:
        raise OverflowError(f"pow: {a!r} ** {b!r} is too large for a float") from None
    return result


def _pow_base_grad(a: Any, b: Any) -> Any:
    # d(a**b)/da = b * a**(b-1); at a = 0 with b < 1 the slope is infinite (PyTorch: inf).
    if _as_float(a) == 0.0 and _as_float(b) < 1.0:
        return 0.0 if _as_float(b) == 0.0 else math.inf
    return b * a ** (b - 1.0)


def _pow_exponent_grad(a: Any, out: Any) -> Any:
    # d(a**b)/db = a**b * log(a) exists only for a > 0; elsewhere we report 0, so that a
    # constant exponent (x**2 at x = -3) draws a clean 0 rather than PyTorch's nan.
    return out * call("log", a) if _as_float(a) > 0.0 else 0.0


def _exp(a: float) -> float:
    if a > EXP_LIMIT:
        raise OverflowError(f"exp: exp({a!r}) is too large for a float (the limit is exp({EXP_LIMIT:.2f}))")
    return math.exp(a)


def _log(a: float) -> float:
    if a <= 0.0:
        raise ValueError(f"log: the input must be > 0, got {a!r}")
    return math.log(a)


def _sqrt(a: float) -> float:
    if a < 0.0:
        raise ValueError(f"sqrt: the input must be >= 0, got {a!r}")
    return math.sqrt(a)


def _sqrt_grad(out: Any) -> Any:
    # d sqrt(a)/da = 1 / (2 sqrt(a)); infinite at a = 0, as in PyTorch.
    return math.inf if _as_float(out) == 0.0 else 0.5 / out


def _sigmoid(a: float) -> float:
    # Written so that exp never sees a large positive argument: no overflow at +-1000.
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _sign(a: Any) -> float:
    # abs'(0) = 0, as in PyTorch.
    x = _as_float(a)
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


def _step(a: Any) -> float:
    # relu'(0) = 0, as in PyTorch.
    return 1.0 if _as_float(a) > 0.0 else 0.0


RULES: dict[str, Rule] = {
    # op         forward                     local derivatives d(out)/d(input)
    "+":       Rule(lambda a, b: a + b,      lambda a, b, out: (1.0, 1.0)),
    "-":       Rule(lambda a, b: a - b,      lambda a, b, out: (1.0, -1.0)),
    "*":       Rule(lambda a, b: a * b,      lambda a, b, out: (b, a)),
    "/":       Rule(_div,                    lambda a, b, out: (1.0 / b, -out / b)),
    "**":      Rule(_pow,                    lambda a, b, out: (_pow_base_grad(a, b), _pow_exponent_grad(a, out))),
    "neg":     Rule(lambda a: -a,            lambda a, out: (-1.0,)),
    "abs":     Rule(abs,                     lambda a, out: (_sign(a),)),
    "exp":     Rule(_exp,                    lambda a, out: (out,)),
    "log":     Rule(_log,                    lambda a, out: (1.0 / a,)),
    "sqrt":    Rule(_sqrt,                   lambda a, out: (_sqrt_grad(out),)),
    "tanh":    Rule(math.tanh,               lambda a, out: (1.0 - out * out,)),
    "sigmoid": Rule(_sigmoid,                lambda a, out: (out * (1.0 - out),)),
    "relu":    Rule(lambda a: max(a, 0.0),   lambda a, out: (_step(a),)),
    "sin":     Rule(math.sin,                lambda a, out: (call("cos", a),)),
    "cos":     Rule(math.cos,                lambda a, out: (-call("sin", a),)),
}  # fmt: skip
