"""One full-batch training step, by hand in numpy and through autograd_mini's compiled programs (issue 13).

    python benchmarks/bench_batch.py           # the full run: about a minute on 2 cores
    python benchmarks/bench_batch.py --quick   # tiny sizes, one repeat: seconds (the test suite runs this)
    python benchmarks/bench_batch.py --profile # instead, where the compiled step's time goes, in a fresh process
    python benchmarks/bench_batch.py --trace-chain  # instead, trace against the eager engine on long chains

The step: the loss and every parameter gradient of an MLP 2-16-16-1 (ReLU hidden, linear output)
under the mean hinge loss ``mean(relu(1 - y * score))`` over N points of ``make_moons`` (labels
±1). Every system computes that same function with the same weights (those of
``autograd_mini.MLP(seed=0)``, copied), and the script checks its loss and gradients against numpy
written by hand. The systems:

- numpy with the forward and the backward written by hand: the reference, 1x;
- HIPS autograd and JAX ``jit(value_and_grad)`` on the CPU, in float64, when they are installed;
- PyTorch eager on the CPU (the model through ``to_torch``, ``loss.backward()``, one thread), in
  float64 and in float32 (held to float32's rounding), when torch is installed;
- autograd_mini and micrograd 0.1.0 building one scalar graph over all the points (N = 1,000 only);
- autograd_mini's compiled program: ``trace`` of the per-sample loss, then ``program.backward(x, y)``.

Then: the compiled step's cost per point at the large N over the small N, the time of ``trace``
itself, and micrograd's README demo (100 moons, 100 full-batch SGD steps) trained end to end
through a program against micrograd training it.

``--trace-chain`` measures instead what a deep graph costs ``trace``: a chain ``x = x.tanh()`` of
10,000, 100,000 and 1,000,000 nodes, traced (the graph, the compiler's passes and the two checks
of the program) against the eager forward and backward of the same chain, time and peak memory
(the resident set's growth, in a fresh process for each figure, median of three).

How: everything runs in this one process. Each (system, N) is called once first (JAX compiles
there; that call's result is the one checked), then timed in rounds, the systems taking turns in
alternating order. A timed sample repeats the step until it lasts at least ``min_sample``
seconds, so that microsecond steps are not lost in the timer's resolution, and the figure is the
median over the samples. A step that takes over a second is timed once per sample, in fewer
samples. The garbage collector runs as usual (one explicit collection between samples frees the
previous sample's graphs), and micrograd's recursive topological sort gets a higher recursion
limit. numpy's BLAS runs on one thread (``OPENBLAS_NUM_THREADS=1``, set here unless the environment
sets it; ``OPENBLAS_CORETYPE`` is left as it is): the matrices are 16 wide, and on a 2-core machine
shared with other work a second BLAS thread made the same N = 10,000 step vary from 2.8 to 17 ms
(one thread waiting for a busy core) while being no faster at best. JAX keeps its own threads.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

# Set before numpy and JAX load (a value already set is kept): BLAS on one thread (see "How" above),
# JAX on the CPU without looking for accelerators.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("JAX_PLATFORMS", "cpu")

import numpy as np
from numpy.typing import NDArray

from autograd_mini import MLP, Program, trace
from autograd_mini.datasets import make_moons

Array = NDArray[np.float64]
Layers = list[tuple[Array, Array]]  # per layer: w of shape (outputs, inputs) and b of shape (outputs,)
Run = Callable[[], Any]  # one training step
Read = Callable[[Any], tuple[float, Array]]  # what a step returned -> (loss, gradients in parameter order)

HAND = "numpy written by hand"
COMPILED = "autograd_mini compiled"
ALPHA = 1e-4  # micrograd's README: the L2 regularization's weight
DEMO_STEPS = 100  # micrograd's README trains 100 steps; its learning rate falls over those 100
SLOW = 1.0  # seconds: a step slower than this is timed once per sample, in at most SLOW_SAMPLES samples
SLOW_SAMPLES = 3


@dataclass(frozen=True)
class Sizes:
    points: tuple[int, int]  # the step at a small and a large N; the scalar graphs only at the small one
    samples: int
    min_sample: float  # seconds: a timed sample repeats the step until it lasts this long
    traces: int  # how many times trace is timed
    demo_points: int
    demo_runs: int  # how many times the demo is trained through a program
    micrograd_demo_steps: int  # how many of micrograd's demo steps are timed (the figure is scaled to 100)


FULL = Sizes(
    (1_000, 10_000), samples=9, min_sample=0.05, traces=21, demo_points=100, demo_runs=5, micrograd_demo_steps=5
)
QUICK = Sizes((30, 60), samples=1, min_sample=0.0, traces=1, demo_points=20, demo_runs=1, micrograd_demo_steps=1)


# -- the model, the data and the loss -------------------------------------------------------


def make_model() -> MLP:
    return MLP(2, [16, 16, 1], activation="relu", output_activation="linear", seed=0)


def moons(n: int) -> tuple[Array, Array]:
    """``n`` points of make_moons and their labels as -1.0 and +1.0."""
    x, label = make_moons(n, noise=0.1, seed=0)
    return x, (2.0 * label - 1.0).astype(np.float64)


def as_columns(x: Array, y: Array) -> tuple[Array, Array]:
    """The points as the columns of a (2 x N) array, for the array rows (done once, outside the timing)."""
    return np.ascontiguousarray(x.T), y


def layers_of(model: MLP) -> Layers:
    """The model's weights as numpy arrays, layer by layer."""
    return [
        (np.array([[w.data for w in n.w] for n in layer.neurons]), np.array([n.b.data for n in layer.neurons]))
        for layer in model.layers
    ]


