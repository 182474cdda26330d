"""The calculus of the engine: every primitive's forward and local derivatives, side by side.

Each primitive is a :class:`Rule` with two functions:

* ``forward(*inputs)`` computes the result from plain floats, raising a clear error
  outside the function's domain;
* ``derivative(*inputs, out)`` returns one local derivative d(out)/d(input) per input.

The numbers are finite (the numeric policy: README, "Numbers"): a forward whose exact result is
too large for a float raises OverflowError at its op, and so does a local derivative that
overflows; a slope that is infinite in exact arithmetic (sqrt at 0, ``a ** b`` at a = 0 with
b < 1) is reported as ``inf``, as PyTorch does. Under ``backward(create_graph=True)`` (and so in
``grad(grad(f))`` and ``hessian``) a slope must be a Value, which holds finite numbers only: there
the same point raises a ValueError saying that the exact answer is infinite (``infinite_slope``).

To change a rule or add one (a class exercise), call :func:`define`; the engine reads the table
on every operation, so the new rule is used at once by ``x.tanh()``, ``x.apply("tanh")`` and
``backward(create_graph=True)`` alike.

A derivative rule is written with ``+ - * /`` and the dispatching helpers below, so the
same line serves both kinds of backward pass: on floats (the fast first-order pass, where
the local derivatives are computed once, when a node is made) and on Values (the
differentiable pass of ``backward(create_graph=True)``, which builds a graph of its own).
"""

from __future__ import annotations

import inspect
import math
import operator
from collections.abc import Callable
from typing import Any, NamedTuple

from .numeric import as_float

# Largest x whose exp(x) is a finite float.
EXP_LIMIT = math.log(2.0**1023 * (2.0 - 2.0**-52))


class Rule(NamedTuple):
    """A primitive operation: its forward on floats and its local derivatives."""

    forward: Callable[..., float]
    derivative: Callable[..., tuple[Any, ...]]


def call(op: str, x: Any) -> Any:
    """Apply the one-input primitive ``op`` to a number (giving a float) or a Value (a new node).

    This module knows nothing of Value, so a Value is recognised by its ``apply`` method.

    >>> call("exp", 0)
    1.0
    >>> from autograd_mini import Value
    >>> call("exp", Value(0.0)).op
    'exp'
    """
    if isinstance(x, float):
        return RULES[op].forward(x)
    apply = getattr(x, "apply", None)
    return apply(op) if apply is not None else RULES[op].forward(as_float(x, f"the input of {op}"))


def arity(op: str) -> int | None:
    """How many inputs the primitive ``op`` takes, read from its forward's signature (else its derivative's).

    None when neither signature says (a function written with ``*args``).

    >>> arity("*"), arity("tanh")
    (2, 1)
    """
    forward, derivative = RULES[op]
    for function, extra in ((forward, 0), (derivative, 1)):  # the derivative also takes ``out``
        try:
            parameters = inspect.signature(function).parameters.values()
        except (TypeError, ValueError):  # some built-ins have no readable signature
            continue
        if all(p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in parameters):
            return len(parameters) - extra
    return None


def check_operands(op: str, operands: int) -> None:
    """Raise a clear error unless ``op`` is a primitive that takes self and ``operands`` more inputs.

    >>> check_operands("tanh", 1)
    Traceback (most recent call last):
    ...
    TypeError: op 'tanh' takes 1 input (self only), got self and 1 operand
    """
    if op not in RULES:
        raise ValueError(f"unknown op {op!r}; the primitives are {', '.join(RULES)}")
    inputs = arity(op)
    if inputs is not None and operands != inputs - 1:
        wanted = "self only" if inputs == 1 else f"self and {inputs - 1} operand"
        got = f"self and {operands} operand{'s' * (operands != 1)}"
        raise TypeError(f"op {op!r} takes {inputs} input{'s' * (inputs > 1)} ({wanted}), got {got}")


