"""Loss functions: how far one sample's outputs are from its target, as a Value to backward from.

Every loss takes ``(outputs, targets)`` for ONE sample and returns a single Value:

* ``outputs``: what the model gave, a list of Values (a model call returns one) or a single Value.
* ``targets``: numbers (or Values) of the same length, a single number for a single output;
  for ``cross_entropy``, the index of the right class.

A training loop averages the losses of the samples in a batch.

==========================  ===================================  =================================
loss                        outputs                              targets
==========================  ===================================  =================================
``sse``, ``mse``            n values                             n numbers
``hinge``                   n scores                             n labels, each -1 or +1
``binary_cross_entropy``    one logit (list of one, or a Value)  one label in {0, 1}
``cross_entropy``           k logits, one per class              one class index in 0..k-1
==========================  ===================================  =================================

>>> from autograd_mini import Value
>>> o = [Value(0.5), Value(2.0)]
>>> loss = sse(o, [1.0, 2.0])          # (0.5 - 1)**2 + (2 - 2)**2
>>> loss.backward()
>>> loss.data, o[0].grad               # d/do = 2(o - t)
(0.25, -1.0)
"""

from __future__ import annotations

import math
import numbers
import operator
from collections.abc import Sequence
from typing import Any, TypeAlias

from .engine import Value
from .numeric import as_float

Outputs: TypeAlias = "Value | Sequence[Value]"
Targets: TypeAlias = "float | Value | Sequence[float | Value]"


def sse(outputs: Outputs, targets: Targets) -> Value:
    """Sum of squared errors ``sum_i (o_i - t_i)**2``, the seed texts' loss; d/do_i = 2(o_i - t_i).

    Args:
        outputs: n Values (or one Value).
        targets: n numbers or Values (or one).

    Returns:
        The loss, a Value.

    >>> from autograd_mini import Value
    >>> sse([Value(3.0), Value(-1.0)], [1.0, 1.0]).data      # 2**2 + 2**2
    8.0
    """
    pairs = _pairs(outputs, targets, "sse")
    return _add_up([(o - t) ** 2 for o, t in pairs])


def mse(outputs: Outputs, targets: Targets) -> Value:
    """Mean squared error ``(1/n) sum_i (o_i - t_i)**2``.

    Args:
        outputs: n Values (or one Value).
        targets: n numbers or Values (or one).

    Returns:
        The loss, a Value.

    >>> from autograd_mini import Value
    >>> mse([Value(3.0), Value(-1.0)], [1.0, 1.0]).data      # (4 + 4) / 2
    4.0
    """
    pairs = _pairs(outputs, targets, "mse")
    return _add_up([(o - t) ** 2 for o, t in pairs]) * (1.0 / len(pairs))


def hinge(outputs: Outputs, targets: Targets) -> Value:
    """Max-margin loss ``sum_i max(0, 1 - t_i o_i)`` for labels t_i of -1 or +1.

    Zero once every score is on the right side with a margin of at least 1.

    Args:
        outputs: n scores (Values), or one.
        targets: n labels, each -1 or +1 (or one label).

    Returns:
        The loss, a Value.

    Raises:
        ValueError: a label is not -1 or +1.

    >>> from autograd_mini import Value
    >>> hinge([Value(0.25), Value(-3.0)], [1, -1]).data      # max(0, 0.75) + max(0, -2)
    0.75
    """
    pairs = _pairs(outputs, targets, "hinge")
    for _, t in pairs:
        if _number(t) not in (-1.0, 1.0):
            raise ValueError(f"hinge expects labels -1 or +1, got {t!r}")
    return _add_up([(1 - o * t).relu() for o, t in pairs])


def binary_cross_entropy(logit: Outputs, target: Targets) -> Value:
    """``-[t log s(z) + (1 - t) log(1 - s(z))]`` for a logit z, s the sigmoid, t the label.

    Computed as ``softplus(z) - t z``, with ``softplus(z) = log(1 + e**z)`` one primitive of
    rules.py whose forward never overflows and whose derivative is ``s(z)``: the gradient is
    exactly ``s(z) - t``, and a logit of +-1000 gives a finite loss and gradient. No branch on
    the logit's value, so a traced program (``trace``) computes the same for every logit.

    Args:
        logit: one Value (or a list of one, as a model call returns), the score before the sigmoid.
        target: the label, 0 or 1 (a soft label in between is accepted too).

    Returns:
        The loss, a Value.

    Raises:
        ValueError: the target is outside [0, 1], or more than one logit was given.

    >>> from autograd_mini import Value
    >>> z = Value(0.0)
    >>> loss = binary_cross_entropy([z], 1)
    >>> loss.backward()
    >>> round(loss.data, 6), z.grad          # log 2, and s(0) - 1
    (0.693147, -0.5)
    """
    ((z, t),) = _pairs(logit, target, "binary_cross_entropy", single=True)
    if not 0.0 <= _number(t) <= 1.0:
        raise ValueError(f"binary_cross_entropy expects a target in [0, 1] (a label 0 or 1), got {t!r}")
    return z.apply("softplus") - z * t


