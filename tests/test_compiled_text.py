"""program_text and the size of a program: a summary of a few hundred lines at most, a source written in
time linear in the program and refused past its cap, and a trace whose work is counted, not timed.
"""

from __future__ import annotations

import gc
import math
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest

import autograd_mini.program_text as program_text
from autograd_mini import MLP, Value, trace
from autograd_mini.rules import RULES

pytestmark = pytest.mark.filterwarnings("error")

# -- the summary's layers ------------------------------------------------------------------


def linear_chain(links: int) -> tuple[Any, Value, Value]:
    """fn(x) = w (w (... (w x + b) ...) + b) + b, ``links`` times: one 1x1 layer a link."""
    w, b = Value(0.5, label="w"), Value(0.25, label="b")

    def fn(x: Value) -> Value:
        for _ in range(links):
            x = w * x + b
        return x

    return fn, w, b


@pytest.fixture(scope="module")
def long_linear_chain() -> Any:
    fn, _, _ = linear_chain(100_000)
    return trace(fn, 1.0)


def test_the_summary_of_a_chain_of_100_000_layers_is_three_lines(long_linear_chain: Any) -> None:
    lines = long_linear_chain.summary().splitlines()
    assert lines == [
        "Program: 200,003 nodes per sample, 1 input (x: a number), 2 parameters, 1 output, 100,000 levels",
        "  layers 1-100,000 (× 100,000 alike): 1 neuron reading 1 input, one 1x1 matrix product each",
        "  runs as 100,000 numpy steps each way (100,000 matrix products, 0 elementwise) over 100,001 rows per sample",
    ]
    assert repr(long_linear_chain) == long_linear_chain.summary()


def test_the_chain_program_still_computes_the_chain(long_linear_chain: Any) -> None:
    # x_{k+1} = x_k / 2 + 1/4 tends to 1/2 whatever x_0: after 100,000 links, exactly 0.5 in floats
    assert long_linear_chain(np.array([1.0, -3.0])).tolist() == [0.5, 0.5]


def test_an_mlp_with_hidden_layers_of_one_shape_collapses_them() -> None:
    model = MLP(2, [8, 8, 8, 8, 8, 1], seed=0)
    lines = trace(lambda x: model(x)[0], [0.5, -1.0]).summary().splitlines()
    assert lines[1:4] == [
        "  layer 1: 8 neurons reading the same 2 inputs, one 8x2 matrix product",
        "  layers 2-5 (× 4 alike): 8 neurons reading the same 8 inputs, one 8x8 matrix product each",
        "  layer 6: 1 neuron reading 8 inputs, one 1x8 matrix product",
    ]
    assert lines[4].startswith("  runs as ") and len(lines) == 5


def test_layers_of_changing_shapes_are_cut_to_max_layer_lines() -> None:
    shapes = [(1, 1), (2, 1)] * 5_000  # no two neighbours alike: nothing to collapse
    lines = program_text.layer_lines(shapes)
    assert len(lines) == program_text.MAX_LAYER_LINES
    assert lines[0] == "  layer 1: 1 neuron reading 1 input, one 1x1 matrix product"
    assert lines[-1] == "  layer 10,000: 2 neurons reading the same 1 input, one 2x1 matrix product"
    hidden = [line for line in lines if "more lines of layers" in line]
    half = program_text.MAX_LAYER_LINES // 2
    shown = half + half - 1
    assert hidden == [
        f"  ... layers {half + 1}-{10_000 - half + 1:,}: {10_000 - shown:,} more lines of layers of changing shapes ..."
    ]


def test_the_layer_numbers_add_up_in_any_summary() -> None:
    shapes = [(3, 2)] * 7 + [(1, 3)] + [(4, 4)] * 2 + [(1, 1)]
    lines = program_text.layer_lines(shapes)
    covered = []
    for line in lines:
        found = re.match(r"  layers? ([\d,]+)(?:-([\d,]+))?", line)
        assert found, line
        first, last = (int(n.replace(",", "")) for n in (found[1], found[2] or found[1]))
        covered += range(first, last + 1)
    assert covered == list(range(1, len(shapes) + 1))


# -- program.source: linear, and capped -------------------------------------------------------


def tanh_chain(n: int) -> Any:
    def fn(x: Value) -> Value:
        for _ in range(n):
            x = x.tanh()
        return x

    return fn


def test_a_source_past_the_cap_is_refused_before_any_is_written(monkeypatch: pytest.MonkeyPatch) -> None:
    n = program_text.MAX_SOURCE_LINES // 2  # one forward and one backward line per tanh: past the cap
    program = trace(tanh_chain(n), 0.5)
    written = []
    monkeypatch.setattr(program_text, "_texts", lambda *args: written.append(args))
    expected = program_text.source_lines(program.nodes, [("x", None, program.nodes[:1])], program._outputs)
    assert expected == 2 * n + 5 > program_text.MAX_SOURCE_LINES
    with pytest.raises(ValueError, match=rf"would have {expected:,} lines .* more than MAX_SOURCE_LINES = 200,000"):
        program.source  # noqa: B018
    assert written == [] and program._source is None
    with pytest.raises(ValueError, match=r"print\(program\) gives its summary"):
        program.source  # noqa: B018


