"""autograd_mini.micrograd against micrograd 0.1.0 itself: the same scripts on both, every number compared.

The scripts are micrograd's README example and demo, and the lecture "building micrograd"
(its manual backward, its constructor, its recursive graph walk and its training loop). Where
micrograd has no counterpart (tanh, exp), the numbers are checked against hand-worked values and
central differences instead.
"""

from __future__ import annotations

import gc
import math
import random
from collections.abc import Callable
from typing import Any

import pytest

import autograd_mini
from autograd_mini.micrograd import draw_dot
from autograd_mini.micrograd import engine as ours
from autograd_mini.micrograd import nn as ours_nn

micrograd_engine = pytest.importorskip("micrograd.engine")
micrograd_nn = pytest.importorskip("micrograd.nn")

SYSTEMS = {"micrograd": (micrograd_engine.Value, micrograd_nn), "autograd_mini": (ours.Value, ours_nn)}
TOLERANCE = 1e-9


def close(x: float, y: float) -> bool:
    return math.isclose(x, y, rel_tol=TOLERANCE, abs_tol=TOLERANCE)


# -- micrograd's README example --------------------------------------------------------------


def readme_example(Value: Any) -> dict[str, Any]:  # noqa: N803  # the class, named as the scripts name it
    """micrograd's README example, word for word."""
    a = Value(-4.0)
    b = Value(2.0)
    c = a + b
    d = a * b + b**3
    c += c + 1
    c += 1 + c + (-a)
    d += d * 2 + (b + a).relu()
    d += 3 * d + (b - a).relu()
    e = c - d
    f = e**2
    g = f / 2.0
    g += 10.0 / f
    g.backward()
    return {"a": a, "b": b, "g": g}


def test_the_readme_example_prints_the_readme_numbers() -> None:
    got = readme_example(ours.Value)
    printed = (f"{got['g'].data:.4f}", f"{got['a'].grad:.4f}", f"{got['b'].grad:.4f}")
    assert printed == ("24.7041", "138.8338", "645.5773")


def test_the_readme_example_matches_micrograd() -> None:
    theirs, mine = readme_example(micrograd_engine.Value), readme_example(ours.Value)
    assert close(mine["g"].data, theirs["g"].data)
    assert close(mine["a"].grad, theirs["a"].grad)
    assert close(mine["b"].grad, theirs["b"].grad)


def lecture_trace(root: Any) -> tuple[set[Any], set[tuple[Any, Any]]]:
    """The lecture's graph walk, recursive, reading ``_prev``, as a user writes it."""
    nodes: set[Any] = set()
    edges: set[tuple[Any, Any]] = set()

    def build(v: Any) -> None:
        if v not in nodes:
            nodes.add(v)
            for child in v._prev:
                edges.add((child, v))
                build(child)

    build(root)
    return nodes, edges


def test_the_readme_graph_read_through_prev_is_micrographs_node_for_node() -> None:
    """Same nodes, same ops as micrograd spells them, same data and grads, same edges."""
    graphs = [lecture_trace(readme_example(value_type)["g"]) for value_type in (micrograd_engine.Value, ours.Value)]
    (their_nodes, their_edges), (my_nodes, my_edges) = graphs
    assert len(my_nodes) == len(their_nodes)
    assert len(my_edges) == len(their_edges)

    def table(nodes: set[Any]) -> list[tuple[str, float, float]]:
        return sorted((v._op, round(v.data, 6), round(v.grad, 6)) for v in nodes)

    for mine, theirs in zip(table(my_nodes), table(their_nodes), strict=True):
        assert mine[0] == theirs[0]
        assert close(mine[1], theirs[1]) and close(mine[2], theirs[2])
    assert {v._op for v in my_nodes} == {"", "+", "*", "**3", "**2", "**-1", "ReLU"}


