"""Command line: ``autograd-mini`` (also ``python -m autograd_mini``)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from .engine import Value


def demo() -> None:
    """Build a small neuron, run backward, and print every gradient."""
    x, w, b = Value(0.5, label="x"), Value(-1.2, label="w"), Value(0.3, label="b")
    y = (x * w + b).tanh()
    y.backward()
    print(f"y = tanh(x*w + b) = {y.data:.6f}")
    for leaf in (x, w, b):
        print(f"  dy/d{leaf.label} = {leaf.grad:+.6f}")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] not in ("demo",):
        print(f"autograd-mini: unknown command {args[0]!r}; try: autograd-mini demo", file=sys.stderr)
        return 2
    demo()
    return 0
