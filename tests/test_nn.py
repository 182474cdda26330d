"""nn: parameter bookkeeping, forward against numpy, gradients against central differences,
sensitivities against the textbook recurrence, bad input and state dicts (JSON files: test_serialize.py)."""

from __future__ import annotations

import gc
import itertools
import math
import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from differences import central_difference
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import MLP, Layer, Neuron, Value, topological_order
from autograd_mini.losses import sse

# -- independent references: numpy formulas for the activations and their slopes -----------

NUMPY_ACTIVATIONS: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": np.tanh,
    "sigmoid": lambda p: 1.0 / (1.0 + np.exp(-p)),
    "relu": lambda p: np.maximum(p, 0.0),
    "linear": lambda p: p,
}
SLOPES: dict[str, Callable[[np.ndarray], np.ndarray]] = {
    "tanh": lambda p: 1.0 - np.tanh(p) ** 2,
    "sigmoid": lambda p: np.exp(-p) / (1.0 + np.exp(-p)) ** 2,
    "relu": lambda p: (p > 0).astype(float),
    "linear": np.ones_like,
}


def weight_matrices(model: MLP) -> list[tuple[np.ndarray, np.ndarray]]:
    """Each layer as (W with one row per neuron, b), read from the Values."""
    return [
        (
            np.array([[w.data for w in n.w] for n in layer.neurons]),
            np.array([n.b.data if n.b is not None else 0.0 for n in layer.neurons]),
        )
        for layer in model.layers
    ]


def numpy_forward(model: MLP, x: list[float]) -> np.ndarray:
    a = np.array(x)
    for layer, (w, b) in zip(model.layers, weight_matrices(model), strict=True):
        a = NUMPY_ACTIVATIONS[layer.activation](w @ a + b)
    return a


def slope(f: Callable[[], float], param: Value, h: float = 1e-6) -> float:
    """d f() / d param by central differences: f is run with param's number moved, then it is put back."""
    original = param.data

    def moved(t: float) -> float:
        param.data = t
        try:
            return f()
        finally:
            param.data = original

    return central_difference(moved, original, h)


# -- parameters ------------------------------------------------------------------------


def test_the_seed_network_has_144_weights() -> None:
    assert len(MLP(10, [4, 6, 8, 4], bias=False, seed=0).parameters()) == 10 * 4 + 4 * 6 + 6 * 8 + 8 * 4 == 144


def test_micrograd_demo_network_has_337_parameters() -> None:
    assert len(MLP(2, [16, 16, 1], seed=0).parameters()) == (2 + 1) * 16 + (16 + 1) * 16 + (16 + 1) * 1 == 337


@settings(max_examples=25, deadline=None)
@given(nin=st.integers(1, 5), nouts=st.lists(st.integers(1, 5), min_size=1, max_size=4), bias=st.booleans())
def test_parameter_count_matches_the_formula(nin: int, nouts: list[int], bias: bool) -> None:
    sizes = [nin, *nouts]
    expected = sum((a + bias) * b for a, b in itertools.pairwise(sizes))
    model = MLP(nin, nouts, bias=bias, seed=0)
    assert len(model.parameters()) == expected
    assert len({id(p) for p in model.parameters()}) == expected  # no Value listed twice


def test_names_and_order_are_layer_neuron_weights_then_bias() -> None:
    model = MLP(2, [3, 1], seed=0)
    named = model.named_parameters()
    assert [name for name, _ in named[:4]] == [
        "layers.0.neurons.0.w.0",
        "layers.0.neurons.0.w.1",
        "layers.0.neurons.0.b",
        "layers.0.neurons.1.w.0",
    ]
    assert named[-1][0] == "layers.1.neurons.0.b"
    assert [p for _, p in named] == model.parameters()
    neuron = model.layers[0].neurons[2]
    assert model.parameters()[6:9] == [*neuron.w, neuron.b]
    assert all(p.label == name for name, p in named)  # drawings show the names


def test_same_seed_same_model_other_seed_other_model() -> None:
    assert MLP(3, [4, 2], seed=7).state_dict() == MLP(3, [4, 2], seed=7).state_dict()
    assert MLP(3, [4, 2], seed=7).state_dict() != MLP(3, [4, 2], seed=8).state_dict()
    assert MLP(3, [4, 2]).state_dict() != MLP(3, [4, 2]).state_dict()  # seed=None: fresh draws
    shared = random.Random(1)
    assert Neuron(3, seed=shared).state_dict() != Neuron(3, seed=shared).state_dict()


def test_initial_weights_are_uniform_within_one_over_root_nin() -> None:
    model = MLP(16, [25, 4], seed=0)
    for layer in model.layers:
        values = [p.data for p in layer.parameters()]
        bound = 1 / math.sqrt(layer.nin)
        assert all(-bound <= v <= bound for v in values)
        assert max(values) > 0.8 * bound and min(values) < -0.8 * bound  # spread over the range