def test_backward_twice_adds_up_as_micrograds_does() -> None:
    """micrograd's backward seeds the root with 1 and adds into the rest: a second call is not 2x the gradient."""
    results = []
    for value_type in (micrograd_engine.Value, ours.Value):
        got = readme_example(value_type)
        once = got["a"].grad
        got["g"].backward()
        results.append((once, got["a"].grad, got["g"].grad))
    (_, their_twice, their_root), (my_once, my_twice, my_root) = results
    assert close(my_twice, their_twice) and my_root == their_root == 1
    assert not close(my_twice, 2 * my_once)  # what autograd_mini.Value.backward would give


def test_a_plus_a_has_one_child_as_in_micrograd() -> None:
    for value_type in (micrograd_engine.Value, ours.Value):
        a = value_type(3.0)
        b = a + a
        b.backward()
        assert len(b._prev) == 1 and a.grad == 2.0
    mine = ours.Value(3.0)
    assert len((mine + mine).parents) == 2  # the main API keeps both edges


# -- micrograd's demo: moons, MLP(2, [16, 16, 1]), max-margin loss, 100 steps of SGD -------------

DEMO_STEPS = 100


def demo_loss(Value: Any, model: Any, x: list[list[float]], y: list[float]) -> tuple[Any, float]:  # noqa: N803
    """The demo's ``loss()``, as written there (full batch)."""
    inputs = [list(map(Value, xrow)) for xrow in x]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    alpha = 1e-4
    reg_loss = alpha * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores, strict=True)]
    return total_loss, sum(accuracy) / len(accuracy)


def run_demo(system: str, x: list[list[float]], y: list[float]) -> dict[str, Any]:
    value_type, nn = SYSTEMS[system]
    random.seed(1337)
    model = nn.MLP(2, [16, 16, 1])
    start = [p.data for p in model.parameters()]
    losses, accuracies = [], []
    for k in range(DEMO_STEPS):
        total_loss, acc = demo_loss(value_type, model, x, y)
        model.zero_grad()
        total_loss.backward()
        learning_rate = 1.0 - 0.9 * k / 100
        for p in model.parameters():
            p.data -= learning_rate * p.grad
        losses.append(total_loss.data)
        accuracies.append(acc)
        del total_loss
        gc.collect()  # micrograd's closures make cycles: one collection a step, not hundreds
    return {"start": start, "losses": losses, "accuracies": accuracies, "end": [p.data for p in model.parameters()]}


@pytest.fixture(scope="module")
def demo() -> dict[str, dict[str, Any]]:
    """Both systems trained on the same 100 moons (sklearn's make_moons is not a dependency: ours, seeded)."""
    from autograd_mini.datasets import make_moons

    points, labels = make_moons(100, noise=0.1, seed=0)
    x, y = points.tolist(), (labels * 2 - 1).astype(float).tolist()
    enabled = gc.isenabled()
    gc.disable()
    try:
        return {system: run_demo(system, x, y) for system in SYSTEMS}
    finally:
        if enabled:
            gc.enable()


def test_the_demo_starts_from_micrograds_own_weights(demo: dict[str, dict[str, Any]]) -> None:
    assert demo["autograd_mini"]["start"] == demo["micrograd"]["start"]  # the same random draws, in order
    assert len(demo["micrograd"]["start"]) == 337


def test_the_demo_losses_and_accuracies_match_micrograd_at_every_step(demo: dict[str, dict[str, Any]]) -> None:
    mine, theirs = demo["autograd_mini"], demo["micrograd"]
    assert all(close(m, t) for m, t in zip(mine["losses"], theirs["losses"], strict=True))
    assert mine["accuracies"] == theirs["accuracies"]
    assert theirs["losses"][-1] < 0.1 * theirs["losses"][0] and theirs["accuracies"][-1] >= 0.95  # it did learn


def test_the_demo_final_weights_match_micrograd(demo: dict[str, dict[str, Any]]) -> None:
    mine, theirs = demo["autograd_mini"]["end"], demo["micrograd"]["end"]
    assert all(close(m, t) for m, t in zip(mine, theirs, strict=True))


# -- the lecture ---------------------------------------------------------------------------------


