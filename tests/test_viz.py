"""Graph drawings: the DOT source's structure, escaping, clusters, and real rendering with Graphviz."""

from __future__ import annotations

import math
import os
import re
import signal
import stat
import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import graphviz
import pytest
from graphs import random_graphs
from hypothesis import given, settings

from autograd_mini import MLP, Value, draw, topological_order
from autograd_mini.names import node_names
from autograd_mini.show import viz
from autograd_mini.show.viz import MAX_LABEL, NAN_FILL, GraphvizFailedError, GraphvizNotFoundError

SVG = "{http://www.w3.org/2000/svg}"


# -- reading the DOT source back -------------------------------------------------------------------

NODE = re.compile(r"^\s*(\w+) \[label=<(.*)>(.*)\]$")
EDGE = re.compile(r"^\s*(\w+) -> (\w+)(?: \[(.*)\])?$")


def boxes(source: str) -> dict[str, str]:
    """Node id -> the visible text of its label (HTML tags removed, rows joined by ' | ')."""
    found = {}
    for line in source.splitlines():
        match = NODE.match(line)
        if match:
            text = re.sub(r"</td></tr><tr><td>", " | ", match.group(2))
            found[match.group(1)] = re.sub(r"<[^>]*>", "", text)
    return found


def node_attrs(source: str, node_id: str) -> str:
    """The attributes after the label of one node statement."""
    for line in source.splitlines():
        match = NODE.match(line)
        if match and match.group(1) == node_id:
            return match.group(3)
    raise AssertionError(f"no node {node_id} in the source")


def edges(source: str) -> list[tuple[str, str, str]]:
    """(tail, head, attributes) for each edge statement, in order."""
    return [(m.group(1), m.group(2), m.group(3) or "") for line in source.splitlines() if (m := EDGE.match(line))]


def ids(root: Value) -> dict[Value, str]:
    """The documented naming: v<i> for the i-th value in topological order."""
    return {node: f"v{i}" for i, node in enumerate(topological_order(root))}


# -- graphs with gradients worked out by hand ------------------------------------------------------


@dataclass
class Neuron:
    """o = tanh(x1*w1 + x2*w2 + b), with b chosen so that n = atanh(1/sqrt 2) and o = 1/sqrt 2."""

    x1: Value = field(default_factory=lambda: Value(2.0, label="x1"))
    w1: Value = field(default_factory=lambda: Value(-3.0, label="w1"))
    x2: Value = field(default_factory=lambda: Value(0.0, label="x2"))
    w2: Value = field(default_factory=lambda: Value(1.0, label="w2"))
    b: Value = field(default_factory=lambda: Value(6.0 + math.atanh(1 / math.sqrt(2)), label="b"))

    def __post_init__(self) -> None:
        self.n = self.x1 * self.w1 + self.x2 * self.w2 + self.b
        self.n.label = "n"
        self.o = self.n.tanh()
        self.o.label = "o"
        self.o.backward()
        # do/dn = 1 - tanh(n)**2 = 1 - 1/2 = 0.5, and each input's gradient is 0.5 * (its partner).


@pytest.fixture
def neuron() -> Neuron:
    return Neuron()


def test_one_box_per_value_one_op_node_per_operation(neuron: Neuron) -> None:
    source = draw(neuron.o).source
    found = boxes(source)
    # 5 inputs, 2 products, 2 sums, tanh: 10 values; 5 of them made by an operation.
    assert sorted(k for k in found if k.startswith("v")) == sorted(f"v{i}" for i in range(10))
    assert len([k for k in found if k.startswith("o")]) == 5
    # each operation: one edge per argument plus one to its result -> 2+2+2+2+1 + 5 = 14
    assert len(edges(source)) == 14


def test_boxes_show_label_data_and_grad_rounded(neuron: Neuron) -> None:
    name = ids(neuron.o)
    found = boxes(draw(neuron.o).source)
    assert found[name[neuron.x1]] == "x1 | data 2 | grad -1.5"  # 0.5 * w1
    assert found[name[neuron.w1]] == "w1 | data -3 | grad 1"  # 0.5 * x1
    assert found[name[neuron.x2]] == "x2 | data 0 | grad 0.5"  # 0.5 * w2
    assert found[name[neuron.w2]] == "w2 | data 1 | grad 0"  # 0.5 * x2
    assert found[name[neuron.b]] == "b | data 6.881 | grad 0.5"  # 6 + 0.8814 to 4 digits
    assert found[name[neuron.n]] == "n | data 0.8814 | grad 0.5"
    assert found[name[neuron.o]] == "o | data 0.7071 | grad 1"  # 1/sqrt(2)
    assert found[name[neuron.o].replace("v", "o")] == "tanh"


