"""The functional API (grad, value_and_grad, hessian) and the engine modes it leans on.

Expected derivatives are closed forms worked out in the comments, or second central differences
of the same function run on plain floats (no Value involved).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pytest
from differences import central_difference
from hypothesis import given, settings
from hypothesis import strategies as st
from test_teach_gradient_check import Program, points, programs, run

from autograd_mini import (
    Value,
    cos,
    detect_anomaly,
    exp,
    grad,
    gradients,
    hessian,
    log,
    no_grad,
    relu,
    sigmoid,
    sin,
    sqrt,
    tanh,
    value_and_grad,
)
from autograd_mini.rules import RULES, Rule

# -- grad and its compositions ----------------------------------------------------------------


def test_derivatives_of_the_cube_at_three() -> None:
    # x**3 -> 3x**2 = 27 -> 6x = 18 -> 6 -> 0
    cube = lambda x: x**3
    assert grad(cube)(3.0) == pytest.approx(27.0)
    assert grad(grad(cube))(3.0) == pytest.approx(18.0)
    assert grad(grad(grad(cube)))(3.0) == pytest.approx(6.0)
    assert grad(grad(grad(grad(cube))))(3.0) == pytest.approx(0.0)


def test_derivatives_of_sin_cycle_through_cos_minus_sin_minus_cos() -> None:
    x = 0.7
    d1 = grad(sin)
    d2 = grad(d1)
    d3 = grad(d2)
    d4 = grad(d3)
    assert [d(x) for d in (d1, d2, d3, d4)] == pytest.approx([math.cos(x), -math.sin(x), -math.cos(x), math.sin(x)])


def test_grad_at_the_outermost_level_returns_floats() -> None:
    assert isinstance(grad(lambda x: x * x)(2.0), float)
    assert isinstance(grad(lambda x: x * x)(2), float)  # an int is a number too


def test_argnums_picks_the_argument_and_a_tuple_gives_a_tuple() -> None:
    # f = x * y**2 + y: df/dx = y**2, df/dy = 2xy + 1
    f = lambda x, y: x * y**2 + y
    assert grad(f)(3.0, 2.0) == pytest.approx(4.0)
    assert grad(f, argnums=1)(3.0, 2.0) == pytest.approx(13.0)
    assert grad(f, argnums=(0, 1))(3.0, 2.0) == pytest.approx((4.0, 13.0))
    assert grad(f, argnums=(1,))(3.0, 2.0) == pytest.approx((13.0,))


def test_value_and_grad_gives_both_from_one_call() -> None:
    # f = sin(x) * y at (0, 5): value 0, gradient (cos 0 * 5, sin 0) = (5, 0)
    value, (dx, dy) = value_and_grad(lambda x, y: sin(x) * y, argnums=(0, 1))(0.0, 5.0)
    assert value == 0.0
    assert (dx, dy) == pytest.approx((5.0, 0.0))


def test_the_gradient_of_a_constant_function_is_zero() -> None:
    assert grad(lambda x: 3.0)(1.0) == 0.0
    assert grad(lambda x, y: y * 2, argnums=0)(1.0, 1.0) == 0.0
    assert value_and_grad(lambda x: 7)(1.0) == (7.0, 0.0)


def test_mixed_partial_derivatives_in_either_order() -> None:
    # f = x**2 y**3: d2f/dxdy = 6 x y**2 = 6 * 2 * 9 = 108
    f = lambda x, y: x**2 * y**3
    assert grad(grad(f, argnums=0), argnums=1)(2.0, 3.0) == pytest.approx(108.0)
    assert grad(grad(f, argnums=1), argnums=0)(2.0, 3.0) == pytest.approx(108.0)


def test_nested_grads_do_not_confuse_their_variables() -> None:
    # The classic trap: d/dx [x * d/dy (x + y)] = d/dx [x * 1] = 1 (not 2).
    assert grad(lambda x: x * grad(lambda y: x + y)(1.0))(5.0) == pytest.approx(1.0)
    # d/dx [x * d/dy (x y)] = d/dx [x * x] = 2x
    assert grad(lambda x: x * grad(lambda y: x * y)(2.0))(5.0) == pytest.approx(10.0)
    # Passing x itself as y: d/dy (x y) at y = x is x (x the other factor held fixed); d/dx x = 1.
    assert grad(lambda x: grad(lambda y: x * y)(x))(3.0) == pytest.approx(1.0)


def test_grad_of_values_gives_a_differentiable_value() -> None:
    x = Value(2.0, label="x")
    slope = grad(lambda t: t**3)(x)  # 3x**2 = 12
    assert isinstance(slope, Value)
    assert slope.data == pytest.approx(12.0)
    assert gradients(slope)[x] == pytest.approx(12.0)  # d(3x**2)/dx = 6x
    assert x.grad == 0.0  # grad itself fills in no .grad


def test_values_from_the_enclosing_scope_are_constants_at_the_outermost_grad() -> None:
    w = Value(4.0)
    assert grad(lambda x: w * x)(3.0) == 4.0
    assert w.grad == 0.0


def test_grad_errors_name_what_was_wrong() -> None:
    with pytest.raises(TypeError, match="the f of grad must be a function, got int"):
        grad(3)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="argnums must be an int or a tuple of ints, got str: '0'"):
        grad(lambda x: x, argnums="0")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="argnums must be positions >= 0"):
        grad(lambda x: x, argnums=-1)
    with pytest.raises(TypeError, match=r"argnums must be an int or a tuple of ints, got bool: \(0, True\)"):
        grad(lambda x, y: x, argnums=(0, True))
    with pytest.raises(ValueError, match="at least one argument"):
        grad(lambda x: x, argnums=())
    with pytest.raises(ValueError, match=r"argnums=1 names an argument beyond the 1 given"):
        grad(lambda x: x, argnums=1)(2.0)
    with pytest.raises(TypeError, match="argument 0 must be a finite number or a Value, got str: '2'"):
        grad(lambda x: x)("2")
    with pytest.raises(
        TypeError, match=r"the result of grad's f must be a finite number or a Value, got list: \[Value"
    ):
        grad(lambda x: [x])(2.0)


def test_grad_refuses_to_run_inside_no_grad() -> None:
    with no_grad(), pytest.raises(RuntimeError, match="inside no_grad"):
        grad(lambda x: x * x)(2.0)


def test_grad_made_functions_have_telling_names() -> None:
    def loss(x: Any) -> Any:
        return x * x

    assert grad(loss).__name__ == "grad(loss)"
    assert grad(grad(loss)).__name__ == "grad(grad(loss))"
    assert value_and_grad(loss).__name__ == "value_and_grad(loss)"
    assert hessian(loss).__name__ == "hessian(loss)"


# -- hessian ------------------------------------------------------------------------------------


def test_hessian_of_a_two_variable_function_by_hand() -> None:
    # f = x**2 y + sin(y): [[2y, 2x], [2x, -sin y]] at (1.5, 0.5)
    x, y = 1.5, 0.5
    matrix = hessian(lambda a, b: a * a * b + sin(b))(x, y)
    assert len(matrix) == 2 and all(len(row) == 2 for row in matrix)
    assert matrix[0] == pytest.approx([2 * y, 2 * x])
    assert matrix[1] == pytest.approx([2 * x, -math.sin(y)])


def test_hessian_of_one_variable_is_a_one_by_one_matrix() -> None:
    assert hessian(lambda x: x**3)(3.0) == [[pytest.approx(18.0)]]
    assert hessian(lambda x: x * 2)(3.0) == [[0.0]]  # linear: no curvature
    assert hessian(lambda x, y: 1.0)(3.0, 4.0) == [[0.0, 0.0], [0.0, 0.0]]


def test_hessian_errors() -> None:
    with pytest.raises(TypeError, match=r"argument 0 of hessian must be a finite number, got Value: Value\(data=1"):
        hessian(lambda x: x * x)(Value(1.0))
    with pytest.raises(TypeError, match="the result of hessian's f must be a finite number or a Value, got tuple"):
        hessian(lambda x: (x, x))(1.0)
    with pytest.raises(TypeError, match="the f of hessian must be a function"):
        hessian(None)  # type: ignore[arg-type]


def _second_difference(f: Any, xs: list[float], i: int, j: int, h: float = 1e-4) -> float:
    """d2f/dx_i dx_j on plain floats: a central difference in x_j of central differences in x_i (error about h**2)."""

    def at(di: float, dj: float) -> float:
        shifted = list(xs)
        shifted[i] += di
        shifted[j] += dj
        return float(f(*shifted))

    return central_difference(lambda dj: central_difference(lambda di: at(di, dj), 0.0, h), 0.0, h)


@settings(max_examples=50, deadline=None)
@given(program=programs(), data=st.data())
def test_second_derivatives_match_central_differences(program: Program, data: st.DataObject) -> None:
    xs = data.draw(points(program[0]))
    f = run(program)
    matrix = hessian(f)(*xs)
    i = data.draw(st.integers(0, program[0] - 1))
    j = data.draw(st.integers(0, program[0] - 1))
    nested = grad(grad(f, argnums=i), argnums=j)(*xs)
    assert nested == pytest.approx(matrix[i][j], rel=1e-9, abs=1e-12)
    assert matrix[i][j] == pytest.approx(matrix[j][i], rel=1e-9, abs=1e-12)
    assert matrix[i][j] == pytest.approx(_second_difference(f, xs, i, j), rel=1e-3, abs=1e-5)


# -- backward(create_graph=True), no_grad, detach, detect_anomaly --------------------------------


def test_create_graph_makes_each_grad_a_differentiable_value() -> None:
    x = Value(3.0, label="x")
    y = x**3
    y.backward(create_graph=True)
    first = x.grad
    assert isinstance(first, Value) and first.data == pytest.approx(27.0)  # 3x**2
    assert gradients(first)[x] == pytest.approx(18.0)  # 6x
    x.grad = 0.0
    first.backward()
    assert x.grad == pytest.approx(18.0)


def test_second_derivative_of_tanh_through_create_graph() -> None:
    # tanh'' = -2 tanh (1 - tanh**2)
    x = Value(0.4)
    slope = gradients(x.tanh(), create_graph=True)[x]
    t = math.tanh(0.4)
    assert slope.data == pytest.approx(1 - t * t)
    assert gradients(slope)[x] == pytest.approx(-2 * t * (1 - t * t))


def test_no_grad_records_no_graph_and_restores_the_mode() -> None:
    x = Value(2.0)
    with no_grad():
        y = x * x + 1
        with no_grad():
            pass
        z = x * 3  # still off after the inner block ended
    assert (y.data, y.parents, z.parents) == (5.0, (), ())
    assert (x * x).parents == (x, x)  # back on after the block


def test_no_grad_restores_the_mode_after_an_exception() -> None:
    x = Value(2.0)
    with pytest.raises(ZeroDivisionError), no_grad():
        _ = x / 0
    assert (x + 1).parents != ()


def test_no_grad_works_as_a_decorator() -> None:
    @no_grad()
    def square(v: Value) -> Value:
        return v * v

    x = Value(3.0)
    for _ in range(2):  # each call enters the mode afresh
        y = square(x)
        assert (y.data, y.parents) == (9.0, ())
        assert (x * x).parents == (x, x)  # and leaves it afterwards


def test_detach_cuts_the_gradient_path() -> None:
    # y = x * stop(x): dy/dx = stop(x) = 3, not 2x = 6
    x = Value(3.0, label="x")
    held = x.detach()
    assert (held.data, held.parents, held.label) == (3.0, (), "x")
    assert held is not x
    y = x * held
    y.backward()
    assert x.grad == 3.0
    assert held.grad == 3.0  # the detached copy is a leaf of its own


def test_an_overflowing_op_raises_naming_the_op_and_its_inputs_with_or_without_detect_anomaly() -> None:
    big = Value(1e308, label="big")
    words = r"'\*' of 1e\+308 and 10\.0: the result is too large for a float"
    with detect_anomaly(), pytest.raises(OverflowError, match=words):
        _ = big * 10.0
    with pytest.raises(OverflowError, match=words):  # the numeric policy holds outside the block too
        _ = big * 10.0


def test_detect_anomaly_catches_a_nan_gradient_in_the_backward_pass() -> None:
    # sqrt at 0 has slope inf, and 0 * inf is NaN
    x = Value(0.0, label="x")
    with detect_anomaly():
        y = x.sqrt() * 0.0
        with pytest.raises(FloatingPointError, match=r"backward through 'sqrt'.*'x' leaf = 0.0"):
            y.backward()
    y.backward()  # outside the block the NaN goes through unremarked
    assert isinstance(x.grad, float) and math.isnan(x.grad)


def test_detect_anomaly_works_as_a_decorator_and_restores_the_mode() -> None:
    @detect_anomaly()
    def nan_gradient(v: Value) -> None:
        (v.sqrt() * 0.0).backward()  # sqrt'(0) = inf, times 0: NaN

    with pytest.raises(FloatingPointError):
        nan_gradient(Value(0.0))
    x = Value(0.0)
    (x.sqrt() * 0.0).backward()  # the mode is off again: the NaN passes
    assert math.isnan(x.grad)


def test_functions_of_the_package_work_in_grad() -> None:
    # d/dx cos(x)**2 = -2 cos(x) sin(x) = -sin(2x)
    assert grad(lambda x: cos(x) * cos(x))(0.3) == pytest.approx(-math.sin(0.6))


def test_a_rule_changed_in_the_table_is_used_by_the_method_too(monkeypatch: pytest.MonkeyPatch) -> None:
    forward, _ = RULES["tanh"]
    monkeypatch.setitem(RULES, "tanh", Rule(forward, lambda a, out: (2.0,)))
    x = Value(0.5)
    assert gradients(x.apply("tanh"))[x] == 2.0  # apply() sees the new rule
    assert gradients(x.tanh())[x] == 2.0  # and so does the method


# -- the numeric policy in grad, value_and_grad, hessian and the primitives (issue 19) -----------


def _value_with_nan_data(x: Any) -> Value:
    out = x * 1.0
    out.data = math.nan  # overwritten by hand, as a buggy caller might
    return out


TRANSFORMS = [
    ("grad", lambda f: grad(f)(1.0)),
    ("value_and_grad", lambda f: value_and_grad(f)(1.0)),
    ("hessian", lambda f: hessian(f)(1.0)),
]
NOT_FINITE_RESULTS = [
    (lambda x: float("nan"), "nan"),
    (lambda x: math.inf - math.inf, "nan"),  # a plain float computed as NaN
    (lambda x: -math.inf, "-inf"),
    (lambda x: np.float64("nan"), "nan"),
    (_value_with_nan_data, "nan"),
]


@pytest.mark.parametrize(("who", "run"), TRANSFORMS)
@pytest.mark.parametrize(("f", "shown"), NOT_FINITE_RESULTS)
def test_a_result_of_f_that_is_nan_or_infinite_is_refused_naming_it(who: str, run: Any, f: Any, shown: str) -> None:
    # The issue: grad(lambda x: float('nan')) gave 0.0 and value_and_grad gave (nan, 0.0).
    with pytest.raises(ValueError, match=rf"^the result of {who}'s f must be a finite number, got {shown} "):
        run(f)


@pytest.mark.parametrize(("who", "run"), TRANSFORMS)
def test_a_result_of_f_of_the_wrong_kind_is_refused_naming_it(who: str, run: Any) -> None:
    with pytest.raises(
        TypeError, match=rf"^the result of {who}'s f must be a finite number or a Value, got bool: True"
    ):
        run(lambda x: True)
    with pytest.raises(OverflowError, match=rf"^the result of {who}'s f got an integer too large for a float"):
        run(lambda x: 10**400)  # was Python's unnamed "int too large to convert to float"
    with pytest.raises(TypeError, match=rf"^the result of {who}'s f must be a finite number or a Value, got str"):
        run(lambda x: "x" * 1000)


def test_arguments_that_are_not_finite_are_refused_naming_their_position() -> None:
    # Before: "Value must be a finite number, got nan", which did not say which argument.
    with pytest.raises(ValueError, match=r"^argument 1 must be a finite number, got nan"):
        grad(lambda x, y: x * y)(1.0, math.nan)
    with pytest.raises(ValueError, match=r"^argument 0 of hessian must be a finite number, got inf"):
        hessian(lambda x: x * x)(math.inf)
    with pytest.raises(OverflowError, match=r"^argument 0 got an integer too large for a float"):
        grad(lambda x: x)(10**400)


def test_sqrt_has_an_infinite_slope_at_zero_which_grad_reports_as_inf() -> None:
    # d sqrt(x)/dx = 1/(2 sqrt x) -> +inf as x -> 0+, as README and PyTorch say; so -sqrt gives -inf.
    assert grad(sqrt)(0.0) == math.inf
    assert grad(lambda x: -2.0 * sqrt(x))(0.0) == -math.inf
    assert grad(lambda x: x**0.5)(0.0) == math.inf


SECOND_DERIVATIVE_OF_SQRT = (
    r"^the second derivative of sqrt is infinite at 0: its first derivative .* is already infinite"
)


@pytest.mark.parametrize(
    "second",
    [
        lambda: grad(grad(sqrt))(0.0),
        lambda: hessian(sqrt)(0.0),
        lambda: hessian(lambda x, y: sqrt(x) * y)(0.0, 1.0),
        lambda: grad(lambda x: grad(sqrt)(x) * 1.0)(0.0),
        lambda: gradients(Value(0.0).sqrt(), create_graph=True),
    ],
)
def test_the_second_derivative_of_sqrt_at_zero_says_it_is_infinite(second: Any) -> None:
    # The issue: "operator '*' must be a finite number, got inf", as if an operator had been given an inf.
    with pytest.raises(ValueError, match=SECOND_DERIVATIVE_OF_SQRT) as caught:
        second()
    assert "operator" not in str(caught.value) and "not an overflow" in str(caught.value)


def test_the_second_derivative_of_a_fractional_power_at_zero_says_it_is_infinite() -> None:
    # d(x**0.5)/dx = 0.5 x**-0.5 is infinite at 0; so is the second derivative -0.25 x**-1.5.
    with pytest.raises(ValueError, match=r"^the second derivative of a \*\* 0\.5 is infinite at 0"):
        grad(grad(lambda x: x**0.5))(0.0)
    assert grad(grad(lambda x: x**0.5))(4.0) == pytest.approx(-0.25 * 4.0**-1.5)  # elsewhere: a number


def test_a_second_derivative_that_is_infinite_in_exact_arithmetic_is_inf() -> None:
    # f = x**1.5: f' = 1.5 x**0.5 (0 at 0, a Value), f'' = 0.75 x**-0.5 -> inf at 0.
    assert grad(grad(lambda x: x**1.5))(0.0) == math.inf
    assert hessian(lambda x: x**1.5)(0.0) == [[math.inf]]
    assert hessian(lambda x: x**1.5)(4.0) == [[pytest.approx(0.375)]]


def test_a_nan_gradient_is_refused_naming_the_op_that_made_it() -> None:
    # d/dx (0 * sqrt x) at 0 is 0 * inf on floats: before, grad returned nan.
    with pytest.raises(ValueError, match=r"^grad: the derivative with respect to argument 0 is not a number \(nan\): "
                                         r"0 \* inf: backward through 'sqrt'"):  # fmt: skip
        grad(lambda x: sqrt(x) * 0.0)(0.0)
    with pytest.raises(ValueError, match=r"^value_and_grad: the derivative with respect to argument 1 is not a number"):
        value_and_grad(lambda x, y: sqrt(y) * x, argnums=(0, 1))(0.0, 0.0)
    with pytest.raises(ValueError, match=r"not a number \(nan\): two infinite slopes of opposite sign"):
        grad(lambda x: sqrt(x) - sqrt(x))(0.0)  # inf - inf


def test_a_gradient_that_overflows_is_refused_although_each_slope_is_finite() -> None:
    # d/dx (x * 1e308 + x * 1e308) = 2e308, a finite number too large for a float: before, grad returned inf.
    with pytest.raises(
        OverflowError, match=r"^grad: the derivative with respect to argument 0 is too large for a float"
    ):
        grad(lambda x: x * 1e308 + x * 1e308)(1e-300)
    # d²/dx² (1e308 x² + 1e308 x²) = 4e308
    with pytest.raises(OverflowError, match=r"^hessian: the entry \[0\]\[0\], d²f/dx0 dx0, is too large for a float"):
        hessian(lambda x: 1e308 * x * x + 1e308 * x * x)(1e-300)


@pytest.mark.parametrize("primitive", [exp, log, sqrt, tanh, sigmoid, relu, sin, cos])
def test_the_primitives_on_plain_numbers_refuse_nan_infinities_and_bools(primitive: Any) -> None:
    # Before: exp(nan) and sqrt(nan) were nan, log(inf) was inf, exp(True) was e.
    name = primitive.__name__
    for bad in (math.nan, math.inf, -math.inf, np.float64("nan")):
        with pytest.raises(ValueError, match=rf"^the x of {name} must be a finite number, got (nan|inf|-inf) "):
            primitive(bad)
    with pytest.raises(TypeError, match=rf"^the x of {name} must be a finite number or a Value, got bool: True"):
        primitive(True)
    assert primitive(0.5) == pytest.approx(primitive(Value(0.5)).data)


def test_a_primitive_on_a_number_refuses_a_result_that_is_not_finite(monkeypatch: pytest.MonkeyPatch) -> None:
    # A rule replaced in the table may give inf; a number path must refuse it as a node would.
    _, derivative = RULES["tanh"]
    monkeypatch.setitem(RULES, "tanh", Rule(lambda a: math.inf, derivative))
    with pytest.raises(OverflowError, match=r"^'tanh' of 0\.5: the result is too large for a float"):
        tanh(0.5)
    with pytest.raises(OverflowError, match=r"^'tanh' of 0\.5: the result is too large for a float"):
        Value(0.5).tanh()  # the engine's own answer for the same rule
