"""The backward pass as pictures: one Graphviz drawing per step, and a page that plays them.

Frame 0 is the forward pass: every value is known, no gradient yet (``grad ?``). Then one frame
per step of :func:`~autograd_mini.steps.trace_backward`: the node being worked on is drawn in
orange with the edges to its parents, and the caption spells out the chain-rule arithmetic of the
step. A box shows what its caption says, at the same frame: every parent that receives a
contribution shows its running sum. A value used by several operations gets one contribution back
along each edge leaving it; until the last one arrives its box is dashed and says
``partial: i of k``. From the last one on, the sum is final and never changes: backward adds each
path's share once, where it arrives, instead of walking every path again (the memoization). The
last frame shows every gradient, the same numbers ``backward()`` gives.

>>> from autograd_mini import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> [state.current for state in frame_states(c)]   # the forward pass, then one step per node
['', 'c', 'a', 'b']

A frame is stored as what it changes (one running sum per edge of its step), not as a copy of
everything it shows: the states of a graph of n values and e edges take O(n + e) memory, and
``replay`` rebuilds each frame's boxes in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .. import checks
from ..engine import Value, topological_order
from ..names import node_names
from ..numeric import short_number
from ..steps import Step, trace_backward
from .clusters import LabelledParameters, brief_names, clusters
from .page import Frame, Prediction, StepPage, caption_shape, check_interval, page_html
from .viz import RANKDIRS, Drawing, box_attrs, box_label, draw

__all__ = ["FrameState", "Shown", "backward_frames", "backward_page", "frame_states", "replay"]

# 100 values: about 2 s and 5 MB of HTML for a 60-value graph already; the size grows as the square.
MAX_NODES = 100
# A running sum still waiting for contributions: dashed purple border, pale purple fill. Not grey:
# draw() already gives constants a dashed grey box.
PARTIAL_BORDER = "#7b3294"
PARTIAL_FILL = "#f1e8f6"
#: Node text (CSS px) a step page must reach on a 1920x1080 projector, in projector mode: smaller is
#: unreadable from a lecture room's back rows, and such a graph is refused.
MIN_TEXT_PX = 12.0
NODE_FONT_PT = 11  # draw's font size for a box's text
# The drawing's room in projector mode at 1920x1080, CSS px: the window less the padding, the
# controls and the caption (as many lines as its longest caption, at the size page.css gives it).
PROJECTOR_WIDTH, PROJECTOR_HEIGHT, PROJECTOR_CONTROLS = 1920 - 39, 1080 - 20, 80


@dataclass(frozen=True)
class Shown:
    """What a box says about its gradient: the running sum, and how many of its contributions are in."""

    grad: float  # d(root)/d(node) summed over the contributions arrived so far
    arrived: int
    uses: int  # contributions it gets in all: one per edge leaving it (the root: its seed 1)

    @property
    def is_final(self) -> bool:
        """Every contribution is in: ``grad`` is the gradient, and stays so."""
        return self.arrived == self.uses

    @property
    def mark(self) -> str:
        """The line a box adds under a running sum that is not final yet, e.g. ``partial: 1 of 2``."""
        return "" if self.is_final else f"partial: {self.arrived} of {self.uses}"


@dataclass(frozen=True)
class FrameState:
    """What one frame changes from the frame before it: running sums, the highlight, the caption.

    A frame shows the latest running sum of every box that has received a contribution: its own
    ``changes`` and those of every frame before it (``replay`` puts them together). Every other
    box shows "grad ?".
    """

    node: Value | None  # the node whose step this is; None: the forward pass
    changes: tuple[tuple[Value, Shown], ...]  # in the order the caption states them
    highlight_edges: tuple[tuple[Value, Value], ...]
    caption: str
    current: str  # the name of the highlighted node, "" for the forward-pass frame

    @property
    def highlight(self) -> tuple[Value, ...]:
        """The node being worked on at this frame (none in the forward pass)."""
        return () if self.node is None else (self.node,)


def frame_states(root: Value, names: Mapping[Value, str] | None = None) -> list[FrameState]:
    """The content of every frame: the forward pass, then one per backward step.

    Args:
        root: the output whose backward pass is shown.
        names: what the captions call each node; None: ``names.node_names``.

    Returns:
        ``len(trace_backward(root)) + 1`` states, each holding only the running sums it changes.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x                       # x is used twice: dy/dx = 3 + 3, final at the second
    >>> y.label = "y"
    >>> [[(shown.grad, shown.mark) for _, shown in state.changes] for state in frame_states(y)]
    [[], [(1.0, ''), (3.0, 'partial: 1 of 2'), (6.0, '')], []]
    """
    steps = trace_backward(_checked_root(root))
    if names is not None:
        shared = dict(names)
        steps = [replace(step, names=shared) for step in steps]
    names = steps[0].names
    states = [FrameState(None, (), (), _forward_caption(names[root]), "")]
    for step in steps:
        edges = tuple((edge.parent, step.node) for edge in step.edges)
        states.append(FrameState(step.node, _changes(step), edges, step.caption(), names[step.node]))
    return states


def _changes(step: Step) -> tuple[tuple[Value, Shown], ...]:
    """The running sums a step's caption states: each parent's after its contribution (and the root's seed)."""
    sums = tuple((edge.parent, Shown(edge.total, edge.arrival, edge.uses)) for edge in step.edges)
    return ((step.node, Shown(step.upstream, 1, 1)), *sums) if step.index == 0 else sums


def replay(states: Iterable[FrameState]) -> Iterator[tuple[FrameState, Mapping[Value, Shown]]]:
    """Each state with what every box shows at its frame, built up one change at a time.

    The mapping is one read-only view of one dict that grows as the frames go by: use it before
    taking the next pair, or keep a copy (``dict(shown)``).

    Args:
        states: frame states, in order, as ``frame_states`` gives them.

    Returns:
        An iterator of (state, running sum of every box reached so far) pairs.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> [sorted(s.grad for s in shown.values()) for _, shown in replay(frame_states(y))]
    [[], [1.0, 6.0], [1.0, 6.0]]
    """
    boxes: dict[Value, Shown] = {}
    view = MappingProxyType(boxes)
    for state in states:
        boxes.update(state.changes)
        yield state, view


def _checked_root(root: Any) -> Value:
    return checks.instance(root, Value, "the root of backward frames")


def _forward_caption(root: str) -> str:
    return (
        "Forward pass done: every box shows its value (data), no gradient yet (grad ?).\n"
        f"Backward starts at {root} with d{root}/d{root} = 1 and works back towards the inputs."
    )


def backward_frames(
    root: Value, *, rankdir: str | None = None, max_nodes: int = MAX_NODES, min_text_px: float = MIN_TEXT_PX
) -> list[Frame]:
    """The backward pass of ``root`` as SVG frames (needs Graphviz's ``dot``).

    Unlabelled values are drawn with the names the captions use (``n1``, ``n2``, ... in reading
    order, constants as their number), so every name in a caption can be found in the picture. A
    model's parameters (labelled ``layers.0.neurons.1.w.0`` by ``nn``) sit in one box per neuron,
    called briefly (``w0``, ``b``; ``L0N1.w0`` where several neurons have one), in the boxes and
    the captions alike. Every box has the size of the widest text it ever holds, from the first
    frame to the last, so nothing moves as the gradients fill in.

    Args:
        root: the output whose backward pass is shown.
        rankdir: layout direction of the drawings, as for :func:`~autograd_mini.show.viz.draw`;
            None picks "LR" or "TB", whichever draws the text larger on a 16:9 projector.
        max_nodes: refuse (ValueError) graphs with more values than this, before drawing anything.
        min_text_px: refuse (ValueError) graphs whose box text would be smaller than this, in CSS
            px, in projector mode on a 1920x1080 screen (checked before any frame is drawn);
            0 refuses none.

    Returns:
        One Frame for the forward pass, then one per backward step.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> frames = backward_frames(y)
    >>> len(frames), frames[-1].caption, "grad 6" in frames[-1].svg
    (3, 'dn1/dx = 6 (an input: nothing further back)', True)
    """
    _check_size(root, max_nodes)  # before any frame is made: the work grows as the square of the size
    if rankdir is not None:
        checks.one_of(rankdir, "rankdir", RANKDIRS)
    min_text_px = checks.non_negative(min_text_px, "min_text_px")
    order = topological_order(root)
    ids = {node: f"v{i}" for i, node in enumerate(order)}  # draw's names for the boxes
    names = brief_names(order, node_names(root))  # the captions' names, drawn in the boxes
    states = frame_states(root, names)
    page = _Page(root, ids, names, max_nodes, LabelledParameters(order))
    page.fit(states, rankdir, min_text_px)
    return [
        Frame(page.svg(shown, state), state.caption, state.current, _asked(state, names, names[root]))
        for state, shown in replay(states)
    ]


class _Page:
    """The drawings of one page: one layout direction and one size per box, chosen once for every frame."""

    def __init__(
        self, root: Value, ids: dict[Value, str], names: dict[Value, str], max_nodes: int, model: LabelledParameters
    ) -> None:
        self.root, self.ids, self.names, self.max_nodes = root, ids, names, max_nodes
        self.cluster = model if model.pairs else None
        self.rankdir = "LR"
        self.sizes: dict[str, tuple[float, float]] = {}  # box id -> width, height in inches
        order = list(ids)
        groups = clusters(order, model)[0] if model.pairs else {}
        # An edge from one neuron's box into another's is one rank longer, so that the boxes of two
        # layers stand side by side instead of overlapping by a rank and stacking (twice as high).
        self.spacers = [
            (ids[parent], f"o{i}")
            for i, node in enumerate(order)
            for parent in node.parents
            if parent in groups and node in groups and groups[parent] != groups[node]
        ]

    def drawing(self, shown: Mapping[Value, Shown], state: FrameState) -> Drawing:
        """One frame's drawing: what each box shows at that frame, each box at its fixed size."""
        drawing: Drawing = draw(
            self.root,
            rankdir=self.rankdir,
            grads={node: box.grad for node, box in shown.items()},
            highlight=state.highlight,
            highlight_edges=state.highlight_edges,
            max_nodes=self.max_nodes,
            names=self.names,
            cluster=self.cluster,
        )
        for node, box in shown.items():
            if not box.is_final:  # a later statement for the same box replaces its label and style
                drawing.node(self.ids[node], **_partial_attrs(node, self.names[node], box))
        # Every attribute a frame may set, declared before anything else: dot 2.43 lays a graph out
        # differently once a node brings an attribute in first (a highlight's color and penwidth).
        drawing.body.insert(0, '\tnode [color="#000000" penwidth=1]\n\tedge [penwidth=1]\n')
        for parent, op in self.spacers:
            drawing.edge(parent, op, style="invis", minlen="2")
        drawing.attr("graph", ranksep="0.3", nodesep="0.2")  # a little tighter than draw's: larger text
        for box_id, (width, height) in self.sizes.items():
            drawing.node(box_id, width=f"{width:.3f}", height=f"{height:.3f}", fixedsize="true")
        return drawing

    def svg(self, shown: Mapping[Value, Shown], state: FrameState) -> str:
        """One frame's drawing, rendered at once: only its SVG text is kept."""
        svg: str = self.drawing(shown, state).pipe(format="svg", encoding="utf-8")
        return svg

    def fit(self, states: list[FrameState], rankdir: str | None, min_text_px: float) -> None:
        """Fix each box's size to the widest and tallest text it will hold, then pick the direction.

        Three or four runs of ``dot`` on the forward-pass drawing, before any frame is drawn.
        """
        lines = _grad_lines(states)
        first = self.drawing({}, states[0])
        for node, texts in lines.items():  # every text a box will hold, stacked: its widest
            first.node(self.ids[node], label=box_label(node, self.names[node], "<br/>".join(texts)))
        widths = _plain(first)[1]
        first = self.drawing({}, states[0])
        for node, texts in lines.items():  # the text with the most lines: its tallest
            tallest = max(texts, key=lambda text: text.count("<br/>"))
            first.node(self.ids[node], label=box_label(node, self.names[node], tallest))
        heights = _plain(first)[1]
        # A hair over what dot measured: its figures are rounded, and a fixed box must not clip its text.
        self.sizes = {box: (widths[box][0] + 0.02, heights[box][1] + 0.02) for box in self.ids.values()}
        fits = {}
        for direction in (rankdir,) if rankdir is not None else ("LR", "TB"):
            self.rankdir = direction
            fits[direction] = _projector_text_px(_plain(self.drawing({}, states[0]))[0], states)
        self.rankdir = max(fits, key=lambda direction: fits[direction])
        if fits[self.rankdir] < min_text_px:
            count = len(self.ids)
            raise ValueError(
                f"the graph has {count} values: on a 1920x1080 projector its step-by-step page would draw their "
                f"text {fits[self.rankdir]:.1f} px high, less than min_text_px={min_text_px:g}, too small to read. "
                "Show a model as its network instead, autograd_mini.draw_network(model, x), or a smaller expression "
                "(min_text_px=0 draws the page anyway)."
            )


def _grad_lines(states: list[FrameState]) -> dict[Value, list[str]]:
    """Every grad line each box shows over the frames, in order: "grad ?" first, then its running sums."""
    lines: dict[Value, list[str]] = {}
    for state in states:
        for node, box in state.changes:
            lines.setdefault(node, ["grad ?"]).append(_grad_line(box))
    return lines


def _plain(drawing: Drawing) -> tuple[tuple[float, float], dict[str, tuple[float, float]]]:
    """The laid-out drawing's size and each node's, in inches, from ``dot``'s plain output."""
    text: str = drawing.pipe(format="plain", encoding="utf-8")
    size, nodes = (0.0, 0.0), {}
    for line in text.splitlines():
        words = line.split(" ", 6)
        if words[0] == "graph":
            size = (float(words[2]), float(words[3]))
        elif words[0] == "node":
            nodes[words[1]] = (float(words[4]), float(words[5]))
    return size, nodes


def _projector_text_px(size: tuple[float, float], states: list[FrameState]) -> float:
    """How high a box's text is drawn on a 1920x1080 projector (CSS px): the drawing scaled to fit the room left."""
    lines, chars = caption_shape([state.caption for state in states])
    caption_px = min(PROJECTOR_WIDTH / 1920 * 36.48, (PROJECTOR_WIDTH - 50) / (chars * 0.62))  # as page.css
    room = PROJECTOR_HEIGHT - PROJECTOR_CONTROLS - lines * 1.3 * caption_px - 30
    width, height = (max(side * 72, 1.0) for side in size)  # in points: one unit of the SVG
    return NODE_FONT_PT * min(PROJECTOR_WIDTH / width, room / height)


def _asked(state: FrameState, names: Mapping[Value, str], output: str) -> tuple[Prediction, ...]:
    """What predict mode asks before this frame: each running sum its caption states, with that caption line.

    The caption has one line per change (the root's seed, then one per edge); a leaf's step changes nothing.
    """
    lines = state.caption.splitlines()
    if len(lines) != len(state.changes):  # a name with a line break in it: give the whole caption
        lines = [state.caption] * len(state.changes)
    return tuple(
        Prediction(_prompt(output, names[node], shown), shown.grad, line)
        for (node, shown), line in zip(state.changes, lines, strict=True)
    )


def _prompt(output: str, name: str, shown: Shown) -> str:
    """``dL/da``; for a value used several times, which running sum: ``dL/da after 1 of 2``."""
    head = f"d{output}/d{name}"
    return head if shown.uses == 1 else f"{head} after {shown.arrived} of {shown.uses}"


def _partial_attrs(node: Value, name: str, box: Shown) -> dict[str, str]:
    """A box whose sum still waits for contributions: dashed purple, its grad line marked partial."""
    attrs = box_attrs(node)  # never the root, never the highlighted node: both are final
    style = attrs["style"] if "dashed" in attrs["style"] else f"{attrs['style']},dashed"
    attrs.update(style=style, fillcolor=PARTIAL_FILL, color=PARTIAL_BORDER, penwidth="2")
    return {"label": box_label(node, name, _grad_line(box)), **attrs}


def _grad_line(box: Shown) -> str:
    """The grad line of a box (HTML): its running sum, and under a sum that is not final the partial mark."""
    line = f"grad {short_number(box.grad)}"
    return line if box.is_final else f'{line}<br/><font color="{PARTIAL_BORDER}"><i>{box.mark}</i></font>'


def _check_size(root: Value, max_nodes: int) -> None:
    """A page of n values holds n + 1 drawings of n boxes: it grows as n², and stops being readable long before."""
    _checked_root(root)
    checks.count(max_nodes, "max_nodes")
    count = len(topological_order(root))
    if count > max_nodes:
        raise ValueError(
            f"the graph has {count} values, more than max_nodes={max_nodes}: its step-by-step page would hold "
            f"{count + 1} drawings of {count} boxes each, too small to read. Show a model as its network instead, "
            f"autograd_mini.draw_network(model, x), or a smaller expression, or pass max_nodes={count}."
        )


def backward_page(
    root: Value,
    path: str | Path | None = None,
    *,
    title: str = "Backward pass, step by step",
    rankdir: str | None = None,
    interval_ms: int = 1200,
    max_nodes: int = MAX_NODES,
    min_text_px: float = MIN_TEXT_PX,
) -> StepPage:
    """One self-contained HTML page that plays the backward pass of ``root`` step by step.

    The page embeds every frame as SVG and loads nothing from the network: open the file in any
    browser, offline. In Jupyter, the returned page shows inline.
    Drawing the frames needs Graphviz's ``dot``.

    Args:
        root: the output whose backward pass is shown.
        path: where to write the page (UTF-8); None writes nothing.
        title: the page heading.
        rankdir: layout direction of the drawings; None picks "LR" or "TB" by the graph's shape,
            whichever draws the text larger on a 16:9 projector.
        interval_ms: milliseconds between frames while playing, from MIN_INTERVAL_MS (10) to
            MAX_INTERVAL_MS (60,000).
        max_nodes: refuse (ValueError) graphs with more values than this.
        min_text_px: refuse (ValueError) graphs whose box text would be drawn smaller than this
            (CSS px) in projector mode on a 1920x1080 screen; 0 refuses none.

    Returns:
        A StepPage: ``.html`` is the page, ``.path`` the file written (or None).

    Raises:
        ValueError: the graph has more than ``max_nodes`` values, its text would be smaller than
            ``min_text_px``, or an option is out of range; checked before any frame is drawn.
        GraphvizNotFoundError: Graphviz's ``dot`` is not installed (the message says how to install it).
        GraphvizFailedError: ``dot`` could not draw a frame (the message holds what it reported).

    >>> import tempfile, pathlib
    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     page = backward_page(x * x, pathlib.Path(folder) / "steps.html")
    ...     page.path.read_text(encoding="utf-8") == page.html
    True
    """
    if not isinstance(title, str):
        raise TypeError(f"title must be a str, got {type(title).__name__}: {title!r}")
    check_interval(interval_ms)
    frames = backward_frames(root, rankdir=rankdir, max_nodes=max_nodes, min_text_px=min_text_px)
    page = StepPage(page_html(frames, title, interval_ms, output=node_names(root)[root]), None)
    if path is None:
        return page
    return StepPage(page.html, page.save(path))
