"""Derivatives as functions, as in JAX (``grad``, ``value_and_grad``, ``hessian``), and the
primitives as functions of a Value or a plain number (``exp``, ``log``, ..., ``cos``).

``grad(f)`` is a new function that returns the gradient of ``f`` at its arguments. Called with
plain numbers it returns plain floats; called with Values (which is what an enclosing ``grad``
passes), it builds the gradient with ``backward(create_graph=True)``'s machinery, so the result
can be differentiated again. That is all it takes for ``grad`` to compose:

>>> cube = lambda x: x ** 3
>>> grad(cube)(3.0), grad(grad(cube))(3.0), grad(grad(grad(cube)))(3.0)   # 3x², 6x, 6
(27.0, 18.0, 6.0)

Only what is passed as an argument is differentiated: at the outermost ``grad``, Values that f
uses from the enclosing scope are constants. Inside another ``grad`` (or ``hessian``), every
gradient is a Value, so the enclosing derivative flows through it.
"""

from __future__ import annotations

import contextlib
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias

from . import checks
from .engine import Value, gradients
from .modes import MODES
from .numeric import as_float
from .rules import call

Argnums: TypeAlias = "int | tuple[int, ...]"
Operand: TypeAlias = "Value | int | float"


# -- the primitives as functions: a Value gives a new node, a number gives a float --------


def exp(x: Operand) -> Any:
    """e**x of a Value (a new node) or a number (a float).

    >>> exp(0.0), exp(Value(0.0)).data
    (1.0, 1.0)
    """
    return call("exp", x)


def log(x: Operand) -> Any:
    """Natural log of a Value or a number; ValueError for x <= 0."""
    return call("log", x)


def sqrt(x: Operand) -> Any:
    """Square root of a Value or a number; ValueError for x < 0."""
    return call("sqrt", x)


def tanh(x: Operand) -> Any:
    """tanh of a Value or a number."""
    return call("tanh", x)


def sigmoid(x: Operand) -> Any:
    """1 / (1 + e**-x) of a Value or a number; never overflows."""
    return call("sigmoid", x)


def relu(x: Operand) -> Any:
    """max(x, 0) of a Value or a number."""
    return call("relu", x)


def sin(x: Operand) -> Any:
    """sin of a Value or a number."""
    return call("sin", x)


def cos(x: Operand) -> Any:
    """cos of a Value or a number."""
    return call("cos", x)


# -- grad, value_and_grad, hessian ---------------------------------------------------------


@contextlib.contextmanager
def _inside_f() -> Iterator[None]:
    """Count, for this thread, the grad-made functions evaluating their f (see ``MODES.grad_depth``)."""
    MODES.grad_depth += 1
    try:
        yield
    finally:
        MODES.grad_depth -= 1


def _check_function(f: Any, who: str) -> None:
    checks.function(f, f"the f of {who}")


def _check_argnums(argnums: Any) -> tuple[int, ...]:
    """argnums as a tuple of positions, or a TypeError/ValueError saying what is expected."""
    positions = argnums if isinstance(argnums, tuple) else (argnums,)
    if not positions:
        raise ValueError("argnums must name at least one argument, got ()")
    for i in positions:
        if isinstance(i, bool) or not isinstance(i, int):
            raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        if i < 0:
            raise ValueError(f"argnums must be positions >= 0, got {argnums!r}")
    return positions


def _check_recording() -> None:
    # Under no_grad() this thread's operations record no parents: there would be nothing to differentiate.
    if not MODES.record_graph:
        raise RuntimeError("grad cannot differentiate inside no_grad(): no graph is recorded there")


def _argument(x: Any, position: int, differentiated: bool) -> Any:
    """What f receives at ``position``: a fresh leaf for a number, or a node standing for a Value.

    A Value that is differentiated gets its own identity node ``x + 0``: the gradient is then
    taken with respect to this argument only, not to other uses of the same Value in f (say, from
    the enclosing scope), which is what keeps nested ``grad`` calls from mixing their variables up.
    """
    if isinstance(x, Value):
        if not differentiated:
            return x
        stand_in = x + 0.0
        stand_in.label = x.label
        return stand_in
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"argument {position} must be a number or a Value, got {type(x).__name__}: {x!r}")
    return Value(float(x))


def _check_result(out: Any, who: str) -> Any:
    if isinstance(out, Value) or (isinstance(out, numbers.Real) and not isinstance(out, bool)):
        return out
    raise TypeError(f"{who} expects f to return a number or a Value, got {type(out).__name__}: {out!r}")


