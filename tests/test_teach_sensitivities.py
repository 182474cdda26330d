"""read_sensitivities: the numbers of the seed texts' backpropagation, read off the scalar graph.

The readings are held against three independent references: the ``.grad`` of a graph built by the
model's own call, the backward recurrence delta_p = A'(p) sum_c w_pc delta_c with A' written by
hand, and central differences of the root as a function of each bias.
"""

from __future__ import annotations

import itertools
import math
import random

import pytest

from autograd_mini import MLP, Value, cross_entropy, sse
from autograd_mini.teach.sensitivities import NeuronReading, Reading, read_sensitivities

# A'(p) by hand, from p alone (not from the engine's rules)
DERIVATIVES = {
    "tanh": lambda p: 1.0 - math.tanh(p) ** 2,
    "sigmoid": lambda p: math.exp(-p) / (1.0 + math.exp(-p)) ** 2,
    "relu": lambda p: 1.0 if p > 0 else 0.0,
    "linear": lambda p: 1.0,
}
ACTIVATE = {
    "tanh": math.tanh,
    "sigmoid": lambda p: 1.0 / (1.0 + math.exp(-p)),
    "relu": lambda p: max(p, 0.0),
    "linear": lambda p: p,
}
CASES = [
    (10, [4, 6, 8, 4], "tanh", "linear"),  # the seeds' 10-4-6-8-4 network
    (2, [4, 4, 1], "tanh", "linear"),
    (3, [5, 5, 2], "sigmoid", "sigmoid"),
    (3, [6, 6, 3], "relu", "tanh"),
]


def _row(n: int, seed: int) -> list[float]:
    rng = random.Random(seed)
    return [rng.uniform(-2.0, 2.0) for _ in range(n)]


def _target(n: int) -> list[float]:
    return [1.0 if k == 0 else -0.5 for k in range(n)]


def _model(case: tuple[int, list[int], str, str]) -> MLP:
    nin, nouts, activation, output_activation = case
    return MLP(nin, nouts, activation=activation, output_activation=output_activation, seed=7)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{'-'.join(map(str, c[1]))}-{c[2]}")
def test_the_readings_are_the_grads_of_the_models_own_graph(case: tuple[int, list[int], str, str]) -> None:
    model, x = _model(case), _row(case[0], 1)
    reading = read_sensitivities(model, x, target=_target(case[1][-1]))
    model.zero_grad()
    loss = sse(model(x), _target(case[1][-1]))  # the model's own call: MLP.__call__, not the reader's loop
    loss.backward()
    assert reading.root == pytest.approx(loss.data, rel=1e-12)
    for layer, neurons in zip(model.layers, reading.layers, strict=True):
        assert [n.delta for n in neurons] == pytest.approx(layer.sensitivities(), rel=1e-12, abs=1e-15)
        assert [n.net_input for n in neurons] == pytest.approx([s.data for s in layer.last_sums], rel=1e-12)
        for neuron, read in zip(layer.neurons, neurons, strict=True):
            assert read.weight_grads == pytest.approx([w.grad for w in neuron.w], rel=1e-12, abs=1e-15)
            assert neuron.b is not None and read.bias_grad == pytest.approx(neuron.b.grad, rel=1e-12, abs=1e-15)
            assert read.weights == tuple(w.data for w in neuron.w)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{'-'.join(map(str, c[1]))}-{c[2]}")
def test_delta_follows_the_backward_recurrence_with_a_prime_by_hand(case: tuple[int, list[int], str, str]) -> None:
    target = _target(case[1][-1])
    reading = read_sensitivities(_model(case), _row(case[0], 2), target=target)
    layers = reading.layers
    for neuron, t in zip(layers[-1], target, strict=True):  # the last layer: d sse/d out = 2 (out - t)
        slope = DERIVATIVES[neuron.activation_name](neuron.net_input)
        assert neuron.delta == pytest.approx(2.0 * (neuron.activation - t) * slope, rel=1e-10, abs=1e-14)
    for here, after in itertools.pairwise(layers):
        for p in here:
            downstream = sum(c.weights[p.index] * c.delta for c in after)
            expected = DERIVATIVES[p.activation_name](p.net_input) * downstream
            assert p.delta == pytest.approx(expected, rel=1e-10, abs=1e-14)


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{'-'.join(map(str, c[1]))}-{c[2]}")
def test_each_weight_gradient_is_the_input_it_carries_times_delta(case: tuple[int, list[int], str, str]) -> None:
    x = _row(case[0], 3)
    reading = read_sensitivities(_model(case), x, target=_target(case[1][-1]))
    carried = [x] + [[n.activation for n in layer] for layer in reading.layers[:-1]]
    for inputs, layer in zip(carried, reading.layers, strict=True):
        for c in layer:
            assert c.activation == pytest.approx(ACTIVATE[c.activation_name](c.net_input), rel=1e-12, abs=1e-15)
            assert c.net_input == pytest.approx(c.bias + sum(w * a for w, a in zip(c.weights, inputs, strict=True)))
            assert c.weight_grads == pytest.approx([a * c.delta for a in inputs], rel=1e-10, abs=1e-15)
            assert c.bias_grad == c.delta


def _root_with_bias(model: MLP, x: list[float], target: list[float], layer: int, index: int, bias: float) -> float:
    b = model.layers[layer].neurons[index].b
    assert b is not None
    kept, b.data = b.data, bias
    try:
        return sse(model(x), target).data
    finally:
        b.data = kept


