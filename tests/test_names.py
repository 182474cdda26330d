"""names: one name for every node, the one captions, drawings, explanations and the command line use.

Labels as given; n1, n2, ... for computed values in reading order, without gaps; a constant by its
number, 2' and then 2#3 where it repeats; leaf1, ... for unlabelled leaves. Naming is linear in the
graph, names stay short, and every automatic name has a formula that defines it.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from graphs import random_graphs
from hypothesis import given, settings

from autograd_mini import Value, topological_order
from autograd_mini.names import constant_name, definitions, formula, is_automatic, node_names, reading_order


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


def test_a_negative_constant_reads_as_one_symbol() -> None:
    x = Value(1.0, label="x")
    y = x * -3
    assert node_names(y)[y.parents[1]] == "(-3)"


def test_a_repeated_constant_is_primed_so_captions_tell_the_two_apart() -> None:
    x, y = Value(1.0, label="x"), Value(3.0, label="y")
    root = x * 2 + y * 2
    names = node_names(root)
    assert (names[root.parents[0].parents[1]], names[root.parents[1].parents[1]]) == ("2", "2'")
    longer = x * 2 + y * 2 + x * 2 + y * 2  # the third and fourth 2 get a number, not more primes
    names = node_names(longer)
    assert [names[node] for node in reading_order(longer) if node.op == "const"] == ["2", "2'", "2#3", "2#4"]


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


# -- reading order and constant names ------------------------------------------------------------


def test_reading_order_reads_the_expression_left_to_right() -> None:
    order = reading_order(demo_neuron())
    assert [node.label or node.op for node in order] == ["x1", "w1", "*", "x2", "w2", "*", "+", "b", "+", "tanh"]


@settings(max_examples=50, deadline=None)
@given(root=random_graphs())
def test_reading_order_holds_every_node_once_each_after_its_parents(root: Value) -> None:
    order = reading_order(root)
    assert len(order) == len(set(order)) and set(order) == set(topological_order(root))
    position = {node: i for i, node in enumerate(order)}
    assert all(position[parent] < position[node] for node in order for parent in node.parents)
    assert order[-1] is root


def test_constant_name_is_the_number_a_negative_one_in_parentheses() -> None:
    x = Value(1.0, label="x")
    numbers = [(x * number).parents[1] for number in (2, 0.25, -3, -0.5)]
    assert [constant_name(node) for node in numbers] == ["2", "0.25", "(-3)", "(-0.5)"]
    assert [is_automatic(node) for node in (x, x * 2, numbers[0], Value(1.0))] == [False, True, False, True]


# -- linear naming ---------------------------------------------------------------------------------


def test_a_long_chain_of_one_constant_gets_short_distinct_names_of_linear_total_length() -> None:
    # Primes piled up before: the k-th 1.0 was 1 followed by k - 1 primes, k²/2 characters in all.
    x = Value(1.0, label="x")
    y = x
    for _ in range(20_000):
        y = y * 1.0
    names = node_names(y)
    constants = [name for node, name in names.items() if node.op == "const"]
    assert len(constants) == len(set(constants)) == 20_000
    assert constants[:4] == ["1", "1'", "1#3", "1#4"] and constants[-1] == "1#20000"
    assert max(len(name) for name in constants) <= 7
    nodes = len(topological_order(y))
    assert nodes == len(names) == 1 + 2 * 20_000
    assert max(len(name) for name in names.values()) <= 7  # n20000 too
    assert sum(len(name) for name in names.values()) < 20 * nodes


# -- formulas and definitions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("make", "expected"),
    [
        (lambda x, y: x + y, "x + y"),
        (lambda x, y: x - y, "x - y"),
        (lambda x, y: x * y, "x·y"),
        (lambda x, y: x / y, "x / y"),
        (lambda x, y: x**y, "x**y"),
        (lambda x, y: -x, "-x"),
        (lambda x, y: abs(x), "|x|"),
        (lambda x, y: x.tanh(), "tanh(x)"),
        (lambda x, y: x**2, "x**2"),  # a constant by its number
        (lambda x, y: 2 - x * y, "2 - n1"),  # a computed parent by its automatic name
        (lambda x, y: -(x * y), "-n1"),
        (lambda x, y: (x * y).tanh(), "tanh(n1)"),
    ],
    ids=["+", "-", "*", "/", "**", "neg", "abs", "tanh", "**const", "const-n1", "neg-n1", "tanh-n1"],
)
def test_formula_writes_each_op_with_its_parents_names(make: Callable[[Value, Value], Value], expected: str) -> None:
    x, y = Value(3.0, label="x"), Value(2.0, label="y")
    node = make(x, y)
    assert formula(node, node_names(node)) == expected


def test_formula_of_a_leaf_is_its_number() -> None:
    x = Value(-1.5, label="x")
    y = x * 0.25
    names = node_names(y)
    assert (formula(x, names), formula(y.parents[1], names), formula(Value(2.0), {})) == ("-1.5", "0.25", "2")


def test_definitions_define_each_automatic_name_once_where_it_first_appears() -> None:
    x, leaf = Value(3.0, label="x"), Value(2.0)
    a = x * x  # n1
    b = a * leaf  # n2 = n1·leaf1
    c = a + b  # n3
    root = (c * 2).tanh()  # n4 = n3·2, n5 = tanh(n4)
    names = node_names(root)
    two = root.parents[0].parents[1]
    assert [names[node] for node in (a, b, c, root.parents[0], root, leaf)] == ["n1", "n2", "n3", "n4", "n5", "leaf1"]
    # the nodes each line of a text names, a shared ``known`` across the lines
    known: set[Value] = set()
    lines = [definitions(group, names, known) for group in ([root, c], [c, a, x], [b, leaf, a, two, b], [root])]
    assert lines == [
        ["n5 = tanh(n4)", "n3 = n1 + n2"],
        ["n1 = x·x"],  # c was defined on the line before; x is a label
        ["n2 = n1·leaf1", "leaf1 = 2 (a Value without a label)"],  # the constant 2 is its own definition
        [],
    ]
    defined = [line.split(" = ")[0] for group in lines for line in group]
    assert len(defined) == len(set(defined)) == 5
    assert known == {root, c, a, b, leaf}  # n4 was never named, so never defined
    # without a shared set, one call defines each node once however often it is passed
    assert definitions([a, a, x, a], names) == ["n1 = x·x"]
    everything = definitions(reading_order(root), names)
    assert [line.split(" = ")[0] for line in everything] == ["n1", "leaf1", "n2", "n3", "n4", "n5"]
    assert all(is_automatic(node) for node in known) and not is_automatic(two)
