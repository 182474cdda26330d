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
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..engine import Value
from ..steps import node_names, trace_backward
from .page import Frame, StepPage, page_html
from .viz import draw

__all__ = ["FrameState", "backward_frames", "backward_page", "frame_states"]

# 100 values: about 2 s and 5 MB of HTML for a 60-value graph already; the size grows as the square.
MAX_NODES = 100


@dataclass(frozen=True)
class FrameState:
    """What one frame shows, before drawing: the known gradients, what is highlighted, the caption."""

    grads: dict[Value, float]  # the gradients final at this frame; other nodes show "grad ?"
    highlight: tuple[Value, ...]
    highlight_edges: tuple[tuple[Value, Value], ...]
    caption: str
    current: str  # the name of the highlighted node, "" for the forward-pass frame


def frame_states(root: Value) -> list[FrameState]:
    """The content of every frame: the forward pass, then one per backward step.

    Args:
        root: the output whose backward pass is shown.

    Returns:
        ``len(trace_backward(root)) + 1`` states; the last one holds every gradient.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> y.label = "y"
    >>> [sorted(s.grads[n] for n in s.grads) for s in frame_states(y)]   # dy/dx = 2x = 6
    [[], [1.0], [1.0, 6.0]]
    """
    if not isinstance(root, Value):
        raise TypeError(f"backward frames need a Value as root, got {type(root).__name__}: {root!r}")
    steps = trace_backward(root)
    names = steps[0].names
    states = [FrameState({}, (), (), _forward_caption(names[root]), "")]
    final: dict[Value, float] = {}
    for step in steps:
        final[step.node] = step.upstream  # final now: every consumer of this node has reported
        edges = tuple((edge.parent, step.node) for edge in step.edges)
        states.append(FrameState(dict(final), (step.node,), edges, step.caption(), names[step.node]))
    return states


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
        max_nodes: refuse (ValueError) graphs with more values than this.

    Returns:
        One Frame for the forward pass, then one per backward step.

    >>> from autograd_mini import Value
    >>> x = Value(3.0, label="x")
    >>> y = x * x
    >>> frames = backward_frames(y)
    >>> len(frames), frames[-1].caption, "grad 6" in frames[-1].svg
    (3, 'dn1/dx = 6 (an input: nothing further back)', True)
    """
    states = frame_states(root)
    _check_size(len(states) - 1, max_nodes)
    with _named_for_drawing(root):
        drawings = [
            draw(
                root,
                rankdir=rankdir,
                grads=state.grads,
                highlight=state.highlight,
                highlight_edges=state.highlight_edges,
                max_nodes=max_nodes,
            )
            for state in states
        ]
    return [
        Frame(drawing.pipe(format="svg", encoding="utf-8"), state.caption, state.current)
        for drawing, state in zip(drawings, states, strict=True)
    ]


def _check_size(count: int, max_nodes: int) -> None:
    """A page of n values holds n + 1 drawings of n boxes: it grows as n², and stops being readable long before."""
    if isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1:
        raise ValueError(f"max_nodes must be a positive int, got {max_nodes!r}")
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
        interval_ms: time between frames while playing.
        max_nodes: refuse (ValueError) graphs with more values than this.

    Returns:
        A StepPage: ``.html`` is the page, ``.path`` the file written (or None).

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
    if isinstance(interval_ms, bool) or not isinstance(interval_ms, int) or interval_ms < 1:
        raise ValueError(f"interval_ms must be a positive int (milliseconds), got {interval_ms!r}")
    page = StepPage(page_html(backward_frames(root, rankdir=rankdir, max_nodes=max_nodes), title, interval_ms), None)
    if path is None:
        return page
    return StepPage(page.html, page.save(path))
