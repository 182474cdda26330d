"""A network as every course draws it: columns of neurons, one edge per weight, the sensitivities shown.

``draw_network(model, x)`` runs one input row through an MLP, backward from a root (a loss, or the
output), and draws inputs, hidden layers and outputs as columns, left to right, neurons in order
top to bottom. Each neuron shows its net input ``p = b + sum w x``, its activation ``A = A(p)``,
its sensitivity ``δ = d(root)/dp`` and its bias ``b``; each edge is a weight, as wide as
``|d(root)/dw|`` (or ``|w|``) and coloured by its sign. The numbers come from
``teach.sensitivities.read_sensitivities``: the ordinary scalar graph and the ordinary backward.

``draw_layers(model, x)`` is the view for deep networks: one cell per layer with the size of its
sensitivities (mean ``|δ|``, printed, and a bar and a colour on a log scale), cells wrapped into
rows like a text, so a hundred layers fit on one screen and vanishing gradients show at a glance.

>>> from autograd_mini import MLP
>>> drawing = draw_network(MLP(2, [3, 1], seed=0), [0.5, -1.0])
>>> sum("tooltip" in line for line in drawing.source.splitlines())     # one edge per weight: 2*3 + 3*1
9
"""

from __future__ import annotations

import html
import itertools
import math
from collections.abc import Callable, Sequence
from typing import Any

from .. import checks
from ..engine import Value
from ..nn import MLP
from ..numeric import short_number
from ..teach.sensitivities import NeuronReading, Reading, read_sensitivities
from .viz import FONT, LEAF_FILL, Drawing

__all__ = ["draw_layers", "draw_network"]

EDGES = ("grad", "weight")
MEASURES = ("mean", "max")
#: The largest network ``draw_network`` draws: at 1920x1080 its text stays at 18 px or more
#: (benchmarks/bench_pictures.py measures it). Larger ones are refused before any work.
MAX_COLUMN = 12  # neurons (or inputs) in one column
MAX_COLUMNS = 6  # columns: the inputs and every layer
MAX_WEIGHTS = 200  # edges: past that the thin ones blur into a grey wall
#: The most layers ``draw_layers`` draws, for the same reason.
MAX_LAYERS = 160
BAR = 80  # points: the length of a bar at the top of the log scale
DIGITS = 2  # significant digits of the numbers in a neuron: enough to compare, short enough to read
FONT_SIZE = "16"
POSITIVE = "#d6604d"  # red: > 0
NEGATIVE = "#4393c3"  # blue: < 0
OUTPUT_FILL = "#fff1b8"  # viz's root colour: the outputs feed the root
PALE, FULL = (0xFF, 0xF5, 0xEB), (0xFD, 0x8D, 0x3C)  # draw_layers' log scale, smallest to largest