def test_show_grad_false_leaves_grads_out(neuron: Neuron) -> None:
    found = boxes(draw(neuron.o, show_grad=False).source)
    assert found[ids(neuron.o)[neuron.x1]] == "x1 | data 2"
    assert not any("grad" in text for text in found.values())


def test_edges_go_parent_op_result_with_local_derivatives(neuron: Neuron) -> None:
    name = ids(neuron.o)
    product = neuron.n.parents[0].parents[0]  # x1 * w1
    op = name[product].replace("v", "o")
    drawn = edges(draw(neuron.o, show_local=True).source)
    assert (name[neuron.x1], op, "label=<local -3>") in drawn  # d(x1 w1)/dx1 = w1
    assert (name[neuron.w1], op, "label=<local 2>") in drawn  # d(x1 w1)/dw1 = x1
    assert (op, name[product], "") in drawn
    tanh_op = name[neuron.o].replace("v", "o")
    assert (name[neuron.n], tanh_op, "label=<local 0.5>") in drawn  # 1 - tanh(n)**2
    assert not any("label" in attrs for _, _, attrs in edges(draw(neuron.o).source))


def test_arguments_keep_their_order_and_a_times_a_has_two_edges() -> None:
    a, b = Value(5.0, label="a"), Value(2.0, label="b")
    diff = a - b
    square = a * a
    name = ids(diff)
    assert [(t, h) for t, h, _ in edges(draw(diff).source)][:2] == [(name[a], "o2"), (name[b], "o2")]
    drawn = edges(draw(square, show_local=True).source)
    assert drawn.count(("v0", "o1", "label=<local 5>")) == 2  # d(a*a)/da = a on each path: 5 + 5


def test_fan_out_and_reused_interior_nodes_are_drawn_once() -> None:
    x = Value(1.0, label="x")
    c = x * 2
    c.label = "c"
    d = c * c + c + x.exp()  # c used three times, x twice
    d.backward()
    source = draw(d).source
    name = ids(d)
    assert list(boxes(source).values()).count("c | data 2 | grad 5") == 1  # dd/dc = 2c + 1 = 5
    out_of_c = [head for tail, head, _ in edges(source) if tail == name[c]]
    assert len(out_of_c) == 3 and len(set(out_of_c)) == 2  # twice into c*c, once into + c
    out_of_x = {head for tail, head, _ in edges(source) if tail == name[x]}
    assert len(out_of_x) == 2  # into * 2 and into exp
    assert f"grad {2 * 5 + math.e:.4g}" in boxes(source)[name[x]]  # dd/dx = 2 dd/dc + e**x


def test_leaves_constants_results_and_root_look_different() -> None:
    x = Value(1.0, label="x")
    y = (x * 3).tanh()
    source = draw(y).source
    name = ids(y)
    const = next(node for node in name if node.op == "const")
    looks = {
        "leaf": node_attrs(source, name[x]),
        "const": node_attrs(source, name[const]),
        "inner": node_attrs(source, name[y.parents[0]]),
        "root": node_attrs(source, name[y]),
    }
    assert len(set(looks.values())) == 4
    assert "dashed" in looks["const"] and "peripheries=2" in looks["root"]
    assert boxes(source)[name[const]] == "3 | constant | grad 0"  # titled by its number, no node name


def test_a_negative_constant_box_shows_its_number_in_parentheses_as_captions_do() -> None:
    y = Value(1.5, label="x") * -3
    assert boxes(draw(y).source)[ids(y)[y.parents[1]]] == "(-3) | constant | grad 0"


def test_an_mlp_drawing_has_exactly_one_box_per_input() -> None:
    model = MLP(2, [3, 1], seed=0)
    (out,) = model([0.5, -1.0])
    out.backward()
    shown = boxes(draw(out, cluster=model).source).values()
    titles = [text.split(" | ")[0] for text in shown]
    assert sorted(t for t in titles if t.startswith("x[")) == ["x[0]", "x[1]"]
    assert not any(text.startswith(("const", "0.5 ", "-1 ")) for text in shown)  # no constants at all


