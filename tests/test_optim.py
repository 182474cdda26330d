"""Tests for autograd_mini.optim: updates checked against numbers worked out by hand."""

import math

import pytest

from autograd_mini import Value
from autograd_mini.optim import SGD, Adam, NonFiniteError, Optimizer, StepDecay


def stepped(optimizer, params, grads):
    """Set the gradients by hand, then take one step."""
    for p, g in zip(params, grads, strict=True):
        p.grad = g
    optimizer.step()


# -- SGD --------------------------------------------------------------------------------------


def test_sgd_one_and_two_steps():
    w = Value(1.0)
    opt = SGD([w], lr=0.1)
    stepped(opt, [w], [0.5])
    assert w.data == pytest.approx(0.95)  # 1 - 0.1 * 0.5
    stepped(opt, [w], [-2.0])
    assert w.data == pytest.approx(1.15)  # 0.95 + 0.1 * 2


def test_sgd_momentum_two_steps():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, momentum=0.9)
    stepped(opt, [w], [0.5])  # v = 0.5
    assert w.data == pytest.approx(0.95)
    stepped(opt, [w], [1.0])  # v = 0.9 * 0.5 + 1.0 = 1.45
    assert w.data == pytest.approx(0.95 - 0.145)


def test_sgd_weight_decay_adds_the_l2_gradient():
    w = Value(2.0)
    opt = SGD([w], lr=0.1, weight_decay=0.5)
    stepped(opt, [w], [1.0])  # g = 1 + 0.5 * 2 = 2
    assert w.data == pytest.approx(1.8)
    stepped(opt, [w], [0.0])  # g = 0 + 0.5 * 1.8 = 0.9
    assert w.data == pytest.approx(1.71)


def test_sgd_moves_each_parameter_by_its_own_gradient():
    a, b = Value(0.0), Value(10.0)
    opt = SGD([a, b], lr=0.5)
    stepped(opt, [a, b], [2.0, -4.0])
    assert (a.data, b.data) == (-1.0, 12.0)


# -- Adam -------------------------------------------------------------------------------------


def test_adam_one_step():
    w = Value(1.0)
    opt = Adam([w], lr=0.1)
    stepped(opt, [w], [0.5])
    # m = 0.1 * 0.5 = 0.05, s = 0.001 * 0.25 = 0.00025; m_hat = 0.05 / 0.1 = 0.5, s_hat = 0.00025 / 0.001 = 0.25
    assert w.data == pytest.approx(1.0 - 0.1 * 0.5 / (0.5 + 1e-8), abs=1e-12)


def test_adam_two_steps():
    w = Value(1.0)
    opt = Adam([w], lr=0.1)
    stepped(opt, [w], [0.5])
    after_one = 1.0 - 0.1 * 0.5 / (0.5 + 1e-8)
    stepped(opt, [w], [-1.0])
    m = 0.9 * 0.05 + 0.1 * -1.0  # -0.055
    s = 0.999 * 0.00025 + 0.001 * 1.0  # 0.00124975
    m_hat = m / (1 - 0.9**2)  # / 0.19
    s_hat = s / (1 - 0.999**2)  # / 0.001999
    assert m == pytest.approx(-0.055) and s == pytest.approx(0.00124975)
    assert w.data == pytest.approx(after_one - 0.1 * m_hat / (math.sqrt(s_hat) + 1e-8), abs=1e-12)
    assert w.data == pytest.approx(0.9 + 0.0366103, abs=1e-6)  # the same in numbers: 1 - 0.1, then + 0.1 * 0.366103


def test_adam_custom_betas():
    w = Value(0.0)
    opt = Adam([w], lr=1.0, betas=(0.5, 0.5), eps=1.0)
    stepped(opt, [w], [3.0])
    # m = 1.5, s = 4.5; m_hat = 3, s_hat = 9; step = 3 / (3 + 1)
    assert w.data == pytest.approx(-0.75)


