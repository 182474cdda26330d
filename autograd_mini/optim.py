"""Optimizers: turn the gradients that backward left in ``p.grad`` into better parameters.

The training loop is always the same four lines::

    optimizer.zero_grad()     # forget the last batch's gradients
    loss = ...                # build the graph
    loss.backward()           # fill in p.grad for every parameter
    optimizer.step()          # move each parameter against its gradient

``SGD`` and ``Adam`` follow PyTorch's update formulas, so numbers carry over. Both take an
optional ``lr_schedule``: a function of the step number (0 for the first step) returning a
factor for the learning rate, such as ``StepDecay``.

A step never writes a number that is not finite: a gradient that is NaN or infinite, or a step
so large that a parameter (or the optimizer's running averages) would overflow, raises a
``NonFiniteError`` before anything changes.

>>> from autograd_mini import Value
>>> x = Value(3.0)
>>> opt = SGD([x], lr=0.25)
>>> for _ in range(2):
...     opt.zero_grad()
...     loss = x * x            # d/dx = 2x, so each step does x -= 0.25 * 2x, halving x
...     loss.backward()
...     opt.step()
>>> x.data
0.75
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterable
from typing import Any

from . import checks
from .engine import Value

Schedule = Callable[[int], float]
"""Step number (0, 1, 2, ...) -> factor multiplying the base learning rate."""

State = tuple[float, ...]
"""What an optimizer remembers about one parameter between steps (SGD: its velocity; Adam: two averages)."""


class NonFiniteError(ValueError, ArithmeticError):
    """A step refused because a gradient, or a number the step would write, is not finite.

    A ValueError (a bad gradient is a bad input) and an ArithmeticError (a step too large
    for a float is an overflow), so either ``except`` catches it.

    >>> from autograd_mini import Value
    >>> w = Value(1.0, label="w")
    >>> w.grad = 1e300
    >>> SGD([w], lr=1e10).step()
    Traceback (most recent call last):
    ...
    autograd_mini.optim.NonFiniteError: cannot step: parameter w would become -inf (data 1.0, gradient 1e+300, ...
    """


class StepDecay:
    """A schedule that multiplies the learning rate by ``factor`` every ``every`` steps.

    Args:
        every: how many steps between two decays (a positive int).
        factor: the multiplier applied at each decay, in (0, 1].

    >>> schedule = StepDecay(every=2, factor=0.5)
    >>> [schedule(t) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, every: int, factor: float) -> None:
        self.every = checks.count(every, "StepDecay every")
        self.factor = checks.number_in(factor, "StepDecay factor", 0.0, 1.0, low_open=True)

    def __call__(self, step: int) -> float:
        """The factor for step number ``step``: ``factor ** (step // every)``.

        >>> StepDecay(every=100, factor=0.5)(250)      # decayed twice: 0.5 ** 2
        0.25
        """
        return self.factor ** (step // self.every)

    def __repr__(self) -> str:
        return f"StepDecay(every={self.every}, factor={self.factor})"


class Optimizer:
    """What every optimizer shares: the parameters, the learning rate and its schedule.

    A subclass defines ``_update(p, g, lr, state)``: the new value of a parameter with data p
    and gradient g, and its new state (its entry in ``self.state``, which starts as ``_start``).
    ``_update`` changes nothing itself, so ``step`` can check every result before writing any.

    Args:
        params: the Values to train, e.g. ``model.parameters()``.
        lr: the base learning rate, a positive number.
        lr_schedule: step number -> factor for ``lr``; None keeps ``lr`` fixed.

    >>> from autograd_mini import Value
    >>> opt = SGD([Value(1.0), Value(2.0)], lr=0.1)     # SGD is an Optimizer
    >>> len(opt.params), opt.steps, isinstance(opt, Optimizer)
    (2, 0, True)
    """

    _start: State = ()  # a parameter's state before the first step

    def __init__(self, params: Iterable[Value], lr: float, lr_schedule: Schedule | None = None) -> None:
        self.params = _parameter_list(params)
        self.base_lr = checks.positive(lr, "lr")
        if lr_schedule is not None and not callable(lr_schedule):
            raise TypeError(f"lr_schedule must be a function of the step number, got {lr_schedule!r}")
        self.lr_schedule = lr_schedule
        self.steps = 0  # how many times step() has run
        self.state: list[State] = [self._start] * len(self.params)

    @property
    def lr(self) -> float:
        """The learning rate the next ``step()`` will use (the base rate times the schedule's factor).

        >>> from autograd_mini import Value
        >>> SGD([Value(0.0)], lr=0.1, lr_schedule=StepDecay(1, 0.5)).lr
        0.1
        """
        if self.lr_schedule is None:
            return self.base_lr
        factor = self.lr_schedule(self.steps)
        if isinstance(factor, bool) or not isinstance(factor, numbers.Real) or not 0.0 <= factor < math.inf:
            raise ValueError(f"lr_schedule({self.steps}) must return a finite number >= 0, got {factor!r}")
        return self.base_lr * float(factor)

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` back to 0.0 before the next backward.

        >>> from autograd_mini import Value
        >>> w = Value(1.0)
        >>> w.grad = 5.0
        >>> SGD([w], lr=0.1).zero_grad()
        >>> w.grad
        0.0
        """
        for p in self.params:
            p.grad = 0.0

    def step(self) -> None:
        """Move every parameter once, using the gradients in ``p.grad``.

        Every gradient, new value and new state is computed and checked before any parameter
        changes, so a bad gradient or a step that would overflow leaves the model and the
        optimizer as they were.

        Raises:
            NonFiniteError: a gradient is NaN or infinite, or the step would make a parameter
                or the optimizer's state overflow (a smaller learning rate helps then).

        >>> from autograd_mini import Value
        >>> w = Value(1.0)
        >>> w.grad = 0.5
        >>> SGD([w], lr=0.1).step()     # 1 - 0.1 * 0.5
        >>> w.data
        0.95
        """
        lr = self.lr
        grads = [_gradient(p) for p in self.params]
        updates = [self._update(p.data, g, lr, s) for p, g, s in zip(self.params, grads, self.state, strict=True)]
        for p, g, (value, state) in zip(self.params, grads, updates, strict=True):
            if not all(map(math.isfinite, (value, *state))):
                went = f"would become {value}" if not math.isfinite(value) else "would overflow the optimizer's state"
                raise NonFiniteError(
                    f"cannot step: parameter {_name(p)} {went} (data {p.data!r}, gradient {g!r}, lr {lr:g}); "
                    "try a smaller learning rate"
                )
        for p, (value, _) in zip(self.params, updates, strict=True):
            p.data = value
        self.state = [state for _, state in updates]
        self.steps += 1

    def _update(self, p: float, g: float, lr: float, state: State) -> tuple[float, State]:
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum and weight decay (PyTorch's formulas).

    For each parameter p with gradient g, at learning rate lr::

        g = g + weight_decay * p          # L2 penalty pulling weights towards 0
        v = momentum * v + g              # velocity (v = g on the first step)
        p = p - lr * v

    With ``momentum=0`` this is plain gradient descent ``p -= lr * g``.

    Args:
        params: the Values to train.
        lr: the learning rate, a positive number.
        momentum: in [0, 1): how much of the last update carries over.
        weight_decay: >= 0, the strength of the L2 penalty.
        lr_schedule: step number -> factor for ``lr``; None keeps ``lr`` fixed.

    >>> from autograd_mini import Value
    >>> w = Value(1.0)
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> for _ in range(2):
    ...     w.grad = 0.5                 # v: 0.5, then 0.9 * 0.5 + 0.5 = 0.95
    ...     opt.step()
    >>> round(w.data, 10)                # 1 - 0.1 * 0.5 - 0.1 * 0.95
    0.855
    """

    _start = (0.0,)  # the velocity

    def __init__(
        self,
        params: Iterable[Value],
        lr: float,
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        lr_schedule: Schedule | None = None,
    ) -> None:
        super().__init__(params, lr, lr_schedule)
        self.momentum = checks.number_in(momentum, "momentum", 0.0, 1.0, high_open=True)
        self.weight_decay = checks.non_negative(weight_decay, "weight_decay")

    @property
    def velocity(self) -> list[float]:
        """Each parameter's velocity v (0.0 before the first step).

        >>> from autograd_mini import Value
        >>> w = Value(1.0)
        >>> opt = SGD([w], lr=0.1, momentum=0.5)
        >>> w.grad = 2.0
        >>> opt.velocity, opt.step(), opt.velocity
        ([0.0], None, [2.0])
        """
        return [v for (v,) in self.state]

    def _update(self, p: float, g: float, lr: float, state: State) -> tuple[float, State]:
        g = g + self.weight_decay * p
        (v,) = state
        v = self.momentum * v + g
        return p - lr * v, (v,)

    def __repr__(self) -> str:
        return (
            f"SGD({len(self.params)} parameters, lr={self.base_lr}, momentum={self.momentum}, "
            f"weight_decay={self.weight_decay})"
        )


class Adam(Optimizer):
    """Adam: steps scaled per parameter by running averages of the gradient and its square.

    For each parameter p with gradient g, on step number t = 1, 2, ...::

        m = beta1 * m + (1 - beta1) * g           # running mean of g
        s = beta2 * s + (1 - beta2) * g**2        # running mean of g squared
        m_hat = m / (1 - beta1**t)                # undo the bias of starting at 0
        s_hat = s / (1 - beta2**t)
        p = p - lr * m_hat / (sqrt(s_hat) + eps)

    So the first step moves every parameter by about ``lr`` against its gradient's sign.

    It keeps r = sqrt(s) rather than s, updated as ``hypot(sqrt(beta2) * r, sqrt(1 - beta2) * g)``:
    the same number, but g is never squared, so a gradient of 1e200 does not overflow s to
    infinity (which would freeze the parameter for good).

    Args:
        params: the Values to train.
        lr: the learning rate, a positive number.
        betas: the decay rates (beta1, beta2) of the two running means, each in [0, 1).
        eps: a small positive number that keeps the division finite.
        lr_schedule: step number -> factor for ``lr``; None keeps ``lr`` fixed.

    >>> from autograd_mini import Value
    >>> w = Value(1.0)
    >>> w.grad = -4.0
    >>> opt = Adam([w], lr=0.01)
    >>> opt.step()
    >>> round(w.data, 6)                 # 1 + 0.01 * 4 / (4 + 1e-8)
    1.01
    """

    _start = (0.0, 0.0)  # the running mean m and the root mean square r = sqrt(s)

    def __init__(
        self,
        params: Iterable[Value],
        lr: float = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        lr_schedule: Schedule | None = None,
    ) -> None:
        super().__init__(params, lr, lr_schedule)
        if not isinstance(betas, tuple) or len(betas) != 2:
            raise ValueError(f"Adam betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            checks.number_in(betas[0], "beta1", 0.0, 1.0, high_open=True),
            checks.number_in(betas[1], "beta2", 0.0, 1.0, high_open=True),
        )
        self.eps = checks.positive(eps, "eps")
        self._root_weights = (math.sqrt(self.betas[1]), math.sqrt(1.0 - self.betas[1]))

    def _update(self, p: float, g: float, lr: float, state: State) -> tuple[float, State]:
        beta1, beta2 = self.betas
        t = self.steps + 1
        m, r = state
        m = beta1 * m + (1.0 - beta1) * g
        r = math.hypot(self._root_weights[0] * r, self._root_weights[1] * g)  # sqrt(beta2 r**2 + (1 - beta2) g**2)
        m_hat = m / (1.0 - beta1**t)
        r_hat = r / math.sqrt(1.0 - beta2**t)
        return p - lr * m_hat / (r_hat + self.eps), (m, r)

    def __repr__(self) -> str:
        return f"Adam({len(self.params)} parameters, lr={self.base_lr}, betas={self.betas}, eps={self.eps})"


# -- checking what the user passed ---------------------------------------------------------


def _parameter_list(params: Any) -> list[Value]:
    if isinstance(params, Value) or not isinstance(params, Iterable):
        raise TypeError(f"an optimizer expects a list of Values (e.g. model.parameters()), got {params!r}")
    found = list(params)
    for p in found:
        if not isinstance(p, Value):
            raise TypeError(f"an optimizer expects Values as parameters, got {type(p).__name__}: {p!r}")
    if not found:
        raise ValueError("an optimizer needs at least one parameter, got an empty list")
    return found


def _gradient(p: Value) -> float:
    """The number in ``p.grad`` (a Value's data after a backward with create_graph=True)."""
    grad = p.grad.data if isinstance(p.grad, Value) else p.grad
    if not math.isfinite(grad):
        raise NonFiniteError(f"cannot step: parameter {_name(p)} has gradient {grad}")
    return float(grad)


def _name(p: Value) -> str:
    return p.label or repr(p)