def flat(layers: Sequence[tuple[Any, Any]]) -> Array:
    """Weights or gradients in ``model.parameters()`` order: neuron by neuron, its w's then its b."""
    return np.concatenate([np.column_stack([np.asarray(w), np.asarray(b)]).ravel() for w, b in layers])


def hinge_program(model: MLP) -> Program:
    """The per-sample loss ``relu(1 - y * score)``, traced into a program."""
    return trace(lambda x, y: (1 + -y * model(x)[0]).relu(), [0.0, 0.0], 1.0)


def numpy_step(layers: Layers, x_cols: Array, y: Array) -> tuple[float, Layers]:
    """The mean hinge loss and its gradients, with the forward and the backward written by hand.

    ``x_cols`` is the points as columns (2 x N), so every array is (features x points): measured here,
    a little faster (about 10%) than points as rows.
    """
    inputs, sums = [], []
    h = x_cols
    for depth, (w, b) in enumerate(layers):
        inputs.append(h)
        sums.append(w @ h + b[:, None])
        h = sums[-1] if depth == len(layers) - 1 else np.maximum(sums[-1], 0.0)
    margin = 1.0 - y * h[0]
    loss = np.maximum(margin, 0.0).mean()
    upstream = (np.where(margin > 0.0, -y, 0.0) / len(y))[None, :]  # d loss / d score, relu'(0) = 0
    grads = []
    for depth in reversed(range(len(layers))):
        grads.append((upstream @ inputs[depth].T, upstream.sum(axis=1)))
        if depth:
            upstream = (layers[depth][0].T @ upstream) * (sums[depth - 1] > 0.0)
    return float(loss), grads[::-1]


def mean_hinge(xp: Any, layers: Any, x_cols: Any, y: Any) -> Any:
    """The same loss for the array libraries that differentiate it (``xp``: autograd.numpy or jax.numpy)."""
    h = x_cols
    for depth, (w, b) in enumerate(layers):
        z = w @ h + b[:, None]
        h = z if depth == len(layers) - 1 else xp.where(z > 0.0, z, 0.0)  # relu'(0) = 0, as in autograd_mini
    margin = 1.0 - y * h[0]
    return xp.mean(xp.where(margin > 0.0, margin, 0.0))


def zero_grads(params: Sequence[Any]) -> None:
    for p in params:
        p.grad = 0.0


def scalar_graph_step(score: Callable[[list[float]], Any], params: list[Any], points: Any, labels: Any) -> float:
    """One scalar graph over all the points (autograd_mini's or micrograd's Values), then backward."""
    zero_grads(params)
    losses = [(1 + -y * score(x)).relu() for x, y in zip(points, labels, strict=True)]
    loss = sum(losses) * (1.0 / len(losses))
    loss.backward()
    return float(loss.data)


