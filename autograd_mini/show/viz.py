"""Drawings of a computation graph with Graphviz: every value, its gradient, and the chain rule.

``draw(root)`` returns a ``graphviz.Digraph``: one box per Value (its label, ``data`` and
``grad``, rounded to 4 significant digits; a constant such as the 2 of ``x**2`` is titled by its
number, in a dashed box) and one small circle per operation, with edges
parent -> op -> result. Jupyter shows the result inline; ``.render("graph", format="png")``
writes a file; ``.source`` is the DOT text, which needs no Graphviz program at all.

Node names in the DOT source come from the topological order (``v0``, ``v1``, ... for values,
``o2``, ... for the op that made ``v2``), so drawing the same graph twice gives the same names:
frames of an animation line up.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = x * 3                     # v0 is the constant 3, v1 is x (topological order)
>>> [line.strip() for line in draw(y).source.splitlines() if "->" in line]
['v1 -> o2', 'v0 -> o2', 'o2 -> v2']
"""

from __future__ import annotations

import html
import math
import shutil
import signal
import subprocess
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any

from .. import checks
from ..engine import Value, topological_order
from ..names import node_names
from ..numeric import as_float, short_number
from .clusters import HasNamedParameters, clusters

try:
    import graphviz  # type: ignore[import-untyped]
except ImportError as error:
    raise checks.missing("graphviz", "autograd_mini.show.viz (draw)") from error

__all__ = ["GraphvizFailedError", "GraphvizNotFoundError", "draw"]

RANKDIRS = ("LR", "TB", "RL", "BT")
FONT = "Helvetica"
#: Longest text in one label (a value's name, a cluster's name, the caption), in characters: longer
#: text keeps its first MAX_LABEL - 1 characters and ends in "…". A box that wide is unreadable
#: already, and Graphviz refuses a label of more than 16 KB.
MAX_LABEL = 200
#: Longest time ``svg_or_none`` waits for Graphviz's ``dot``, in seconds: showing a value must not hang a notebook.
DISPLAY_TIMEOUT = 10.0

# Fills by kind of node; the root also gets a double border, constants a dashed one.
LEAF_FILL = "#dbe9f6"
CONST_FILL = "#f0f0f0"
INNER_FILL = "#ffffff"
ROOT_FILL = "#fff1b8"
OP_FILL = "#e8e8e8"
HIGHLIGHT = "#e66101"
HIGHLIGHT_FILL = "#fdd9b5"
# color_by_grad: white for 0, shading to these at the largest |grad| in the drawing.
POSITIVE = (0xEF, 0x8A, 0x62)
NEGATIVE = (0x67, 0xA9, 0xCF)
NAN_FILL = "#c2a5cf"  # a NaN gradient has no sign and no size: a colour off the red-white-blue scale

OP_SYMBOLS = {"*": "×", "/": "÷", "-": "−"}  # easier to read in a small circle; neg stays "neg"

INSTALL_HINT = (
    "Graphviz's `dot` program was not found on PATH, so the drawing cannot be rendered "
    "(its DOT text, `.source`, works without it). Install Graphviz, then check that `dot -V` runs:\n"
    "  Debian/Ubuntu: sudo apt-get install graphviz\n"
    "  macOS:         brew install graphviz\n"
    "  conda:         conda install -c conda-forge graphviz\n"
    "  Windows:       winget install graphviz (or https://graphviz.org/download/)"
)


class GraphvizNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]
    """Rendering requires Graphviz's ``dot`` program; this error says how to install it.

    It is a ``graphviz.ExecutableNotFound``, so code that catches Graphviz's own error still works.

    >>> print(GraphvizNotFoundError())  # doctest: +ELLIPSIS
    Graphviz's `dot` program was not found on PATH, ...
      Debian/Ubuntu: sudo apt-get install graphviz
    ...
    """

    def __init__(self, message: str = INSTALL_HINT) -> None:
        RuntimeError.__init__(self, message)


class GraphvizFailedError(RuntimeError):
    """Graphviz's ``dot`` ran but could not draw the graph; the message says what ``dot`` reported.

    The message is one line: the first line ``dot`` wrote, at most 200 characters of it, or, when
    ``dot`` itself crashed (it does, on some graphs with one value used hundreds of times), the
    signal that stopped it. ``status`` and ``stderr`` keep everything.

    >>> print(GraphvizFailedError(1, b"Error: out of memory\\n"))
    Graphviz's dot could not draw the graph (exit status 1): Error: out of memory
    >>> print(GraphvizFailedError(-11, b""))
    Graphviz's dot crashed drawing the graph (signal SIGSEGV): (silent)
    """

    def __init__(self, status: int, stderr: bytes | str | None) -> None:
        said = stderr.decode("utf-8", errors="replace") if isinstance(stderr, bytes) else stderr or ""
        self.status, self.stderr = status, said
        first = next((line.strip() for line in said.splitlines() if line.strip()), "(silent)")
        first = first if len(first) <= 200 else first[:199] + "…"
        super().__init__(f"Graphviz's dot {_how_it_ended(status)}: {first}")


