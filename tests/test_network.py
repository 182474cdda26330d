"""draw_network and draw_layers, read from their DOT text: which edges, how wide, what each box says, what is refused.

The numbers each picture should show are taken from the model's own call and backward
(``Layer.sensitivities``, the parameters' ``.grad``), not from the reader the pictures use.
"""

from __future__ import annotations

import itertools
import re

import pytest

from autograd_mini import MLP, draw_layers, draw_network, sse
from autograd_mini.numeric import short_number
from autograd_mini.show import network

EDGE = re.compile(r"^\s*(\w+) -> (\w+) \[(.*)\]$")
SEED_ROW = [0.1 * k - 0.45 for k in range(10)]
TARGET = [1.0, 0.0, 0.0, 0.0]


def _weight_edges(source: str) -> list[tuple[str, str, dict[str, str]]]:
    """(tail, head, attributes) of every drawn edge, the invisible ordering edges left out."""
    found = []
    for line in source.splitlines():
        match = EDGE.match(line)
        if match and "invis" not in match.group(3):
            attrs = {k: v.strip('"') for k, v in re.findall(r'(\w+)=("[^"]*"|[^ \]]+)', match.group(3))}
            found.append((match.group(1), match.group(2), attrs))
    return found


def _own_backward(model: MLP, x: list[float], target: list[float]) -> None:
    model.zero_grad()
    sse(model(x), target).backward()


def _wider_means_larger(edges: list[tuple[str, str, dict[str, str]]], size: dict[tuple[str, str], float]) -> None:
    """A wider edge never stands for a smaller |number| (edges of the same printed width may be in any order)."""
    by_width: dict[float, list[float]] = {}
    for tail, head, attrs in edges:
        by_width.setdefault(float(attrs["penwidth"]), []).append(abs(size[(tail, head)]))
    groups = [by_width[w] for w in sorted(by_width)]
    assert len(groups) > 10
    for thinner, wider in itertools.pairwise(groups):
        assert max(thinner) <= min(wider)


@pytest.fixture(scope="module")
def seed_network() -> tuple[MLP, str]:
    model = MLP(10, [4, 6, 8, 4], seed=0)
    return model, draw_network(model, SEED_ROW, TARGET).source


def test_one_edge_per_weight_from_each_column_to_the_next(seed_network: tuple[MLP, str]) -> None:
    _, source = seed_network
    pairs = {(tail, head) for tail, head, _ in _weight_edges(source)}
    expected = {(f"x{k}", f"n0_{j}") for k in range(10) for j in range(4)}
    for i, (n_in, n_out) in enumerate([(4, 6), (6, 8), (8, 4)]):
        expected |= {(f"n{i}_{k}", f"n{i + 1}_{j}") for k in range(n_in) for j in range(n_out)}
    assert len(_weight_edges(source)) == 144 and pairs == expected


def test_edges_are_as_wide_as_the_gradient_and_coloured_by_its_sign(seed_network: tuple[MLP, str]) -> None:
    model, source = seed_network
    _own_backward(model, SEED_ROW, TARGET)
    grads = {}
    for i, layer in enumerate(model.layers):
        tails = [f"x{k}" for k in range(10)] if i == 0 else [f"n{i - 1}_{k}" for k in range(layer.nin)]
        for j, neuron in enumerate(layer.neurons):
            for tail, w in zip(tails, neuron.w, strict=True):
                grads[(tail, f"n{i}_{j}")] = w.grad
    edges = _weight_edges(source)
    _wider_means_larger(edges, grads)
    for tail, head, attrs in edges:
        g = grads[(tail, head)]
        assert attrs["color"].startswith(network.POSITIVE if g > 0 else network.NEGATIVE)


def test_edges_by_weight_are_as_wide_as_the_weight() -> None:
    model = MLP(2, [4, 4, 1], seed=3)
    edges = _weight_edges(draw_network(model, [0.5, -1.0], edges="weight").source)
    weights = {}
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            for k, w in enumerate(neuron.w):
                weights[(f"x{k}" if i == 0 else f"n{i - 1}_{k}", f"n{i}_{j}")] = w.data
    _wider_means_larger(edges, weights)
    for tail, head, attrs in edges:
        assert attrs["color"].startswith(network.POSITIVE if weights[(tail, head)] > 0 else network.NEGATIVE)


def test_each_neuron_shows_its_net_input_activation_delta_and_bias(seed_network: tuple[MLP, str]) -> None:
    model, source = seed_network
    _own_backward(model, SEED_ROW, TARGET)
    for i, layer in enumerate(model.layers):
        for j, (neuron, s, delta) in enumerate(zip(layer.neurons, layer.last_sums, layer.sensitivities(), strict=True)):
            (line,) = [text for text in source.splitlines() if text.strip().startswith(f"n{i}_{j} [")]
            assert neuron.b is not None
            for shown in (
                f"p {short_number(s.data, 2)}",
                f"δ {short_number(delta, 2)}",
                f"b {short_number(neuron.b.data, 2)}",
            ):
                assert f">{shown}<" in line, (shown, line)


