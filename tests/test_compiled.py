"""compiled: trace(fn) -> Program, held against the eager engine's per-sample graphs.

The reference is always the eager engine itself: one graph per row of the batch, summed or
averaged, then ``.backward()``. A fused program adds its sums in another order, so values are
compared to 1e-12 of the size of the terms they add up (``term_sizes``), not only of the result.
Every test here turns warnings into errors: no numpy RuntimeWarning may escape a program.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import autograd_mini.compiled as compiled
from autograd_mini import MLP, SGD, Program, TraceError, Value, no_grad, rules, topological_order, trace
from autograd_mini.rules import RULES

pytestmark = pytest.mark.filterwarnings("error")

Batch = Sequence[np.ndarray]
Fn = Callable[..., Any]

# -- the eager reference -------------------------------------------------------------------


def sample_args(batch: Batch, row: int) -> list[Any]:
    """Row ``row`` of the batch as fresh Values: one for a (B,) array, a list for a (B, k) one."""
    return [Value(float(a[row])) if a.ndim == 1 else [Value(float(v)) for v in a[row]] for a in batch]


def as_list(returned: Value | Sequence[Value]) -> list[Value]:
    return [returned] if isinstance(returned, Value) else list(returned)


def term_sizes(root: Value) -> tuple[float, dict[Value, float]]:
    """How exactly root and its gradients can be known: the size of the terms root's value adds up, and
    for each node the size of the terms d(root)/d(node) adds up (a sum over paths of products of slopes).

    Rounding carries forward: each node is off by about eps times its own size, plus its inputs' error
    times its local derivatives. A local derivative is then off by as much as it moves with its inputs,
    measured on the rule itself; that matters where a slope is ill-conditioned: ``1 - out**2`` of a
    saturated tanh is 0 or 2e-16 as ``out`` is 1 or an ulp below, and ``d(w*b)/dw = b`` is only as
    exact as ``b``'s terms. Each path's product counts every slope with that size.
    """
    order = topological_order(root)
    carried: dict[Value, float] = {}  # how far each value may be off, in units of eps
    for node in order:
        inherited = sum(abs(local) * carried[p] for p, local in zip(node.parents, node.local_grads, strict=True))
        carried[node] = abs(node.data) + inherited if node.parents else 0.0  # inputs and parameters are exact
    sizes = {root: 1.0}
    for node in reversed(order):
        size = sizes.get(node, 0.0)
        if not node.parents:
            continue
        for parent, slope in zip(node.parents, _slope_sizes(node, carried), strict=True):
            sizes[parent] = sizes.get(parent, 0.0) + size * slope
    return carried[root] or abs(root.data), sizes


def _slope_sizes(node: Value, carried: dict[Value, float]) -> list[float]:
    """Each local derivative's size, plus how far it moves (per eps) when its inputs move by their error."""
    rule = RULES[node.op]
    inputs = [parent.data for parent in node.parents]

    def slopes(xs: list[float]) -> tuple[Any, ...]:
        return rule.derivative(*xs, rule.forward(*xs))

    sizes = [abs(local) for local in node.local_grads]
    for j, parent in enumerate(node.parents):
        step = 1e-7 * carried[parent]
        if step:
            up, down = list(inputs), list(inputs)
            up[j] += step
            down[j] -= step
            for i, (a, b) in enumerate(zip(slopes(up), slopes(down), strict=True)):
                sizes[i] += abs(a - b) / 2e-7
    return sizes


def eager_outputs(fn: Fn, batch: Batch) -> tuple[np.ndarray, np.ndarray]:
    """Each row's outputs from its own eager graph, shape (B, m), and the scale of each."""
    values, scales = [], []
    for row in range(len(batch[0])):
        outs = as_list(fn(*sample_args(batch, row)))
        values.append([out.data for out in outs])
        scales.append([term_sizes(out)[0] for out in outs])
    return np.array(values), np.array(scales)


def eager_backward(
    fn: Fn, parameters: Sequence[Value], batch: Batch, reduction: str
) -> tuple[float, list[float], float, list[float]]:
    """The per-sample eager graphs summed (or averaged), then ``.backward()``: the loss and the parameters'
    gradients, with the size of the terms each adds up. The parameters' ``.grad`` are left at 0.0."""
    size = len(batch[0])
    divisor = size if reduction == "mean" else 1
    losses = [fn(*sample_args(batch, row)) for row in range(size)]
    value_sizes, sizes = zip(*map(term_sizes, losses), strict=True)
    total = losses[0]
    for loss in losses[1:]:
        total = total + loss
    if reduction == "mean":
        total = total / size
    zero(parameters)
    total.backward()
    grads = [p.grad for p in parameters]
    zero(parameters)
    grad_scales = [sum(s.get(p, 0.0) for s in sizes) / divisor for p in parameters]
    return total.data, grads, sum(value_sizes) / divisor, grad_scales


def compiled_backward(program: Program, batch: Batch, reduction: str) -> tuple[float, list[float]]:
    """``program.backward`` from zero gradients: the reduced value and the parameters' gradients."""
    zero(program.parameters)
    value = program.backward(*batch, reduction=reduction)
    grads = [p.grad for p in program.parameters]
    zero(program.parameters)
    return value, grads


def zero(parameters: Sequence[Value]) -> None:
    for p in parameters:
        p.grad = 0.0


def assert_close(got: Any, expected: Any, scales: Any, what: str) -> None:
    """Each number within 1e-12 of the expected one, relative, or of the size of its terms."""
    got, expected, scales = (np.asarray(a, dtype=float).ravel().tolist() for a in (got, expected, scales))
    assert len(got) == len(expected) == len(scales), what
    for i, (mine, theirs, scale) in enumerate(zip(got, expected, scales, strict=True)):
        assert mine == pytest.approx(theirs, rel=1e-12, abs=1e-12 * scale), f"{what}[{i}] (scale {scale:.3g})"


def check_against_eager(fn: Fn, examples: Sequence[Any], batch: Batch) -> Program:
    """Trace fn, then hold its values and its gradients (mean and sum) against the eager engine's."""
    program = trace(fn, *examples)
    expected, scales = eager_outputs(fn, batch)
    assert_close(program(*batch), expected, scales, "values")
    for reduction in ("mean", "sum"):
        value, grads = compiled_backward(program, batch, reduction)
        expected_value, expected_grads, scale, grad_scales = eager_backward(fn, program.parameters, batch, reduction)
        assert isinstance(value, float)
        assert_close([value], [expected_value], [scale], f"{reduction} value")
        assert_close(grads, expected_grads, grad_scales, f"{reduction} gradients")
    return program


def same(a: float, b: float) -> bool:
    """Equal as the engine's edge values are: exactly, NaN equal to NaN."""
    return a == b or (math.isnan(a) and math.isnan(b))


def python_name(label: str) -> str:
    """How the source writes a label: ``layers.0.w.1`` -> ``layers_0_w_1``."""
    return re.sub(r"\W+", "_", label).strip("_")


def source_sample(program: Program, names: Sequence[str] | None = None) -> Callable[..., Any]:
    """``sample`` from exec'ing ``program.source`` (our own generated code), with each parameter's data under
    its name in ``names``: by default the names the source's header lists (it lists up to 8)."""
    if names is None:
        header = [line for line in program.source.splitlines() if line.startswith("# parameters")]
        names = header[0].split(": ", 1)[1].split(", ") if header else []
        assert len(program.parameters) <= 8, "the header names at most 8 parameters"
    namespace = {"math": math, "RULES": RULES, **{n: p.data for n, p in zip(names, program.parameters, strict=True)}}
    exec(program.source, namespace)
    return namespace["sample"]  # type: ignore[no-any-return]