# -- the systems: each makes, for one N, a step to time and a way to read its result ----------


@dataclass(frozen=True)
class System:
    name: str
    prepare: Callable[[int], tuple[Run, Read]]
    small_only: bool = False


def read_grads(params: list[Any]) -> Read:
    return lambda loss: (float(loss), np.array([float(p.grad) for p in params]))


def read_pair(out: Any) -> tuple[float, Array]:
    loss, grads = out
    return float(loss), flat(grads)


def hand_numpy(model: MLP, data: dict[int, tuple[Array, Array]]) -> System:
    layers = layers_of(model)
    columns = {n: as_columns(*data[n]) for n in data}
    return System(HAND, lambda n: ((lambda: numpy_step(layers, *columns[n])), read_pair))


def hips_autograd(model: MLP, data: dict[int, tuple[Array, Array]]) -> System:
    import autograd
    import autograd.numpy as anp

    step = autograd.value_and_grad(lambda layers, x, y: mean_hinge(anp, layers, x, y))
    layers = layers_of(model)
    columns = {n: as_columns(*data[n]) for n in data}
    return System("HIPS autograd", lambda n: ((lambda: step(layers, *columns[n])), read_pair))


def jax_jit(model: MLP, data: dict[int, tuple[Array, Array]]) -> System:
    import jax

    jax.config.update("jax_enable_x64", True)  # float64, like every other row
    import jax.numpy as jnp

    step = jax.jit(jax.value_and_grad(lambda layers, x, y: mean_hinge(jnp, layers, x, y)))
    layers = [(jnp.asarray(w), jnp.asarray(b)) for w, b in layers_of(model)]

    def prepare(n: int) -> tuple[Run, Read]:
        x_cols, y = (jnp.asarray(a) for a in as_columns(*data[n]))  # on the device once, as a training loop keeps them
        return (lambda: jax.block_until_ready(step(layers, x_cols, y))), read_pair

    return System(f"JAX {jax.__version__} jit(value_and_grad), CPU", prepare)


def eager(model: MLP, data: dict[int, tuple[Array, Array]]) -> System:
    params = model.parameters()

    def prepare(n: int) -> tuple[Run, Read]:
        points, labels = (a.tolist() for a in data[n])
        return (lambda: scalar_graph_step(lambda x: model(x)[0], params, points, labels)), read_grads(params)

    return System("autograd_mini eager", prepare, small_only=True)


def copy_to_micrograd(model: MLP) -> Any:
    """micrograd's MLP 2-16-16-1 (ReLU hidden, linear output) holding ``model``'s weights."""
    from micrograd import nn as micrograd_nn

    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    for mine, their in zip(model.parameters(), theirs.parameters(), strict=True):
        their.data = mine.data
    return theirs


def micrograd(model: MLP, data: dict[int, tuple[Array, Array]]) -> System:
    theirs = copy_to_micrograd(model)
    params = theirs.parameters()

    def prepare(n: int) -> tuple[Run, Read]:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * n + 10_000))  # its topological sort recurses
        points, labels = (a.tolist() for a in data[n])
        return (lambda: scalar_graph_step(theirs, params, points, labels)), read_grads(params)

    return System("micrograd 0.1.0", prepare, small_only=True)


def compiled(model: MLP, data: dict[int, tuple[Array, Array]]) -> System:
    params = model.parameters()
    program = hinge_program(model)

    def step(x: Array, y: Array) -> float:
        zero_grads(params)  # backward adds to .grad
        return program.backward(x, y)

    return System(COMPILED, lambda n: ((lambda: step(*data[n])), read_grads(params)))