def test_every_box_is_titled_with_the_name_every_text_uses() -> None:
    # a label; n1, n2, ... for computed values in reading order; a constant by its number, 2' and
    # 2#3 where it repeats; leaf1 for a leaf without a label
    x, leaf = Value(1.0, label="x"), Value(4.0)
    root = (x * 2 + x * 2) + x * 2 * leaf
    names = node_names(root)
    titles = {node: boxes(draw(root).source)[key].split(" | ")[0] for node, key in ids(root).items()}
    assert titles == {node: name.replace("'", "&#x27;") for node, name in names.items()}
    assert sorted(titles[node] for node in titles if node.op == "const") == ["2", "2#3", "2&#x27;"]
    assert sorted(titles[node] for node in titles if node.parents) == [f"n{k}" for k in range(1, 7)]
    assert titles[x] == "x" and titles[leaf] == "leaf1" and names[root] == "n6"
    assert [node.label for node in topological_order(root)].count("") == len(titles) - 1  # nothing relabelled


def test_names_given_to_draw_title_the_boxes_and_the_rest_go_untitled() -> None:
    x = Value(1.0, label="x")
    y = x * x
    found = boxes(draw(y, names={x: "input", y: "square"}).source)
    assert (found["v0"], found["v1"]) == ("input | data 1 | grad 0", "square | data 1 | grad 0")
    assert boxes(draw(y, names={}).source)["v1"] == "data 1 | grad 0"
    with pytest.raises(TypeError, match="names must be a mapping from Value to str, got list: "):
        draw(y, names=[x])  # type: ignore[arg-type]


@given(random_graphs())
@settings(max_examples=30, deadline=None)
def test_every_graph_draws_with_consistent_structure(root: Value) -> None:
    order = topological_order(root)
    source = draw(root).source
    made = [node for node in order if node.parents]
    assert sum(1 for key in boxes(source) if key.startswith("v")) == len(order)
    assert len(edges(source)) == sum(len(node.parents) for node in made) + len(made)


# -- what frames of a backward pass ask of draw (show.frames itself: test_frames.py) -----------


def test_node_ids_are_stable_across_calls_and_options(neuron: Neuron) -> None:
    plain = draw(neuron.o).source
    again = draw(neuron.o).source
    framed = draw(
        neuron.o,
        grads={neuron.o: 1.0},
        highlight=[neuron.n],
        highlight_edges=[(neuron.n, neuron.o)],
        caption="step 1",
        show_local=True,
    ).source
    assert plain == again
    assert boxes(framed).keys() == boxes(plain).keys()
    assert [(t, h) for t, h, _ in edges(framed)] == [(t, h) for t, h, _ in edges(plain)]


def test_grads_mapping_replaces_grad_and_missing_ones_show_a_question_mark(neuron: Neuron) -> None:
    name = ids(neuron.o)
    found = boxes(draw(neuron.o, grads={neuron.o: 1.0, neuron.n: 0.25}).source)
    assert found[name[neuron.o]] == "o | data 0.7071 | grad 1"
    assert found[name[neuron.n]] == "n | data 0.8814 | grad 0.25"  # the mapping, not .grad (0.5)
    assert found[name[neuron.x1]] == "x1 | data 2 | grad ?"


def test_highlighted_boxes_and_edges_stand_out(neuron: Neuron) -> None:
    name = ids(neuron.o)
    source = draw(neuron.o, highlight=[neuron.n], highlight_edges=[(neuron.n, neuron.o)]).source
    assert "penwidth=3" in node_attrs(source, name[neuron.n])
    assert "penwidth" not in node_attrs(source, name[neuron.b])
    bold = [(t, h) for t, h, attrs in edges(source) if "penwidth" in attrs]
    tanh_op = name[neuron.o].replace("v", "o")
    assert bold == [(name[neuron.n], tanh_op), (tanh_op, name[neuron.o])]


def test_caption_is_a_graph_label() -> None:
    source = draw(Value(1.0), caption="dL/da = 2 · 3 = 6").source
    assert "label=<dL/da = 2 · 3 = 6>" in source and "labelloc=b" in source


