"""The backward pass as pictures: one Graphviz drawing per step, and a page that plays them.

Frame 0 is the forward pass: every value is known, no gradient yet (``grad ?``). Then one frame
per step of :func:`~autograd_mini.steps.trace_backward`: the node whose gradient just became final
is drawn in orange with the edges to its parents, every gradient that is final so far is filled
in, and the caption spells out the chain-rule arithmetic of the step. The last frame shows every
gradient, the same numbers ``backward()`` gives.

>>> from autograd_mini import Value
>>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
>>> c = a * b
>>> c.label = "c"
>>> [state.current for state in frame_states(c)]   # the forward pass, then one step per node
['', 'c', 'a', 'b']

A frame is stored as what it adds to the one before (one gradient), not as a copy of everything
it shows: the states of a graph of n values take O(n) memory, and ``replay`` rebuilds each
frame's gradients in one pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

from ..engine import Value, topological_order
from ..steps import node_names, trace_backward
from .page import Frame, StepPage, check_interval, page_html
from .viz import draw

__all__ = ["FrameState", "backward_frames", "backward_page", "frame_states", "replay"]

# 100 values: about 2 s and 5 MB of HTML for a 60-value graph already; the size grows as the square.
MAX_NODES = 100


@dataclass(frozen=True)
class FrameState:
    """What one frame adds to the frame before it: the gradient that became final, the highlight, the caption.

    A frame shows every gradient final so far: its own ``new_grad`` and those of every frame before
    it (``replay`` puts them together). Every other node shows "grad ?".
    """

    new_grad: tuple[Value, float] | None  # (node, d(root)/d(node)), final from this frame on; None: the forward pass
    highlight_edges: tuple[tuple[Value, Value], ...]
    caption: str
    current: str  # the name of the highlighted node, "" for the forward-pass frame

    @property
    def highlight(self) -> tuple[Value, ...]:
        """The node whose gradient became final at this frame (none in the forward pass)."""
        return () if self.new_grad is None else (self.new_grad[0],)


def frame_states(root: Value) -> list[FrameState]:
    """The content of every frame: the forward pass, then one per backward step.

    Args:
        root: the output whose backward pass is shown.

    Returns:
        ``len(trace_backward(root)) + 1`` states, each holding only the gradient it adds.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> y.label = "y"
    >>> [state.new_grad[1] for state in frame_states(y)[1:]]   # dy/dy = 1, then dy/dx = 2x = 6
    [1.0, 6.0]
    """
    steps = trace_backward(_checked_root(root))
    names = steps[0].names
    states = [FrameState(None, (), _forward_caption(names[root]), "")]
    for step in steps:
        edges = tuple((edge.parent, step.node) for edge in step.edges)
        # step.upstream is final now: every consumer of the node has reported
        states.append(FrameState((step.node, step.upstream), edges, step.caption(), names[step.node]))
    return states


def replay(states: Iterable[FrameState]) -> Iterator[tuple[FrameState, Mapping[Value, float]]]:
    """Each state with every gradient final at its frame, built up one change at a time.

    The mapping is one read-only view of one dict that grows as the frames go by: use it before
    taking the next pair, or keep a copy (``dict(grads)``).

    Args:
        states: frame states, in order, as ``frame_states`` gives them.

    Returns:
        An iterator of (state, gradients final at that frame) pairs.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> [sorted(grads.values()) for _, grads in replay(frame_states(y))]
    [[], [1.0], [1.0, 6.0]]
    """
    grads: dict[Value, float] = {}
    shown = MappingProxyType(grads)
    for state in states:
        if state.new_grad is not None:
            node, grad = state.new_grad
            grads[node] = grad
        yield state, shown


def _checked_root(root: Any) -> Value:
    if not isinstance(root, Value):
        raise TypeError(f"backward frames need a Value as root, got {type(root).__name__}: {root!r}")
    return root


def _forward_caption(root: str) -> str:
    return (
        "Forward pass done: every box shows its value (data), no gradient yet (grad ?).\n"
        f"Backward starts at {root} with d{root}/d{root} = 1 and works back towards the inputs."
    )


def backward_frames(root: Value, *, rankdir: str = "LR", max_nodes: int = MAX_NODES) -> list[Frame]:
    """The backward pass of ``root`` as SVG frames (needs Graphviz's ``dot``).

    Unlabelled values are drawn with the names the captions use (``n3``: position in topological
    order), so every name in a caption can be found in the picture.

    Args:
        root: the output whose backward pass is shown.
        rankdir: layout direction of the drawings, as for :func:`~autograd_mini.show.viz.draw`.
        max_nodes: refuse (ValueError) graphs with more values than this, before drawing anything.

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
    with _named_for_drawing(root):
        return [
            Frame(_svg(root, rankdir, grads, state, max_nodes), state.caption, state.current)
            for state, grads in replay(frame_states(root))
        ]


def _svg(root: Value, rankdir: str, grads: Mapping[Value, float], state: FrameState, max_nodes: int) -> str:
    """One frame's drawing, rendered at once: only its SVG text is kept."""
    drawing = draw(
        root,
        rankdir=rankdir,
        grads=grads,
        highlight=state.highlight,
        highlight_edges=state.highlight_edges,
        max_nodes=max_nodes,
    )
    svg: str = drawing.pipe(format="svg", encoding="utf-8")
    return svg


def _check_size(root: Value, max_nodes: int) -> None:
    """A page of n values holds n + 1 drawings of n boxes: it grows as n², and stops being readable long before."""
    _checked_root(root)
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
    count = len(topological_order(root))
    if count > max_nodes:
        raise ValueError(
            f"the graph has {count} values, more than max_nodes={max_nodes}: its step-by-step page would hold "
            f"{count + 1} drawings of {count} boxes each. Show a smaller expression, or pass max_nodes={count}."
        )


@contextmanager
def _named_for_drawing(root: Value) -> Iterator[None]:
    """Give unlabelled nodes their caption names while the drawings are built, then undo it.

    draw() writes labels into the DOT text as it builds it, so the labels are only needed
    for that long; the user's graph is left exactly as it was, also if drawing fails.
    """
    unlabelled = {node: name for node, name in node_names(root).items() if not node.label}
    try:
        for node, name in unlabelled.items():
            node.label = name
        yield
    finally:
        for node in unlabelled:
            node.label = ""


def backward_page(
    root: Value,
    path: str | Path | None = None,
    *,
    title: str = "Backward pass, step by step",
    rankdir: str = "LR",
    interval_ms: int = 1200,
    max_nodes: int = MAX_NODES,
) -> StepPage:
    """One self-contained HTML page that plays the backward pass of ``root`` step by step.

    The page embeds every frame as SVG and loads nothing from the network: open the file in any
    browser, offline. In Jupyter, the returned page shows inline.
    Drawing the frames needs Graphviz's ``dot``.

    Args:
        root: the output whose backward pass is shown.
        path: where to write the page (UTF-8); None writes nothing.
        title: the page heading.
        rankdir: layout direction of the drawings.
        interval_ms: milliseconds between frames while playing, from MIN_INTERVAL_MS (10) to
            MAX_INTERVAL_MS (60,000).
        max_nodes: refuse (ValueError) graphs with more values than this.

    Returns:
        A StepPage: ``.html`` is the page, ``.path`` the file written (or None).

    Raises:
        ValueError: the graph has more than ``max_nodes`` values, or an option is out of range;
            checked before any frame is drawn.
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
    page = StepPage(page_html(backward_frames(root, rankdir=rankdir, max_nodes=max_nodes), title, interval_ms), None)
    if path is None:
        return page
    return StepPage(page.html, page.save(path))