def lecture_expression(Value: Any) -> dict[str, Any]:  # noqa: N803
    """The lecture's first graph, L = (a*b + c) * f, with its labels, and its manual backward."""
    a = Value(2.0)
    b = Value(-3.0)
    c = Value(10.0)
    e = a * b
    d = e + c
    f = Value(-2.0)
    L = d * f  # noqa: N806  # the lecture's name
    for node, name in zip((a, b, c, d, e, f, L), "abcdefL", strict=True):
        node.label = name  # micrograd 0.1.0's constructor has no label; the lecture's has
    L.grad = 1.0
    for node in (L, d, e):  # the lecture's backward, one node at a time, output first
        node._backward()
    return {node.label: node for node in (a, b, c, d, e, f, L)}


def test_the_lectures_manual_backward_gives_the_hand_worked_grads_and_micrograds() -> None:
    mine, theirs = lecture_expression(ours.Value), lecture_expression(micrograd_engine.Value)
    # dL/dd = f = -2, dL/df = d = 4, dL/dc = dL/de = -2, dL/da = -2 * b = 6, dL/db = -2 * a = -4
    hand = {"L": 1.0, "d": -2.0, "f": 4.0, "c": -2.0, "e": -2.0, "a": 6.0, "b": -4.0}
    assert mine["L"].data == theirs["L"].data == -8.0
    assert {name: node.grad for name, node in mine.items()} == hand
    assert {name: node.grad for name, node in theirs.items()} == hand


def test_the_lectures_constructor() -> None:
    a = ours.Value(2.0, (), "", "a")
    assert (a.label, a._prev, a._op, a.data, a.grad) == ("a", set(), "", 2.0, 0.0)
    assert isinstance(a, autograd_mini.Value)
    b = ours.Value(3.0, label="b")
    by_hand = ours.Value(5.0, (a, b), "+")  # recorded, but a node made by hand pushes nothing back, as micrograd's
    by_hand.backward()
    assert by_hand._prev == {a, b} and by_hand._op == "+" and (a.grad, b.grad) == (0.0, 0.0)
    theirs = micrograd_engine.Value(5.0, (micrograd_engine.Value(2.0),), "+")
    theirs.backward()
    assert next(iter(theirs._prev)).grad == 0


def test_the_constructor_refuses_more_than_two_children() -> None:
    a = ours.Value(1.0)
    with pytest.raises(TypeError, match=r"_children must be at most two Values, got \(Value"):
        ours.Value(3.0, (a, a, a), "+")
    with pytest.raises(TypeError, match="_children must be at most two Values, got"):
        ours.Value(3.0, (1.0,), "+")


NEURON = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.8813735870195432}


def neuron(Value: Any, with_exp: bool) -> dict[str, Any]:  # noqa: N803
    """The lecture's neuron o = tanh(x1*w1 + x2*w2 + b), tanh as a node or spelled with exp."""
    v = {name: Value(number, label=name) for name, number in NEURON.items()}
    x1w1 = v["x1"] * v["w1"]
    x2w2 = v["x2"] * v["w2"]
    x1w1x2w2 = x1w1 + x2w2
    n = x1w1x2w2 + v["b"]
    if with_exp:
        e = (2 * n).exp()
        o = (e - 1) / (e + 1)
    else:
        o = n.tanh()
    return {**v, "o": o, "n": n, "steps": (o, n, x1w1x2w2, x2w2, x1w1)}


def central_difference(name: str, h: float = 1e-6) -> float:
    def f(shift: float) -> float:
        v = {**NEURON, name: NEURON[name] + shift}
        return math.tanh(v["x1"] * v["w1"] + v["x2"] * v["w2"] + v["b"])

    return (f(h) - f(-h)) / (2 * h)