def cross_entropy(logits: Sequence[Value], target: int) -> Value:
    """Softmax cross-entropy ``-log softmax(z)_k = log(sum_i e**z_i) - z_k`` for the class k.

    The log-sum-exp is built up one logit at a time, ``lse(s, z) = s + softplus(z - s)``, so no
    exponential can overflow, even for logits of +-1000, and no branch depends on the logits'
    values (a traced program computes the same for every logit). d/dz_i = softmax(z)_i - [i == k].

    Args:
        logits: one Value per class (what a model with k linear outputs returns).
        target: the index k of the right class, 0 <= k < len(logits).

    Returns:
        The loss, a Value.

    Raises:
        TypeError: the target is not an integer.
        ValueError: the target is out of range, or there are no logits.

    >>> from autograd_mini import Value
    >>> z = [Value(0.0), Value(0.0)]
    >>> loss = cross_entropy(z, 1)
    >>> loss.backward()
    >>> round(loss.data, 6), z[0].grad, z[1].grad     # log 2; softmax is (1/2, 1/2)
    (0.693147, 0.5, -0.5)
    """
    if isinstance(logits, Value) or not isinstance(logits, Sequence) or not logits:
        raise ValueError(f"cross_entropy expects a non-empty list of logits (Values), got {logits!r}")
    k = _class_index(target, len(logits))
    log_sum_exp = logits[0]
    for z in logits[1:]:
        log_sum_exp = log_sum_exp + (z - log_sum_exp).apply("softplus")
    return log_sum_exp - logits[k]


# -- helpers -----------------------------------------------------------------------------


def _add_up(terms: list[Value]) -> Value:
    """``terms[0] + terms[1] + ...`` without an extra node for a starting zero."""
    return sum(terms[1:], terms[0])


def _pairs(outputs: Any, targets: Any, loss: str, *, single: bool = False) -> list[tuple[Value, float | Value]]:
    """(output, target) pairs, after checking the two sides have the same length."""
    outs = [outputs] if isinstance(outputs, Value) else outputs
    wanted = [targets] if isinstance(targets, (numbers.Real, Value)) else targets
    if not isinstance(outs, Sequence) or not all(isinstance(o, Value) for o in outs):
        raise TypeError(f"{loss} expects the outputs as a Value or a list of Values, got {outputs!r}")
    try:
        n_targets = len(wanted)
    except TypeError:
        raise TypeError(f"{loss} expects the targets as numbers, got {type(targets).__name__}: {targets!r}") from None
    if not outs or n_targets != len(outs) or (single and len(outs) != 1):
        expected = "one output and one target" if single else "as many targets as outputs (at least one)"
        raise ValueError(f"{loss} expects {expected}, got {len(outs)} outputs and {n_targets} targets")
    for t in wanted:
        _number(t)
    return list(zip(outs, wanted, strict=True))


def _number(t: Any) -> float:
    """The number inside a target (a Value's data), or a clear error: a target must be a finite real number."""
    if isinstance(t, bool):
        raise TypeError(f"a target must be a real number, got bool: {t!r}")
    number = as_float(t, "a target")
    if not math.isfinite(number):
        raise ValueError(f"a target must be a finite number, got {t!r}")
    return number


def _class_index(target: Any, n_classes: int) -> int:
    if isinstance(target, bool):
        raise TypeError(f"cross_entropy expects a class index (int), got bool: {target!r}")
    try:
        k = operator.index(target)
    except TypeError:
        raise TypeError(f"cross_entropy expects a class index (int), got {type(target).__name__}: {target!r}") from None
    if not 0 <= k < n_classes:
        raise ValueError(f"cross_entropy class index must be in 0..{n_classes - 1}, got {k}")
    return k