def _how_it_ended(status: int) -> str:
    """'could not draw the graph (exit status 1)', or, for a negative status, the signal that killed it."""
    if status >= 0:
        return f"could not draw the graph (exit status {status})"
    try:
        signal_name = signal.Signals(-status).name
    except ValueError:
        signal_name = f"signal {-status}"
    return f"crashed drawing the graph (signal {signal_name})"


class Drawing(graphviz.Digraph):  # type: ignore[misc]
    """A ``graphviz.Digraph`` whose rendering errors say how to install a missing ``dot``, or what a failing one said.

    Everything else (``source``, ``render``, ``pipe``, Jupyter's ``_repr_mimebundle_``) is Graphviz's own.

    >>> from autograd_mini import Value
    >>> drawing = draw(Value(1.0, label="x"))
    >>> isinstance(drawing, graphviz.Digraph), "x" in drawing.source
    (True, True)
    """

    def pipe(self, *args: Any, **kwargs: Any) -> Any:
        """Graphviz's ``pipe``: the rendered bytes (or text, given ``encoding``); needs Graphviz's ``dot``.

        >>> from autograd_mini import Value
        >>> svg = draw(Value(1.0, label="x")).pipe(format="svg", encoding="utf-8")
        >>> svg.lstrip().startswith("<?xml"), ">x<" in svg
        (True, True)
        """
        with _explained_failures():
            return super().pipe(*args, **kwargs)

    def render(self, *args: Any, **kwargs: Any) -> Any:
        """Graphviz's ``render``: writes the file and returns its path; needs Graphviz's ``dot``.

        >>> import pathlib, tempfile
        >>> from autograd_mini import Value
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> written = draw(Value(1.0, label="x")).render(folder / "graph", format="png")
        >>> pathlib.Path(written).name, pathlib.Path(written).read_bytes()[:4]
        ('graph.png', b'\x89PNG')
        """
        with _explained_failures():
            return super().render(*args, **kwargs)


@contextmanager
def _explained_failures() -> Iterator[None]:
    """Graphviz's errors, explained: a missing ``dot`` says how to install it, a failing one what it reported."""
    try:
        yield
    except graphviz.ExecutableNotFound as missing:
        raise GraphvizNotFoundError() from missing
    except subprocess.CalledProcessError as failed:
        raise GraphvizFailedError(failed.returncode, failed.stderr) from failed


