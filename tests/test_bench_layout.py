"""bench_layout.py runs end to end on a small chain and prints its three tables (no timing asserts)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_layout.py"
TIME = r"[\d.,]+ m?s"  # 43.2 ms, 1.20 s


@pytest.fixture(scope="module")
def quick_run() -> str:
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick"], capture_output=True, text=True, check=False, timeout=600
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


def rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in output.splitlines()
        if line.startswith("| ") and not line.startswith("| ---")
    ]


def test_the_three_tables_have_their_headers(quick_run: str) -> None:
    for heading in ("## 1. Import", "## 2. Command line `grad", "## 3. Naming a chain of 5,000 multiplications"):
        assert heading in quick_run, f"missing {heading!r} in:\n{quick_run}"
    headers = [row for row in rows(quick_run) if row[-1] == "verdict"]
    assert [row[0] for row in headers] == ["command", "command", "call"], quick_run


def test_each_process_imports_this_trees_package(quick_run: str) -> None:
    root = SCRIPT.parent.parent
    assert f"this tree: {root}: a process there imports {root / 'autograd_mini' / '__init__.py'}" in quick_run
    assert "before" not in [row[1] for row in rows(quick_run)]  # no --before: this tree only


def test_import_and_command_line_have_figures_and_targets(quick_run: str) -> None:
    startup = [row for row in rows(quick_run) if row[0] != "command" and row[-1] != "verdict" and len(row) == 7]
    titles = [row[0] for row in startup]
    assert titles[0] == '`python -c "import autograd_mini"`', quick_run
    assert any("(console script)" in title for title in titles), quick_run
    assert any(title.startswith("`python -m autograd_mini grad") for title in titles), quick_run
    for title, tree, median, base, more, target, verdict in startup:
        assert tree == "this tree"
        assert re.fullmatch(TIME, median) and re.fullmatch(TIME, base), (title, median, base)
        assert re.fullmatch(r"-?" + TIME, more), (title, more)
        assert target in ("at most 60 ms more than pass", "at most 150 ms more than pass"), target
        assert verdict in ("PASS", "MISS")


def test_the_grad_commands_compute_the_gradient(quick_run: str) -> None:
    outputs = re.findall(r"^`.*grad .*`.*, this tree: (.*)$", quick_run, re.MULTILINE)
    assert len(outputs) == 2, quick_run  # the console script and python -m
    assert all("df/dx = -1.09816" in output for output in outputs), outputs


def test_naming_has_a_figure_for_every_call(quick_run: str) -> None:
    naming = [row for row in rows(quick_run) if len(row) == 6 and row[0] != "call"]
    calls = [row[0] for row in naming]
    for wanted in ("node_names(y)", "explain(y, x)", "max_nodes=10**6).source", "backward_frames(y)", "`draw(y)`"):
        assert any(wanted in call for call in calls), f"no row {wanted!r} in:\n{quick_run}"
    for call, _tree, seconds, outcome, target, verdict in naming:
        assert re.fullmatch(TIME, seconds), (call, seconds)
        assert outcome == ("refused" if "backward_frames" in call or call.startswith("`draw(y)`") else "done"), call
        assert target == "under 2 s, or refused in under 1 s by its size limit"
        assert verdict in ("PASS", "MISS")


def test_naming_reports_the_names(quick_run: str) -> None:
    match = re.search(
        r"node_names, this tree: ([\d,]+) names; the longest '.+' \(([\d,]+) characters\); "
        r"all names together ([\d,]+) characters",
        quick_run,
    )
    assert match, quick_run
    count, longest, total = (int(group.replace(",", "")) for group in match.groups())
    assert count == 10_001  # x, and a constant and a product per multiplication
    assert 0 < longest <= total
