"""The benchmark script runs end to end on tiny sizes, so it never rots (no timing asserts here)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_engine.py"


@pytest.fixture(scope="module")
def quick_run() -> str:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, check=False, timeout=300
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def test_every_measurement_has_a_row(quick_run: str) -> None:
    for row in ("demo loss N=3: total", "cost per point", "memory per node", "depth: per-node time"):
        assert f"| {row}" in quick_run, f"missing row {row!r} in:\n{quick_run}"


def test_both_engines_build_the_same_graph_and_agree(quick_run: str) -> None:
    """The comparison is only fair if micrograd built the same nodes and found the same gradients."""
    notes = re.findall(
        r"built the same ([\d,]+) nodes; largest relative difference between their gradients (\S+)", quick_run
    )
    assert len(notes) == 2, quick_run
    for nodes, difference in notes:
        assert int(nodes.replace(",", "")) > 1000
        assert float(difference) < 1e-12


def test_memory_row_counts_bytes_per_node(quick_run: str) -> None:
    match = re.search(r"\| memory per node, [\d,]+-node chain \| (\d+) B \| (\d+) B", quick_run)
    assert match, quick_run
    ours, micrograd = (int(x) for x in match.groups())
    assert 50 < ours < micrograd  # a node holds at least its slots and its float