def define(op: str, forward: Callable[..., float], derivative: Callable[..., tuple[Any, ...]]) -> None:
    """Add the primitive ``op`` to the table, or replace its rule: the documented way to change the calculus.

    Args:
        op: the primitive's name, such as ``"tanh"`` or a new one such as ``"cube"``.
        forward: computes the result from one or two floats.
        derivative: takes the same inputs plus ``out`` and returns one local derivative per
            input. Write it with ``+ - * /`` and :func:`call`, so that it also works on Values
            and ``backward(create_graph=True)`` can differentiate it.

    Raises:
        TypeError: ``op`` is not a str, or a function is not callable.
        ValueError: ``derivative`` takes neither 2 nor 3 arguments (one or two inputs, then ``out``).

    >>> from autograd_mini import Value
    >>> define("cube", lambda a: a * a * a, lambda a, out: (3 * a * a,))
    >>> y = Value(2.0).apply("cube")
    >>> y.backward()
    >>> y.data, y.parents[0].grad     # 2³, and 3 · 2²
    (8.0, 12.0)
    >>> del RULES["cube"]
    """
    if not isinstance(op, str) or not op:
        raise TypeError(f"define expects the op's name as a non-empty str, got {op!r}")
    for name, function in (("forward", forward), ("derivative", derivative)):
        if not callable(function):
            raise TypeError(f"define({op!r}): {name} must be a function, got {type(function).__name__}")
    inputs = len(inspect.signature(derivative).parameters) - 1
    if inputs not in (1, 2):
        raise ValueError(
            f"define({op!r}): derivative must take the inputs and then out (2 or 3 arguments), "
            f"got {inputs + 1} arguments"
        )
    RULES[op] = Rule(forward, derivative)


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


def not_finite(op: str, inputs: tuple[Any, ...], out: float, what: str = "result") -> ArithmeticError | ValueError:
    """The error for an op whose result (or local derivative) is not a finite float, naming op and inputs.

    An infinity is an overflow (OverflowError); a NaN, which no rule of this table makes from finite
    inputs, can only come from a rule added with ``define`` (ValueError).

    >>> not_finite("*", (1e200, 1e200), math.inf)
    OverflowError("'*' of 1e+200 and 1e+200: the result is too large for a float (above 1.8e+308)")
    """
    shown = " and ".join(f"{as_float(x)!r}" for x in inputs)
    if math.isnan(out):
        return ValueError(f"{op!r} of {shown}: the {what} is not a number (nan)")
    return OverflowError(f"{op!r} of {shown}: the {what} is too large for a float (above 1.8e+308)")


def _slope(value: Any, op: str, *inputs: Any) -> Any:
    """A local derivative, checked: one that overflowed raises, naming the op and its inputs."""
    if isinstance(value, float) and not math.isfinite(value):
        raise not_finite(op, inputs, value, "local derivative")
    return value


def _div_grads(a: Any, b: Any, out: Any) -> tuple[Any, Any]:
    return _slope(1.0 / b, "/", a, b), _slope(-out / b, "/", a, b)


def _pow_base_grad(a: Any, b: Any) -> Any:
    # d(a**b)/da = b * a**(b-1); at a = 0 with b < 1 the slope is infinite (PyTorch: inf).
    if as_float(a) == 0.0 and as_float(b) < 1.0:
        return 0.0 if as_float(b) == 0.0 else infinite_slope(a, f"a ** {as_float(b)!r}", "b a**(b-1)")
    try:
        return _slope(b * a ** (b - 1.0), "**", a, b)
    except OverflowError:  # from Python's own float power: say which op and which numbers
        raise not_finite("**", (a, b), math.inf, "local derivative") from None