@pytest.mark.parametrize("case", CASES[:3], ids=lambda c: f"{c[0]}-{'-'.join(map(str, c[1]))}-{c[2]}")
def test_delta_is_the_central_difference_of_the_root_in_the_bias(case: tuple[int, list[int], str, str]) -> None:
    model, x, target, h = _model(case), _row(case[0], 4), _target(case[1][-1]), 1e-5
    reading = read_sensitivities(model, x, target=target)
    for layer in reading.layers:
        for n in layer:
            assert n.bias is not None
            up = _root_with_bias(model, x, target, n.layer, n.index, n.bias + h)
            down = _root_with_bias(model, x, target, n.layer, n.index, n.bias - h)
            assert n.delta == pytest.approx((up - down) / (2 * h), rel=1e-6, abs=1e-9)


def test_the_models_gradients_are_left_as_they_were() -> None:
    model = MLP(2, [3, 1], seed=0)
    for k, p in enumerate(model.parameters()):
        p.grad = float(k)
    read_sensitivities(model, [0.5, -0.5])
    assert [p.grad for p in model.parameters()] == [float(k) for k in range(len(model.parameters()))]


def test_without_a_target_the_root_is_the_one_output() -> None:
    model = MLP(2, [3, 1], output_activation="sigmoid", seed=0)
    reading = read_sensitivities(model, [0.3, 0.9])
    (out,) = reading.layers[-1]
    s = out.activation
    assert reading.root == s and reading.root_text == "the output"
    assert out.delta == pytest.approx(s * (1 - s), rel=1e-12)  # d sigmoid(p)/dp, by hand


def test_a_linear_layers_net_input_is_its_output() -> None:
    (out,) = read_sensitivities(MLP(2, [2, 1], seed=0), [1.0, 2.0]).layers[-1]
    assert out.net_input == out.activation and out.delta == 1.0


def test_a_root_function_and_a_loss_by_name_or_function() -> None:
    model, x = MLP(3, [4, 3], seed=1), [0.1, 0.2, 0.3]
    product = read_sensitivities(model, x, root=lambda outs: outs[0] * outs[1])
    first, second, third = product.layers[-1]  # d(o0 o1)/d p0 = o1, d/d p1 = o0, nothing for o2
    assert (first.delta, second.delta, third.delta) == (second.activation, first.activation, 0.0)
    by_name = read_sensitivities(model, x, target=2, loss="cross_entropy")
    by_function = read_sensitivities(model, x, target=2, loss=cross_entropy)
    assert by_name.layers == by_function.layers and by_name.root_text == "cross_entropy(outputs, 2)"


def test_the_input_gradients_are_what_the_inputs_send_back() -> None:
    model, x = MLP(2, [3, 1], seed=2), [0.4, -1.1]
    reading = read_sensitivities(model, x)
    leaves = [Value(v) for v in x]
    model(leaves)[0].backward()
    assert reading.input_grads == pytest.approx([leaf.grad for leaf in leaves], rel=1e-12)


def test_a_reading_is_plain_data() -> None:
    reading = read_sensitivities(MLP(1, [1], seed=0), [1.0])
    assert isinstance(reading, Reading) and isinstance(reading.layers[0][0], NeuronReading)
    with pytest.raises(AttributeError):
        reading.root = 2.0  # type: ignore[misc]


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"model": "mlp"}, TypeError, "model must be an autograd_mini.nn.MLP, got str: 'mlp'"),
        ({"x": 3.0}, TypeError, "x must be a row of 2 numbers, got float: 3.0"),
        ({"x": [1.0]}, ValueError, "x must be a row of 2 numbers (the model's inputs), got 1 number: [1.0]"),
        ({"x": [1.0, "2"]}, TypeError, "x[1] must be a real number, got str: '2'"),
        ({"x": [1.0, math.nan]}, ValueError, "x[1] must be a finite number, got nan"),
        ({"target": 1.0, "loss": "l2"}, ValueError, "loss must be one of 'sse', 'mse', 'hinge'"),
        ({"target": 1.0, "loss": 3}, TypeError, "loss must be a function, got int: 3"),
        ({"root": "outs[0]"}, TypeError, "root must be a function, got str"),
        ({"target": 1.0, "root": sum}, ValueError, "target and root cannot both be given"),
    ],
)
def test_wrong_arguments_are_refused_by_name(kwargs: dict[str, object], error: type, message: str) -> None:
    call: dict[str, object] = {"model": MLP(2, [1], seed=0), "x": [1.0, 2.0], **kwargs}
    with pytest.raises(error) as raised:
        read_sensitivities(**call)  # type: ignore[arg-type]
    assert str(raised.value).startswith(message)


def test_several_outputs_need_a_target_or_a_root() -> None:
    with pytest.raises(ValueError, match="target must be given for a model of 4 outputs"):
        read_sensitivities(MLP(10, [4, 6, 8, 4], seed=0), [0.0] * 10)


def test_a_root_function_must_return_a_value() -> None:
    with pytest.raises(TypeError, match=r"root\(outputs\) must be a Value, got float"):
        read_sensitivities(MLP(2, [1], seed=0), [1.0, 2.0], root=lambda outs: 1.0)