def pytorch(dtype_name: str) -> Callable[[MLP, dict[int, tuple[Array, Array]]], System]:
    """PyTorch eager on the CPU in ``dtype_name``: the model through ``to_torch``, then ``loss.backward()``."""

    def make(model: MLP, data: dict[int, tuple[Array, Array]]) -> System:
        import torch

        from autograd_mini import to_torch

        torch.set_num_threads(1)  # one thread, as numpy's BLAS here (see "How")
        dtype = getattr(torch, dtype_name)
        module = to_torch(model).to(dtype)
        params = list(module.parameters())  # per layer: weight (outputs x inputs), then bias

        def prepare(n: int) -> tuple[Run, Read]:
            x, y = (torch.as_tensor(a, dtype=dtype) for a in data[n])  # made once, as a training loop keeps them

            def step() -> Any:
                for p in params:
                    p.grad = None
                loss = torch.relu(1.0 - y * module(x)[:, 0]).mean()
                loss.backward()
                return loss

            def read(loss: Any) -> tuple[float, Array]:
                grads = [p.grad.double().numpy() for p in params]
                return loss.item(), flat(list(zip(grads[::2], grads[1::2], strict=True)))

            return step, read

        return System(f"PyTorch {torch.__version__} eager, CPU, {dtype_name}", prepare)

    make.__name__ = f"pytorch_{dtype_name}"
    return make


pytorch_float64, pytorch_float32 = pytorch("float64"), pytorch("float32")


def installed(name: str) -> bool:
    """Whether an optional system imports (the tests hide one with ``sys.modules[name] = None``)."""
    try:
        importlib.import_module(name)
    except ImportError:
        return False
    return True


OPTIONAL = {
    "autograd": (hips_autograd,),
    "jax": (jax_jit,),
    "torch": (pytorch_float64, pytorch_float32),
    "micrograd": (micrograd,),
}
SYSTEMS = [hand_numpy, hips_autograd, jax_jit, pytorch_float64, pytorch_float32, eager, micrograd, compiled]


# -- timing: every (system, N) in turns, medians ---------------------------------------------


@dataclass
class Entry:
    system: str
    n: int
    run: Run
    difference: float = math.nan  # largest relative difference from numpy written by hand
    number: int = 1  # steps per timed sample
    samples_wanted: int = 1
    samples: list[float] = field(default_factory=list)

    def sample(self) -> None:
        gc.collect()  # the previous sample's graphs, outside the timing
        start = time.perf_counter()
        repeat(self.run, self.number)
        self.samples.append((time.perf_counter() - start) / self.number)


def repeat(run: Run, number: int) -> None:
    for _ in range(number):
        run()


def difference(mine: tuple[float, Array], reference: tuple[float, Array]) -> float:
    """Relative difference: the loss to the loss, each gradient to the largest gradient."""
    (loss, grads), (ref_loss, ref_grads) = mine, reference
    return max(
        abs(loss - ref_loss) / abs(ref_loss), float(np.max(np.abs(grads - ref_grads)) / np.max(np.abs(ref_grads)))
    )


def first_call(system: System, n: int, sizes: Sizes, reference: tuple[float, Array]) -> Entry:
    """Call the step once (JAX compiles here) and check it; then choose how many steps make a sample."""
    run, read = system.prepare(n)
    start = time.perf_counter()
    result = read(run())
    seconds = time.perf_counter() - start
    entry = Entry(system.name, n, run, difference(result, reference))
    if seconds > SLOW:
        entry.samples_wanted = min(sizes.samples, SLOW_SAMPLES)
        return entry
    start = time.perf_counter()
    run()
    seconds = time.perf_counter() - start
    entry.number = max(1, math.ceil(sizes.min_sample / seconds))
    entry.samples_wanted = sizes.samples
    return entry


def time_steps(systems: list[System], sizes: Sizes, data: dict[int, tuple[Array, Array]], model: MLP) -> list[Entry]:
    layers = layers_of(model)
    entries = []
    for n in sizes.points:
        reference = read_pair(numpy_step(layers, *as_columns(*data[n])))
        for system in systems:
            if n == sizes.points[0] or not system.small_only:
                entries.append(first_call(system, n, sizes, reference))
    for round_ in range(sizes.samples):
        for entry in entries if round_ % 2 == 0 else entries[::-1]:
            if len(entry.samples) < entry.samples_wanted:
                entry.sample()
    return entries


def time_trace(sizes: Sizes) -> float:
    model = make_model()
    times = []
    for _ in range(sizes.traces):
        start = time.perf_counter()
        hinge_program(model)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


# -- trace on a long chain -----------------------------------------------------------------