def _pow_exponent_grad(a: Any, b: Any, out: Any) -> Any:
    # d(a**b)/db = a**b * log(a) exists only for a > 0; elsewhere we report 0, so that a
    # constant exponent (x**2 at x = -3) draws a clean 0 rather than PyTorch's nan.
    return _slope(out * call("log", a), "**", a, b) if as_float(a) > 0.0 else 0.0


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
    # d sqrt(a)/da = 1 / (2 sqrt(a)); infinite at a = 0 (out = 0).
    return infinite_slope(out, "sqrt", "1/(2 sqrt(a))") if as_float(out) == 0.0 else 0.5 / out


def infinite_slope(at: Any, function: str, slope: str) -> float:
    """A slope that is infinite in exact arithmetic: ``inf`` on floats, as in PyTorch; an error on Values.

    On Values (``create_graph=True``) the slope would become a node of a graph, which holds finite
    numbers only, and the next derivative is infinite too: the error says so in words, not as an
    overflow.

    >>> infinite_slope(0.0, "sqrt", "1/(2 sqrt(a))")
    inf
    >>> from autograd_mini import Value
    >>> infinite_slope(Value(0.0), "sqrt", "1/(2 sqrt(a))")
    Traceback (most recent call last):
    ...
    ValueError: the second derivative of sqrt is infinite at 0: its first derivative 1/(2 sqrt(a)) is ...
    """
    if isinstance(at, float):
        return math.inf
    raise ValueError(
        f"the second derivative of {function} is infinite at 0: its first derivative {slope} is already "
        "infinite there (the exact answer, not an overflow), and a derivative that is differentiated again "
        "(create_graph=True, grad of grad, hessian) must be a finite number"
    )


def _sigmoid(a: float) -> float:
    # Written so that exp never sees a large positive argument: no overflow at +-1000.
    if a >= 0.0:
        return 1.0 / (1.0 + math.exp(-a))
    e = math.exp(a)
    return e / (1.0 + e)


def _softplus(a: float) -> float:
    # log(1 + e**a) = max(a, 0) + log(1 + e**-|a|): the exponent is never positive, so no overflow.
    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))


def _sign(a: Any) -> float:
    # abs'(0) = 0, as in PyTorch.
    x = as_float(a)
    return 1.0 if x > 0.0 else -1.0 if x < 0.0 else 0.0


def _step(a: Any) -> float:
    # relu'(0) = 0, as in PyTorch.
    return 1.0 if as_float(a) > 0.0 else 0.0


RULES: dict[str, Rule] = {
    # op         forward                     local derivatives d(out)/d(input)
    "+":       Rule(operator.add,            lambda a, b, out: (1.0, 1.0)),
    "-":       Rule(operator.sub,            lambda a, b, out: (1.0, -1.0)),
    "*":       Rule(operator.mul,            lambda a, b, out: (b, a)),
    "/":       Rule(_div,                    _div_grads),
    "**":      Rule(_pow,                    lambda a, b, out: (_pow_base_grad(a, b), _pow_exponent_grad(a, b, out))),
    "neg":     Rule(operator.neg,            lambda a, out: (-1.0,)),
    "abs":     Rule(abs,                     lambda a, out: (_sign(a),)),
    "exp":     Rule(_exp,                    lambda a, out: (out,)),
    "log":     Rule(_log,                    lambda a, out: (_slope(1.0 / a, "log", a),)),
    "sqrt":    Rule(_sqrt,                   lambda a, out: (_sqrt_grad(out),)),
    "tanh":    Rule(math.tanh,               lambda a, out: (1.0 - out * out,)),
    "sigmoid": Rule(_sigmoid,                lambda a, out: (out * (1.0 - out),)),
    "relu":    Rule(lambda a: max(a, 0.0),   lambda a, out: (_step(a),)),
    "softplus": Rule(_softplus,              lambda a, out: (call("sigmoid", a),)),
    "sin":     Rule(math.sin,                lambda a, out: (call("cos", a),)),
    "cos":     Rule(math.cos,                lambda a, out: (-call("sin", a),)),
}  # fmt: skip