def test_gradients_that_are_values_show_their_number() -> None:
    x = Value(3.0, label="x")
    y = x * x
    y.backward(create_graph=True)
    assert boxes(draw(y).source)["v0"] == "x | data 3 | grad 6"


# -- colour by gradient --------------------------------------------------------------------------


def rgb(attrs: str) -> tuple[int, int, int]:
    match = re.search(r'fillcolor="#(\w\w)(\w\w)(\w\w)"', attrs)
    assert match, attrs
    red, green, blue = (int(h, 16) for h in match.groups())
    return red, green, blue


def test_color_by_grad_shades_by_sign_and_size_with_a_legend(neuron: Neuron) -> None:
    name = ids(neuron.o)
    source = draw(neuron.o, color_by_grad=True).source
    negative = rgb(node_attrs(source, name[neuron.x1]))  # grad -1.5, the largest
    positive = rgb(node_attrs(source, name[neuron.w1]))  # grad 1
    small = rgb(node_attrs(source, name[neuron.b]))  # grad 0.5
    assert negative[2] > negative[0] and positive[0] > positive[2]  # blue below 0, red above
    assert rgb(node_attrs(source, name[neuron.w2])) == (255, 255, 255)  # grad 0: white
    assert sum(small) > sum(positive)  # smaller |grad|: paler
    assert "legend" in source and "largest 1.5" in source
    assert "inf" not in source and "nan" not in source  # the legend names them only when they are there


def fill(source: str, node_id: str) -> str:
    match = re.search(r'fillcolor="(#\w{6})"', node_attrs(source, node_id))
    assert match
    return match.group(1)


def test_an_infinite_gradient_is_drawn_in_full_colour_and_named_in_the_legend() -> None:
    # sqrt'(0) = inf: this crashed with "cannot convert float NaN to integer" (inf / inf).
    x = Value(0.0, label="x")
    y = x.sqrt()
    y.label = "y"
    y.backward()
    assert x.grad == math.inf
    source = draw(y, color_by_grad=True).source
    assert boxes(source)["v0"] == "x | data 0 | grad inf"
    full = viz._grad_fill(math.inf, 1.0)
    assert fill(source, "v0") == fill(source, "v1") == full  # y's grad 1 is the largest finite one: full colour too
    assert "largest finite 1; grad ±inf in full colour" in source


def test_finite_gradients_are_scaled_against_the_largest_finite_one_and_nan_has_its_own_colour() -> None:
    a, b, c, d = (Value(1.0, label=name) for name in "abcd")
    root = (a * b) * (c * d)
    name = ids(root)
    grads = {a: 2.0, b: 0.5, c: -math.inf, d: math.nan, root: 1.0}
    source = draw(root, grads=grads, color_by_grad=True).source
    assert boxes(source)[name[c]].endswith("grad -inf") and boxes(source)[name[d]].endswith("grad nan")
    assert fill(source, name[a]) == viz._grad_fill(math.inf, 2.0)  # 2 is the largest finite |grad|: full red
    assert fill(source, name[c]) == viz._grad_fill(-math.inf, 2.0)  # -inf: full blue
    assert fill(source, name[b]) not in (fill(source, name[a]), "#ffffff")  # 0.5: paler
    assert fill(source, name[d]) == NAN_FILL
    assert f'<td bgcolor="{NAN_FILL}">grad nan</td>' in source and "largest finite 2" in source


def test_only_infinite_gradients_still_draw() -> None:
    x = Value(1.0, label="x")
    y = x * 2
    source = draw(y, grads={x: math.inf, y: -math.inf}, color_by_grad=True).source
    assert "largest finite 0" in source
    assert fill(source, ids(y)[x]) == viz._grad_fill(math.inf, 0.0) != "#ffffff"


# -- escaping ------------------------------------------------------------------------------------

NASTY = 'a{b}|c<d>"e\\f\\n&g\ttab'


def test_labels_are_escaped_in_the_source() -> None:
    x = Value(1.0, label=NASTY)
    source = draw(x * 2, caption=NASTY).source
    assert "a{b}|c&lt;d&gt;&quot;e\\\\f\\\\n&amp;g\\\\x09tab" in source  # every backslash doubled
    assert "<d>" not in source


GRAPHVIZ_NAMES = r"N=\N G=\G E=\E T=\T H=\H L=\L two=\\ end\\"