# -- random graphs over every primitive ---------------------------------------------------
#
# A recipe is a random fn: its arguments (numbers and sequences), parameters made outside it,
# and the steps that build its graph. Each op is applied in a form that keeps it defined for
# every input in [-2, 2] (log and sqrt of |a| + 0.5, a / (1 + b*b), ** with a positive base or
# an integer exponent), and each step keeps a bound on its node's size: a step that would pass
# LIMIT squashes its operands with tanh first (a layer: its outputs), so exp and sin stay exact.

LIMIT = 50.0
UNARY = {
    "neg": (lambda a: -a, lambda m: m),
    "abs": (abs, lambda m: m),
    "exp": (lambda a: a.exp(), math.exp),
    "log": (lambda a: (abs(a) + 0.5).log(), lambda m: max(0.7, math.log(m + 0.5))),
    "sqrt": (lambda a: (abs(a) + 0.5).sqrt(), lambda m: math.sqrt(m + 0.5)),
    "tanh": (lambda a: a.tanh(), lambda m: 1.0),
    "sigmoid": (lambda a: a.sigmoid(), lambda m: 1.0),
    "relu": (lambda a: a.relu(), lambda m: m),
    "softplus": (lambda a: a.apply("softplus"), lambda m: m + 0.7),
    "sin": (lambda a: a.sin(), lambda m: 1.0),
    "cos": (lambda a: a.cos(), lambda m: 1.0),
}
BINARY = {
    "+": (lambda a, b: a + b, lambda m, n: m + n),
    "-": (lambda a, b: a - b, lambda m, n: m + n),
    "*": (lambda a, b: a * b, lambda m, n: m * n),
    "/": (lambda a, b: a / (1 + b * b), lambda m, n: m),
    "**": (lambda a, b: (abs(a) + 0.5) ** b.tanh(), lambda m, n: max(m + 0.5, 2.0)),
}
# With a constant c in [-2, 2], on either side: (build, bound).
WITH_CONSTANT = {
    "+": [(lambda a, c: a + c, lambda m, c: m + abs(c)), (lambda a, c: c + a, lambda m, c: m + abs(c))],
    "-": [(lambda a, c: a - c, lambda m, c: m + abs(c)), (lambda a, c: c - a, lambda m, c: m + abs(c))],
    "*": [(lambda a, c: a * c, lambda m, c: m * abs(c)), (lambda a, c: c * a, lambda m, c: m * abs(c))],
    "/": [
        (lambda a, c: a / (math.copysign(0.5, c) + c), lambda m, c: 2 * m),
        (lambda a, c: c / (1 + a * a), lambda m, c: abs(c)),
    ],
    "**": [
        (lambda a, c: a ** float(round(c) + 3), lambda m, c: m ** (round(c) + 3)),  # 1 ... 5: negative bases too
        (lambda a, c: (abs(a) + 0.5) ** c, lambda m, c: max((m + 0.5) ** 2, 4.0)),
        (lambda a, c: (abs(c) + 0.5) ** a.tanh(), lambda m, c: 2.5),
    ],
}


@dataclass(frozen=True)
class Step:
    """One step of a recipe: ``op`` on earlier nodes (indices into the pool), or a layer of neurons."""

    op: str
    operands: tuple[int, ...]
    form: int = 0
    constant: float = 0.0
    squash: bool = False  # tanh of the operands first (a layer: of its outputs)
    weights: tuple[tuple[int, ...], ...] = ()  # a layer: each neuron's weights (pool indices of parameters)
    biases: tuple[int | None, ...] = ()

    def build(self, pool: list[Value]) -> list[Value]:
        if self.op == "layer":
            outs = [self._neuron(pool, ws, b) for ws, b in zip(self.weights, self.biases, strict=True)]
            return [out.tanh() for out in outs] if self.squash else outs
        args = [pool[i].tanh() if self.squash else pool[i] for i in self.operands]
        if len(args) == 2:
            return [BINARY[self.op][0](*args)]
        if self.op in WITH_CONSTANT:
            return [WITH_CONSTANT[self.op][self.form][0](args[0], self.constant)]
        return [UNARY[self.op][0](args[0])]

    def reads(self) -> set[int]:
        return {*self.operands, *(w for ws in self.weights for w in ws), *(b for b in self.biases if b is not None)}

    def _neuron(self, pool: list[Value], weights: tuple[int, ...], bias: int | None) -> Value:
        """``b + w_0 x_0 + w_1 x_1 + ...`` in the order nn.Neuron adds it (no bias: from ``w_0 x_0``)."""
        products = [pool[w] * pool[x] for w, x in zip(weights, self.operands, strict=True)]
        total = products[0] if bias is None else pool[bias] + products[0]
        for product in products[1:]:
            total = total + product
        return total


@dataclass
class Recipe:
    """A random fn: ``fn(*args)`` builds the steps' graph on its inputs and the parameters."""

    widths: list[int | None]  # fn's arguments: None for a number, k for a sequence of k
    examples: list[Any]
    parameters: list[Value]
    steps: list[Step]
    outputs: list[int] | None  # None: fn returns the sum of the nodes no step reads, a Value; else a list

    def fn(self, *args: Any) -> Value | list[Value]:
        pool: list[Value] = [leaf for arg in args for leaf in (arg if isinstance(arg, list) else [arg])]
        pool += self.parameters
        start = len(pool)
        for step in self.steps:
            pool += step.build(pool)
        if self.outputs is not None:
            return [pool[i] for i in self.outputs]
        read = {i for step in self.steps for i in step.reads()}
        unread = [pool[i] for i in range(start, len(pool)) if i not in read]
        total = unread[0]
        for node in unread[1:]:
            total = total + node
        return total

    def batch(self, size: int, seed: int) -> list[np.ndarray]:
        rng = np.random.default_rng(seed)
        return [rng.uniform(-2.0, 2.0, size if w is None else (size, w)) for w in self.widths]


def reals(lo: float, hi: float) -> st.SearchStrategy[float]:
    """Numbers in [lo, hi], none subnormal (1e-320 ** 0.5 has a slope past the largest float: an eager error)."""
    return st.floats(lo, hi, allow_nan=False, allow_infinity=False, allow_subnormal=False)


@st.composite
def recipes(draw: st.DrawFn, single: bool = False) -> Recipe:
    """A random fn whose graph mixes every primitive, fused neurons, fan-out, parameters and constants."""
    widths = draw(st.lists(st.one_of(st.none(), st.integers(1, 3)), min_size=1, max_size=3))
    examples = [
        draw(reals(-2, 2)) if w is None else draw(st.lists(reals(-2, 2), min_size=w, max_size=w)) for w in widths
    ]
    leaves = sum(1 if w is None else w for w in widths)
    parameters = [Value(draw(reals(-1.5, 1.5)), label=f"p{i}") for i in range(draw(st.integers(1, 5)))]
    bounds = [2.0] * leaves + [1.5] * len(parameters)
    steps = []
    for _ in range(draw(st.integers(1, 12))):
        step, sizes = draw(_steps(len(bounds), leaves, len(parameters), bounds))
        steps.append(step)
        bounds += sizes
    computed = range(leaves + len(parameters), len(bounds))
    outputs = (
        None if single or draw(st.booleans()) else draw(st.lists(st.sampled_from(computed), max_size=3, min_size=1))
    )
    return Recipe(widths, examples, parameters, steps, outputs)


