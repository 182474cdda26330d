"""bench_batch.py runs end to end on tiny sizes, and every system agrees with numpy by hand (no timing asserts)."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_batch.py"
AGREEMENT = re.compile(
    r"^agreement with numpy written by hand, (.+) N=([\d,]+): largest relative difference (\S+)$", re.MULTILINE
)


def run_quick(*flags: str, hidden: tuple[str, ...] = ()) -> str:
    """The script with --quick, in a fresh interpreter; ``hidden`` modules import as if not installed."""
    code = (
        "import runpy, sys\n"
        f"sys.modules.update(dict.fromkeys({list(hidden)!r}))\n"
        f"sys.argv = {[str(SCRIPT), '--quick', *flags]!r}\n"
        f"runpy.run_path({str(SCRIPT)!r}, run_name='__main__')\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.fixture(scope="module")
def quick_run() -> str:
    return run_quick()


def rows(output: str) -> list[list[str]]:
    return [
        [cell.strip() for cell in line.strip("|").split("|")] for line in output.splitlines() if line.startswith("|")
    ]


def test_every_system_has_a_row(quick_run: str) -> None:
    systems = [row[0] for row in rows(quick_run)]
    assert systems.count("numpy written by hand") == 2, quick_run  # the reference at both sizes
    assert systems.count("autograd_mini compiled") == 2, quick_run
    assert systems.count("autograd_mini eager") == 1, quick_run  # the scalar graph at the small size only
    if importlib.util.find_spec("micrograd"):
        assert systems.count("micrograd 0.1.0") == 1, quick_run


def test_the_compiled_step_is_measured_against_the_reference(quick_run: str) -> None:
    compiled = [row for row in rows(quick_run) if row[0] == "autograd_mini compiled"]
    for row in compiled:
        assert re.fullmatch(r"[\d.,]+x", row[3]), row  # relative to numpy written by hand
        assert row[4] == "<= 5x (stretch 2x)" and row[5] == "(quick)", row


def test_the_summary_has_its_rows(quick_run: str) -> None:
    measurements = [row[0] for row in rows(quick_run)]
    for wanted in ("compiled step: cost per point", "trace of the MLP hinge loss", "through a program"):
        assert any(wanted in m for m in measurements), f"no row {wanted!r} in:\n{quick_run}"
    if importlib.util.find_spec("micrograd"):
        assert any(m.endswith("micrograd over program") for m in measurements), quick_run


def test_every_system_agrees_with_numpy_written_by_hand(quick_run: str) -> None:
    figures = AGREEMENT.findall(quick_run)
    systems = {system for system, _, _ in figures}
    assert {"autograd_mini eager", "autograd_mini compiled"} <= systems, quick_run
    assert [system for system, _, _ in figures].count("autograd_mini compiled") == 2, quick_run
    assert len(figures) >= 3, quick_run
    for system, n, difference in figures:
        assert float(difference) < 1e-9, f"{system} at N={n}: {difference}"


def test_the_demo_trains_the_same_weights(quick_run: str) -> None:
    differences = re.findall(r"^demo: .*largest relative difference (\S+)", quick_run, re.MULTILINE)
    assert differences, quick_run
    assert all(float(d) < 1e-9 for d in differences), differences


def test_runs_without_the_optional_systems() -> None:
    output = run_quick(hidden=("autograd", "jax", "micrograd", "torch"))
    systems = [row[0] for row in rows(output)]
    assert "autograd_mini compiled" in systems and "numpy written by hand" in systems, output
    assert not any(s.startswith(("HIPS", "JAX", "micrograd", "PyTorch")) for s in systems), output
    for name in ("autograd", "jax", "micrograd", "torch"):
        assert f"{name} is not installed" in output, output
    assert all(float(d) < 1e-9 for _, _, d in AGREEMENT.findall(output))


FLOAT32 = re.compile(
    r"^agreement with numpy written by hand, (.+float32) N=([\d,]+): largest relative difference (\S+) in float32", re.M
)


def test_pytorch_rows_when_torch_is_installed(quick_run: str) -> None:
    if not importlib.util.find_spec("torch"):
        pytest.skip("torch is not installed")
    systems = [row[0] for row in rows(quick_run)]
    assert sum(s.startswith("PyTorch") and s.endswith("float64") for s in systems) == 2, quick_run
    assert sum(s.startswith("PyTorch") and s.endswith("float32") for s in systems) == 2, quick_run
    figures = FLOAT32.findall(quick_run)
    assert len(figures) == 2 and all(float(d) < 1e-5 for *_, d in figures), figures


def test_profile_says_where_the_compiled_step_goes() -> None:
    output = run_quick("--profile")
    assert "The compiled step at N=" in output and "under cProfile" in output, output
    faults = re.findall(r"^  (.+): .+ per step, \d+ minor page faults and .+ of system time per step$", output, re.M)
    assert faults == ["numpy written by hand", "autograd_mini compiled"] * 2, output  # at both sizes
    assert "| system |" not in output  # the profile alone


def test_trace_chain_compares_trace_with_eager_on_chains() -> None:
    output = run_quick("--trace-chain")
    table = rows(output)
    assert table[0][:4] == ["chain of tanh", "eager forward + backward", "trace", "trace over eager"], output
    assert [row[0] for row in table[2:]] == ["1,000 nodes", "10,000 nodes"], output  # the quick lengths
    for row in table[2:]:
        assert re.fullmatch(r"[\d.]+x", row[3]) and re.fullmatch(r"[\d.]+x", row[6]), row
        assert re.fullmatch(r"[\d,]+ [kM]B", row[4]) and re.fullmatch(r"[\d,]+ [kM]B", row[5]), row
        assert row[7:] == ["<= 10x, time and memory", "(quick)"], row
    assert "| system |" not in output  # the chains alone