def test_source_lines_counts_what_source_writes() -> None:
    w, b = Value(0.5, label="w"), Value(0.2, label="b")
    for fn, examples in [
        (lambda x, v: (w * x + v[0] * v[1] * b).tanh() * 2.0 + x, (1.0, [1.0, 2.0])),
        (lambda x, v: [w * x, v[0] - 1.0], (1.0, [1.0])),
    ]:
        program = trace(fn, *examples)
        sample = program.source.split("def sample(", 1)[1]
        arguments = [("x", None, program._inputs[:1]), ("v", len(examples[1]), program._inputs[1:])]
        assert sample.count("\n") == program_text.source_lines(program.nodes, arguments, program._outputs)


@pytest.fixture(scope="module")
def wide_sum() -> Iterator[tuple[Any, list[Value]]]:
    """sum of p_i * x over 20,000 parameters that share one label: one name each, w, w_2, ..., w_20000."""
    parameters = [Value(0.001 * (i + 1), label="w") for i in range(20_000)]

    def fn(x: Value) -> Value:
        total = parameters[0] * x
        for p in parameters[1:]:
            total = total + p * x
        return total

    yield trace(fn, 0.5), parameters


def test_a_mid_size_source_is_written_with_one_name_per_parameter(wide_sum: tuple[Any, list[Value]]) -> None:
    program, parameters = wide_sum
    assert program.parameters == parameters
    lines = program.source.splitlines()
    # forward: one line per product and per sum; backward: one per edge to a parameter or a computed node
    assert sum(line.startswith("    v") for line in lines) == 20_000 + 19_999
    names = re.findall(r"^    d_(w(?:_\d+)?) = ", program.source, re.MULTILINE)
    assert sorted(names) == sorted(["w"] + [f"w_{k}" for k in range(2, 20_001)])
    assert lines[-1].startswith("    return v39999, {'w': d_w, 'w_2': d_w_2, ")


def test_naming_many_parameters_with_one_label_takes_a_step_each(monkeypatch: pytest.MonkeyPatch) -> None:
    probes = []

    class Counted(set[str]):
        def __contains__(self, name: object) -> bool:
            probes.append(name)
            return super().__contains__(name)

    identifiers = program_text._Identifiers()
    identifiers.taken = Counted(identifiers.taken)
    names = [identifiers("w", "p") for _ in range(5_000)]
    assert names[:3] == ["w", "w_2", "w_3"] and len(set(names)) == 5_000
    assert len(probes) <= 2 * 5_000  # the old names were tried again from w_2 each time: 12.5 million probes


def test_the_source_of_a_wide_sum_gives_its_gradients() -> None:
    parameters = [Value(1e-6 * (i + 1), label="w") for i in range(2_000)]
    program = trace(lambda x: sum((p * x for p in parameters[1:]), parameters[0] * x).tanh(), 0.5)
    namespace: dict[str, Any] = {"math": math, "RULES": RULES}
    names = ["w"] + [f"w_{k}" for k in range(2, 2_001)]
    namespace.update({name: p.data for name, p in zip(names, program.parameters, strict=True)})
    exec(program.source, namespace)  # our own generated code
    out, grads = namespace["sample"](0.5)
    total = sum(1e-6 * (i + 1) for i in range(2_000)) * 0.5  # 1.0005
    assert out == pytest.approx(math.tanh(total), rel=1e-12)
    slope = (1 - math.tanh(total) ** 2) * 0.5  # d tanh(sum p_i x) / d p_i, by hand
    assert list(grads.values()) == pytest.approx([slope] * 2_000, rel=1e-12)


# -- the trace's work, counted -----------------------------------------------------------------


def test_a_long_chain_is_traced_without_a_collection_of_the_garbage_collector() -> None:
    """A collection rescans every object alive: over a growing graph, that made the trace superlinear."""
    collections = []
    callback = lambda phase, info: collections.append(info["generation"]) if phase == "start" else None
    gc.callbacks.append(callback)
    try:
        program = trace(tanh_chain(200_000), 0.5)
    finally:
        gc.callbacks.remove(callback)
    assert len(collections) <= 2, collections  # one as the collector comes back at most; none of them full
    assert 2 not in collections
    assert gc.isenabled()
    assert len(program._groups) == 200_000 and program._n_rows == 200_001  # one group and one row a node


def test_the_compiled_form_grows_with_the_graph_and_no_faster() -> None:
    for n in (1_000, 10_000):
        program = trace(tanh_chain(n), 0.5)
        assert (len(program.nodes), len(program._groups), program._n_rows, program._levels) == (n + 1, n, n + 1, n)
        assert all(group.members == 1 and group.out.stop - group.out.start == 1 for group in program._groups)
