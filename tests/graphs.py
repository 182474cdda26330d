"""Computation graphs the tests share: random ones for property tests, diamonds and long chains."""

from __future__ import annotations

from hypothesis import strategies as st

from autograd_mini import Value


@st.composite
def random_graphs(draw: st.DrawFn) -> Value:
    """A random DAG: each new node combines one or two earlier nodes, so reuse is common."""
    nodes = [Value(draw(st.floats(0.5, 2.0)), label=f"x{i}") for i in range(draw(st.integers(1, 4)))]
    for _ in range(draw(st.integers(0, 25))):
        a = nodes[draw(st.integers(0, len(nodes) - 1))]
        b = nodes[draw(st.integers(0, len(nodes) - 1))]
        op = draw(st.sampled_from(["+", "*", "tanh", "sin"]))
        nodes.append(a.apply(op, b) if op in "+*" else a.apply(op))
    return nodes[-1]


def diamonds(x: Value, count: int) -> Value:
    """``count`` diamonds on top of x: 2**count paths."""
    y = x
    for _ in range(count):
        y = y * 0.5 + y * 0.25
    return y


def chain_of(length: int) -> tuple[Value, Value]:
    """x and ``length`` sines above it: one path of ``length`` edges."""
    x = Value(0.5, label="x")
    y = x
    for _ in range(length):
        y = y.sin()
    return x, y
