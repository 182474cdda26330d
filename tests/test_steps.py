"""Steps of the backward pass: they must agree exactly with backward(). (The names they use: test_names.py.)"""

from __future__ import annotations

from graphs import random_graphs
from hypothesis import given, settings

from autograd_mini import Value, topological_order
from autograd_mini.steps import trace_backward


@settings(max_examples=150, deadline=None)
@given(root=random_graphs())
def test_steps_end_with_exactly_the_gradients_backward_computes(root: Value) -> None:
    steps = trace_backward(root)
    nodes = topological_order(root)
    assert all(node.grad == 0.0 for node in nodes), "tracing touches no .grad"
    root.backward()
    assert [step.node for step in steps] == list(reversed(nodes))
    for step in steps:
        assert step.upstream == step.node.grad  # exact: the same additions in the same order


@settings(max_examples=100, deadline=None)
@given(root=random_graphs())
def test_each_running_sum_adds_the_contribution_to_the_previous_sum(root: Value) -> None:
    finalized: set[Value] = set()
    for step in trace_backward(root):
        finalized.add(step.node)
        for edge in step.edges:
            assert edge.parent not in finalized, "a parent's gradient is final only after all consumers"
            assert edge.contribution == step.upstream * edge.local_grad
            expected = edge.contribution if edge.is_first else edge.previous + edge.contribution
            assert edge.total == expected


@settings(max_examples=100, deadline=None)
@given(root=random_graphs())
def test_a_sum_is_final_exactly_at_its_last_contribution(root: Value) -> None:
    steps = trace_backward(root)
    root.backward()
    arrivals: dict[Value, list[int]] = {}
    for step in steps:
        for edge in step.edges:
            arrivals.setdefault(edge.parent, []).append(edge.arrival)
            assert edge.uses == sum(node.parents.count(edge.parent) for node in topological_order(root))
            assert edge.is_final == (edge.arrival == edge.uses)
            if edge.is_final:  # the running sum is now the gradient backward computes, exactly
                assert edge.total == edge.parent.grad
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in arrivals.values())


def test_fan_out_caption_shows_where_paths_meet() -> None:
    # d = a*a + a: dd/da = 1 + a + a = 5 at a = 2, reached by three edges
    a = Value(2.0, label="a")
    sq = a * a
    sq.label = "s"
    d = sq + a
    d.label = "d"
    steps = trace_backward(d)
    assert steps[0].caption().splitlines() == [
        "dd/dd = 1",
        "dd/ds = dd/dd · ∂d/∂s = 1 · 1 = 1",
        "dd/da = dd/dd · ∂d/∂a = 1 · 1 = 1 (partial, 1 of 3)",
    ]
    assert steps[1].caption().splitlines() == [
        "dd/da += dd/ds · ∂s/∂a = 1 · 2 = 2; sum 1 + 2 = 3 (partial, 2 of 3)",
        "dd/da += dd/ds · ∂s/∂a = 1 · 2 = 2; sum 3 + 2 = 5 (final, 3 of 3)",
    ]
    assert steps[2].node is a and steps[2].upstream == 5.0
    assert steps[2].caption() == "dd/da = 5 (an input: nothing further back)"


def test_unlabelled_nodes_get_names_in_reading_order() -> None:
    x = Value(3.0, label="x")
    y = (x * x).tanh()
    names = trace_backward(y)[0].names
    assert (names[x], names[y.parents[0]], names[y]) == ("x", "n1", "n2")


def test_captions_call_a_constant_by_its_number_never_a_node_name() -> None:
    x = Value(1.5, label="x")
    y = x**2 * x.sin()
    y.label = "f"
    captions = "\n".join(step.caption() for step in trace_backward(y))
    assert "df/d2 = df/dn1 · ∂n1/∂2" in captions  # the names of names.node_names (test_names.py)
    assert not any(name in captions for name in ("n3", "const"))
