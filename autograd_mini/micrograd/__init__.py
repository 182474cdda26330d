"""micrograd's API on autograd_mini's engine: ``engine.Value``, ``nn``, and ``draw_dot``.

Code written for Karpathy's micrograd 0.1.0 (or his lecture "building micrograd") runs with one
changed import, ``from autograd_mini.micrograd.engine import Value``, and computes the same
numbers. The Values are autograd_mini's own, so every tool of the package takes them. What this
module keeps of micrograd that the main API changes, and why, is in ``engine``'s docstring and
in the README's "Coming from micrograd".

>>> from autograd_mini.micrograd.engine import Value
>>> x = Value(-2.0, label="x")
>>> y = (x * x).relu()
>>> y.backward()
>>> y.data, x.grad
(4.0, -4.0)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .. import checks
from ..engine import Value

if TYPE_CHECKING:
    import graphviz  # type: ignore[import-untyped]

__all__ = ["draw_dot"]


def draw_dot(root: Value, format: str = "svg", rankdir: str = "LR") -> graphviz.Digraph:  # noqa: A002  # micrograd's name
    """micrograd's ``draw_dot``: the graph below ``root`` drawn by ``autograd_mini.draw``.

    Args:
        root: the output whose graph is drawn.
        format: the file format the drawing renders to ("svg", "png", ...; Graphviz's formats).
        rankdir: "LR" (inputs on the left) or "TB" (inputs on top), as in micrograd.

    Returns:
        a ``graphviz.Digraph``; ``.render()`` writes it in ``format``, Jupyter shows it inline.

    >>> from autograd_mini.micrograd.engine import Value
    >>> dot = draw_dot(Value(2.0, label="a") * 3, format="png", rankdir="TB")
    >>> dot.format, "rankdir=TB" in dot.source
    ('png', True)
    """
    from ..show.viz import draw  # on first use: it needs graphviz, and says how to install it if missing

    checks.instance(root, Value, "root", "a Value")
    checks.text(format, "format")
    checks.one_of(checks.text(rankdir, "rankdir"), "rankdir", ("LR", "TB"))
    dot = draw(root, rankdir=rankdir)
    try:
        dot.format = format  # graphviz knows its formats
    except ValueError:
        expected = "one of Graphviz's formats ('svg', 'png', 'pdf', ...)"
        raise ValueError(f"format must be {expected}, got {checks.shown(format)}") from None
    return dot