def test_zero_grad_resets_every_parameter() -> None:
    model = MLP(2, [3, 1], seed=0)
    model([1.0, 2.0])[0].backward()
    assert any(p.grad != 0.0 for p in model.parameters())
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


def test_reprs_show_sizes() -> None:
    assert repr(MLP(10, [4, 6, 8, 4], bias=False, seed=0)) == (
        "MLP(10 -> 4 tanh -> 6 tanh -> 8 tanh -> 4 linear, no bias, 144 parameters)"
    )
    assert repr(Layer(3, 2, activation="relu", seed=0)) == "Layer(3 -> 2, relu, bias, 8 parameters)"
    assert repr(Neuron(4, activation="sigmoid", bias=False, seed=0)) == "Neuron(4 inputs, sigmoid, no bias)"


# -- forward ---------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu", "linear"])
def test_forward_matches_numpy(activation: str) -> None:
    model = MLP(3, [5, 4, 2], activation=activation, output_activation="sigmoid", seed=3)
    x = [0.5, -1.5, 2.0]
    got = [o.data for o in model(x)]
    assert got == pytest.approx(numpy_forward(model, x), rel=1e-12, abs=1e-15)


def test_neuron_computes_bias_plus_weighted_sum_by_hand() -> None:
    neuron = Neuron(2, activation="tanh", seed=0)
    neuron.w[0].data, neuron.w[1].data = 0.5, -0.25
    assert neuron.b is not None
    neuron.b.data = 0.1
    assert neuron([2.0, 4.0]).data == pytest.approx(math.tanh(0.1 + 1.0 - 1.0))


def test_calls_return_lists_also_for_one_output() -> None:
    assert isinstance(MLP(2, [1], seed=0)([1.0, 2.0]), list)
    assert isinstance(Layer(2, 1, seed=0)([1.0, 2.0]), list)
    assert len(MLP(2, [3, 1], seed=0)((1.0, 2.0))) == 1


def test_inputs_may_be_tuples_numpy_arrays_or_values() -> None:
    model = MLP(2, [3, 2], seed=0)
    expected = [o.data for o in model([0.25, -0.75])]
    for x in ((0.25, -0.75), np.array([0.25, -0.75]), np.array([0.25, -0.75], dtype=np.float32)):
        assert [o.data for o in model(x)] == pytest.approx(expected)
    inputs = [Value(0.25), Value(-0.75)]
    out = model(inputs)
    assert [o.data for o in out] == pytest.approx(expected)
    out[0].backward()  # the inputs are part of the graph: d out / d x by central differences
    for x in inputs:
        assert x.grad == pytest.approx(slope(lambda: model(inputs)[0].data, x), abs=1e-7)


def test_neuron_builds_the_same_nodes_as_micrograds_sum() -> None:
    """Start from the bias, then one ``+ w_i*x_i`` at a time: nothing else, so no overhead in nodes."""
    neuron = Neuron(3, activation="relu", seed=0)
    x = [1.0, 2.0, 3.0]
    assert neuron.b is not None
    leaves = [Value(xi) for xi in x]  # the neuron wraps each number as an input leaf
    by_hand = sum((wi * xi for wi, xi in zip(neuron.w, leaves, strict=True)), neuron.b).relu()
    ours = neuron(x)
    assert [n.op for n in topological_order(ours)] == [n.op for n in topological_order(by_hand)]
    assert ours.data == by_hand.data
    no_bias = Neuron(3, activation="linear", bias=False, seed=0)
    assert len(topological_order(no_bias(x))) == 3 + 3 + 3 + 2  # weights, inputs, products, two sums


MODELS_OF_TWO_INPUTS = [lambda: MLP(2, [3, 1], seed=0), lambda: Layer(2, 3, seed=0), lambda: Neuron(2, seed=0)]


@pytest.mark.parametrize("make", MODELS_OF_TWO_INPUTS)
def test_numbers_are_wrapped_once_per_call_as_leaves_named_x_i(make: Callable[[], Any]) -> None:
    model = make()
    out = model([0.5, -1.0])
    root = out if isinstance(out, Value) else out[0]
    inputs = [n for n in topological_order(root) if n.label.startswith("x[")]
    assert sorted(n.label for n in inputs) == ["x[0]", "x[1]"]  # one leaf per input, shared by every neuron
    assert not any(n.op == "const" for n in topological_order(root))


def test_values_passed_in_are_used_as_they_are() -> None:
    x = [Value(0.5, label="a"), Value(-1.0)]
    (out,) = MLP(2, [3, 1], seed=0)(x)
    leaves = {n for n in topological_order(out) if not n.parents}
    assert x[0] in leaves and x[1] in leaves and x[0].label == "a" and x[1].label == ""