CHAIN_SIZES = (10_000, 100_000, 1_000_000)
QUICK_CHAIN_SIZES = (1_000, 10_000)
CHAIN_RUNS = 3  # fresh processes per figure (quick: one)


def tanh_chain(n: int) -> Callable[[Any], Any]:
    def chain(x: Any) -> Any:
        for _ in range(n):
            x = x.tanh()
        return x

    return chain


def chain_worker(kind: str, n: int) -> tuple[float, int]:
    """In this (fresh) process: the eager forward and backward of a chain of ``n`` tanh, or its trace;
    the seconds it took and how far the resident set grew, in bytes."""
    import resource

    from autograd_mini import Value

    chain = tanh_chain(n)
    unit = 1 if platform.system() == "Darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    if kind == "eager":
        chain(Value(0.5)).backward()
    else:
        trace(chain, 0.5)
    seconds = time.perf_counter() - start
    return seconds, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) * unit


def run_chain_worker(kind: str, n: int) -> tuple[float, int]:
    import subprocess

    done = subprocess.run(
        [sys.executable, __file__, "--chain-worker", kind, str(n)], capture_output=True, text=True, check=True
    )
    seconds, peak = done.stdout.split()
    return float(seconds), int(peak)


def megabytes(size: float) -> str:
    return f"{size / 1e6:,.0f} MB" if size >= 1e6 else f"{size / 1e3:,.0f} kB"


def chain_table(quick: bool) -> str:
    """Trace against the eager forward and backward on chains of tanh: one row per length."""
    rows: list[tuple[str, ...]] = [
        (
            "chain of tanh",
            "eager forward + backward",
            "trace",
            "trace over eager",
            "eager peak memory",
            "trace peak memory",
            "trace over eager",
            "target",
            "verdict",
        )
    ]
    for n in QUICK_CHAIN_SIZES if quick else CHAIN_SIZES:
        figures: dict[str, list[tuple[float, int]]] = {"eager": [], "trace": []}
        for run in range(1 if quick else CHAIN_RUNS):
            for kind in ("eager", "trace") if run % 2 == 0 else ("trace", "eager"):
                figures[kind].append(run_chain_worker(kind, n))
        (eager_time, eager_peak), (trace_time, trace_peak) = (
            (statistics.median(t for t, _ in figures[k]), statistics.median(m for _, m in figures[k]))
            for k in ("eager", "trace")
        )
        time_ratio, memory_ratio = trace_time / eager_time, trace_peak / max(eager_peak, 1)
        rows.append(
            (
                f"{n:,} nodes",
                duration(eager_time),
                duration(trace_time),
                f"{time_ratio:.1f}x",
                megabytes(eager_peak),
                megabytes(trace_peak),
                f"{memory_ratio:.1f}x",
                "<= 10x, time and memory",
                verdict(time_ratio <= 10.0 and memory_ratio <= 10.0, quick),
            )
        )
    return markdown(rows)


# -- micrograd's demo, end to end -----------------------------------------------------------


def learning_rate(k: int) -> float:
    return 1.0 - 0.9 * k / DEMO_STEPS


def demo_program(model: MLP, x: Array, y: Array, steps: int) -> list[float]:
    """micrograd's README training through a program: trace once, then full-batch SGD; the losses."""
    params = model.parameters()
    program = hinge_program(model)
    losses = []
    for k in range(steps):
        zero_grads(params)
        data_loss = program.backward(x, y)
        losses.append(data_loss + ALPHA * sum(p.data * p.data for p in params))
        rate = learning_rate(k)
        for p in params:
            p.data -= rate * (p.grad + 2.0 * ALPHA * p.data)  # the L2 term's gradient, added by hand
    return losses


def demo_micrograd_step(model: Any, x: list[list[float]], y: list[float], k: int) -> float:
    """One step of micrograd's README loop, as it is written there (without its accuracy line)."""
    from micrograd.engine import Value as MicrogradValue

    inputs = [list(map(MicrogradValue, row)) for row in x]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum(p * p for p in model.parameters())
    total_loss = data_loss + reg_loss
    model.zero_grad()
    total_loss.backward()
    rate = learning_rate(k)
    for p in model.parameters():
        p.data -= rate * p.grad
    return float(total_loss.data)


