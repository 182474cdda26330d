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
import math
import threading
from collections.abc import Iterator
from typing import Any

from .numeric import as_float


class _Modes(threading.local):
    """This thread's switches; each thread starts with the defaults below."""

    def __init__(self) -> None:
        self.record_graph = True  # False inside no_grad(): results are plain leaves
        self.check_anomalies = False  # True inside detect_anomaly(): NaN/inf raise at once
        self.grad_depth = 0  # how many grad-made functions are evaluating their f in this thread
        self.tracing = 0  # how many compiled.trace calls are running their fn in this thread
        self.no_grad_while_tracing = False  # set by no_grad() inside such a call: the trace refuses it


MODES = _Modes()


class _OpenBlocks:
    """How many ``no_grad``/``detect_anomaly`` blocks are open right now, over all threads.

    Reading this thread's switches costs more than making the rest of a node, so the engine
    reads them only when this count says some thread has one on. A thread counts its block
    in before it turns its switch on, and out after it turns it back, so a count of 0 proves
    that the reading thread's own switches are at their defaults.
    """

    def __init__(self) -> None:
        self.count = 0
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def one_more(self) -> Iterator[None]:
        with self._lock:
            self.count += 1
        try:
            yield
        finally:
            with self._lock:
                self.count -= 1


OPEN = _OpenBlocks()


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
    if MODES.tracing:  # its results would be frozen into the program at the example's numbers
        MODES.no_grad_while_tracing = True
    with OPEN.one_more():
        before = MODES.record_graph
        MODES.record_graph = False
        try:
            yield
        finally:
            MODES.record_graph = before


@contextlib.contextmanager
def detect_anomaly() -> Iterator[None]:
    """Inside this block, a backward pass of this thread that makes a NaN gradient raises FloatingPointError.

    The error names the op whose local derivative turned a number into NaN (0 * inf, at sqrt(0) for
    instance). Forward values need no watching: an op whose result is not finite always raises.

    >>> from autograd_mini import Value
    >>> x = Value(0.0, label="x")
    >>> with detect_anomaly():
    ...     y = x.sqrt() * 0.0     # d/dx = 0 * inf: not a number
    ...     y.backward()
    Traceback (most recent call last):
    ...
    FloatingPointError: detect_anomaly: backward through 'sqrt' gave ... 'x' leaf = 0.0 ...
    """
    with OPEN.one_more():
        before = MODES.check_anomalies
        MODES.check_anomalies = True
        try:
            yield
        finally:
            MODES.check_anomalies = before


# -- what detect_anomaly checks (the engine calls these only inside the block) ---------------


def _describe(node: Any) -> str:
    name = f"{node.label!r} " if node.label else ""
    return f"{name}{node.op or 'leaf'} = {node.data!r}"


def check_backward(order: list[Any], grads: dict[Any, Any]) -> None:
    """Name the first op, walking back from the root (last in ``order``), whose local derivative made a NaN."""
    for node in reversed(order):
        upstream = as_float(grads[node])
        for parent, local in zip(node.parents, node.local_grads, strict=True):
            if math.isnan(upstream * as_float(local)) and not math.isnan(upstream):
                raise FloatingPointError(
                    f"detect_anomaly: backward through {node.op!r} gave a NaN gradient for input "
                    f"{_describe(parent)} (upstream gradient {upstream!r}, local derivative {local!r})"
                )
