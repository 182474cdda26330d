"""The teaching notebooks are all there and stored clean.

Running them is nbmake's job (pyproject.toml puts notebooks/0*.ipynb in testpaths with --nbmake);
these tests check what running cannot: that no notebook is missing, that none is committed with
outputs (which would hide stale results and bloat diffs), and that each one uses the package
rather than carrying library code of its own.
"""

from __future__ import annotations

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


@pytest.mark.parametrize("path", sorted(NOTEBOOKS.glob("*.ipynb")), ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    dirty = [
        i for i, cell in enumerate(_code_cells(path)) if cell.get("outputs") or cell.get("execution_count") is not None
    ]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs or execution counts; clear them before committing"


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
