"""Run every teaching notebook top to bottom and store its outputs, so that the notebooks show
their pictures on the project page without being run.

    .venv/bin/python notebooks/render_outputs.py

Each notebook records a fingerprint of its code cells (metadata "autograd_mini" "sources_sha256").
tests/test_notebooks.py fails when a code cell was edited after the outputs were made: run this
script again then. The suite also executes every notebook afresh (nbmake), so stored outputs
never stand in for a test.
"""

from __future__ import annotations

import hashlib
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent


def sources_sha256(notebook: nbformat.NotebookNode) -> str:
    """The fingerprint of a notebook's code: its code cells' sources, in order."""
    code = "\n\x00\n".join(cell.source for cell in notebook.cells if cell.cell_type == "code")
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def as_a_terminal_shows_it(outputs: list[nbformat.NotebookNode]) -> list[nbformat.NotebookNode]:
    """A cell's stderr (the progress bar) merged into one output, printed lines in a row into one,
    each line as its last carriage return left it.

    A progress bar redraws its line with "\r" many times a second; stored raw, that is hundreds of
    outputs. Merged, the cell keeps one bar in its final state, as a terminal would show it.
    """
    merged: list[nbformat.NotebookNode] = []
    stderr = None  # the progress bar's stream: one output, where it began
    for output in outputs:
        if output.output_type == "stream" and output.name == "stderr" and stderr is not None:
            stderr.text += output.text
        elif output.output_type == "stream" and merged and merged[-1].get("name") == output.name:
            merged[-1].text += output.text  # printed lines in a row: one output, in place
        else:
            merged.append(output)
            if output.output_type == "stream" and output.name == "stderr":
                stderr = output
    for output in merged:
        if output.output_type == "stream":
            output.text = "\n".join(line.rsplit("\r", 1)[-1] for line in output.text.split("\n"))
    return merged


def render(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}}).execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps: they would change every run
        if cell.cell_type == "code":
            cell.outputs = as_a_terminal_shows_it(cell.outputs)
    notebook.metadata["autograd_mini"] = {"sources_sha256": sources_sha256(notebook)}
    nbformat.write(notebook, path)


def main() -> int:
    for path in sorted(HERE.glob("0*.ipynb")):
        print(f"running {path.name} ...", flush=True)
        render(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