@st.composite
def _steps(draw: st.DrawFn, pool: int, leaves: int, n_parameters: int, bounds: list[float]) -> tuple[Step, list[float]]:
    """One step on a pool of ``pool`` nodes (inputs, then parameters, then computed), and its nodes' bounds.
    Half the operands are among the last three nodes, so that graphs grow deep as well as wide."""
    node = st.one_of(st.integers(max(0, pool - 3), pool - 1), st.integers(0, pool - 1))
    kind = draw(st.sampled_from(["unary", "binary", "constant", "layer"]))
    if kind == "layer":
        inputs = tuple(draw(st.lists(node, min_size=1, max_size=3)))
        parameter = st.integers(leaves, leaves + n_parameters - 1)
        neurons = draw(st.integers(1, 3))
        weights = tuple(tuple(draw(parameter) for _ in inputs) for _ in range(neurons))
        biases = tuple(draw(st.one_of(st.none(), parameter)) for _ in range(neurons))
        bound = 1.5 + sum(1.5 * bounds[i] for i in inputs)
        squash = bound > LIMIT
        sizes = [1.0 if squash else bound] * neurons
        return Step("layer", inputs, squash=squash, weights=weights, biases=biases), sizes
    if kind == "binary":
        op = draw(st.sampled_from(sorted(BINARY)))
        operands = (draw(node), draw(node))
        bound_of = BINARY[op][1]
        bound = bound_of(*(bounds[i] for i in operands))
        squash = bound > LIMIT
        return Step(op, operands, squash=squash), [bound_of(1.0, 1.0) if squash else bound]
    operand = draw(node)
    if kind == "constant":
        op = draw(st.sampled_from(sorted(WITH_CONSTANT)))
        form = draw(st.integers(0, len(WITH_CONSTANT[op]) - 1))
        constant = draw(reals(-2, 2))
        bound_of = WITH_CONSTANT[op][form][1]
        bound = bound_of(bounds[operand], constant)
        squash = bound > LIMIT
        return Step(op, (operand,), form, constant, squash), [bound_of(1.0, constant) if squash else bound]
    op = draw(st.sampled_from(sorted(UNARY)))
    bound = UNARY[op][1](min(bounds[operand], LIMIT))
    squash = bound > LIMIT
    return Step(op, (operand,), squash=squash), [UNARY[op][1](1.0) if squash else bound]


def test_the_random_graphs_use_every_primitive() -> None:
    assert set(UNARY) | set(BINARY) == set(RULES)


