"""Speed and memory of autograd_mini against micrograd 0.1.0 (issue 3): four measurements.

    pip install -e '.[bench]'
    python benchmarks/bench_engine.py            # the full run: a few minutes
    python benchmarks/bench_engine.py --quick    # tiny sizes, a smoke test: seconds
    python benchmarks/bench_engine.py --baseline /tmp/old   # also time an earlier checkout, side by side

1. The demo loss of micrograd's README (an MLP 2-16-16-1 and a hinge loss summed over N points),
   forward and backward, at N = 100 and N = 1,600, in both engines.
2. Linear cost: the cost per point at the large N over the cost per point at the small N.
3. Memory per node: tracemalloc around a long chain ``y = y * w``.
4. Depth: backward time per node through a 1,000,000-node chain and a 10,000-node chain.

How: every figure comes from a fresh Python process (this file run with ``--worker``), so no
measurement inherits another's garbage, caches or collector state; the two engines take turns,
in alternating order from one repeat to the next; each figure is the median of the repeats.
The interpreter keeps its default settings (the garbage collector stays on), with one
exception: micrograd's recursive topological sort needs a higher recursion limit for the demo
loss at large N, so micrograd's worker raises it for micrograd only.
"""

from __future__ import annotations

import argparse
import gc
import importlib.util
import itertools
import json
import platform
import random
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

OURS = "autograd_mini"
MICROGRAD = "micrograd"
BASELINE = "baseline:"
LAYER_SIZES = (2, 16, 16, 1)

# -- the benchmark graph: the same code builds it from either engine's Value --------------------


def load_value_class(engine: str) -> Any:
    """The ``Value`` class of ``engine``, imported only in the worker that measures it.

    ``baseline:PATH`` is autograd_mini as checked out at PATH (an earlier version, to compare with).
    """
    if engine.startswith(BASELINE):
        sys.path.insert(0, engine.removeprefix(BASELINE))
        from autograd_mini import Value
    elif engine == OURS:
        from autograd_mini import Value
    else:
        from micrograd.engine import Value
    return Value


def make_layers(value: Any, rng: random.Random) -> list[list[tuple[list[Any], Any]]]:
    """Weights uniform in [-1, 1] and zero biases, neuron by neuron: [layer][neuron] = (w, b)."""
    return [
        [([value(rng.uniform(-1.0, 1.0)) for _ in range(n_in)], value(0.0)) for _ in range(n_out)]
        for n_in, n_out in itertools.pairwise(LAYER_SIZES)
    ]


def make_points(rng: random.Random, n: int) -> tuple[list[tuple[float, float]], list[float]]:
    """``n`` points uniform in [-1, 1]^2 with labels +1 or -1."""
    points = [(rng.uniform(-1.0, 1.0), rng.uniform(-1.0, 1.0)) for _ in range(n)]
    labels = [rng.choice((-1.0, 1.0)) for _ in range(n)]
    return points, labels


def mlp(layers: list[list[tuple[list[Any], Any]]], x: Iterable[Any]) -> Any:
    """micrograd's MLP: each neuron is ``sum(w_i * x_i, b)``; ReLU on every layer but the last."""
    for depth, layer in enumerate(layers):
        sums = [sum((wi * xi for wi, xi in zip(w, x, strict=False)), b) for w, b in layer]
        x = sums if depth == len(layers) - 1 else [s.relu() for s in sums]
    (score,) = x
    return score


def demo_loss(value: Any, layers: list[list[tuple[list[Any], Any]]], points: Any, labels: list[float]) -> Any:
    """The hinge loss ``relu(1 - y * score)`` summed over the points, one ``+`` at a time.

    Written as micrograd's demo writes it, ``1 + score * (-y)``, because micrograd turns
    ``1 - v`` into ``1 + v * (-1)``: this form makes exactly the same nodes in both engines.
    """
    total = value(0.0)
    for x, y in zip(points, labels, strict=False):
        total = total + (1 + mlp(layers, x) * (-y)).relu()
    return total


def parameters(layers: list[list[tuple[list[Any], Any]]]) -> Iterator[Any]:
    for layer in layers:
        for w, b in layer:
            yield from w
            yield b


def count_nodes(engine: str, root: Any) -> int:
    """Nodes the root depends on, found by an iterative walk (micrograd keeps parents in ``_prev``)."""
    seen = {id(root): root}
    stack = [root]
    while stack:
        node = stack.pop()
        for parent in node._prev if engine == MICROGRAD else node.parents:
            if id(parent) not in seen:
                seen[id(parent)] = parent
                stack.append(parent)
    return len(seen)


# -- what one worker process measures ----------------------------------------------------------