def _value_and_gradients(f: Callable[..., Any], args: Sequence[Any], argnums: Argnums) -> tuple[Any, Any]:
    """f(*args) and its gradient with respect to the arguments at ``argnums``."""
    positions = _check_argnums(argnums)
    if any(i >= len(args) for i in positions):
        raise ValueError(f"argnums={argnums!r} names an argument beyond the {len(args)} given")
    _check_recording()
    # Values in the result are needed when an enclosing derivative will differentiate them further.
    differentiable = MODES.grad_depth > 0 or any(isinstance(x, Value) for x in args)
    inputs = [_argument(x, i, i in positions) for i, x in enumerate(args)]
    with _inside_f():
        out = f(*inputs)
    if isinstance(_check_result(out, "grad"), Value):
        grads = gradients(out, create_graph=differentiable)
        value: Any = out if differentiable else out.data
    else:
        grads, value = {}, float(out)  # a constant: every gradient is 0
    picked = tuple(grads.get(inputs[i], 0.0) for i in positions)
    return value, picked[0] if isinstance(argnums, int) else picked


def value_and_grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., tuple[Any, Any]]:
    """A function returning both f(*args) and the gradient of f, from one forward pass.

    Args:
        f: a scalar function of one or more numbers.
        argnums: the position to differentiate (an int), or several (a tuple of ints).

    Returns:
        A function of the same arguments returning ``(value, gradient)``; the gradient is one
        number for an int ``argnums`` and a tuple for a tuple.

    >>> value_and_grad(lambda x, y: x * y + y, argnums=(0, 1))(2.0, 5.0)   # (xy + y, (y, x + 1))
    (15.0, (5.0, 3.0))
    """
    _check_function(f, "value_and_grad")
    _check_argnums(argnums)

    def value_and_gradient(*args: Any) -> tuple[Any, Any]:
        return _value_and_gradients(f, args, argnums)

    value_and_gradient.__name__ = f"value_and_grad({getattr(f, '__name__', 'f')})"
    return value_and_gradient


def grad(f: Callable[..., Any], argnums: Argnums = 0) -> Callable[..., Any]:
    """The gradient of a scalar function, as a function; ``grad(grad(f))`` is the second derivative.

    Args:
        f: a scalar function of one or more numbers, written with operators and the functions of
            autograd_mini (``autograd_mini.sin``, not ``math.sin``), so that it works on Values.
        argnums: the position to differentiate (an int), or several (a tuple of ints).

    Returns:
        A function of the same arguments returning df/dx at ``argnums``: one number for an int,
        a tuple for a tuple. Floats for number arguments at the outermost level, Values inside
        another grad or when given Values.

    >>> from autograd_mini import sin
    >>> grad(lambda x, y: sin(x) * y, argnums=1)(0.0, 4.0)    # d/dy = sin(x)
    0.0
    """
    _check_function(f, "grad")
    _check_argnums(argnums)

    def gradient(*args: Any) -> Any:
        return _value_and_gradients(f, args, argnums)[1]

    gradient.__name__ = f"grad({getattr(f, '__name__', 'f')})"
    return gradient


def hessian(f: Callable[..., Any]) -> Callable[..., list[list[float]]]:
    """The matrix of second derivatives H[i][j] = d²f/dx_i dx_j, for small functions of a few numbers.

    One differentiable backward pass gives the gradient as Values; one more backward pass per
    argument differentiates each entry of it again.

    Args:
        f: a scalar function of one or more numbers.

    Returns:
        A function of the same (number) arguments returning the n x n matrix as a list of rows.

    >>> hessian(lambda x, y: x * x * y)(3.0, 2.0)    # [[2y, 2x], [2x, 0]]
    [[4.0, 6.0], [6.0, 0.0]]
    """
    _check_function(f, "hessian")

    def second_derivatives(*args: Any) -> list[list[float]]:
        for i, x in enumerate(args):
            if isinstance(x, bool) or not isinstance(x, numbers.Real):
                raise TypeError(f"hessian takes numbers, got {type(x).__name__} for argument {i}: {x!r}")
        _check_recording()
        xs = [Value(float(x)) for x in args]
        with _inside_f():
            out = f(*xs)
        first = gradients(out, create_graph=True) if isinstance(_check_result(out, "hessian"), Value) else {}
        rows = []
        for x in xs:
            slope = first.get(x, 0.0)
            second = gradients(slope) if isinstance(slope, Value) else {}
            rows.append([as_float(second.get(other, 0.0)) for other in xs])
        return rows

    second_derivatives.__name__ = f"hessian({getattr(f, '__name__', 'f')})"
    return second_derivatives