HAND = {"x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}  # do/dn = 1 - tanh(n)**2 = 1/2; then * w, * x


def test_the_lectures_neuron_by_manual_backward() -> None:
    got = neuron(ours.Value, with_exp=False)
    got["o"].grad = 1.0
    for node in got["steps"]:
        node._backward()
    assert math.isclose(got["o"].data, 1 / math.sqrt(2), rel_tol=1e-12)
    for name, hand in HAND.items():
        assert math.isclose(got[name].grad, hand, abs_tol=1e-12), name
        assert math.isclose(got[name].grad, central_difference(name), abs_tol=1e-8), name


def test_the_lectures_neuron_spelled_with_exp_gives_the_same_grads() -> None:
    got = neuron(ours.Value, with_exp=True)
    got["o"].backward()
    assert math.isclose(got["o"].data, 1 / math.sqrt(2), rel_tol=1e-12)
    assert got["o"]._op == "*" and {child._op for child in got["o"]._prev} == {"+", "**-1"}
    for name, hand in HAND.items():
        assert math.isclose(got[name].grad, hand, abs_tol=1e-9), name


def test_the_lectures_build_topo_then_backward_by_hand_equals_backward() -> None:
    """The lecture's recursive build_topo over ``_prev``, then ``_backward`` in reverse, is ``backward()``."""
    by_hand, by_backward = neuron(ours.Value, with_exp=True), neuron(ours.Value, with_exp=True)
    topo: list[Any] = []
    visited: set[Any] = set()

    def build_topo(v: Any) -> None:
        if v not in visited:
            visited.add(v)
            for child in v._prev:
                build_topo(child)
            topo.append(v)

    build_topo(by_hand["o"])
    by_hand["o"].grad = 1.0
    for node in reversed(topo):
        node._backward()
    by_backward["o"].backward()
    assert [by_hand[name].grad for name in NEURON] == [by_backward[name].grad for name in NEURON]


def lecture_training(system: str, steps: int = 20) -> tuple[list[float], list[float]]:
    """The lecture's loop on its four examples, with micrograd's MLP (micrograd 0.1.0 has no tanh)."""
    _, nn = SYSTEMS[system]
    random.seed(1337)
    n = nn.MLP(3, [4, 4, 1])
    xs = [[2.0, 3.0, -1.0], [3.0, -1.0, 0.5], [0.5, 1.0, 1.0], [1.0, 1.0, -1.0]]
    ys = [1.0, -1.0, -1.0, 1.0]
    losses = []
    for _ in range(steps):
        ypred = [n(x) for x in xs]
        loss = sum((yout - ygt) ** 2 for ygt, yout in zip(ys, ypred, strict=True))
        for p in n.parameters():
            p.grad = 0.0
        loss.backward()
        for p in n.parameters():
            p.data += -0.05 * p.grad
        losses.append(loss.data)
    return losses, [p.data for p in n.parameters()]


def test_the_lectures_training_loop_matches_micrograd() -> None:
    my_losses, my_weights = lecture_training("autograd_mini")
    their_losses, their_weights = lecture_training("micrograd")
    assert all(close(m, t) for m, t in zip(my_losses, their_losses, strict=True))
    assert all(close(m, t) for m, t in zip(my_weights, their_weights, strict=True))
    assert my_losses[-1] < my_losses[0]


# -- nn --------------------------------------------------------------------------------------


def test_models_print_and_shape_as_micrographs_do() -> None:
    shown = []
    for _, nn in SYSTEMS.values():
        random.seed(0)
        model = nn.MLP(2, [3, 1])
        one = model([1.0, -2.0])
        shown.append((repr(model), repr(nn.Neuron(2, nonlin=False)), len(model.parameters()), type(one).__name__))
        assert len(nn.Layer(2, 3)([1.0, 2.0])) == 3  # a list for more than one neuron
    assert shown[0] == shown[1]


def test_zero_grad_and_the_module_base() -> None:
    model = ours_nn.MLP(2, [2, 1])
    out = model([1.0, 2.0])
    assert isinstance(out, ours.Value)
    out.backward()
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())
    assert ours_nn.Module().parameters() == []


