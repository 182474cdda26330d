"""Random computation graphs for property tests (fan-out and shared interior nodes included)."""

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