# -- both ------------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda ps: SGD(ps, lr=0.1, momentum=0.5), lambda ps: Adam(ps, lr=0.1)])
def test_optimizers_find_the_minimum_of_a_quadratic(make):
    x, y = Value(0.0), Value(0.0)
    opt = make([x, y])
    for _ in range(300):
        opt.zero_grad()
        loss = (x - 3) ** 2 + 2 * (y + 1) ** 2  # minimum at (3, -1)
        loss.backward()
        opt.step()
    assert x.data == pytest.approx(3.0, abs=1e-2) and y.data == pytest.approx(-1.0, abs=1e-2)


def test_zero_grad_resets_every_parameter():
    a, b = Value(1.0), Value(2.0)
    (a * b).backward()
    opt = Adam([a, b])
    opt.zero_grad()
    assert (a.grad, b.grad) == (0.0, 0.0)


def test_gradients_made_with_create_graph_are_read_as_numbers():
    w = Value(2.0)
    (w * w).backward(create_graph=True)
    assert isinstance(w.grad, Value)
    SGD([w], lr=0.25).step()  # d(w*w)/dw = 4
    assert w.data == 1.0


def test_a_bad_gradient_changes_nothing():
    a, b = Value(1.0), Value(1.0)
    opt = SGD([a, b], lr=0.1, momentum=0.9)
    a.grad, b.grad = 1.0, math.nan
    with pytest.raises(ValueError, match="gradient nan"):
        opt.step()
    assert (a.data, b.data, opt.steps, opt.velocity) == (1.0, 1.0, 0, [0.0, 0.0])


def test_a_step_that_would_overflow_changes_nothing():
    # The issue: "an SGD step can set a weight to -inf (only gradients are checked)".
    a, b = Value(1.0, label="a"), Value(1.0, label="b")
    opt = SGD([a, b], lr=1e10, momentum=0.9)
    a.grad, b.grad = 1.0, 1e300  # a's step is fine; b's, 1e10 * 1e300, overflows
    with pytest.raises(NonFiniteError, match=r"parameter b would become -inf .*smaller learning rate"):
        opt.step()
    assert (a.data, b.data, opt.steps, opt.velocity) == (1.0, 1.0, 0, [0.0, 0.0])  # a was not moved either


def test_a_state_that_would_overflow_changes_nothing():
    # SGD's and Adam's states overflow only with the parameter; an optimizer's state is checked all the same.
    class Squares(Optimizer):
        _start = (1.0,)  # a running product of squared gradients, never finite for long

        def _update(self, p, g, lr, state):
            return p - lr * g, (state[0] * g * g,)

    w = Value(1.0, label="w")
    opt = Squares([w], lr=0.1)
    with pytest.raises(NonFiniteError, match="parameter w would overflow the optimizer's state"):
        stepped(opt, [w], [1e200])  # state 1e400
    assert (w.data, opt.state, opt.steps) == (1.0, [(1.0,)], 0)


def test_a_refused_step_is_a_value_error_and_an_arithmetic_error():
    w = Value(1.0)
    w.grad = math.inf
    for kind in (ValueError, ArithmeticError):
        with pytest.raises(kind, match="gradient inf"):
            SGD([w], lr=0.1).step()


def test_adam_keeps_moving_after_a_huge_gradient():
    # The issue: "after one gradient of 1e200 Adam's second moment is inf and the parameter never moves again".
    w = Value(0.0)
    opt = Adam([w], lr=0.1)
    stepped(opt, [w], [1e200])
    assert w.data == pytest.approx(-0.1)  # the first step moves by lr against the gradient's sign, as always
    assert all(math.isfinite(x) for state in opt.state for x in state)
    for _ in range(3):
        before = w.data
        stepped(opt, [w], [1.0])
        assert math.isfinite(w.data) and w.data < before  # still moving