def test_a_neuron_refuses_inputs_of_the_wrong_length() -> None:
    with pytest.raises(ValueError, match="x must hold 2 inputs, got 3"):
        ours_nn.Neuron(2)([1.0, 2.0, 3.0])


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: ours_nn.MLP(2, 3), TypeError, "nouts must be a list of layer sizes, got int: 3"),
        (lambda: ours_nn.MLP(2, []), ValueError, r"nouts must be a list of layer sizes, got \[\]"),
        (lambda: ours_nn.Layer(2, 0), ValueError, "nout must be an int >= 1, got 0"),
        (lambda: ours_nn.Neuron(2.5), TypeError, "nin must be an int >= 1, got float: 2.5"),
    ],
)
def test_model_arguments_are_checked_by_name(make: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


# -- the operators where micrograd has none -------------------------------------------------------


def test_no_comparisons_as_in_micrograd() -> None:
    for value_type in (micrograd_engine.Value, ours.Value):
        a, b = value_type(1.0), value_type(2.0)
        with pytest.raises(TypeError):
            a < b  # noqa: B015
        assert (a == 1.0, a == a, a != b) == (False, True, True)  # == is identity


def test_powers_take_numbers_only_as_in_micrograd() -> None:
    a = ours.Value(2.0)
    with pytest.raises(TypeError, match="exponent must be a real number, got Value"):
        a ** ours.Value(2.0)
    with pytest.raises(TypeError):
        2**a  # type: ignore[operator]
    with pytest.raises(AssertionError):
        micrograd_engine.Value(2.0) ** micrograd_engine.Value(2.0)


def test_every_result_is_a_micrograd_value_and_an_autograd_mini_value() -> None:
    a = ours.Value(0.5)
    results = [a + 1, 1 + a, a - 1, 1 - a, a * 2, 2 * a, a / 2, 2 / a, -a, a**2, a.relu(), a.tanh(), a.exp()]
    results += [a.log(), a.sqrt(), a.sigmoid(), a.sin(), a.cos(), abs(a)]
    for result in results:
        assert type(result) is ours.Value
        assert all(type(child) is ours.Value for child in result._prev)
    assert repr(a * 2) == "Value(data=1.0, grad=0.0)"


# -- the package's tools take these Values ----------------------------------------------------


def test_draw_and_draw_dot() -> None:
    L = lecture_expression(ours.Value)["L"]  # noqa: N806
    source = autograd_mini.draw(L).source
    assert all(f"<B>{name}</B>" in source or name in source for name in "abcdefL")
    dot = draw_dot(L, format="png", rankdir="TB")
    assert dot.format == "png" and "rankdir=TB" in dot.source and "rankdir=TB" not in draw_dot(L).source
    assert draw_dot(L).format == "svg"


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rankdir": "RL"}, ValueError, "rankdir must be one of 'LR', 'TB', got 'RL'"),
        ({"format": "nope"}, ValueError, "format must be one of Graphviz's formats"),
        ({"format": 3}, TypeError, "format must be a str, got int: 3"),
        ({"root": 3.0}, TypeError, "root must be a Value, got float: 3.0"),
    ],
)
def test_draw_dot_checks_its_arguments_by_name(kwargs: dict[str, Any], error: type[Exception], message: str) -> None:
    arguments = {"root": ours.Value(1.0) * 2, **kwargs}
    with pytest.raises(error, match=message):
        draw_dot(**arguments)


def test_explain_and_backward_page() -> None:
    got = lecture_expression(ours.Value)
    assert "backward gives dL/da = 6" in autograd_mini.explain(got["L"], got["a"])
    assert "<svg" in autograd_mini.backward_page(got["L"]).html


def test_trace_of_a_micrograd_model_equals_the_eager_model() -> None:
    import numpy as np

    random.seed(1337)
    model = ours_nn.MLP(2, [4, 1])
    program = autograd_mini.trace(lambda x: model(x), [0.5, -1.0])
    batch = np.array([[0.5, -1.0], [1.0, 2.0], [-0.3, 0.7]])
    eager = []
    for row in batch.tolist():
        out = model(row)
        out.backward()  # grads add up over the rows: the sum the program's backward gives
        eager.append(out.data)
    eager_grads = [p.grad for p in model.parameters()]
    assert np.allclose(program(batch), eager, rtol=1e-12, atol=1e-12)
    model.zero_grad()
    program.backward(batch, reduction="sum")
    assert np.allclose([p.grad for p in model.parameters()], eager_grads, rtol=1e-12, atol=1e-12)
