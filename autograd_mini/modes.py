"""The engine's switches, one set per thread: ``no_grad``, ``detect_anomaly``, and grad's nesting.

Like PyTorch's grad mode, a switch belongs to the thread that turned it on: ``no_grad()`` in a
thread that predicts does not stop a training thread from recording its graph.

>>> import threading
>>> from autograd_mini import Value
>>> seen = []
>>> with no_grad():
...     worker = threading.Thread(target=lambda: seen.append((Value(1.0) * 2).parents != ()))
...     worker.start(); worker.join()
>>> seen        # the other thread still recorded its graph
[True]
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator


class _Modes(threading.local):
    """This thread's switches; each thread starts with the defaults below."""

    def __init__(self) -> None:
        self.record_graph = True  # False inside no_grad(): results are plain leaves
        self.check_anomalies = False  # True inside detect_anomaly(): NaN/inf raise at once
        self.grad_depth = 0  # how many grad-made functions are evaluating their f in this thread


MODES = _Modes()


@contextlib.contextmanager
def no_grad() -> Iterator[None]:
    """Inside this block, this thread's operations compute values but record no graph (also a decorator).

    >>> from autograd_mini import Value
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.data, y.parents
    (4.0, ())
    """
    before = MODES.record_graph
    MODES.record_graph = False
    try:
        yield
    finally:
        MODES.record_graph = before


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block, a NaN or inf made by an op of this thread, or a NaN gradient, raises FloatingPointError.

    >>> from autograd_mini import Value
    >>> x = Value(0.0, label="x")
    >>> with detect_anomaly():
    ...     y = x.sqrt() * 0.0     # d/dx = 0 * inf: not a number
    ...     y.backward()
    Traceback (most recent call last):
    ...
    FloatingPointError: detect_anomaly: backward through 'sqrt' gave ... 'x' leaf = 0.0 ...
    """
    before = MODES.check_anomalies
    MODES.check_anomalies = True
    try:
        yield
    finally:
        MODES.check_anomalies = before