def measure_demo(engine: str, n: int) -> dict[str, Any]:
    """Forward and backward of the demo loss over ``n`` points, timed separately."""
    value = load_value_class(engine)
    if engine == MICROGRAD:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * n + 10_000))  # its sort recurses
    rng = random.Random(0)
    layers = make_layers(value, rng)
    points, labels = make_points(rng, n)
    start = time.perf_counter()
    loss = demo_loss(value, layers, points, labels)
    built = time.perf_counter()
    loss.backward()
    done = time.perf_counter()
    return {
        "forward": built - start,
        "backward": done - built,
        "total": done - start,
        "loss": loss.data,
        "grads": [float(p.grad) for p in parameters(layers)],
        "nodes": count_nodes(engine, loss),
    }


def multiply_chain(value: Any, length: int) -> tuple[Any, Any]:
    """``y = x * w * w * ... * w`` with ``length`` multiplications; returns (y, w)."""
    x, w = value(1.0), value(1.0)
    y = x
    for _ in range(length):
        y = y * w
    return y, w


def measure_memory(engine: str, length: int) -> dict[str, Any]:
    """Bytes traced by tracemalloc per node of a multiplication chain (the node and its number)."""
    value = load_value_class(engine)
    x, w = value(1.0), value(1.0)
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    y = x
    for _ in range(length):
        y = y * w
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return {"bytes_per_node": (after - before) / length, "check": y.data == 1.0}


def measure_depth(engine: str, length: int) -> dict[str, Any]:
    """Time of one backward through a multiplication chain of ``length`` nodes."""
    value = load_value_class(engine)
    y, w = multiply_chain(value, length)
    start = time.perf_counter()
    try:
        y.backward()
    except RecursionError:
        return {"error": f"RecursionError (recursion limit {sys.getrecursionlimit()})"}
    seconds = time.perf_counter() - start
    return {"seconds": seconds, "per_node": seconds / length, "check": w.grad == length}


def measure_nn(engine: str, n: int) -> dict[str, Any]:
    """Issue 5: the demo loss built through ``autograd_mini.nn`` against the same graph from raw Values.

    The model is ``MLP(2, [16, 16, 1], activation="relu")`` holding the raw weights, so both ways
    build exactly the same nodes (checked: a mismatch stops the benchmark). Each way builds the
    forward ``NN_REPEATS`` times in this process, alternating which goes first, with the previous
    graph freed and collected in between; the figures are the medians.
    """
    if engine != OURS:
        return {"skipped": "autograd_mini.nn is measured against autograd_mini's own Values only"}
    from autograd_mini import Value, nn

    model = nn.MLP(LAYER_SIZES[0], list(LAYER_SIZES[1:]), activation="relu", output_activation="linear", seed=0)
    rng = random.Random(0)
    layers = make_layers(Value, rng)
    points, labels = make_points(rng, n)
    for param, reference in zip(model.parameters(), parameters(layers), strict=True):
        param.data = reference.data

    def nn_loss() -> Any:
        total = Value(0.0)
        for x, y in zip(points, labels, strict=True):
            total = total + (1 + model(x)[0] * (-y)).relu()
        return total

    def raw_loss() -> Any:  # each point wrapped once, as nn's models do: the same nodes, the same work
        return demo_loss(Value, layers, [[Value(v) for v in x] for x in points], labels)

    builds: dict[str, Callable[[], Any]] = {"nn": nn_loss, "raw": raw_loss}
    times: dict[str, list[float]] = {"nn": [], "raw": []}
    results: dict[str, tuple[float, int]] = {}
    for repeat in range(NN_REPEATS):
        for name in sorted(builds, reverse=repeat % 2 == 1):
            gc.collect()
            start = time.perf_counter()
            loss = builds[name]()
            times[name].append(time.perf_counter() - start)
            results[name] = (loss.data, count_nodes(OURS, loss))
            del loss  # free this graph before the next build
    if results["nn"] != results["raw"]:
        raise RuntimeError(f"nn and raw Values built different graphs (loss, nodes): {results}")
    return {
        "nn_forward": statistics.median(times["nn"]),
        "raw_forward": statistics.median(times["raw"]),
        "same_loss": True,
        "nodes": results["nn"][1],
    }


NN_REPEATS = 5


MEASUREMENTS: dict[str, Callable[[str, int], dict[str, Any]]] = {
    "demo": measure_demo,
    "memory": measure_memory,
    "depth": measure_depth,
    "nn": measure_nn,
}


def worker(task: str) -> None:
    """Run one measurement in this (fresh) process and print its result as one line of JSON."""
    kind, engine, size = json.loads(task)
    print(json.dumps(MEASUREMENTS[kind](engine, size)))