@settings(max_examples=100, deadline=None)
@given(recipe=recipes(), size=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_random_graphs_give_the_eager_values_for_every_row(recipe: Recipe, size: int, seed: int) -> None:
    program = trace(recipe.fn, *recipe.examples)
    batch = recipe.batch(size, seed)
    got = program(*batch)
    expected, scales = eager_outputs(recipe.fn, batch)
    assert got.shape == ((size,) if recipe.outputs is None else (size, len(recipe.outputs)))
    assert_close(got, expected, scales, "outputs")


@settings(max_examples=100, deadline=None)
@given(recipe=recipes(single=True), size=st.integers(1, 6), seed=st.integers(0, 2**32 - 1))
def test_random_graphs_give_the_eager_gradients_mean_and_sum(recipe: Recipe, size: int, seed: int) -> None:
    check_against_eager(recipe.fn, recipe.examples, recipe.batch(size, seed))


@settings(max_examples=80, deadline=None)
@given(recipe=recipes(single=True), seed=st.integers(0, 2**32 - 1))
def test_random_graphs_source_gives_the_eager_value_and_gradients(recipe: Recipe, seed: int) -> None:
    program = trace(recipe.fn, *recipe.examples)
    batch = recipe.batch(1, seed)
    out, grads = source_sample(program)(*(a[0].tolist() for a in batch))
    loss = recipe.fn(*sample_args(batch, 0))
    scale, sizes = term_sizes(loss)
    zero(program.parameters)
    loss.backward()
    assert_close([out], [loss.data], [scale], "source value")
    assert set(grads) == {p.label for p in program.parameters}
    for p in program.parameters:
        assert_close([grads[p.label]], [p.grad], [sizes.get(p, 0.0)], f"source gradient of {p.label}")
    zero(program.parameters)


# -- trace: inputs, parameters, constants ---------------------------------------------------


def test_trace_calls_fn_on_the_example_then_nearby_and_each_example_becomes_inputs() -> None:
    calls = []

    def fn(x: list[Value], y: Value) -> Value:
        calls.append((x, y))
        return x[0] * x[1] + y

    program = trace(fn, [1.0, 2.0], 3.0)
    assert len(calls) == 2  # the trace, then the check at a nearby example
    nearby = [v.data for v in calls[1][0]] + [calls[1][1].data]
    assert all(0.001 < (a - b) / (abs(b) + 1) < 0.002 for a, b in zip(nearby, [1.0, 2.0, 3.0], strict=True)), nearby
    x, y = calls[0]
    assert isinstance(x, list) and [v.data for v in x] == [1.0, 2.0]
    assert isinstance(y, Value) and y.data == 3.0
    assert program.input_names == ["x", "y"]
    assert program.parameters == []
    assert program(np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([0.5, -1.0])).tolist() == [2.5, 11.0]


def test_a_sequence_of_one_is_a_list_of_one_value_and_numpy_examples_work() -> None:
    program = trace(lambda v, x: v[0] * x, (2.0,), np.float64(3.0))
    assert program(np.array([[2.0], [5.0]]), np.array([3.0, -1.0])).tolist() == [6.0, -5.0]
    program = trace(lambda v: v[0] - v[2], np.array([1.0, 2.0, 3.0]))
    assert program(np.array([[1.0, 2.0, 3.0]])).tolist() == [-2.0]


def test_input_names_fall_back_to_x0_x1_without_plain_arguments() -> None:
    assert trace(lambda *xs: xs[0] * xs[1], 1.0, 2.0).input_names == ["x0", "x1"]


def test_values_made_outside_fn_are_parameters_in_the_order_the_graph_reaches_them() -> None:
    w, b = Value(2.0, label="w"), Value(0.5, label="b")
    program = trace(lambda x: b + w * x, 1.0)
    assert program.parameters == [b, w]


def test_numbers_wrapped_inside_fn_are_constants_not_parameters() -> None:
    w = Value(2.0, label="w")
    program = trace(lambda x: 3 * x + w * 0.5 - 1.0, 1.0)
    assert program.parameters == [w]
    assert program(np.array([1.0, 2.0])).tolist() == [3.0, 6.0]


def test_parameters_are_read_by_reference() -> None:
    w, b = Value(2.0, label="w"), Value(0.5, label="b")
    program = trace(lambda x: w * x + b, 1.0)
    xs = np.array([1.0, 2.0, 3.0])
    assert program(xs).tolist() == [2.5, 4.5, 6.5]
    w.data, b.data = -1.0, 0.0
    assert program(xs).tolist() == [-1.0, -2.0, -3.0]
    program.backward(xs, reduction="sum")
    assert (w.grad, b.grad) == (6.0, 3.0)


def test_the_program_follows_an_optimizer_without_being_traced_again() -> None:
    def squared_error(model: MLP) -> Fn:
        return lambda x, y: (model(x)[0] - y) ** 2

    rng = np.random.default_rng(1)
    batch = [rng.normal(size=(8, 2)), rng.normal(size=8)]
    traced, eager = MLP(2, [4, 1], seed=1), MLP(2, [4, 1], seed=1)
    program = trace(squared_error(traced), [0.0, 0.0], 0.0)
    first = program(*batch).mean()

    def eager_backward_pass() -> None:
        losses = [squared_error(eager)(*sample_args(batch, row)) for row in range(8)]
        (sum(losses[1:], losses[0]) / 8).backward()

    for model, backward_pass in ((traced, lambda: program.backward(*batch)), (eager, eager_backward_pass)):
        optimizer = SGD(model.parameters(), lr=0.1)
        for _ in range(3):
            model.zero_grad()
            backward_pass()
            optimizer.step()
    for mine, theirs in zip(traced.parameters(), eager.parameters(), strict=True):
        assert mine.data == pytest.approx(theirs.data, rel=1e-12, abs=1e-12)
    expected, scales = eager_outputs(squared_error(eager), batch)
    assert_close(program(*batch), expected, scales, "after three steps")
    assert program(*batch).mean() < first


def test_a_value_computed_outside_fn_is_traced_back_to_its_leaves() -> None:
    w = Value(0.5, label="w")
    scaled = (w * 3.0).tanh()  # made outside fn: not a leaf, so the graph goes on to w
    fn = lambda x: scaled * x + w
    program = trace(fn, 1.0)
    assert program.parameters == [w]
    batch = [np.array([1.0, -2.0, 0.5])]
    value, grads = compiled_backward(program, batch, "sum")
    expected, expected_grads, scale, grad_scales = eager_backward(fn, [w], batch, "sum")
    assert_close([value, *grads], [expected, *expected_grads], [scale, *grad_scales], "value and gradient")


# -- shapes, calling and backward ------------------------------------------------------------


def test_one_output_gives_shape_b_and_a_list_gives_b_by_m() -> None:
    w = Value(2.0, label="w")
    xs = np.arange(4.0)
    assert trace(lambda x: w * x, 1.0)(xs).shape == (4,)
    many = trace(lambda x: [w * x, x + 1, x.tanh()], 1.0)(xs)
    assert many.shape == (4, 3)
    assert many[:, 0].tolist() == [0.0, 2.0, 4.0, 6.0] and many[:, 1].tolist() == [1.0, 2.0, 3.0, 4.0]
    assert trace(lambda x: [w * x], 1.0)(xs).shape == (4, 1)  # a list of one stays a list
    assert trace(lambda x: (w * x, x * x), 1.0)(xs).shape == (4, 2)


def test_integer_arrays_and_lists_are_accepted_as_batches() -> None:
    program = trace(lambda x, v: x * v[0] + v[1], 1.0, [1.0, 2.0])
    assert program([1, 2], [[1, 2], [3, 4]]).tolist() == [3.0, 10.0]
    assert program(np.array([1, 2], dtype=np.int32), np.array([[1, 2], [3, 4]], dtype=np.uint8)).tolist() == [3, 10]


def test_calling_the_program_changes_no_gradient_and_no_data() -> None:
    w = Value(2.0, label="w")
    program = trace(lambda x: (w * x).tanh(), 1.0)
    w.grad = 0.25
    program(np.array([1.0, 2.0]))
    assert (w.data, w.grad) == (2.0, 0.25)


def test_backward_adds_to_grad_and_returns_the_reduced_value() -> None:
    w = Value(2.0, label="w")
    program = trace(lambda x: w * x * x, 3.0)
    xs = np.array([1.0, 2.0, 3.0])
    w.grad = 10.0
    total = program.backward(xs, reduction="sum")
    assert (total, w.grad) == (28.0, 10.0 + 14.0)  # sum of 2x², then of x²
    w.grad = 0.0
    mean = program.backward(xs)  # the default reduction is the mean
    assert isinstance(mean, float)
    assert (mean, w.grad) == (pytest.approx(28.0 / 3), pytest.approx(14.0 / 3))


@pytest.fixture(scope="module")
def hinge() -> tuple[MLP, Fn, Program, list[np.ndarray]]:
    """MLP(2, [16, 16, 1], relu) with the hinge loss (1 - y score).relu(), traced, and a batch of 64."""
    model = MLP(2, [16, 16, 1], activation="relu", seed=0)

    def loss(x: list[Value], y: Value) -> Value:
        return (1 + -y * model(x)[0]).relu()

    rng = np.random.default_rng(0)
    batch = [rng.normal(size=(64, 2)), np.where(rng.uniform(size=64) < 0.5, -1.0, 1.0)]
    return model, loss, trace(loss, [0.5, -1.0], 1.0), batch


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_mlp_hinge_loss_gradients_equal_the_eager_engines(
    hinge: tuple[MLP, Fn, Program, list[np.ndarray]], reduction: str
) -> None:
    model, loss, program, batch = hinge
    assert {id(p) for p in program.parameters} == {id(p) for p in model.parameters()}
    value, grads = compiled_backward(program, batch, reduction)
    expected, expected_grads, scale, grad_scales = eager_backward(loss, program.parameters, batch, reduction)
    assert_close([value], [expected], [scale], "loss")
    assert_close(grads, expected_grads, grad_scales, "gradients")
    assert sum(g != 0.0 for g in grads) > 100  # many rows are inside the margin: a real test of every layer


def test_mlp_hinge_loss_values_equal_the_eager_engines(hinge: tuple[MLP, Fn, Program, list[np.ndarray]]) -> None:
    _, loss, program, batch = hinge
    expected, scales = eager_outputs(loss, batch)
    assert_close(program(*batch), expected, scales, "losses")


FAN_OUT = {
    "h * h": lambda w, b, x: (w * x + b) * (w * x + b).tanh() + (x * w) * (x * w),
    "one op, the same row twice": lambda w, b, x: _twice(w * x - b, lambda h: h.tanh()),
    "a neuron reading one row twice": lambda w, b, x: _twice(x.sin() * w, lambda h: (b + w * h + b * h).tanh()),
    "neurons sharing rows and weights": lambda w, b, x: _layer_of_three(w, b, [x.tanh(), x * w, x.tanh()]),
}


def _twice(h: Value, f: Callable[[Value], Value]) -> Value:
    """f applied to h twice, as two nodes that read the same row, then added."""
    return f(h) + f(h) * 2.0


def _layer_of_three(w: Value, b: Value, xs: list[Value]) -> Value:
    outs = [(b + w * xs[0] + b * xs[1] + w * xs[2]).relu() for _ in range(3)]
    return outs[0] * outs[1] - outs[2]


@pytest.mark.parametrize("case", sorted(FAN_OUT))
def test_a_node_read_several_times_gets_every_contribution(case: str) -> None:
    w, b = Value(0.7, label="w"), Value(-0.2, label="b")
    make = FAN_OUT[case]
    xs = np.random.default_rng(6).uniform(-2, 2, 11)
    program = check_against_eager(lambda x: make(w, b, x), [1.0], [xs])
    assert re.search(r"layer 1: .* one \d+x\d+ matrix product", program.summary())  # fused, rows repeated


# Graphs where some nodes read only parameters and constants: one number for every row.
SCALAR_PARTS = {
    "a chain of parameters, then x": lambda w, b, x: (w + b) + w * b + x,
    "an output of parameters only": lambda w, b, x: (w + b).tanh() * 2.0,
    "x returned as it is": lambda w, b, x: x,
    "w + w and 2 w as coefficients": lambda w, b, x: (w + w) * x + (2.0 * w) * x + b,
    "x - x and x / x": lambda w, b, x: (x - x) * w + x / x * b,
}


@pytest.mark.parametrize("case", sorted(SCALAR_PARTS))
def test_nodes_of_parameters_and_constants_only(case: str) -> None:
    w, b = Value(0.7, label="w"), Value(-0.2, label="b")
    make = SCALAR_PARTS[case]
    check_against_eager(lambda x: make(w, b, x), [1.0], [np.random.default_rng(7).uniform(0.5, 2, 5)])


# -- what a student reads: print(program) and program.source --------------------------------


def test_the_summary_of_an_mlp_names_each_layer_as_a_matrix_product(
    hinge: tuple[MLP, Fn, Program, list[np.ndarray]], capsys: pytest.CaptureFixture[str]
) -> None:
    _, loss, program, _ = hinge
    nodes = len(topological_order(loss([Value(0.5), Value(-1.0)], Value(1.0))))
    lines = program.summary().splitlines()
    # levels: layer 1 and -y (1), relu (2), layer 2 (3), relu (4), layer 3 (5), -y * score (6), 1 + (7), relu (8)
    assert lines[0] == (
        f"Program: {nodes} nodes per sample, 2 inputs (x: 2 numbers, y: a number), 337 parameters, 1 output, 8 levels"
    )
    assert lines[1:4] == [
        "  layer 1: 16 neurons reading the same 2 inputs, one 16x2 matrix product",
        "  layer 2: 16 neurons reading the same 16 inputs, one 16x16 matrix product",
        "  layer 3: 1 neuron reading 16 inputs, one 1x16 matrix product",
    ]
    assert len(program.nodes) == nodes
    print(program)
    assert capsys.readouterr().out == program.summary() + "\n" == repr(program) + "\n"


def test_the_summary_counts_in_the_singular_and_plural() -> None:
    w = Value(2.0, label="w")
    one = trace(lambda x: (w * x).tanh(), 1.0).summary().splitlines()[0]
    assert one == "Program: 4 nodes per sample, 1 input (x: a number), 1 parameter, 1 output, 2 levels"
    two = trace(lambda a, v: [a * v[0], v[1].exp()], 1.0, [1.0, 2.0]).summary().splitlines()[0]
    assert two.startswith("Program: 5 nodes per sample, 2 inputs (a: a number, v: 2 numbers), 0 parameters, 2 outputs")


@pytest.mark.parametrize(("sizes", "activation"), [([4, 4, 1], "tanh"), ([16, 16, 1], "relu")])
def test_the_source_of_an_mlp_gives_the_eager_value_and_gradients(sizes: list[int], activation: str) -> None:
    model = MLP(2, sizes, activation=activation, seed=3)
    loss = lambda x, y: (1 + -y * model(x)[0]).relu()
    program = trace(loss, [0.5, -1.0], 1.0)
    names = [python_name(p.label) for p in program.parameters]
    for name in names:  # the parameters' labels appear as names
        assert re.search(rf"\b{name}\b", program.source)
    sample = source_sample(program, names)
    for x, y in (([0.3, -0.7], 1.0), ([-1.2, 0.4], -1.0), ([2.0, 1.5], 1.0)):
        out, grads = sample(x, y)
        eager = loss([Value(x[0]), Value(x[1])], Value(y))
        scale, sizes = term_sizes(eager)
        zero(program.parameters)
        eager.backward()
        assert_close([out], [eager.data], [scale], "source value")
        assert list(grads) == [p.label for p in program.parameters]
        assert_close(
            list(grads.values()),
            [p.grad for p in program.parameters],
            [sizes[p] for p in program.parameters],
            "source gradients",
        )
        zero(program.parameters)


def test_the_source_of_a_program_with_several_outputs_returns_them() -> None:
    w = Value(0.5, label="w")
    program = trace(lambda x, v: [w * x, (v[0] - v[1]).tanh()], 1.0, [1.0, 2.0])
    assert source_sample(program, ["w"])(2.0, [3.0, 1.0]) == [1.0, math.tanh(2.0)]


# -- every primitive, and rules added or changed with rules.define ------------------------

# op: fn of a parameter w and an input x, and the inputs' domain
PRIMITIVES: dict[str, tuple[Callable[[Value, Value], Value], float, float]] = {
    "+": (lambda w, x: w + x, -3.0, 3.0),
    "-": (lambda w, x: x - w, -3.0, 3.0),
    "*": (lambda w, x: (w * x) * x, -3.0, 3.0),
    "/": (lambda w, x: x / w + w / x, 0.5, 3.0),
    "**": (lambda w, x: x**w + w**x, 0.1, 3.0),
    "neg": (lambda w, x: -(w * x), -3.0, 3.0),
    "abs": (lambda w, x: abs(w * x), -3.0, 3.0),
    "exp": (lambda w, x: (w * x).exp(), -3.0, 3.0),
    "log": (lambda w, x: (w * x).log(), 0.1, 3.0),
    "sqrt": (lambda w, x: (w * x).sqrt(), 0.1, 3.0),
    "tanh": (lambda w, x: (w * x).tanh(), -3.0, 3.0),
    "sigmoid": (lambda w, x: (w * x).sigmoid(), -3.0, 3.0),
    "relu": (lambda w, x: (w * x).relu(), -3.0, 3.0),
    "softplus": (lambda w, x: (w * x).apply("softplus"), -3.0, 3.0),
    "sin": (lambda w, x: (w * x).sin(), -3.0, 3.0),
    "cos": (lambda w, x: (w * x).cos(), -3.0, 3.0),
}


def test_the_primitive_table_covers_every_rule() -> None:
    assert set(PRIMITIVES) == set(RULES)


@pytest.mark.parametrize("op", sorted(PRIMITIVES))
def test_every_primitive_gives_the_eager_values_and_gradients(op: str) -> None:
    make, low, high = PRIMITIVES[op]
    w = Value(0.7, label="w")
    xs = np.random.default_rng(5).uniform(low, high, 13)  # not symmetric: odd terms must not cancel
    program = check_against_eager(lambda x: make(w, x), [1.0], [xs])
    assert op in {node.op for node in program.nodes}


@pytest.fixture
def cube_and_hypot() -> Any:
    """Two rules added with rules.define, of one input and of two; removed afterwards."""
    rules.define("test_cube", lambda a: a * a * a, lambda a, out: (3.0 * a * a,))
    rules.define("test_hypot", math.hypot, lambda a, b, out: (a / out, b / out))
    yield
    del RULES["test_cube"], RULES["test_hypot"]


@pytest.mark.usefixtures("cube_and_hypot")
def test_rules_added_with_define_run_element_by_element() -> None:
    w, b = Value(0.7, label="w"), Value(-0.3, label="b")
    fn = lambda x, v: (w * x + b).apply("test_cube").apply("test_hypot", v[0] * w) + (v[1] * w).apply("test_hypot", b)
    rng = np.random.default_rng(2)
    program = check_against_eager(fn, [1.0, [1.0, 2.0]], [rng.normal(size=9), rng.normal(size=(9, 2))])
    assert {"test_cube", "test_hypot"} <= {node.op for node in program.nodes}


@pytest.mark.usefixtures("cube_and_hypot")
def test_the_source_calls_rules_added_with_define() -> None:
    w = Value(0.7, label="w")
    fn = lambda x: (w * x).apply("test_cube").apply("test_hypot", w)
    program = trace(fn, 1.0)
    out, grads = source_sample(program, ["w"])(0.4)
    eager = fn(Value(0.4))
    eager.backward()
    assert (out, grads["w"]) == (pytest.approx(eager.data, rel=1e-12), pytest.approx(w.grad, rel=1e-12))


@pytest.fixture
def leaky_relu(monkeypatch: pytest.MonkeyPatch) -> None:
    """relu changed with rules.define (slope 0.1 below 0); the original Rule is put back afterwards."""
    monkeypatch.setitem(RULES, "relu", RULES["relu"])
    rules.define("relu", lambda a: a if a > 0.0 else 0.1 * a, lambda a, out: (1.0 if a > 0.0 else 0.1,))


@pytest.mark.usefixtures("leaky_relu")
def test_a_changed_rule_is_used_instead_of_its_kernel() -> None:
    w = Value(0.7, label="w")
    program = check_against_eager(lambda x: (w * x).relu() + (x - w).relu(), [1.0], [np.linspace(-2, 2, 9)])
    assert program(np.array([-1.0])).tolist() == [pytest.approx(0.1 * -0.7 + 0.1 * -1.7)]


@pytest.mark.usefixtures("leaky_relu")
def test_the_source_uses_a_changed_rule() -> None:
    w = Value(2.0, label="w")
    program = trace(lambda x: (w * x).relu(), -1.0)
    out, grads = source_sample(program, ["w"])(-1.0)
    assert (out, grads["w"]) == (pytest.approx(-0.2), pytest.approx(-0.1))  # the program itself gives these


def test_a_domain_error_in_an_added_rule_names_the_row() -> None:
    def safe_log(a: float) -> float:
        if a <= 0.0:
            raise ValueError(f"safe_log: the input must be > 0, got {a!r}")
        return math.log(a)

    rules.define("test_safe_log", safe_log, lambda a, out: (1.0 / a,))
    try:
        program = trace(lambda x: x.apply("test_safe_log"), 1.0)
        xs = np.ones(30)
        xs[[17, 25]] = -1.0
        with pytest.raises(ValueError, match=r"safe_log: the input must be > 0, got -1.0.*row 17\b"):
            program(xs)
    finally:
        del RULES["test_safe_log"]


# -- edge values: the engine's choices, exactly ---------------------------------------------

# fn of a parameter w (at w0) and an input x: the rows, then each row's value and d/dw, worked out by hand.
EDGES = {
    "relu'(0) = 0": (lambda w, x: (w + x).relu(), 0.0, [-1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 0.0, 1.0]),
    "abs'(0) = 0": (lambda w, x: abs(w + x), 0.0, [-2.0, 0.0, 3.0], [2.0, 0.0, 3.0], [-1.0, 0.0, 1.0]),
    "sqrt'(0) = inf": (lambda w, x: (w + x).sqrt(), 0.0, [0.0, 4.0], [0.0, 2.0], [math.inf, 0.25]),
    "(x)**2 at -3": (lambda w, x: (w + x) ** 2, 0.0, [-3.0], [9.0], [-6.0]),
    "x**w at -3, d/dw = 0": (lambda w, x: x**w, 2.0, [-3.0, 0.0], [9.0, 0.0], [0.0, 0.0]),
    "0**x": (lambda w, x: w**x, 0.0, [0.0, 0.5, 1.0, 2.0], [1.0, 0.0, 0.0, 0.0], [0.0, math.inf, 1.0, 0.0]),
    "x**0.5 at 0, d/dw": (lambda w, x: (w * x) ** 0.5, 1.0, [0.0, 4.0], [0.0, 2.0], [math.nan, 1.0]),
}


@pytest.mark.parametrize("case", sorted(EDGES))
def test_edge_values_and_derivatives_match_the_eager_engine(case: str) -> None:
    make, w0, rows, values, slopes = EDGES[case]
    w = Value(w0, label="w")
    program = trace(lambda x: make(w, x), 1.0)
    assert program(np.array(rows)).tolist() == values
    for row, slope in zip(rows, slopes, strict=True):
        program.backward(np.array([row]), reduction="sum")
        got, w.grad = w.grad, 0.0
        make(w, Value(row)).backward()
        eager, w.grad = w.grad, 0.0
        assert same(got, eager) and same(got, slope), f"at {row}: program {got}, eager {eager}, by hand {slope}"


def test_relu_passes_an_infinite_upstream_gradient_as_the_eager_engine_does() -> None:
    w = Value(1.0, label="w")
    fn = lambda x: (w * x).relu().sqrt()  # sqrt'(0) = inf reaches relu at x = -1
    program = trace(fn, 1.0)
    program.backward(np.array([-1.0]), reduction="sum")
    got, w.grad = w.grad, 0.0
    fn(Value(-1.0)).backward()
    assert same(got, w.grad), f"program {got}, eager {w.grad}"


@pytest.mark.parametrize(
    ("fn", "x"),
    [
        (lambda w, x: (w * x) * x, 1e200),  # an op group
        (lambda w, x: w * x + x * 2.0, 1e308),  # a fused neuron
        (lambda w, x: (w * x).exp() * 1e300, 700.0),
    ],
)
def test_an_overflow_raises_as_in_the_eager_engine_naming_the_row(fn: Callable[..., Value], x: float) -> None:
    """The numeric policy: numbers stay finite, and an op whose result overflows raises OverflowError."""
    w = Value(1.0, label="w")
    with pytest.raises(OverflowError):
        fn(w, Value(x))
    program = trace(lambda v: fn(w, v), 0.5)
    xs = np.full(30, 0.5)
    xs[[17, 25]] = x
    for run in (program, program.backward):
        with pytest.raises(OverflowError, match=r"\brow 17 of 30\b"):
            run(xs)


@pytest.mark.parametrize("bad", [math.inf, -math.inf, math.nan])
def test_inputs_that_are_not_finite_are_refused_as_value_refuses_them(bad: float) -> None:
    w = Value(1.0, label="w")
    with pytest.raises(ValueError, match="finite"):
        Value(bad)
    program = trace(lambda x: (w * x).sin(), 0.5)
    xs = np.full(30, 0.5)
    xs[[17, 25]] = bad
    for run in (program, program.backward):
        with pytest.raises(ValueError, match=r"'x' in row 17 is .*NaN and infinities"):
            run(xs)


# -- domain errors: the eager engine's exception, naming the op and the first offending row ----

# fn of a parameter w (1.0) and an input x; a value of x outside the domain; the op that raises.
DOMAIN_ERRORS = {
    "log of a negative number": (lambda w, x: (w * x).log(), -1.0, "log"),
    "log of zero": (lambda w, x: (w * x).log(), 0.0, "log"),
    "division by zero": (lambda w, x: w / x, 0.0, "/"),
    "zero over zero": (lambda w, x: (w * x) / x, 0.0, "/"),
    "sqrt of a negative number": (lambda w, x: (w * x).sqrt(), -4.0, "sqrt"),
    "exp overflow": (lambda w, x: (w * x).exp(), 1000.0, "exp"),
    "negative base, non-integer exponent": (lambda w, x: (w * x) ** 0.5, -2.0, "**"),
    "zero to a negative power": (lambda w, x: (w * x) ** -1.0, 0.0, "**"),
    "power overflow": (lambda w, x: 10.0 ** (w * x), 400.0, "**"),
    "product overflow": (lambda w, x: (w * x) * x, 1e200, "*"),
}


@pytest.mark.parametrize("case", sorted(DOMAIN_ERRORS))
def test_a_domain_error_raises_the_eager_exception_naming_op_and_row(case: str) -> None:
    make, bad, op = DOMAIN_ERRORS[case]
    w = Value(1.0, label="w")
    with pytest.raises((ArithmeticError, ValueError)) as eager:
        make(w, Value(bad))
    program = trace(lambda x: make(w, x), 0.5)
    xs = np.full(30, 0.5)
    xs[[17, 25]] = bad
    for run in (program, program.backward):
        with pytest.raises(type(eager.value)) as info:
            run(xs)
        message = str(info.value)
        assert type(info.value) is type(eager.value)
        assert str(eager.value) in message  # the eager engine's own words
        assert re.search(r"\brow 17\b", message) and op in message.replace(str(eager.value), ""), message
    assert w.grad == 0.0


def test_an_error_in_a_later_chunk_names_its_row_in_the_whole_batch(
    hinge: tuple[MLP, Fn, Program, list[np.ndarray]],
) -> None:
    model = hinge[0]
    program = trace(lambda x, y: (1 + -y * model(x)[0]).relu() + (x[0] + 3.0).log(), [0.5, -1.0], 1.0)
    rng = np.random.default_rng(3)
    xs, ys = rng.uniform(-1, 1, size=(6000, 2)), np.ones(6000)
    xs[[4100, 5900], 0] = -5.0  # far past the first chunk, and two of them: the first is named
    for run in (program, program.backward):
        with pytest.raises(ValueError, match=r"log: the input must be > 0, got -2\.0.*\brow 4100 of 6000\b"):
            run(xs, ys)


def test_the_first_offending_row_is_named_whatever_the_op() -> None:
    fn = lambda x, y: (x + 0.0).log() + y.sqrt()  # log is one level deeper than sqrt
    program = trace(fn, 1.0, 1.0)
    xs, ys = np.ones(30), np.ones(30)
    xs[17], ys[20] = -5.0, -1.0
    with pytest.raises(ValueError) as eager:
        for row in range(30):
            fn(*sample_args([xs, ys], row))
    with pytest.raises(ValueError) as info:
        program(xs, ys)
    assert re.search(r"\brow 17\b", str(info.value)) and str(eager.value) in str(info.value), str(info.value)


def test_a_derivative_that_overflows_raises_in_backward_naming_the_row() -> None:
    w = Value(1.0, label="w")
    with pytest.raises(OverflowError):  # the eager engine computes the local derivative when it makes the node
        (w * Value(5e-324)) ** 0.001
    program = trace(lambda x: (w * x) ** 0.001, 1.0)
    xs = np.ones(30)
    xs[17] = 5e-324  # x ** 0.001 is about 0.47, but its slope 0.001 x ** -0.999 is past the largest float
    with pytest.raises(OverflowError, match=r"\brow 17\b"):
        program.backward(xs)


# -- batches larger than a chunk --------------------------------------------------------


def test_a_large_batch_gives_what_its_slices_give(hinge: tuple[MLP, Fn, Program, list[np.ndarray]]) -> None:
    _, loss, program, _ = hinge
    rng = np.random.default_rng(4)
    size = 6000  # several chunks of the program's working arrays
    batch = [rng.normal(size=(size, 2)), np.where(rng.uniform(size=size) < 0.5, -1.0, 1.0)]
    whole = program(*batch)
    slices = [slice(start, start + 250) for start in range(0, size, 250)]
    parts = np.concatenate([program(*(a[s] for a in batch)) for s in slices])
    assert whole.tolist() == pytest.approx(parts.tolist(), rel=1e-12, abs=1e-12)
    rows = [0, 1, 255, 256, 1819, 1820, 1821, 4095, 4096, size - 1]  # chunk boundaries, for chunks of several sizes
    expected, scales = eager_outputs(loss, [a[rows] for a in batch])
    assert_close(whole[rows], expected, scales, "rows at chunk boundaries")
    total, grads = compiled_backward(program, batch, "sum")
    summed = np.zeros(len(grads))
    for s in slices:
        _, part_grads = compiled_backward(program, [a[s] for a in batch], "sum")
        summed += part_grads
    # Sums of 6000 rows in another order: a missing or doubled chunk would be off by a whole part.
    assert grads == pytest.approx(summed.tolist(), rel=1e-9, abs=1e-9)
    mean, mean_grads = compiled_backward(program, batch, "mean")
    assert mean == pytest.approx(total / size, rel=1e-12)
    assert mean_grads == pytest.approx([g / size for g in grads], rel=1e-12, abs=1e-15)


# -- the trace records operations, not control flow ----------------------------------------


def test_the_trace_records_operations_not_control_flow() -> None:
    program = trace(lambda x: x * 2.0 if x.data > 0 else -x, 1.0)  # the example takes the first branch
    assert program(np.array([3.0, -3.0])).tolist() == [6.0, -6.0]  # so does every row
    program = trace(lambda x: x.relu() * 2.0 + (-x).relu(), 1.0)  # the same choice written as operations
    assert program(np.array([3.0, -3.0])).tolist() == [6.0, 3.0]


def test_a_program_that_does_not_reproduce_the_trace_is_refused() -> None:
    w = Value(2.0, label="w")

    def fn(x: Value) -> Value:
        y = w * x
        w.data = 5.0  # after w was used: the trace holds 2 x, the program reads 5 x
        return y

    with pytest.raises(TraceError, match=r"gives 5\.0 .* the trace gave 2\.0"):
        trace(fn, 1.0)


def test_a_neuron_whose_terms_cancel_is_not_refused() -> None:
    w0, w1, b = Value(1e4, label="w0"), Value(-1e4, label="w1"), Value(0.1, label="b")
    fn = lambda x: b + w0 * x[0] + w1 * x[1]
    program = trace(fn, [1e4 + 1e-4, 1e4])  # b + 1e8 + 1 - 1e8: the eager engine rounds b + 1e8 first
    batch = [np.array([[1e4 + 1e-4, 1e4]])]
    expected, scales = eager_outputs(fn, batch)
    assert_close(program(*batch), expected, scales, "within the terms' rounding")


# -- user mistakes: clear errors that name what was wrong ------------------------------------


@pytest.fixture
def two_arguments() -> Program:
    w = Value(0.5, label="w")
    return trace(lambda x, v: w * x + v[0] * v[1], 1.0, [1.0, 2.0])


def test_a_wrong_number_of_batch_arguments_is_a_type_error(two_arguments: Program) -> None:
    with pytest.raises(TypeError, match=r"takes 2 batch argument.*got 1"):
        two_arguments(np.ones(3))
    with pytest.raises(TypeError, match=r"takes 2 batch argument.*got 3"):
        two_arguments.backward(np.ones(3), np.ones((3, 2)), np.ones(3))


@pytest.mark.parametrize(
    ("x", "v", "named", "wanted"),
    [
        (np.ones((3, 1)), np.ones((3, 2)), "x", r"\(B,\)"),
        (np.float64(1.0), np.ones((1, 2)), "x", r"\(B,\)"),
        (np.ones(3), np.ones(3), "v", r"\(B, 2\)"),
        (np.ones(3), np.ones((3, 3)), "v", r"\(B, 2\)"),
        (np.ones(3), np.ones((3, 2, 1)), "v", r"\(B, 2\)"),
    ],
)
def test_a_wrong_shape_is_a_value_error_naming_the_argument(
    two_arguments: Program, x: Any, v: Any, named: str, wanted: str
) -> None:
    for run in (two_arguments, two_arguments.backward):
        with pytest.raises(ValueError, match=rf"'{named}'.*{wanted}"):
            run(x, v)


def test_mismatched_batch_sizes_are_a_value_error(two_arguments: Program) -> None:
    with pytest.raises(ValueError, match=r"(?=.*\b3\b)(?=.*\b4\b)"):  # both sizes, in either order
        two_arguments(np.ones(3), np.ones((4, 2)))


def test_mismatched_batch_sizes_name_the_argument(two_arguments: Program) -> None:
    with pytest.raises(ValueError, match=r"'v'"):
        two_arguments(np.ones(3), np.ones((4, 2)))


def test_an_empty_batch_is_a_value_error_that_says_so(two_arguments: Program) -> None:
    for run in (two_arguments, two_arguments.backward):
        with pytest.raises(ValueError, match="empty"):
            run(np.ones(0), np.ones((0, 2)))


@pytest.mark.parametrize(
    "x",
    [
        np.ones(3, dtype=complex),
        np.array([1.0, Value(2.0), 3.0], dtype=object),
        np.array([True, False, True]),
        np.array(["1", "2", "3"]),
    ],
    ids=["complex", "object", "bool", "str"],
)
def test_a_batch_of_something_other_than_real_numbers_is_a_type_error(two_arguments: Program, x: Any) -> None:
    for run in (two_arguments, two_arguments.backward):
        with pytest.raises(TypeError, match=rf"'x'.*{re.escape(str(x.dtype))}"):
            run(x, np.ones((3, 2)))


def test_a_batch_too_large_for_memory_says_how_to_split_it(monkeypatch: pytest.MonkeyPatch) -> None:
    program = trace(lambda x: x.tanh(), 1.0)
    monkeypatch.setattr(compiled, "MAX_WORKING_VALUES", 1000)
    with pytest.raises(ValueError, match="split it into batches"):
        program(np.ones(10_000))


@pytest.mark.parametrize(
    "returned",
    [lambda x: 3.0, lambda x: None, lambda x: x.data, lambda x: [x * 2, 1.0], lambda x: [], lambda x: "x"],
    ids=["float", "None", "data", "list with a float", "empty list", "str"],
)
def test_fn_returning_something_other_than_values_is_a_trace_error(returned: Fn) -> None:
    with pytest.raises(TraceError, match="Value"):
        trace(returned, 1.0)
    assert issubclass(TraceError, ValueError)


def test_fn_returning_a_parameter_unchanged_is_a_trace_error() -> None:
    w = Value(2.0, label="w")
    with pytest.raises(TraceError, match="parameter"):
        trace(lambda x: w, 1.0)


def test_trace_inside_no_grad_is_an_error() -> None:
    with no_grad(), pytest.raises(TraceError, match="no_grad"):
        trace(lambda x: x * 2, 1.0)


@pytest.mark.parametrize("example", [Value(1.0), "ab", [], [[1.0, 2.0]], True, None, [1.0, True], [1.0, "2"]], ids=repr)
def test_an_example_that_is_not_a_number_or_a_sequence_of_numbers_is_a_type_error(example: Any) -> None:
    with pytest.raises(TypeError, match="'x'"):
        trace(lambda x: x * 2, example)


def test_tracing_something_not_callable_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="function"):
        trace(3.0, 1.0)  # type: ignore[arg-type]


