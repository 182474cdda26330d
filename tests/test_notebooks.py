"""The teaching notebooks are all there, stored with fresh outputs, and use the package.

Running them is nbmake's job (pyproject.toml puts notebooks/0*.ipynb in testpaths with --nbmake);
these tests check what running cannot: that no notebook is missing, that each is stored with the
outputs of its current code (so a student sees the pictures on the project page without running
it; notebooks/render_outputs.py makes them, and a fingerprint of the code cells says when they
are stale), and that each one uses the package rather than carrying library code of its own.
"""

from __future__ import annotations

import base64
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

EXPECTED = [
    "01_quickstart.ipynb",
    "02_chain_rule.ipynb",
    "03_backprop_as_the_seeds_tell_it.ipynb",
    "04_training_a_classifier.ipynb",
    "05_deep_networks.ipynb",
    "06_from_a_graph_to_a_program.ipynb",
]


def _load(path: Path) -> dict[str, Any]:
    notebook: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return notebook


def _code_cells(path: Path) -> list[dict[str, Any]]:
    return [cell for cell in _load(path)["cells"] if cell["cell_type"] == "code"]


def _source(cell: dict[str, Any]) -> str:
    source = cell["source"]
    return source if isinstance(source, str) else "".join(source)


def test_the_teaching_notebooks_exist() -> None:
    missing = [name for name in EXPECTED if not (NOTEBOOKS / name).is_file()]
    assert not missing, f"missing notebooks: {missing}"


def _fingerprint(path: Path) -> str:
    """What notebooks/render_outputs.py records: a sha256 of the code cells' sources, in order (written
    out again here, so that a change to the script's formula shows up as stale notebooks)."""
    code = "\n\x00\n".join(_source(cell) for cell in _code_cells(path))
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_stored_with_the_outputs_of_its_current_code(name: str) -> None:
    path = NOTEBOOKS / name
    recorded = _load(path)["metadata"].get("autograd_mini", {}).get("sources_sha256")
    assert recorded == _fingerprint(path), (
        f"{name}: its stored outputs come from other code; run .venv/bin/python notebooks/render_outputs.py"
    )
    counts = [cell.get("execution_count") for cell in _code_cells(path)]
    assert counts == list(range(1, len(counts) + 1)), f"{name}: not run top to bottom in one go: {counts}"


@pytest.mark.parametrize("name", EXPECTED)
def test_a_training_cell_shows_one_progress_bar(name: str) -> None:
    for i, cell in enumerate(_code_cells(NOTEBOOKS / name)):
        streams = [o for o in cell.get("outputs", []) if o.get("output_type") == "stream" and o["name"] == "stderr"]
        assert len(streams) <= 1, f"{name}: code cell {i} stores {len(streams)} separate stderr outputs"
        text = "".join(streams[0]["text"]) if streams else ""
        assert "\r" not in text, f"{name}: code cell {i} stores a progress bar's every redraw"


# CSS pixels: JupyterLab 4's output area beside its file browser, on a 1920 x 1080 screen.
OUTPUT_AREA_WIDTH = 968
DRAWINGS = {"01_quickstart.ipynb": 3, "02_chain_rule.ipynb": 2, "06_from_a_graph_to_a_program.ipynb": 1}


def _pictures(name: str) -> list[tuple[int, dict[str, Any]]]:
    """(code cell index, output) of every stored output that is a picture (a PNG, an SVG or both)."""
    return [
        (i, output)
        for i, cell in enumerate(_code_cells(NOTEBOOKS / name))
        for output in cell.get("outputs", [])
        if {"image/png", "image/svg+xml"} & set(output.get("data", {}))
    ]


def test_the_drawings_are_all_there() -> None:
    counts = {name: sum("image/svg+xml" in o["data"] for _, o in _pictures(name)) for name in EXPECTED}
    assert {name: n for name, n in counts.items() if n} == DRAWINGS


@pytest.mark.parametrize("name", EXPECTED)
def test_every_stored_picture_is_a_png_that_fits_the_output_area(name: str) -> None:
    """JupyterLab does not show the SVG of a notebook it does not trust (any notebook just opened), only
    its text, "<autograd_mini.show.viz.Drawing at 0x...>"; a PNG it shows. And a picture wider than the
    output area hides behind a scrollbar; a PNG whose width metadata fits is scaled down."""
    for i, output in _pictures(name):
        data = output["data"]
        assert "image/png" in data, (
            f"{name}: code cell {i} stores its picture as SVG only, which an untrusted notebook hides"
        )
        png = base64.b64decode(data["image/png"])
        assert png.startswith(b"\x89PNG\r\n\x1a\n"), f"{name}: code cell {i} stores an image/png that is not a PNG"
        pixels = int.from_bytes(png[16:20], "big")  # the IHDR chunk's width
        width = output.get("metadata", {}).get("image/png", {}).get("width", pixels)
        assert 0 < width <= min(pixels, OUTPUT_AREA_WIDTH), (
            f"{name}: code cell {i} shows {width} px of a {pixels} px PNG"
        )
        if "image/svg+xml" in data:  # a drawing: its PNG is sharper than one pixel per CSS pixel
            assert pixels >= 1.5 * width, f"{name}: code cell {i} stores a drawing's PNG at {pixels} px for {width} px"


def test_the_notebooks_with_plots_store_their_pictures() -> None:
    for name in ("04_training_a_classifier.ipynb", "05_deep_networks.ipynb", "06_from_a_graph_to_a_program.ipynb"):
        images = [
            o
            for cell in _code_cells(NOTEBOOKS / name)
            for o in cell.get("outputs", [])
            if "image/png" in o.get("data", {})
        ]
        assert images, f"{name} stores no picture"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_uses_the_package_and_seeds_randomness(name: str) -> None:
    path = NOTEBOOKS / name
    if not path.is_file():
        pytest.skip(f"{name} is missing (reported by test_the_teaching_notebooks_exist)")
    cells = _code_cells(path)
    assert cells, f"{name} has no code cells"
    first = _source(cells[0])
    assert "autograd_mini" in first, f"{name}: the first code cell should import autograd_mini"
    assert "seed(" in first, f"{name}: the first code cell should seed the random generators"
    classes = [i for i, cell in enumerate(cells) if "\nclass " in "\n" + _source(cell)]
    assert not classes, f"{name}: code cells {classes} define classes; library code belongs in autograd_mini"


def test_notebooks_declare_the_python3_kernel() -> None:
    for name in EXPECTED:
        path = NOTEBOOKS / name
        if path.is_file():
            assert _load(path)["metadata"]["kernelspec"]["name"] == "python3", name
