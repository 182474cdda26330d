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

The numeric policy holds here too: an argument, a primitive's number or f's result that is NaN,
infinite or a bool is refused, and so is a NaN gradient or one that overflowed (``grad``'s docs).
"""

from __future__ import annotations

import contextlib
import math
import numbers
from collections.abc import Callable, Iterator, Sequence
from typing import Any, TypeAlias

from . import checks, modes
from .engine import Value, gradients, topological_order
from .modes import MODES
from .numeric import as_float, finite
from .rules import RULES, not_finite

Argnums: TypeAlias = "int | tuple[int, ...]"
Operand: TypeAlias = "Value | int | float"


# -- the primitives as functions: a Value gives a new node, a number gives a float --------


def _primitive(op: str, x: Any) -> Any:
    """``op`` of a Value (a new node), or of a number (a float), finite both ways as in a graph.

    >>> sqrt(float("nan"))
    Traceback (most recent call last):
    ...
    ValueError: the x of sqrt must be a finite number, got nan (the engine refuses NaN and infinities)
    """
    if isinstance(x, Value):
        return x.apply(op)
    number = _number(x, f"the x of {op}")
    out = RULES[op].forward(number)
    if not math.isfinite(out):  # as the engine does for a node: a rule changed with rules.define may overflow
        raise not_finite(op, (number,), out)
    return out


def _number(x: Any, name: str, expected: str = "a finite number or a Value") -> float:
    """A number given to grad or a primitive, as a finite float; a bool, a str, NaN or inf is refused naming it."""
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{name} must be {expected}, got {type(x).__name__}: {checks.shown(x)}")
    return finite(x, name)


def exp(x: Operand) -> Any:
    """e**x of a Value (a new node) or a finite number (a float); NaN, inf and bools are refused.

    >>> exp(0.0), exp(Value(0.0)).data
    (1.0, 1.0)
    """
    return _primitive("exp", x)


def log(x: Operand) -> Any:
    """Natural log of a Value or a number; ValueError for x <= 0."""
    return _primitive("log", x)


def sqrt(x: Operand) -> Any:
    """Square root of a Value or a number; ValueError for x < 0."""
    return _primitive("sqrt", x)


def tanh(x: Operand) -> Any:
    """tanh of a Value or a number."""
    return _primitive("tanh", x)


def sigmoid(x: Operand) -> Any:
    """1 / (1 + e**-x) of a Value or a number; never overflows."""
    return _primitive("sigmoid", x)


def relu(x: Operand) -> Any:
    """max(x, 0) of a Value or a number."""
    return _primitive("relu", x)


def sin(x: Operand) -> Any:
    """sin of a Value or a number."""
    return _primitive("sin", x)


def cos(x: Operand) -> Any:
    """cos of a Value or a number."""
    return _primitive("cos", x)


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
            raise TypeError(
                f"argnums must be an int or a tuple of ints, got {type(i).__name__}: {checks.shown(argnums)}"
            )
        if i < 0:
            raise ValueError(f"argnums must be positions >= 0, got {checks.shown(argnums)}")
    return positions


def _check_recording() -> None:
    # Under no_grad() this thread's operations record no parents: there would be nothing to differentiate.
    if not MODES.record_graph:
        raise RuntimeError("grad cannot differentiate inside no_grad(): no graph is recorded there")


def _argument(x: Any, position: int, differentiated: bool) -> Any:
    """What f receives at ``position``: a fresh leaf for a finite number, or a node standing for a Value.

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
    return Value(_number(x, f"argument {position}"))


def _result(out: Any, who: str) -> Value | float:
    """What f returned: a Value, or a finite number as a float; a NaN, an infinity or a non-number is refused."""
    name = f"the result of {who}'s f"
    if isinstance(out, Value):
        finite(out.data, name)  # a Value is finite unless its data was overwritten
        return out
    return _number(out, name)


def _checked_gradient(slope: Any, where: str, out: Value, grads: dict[Value, Any]) -> Any:
    """``slope`` (``where`` says which derivative of ``out`` it is), unless it is NaN or an overflow: those raise.

    An infinite gradient passes where a local derivative is infinite in exact arithmetic (sqrt at 0:
    README, "Numbers and limits"); with every local derivative finite, the exact gradient is a finite
    sum of finite products, so an infinity can only be an overflow.
    """
    if isinstance(slope, Value) or math.isfinite(slope):
        return slope
    order = topological_order(out)
    if math.isnan(slope):
        try:
            modes.check_backward(order, grads)
            cause = "two infinite slopes of opposite sign were added (inf - inf)"
        except FloatingPointError as error:  # the op where 0 * inf made the NaN
            cause = "0 * inf: " + str(error).removeprefix("detect_anomaly: ")
        raise ValueError(f"{where} is not a number (nan): {cause}")
    if not any(math.isinf(local) for node in order for local in node.local_grads):
        raise OverflowError(
            f"{where} is too large for a float (above 1.8e+308), though every local derivative is finite"
        )
    return slope


def _value_and_gradients(
    f: Callable[..., Any], args: Sequence[Any], argnums: Argnums, who: str
) -> tuple[Any, Any]:  # fmt: skip
    """f(*args) and its gradient with respect to the arguments at ``argnums``."""
    positions = _check_argnums(argnums)
    if any(i >= len(args) for i in positions):
        raise ValueError(f"argnums={argnums!r} names an argument beyond the {len(args)} given")
    _check_recording()
    # Values in the result are needed when an enclosing derivative will differentiate them further.
    differentiable = MODES.grad_depth > 0 or any(isinstance(x, Value) for x in args)
    inputs = [_argument(x, i, i in positions) for i, x in enumerate(args)]
    with _inside_f():
        out = _result(f(*inputs), who)
    if not isinstance(out, Value):
        return out, 0.0 if isinstance(argnums, int) else (0.0,) * len(positions)  # a constant: every gradient is 0
    grads = gradients(out, create_graph=differentiable)
    value: Any = out if differentiable else out.data
    picked = tuple(
        _checked_gradient(grads.get(inputs[i], 0.0), f"{who}: the derivative with respect to argument {i}", out, grads)
        for i in positions
    )
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
        return _value_and_gradients(f, args, argnums, "value_and_grad")

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

    Raises:
        TypeError: an argument, or what f returns, is not a number or a Value (a bool is not).
        ValueError: an argument or f's result is NaN or infinite; a gradient is NaN (0 · inf,
            where an infinite slope meets a zero), naming the op; or, inside another grad, a slope
            is infinite in exact arithmetic (the error says so: see below).
        OverflowError: a gradient is too large for a float although every local slope is finite.

    The numbers follow the engine's policy (README, "Numbers and limits"). A slope that is infinite
    in exact arithmetic comes back as ``inf`` at the outermost level, as from ``backward``: sqrt'(0)
    is inf. One level further in it would have to be a Value, which is always finite, so
    ``grad(grad(sqrt))(0.0)`` raises, saying that the second derivative is infinite.

    >>> from autograd_mini import sin
    >>> grad(lambda x, y: sin(x) * y, argnums=1)(0.0, 4.0)    # d/dy = sin(x)
    0.0
    >>> grad(sqrt)(0.0)
    inf
    >>> grad(grad(sqrt))(0.0)
    Traceback (most recent call last):
    ...
    ValueError: the second derivative of sqrt is infinite at 0: its first derivative 1/(2 sqrt(a)) is already ...
    >>> grad(lambda x: float("nan"))(1.0)
    Traceback (most recent call last):
    ...
    ValueError: the result of grad's f must be a finite number, got nan (the engine refuses NaN and infinities)
    """
    _check_function(f, "grad")
    _check_argnums(argnums)

    def gradient(*args: Any) -> Any:
        return _value_and_gradients(f, args, argnums, "grad")[1]

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
        An entry is ``inf`` where it is infinite in exact arithmetic (x ** 1.5 at 0); a NaN entry, an
        overflow, a non-finite argument or result of f, and a first derivative that is already
        infinite (sqrt at 0) raise, as in ``grad``.

    >>> hessian(lambda x, y: x * x * y)(3.0, 2.0)    # [[2y, 2x], [2x, 0]]
    [[4.0, 6.0], [6.0, 0.0]]
    """
    _check_function(f, "hessian")

    def second_derivatives(*args: Any) -> list[list[float]]:
        numbers_given = [_number(x, f"argument {i} of hessian", "a finite number") for i, x in enumerate(args)]
        _check_recording()
        xs = [Value(x) for x in numbers_given]
        with _inside_f():
            out = _result(f(*xs), "hessian")
        first = gradients(out, create_graph=True) if isinstance(out, Value) else {}
        rows = []
        for i, x in enumerate(xs):
            slope = first.get(x, 0.0)
            if not isinstance(slope, Value):  # f does not depend on x: a row of zeros
                rows.append([0.0] * len(xs))
                continue
            second = gradients(slope)
            where = [f"hessian: the entry [{i}][{j}], d²f/dx{i} dx{j}," for j in range(len(xs))]
            rows.append([as_float(_checked_gradient(second.get(other, 0.0), where[j], slope, second))
                         for j, other in enumerate(xs)])  # fmt: skip
        return rows

    second_derivatives.__name__ = f"hessian({getattr(f, '__name__', 'f')})"
    return second_derivatives