def draw_network(
    model: MLP,
    x: Sequence[float],
    target: Any = None,
    *,
    loss: str | Callable[[list[Value], Any], Value] = "sse",
    root: Callable[[list[Value]], Value] | None = None,
    edges: str = "grad",
) -> Drawing:
    """The network view of ``model`` on the input row ``x``: layers as columns, weights as edges.

    Args:
        model: an ``autograd_mini.nn.MLP`` of at most MAX_COLUMNS columns (inputs included) of at
            most MAX_COLUMN neurons each; use ``draw_layers`` for deeper ones.
        x: one input row, ``model.nin`` finite numbers.
        target: the loss's target; the root is then ``loss(outputs, target)``. Without target
            and root, the root is the model's one output.
        loss: a name from ``teach.sensitivities.LOSSES`` ("sse" by default) or a function
            ``(outputs, target) -> Value``.
        root: a function from the outputs (a list of Values) to the root, instead of a loss.
        edges: "grad" to draw each weight as wide as ``|d(root)/dw|`` and coloured by its sign
            (what one step of gradient descent changes), or "weight" for ``|w|`` and the sign of w.

    Returns:
        A ``viz.Drawing`` (a ``graphviz.Digraph``): ``.source``, ``.render(...)``, Jupyter shows it.

    Raises:
        TypeError, ValueError: as ``read_sensitivities``, or a network too large to read (the
            message says what to draw instead), checked before any work.

    >>> from autograd_mini import MLP
    >>> source = draw_network(MLP(1, [1], seed=0), [2.0], edges="weight").source
    >>> "δ 1" in source and "width = |w|" in source       # the linear output is the root: δ = 1
    True
    """
    checks.instance(model, MLP, "model", "an autograd_mini.nn.MLP")
    checks.one_of(edges, "edges", EDGES)
    _check_network_size(model)
    reading = read_sensitivities(model, x, target, loss=loss, root=root)
    graph = Drawing(name="network", graph_attr=_graph_attrs(_network_legend(model, reading, edges)))
    graph.attr("node", fontname=FONT, fontsize=FONT_SIZE, shape="box", style="rounded,filled", fillcolor="white")
    graph.attr("edge", arrowhead="none")
    columns = [[f"x{k}" for k in range(model.nin)]]
    columns += [[f"n{i}_{j}" for j in range(len(layer))] for i, layer in enumerate(reading.layers)]
    headers = ["inputs", *(_layer_title(model, i) for i in range(len(reading.layers)))]
    for c, (names, header) in enumerate(zip(columns, headers, strict=True)):
        column = Drawing(name=f"column{c}", graph_attr={"rank": "same"})
        column.node(f"head{c}", _escaped(header), shape="plaintext", style="")
        for k, name in enumerate(names):
            label, attrs = _neuron_box(reading, c, k)
            column.node(name, label, **attrs)
        for upper, lower in zip([f"head{c}", *names], names, strict=False):
            column.edge(upper, lower, style="invis")  # keeps the column in order, top to bottom
        graph.subgraph(column)
    largest = _largest_edge(reading, edges)
    for i, layer in enumerate(reading.layers):
        for neuron in layer:
            for k, (w, g) in enumerate(zip(neuron.weights, neuron.weight_grads, strict=True)):
                shown = g if edges == "grad" else w
                graph.edge(columns[i][k], columns[i + 1][neuron.index], **_edge_attrs(shown, largest, w, g))
    return graph


def _check_network_size(model: MLP) -> None:
    sizes = [model.nin, *model.nouts]
    weights = sum(a * b for a, b in itertools.pairwise(sizes))
    if len(sizes) > MAX_COLUMNS or max(sizes) > MAX_COLUMN or weights > MAX_WEIGHTS:
        raise ValueError(
            f"model must have at most {MAX_COLUMNS} columns (inputs and layers) of at most {MAX_COLUMN} neurons and "
            f"at most {MAX_WEIGHTS} weights for a readable network view, got {model!r} ({len(sizes)} columns, "
            f"the widest {max(sizes)}, {weights} weights): "
            f"draw_layers(model, x) shows one cell per layer, read_sensitivities(model, x) gives every number"
        )


def _layer_title(model: MLP, i: int) -> str:
    last = i == len(model.layers) - 1
    return f"{'outputs' if last else f'layer {i + 1}'} ({model.layers[i].activation})"


def _neuron_box(reading: Reading, column: int, k: int) -> tuple[str, dict[str, str]]:
    """A column's k-th box: an input shows its number and d(root)/dx, a neuron its p, A, δ and b."""
    if column == 0:
        rows = [[f"x[{k}] {_num(reading.inputs[k])}"], [f"∂ {_num(reading.input_grads[k])}"]]
        return _table(rows), {"fillcolor": LEAF_FILL, "style": "filled"}
    neuron: NeuronReading = reading.layers[column - 1][k]
    bias = "no b" if neuron.bias is None else f"b {_num(neuron.bias)}"
    rows = [[f"p {_num(neuron.net_input)}", f"A {_num(neuron.activation)}"], [f"δ {_num(neuron.delta)}", bias]]
    is_output = column == len(reading.layers)
    return _table(rows), ({"fillcolor": OUTPUT_FILL, "peripheries": "2"} if is_output else {})


def _table(rows: list[list[str]]) -> str:
    cells = "".join(
        "<tr>" + "".join(f'<td align="left">{html.escape(text)}</td>' for text in row) + "</tr>" for row in rows
    )
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="2">{cells}</table>>'


def _num(x: float) -> str:
    return short_number(x, DIGITS)


def _largest_edge(reading: Reading, edges: str) -> float:
    found = (
        abs(v)
        for layer in reading.layers
        for n in layer
        for v in (n.weight_grads if edges == "grad" else n.weights)
        if math.isfinite(v)
    )
    return max(found, default=0.0)