def test_backward_needs_one_output_and_a_known_reduction(two_arguments: Program) -> None:
    batch = [np.ones(3), np.ones((3, 2))]
    several = trace(lambda x: [x * 2, x * 3], 1.0)
    with pytest.raises(ValueError, match="one output"):
        several.backward(np.ones(3))
    for reduction in ("max", "Mean", None):
        with pytest.raises(ValueError, match="reduction"):
            two_arguments.backward(*batch, reduction=reduction)  # type: ignore[arg-type]


# -- no numpy warning escapes --------------------------------------------------------------


@pytest.mark.parametrize("reduction", ["mean", "sum"])
def test_a_reduction_that_overflows_raises_without_a_warning(reduction: str) -> None:
    w = Value(1.0, label="w")
    program = trace(lambda x: w * x, 1.0)
    batch = [np.array([1e308, 1e308])]
    with pytest.raises(OverflowError):  # the eager sum of the two losses overflows at its '+'
        eager_backward(lambda x: w * x, [w], batch, reduction)
    w.grad = 0.0
    with pytest.raises(OverflowError, match="too large"):  # warnings are errors in this module
        compiled_backward(program, batch, reduction)
    assert w.grad == 0.0  # nothing half-added


# -- program.source with awkward names, and at the edges ------------------------------------


