"""The ``demo`` command: one neuron's gradients, explained and drawn, then a short training run."""

from __future__ import annotations

import argparse
from pathlib import Path

from ..engine import Value
from ..expr import parse
from ..numeric import short_number
from ..teach.explanation import explain
from .common import PROG, CommandError, Parser, say
from .files import make_folder, write_drawing, write_steps
from .grad import gradient_report
from .run import TrainSettings
from .train import RUN_FILES, add_eager_option, train_and_report

#: The neuron of the demo: o = tanh(x1*w1 + x2*w2 + b), with b chosen so that o = 1/sqrt(2).
DEMO_EXPRESSION = "tanh(x1*w1 + x2*w2 + b)"
DEMO_VALUES = {"x1": 2.0, "x2": 0.0, "w1": -3.0, "w2": 1.0, "b": 6.881373587019543}
DEMO_FOLDER = Path("demo_output")
#: The files the demo may write into its folder (graph.dot only without Graphviz).
DEMO_FILES = ("graph.svg", "graph.png", "graph.dot", "steps.html", *RUN_FILES)


def add_parser(commands: argparse._SubParsersAction[Parser]) -> None:
    """Add ``demo`` and its options to the command line."""
    demo = commands.add_parser(
        "demo",
        help="gradients of a neuron, its graph, and a short training run, with pictures",
        description=(
            f"Compute the gradients of one neuron, {DEMO_EXPRESSION}, explain one by the chain rule, draw its\n"
            "graph and a step-by-step page of backward; then train a small network on the moons dataset.\n"
            "Takes about 3 seconds (6 with --eager)."
        ),
        epilog=f"examples:\n  {PROG} demo\n  {PROG} demo --out pictures/\n\n"
        "writes graph.svg, graph.png, steps.html, loss_curve.png, decision_boundary.png and model.json",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    demo.add_argument(
        "--out", metavar="DIR", type=Path, default=DEMO_FOLDER, help="folder for the files (default: %(default)s/)"
    )
    demo.add_argument("--no-progress", dest="progress", action="store_false", help="hide the progress bar")
    add_eager_option(demo)
    demo.set_defaults(run=run)


def run(options: argparse.Namespace) -> int:
    """The ``demo`` command: one neuron's gradients and pictures, then a short training run."""
    out: Path = options.out
    make_folder(out, DEMO_FILES)
    say(f"1. Gradients of one neuron, by backpropagation\n{'-' * 46}")
    built = parse(DEMO_EXPRESSION).build(DEMO_VALUES)
    built.root.backward()
    say(gradient_report(DEMO_EXPRESSION, built))
    say(f"\nWhy df/dw1 is {short_number(built.inputs['w1'].grad, 6)}:")
    say(explain(built.root, built.inputs["w1"]))
    say("\n".join(_demo_pictures(built.root, out)))
    say(f"\n2. Training a small network on the moons dataset\n{'-' * 48}")
    train_and_report(
        TrainSettings(hidden=[16, 16], epochs=40, out=out, progress=options.progress, compiled=options.compiled)
    )
    say(f"\nAll files are in {out}/ ({out.resolve()}). Open steps.html in a browser to watch backward step by step.")
    return 0


def _demo_pictures(root: Value, out: Path) -> list[str]:
    """Draw the graph and the step page; without Graphviz, write the DOT source and say so."""
    try:
        paths = [write_drawing(root, out / "graph.svg"), write_drawing(root, out / "graph.png")]
        paths.append(write_steps(root, out / "steps.html"))
    except CommandError as error:
        dot = write_drawing(root, out / "graph.dot")
        return [f"wrote {dot} (no pictures: {error}; {error.hint})"]
    return [f"wrote {path}" for path in paths]