def _edge_attrs(shown: float, largest: float, w: float, g: float) -> dict[str, str]:
    """Width 0.5 (zero) to 6 (the largest), the sign's colour, paler when thin: the wide edges stand out."""
    share = 1.0 if not math.isfinite(shown) else (abs(shown) / largest if largest > 0 else 0.0)
    colour = POSITIVE if shown > 0 else NEGATIVE if shown < 0 else "#999999"
    alpha = round(255 * (0.25 + 0.75 * share))
    return {
        "penwidth": f"{0.5 + 5.5 * share:.2f}",
        "color": f"{colour}{alpha:02x}",
        "tooltip": f"w {_num(w)}, ∂root/∂w {_num(g)}",
    }


def _network_legend(model: MLP, reading: Reading, edges: str) -> str:
    act = model.activation if len(model.layers) > 1 else model.output_activation
    sized = "|∂root/∂w|" if edges == "grad" else "|w|"
    signed = "∂root/∂w" if edges == "grad" else "w"
    lines = [
        f"root = {reading.root_text} = {_num(reading.root)}",
        f"p = b + Σ w·x (net input)    A = {act}(p)    δ = ∂root/∂p    ∂ = ∂root/∂x",
        f"edge = a weight w: width = {sized} (widest {_num(_largest_edge(reading, edges))}), "
        f"colour = sign of {signed}: red > 0, blue < 0",
    ]
    return "<" + "".join(f'{html.escape(line)}<br align="left"/>' for line in lines) + ">"


def _graph_attrs(label: str) -> dict[str, str]:
    return {
        "rankdir": "LR",
        "ranksep": "1.4",
        "nodesep": "0.12",
        "splines": "line",
        "outputorder": "edgesfirst",  # boxes drawn over the edges, so a crossing never hides a number
        "fontname": FONT,
        "fontsize": FONT_SIZE,
        "label": label,
        "labelloc": "b",
        "labeljust": "l",
    }


def _escaped(text: str) -> str:
    return f"<<b>{html.escape(text)}</b>>"


# -- the layer view -----------------------------------------------------------------------------


def draw_layers(
    model: MLP,
    x: Sequence[float],
    target: Any = None,
    *,
    loss: str | Callable[[list[Value], Any], Value] = "sse",
    root: Callable[[list[Value]], Value] | None = None,
    measure: str = "mean",
) -> Drawing:
    """The size of each layer's sensitivities δ, one cell per layer, on a log colour scale.

    Cells read like a text, left to right and top to bottom, from the first layer to the outputs;
    backward runs the other way. Each cell prints the layer's mean (or max) ``|δ|`` and shows it
    as a bar and a colour on a log scale from the smallest to the largest in the drawing, so a
    gradient that vanishes over a hundred layers is a fading of colour.

    Args:
        model: an ``autograd_mini.nn.MLP`` of at most MAX_LAYERS layers.
        x, target, loss, root: as ``draw_network``.
        measure: "mean" for the mean ``|δ|`` of each layer's neurons, "max" for the largest.

    Returns:
        A ``viz.Drawing`` (a ``graphviz.Digraph``).

    Raises:
        TypeError, ValueError: as ``read_sensitivities``, or a model of more than MAX_LAYERS layers.

    >>> from autograd_mini import MLP
    >>> source = draw_layers(MLP(2, [8] * 20 + [1], activation="sigmoid", seed=0), [1.0, -1.0]).source
    >>> "layer 20" in source and "outputs" in source
    True
    """
    checks.instance(model, MLP, "model", "an autograd_mini.nn.MLP")
    checks.one_of(measure, "measure", MEASURES)
    if len(model.layers) > MAX_LAYERS:
        raise ValueError(
            f"model must have at most {MAX_LAYERS} layers for a readable layer view, got {len(model.layers)}: "
            f"read_sensitivities(model, x) gives every layer's δ to plot or print"
        )
    reading = read_sensitivities(model, x, target, loss=loss, root=root)
    sizes = [_size([abs(n.delta) for n in layer], measure) for layer in reading.layers]
    graph = Drawing(name="layers", graph_attr={"fontname": FONT, "fontsize": FONT_SIZE})
    graph.attr("node", fontname=FONT, fontsize=FONT_SIZE)
    graph.node("layers", _layer_grid(model, reading, sizes, measure), shape="plaintext")
    return graph