def test_an_input_gradient_sums_what_every_neuron_sends_back() -> None:
    model = MLP(2, [3, 1], seed=0)
    (out,) = model([0.5, -1.0])
    out.backward()
    x0 = next(n for n in topological_order(out) if n.label == "x[0]")
    assert x0.grad == pytest.approx(central_difference(lambda t: model([t, -1.0])[0].data, 0.5), abs=1e-7)


def test_the_forward_makes_no_reference_cycles() -> None:
    """The forward pauses the cyclic collector: only harmless because reference counting frees the graph."""
    model = MLP(2, [3, 1], seed=0)
    gc.collect()
    gc.disable()
    try:
        for x in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]):
            model(x)[0].backward()  # each call drops the previous graph (the layers keep only the last)
        unreachable_cycles = gc.collect()
    finally:
        gc.enable()
    assert unreachable_cycles == 0


# -- gradients -------------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_parameter_gradients_match_central_differences(activation: str) -> None:
    model = MLP(3, [4, 3, 2], activation=activation, seed=11)
    x, target = [0.3, -0.7, 1.1], [0.5, -0.5]
    loss = sse(model(x), target)
    loss.backward()
    f = lambda: sse(model(x), target).data
    for name, param in model.named_parameters():
        assert param.grad == pytest.approx(slope(f, param), rel=1e-5, abs=1e-8), name


def test_a_100_layer_sigmoid_network_runs_forward_and_backward() -> None:
    model = MLP(2, [2] * 99 + [1], activation="sigmoid", seed=0)
    assert len(model.layers) == 100
    (out,) = model([0.5, -0.5])
    out.backward()
    grads = [p.grad for p in model.parameters()]
    assert all(isinstance(g, float) and math.isfinite(g) for g in grads)
    last = model.layers[-1].neurons[0]
    assert last.b is not None and last.b.grad == 1.0  # linear output: d out / d b = 1
    first = model.parameters()[0]
    assert first.grad == pytest.approx(slope(lambda: model([0.5, -0.5])[0].data, first, h=1e-3), rel=1e-3)


# -- sensitivities ---------------------------------------------------------------------


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_sensitivities_follow_the_backprop_recurrence(activation: str) -> None:
    """delta_p = A'(sum_p) * sum_j w_pj delta_j, with A' from numpy and w_pj the weight from p to j."""
    model = MLP(4, [5, 6, 3], activation=activation, seed=5)
    x, target = [0.2, -0.4, 0.9, -1.3], [1.0, 0.0, -1.0]
    outputs = model(x)
    sse(outputs, target).backward()
    # At the linear output layer, delta = d sse / d o = 2(o - t).
    out_layer = model.layers[-1]
    expected_out = 2 * (np.array([o.data for o in outputs]) - np.array(target))
    assert out_layer.sensitivities() == pytest.approx(expected_out, rel=1e-12)
    for lower, upper in zip(model.layers, model.layers[1:], strict=False):
        sums = np.array([s.data for s in lower.last_sums])
        w_upper = np.array([[w.data for w in n.w] for n in upper.neurons])  # row j: weights into neuron j
        expected = SLOPES[activation](sums) * (w_upper.T @ np.array(upper.sensitivities()))
        assert lower.sensitivities() == pytest.approx(expected, rel=1e-10, abs=1e-14)


def test_weight_gradient_is_sensitivity_times_input() -> None:
    """dL/dw_ji = delta_j * a_i: the sensitivities give every weight's gradient."""
    model = MLP(3, [4, 2], seed=2)
    x = [1.0, -2.0, 0.5]
    sse(model(x), [0.0, 1.0]).backward()
    hidden = [math.tanh(s.data) for s in model.layers[0].last_sums]
    for j, neuron in enumerate(model.layers[1].neurons):
        delta = model.layers[1].sensitivities()[j]
        assert [w.grad for w in neuron.w] == pytest.approx([delta * a for a in hidden], rel=1e-12)


def test_sensitivities_of_a_layer_never_called_raise() -> None:
    with pytest.raises(RuntimeError, match="no sensitivities yet"):
        Layer(2, 2, seed=0).sensitivities()


def test_output_list_can_be_changed_without_touching_the_kept_sums() -> None:
    layer = Layer(1, 2, activation="linear", seed=0)
    outs = layer([1.0])
    outs.clear()
    assert len(layer.last_sums) == 2


# -- bad input -------------------------------------------------------------------------