def test_graphviz_names_in_labels_are_escaped_in_the_source() -> None:
    source = draw(Value(1.0, label=GRAPHVIZ_NAMES) * 2, caption=GRAPHVIZ_NAMES).source
    assert source.count(GRAPHVIZ_NAMES.replace("\\", "\\\\")) == 2  # Graphviz reads \\ as one backslash


def test_labels_and_captions_longer_than_the_limit_are_cut_with_an_ellipsis() -> None:
    x = Value(1.0, label="x" * 20_000)
    source = draw(x * 2, caption="c" * 20_000).source
    assert f"<b>{'x' * (MAX_LABEL - 1)}…</b>" in source and "x" * MAX_LABEL not in source
    assert f"label=<{'c' * (MAX_LABEL - 1)}…>" in source
    assert boxes(draw(Value(1.0, label="y" * MAX_LABEL)).source)["v0"].startswith("y" * MAX_LABEL + " | ")


# -- clusters: a stand-in model with named_parameters() -------------------------------------------


class TinyNeuron:
    def __init__(self, nin: int, k: int) -> None:
        self.w = [Value(0.1 * (i + 1) * (-1) ** k) for i in range(nin)]
        self.b = Value(0.05 * k)

    def __call__(self, xs: list[Value | float]) -> Value:
        total = self.b
        for w, x in zip(self.w, xs, strict=True):
            total = total + w * x
        return total.tanh()


class TinyMLP:
    """Two inputs, a layer of two neurons, one output neuron: names like nn's named_parameters."""

    def __init__(self) -> None:
        self.layers = [[TinyNeuron(2, 0), TinyNeuron(2, 1)], [TinyNeuron(2, 2)]]

    def __call__(self, xs: list[Value | float]) -> Value:
        for layer in self.layers:
            xs = [neuron(xs) for neuron in layer]
        return xs[0]  # type: ignore[return-value]

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        for i, layer in enumerate(self.layers):
            for j, neuron in enumerate(layer):
                for k, w in enumerate(neuron.w):
                    yield f"layers.{i}.neurons.{j}.w.{k}", w
                yield f"layers.{i}.neurons.{j}.b", neuron.b


def clusters(source: str) -> dict[str, set[str]]:
    """Cluster label -> the node ids declared inside it."""
    found: dict[str, set[str]] = {}
    current = None
    for line in source.splitlines():
        if line.strip().startswith("subgraph cluster_"):
            current = set()
        elif current is not None and (node := NODE.match(line)):
            current.add(node.group(1))
        elif current is not None and (label := re.search(r"label=<([^>]*)>", line)):
            found[label.group(1)] = current  # the cluster's own attributes
        elif line.strip() == "}":
            current = None
    return found


def test_cluster_per_neuron_holds_its_parameters_and_operations() -> None:
    model = TinyMLP()
    x = [Value(0.5, label="in0"), Value(-1.0, label="in1")]
    loss = (model(x) - 1.0) ** 2
    name = ids(loss)
    found = clusters(draw(loss, cluster=model).source)
    assert sorted(found) == ["layers.0.neurons.0", "layers.0.neurons.1", "layers.1.neurons.0"]
    for param_name, param in model.named_parameters():
        owner = param_name.rsplit(".w.", 1)[0].removesuffix(".b")
        assert name[param] in found[owner]
    first = model.layers[0][0]
    product = next(node for node in name if node.op == "*" and first.w[0] in node.parents)
    assert {name[product], name[product].replace("v", "o")} <= found["layers.0.neurons.0"]
    inside = set().union(*found.values())
    assert name[x[0]] not in inside and name[x[1]] not in inside  # inputs belong to no module
    error = loss.parents[0]  # model(x) - 1.0: the loss, not the output neuron
    assert name[error] not in inside and name[loss] not in inside
    assert name[error.parents[0]] in found["layers.1.neurons.0"]  # the output neuron's tanh is in it