def demo_numpy(layers: Layers, x: Array, y: Array, steps: int) -> tuple[list[float], Layers]:
    """The same training with numpy written by hand: the losses and the final weights."""
    losses = []
    x_cols, y = as_columns(x, y)
    for k in range(steps):
        loss, grads = numpy_step(layers, x_cols, y)
        losses.append(loss + ALPHA * sum(float((w * w).sum() + (b * b).sum()) for w, b in layers))
        rate = learning_rate(k)
        layers = [
            (w - rate * (dw + 2.0 * ALPHA * w), b - rate * (db + 2.0 * ALPHA * b))
            for (w, b), (dw, db) in zip(layers, grads, strict=True)
        ]
    return losses, layers


@dataclass
class Demo:
    program: float  # seconds for the whole training through a program, trace included
    micrograd_step: float | None  # seconds per micrograd step (median)
    notes: list[str]


def run_demo(sizes: Sizes, has_micrograd: bool) -> Demo:
    """Train through a program ``demo_runs`` times, interleaved with micrograd's timed steps; check both."""
    x, y = moons(sizes.demo_points)
    model = make_model()
    start_weights = [p.data for p in model.parameters()]
    theirs = copy_to_micrograd(model) if has_micrograd else None
    rows, labels = x.tolist(), y.tolist()
    program_times, micrograd_times, micrograd_losses = [], [], []
    for round_ in range(max(sizes.demo_runs, sizes.micrograd_demo_steps)):
        if round_ < sizes.demo_runs:
            for p, w in zip(model.parameters(), start_weights, strict=True):
                p.data = w
            gc.collect()
            start = time.perf_counter()
            losses = demo_program(model, x, y, DEMO_STEPS)
            program_times.append(time.perf_counter() - start)
        if theirs is not None and round_ < sizes.micrograd_demo_steps:
            gc.collect()
            start = time.perf_counter()
            micrograd_losses.append(demo_micrograd_step(theirs, rows, labels, round_))
            micrograd_times.append(time.perf_counter() - start)
    start_layers = layers_of(make_model())
    hand_losses, hand_layers = demo_numpy(start_layers, x, y, DEMO_STEPS)
    trained = np.array([p.data for p in model.parameters()])
    notes = [
        f"demo: {DEMO_STEPS} steps through a program against numpy written by hand: largest relative "
        f"difference {max(relative(losses, hand_losses), relative(trained, flat(hand_layers))):.1e} "
        f"(losses, and final weights to the largest weight); final loss {losses[-1]:.4f}"
    ]
    if theirs is not None:
        steps = sizes.micrograd_demo_steps
        model_again = make_model()
        program_losses = demo_program(model_again, x, y, steps)
        weights = [p.data for p in theirs.parameters()]
        gap = max(
            relative(micrograd_losses, program_losses), relative(weights, [p.data for p in model_again.parameters()])
        )
        notes.append(
            f"demo: micrograd against the program over the {steps} steps micrograd ran: largest relative difference "
            f"{gap:.1e} (losses and weights)"
        )
    micrograd_step = statistics.median(micrograd_times) if micrograd_times else None
    return Demo(statistics.median(program_times), micrograd_step, notes)


def relative(mine: Sequence[float] | Array, reference: Sequence[float] | Array) -> float:
    a, b = np.asarray(mine, dtype=float), np.asarray(reference, dtype=float)
    return float(np.max(np.abs(a - b)) / np.max(np.abs(b)))


# -- the report ------------------------------------------------------------------------------


def duration(seconds: float) -> str:
    if seconds >= 1.0:
        return f"{seconds:.3g} s"
    return f"{seconds * 1e3:.3g} ms" if seconds >= 1e-3 else f"{seconds * 1e6:.3g} µs"


def verdict(met: bool, quick: bool) -> str:
    return "(quick)" if quick else "met" if met else "NOT met"