@pytest.mark.parametrize(
    "labels",
    [
        ("layers.0.w.1", "b"),
        ("class", "w"),
        ("1st", "w"),
        ("math", "w"),
        ("RULES", "w"),
        ("w w", "b"),
        ("", ""),
        ("x", "w"),  # fn's argument
        ("v1", "w"),  # the source's own name for the first computed node
        ("abs", "w"),
        ("max", "w"),
        ("sample", "w"),
        ("w", "d_w"),
        ("w", "w"),
    ],
    ids=repr,
)
def test_the_source_runs_whatever_the_parameters_are_labelled(labels: tuple[str, str]) -> None:
    a, b = Value(2.0, label=labels[0]), Value(3.0, label=labels[1])
    fn = lambda x: (abs(a * x[0]) + b * x[1]).relu() * b + (a * x[1]).exp()
    program = trace(fn, [1.5, -0.5])
    out, grads = source_sample(program)([1.5, -0.5])
    eager = fn([Value(1.5), Value(-0.5)])
    eager.backward()
    assert len(grads) == 2
    assert [out, *grads.values()] == pytest.approx([eager.data, a.grad, b.grad], rel=1e-12)


def test_the_source_runs_whatever_fns_arguments_are_called() -> None:
    w = Value(0.5, label="w")

    def fn(math: Value) -> Value:
        return (w * math).exp()

    out, grads = source_sample(trace(fn, 1.0))(2.0)
    assert (out, grads["w"]) == (pytest.approx(math.exp(1.0)), pytest.approx(2.0 * math.exp(1.0)))


# fn of a parameter w (at w0), at the input x, where the eager engine gives an inf or a limit
SOURCE_EDGES = {
    "sqrt at 0": (lambda w, x: (w * x).sqrt(), 1.0, 0.0),
    "x ** 0.5 at 0": (lambda w, x: (w + x) ** 0.5, 0.0, 0.0),
    "0 ** 0": (lambda w, x: w**x, 0.0, 0.0),
    "sigmoid at -800": (lambda w, x: (w * x).sigmoid(), 1.0, -800.0),
    "softplus at -800": (lambda w, x: (w * x).apply("softplus"), 1.0, -800.0),
}


@pytest.mark.parametrize(
    "case",
    [
        "sqrt at 0",
        "x ** 0.5 at 0",
        "0 ** 0",
        "sigmoid at -800",
        "softplus at -800",
    ],
)
def test_the_source_gives_the_eager_values_at_the_edges(case: str) -> None:
    make, w0, x = SOURCE_EDGES[case]
    w = Value(w0, label="w")
    out, grads = source_sample(trace(lambda x: make(w, x), 1.0))(x)
    eager = make(w, Value(x))
    eager.backward()
    assert same(out, eager.data) and same(grads["w"], w.grad), (out, grads, eager.data, w.grad)