def test_unlabelled_parameters_show_their_name_in_the_module() -> None:
    model = TinyMLP()
    out = model([0.5, -1.0])
    found = boxes(draw(out, cluster=model).source)
    name = ids(out)
    neuron = model.layers[1][0]
    assert found[name[neuron.w[1]]].startswith("w.1 | data 0.2")  # 0.1 * (1 + 1)
    assert found[name[neuron.b]].startswith("b | data 0.1")  # 0.05 * 2
    plain = boxes(draw(out).source)[name[neuron.w[1]]]
    assert found[name[neuron.w[1]]] != plain  # without clusters: its automatic name, as every text calls it
    assert plain == f"{node_names(out)[neuron.w[1]]} | data 0.2 | grad 0" and plain.startswith("leaf")


def test_parameters_labelled_with_their_full_name_are_shortened_in_their_cluster() -> None:
    model = TinyMLP()
    neuron = model.layers[0][1]
    neuron.w[0].label = "layers.0.neurons.1.w.0"  # as autograd_mini.nn labels its parameters
    neuron.w[1].label = "slope"  # a label of the user's own is kept
    out = model([0.5, -1.0])
    name = ids(out)
    found = boxes(draw(out, cluster=model).source)
    assert found[name[neuron.w[0]]].startswith("w.0 | ")
    assert found[name[neuron.w[1]]].startswith("slope | ")
    assert boxes(draw(out).source)[name[neuron.w[0]]].startswith("layers.0.neurons.1.w.0 | ")


def test_cluster_per_layer() -> None:
    model = TinyMLP()
    out = model([0.5, -1.0])
    found = clusters(draw(out, cluster=(model, "layer")).source)
    assert sorted(found) == ["layers.0", "layers.1"]
    name = ids(out)
    assert {name[p] for n in model.layers[0] for p in [*n.w, n.b]} <= found["layers.0"]
    assert name[out] in found["layers.1"]


def test_cluster_rejects_what_is_not_a_model() -> None:
    with pytest.raises(TypeError, match="named_parameters"):
        draw(Value(1.0), cluster=object())  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="cluster granularity must be one of 'neuron', 'layer', got 'weight'"):
        draw(Value(1.0), cluster=(TinyMLP(), "weight"))


# -- mistakes ----------------------------------------------------------------------------------------


def chain(length: int) -> Value:
    x = Value(0.1, label="x")
    for _ in range(length):
        x = x.sin()
    return x