# -- the driver: fresh processes, alternating engines, medians ---------------------------------


@dataclass(frozen=True)
class Sizes:
    points: tuple[int, int]  # the demo loss at a small and a large N
    chains: tuple[int, int]  # the depth measurement: a short and a long chain
    memory_chain: int
    repeats: int


FULL = Sizes(points=(100, 1600), chains=(10_000, 1_000_000), memory_chain=200_000, repeats=5)
QUICK = Sizes(points=(3, 6), chains=(200, 2_000), memory_chain=2_000, repeats=1)


def run_worker(kind: str, engine: str, size: int) -> dict[str, Any]:
    """One measurement in a fresh interpreter, with the default settings."""
    task = json.dumps([kind, engine, size])
    proc = subprocess.run([sys.executable, __file__, "--worker", task], capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"worker {task} failed:\n{proc.stderr}")
    result: dict[str, Any] = json.loads(proc.stdout.splitlines()[-1])
    return result


def take_turns(kind: str, engines: list[str], sizes: Iterable[int], repeats: int) -> dict[tuple[str, int], list[Any]]:
    """Every (engine, size) measured ``repeats`` times, engines alternating which goes first."""
    runs: dict[tuple[str, int], list[Any]] = {}
    for repeat in range(repeats):
        order = engines if repeat % 2 == 0 else engines[::-1]
        for size in sizes:
            for engine in order:
                runs.setdefault((engine, size), []).append(run_worker(kind, engine, size))
    return runs


