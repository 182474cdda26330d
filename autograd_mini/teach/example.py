"""The worked example: L = (a·b + a)², where a reaches L by two paths (the example step page and the tests use it)."""

from __future__ import annotations

from typing import NamedTuple

from ..engine import Value


class TwoPath(NamedTuple):
    """The graph of ``two_path_example``: the loss first, then every node in the order it is built."""

    loss: Value
    a: Value
    b: Value
    c: Value
    d: Value


def two_path_example() -> TwoPath:
    """L = (a·b + a)² at a = 2, b = -3, built as c = a·b, d = c + a, L = d·d: a reaches L by two paths.

    Forward: c = -6, d = -4, L = 16. Backward by hand, one edge at a time:
    dL/dd = 2d = -8; dL/dc = dL/dd · 1 = -8; dL/db = dL/dc · a = -16;
    dL/da = dL/dc · b + dL/dd · 1 = 24 - 8 = 16 (the two paths, through c and straight to d, add up).
    In closed form: dL/da = 2(ab + a)(b + 1) = 16 and dL/db = 2(ab + a)a = -16.

    Returns:
        TwoPath(loss, a, b, c, d): fresh Values labelled L, a, b, c, d, gradients not yet computed.

    >>> ex = two_path_example()
    >>> ex.loss.data, ex.c.data, ex.d.data
    (16.0, -6.0, -4.0)
    >>> ex.loss.backward()
    >>> ex.a.grad, ex.b.grad, ex.c.grad, ex.d.grad
    (16.0, -16.0, -8.0, -8.0)
    """
    a = Value(2.0, label="a")
    b = Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    d = c + a
    d.label = "d"
    loss = d * d
    loss.label = "L"
    return TwoPath(loss, a, b, c, d)
