"""modes' hook for compiled.trace: a no_grad block opened inside a traced function is seen, per thread.

The engine's no_grad makes a leaf of what it computes; inside a traced fn that leaf would be frozen
into the program at the example's numbers. modes tells trace so (``MODES.tracing``,
``MODES.no_grad_while_tracing``), and trace refuses the program.
"""

from __future__ import annotations

import threading
from typing import Any

import numpy as np
import pytest

from autograd_mini import TraceError, Value, no_grad, trace
from autograd_mini.modes import MODES


def squared(x: Value) -> Value:
    """x², under no_grad: a plain number, cut from the graph."""
    with no_grad():
        return x * x


def test_no_grad_inside_the_traced_function_is_refused_naming_the_cause() -> None:
    fn = lambda x: (x * 2) + squared(x)
    eager = [fn(Value(x)).data for x in (1.0, 3.0)]
    assert eager == [3.0, 15.0]  # 2x + x², worked by hand
    with pytest.raises(TraceError, match=r"no_grad inside the traced function freezes .* example's numbers") as info:
        trace(fn, 1.0)
    assert "outside fn, or without no_grad" in str(info.value)


def test_no_grad_on_parameters_only_is_refused_too() -> None:
    w = Value(2.0, label="w")

    def fn(x: Value) -> Value:
        with no_grad():
            scale = w * 3.0  # would stay 6.0 in the program after w changes
        return scale * x

    with pytest.raises(TraceError, match="no_grad"):
        trace(fn, 1.0)


def test_the_switches_are_back_after_a_refusal_and_after_an_error_in_fn() -> None:
    with pytest.raises(TraceError):
        trace(lambda x: x + squared(x), 1.0)
    assert (MODES.tracing, MODES.no_grad_while_tracing) == (0, False)

    def broken(x: Value) -> Value:
        raise RuntimeError("inside fn")

    with pytest.raises(RuntimeError, match="inside fn"):
        trace(broken, 1.0)
    assert (MODES.tracing, MODES.no_grad_while_tracing) == (0, False)
    program = trace(lambda x: x * 2, 1.0)  # a later trace is not refused
    assert program(np.array([1.0, 3.0])).tolist() == [2.0, 6.0]


def test_no_grad_outside_a_trace_is_not_recorded() -> None:
    with no_grad():
        (Value(1.0) * 2).data  # noqa: B018
    assert MODES.no_grad_while_tracing is False
    assert trace(lambda x: x * 2, 1.0)(np.array([2.0])).tolist() == [4.0]


def test_no_grad_in_another_thread_during_a_trace_is_not_fns() -> None:
    seen: list[Any] = []

    def fn(x: Value) -> Value:
        worker = threading.Thread(target=lambda: seen.append(squared(Value(2.0)).data))
        worker.start()
        worker.join()
        return x * 3

    program = trace(fn, 1.0)
    assert seen == [4.0, 4.0]  # the worker ran at the trace and at the nearby check
    assert program(np.array([2.0])).tolist() == [6.0]


def test_a_trace_inside_a_traced_function_keeps_the_outer_record() -> None:
    def inner_then_no_grad(x: Value) -> Value:
        trace(lambda v: v * 2, 1.0)  # a clean inner trace must not clear what the outer one saw
        return x + squared(x)

    with pytest.raises(TraceError, match="no_grad"):
        trace(inner_then_no_grad, 1.0)

    def no_grad_then_inner(x: Value) -> Value:
        y = x + squared(x)
        trace(lambda v: v * 2, 1.0)
        return y

    with pytest.raises(TraceError, match="no_grad"):
        trace(no_grad_then_inner, 1.0)
    assert (MODES.tracing, MODES.no_grad_while_tracing) == (0, False)