def draw(
    root: Value,
    *,
    rankdir: str = "LR",
    show_grad: bool = True,
    show_local: bool = False,
    color_by_grad: bool = False,
    cluster: HasNamedParameters | tuple[HasNamedParameters, str] | None = None,
    max_nodes: int = 500,
    grads: Mapping[Value, Any] | None = None,
    highlight: Iterable[Value] = (),
    highlight_edges: Iterable[tuple[Value, Value]] = (),
    caption: str | None = None,
    names: Mapping[Value, str] | None = None,
) -> graphviz.Digraph:
    """The computation graph below ``root`` as a Graphviz drawing.

    Labels, parameter names and the caption are drawn as typed (nothing in them is read as HTML
    or as Graphviz's ``\\N``-style names), cut at MAX_LABEL characters.

    Args:
        root: the value whose graph is drawn (drawn with a double border).
        rankdir: layout direction: "LR" (inputs on the left), "TB", "RL" or "BT".
        show_grad: write each value's gradient in its box.
        show_local: write each edge's local derivative d(result)/d(parent) on it.
        color_by_grad: shade boxes by the sign and size of their gradient, with a legend; an
            infinite gradient gets the full colour of its sign, a NaN one a colour of its own.
        cluster: a model (anything with ``named_parameters()``) to group its parameters and
            the operations they feed into one box per neuron; ``(model, "layer")`` groups per
            layer instead (``(model, "neuron")`` is the default).
        max_nodes: refuse (ValueError) graphs with more values than this.
        grads: show these gradients instead of ``.grad``; a value missing from the mapping
            shows ``grad ?`` (for drawings of a backward pass in progress).
        highlight: values drawn with a thick orange border.
        highlight_edges: (parent, result) pairs whose edges through the op are drawn orange.
        caption: a line of text under the drawing.
        names: the name to title each box with; None names every node as every text does
            (``names.node_names``: a label, else ``n1``, ``n2``, ... in reading order, a constant
            by its number). A node missing from the mapping is drawn without a name; given names win over a cluster's.

    Returns:
        A ``graphviz.Digraph``: ``.source`` is its DOT text, ``.render(name, format="png")``
        writes a file, and Jupyter displays it inline.

    >>> from autograd_mini import Value
    >>> a = Value(3.0, label="a")
    >>> b = a * a
    >>> b.backward()
    >>> source = draw(b, show_local=True).source
    >>> [line.strip() for line in source.splitlines() if "->" in line]   # a * a: two edges
    ['v0 -> o1 [label=<local 3>]', 'v0 -> o1 [label=<local 3>]', 'o1 -> v1']
    >>> "grad 6" in source            # db/da = 2a
    True
    """
    order = _checked_order(root, rankdir, max_nodes)
    index = {node: i for i, node in enumerate(order)}
    marked = _checked_values(highlight, index, "highlight")
    marked_edges = _checked_edges(highlight_edges, index)
    shown = _grads_to_show(order, grads) if show_grad or color_by_grad else {}
    largest = _largest_finite(shown.values())
    groups, short = clusters(order, cluster) if cluster is not None else ({}, {})
    titles = {**node_names(root), **short} if names is None else {**short, **_checked_names(names)}

    graph = Drawing(name="autograd_mini", graph_attr=_graph_attrs(rankdir, caption))
    graph.attr("node", fontname=FONT, fontsize="11")
    graph.attr("edge", fontname=FONT, fontsize="9", color="#555555", arrowsize="0.6")
    subgraphs = {name: Drawing(name=f"cluster_{k}") for k, name in enumerate(sorted(set(groups.values())))}
    for name, sub in subgraphs.items():
        sub.attr(label=_html(name), style="rounded,dashed", color="#888888", fontname=FONT, fontsize="10")
    for i, node in enumerate(order):
        where = subgraphs[groups[node]] if node in groups else graph
        fill = _grad_fill(shown.get(node), largest) if color_by_grad else None
        box = box_attrs(node, is_root=node is root, is_marked=node in marked, fill=fill)
        grad_text = _grad_text(shown, node) if show_grad else None
        where.node(f"v{i}", box_label(node, titles.get(node, ""), grad_text), **box)
        if node.parents:
            where.node(f"o{i}", _html(OP_SYMBOLS.get(node.op, node.op)), **_op_attrs(node))
    for i, node in enumerate(order):
        _add_edges(graph, i, node, index, show_local, marked_edges)
    for sub in subgraphs.values():
        graph.subgraph(sub)
    if color_by_grad:
        graph.node("legend", _legend(shown.values(), largest), shape="plaintext")
    return graph


# -- checking the arguments -------------------------------------------------------------------


def svg_or_none(root: Value) -> str | None:
    """The drawing of ``root``'s graph as SVG text, or None where it cannot be drawn.

    None when the graph is too large, Graphviz's ``dot`` is missing, fails, or takes longer than
    DISPLAY_TIMEOUT seconds: Jupyter then shows the Value's text instead (``Value._repr_svg_``),
    so displaying a value never fails and never hangs.

    >>> svg_or_none(Value(1.0, label="x")).startswith("<?xml")   # needs Graphviz's ``dot``
    True
    """
    dot = shutil.which("dot")
    if dot is None:
        return None
    try:
        source = draw(root).source.encode("utf-8")
        done = subprocess.run([dot, "-Tsvg"], input=source, capture_output=True, timeout=DISPLAY_TIMEOUT, check=True)
        svg: bytes = done.stdout
        return svg.decode("utf-8")
    except Exception:  # a display hook: whatever went wrong, the text repr is shown instead
        return None


def _checked_order(root: Value, rankdir: str, max_nodes: int) -> list[Value]:
    checks.instance(root, Value, "draw's root")
    checks.one_of(rankdir, "rankdir", RANKDIRS)
    checks.count(max_nodes, "max_nodes")
    order = topological_order(root)
    if len(order) > max_nodes:
        raise ValueError(
            f"the graph has {len(order)} values, more than max_nodes={max_nodes}: a drawing that large is "
            f"unreadable. Draw a smaller expression, or pass draw(root, max_nodes={len(order)}) to draw it anyway."
        )
    return order