def agreement(entry: Entry) -> str:
    """How far a system's loss and gradients are from numpy written by hand; float32 is held to its own rounding."""
    line = f"agreement with numpy written by hand, {entry.system} N={entry.n:,}: largest relative difference "
    if entry.system.endswith("float32"):
        return line + f"{entry.difference:.1e} in float32 (whose rounding is {2.0**-24:.1e})"
    return line + f"{entry.difference:.1e}"


def markdown(rows: Sequence[tuple[str, ...]]) -> str:
    lines = [rows[0], ("---",) * len(rows[0]), *rows[1:]]
    return "\n".join("| " + " | ".join(row) + " |" for row in lines)


def step_table(entries: list[Entry], quick: bool) -> tuple[str, dict[int, float]]:
    """The step table, and the compiled step's time per point at each N."""
    medians = {(e.system, e.n): statistics.median(e.samples) for e in entries}
    rows: list[tuple[str, ...]] = [
        ("system", "N", "time per step", "relative to numpy written by hand", "target", "verdict")
    ]
    per_point = {}
    for entry in entries:
        seconds = medians[entry.system, entry.n]
        ratio = seconds / medians[HAND, entry.n]
        row: tuple[str, ...] = (
            entry.system,
            f"{entry.n:,}",
            duration(seconds),
            "1x (reference)" if entry.system == HAND else f"{ratio:,.0f}x" if ratio >= 100 else f"{ratio:.2f}x",
        )
        if entry.system == COMPILED:
            per_point[entry.n] = seconds / entry.n
            met = verdict(ratio <= 5.0, quick)
            if not quick and ratio <= 5.0:
                met += ", stretch met" if ratio <= 2.0 else ", stretch NOT met"
            row += ("<= 5x (stretch 2x)", met)
        rows.append(row + ("", "") * (len(row) == 4))
    return markdown(rows), per_point


def summary_table(per_point: dict[int, float], trace_seconds: float, demo: Demo, sizes: Sizes, quick: bool) -> str:
    small, large = sizes.points
    growth = per_point[large] / per_point[small]
    demo_name = f"demo, {sizes.demo_points} moons, {DEMO_STEPS} steps"
    rows: list[tuple[str, ...]] = [
        ("measurement", "value", "target", "verdict"),
        (
            f"compiled step: cost per point, N={large:,} over N={small:,}",
            f"{growth:.2f}x",
            "<= 1x",
            verdict(growth <= 1.0, quick),
        ),
        (
            f"trace of the MLP hinge loss (median of {sizes.traces})",
            duration(trace_seconds),
            "< 50 ms",
            verdict(trace_seconds < 0.05, quick),
        ),
        (
            f"{demo_name}: through a program, trace included (median of {sizes.demo_runs})",
            duration(demo.program),
            "",
            "",
        ),
    ]
    if demo.micrograd_step is not None:
        theirs = demo.micrograd_step * DEMO_STEPS
        ratio = theirs / demo.program
        steps = sizes.micrograd_demo_steps
        rows += [
            (
                f"{demo_name}: micrograd 0.1.0 ({steps} steps timed, median step x {DEMO_STEPS})",
                duration(theirs),
                "",
                "",
            ),
            (f"{demo_name}: micrograd over program", f"{ratio:,.0f}x", ">= 500x", verdict(ratio >= 500, quick)),
        ]
    return markdown(rows)


def numpy_config() -> str:
    """numpy's version and its BLAS, briefly (threadpoolctl's view of the loaded library where installed)."""
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    env = f"OPENBLAS_CORETYPE={coretype} (left as set)" if coretype else "OPENBLAS_CORETYPE not set"
    if installed("threadpoolctl"):
        from threadpoolctl import threadpool_info

        blas = "; ".join(
            f"{i.get('internal_api')} {i.get('version')}, {i.get('num_threads')} threads, {i.get('architecture')}"
            for i in threadpool_info()
            if i.get("user_api") == "blas"
        )
    else:
        info = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        blas = f"{info.get('name')} {info.get('version')} ({info.get('openblas configuration', '').strip()})"
    threads = os.environ.get("OPENBLAS_NUM_THREADS")
    return f"numpy {np.__version__}, BLAS: {blas}; OPENBLAS_NUM_THREADS={threads}; {env}"