def test_wrong_number_of_inputs() -> None:
    model = MLP(3, [2], seed=0)
    with pytest.raises(ValueError, match=r"expects 3 inputs, got 2"):
        model([1.0, 2.0])
    with pytest.raises(ValueError, match=r"expects 2 inputs, got 3"):
        Neuron(2, seed=0)([1.0, 2.0, 3.0])
    with pytest.raises(ValueError, match=r"expects 3 inputs, got \(1, 3\)"):
        model(np.ones((1, 3)))
    with pytest.raises(TypeError, match="expects a list, tuple or 1-D numpy array of 3 numbers or Values, got float"):
        model(1.0)
    with pytest.raises(TypeError, match="got generator"):
        model(x for x in (1.0, 2.0, 3.0))
    with pytest.raises(TypeError, match="real number"):
        model(["a", "b", "c"])


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: MLP(2, [3], activation="softmax"), ValueError, "activation must be one of 'tanh', .*, got 'softmax'"),
        (lambda: MLP(2, [3], output_activation="Tanh"), ValueError, "activation must be one of .*, got 'Tanh'"),
        (lambda: Neuron(2, activation=None), ValueError, "activation must be one of .*, got None"),  # type: ignore[arg-type]
        (lambda: MLP(0, [3]), ValueError, "MLP nin must be an int >= 1, got 0"),
        (lambda: MLP(2, []), ValueError, "at least one layer size"),
        (lambda: MLP(2, [3, 0]), ValueError, r"MLP layer size nouts\[1\] must be an int >= 1, got 0"),
        (lambda: MLP(2, [3, -1]), ValueError, "got -1"),
        (lambda: MLP(2, [2.5]), TypeError, "nouts.0. must be an int >= 1, got float: 2.5"),  # type: ignore[list-item]
        (lambda: MLP(2, 3), TypeError, "nouts must be a list of layer sizes, got int"),  # type: ignore[arg-type]
        (lambda: MLP(True, [3]), TypeError, "nin must be an int >= 1, got bool"),
        (lambda: Layer(2, 0), ValueError, "Layer nout must be an int >= 1, got 0"),
        (lambda: Neuron(-1), ValueError, "Neuron nin must be an int >= 1, got -1"),
        (lambda: MLP(2, [3], bias="yes"), TypeError, "bias must be True or False, got str"),  # type: ignore[arg-type]
        (lambda: MLP(2, [3], seed="abc"), TypeError, "seed must be an int, a random.Random or None"),  # type: ignore[arg-type]
    ],
)
def test_bad_constructor_arguments(make: Callable[[], object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        make()


# -- state dicts -----------------------------------------------------------------------


def test_state_dict_round_trip_copies_the_model() -> None:
    a, b = MLP(2, [3, 1], seed=0), MLP(2, [3, 1], seed=1)
    b.load_state_dict(a.state_dict())
    assert b([0.3, 0.4])[0].data == a([0.3, 0.4])[0].data
    state = a.state_dict()
    state["layers.0.neurons.0.w.0"] = 123.0
    assert a.state_dict()["layers.0.neurons.0.w.0"] != 123.0  # a copy, not a view


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        (lambda s: s.pop("layers.1.neurons.0.b"), ValueError, "missing 'layers.1.neurons.0.b'"),
        (lambda s: s.update(extra=1.0), ValueError, "unexpected 'extra'"),
        (lambda s: s.update({"layers.0.neurons.0.b": "0.5"}), TypeError, "'layers.0.neurons.0.b' must be a finite"),
        (lambda s: s.update({"layers.0.neurons.2.b": math.nan}), ValueError, "finite number, got nan"),
        (lambda s: s.update({"layers.0.neurons.2.b": math.inf}), ValueError, "finite number, got inf"),
        (lambda s: s.update({"layers.0.neurons.2.b": True}), TypeError, "finite number, got bool: True"),
        (lambda s: s.update({"layers.0.neurons.2.b": 10**400}), ValueError, "finite number, got 1000000"),
    ],
)
def test_bad_state_dict_leaves_the_model_unchanged(
    change: Callable[[dict[str, object]], object], error: type[Exception], message: str
) -> None:
    model = MLP(2, [3, 1], seed=0)
    before = model.state_dict()
    state: dict[str, object] = {name: 9.0 for name in before}  # every other entry valid and different
    change(state)
    with pytest.raises(error, match=message):
        model.load_state_dict(state)
    assert model.state_dict() == before


def test_state_dict_must_be_a_mapping() -> None:
    with pytest.raises(TypeError, match="mapping from names to numbers, got list"):
        Neuron(1, seed=0).load_state_dict([1.0, 2.0])  # type: ignore[arg-type]


def test_many_missing_names_are_summarised() -> None:
    with pytest.raises(ValueError, match=r"missing 'layers.0.neurons.0.w.0', .* and 332 more"):
        MLP(2, [16, 16, 1], seed=0).load_state_dict({})
