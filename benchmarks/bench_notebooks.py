"""How long each teaching notebook takes to run top to bottom, and its slowest cells.

    .venv/bin/python benchmarks/bench_notebooks.py                 # all six notebooks
    .venv/bin/python benchmarks/bench_notebooks.py 04 06           # the notebooks whose names start so
    .venv/bin/python benchmarks/bench_notebooks.py --cells 3       # the 3 slowest cells of each

Each notebook runs in a fresh kernel, as nbmake runs it in the test suite (kernel start included),
with nothing written back. The target: every notebook in at most 20 s on the project's 2-core machine.
Timing belongs here, printed, not in a test: the machine is shared and its times are noisy.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
TARGET_SECONDS = 20.0


class _TimedClient(NotebookClient):  # type: ignore[misc]
    """A NotebookClient that notes how long each code cell took."""

    def __init__(self, notebook: nbformat.NotebookNode, **kwargs: object) -> None:
        super().__init__(notebook, **kwargs)
        self.cell_seconds: list[tuple[float, int, str]] = []

    async def async_execute_cell(self, cell: nbformat.NotebookNode, cell_index: int, **kwargs: object) -> object:
        start = time.perf_counter()
        result = await super().async_execute_cell(cell, cell_index, **kwargs)
        if cell.cell_type == "code":
            first_line = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
            self.cell_seconds.append((time.perf_counter() - start, cell_index, first_line))
        return result


def run(path: Path) -> tuple[float, list[tuple[float, int, str]]]:
    """Seconds to run the notebook at ``path`` in a fresh kernel, and each code cell's seconds."""
    notebook = nbformat.read(path, as_version=4)
    client = _TimedClient(
        notebook, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(NOTEBOOKS)}}
    )
    start = time.perf_counter()
    client.execute()
    return time.perf_counter() - start, client.cell_seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("prefixes", nargs="*", help="run only the notebooks whose names start with these")
    parser.add_argument("--cells", type=int, default=2, help="show this many of each notebook's slowest cells")
    args = parser.parse_args(argv)
    paths = [
        path
        for path in sorted(NOTEBOOKS.glob("0*.ipynb"))
        if not args.prefixes or any(path.name.startswith(prefix) for prefix in args.prefixes)
    ]
    if not paths:
        parser.error(f"no notebook in {NOTEBOOKS} starts with {args.prefixes}")
    print(f"| notebook | seconds | within {TARGET_SECONDS:.0f} s | slowest cells (seconds, cell index, first line) |")
    print("| --- | --- | --- | --- |")
    over = 0
    for path in paths:
        seconds, cells = run(path)
        over += seconds > TARGET_SECONDS
        slowest = "; ".join(
            f"{s:.1f} s [{i}] `{line[:50]}`" for s, i, line in sorted(cells, reverse=True)[: args.cells]
        )
        verdict = "yes" if seconds <= TARGET_SECONDS else "NO"
        print(f"| {path.name} | {seconds:.1f} | {verdict} | {slowest} |", flush=True)
    return 1 if over else 0


if __name__ == "__main__":
    sys.exit(main())