def _checked_names(names: Any) -> Mapping[Value, str]:
    if not isinstance(names, Mapping):
        raise TypeError(f"names must be a mapping from Value to str, got {type(names).__name__}: {checks.shown(names)}")
    for node, name in names.items():
        if not isinstance(name, str):
            raise TypeError(f"names[{node!r}] must be a str, got {type(name).__name__}: {checks.shown(name)}")
    return names


def _checked_values(values: Iterable[Value], index: Mapping[Value, int], what: str) -> set[Value]:
    checked = set()
    for value in values:
        if not isinstance(value, Value):
            raise TypeError(f"{what} must hold Values, got {type(value).__name__}: {checks.shown(value)}")
        if value not in index:
            raise ValueError(f"{what} must hold Values of the graph drawn, got {checks.shown(value)}: not in it")
        checked.add(value)
    return checked


def _checked_edges(pairs: Iterable[tuple[Value, Value]], index: Mapping[Value, int]) -> set[tuple[Value, Value]]:
    checked = set()
    for pair in pairs:
        if not (isinstance(pair, tuple) and len(pair) == 2):
            raise TypeError(f"highlight_edges must hold (parent, result) pairs, got {checks.shown(pair)}")
        parent, result = pair
        _checked_values(pair, index, "highlight_edges")
        if not any(p is parent for p in result.parents):
            raise ValueError(
                f"highlight_edges must hold (parent, result) pairs, got {checks.shown(pair)}: "
                f"{parent!r} is not a parent of {result!r}"
            )
        checked.add((parent, result))
    return checked


# -- what each box says ------------------------------------------------------------------------


def _grads_to_show(order: list[Value], grads: Mapping[Value, Any] | None) -> dict[Value, float | None]:
    """Each node's gradient as shown: from ``grads`` if given (None where missing), else ``.grad``."""
    if grads is None:
        return {node: as_float(node.grad) for node in order}
    if not isinstance(grads, Mapping):
        raise TypeError(
            f"grads must be a mapping from Value to gradient, got {type(grads).__name__}: {checks.shown(grads)}"
        )
    return {node: as_float(grads[node]) if node in grads else None for node in order}


def _grad_text(shown: Mapping[Value, float | None], node: Value) -> str:
    grad = shown.get(node)
    return "grad ?" if grad is None else f"grad {short_number(grad)}"


def _text(text: str) -> str:
    """``text`` for an HTML label: shown as typed, nothing parsed (``< > & "`` escaped, newlines kept).

    Control characters other than newlines are written as ``\\xNN``: Graphviz would reject or drop
    them. Backslashes are doubled: even in HTML labels Graphviz reads ``\\N`` as the node's name,
    ``\\G`` as the graph's, and so on. Text longer than MAX_LABEL characters is cut, ending in "…".
    """
    if len(text) > MAX_LABEL:
        text = text[: MAX_LABEL - 1] + "…"
    shown = "".join(c if c == "\n" or c.isprintable() else f"\\x{ord(c):02x}" for c in text)
    return html.escape(shown).replace("\\", "\\\\").replace("\n", "<br/>")


def _html(text: str) -> str:
    """``text`` as a Graphviz HTML label."""
    return f"<{_text(text)}>"


def box_label(node: Value, name: str, grad_text: str | None) -> str:
    """A box's label, as a Graphviz HTML label: its name (in bold; none if ""), data, and ``grad_text``.

    A constant is marked "constant" in place of its data line, since its name is its number (``2``,
    or ``2'`` where it repeats). Its grad line stays: backward computes it (how the root would move
    if the number did), and a step-by-step caption states it, so the box agrees with the caption.

    >>> from autograd_mini import Value
    >>> box_label(Value(2.0), "x", "grad 1")  # doctest: +ELLIPSIS
    '<<table ...><tr><td><b>x</b></td></tr><tr><td>data 2</td></tr><tr><td>grad 1</td></tr></table>>'
    """
    rows = [f"<b>{_text(name)}</b>"] if name else []
    rows.append('<font color="#777777">constant</font>' if node.op == "const" else f"data {short_number(node.data)}")
    if grad_text is not None:
        rows.append(grad_text)
    cells = "".join(f"<tr><td>{row}</td></tr>" for row in rows)
    return f'<<table border="0" cellborder="0" cellspacing="0" cellpadding="1">{cells}</table>>'