def median(runs: list[dict[str, Any]], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def gradients_agree(a: dict[str, Any], b: dict[str, Any]) -> float:
    """Largest relative difference between two runs' parameter gradients (and the node counts match)."""
    if a["nodes"] != b["nodes"] or len(a["grads"]) != len(b["grads"]):
        raise SystemExit(f"the engines built different graphs: {a['nodes']} vs {b['nodes']} nodes")
    diffs = [abs(x - y) / max(1.0, abs(x), abs(y)) for x, y in zip(a["grads"], b["grads"], strict=False)]
    return max([*diffs, abs(a["loss"] - b["loss"]) / max(1.0, abs(a["loss"]))])


def seconds(x: float) -> str:
    return f"{x:.3g} s" if x >= 0.1 else f"{x * 1000:.3g} ms"


def verdict(met: bool, quick: bool) -> str:
    return "(quick)" if quick else "met" if met else "NOT met"


class Table:
    """Rows of a Markdown table: measurement, the two engines, their ratio, target, verdict."""

    def __init__(self) -> None:
        self.rows: list[tuple[str, ...]] = [
            ("measurement", "autograd_mini", "micrograd 0.1.0", "ratio", "target", "verdict"),
            ("---",) * 6,
        ]

    def add(self, *cells: str) -> None:
        self.rows.append(tuple(cells) + ("",) * (6 - len(cells)))

    def render(self) -> str:
        return "\n".join("| " + " | ".join(row) + " |" for row in self.rows)


def demo_rows(table: Table, sizes: Sizes, engines: list[str], quick: bool) -> list[str]:
    runs = take_turns("demo", engines, sizes.points, sizes.repeats)
    notes = []
    speedups, per_point = [], {}
    for n in sizes.points:
        ours = runs[OURS, n]
        theirs = runs.get((MICROGRAD, n))
        for part in ("forward", "backward", "total"):
            mine = median(ours, part)
            cells = [f"demo loss N={n}: {part}", seconds(mine)]
            if theirs:
                other = median(theirs, part)
                cells += [seconds(other), f"{other / mine:.1f}x faster"]
                if part == "total":
                    speedups.append(other / mine)
                    cells += [">= 5x faster (goal 8x)", verdict(other / mine >= 5, quick)]
            table.add(*cells)
        if theirs:
            notes.append(
                f"N={n}: both engines built the same {ours[0]['nodes']:,} nodes; largest relative difference "
                f"between their gradients {gradients_agree(ours[0], theirs[0]):.1e}"
            )
        per_point[OURS, n] = median(ours, "total") / n
        if theirs:
            per_point[MICROGRAD, n] = median(theirs, "total") / n
    small, large = sizes.points
    growth = {engine: per_point[engine, large] / per_point[engine, small] for engine in engines}
    cells = [f"cost per point, N={large} over N={small}", f"{growth[OURS]:.2f}x"]
    cells += [f"{growth[MICROGRAD]:.2f}x", ""] if MICROGRAD in growth else ["-", ""]
    table.add(*cells, "<= 1.3x", verdict(growth[OURS] <= 1.3, quick))
    return notes


def baseline_rows(sizes: Sizes, baseline: str) -> str:
    """This checkout against an earlier one on the demo loss, alternating, medians: is the eager engine slower?"""
    engines = [OURS, BASELINE + baseline]
    runs = take_turns("demo", engines, sizes.points, sizes.repeats)
    lines = ["| measurement | this checkout | baseline | baseline over this |", "| --- | --- | --- | --- |"]
    for n in sizes.points:
        ours, theirs = runs[OURS, n], runs[BASELINE + baseline, n]
        gradients_agree(ours[0], theirs[0])  # the same graph, the same gradients
        for part in ("forward", "backward", "total"):
            mine, other = median(ours, part), median(theirs, part)
            lines.append(f"| demo loss N={n}: {part} | {seconds(mine)} | {seconds(other)} | {other / mine:.2f}x |")
    return "\n".join(lines)


def memory_row(table: Table, sizes: Sizes, engines: list[str], quick: bool) -> None:
    runs = take_turns("memory", engines, [sizes.memory_chain], 1)  # tracemalloc counts bytes: no noise
    ours = runs[OURS, sizes.memory_chain][0]["bytes_per_node"]
    cells = [f"memory per node, {sizes.memory_chain:,}-node chain", f"{ours:.0f} B"]
    if MICROGRAD in engines:
        theirs = runs[MICROGRAD, sizes.memory_chain][0]["bytes_per_node"]
        cells += [f"{theirs:.0f} B", f"{theirs / ours:.1f}x smaller"]
    else:
        cells += ["-", ""]
    table.add(*cells, "<= 160 B", verdict(ours <= 160, quick))


def depth_rows(table: Table, sizes: Sizes, engines: list[str], quick: bool) -> list[str]:
    short, long = sizes.chains
    runs = take_turns("depth", [OURS], sizes.chains, sizes.repeats)
    per_node = {length: median(runs[OURS, length], "per_node") for length in sizes.chains}
    notes = []
    for length in sizes.chains:
        cells = [f"backward per node, {length:,}-node chain", f"{per_node[length] * 1e9:.0f} ns"]
        if MICROGRAD in engines and length == short:
            (theirs,) = take_turns("depth", [MICROGRAD], [short], 1)[MICROGRAD, short]
            cells.append(theirs.get("error") or f"{theirs['per_node'] * 1e9:.0f} ns")
        table.add(*cells)
    if MICROGRAD in engines:
        notes.append(f"micrograd, {short:,}-node chain at the default recursion limit: see the table")
    growth = per_node[long] / per_node[short]
    table.add(f"depth: per-node time, {long:,} over {short:,} nodes", f"{growth:.2f}x", "", "", "<= 1.3x")
    table.rows[-1] = (*table.rows[-1][:5], verdict(growth <= 1.3, quick))
    return notes


def nn_row(table: Table, sizes: Sizes) -> None:
    n = sizes.points[0]
    (result,) = take_turns("nn", [OURS], [n], 1)[OURS, n]
    if "skipped" in result:
        table.add(f"nn forward overhead, N={n}", f"not measured: {result['skipped']}")
    else:
        overhead = result["nn_forward"] / result["raw_forward"]
        table.add(f"nn forward over raw Values, N={n}", f"{overhead:.2f}x")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one repeat: checks that it runs")
    parser.add_argument("--repeats", type=int, help="repeats per figure (the median is reported)")
    parser.add_argument("--baseline", metavar="PATH", help="also time the autograd_mini checked out at PATH")
    parser.add_argument("--worker", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        worker(args.worker)
        return 0
    sizes = QUICK if args.quick else FULL
    if args.repeats:
        sizes = Sizes(sizes.points, sizes.chains, sizes.memory_chain, args.repeats)
    engines = [OURS] + ([MICROGRAD] if importlib.util.find_spec(MICROGRAD) else [])
    table = Table()
    notes = demo_rows(table, sizes, engines, args.quick)
    memory_row(table, sizes, engines, args.quick)
    notes += depth_rows(table, sizes, engines, args.quick)
    nn_row(table, sizes)
    print(table.render())
    print()
    print(
        f"Python {platform.python_version()} ({platform.python_implementation()}), {platform.machine()}, "
        f"median of {sizes.repeats} fresh processes per figure, engines alternating."
    )
    if MICROGRAD not in engines:
        print("micrograd is not installed (pip install -e '.[bench]'): its columns are empty.")
    else:
        print("micrograd's worker raises sys.setrecursionlimit for the demo loss (its sort is recursive).")
    for note in notes:
        print(note)
    if args.baseline:
        print()
        print(f"Against the baseline at {args.baseline} (the same demo loss, engines alternating):")
        print(baseline_rows(sizes, args.baseline))
    return 0


if __name__ == "__main__":
    sys.exit(main())
