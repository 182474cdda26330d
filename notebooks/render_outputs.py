"""Run every teaching notebook top to bottom and store its outputs, so that the notebooks show
their pictures on the project page without being run.

    .venv/bin/python notebooks/render_outputs.py

Each notebook records a fingerprint of its code cells (metadata "autograd_mini" "sources_sha256").
tests/test_notebooks.py fails when a code cell was edited after the outputs were made: run this
script again then. The suite also executes every notebook afresh (nbmake), so stored outputs
never stand in for a test.

Every drawing is stored as a PNG beside its SVG: JupyterLab does not show the SVG of a notebook it
does not trust (one just opened, never run), but it shows a PNG. The PNG is drawn at twice the
resolution, for sharp text on dense screens, and its width metadata (at most MAX_WIDTH CSS pixels,
narrower than JupyterLab's output area on a 1920 px screen) makes a wide drawing scale down
instead of hiding behind a scrollbar. tests/test_notebooks.py checks both.
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.util import ensure_async
from PIL import Image

HERE = Path(__file__).resolve().parent
MAX_WIDTH = 900  # CSS pixels: JupyterLab's output area is 968 px wide at 1920 x 1080
PNG_SCALE = 2  # pixels of the stored PNG per CSS pixel

# Run in the kernel before the first cell, with no execution count: from then on every displayed
# graphviz drawing (autograd_mini's Drawing is one) also gives an image/png, at PNG_SCALE pixels per
# CSS pixel (graphviz draws at 96 dpi, one pixel per CSS pixel). fitted() then sizes and packs it.
DRAWINGS_AS_PNG_TOO = f"""
import graphviz
from IPython import get_ipython

def _drawing_png(drawing):
    sharp = drawing.copy()
    sharp.graph_attr["dpi"] = "{96 * PNG_SCALE}"
    return sharp.pipe(format="png")

get_ipython().display_formatter.formatters["image/png"].for_type(graphviz.Digraph, _drawing_png)
del _drawing_png
"""


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


def fitted(output: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """A drawing's output (an SVG with a PNG beside it) with its PNG on white, in 256 colours, and a
    width metadata of at most MAX_WIDTH CSS pixels; any other output as it is.

    White: the SVG's background is transparent, which a dark JupyterLab theme would turn black under
    black text. 256 colours: a drawing has few, and its PNG is then about a third of the size.
    """
    data = output.get("data", {})
    if "image/png" not in data or "image/svg+xml" not in data:
        return output
    drawn = Image.open(io.BytesIO(base64.b64decode(data["image/png"])))
    on_white = Image.new("RGB", drawn.size, "white")
    on_white.paste(drawn, mask=drawn.convert("RGBA").getchannel("A"))
    packed = io.BytesIO()
    on_white.quantize(colors=256).save(packed, format="png", optimize=True)
    data["image/png"] = base64.b64encode(packed.getvalue()).decode("ascii")
    output.setdefault("metadata", {})["image/png"] = {"width": min(drawn.width // PNG_SCALE, MAX_WIDTH)}
    return output


def render(path: Path) -> None:
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(HERE)}})

    async def drawings_as_png_too(**_: object) -> None:
        reply = await client.async_wait_for_reply(
            await ensure_async(client.kc.execute(DRAWINGS_AS_PNG_TOO, silent=True, store_history=False))
        )
        if reply is None or reply["content"]["status"] != "ok":
            raise RuntimeError(f"could not make the kernel store drawings as PNG: {reply}")

    client.on_notebook_start = drawings_as_png_too
    client.execute()
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)  # timestamps: they would change every run
        if cell.cell_type == "code":
            cell.outputs = [fitted(output) for output in as_a_terminal_shows_it(cell.outputs)]
    notebook.metadata["autograd_mini"] = {"sources_sha256": sources_sha256(notebook)}
    nbformat.write(notebook, path)


def main() -> int:
    for path in sorted(HERE.glob("0*.ipynb")):
        print(f"running {path.name} ...", flush=True)
        render(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
