"""Steps of the backward pass: they must agree exactly with backward()."""

from __future__ import annotations

from graphs import random_graphs
from hypothesis import given, settings

from autograd_mini import Value, topological_order
from autograd_mini.steps import node_names, trace_backward


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


def demo_neuron() -> Value:
    """The demo's tanh(x1*w1 + x2*w2 + b), nothing computed labelled."""
    numbers = [("x1", 2), ("w1", -3), ("x2", 0), ("w2", 1), ("b", 6.88)]
    leaves = {name: Value(data, label=name) for name, data in numbers}
    x1, w1, x2, w2, b = leaves.values()
    return (x1 * w1 + x2 * w2 + b).tanh()


def test_names_follow_reading_order_without_gaps_for_the_demo_neuron() -> None:
    root = demo_neuron()
    n4 = root.parents[0]
    n3, _b = n4.parents
    n1, n2 = n3.parents
    names = node_names(root)
    assert [names[node] for node in (n1, n2, n3, n4, root)] == ["n1", "n2", "n3", "n4", "n5"]
    automatic = sorted(name for name in names.values() if name.startswith("n"))
    assert automatic == [f"n{k}" for k in range(1, 6)]  # no gaps


def test_every_graph_numbers_its_computed_nodes_from_one_without_gaps() -> None:
    a = Value(1.0, label="a")
    root = ((a * 2).exp() + (a - 1).sin() * a).relu()
    names = node_names(root)
    computed = [names[node] for node in topological_order(root) if node.parents]
    assert sorted(computed, key=lambda name: int(name[1:])) == [f"n{k}" for k in range(1, len(computed) + 1)]


def test_a_constant_is_called_by_its_number_never_a_node_name() -> None:
    x = Value(1.5, label="x")
    y = x**2 * x.sin()
    y.label = "f"
    square = y.parents[0]
    two = square.parents[1]
    assert two.op == "const"
    names = node_names(y)
    assert names[two] == "2" and names[square] == "n1" and names[y.parents[1]] == "n2"
    captions = "\n".join(step.caption() for step in trace_backward(y))
    assert "df/d2 = df/dn1 · ∂n1/∂2" in captions
    assert not any(name in captions for name in ("n3", "const"))


def test_a_negative_constant_reads_as_one_symbol() -> None:
    x = Value(1.0, label="x")
    y = x * -3
    assert node_names(y)[y.parents[1]] == "(-3)"


def test_a_repeated_constant_is_primed_so_captions_tell_the_two_apart() -> None:
    x, y = Value(1.0, label="x"), Value(3.0, label="y")
    root = x * 2 + y * 2
    names = node_names(root)
    assert (names[root.parents[0].parents[1]], names[root.parents[1].parents[1]]) == ("2", "2'")


def test_unlabelled_leaves_are_numbered_apart_from_computed_nodes() -> None:
    a, b = Value(1.0), Value(2.0)
    y = a * b
    names = node_names(y)
    assert (names[a], names[b], names[y]) == ("leaf1", "leaf2", "n1")


def test_automatic_names_never_take_a_label_already_in_the_graph() -> None:
    x = Value(1.0, label="n1")  # a user's label that looks like an automatic name
    y = x * 2  # the first computed node: its automatic name would be n1
    names = node_names(y)
    assert names[x] == "n1"
    assert names[y] == "n1'"
    assert len(set(names.values())) == 3