def test_adam_with_the_largest_gradients_stays_finite():
    w = Value(0.0)
    opt = Adam([w], lr=0.1)
    for g in (1.7e308, -1.7e308, 1.7e308):
        stepped(opt, [w], [g])
        assert math.isfinite(w.data) and abs(w.data) < 1.0


def test_adam_matches_the_textbook_formula_over_many_steps():
    # Keeping sqrt(s) by hypot changes the rounding only: 50 steps agree with s kept as in the docstring.
    w = Value(0.3)
    opt = Adam([w], lr=0.05)
    p, m, s = 0.3, 0.0, 0.0
    for t in range(1, 51):
        g = math.sin(t) * 3.0
        stepped(opt, [w], [g])
        m = 0.9 * m + 0.1 * g
        s = 0.999 * s + 0.001 * g * g
        p -= 0.05 * (m / (1 - 0.9**t)) / (math.sqrt(s / (1 - 0.999**t)) + 1e-8)
    assert w.data == pytest.approx(p, abs=1e-12)


def test_parameters_can_come_from_a_generator():
    params = [Value(1.0), Value(2.0)]
    assert SGD(iter(params), lr=0.1).params == params


# -- learning-rate schedules -------------------------------------------------------------------


def test_step_decay_halves_the_rate_every_two_steps():
    w = Value(0.0)
    opt = SGD([w], lr=1.0, lr_schedule=StepDecay(every=2, factor=0.5))
    seen = []
    for _ in range(5):
        seen.append(opt.lr)
        stepped(opt, [w], [1.0])
    assert seen == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert w.data == pytest.approx(-(1 + 1 + 0.5 + 0.5 + 0.25))


def test_any_function_of_the_step_number_is_a_schedule():
    w = Value(0.0)
    opt = Adam([w], lr=0.1, lr_schedule=lambda t: 1.0 / (t + 1))
    stepped(opt, [w], [1.0])  # first Adam step moves by lr * 1 = 0.1
    assert w.data == pytest.approx(-0.1, abs=1e-8)
    assert opt.lr == pytest.approx(0.05)


def test_a_schedule_returning_nonsense_raises_before_anything_moves():
    w = Value(1.0)
    opt = SGD([w], lr=0.1, lr_schedule=lambda t: -1.0)
    w.grad = 1.0
    with pytest.raises(ValueError, match=r"lr_schedule\(0\) must return a finite number >= 0, got -1.0"):
        opt.step()
    assert w.data == 1.0


# -- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "words"),
    [
        (lambda: SGD([Value(1.0)], lr=0.0), ValueError, "lr must be a finite number > 0, got 0.0"),
        (lambda: SGD([Value(1.0)], lr=-1), ValueError, "lr must be"),
        (lambda: Adam([Value(1.0)], lr=math.inf), ValueError, "lr must be"),
        (lambda: SGD([Value(1.0)], lr="0.1"), TypeError, "lr must be a real number, got str"),
        (lambda: SGD([Value(1.0)], lr=0.1, momentum=1.0), ValueError, "momentum"),
        (lambda: SGD([Value(1.0)], lr=0.1, weight_decay=-0.1), ValueError, "weight_decay"),
        (lambda: Adam([Value(1.0)], betas=(0.9,)), ValueError, "betas"),
        (lambda: Adam([Value(1.0)], betas=(0.9, 1.0)), ValueError, "beta2"),
        (lambda: Adam([Value(1.0)], eps=0.0), ValueError, "eps"),
        (lambda: SGD([], lr=0.1), ValueError, "at least one parameter"),
        (lambda: SGD(Value(1.0), lr=0.1), TypeError, "list of Values"),
        (lambda: SGD([1.0], lr=0.1), TypeError, "got float"),
        (lambda: SGD([Value(1.0)], lr=0.1, lr_schedule=0.5), TypeError, "lr_schedule"),
        (lambda: StepDecay(every=0, factor=0.5), ValueError, "every"),
        (lambda: StepDecay(every=10, factor=1.5), ValueError, "factor"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, error, words):
    with pytest.raises(error, match=words):
        call()