def test_too_many_nodes_says_how_many_and_how_to_raise_the_limit() -> None:
    with pytest.raises(ValueError, match=r"31 values.*max_nodes=10.*max_nodes=31"):
        draw(chain(30), max_nodes=10)  # x and 30 sines
    assert len(boxes(draw(chain(30), max_nodes=31).source)) == 31 + 30


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"rankdir": "XY"}, ValueError, "rankdir"),
        ({"max_nodes": 0}, ValueError, "max_nodes"),
        ({"max_nodes": 2.5}, TypeError, "max_nodes"),  # a wrong type: TypeError
        ({"highlight": [3.0]}, TypeError, "highlight must hold Values, got float: 3.0"),
        ({"highlight": [Value(1.0)]}, ValueError, "of the graph drawn, got Value.*: not in it"),
        ({"highlight_edges": [(1, 2, 3)]}, TypeError, "pairs"),
        ({"grads": [1.0]}, TypeError, "mapping"),
        ({"caption": 5}, TypeError, "caption"),
    ],
)
def test_bad_arguments_raise_clear_errors(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        draw(Value(1.0) * 2, **kwargs)  # type: ignore[arg-type]


def test_highlight_edge_must_be_parent_and_result(neuron: Neuron) -> None:
    with pytest.raises(ValueError, match="not a parent"):
        draw(neuron.o, highlight_edges=[(neuron.x1, neuron.o)])


def test_root_must_be_a_value() -> None:
    with pytest.raises(TypeError, match="float"):
        draw(2.0)  # type: ignore[arg-type]


# -- without Graphviz's dot ----------------------------------------------------------------------


def test_without_dot_building_works_and_rendering_says_how_to_install(
    neuron: Neuron, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # an empty directory: no dot anywhere
    drawing = draw(neuron.o)
    assert "tanh" in drawing.source
    for attempt in (lambda: drawing.pipe(format="svg"), lambda: drawing.render(tmp_path / "g", format="png")):
        with pytest.raises(GraphvizNotFoundError) as caught:
            attempt()
        message = str(caught.value)
        assert "apt-get install graphviz" in message and "brew install graphviz" in message
        assert "conda install" in message
        assert isinstance(caught.value, graphviz.ExecutableNotFound)  # code catching Graphviz's error still works
    assert neuron.o._repr_svg_() is None  # Jupyter falls back to the text repr


# -- real rendering --------------------------------------------------------------------------------


def svg_texts(svg: str) -> tuple[list[str], set[str]]:
    """The text pieces and the node titles (DOT ids) of a rendered SVG."""
    tree = ET.fromstring(svg)
    texts = [t.text or "" for t in tree.iter(f"{SVG}text")]
    titles = {g.findtext(f"{SVG}title") or "" for g in tree.iter(f"{SVG}g") if g.get("class") == "node"}
    return texts, titles


def test_rendered_svg_holds_the_labels(dot: str, neuron: Neuron) -> None:
    svg = draw(neuron.o, show_local=True, caption="a neuron").pipe(format="svg", encoding="utf-8")
    texts, titles = svg_texts(svg)
    assert titles == {f"v{i}" for i in range(10)} | {f"o{i}" for i, n in enumerate(topological_order(neuron.o)) if n.op}
    for expected in ["x1", "data 2", "grad -1.5", "o", "data 0.7071", "tanh", "×", "+", "local -3", "a neuron"]:
        assert expected in texts


def test_rendered_svg_shows_escaped_labels_as_typed(dot: str) -> None:
    label = NASTY.replace("\t", "")
    texts, _ = svg_texts(draw(Value(1.0, label=label) * 2, caption=label).pipe(format="svg", encoding="utf-8"))
    assert texts.count(label) == 2  # the box and the caption


def test_rendered_svg_shows_graphviz_names_as_typed(dot: str) -> None:
    # N=\N G=\G was drawn as "N=v1 G=autograd_mini": Graphviz read \N and \G as names.
    texts, _ = svg_texts(
        draw(Value(1.0, label=GRAPHVIZ_NAMES) * 2, caption=GRAPHVIZ_NAMES).pipe(format="svg", encoding="utf-8")
    )
    assert texts.count(GRAPHVIZ_NAMES) == 2


def test_a_label_of_20_kb_renders_cut(dot: str) -> None:
    # Over about 16 KB, dot refused the label and CalledProcessError escaped, even from _repr_svg_.
    x = Value(1.0, label="x" * 20_000)
    y = x * 2
    texts, _ = svg_texts(draw(y, caption="c" * 20_000).pipe(format="svg", encoding="utf-8"))
    assert "x" * (MAX_LABEL - 1) + "…" in texts and "c" * (MAX_LABEL - 1) + "…" in texts
    svg = y._repr_svg_()
    assert svg is not None and "x" * (MAX_LABEL - 1) + "…" in svg_texts(svg)[0]


def test_infinite_and_nan_gradients_render(dot: str) -> None:
    x, z = Value(0.0, label="x"), Value(0.0, label="z")
    y = x.sqrt() + z.sqrt() * z
    y.backward()  # dy/dx = sqrt'(0) = inf; dy/dz = sqrt'(0)·z + sqrt(z) = inf·0 + 0 = nan
    assert x.grad == math.inf and math.isnan(z.grad)
    texts, _ = svg_texts(draw(y, color_by_grad=True).pipe(format="svg", encoding="utf-8"))
    assert "grad inf" in texts and texts.count("grad nan") == 2  # z's box, and the legend's colour for NaN
    assert "paler = smaller |grad| (largest finite 1; grad ±inf in full colour)" in texts


def fake_dot(folder: Path, script: str) -> None:
    """A ``dot`` in ``folder`` that runs a shell script instead of Graphviz."""
    dot = folder / "dot"
    dot.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)


@pytest.fixture
def broken_dot(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """PATH starts with a folder where ``fake_dot`` can put a ``dot``."""
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    return tmp_path


def test_a_failing_dot_gives_none_for_jupyter_and_a_clear_error_for_pipe_and_render(
    broken_dot: Path, neuron: Neuron
) -> None:
    fake_dot(broken_dot, "echo 'Error: syntax error in line 1' >&2; exit 1")
    assert neuron.o._repr_svg_() is None and viz.svg_or_none(neuron.o) is None
    drawing = draw(neuron.o)
    for attempt in (lambda: drawing.pipe(format="svg"), lambda: drawing.render(broken_dot / "g", format="png")):
        with pytest.raises(GraphvizFailedError, match=r"\(exit status 1\): Error: syntax error in line 1") as caught:
            attempt()
        assert isinstance(caught.value.__cause__, subprocess.CalledProcessError)


def test_a_crashing_dot_is_named_by_its_signal_in_one_line(broken_dot: Path, neuron: Neuron) -> None:
    fake_dot(broken_dot, "echo 'Warning: first line' >&2; echo 'second line' >&2; kill -SEGV $$")
    with pytest.raises(GraphvizFailedError) as caught:
        draw(neuron.o).pipe(format="svg")
    assert str(caught.value) == "Graphviz's dot crashed drawing the graph (signal SIGSEGV): Warning: first line"
    assert caught.value.status == -signal.SIGSEGV and "second line" in caught.value.stderr


def test_what_dot_said_is_cut_to_one_short_line(broken_dot: Path, neuron: Neuron) -> None:
    fake_dot(broken_dot, "printf 'E%.0s' $(seq 1000) >&2; exit 3")
    with pytest.raises(GraphvizFailedError) as caught:
        draw(neuron.o).pipe(format="svg")
    message = str(caught.value)
    assert "\n" not in message and message.endswith("E…") and len(message) < 300
    assert len(caught.value.stderr) == 1000


def test_a_dot_that_hangs_gives_none_after_the_display_timeout(
    broken_dot: Path, neuron: Neuron, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A dot that answers after DOT_DELAY seconds: None is given where it was given up on, not waited for.
    answer = 'import os, time; time.sleep(float(os.environ["DOT_DELAY"])); print("<svg></svg>")'
    fake_dot(broken_dot, f"exec {sys.executable} -c '{answer}'")
    monkeypatch.setenv("DOT_DELAY", "0")
    monkeypatch.setattr(viz, "DISPLAY_TIMEOUT", 60.0)
    assert neuron.o._repr_svg_() == "<svg></svg>\n"  # this dot's answer, when it comes in time
    monkeypatch.setenv("DOT_DELAY", "30")
    monkeypatch.setattr(viz, "DISPLAY_TIMEOUT", 0.3)
    assert neuron.o._repr_svg_() is None  # waited for, it would have answered "<svg></svg>" after 30 s


@pytest.mark.parametrize(
    "failure",
    [subprocess.CalledProcessError(1, ["dot"], b"", b"Error"), subprocess.TimeoutExpired(["dot"], 1.0), OSError("no")],
)
def test_svg_or_none_swallows_every_failure_of_dot(
    neuron: Neuron, monkeypatch: pytest.MonkeyPatch, failure: Exception
) -> None:
    def run(*args: object, **kwargs: object) -> None:
        raise failure

    monkeypatch.setattr(viz.shutil, "which", lambda name: "/usr/bin/dot")
    monkeypatch.setattr(viz.subprocess, "run", run)
    assert viz.svg_or_none(neuron.o) is None


def test_jupyter_display_is_svg(dot: str, neuron: Neuron) -> None:
    bundle = draw(neuron.o)._repr_mimebundle_()
    assert "x1" in svg_texts(bundle["image/svg+xml"])[0]
    svg = neuron.o._repr_svg_()
    assert svg is not None and "grad -1.5" in svg_texts(svg)[0]


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_render_writes_png_svg_and_pdf(dot: str, neuron: Neuron, tmp_path: Path) -> None:
    drawing = draw(neuron.o, color_by_grad=True, show_local=True)
    png = Path(drawing.render(tmp_path / "graph", format="png"))
    width, height = png_size(png)
    assert width > height > 100  # LR layout: wider than tall, and not empty
    assert Path(drawing.render(tmp_path / "graph", format="svg")).read_text().startswith("<?xml")
    assert Path(drawing.render(tmp_path / "graph", format="pdf")).read_bytes().startswith(b"%PDF")


def test_clustered_mlp_renders(dot: str) -> None:
    model = TinyMLP()
    svg = draw(model([0.5, -1.0]), cluster=model).pipe(format="svg", encoding="utf-8")
    clusters_drawn = [g for g in ET.fromstring(svg).iter(f"{SVG}g") if g.get("class") == "cluster"]
    assert len(clusters_drawn) == 3
    assert "layers.1.neurons.0" in svg_texts(svg)[0]