def where_time_goes(sizes: Sizes, data: dict[int, tuple[Array, Array]], model: MLP) -> str:
    """The compiled step under cProfile (its costliest functions); then, without the profiler, each of it and
    numpy by hand: time, minor page faults and system time per step.

    Run on its own, in a fresh process: there the heap is small, as in a short training script, and
    the allocator hands freed working arrays back to the system and faults them in again each step.
    In the full benchmark's process the scalar graphs have grown the heap first and that cost vanishes.
    """
    import cProfile
    import pstats
    import resource

    lines = []
    steps_of = {HAND: hand_numpy(model, data), COMPILED: compiled(model, data)}
    for n in sizes.points:
        run, _ = steps_of[COMPILED].prepare(n)
        start = time.perf_counter()
        run()
        steps = max(1, math.ceil(10 * sizes.min_sample / (time.perf_counter() - start)))
        profiler = cProfile.Profile()
        profiler.runcall(repeat, run, steps)
        costliest = sorted(pstats.Stats(profiler).stats.items(), key=lambda item: -item[1][2])[:8]
        lines.append(
            f"The compiled step at N={n:,} under cProfile ({steps} steps; its overhead included): "
            "time inside each function, per step"
        )
        lines += [
            f"  {total / steps * 1e6:7.0f} µs  {os.path.basename(file)}:{line} {name} ({calls // steps} calls)"
            for (file, line, name), (_, calls, total, _, _) in costliest
        ]
        for system, step in steps_of.items():
            run, _ = step.prepare(n)
            run()
            before, start = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
            repeat(run, steps)
            seconds, after = time.perf_counter() - start, resource.getrusage(resource.RUSAGE_SELF)
            faults = (after.ru_minflt - before.ru_minflt) / steps
            kernel = (after.ru_stime - before.ru_stime) / steps
            lines.append(
                f"  {system}: {duration(seconds / steps)} per step, {faults:.0f} minor page faults and "
                f"{duration(kernel)} of system time per step"
            )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="tiny sizes and one repeat: checks that it runs")
    parser.add_argument("--profile", action="store_true", help="only where the compiled step's time goes")
    parser.add_argument("--trace-chain", action="store_true", help="only trace against eager on chains of tanh")
    parser.add_argument("--chain-worker", nargs=2, metavar=("KIND", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.chain_worker:
        print(*chain_worker(args.chain_worker[0], int(args.chain_worker[1])))
        return 0
    if args.trace_chain:
        print(chain_table(args.quick))
        load = os.getloadavg()[0]
        print(f"\nPython {platform.python_version()}, {os.cpu_count()} cores; load average (1 min) {load:.2f}")
        return 0
    sizes = QUICK if args.quick else FULL
    start_load = os.getloadavg()[0]  # other work on the machine: the figures are only as quiet as it is
    data = {n: moons(n) for n in sizes.points}
    model = make_model()
    if args.profile:
        print(where_time_goes(sizes, data, model))
        return 0
    missing = [name for name in OPTIONAL if not installed(name)]
    skipped = {make for name in missing for make in OPTIONAL[name]}
    systems = [make(model, data) for make in SYSTEMS if make not in skipped]
    entries = time_steps(systems, sizes, data, model)
    table, per_point = step_table(entries, args.quick)
    trace_seconds = time_trace(sizes)
    demo = run_demo(sizes, "micrograd" not in missing)
    load = os.getloadavg()[0]
    print(table)
    print()
    print(summary_table(per_point, trace_seconds, demo, sizes, args.quick))
    print()
    print(
        f"Python {platform.python_version()}, {platform.machine()}, {os.cpu_count()} cores; {numpy_config()}. "
        f"One process; median of {sizes.samples} samples, systems taking turns; a sample repeats the step for at "
        f"least {sizes.min_sample * 1e3:.0f} ms; steps over {SLOW:.0f} s: {SLOW_SAMPLES} samples of one step. "
        f"Load average (1 min) before the run {start_load:.2f}, after {load:.2f}."
    )
    for name in missing:
        print(f"{name} is not installed (pip install {name}): no row for it.")
    for entry in (e for e in entries if e.system != HAND):
        print(agreement(entry))
    for note in demo.notes:
        print(note)
    return 0


if __name__ == "__main__":
    sys.exit(main())
