"""Regenerate the README's picture of the network view: the seed texts' 10-4-6-8-4 network.

Run from the repository root (needs Graphviz's dot):

    .venv/bin/python notebooks/examples/make_network.py

Writes notebooks/images/network.png.
"""

from __future__ import annotations

from pathlib import Path

from autograd_mini import MLP, draw_network

PICTURE = Path(__file__).resolve().parent.parent / "images" / "network"

if __name__ == "__main__":
    # One credit-style input row of 10 numbers, squared error against the first of 4 decisions.
    model = MLP(10, [4, 6, 8, 4], seed=0)
    row = [round(0.1 * k - 0.45, 2) for k in range(10)]
    written = draw_network(model, row, target=[1.0, 0.0, 0.0, 0.0]).render(PICTURE, format="png", cleanup=True)
    print(f"wrote {written}")