def _size(deltas: list[float], measure: str) -> float:
    if any(math.isnan(d) for d in deltas):
        return math.nan
    return max(deltas) if measure == "max" else sum(deltas) / len(deltas)


def _decades(sizes: list[float]) -> tuple[int, int]:
    """The log scale's ends: whole powers of ten around the nonzero finite sizes."""
    seen = [s for s in sizes if s > 0 and math.isfinite(s)] or [1.0]
    low, high = math.floor(math.log10(min(seen))), math.ceil(math.log10(max(seen)))
    return low, max(high, low + 1)


def _share(size: float, low: int, high: int) -> float | None:
    """Where ``size`` sits on the log scale, 0 to 1; None for 0 or NaN (no place on it)."""
    if not size > 0:
        return None
    if math.isinf(size):
        return 1.0
    return min(max((math.log10(size) - low) / (high - low), 0.0), 1.0)


def _fill(share: float | None) -> str:
    if share is None:
        return "#ffffff"
    return "#" + "".join(f"{round(a + (b - a) * share):02x}" for a, b in zip(PALE, FULL, strict=True))


def _per_row(n: int) -> int:
    """Cells per row: about as many rows as columns (a cell is about twice as wide as tall), at least 10."""
    return min(n, max(10, math.ceil(math.sqrt(n))))


def _layer_grid(model: MLP, reading: Reading, sizes: list[float], measure: str) -> str:
    low, high = _decades(sizes)
    per_row = _per_row(len(sizes))
    last = len(sizes) - 1
    cells = [_cell("outputs" if i == last else f"layer {i + 1}", s, _share(s, low, high)) for i, s in enumerate(sizes)]
    rows = ["<tr>" + "".join(cells[k : k + per_row]) + "</tr>" for k in range(0, len(cells), per_row)]
    title = f"{measure} |δ| per layer, δ = ∂root/∂p, root = {reading.root_text} = {_num(reading.root)}"
    ratio = _ratio_text(sizes)
    head = f'<tr><td colspan="{per_row}" align="left"><b>{html.escape(title)}</b></td></tr>'
    note = f'<tr><td colspan="{per_row}" align="left">{html.escape(_model_text(model) + ratio)}</td></tr>'
    legend = f'<tr><td colspan="{per_row}" align="left">{_scale_legend(low, high)}</td></tr>'
    table = '<table border="0" cellborder="1" cellspacing="0" cellpadding="4" color="#bbbbbb">'
    return f"<{table}{head}{note}{''.join(rows)}{legend}</table>>"


def _cell(name: str, size: float, share: float | None) -> str:
    """A layer's cell: its name, its size, and a bar as long as its place on the log scale."""
    bar = 1 + round(78 * share) if share is not None else 0
    bar_cells = f'<td width="{bar}" height="6" bgcolor="#7f2704"></td>' if bar else ""
    bar_cells += f'<td width="{BAR - bar}" height="6"></td>'
    span = 2 if bar else 1
    inner = (
        '<table border="0" cellborder="0" cellspacing="0" cellpadding="1">'
        f'<tr><td colspan="{span}">{html.escape(name)}</td></tr><tr><td colspan="{span}">{_num(size)}</td></tr>'
        f"<tr>{bar_cells}</tr></table>"
    )
    return f'<td bgcolor="{_fill(share)}">{inner}</td>'


def _ratio_text(sizes: list[float]) -> str:
    first, final = sizes[0], sizes[-1]
    if not (final > 0 and math.isfinite(first) and math.isfinite(final)):
        return ""
    return f"; layer 1's is {short_number(first / final, 2)} × the outputs'"


def _model_text(model: MLP) -> str:
    return f"{model.nin} inputs, {len(model.layers)} layers ({model.activation}, outputs {model.output_activation})"


def _scale_legend(low: int, high: int) -> str:
    step = max(1, math.ceil((high - low) / 8))
    powers = [*range(low, high, step), high]
    swatches = "".join(f'<td bgcolor="{_fill((p - low) / (high - low))}">1e{p}</td>' for p in powers)
    return (
        '<table border="0" cellborder="1" cellspacing="0" cellpadding="3"><tr><td border="0">log scale:</td>'
        f'{swatches}<td bgcolor="#ffffff">0</td></tr></table>'
    )