def box_attrs(
    node: Value, *, is_root: bool = False, is_marked: bool = False, fill: str | None = None
) -> dict[str, str]:
    """A box's Graphviz attributes. Leaves: square corners, blue; constants: dashed, grey; results:
    rounded; the root: a double border; a highlighted box (``is_marked``): thick orange; ``fill``: its colour.

    >>> box_attrs(Value(1.0) * 2)["style"]
    'filled,rounded'
    """
    if node.op == "":
        attrs = {"shape": "box", "style": "filled", "fillcolor": LEAF_FILL}
    elif node.op == "const":
        attrs = {"shape": "box", "style": "filled,dashed", "fillcolor": CONST_FILL, "fontsize": "10"}
    else:
        attrs = {"shape": "box", "style": "filled,rounded", "fillcolor": INNER_FILL}
    if is_root:
        attrs.update(fillcolor=ROOT_FILL, peripheries="2")
    if is_marked:
        attrs.update(color=HIGHLIGHT, penwidth="3", fillcolor=HIGHLIGHT_FILL)
    if fill is not None:
        attrs["fillcolor"] = fill
    return attrs


def _op_attrs(node: Value) -> dict[str, str]:
    # ordering="in" keeps a binary op's arguments in order (first on top in LR): a - b is not b - a.
    return {
        "shape": "circle" if len(node.op) <= 2 else "ellipse",
        "style": "filled",
        "fillcolor": OP_FILL,
        "color": "#999999",
        "fontsize": "12" if len(node.op) <= 2 else "10",
        "width": "0.3",
        "height": "0.3",
        "margin": "0.02",
        "ordering": "in",
    }


def _add_edges(
    graph: graphviz.Digraph,
    i: int,
    node: Value,
    index: Mapping[Value, int],
    show_local: bool,
    marked: set[tuple[Value, Value]],
) -> None:
    """parent -> op for each argument (twice for a * a), then op -> result."""
    emphasis = {"color": HIGHLIGHT, "penwidth": "2.5"}
    for parent, local in zip(node.parents, node.local_grads, strict=True):
        attrs = dict(emphasis) if (parent, node) in marked else {}
        if show_local:
            attrs["label"] = _html(f"local {short_number(as_float(local))}")
        graph.edge(f"v{index[parent]}", f"o{i}", **attrs)
    if node.parents:
        used = any(pair[1] is node for pair in marked)
        graph.edge(f"o{i}", f"v{i}", **(emphasis if used else {}))


def _graph_attrs(rankdir: str, caption: str | None) -> dict[str, str]:
    attrs = {"rankdir": rankdir, "nodesep": "0.25", "ranksep": "0.35", "fontname": FONT}
    if caption is not None:
        if not isinstance(caption, str):
            raise TypeError(f"caption must be a str, got {type(caption).__name__}: {caption!r}")
        attrs.update(label=_html(caption), labelloc="b", fontsize="13")
    return attrs


# -- colour by gradient ------------------------------------------------------------------------


def _largest_finite(grads: Iterable[float | None]) -> float:
    """The largest finite |grad|, 0 if there is none: the end of the colour scale."""
    return max((abs(g) for g in grads if g is not None and math.isfinite(g)), default=0.0)


def _grad_fill(grad: float | None, largest: float) -> str:
    """White for 0 (or unknown), shading to red (positive) or blue (negative) at the largest finite |grad|.

    An infinite gradient gets the full colour of its sign, a NaN one a colour of its own.
    """
    if grad is None or grad == 0:
        return "#ffffff"
    if math.isnan(grad):
        return NAN_FILL
    end = POSITIVE if grad > 0 else NEGATIVE
    share = 1.0 if math.isinf(grad) else (abs(grad) / largest) ** 0.5  # square root: small gradients stay visible
    share = 0.15 + 0.85 * share
    mixed = (round(255 + (c - 255) * share) for c in end)
    return "#" + "".join(f"{c:02x}" for c in mixed)


def _legend(grads: Iterable[float | None], largest: float) -> str:
    """The colour scale, with the largest finite |grad| it reaches; infinities and NaNs are named when present."""
    shown = [g for g in grads if g is not None]
    cells = [
        ("grad &lt; 0", _grad_fill(-math.inf, largest)),
        ("grad = 0", "#ffffff"),
        ("grad &gt; 0", _grad_fill(math.inf, largest)),
    ]
    if any(math.isnan(g) for g in shown):
        cells.append(("grad nan", NAN_FILL))
    note = f"paler = smaller |grad| (largest {short_number(largest)})"
    if any(math.isinf(g) for g in shown):
        note = f"paler = smaller |grad| (largest finite {short_number(largest)}; grad ±inf in full colour)"
    row = "".join(f'<td bgcolor="{fill}">{text}</td>' for text, fill in cells)
    return (
        '<<table border="0" cellborder="1" cellspacing="0" cellpadding="4">'
        f'<tr>{row}</tr><tr><td colspan="{len(cells)}">{note}</td></tr></table>>'
    )