def test_the_legend_names_the_root_and_the_edge_encoding(seed_network: tuple[MLP, str]) -> None:
    _, source = seed_network
    assert "root = sse(outputs, [1, 0, 0, 0]) = " in source
    assert "width = |∂root/∂w|" in source and "red &gt; 0, blue &lt; 0" in source


def test_columns_keep_their_neurons_in_order(seed_network: tuple[MLP, str]) -> None:
    _, source = seed_network
    invisible = [line.strip() for line in source.splitlines() if "invis" in line]
    assert "n2_6 -> n2_7 [style=invis]" in invisible and "head0 -> x0 [style=invis]" in invisible
    assert source.count("rank=same") == 5


def test_a_network_too_large_to_read_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_work(*args: object, **kwargs: object) -> None:
        raise AssertionError("the forward ran")

    monkeypatch.setattr(network, "read_sensitivities", no_work)
    for model in (MLP(2, [8] * 100 + [1], seed=0), MLP(13, [2], seed=0), MLP(12, [12, 12], seed=0)):
        with pytest.raises(ValueError, match=r"at most 6 columns .* draw_layers\(model, x\) shows one cell per layer"):
            draw_network(model, [0.0] * model.nin)


def test_the_largest_network_accepted_is_drawn() -> None:
    assert len(_weight_edges(draw_network(MLP(12, [12, 4], seed=0), [0.1] * 12, [0.0] * 4).source)) == 192


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: draw_network("mlp", [1.0]), TypeError, "model must be an autograd_mini.nn.MLP, got str"),
        (lambda: draw_network(MLP(1, [1], seed=0), [1.0], edges="w"), ValueError, "edges must be one of 'grad'"),
        (lambda: draw_network(MLP(1, [1], seed=0), [1.0, 2.0]), ValueError, "x must be a row of 1 number"),
        (lambda: draw_layers(MLP(1, [1], seed=0), [1.0], measure="min"), ValueError, "measure must be one of"),
        (lambda: draw_layers([1], [1.0]), TypeError, "model must be an autograd_mini.nn.MLP, got list"),
    ],
)
def test_wrong_arguments_are_refused_by_name(call: object, error: type, message: str) -> None:
    with pytest.raises(error, match=re.escape(message)):
        call()  # type: ignore[operator]


def _layer_cells(source: str) -> list[tuple[str, str, str]]:
    """(fill, layer name, size) of each layer's cell, in reading order."""
    return re.findall(r'<td bgcolor="(#\w+)"><table[^>]*><tr><td[^>]*>([^<]+)</td></tr><tr><td[^>]*>([^<]+)<', source)


@pytest.mark.parametrize("measure", ["mean", "max"])
def test_the_layer_view_prints_each_layers_delta_size(measure: str) -> None:
    model, x = MLP(2, [8] * 30 + [1], activation="sigmoid", seed=0), [0.5, -1.0]
    cells = _layer_cells(draw_layers(model, x, measure=measure).source)
    model(x)[0].backward()
    sizes = [[abs(d) for d in layer.sensitivities()] for layer in model.layers]
    expected = [max(s) if measure == "max" else sum(s) / len(s) for s in sizes]
    assert [name for _, name, _ in cells] == [f"layer {i}" for i in range(1, 31)] + ["outputs"]
    assert [size for _, _, size in cells] == [short_number(e, 2) for e in expected]


def test_vanishing_gradients_fade_the_first_layers() -> None:
    cells = _layer_cells(draw_layers(MLP(2, [8] * 100 + [1], activation="sigmoid", seed=0), [0.5, -1.0]).source)
    lightness = [sum(int(fill[k : k + 2], 16) for k in (1, 3, 5)) for fill, _, _ in cells]
    assert lightness == sorted(lightness, reverse=True)  # each layer's δ is smaller than the next one's here
    assert lightness[0] > lightness[-1]


def test_a_layer_view_too_deep_to_read_is_refused_before_any_work(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(network, "read_sensitivities", None)
    too_deep = MLP(1, [1] * (network.MAX_LAYERS + 1), seed=0)
    with pytest.raises(ValueError, match=r"at most 160 layers .* read_sensitivities\(model, x\)"):
        draw_layers(too_deep, [1.0])


def test_a_dead_relu_layer_has_no_place_on_the_log_scale() -> None:
    model = MLP(1, [2, 1], activation="relu", seed=0)
    for neuron in model.layers[0].neurons:
        neuron.w[0].data, neuron.b.data = 1.0, -5.0  # type: ignore[union-attr]
    fill, _, size = _layer_cells(draw_layers(model, [1.0]).source)[0]
    assert (fill, size) == ("#ffffff", "0")
