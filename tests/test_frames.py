"""Frames of the backward pass: one per step plus the forward pass, gradients filled in as they become final."""

from __future__ import annotations

import dataclasses
import html
import json
import math
import os
import re
import stat
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from graphs import random_graphs
from hypothesis import given, settings

from autograd_mini import Value, backward_frames, backward_page, topological_order, trace_backward
from autograd_mini.show.frames import Shown, frame_states, replay
from autograd_mini.show.page import MAX_INTERVAL_MS, MIN_INTERVAL_MS, Frame, page_html
from autograd_mini.show.viz import GraphvizFailedError
from autograd_mini.teach import two_path_example
from autograd_mini.teach.answers import page_rules

SVG = "{http://www.w3.org/2000/svg}"


def svg_texts(svg: str) -> list[str]:
    return [t.text or "" for t in ET.fromstring(svg[svg.find("<svg") :]).iter(f"{SVG}text")]


def neuron() -> tuple[Value, dict[str, Value]]:
    """o = tanh(x1·w1 + x2·w2 + b), the classic neuron; its gradients are worked out by hand below."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return o, {"x1": x1, "x2": x2, "w1": w1, "w2": w2, "b": b, "n": n, "o": o}


# -- what each frame shows (no rendering) -------------------------------------------------------


@settings(max_examples=100, deadline=None)
@given(root=random_graphs())
def test_frames_follow_the_steps_and_end_with_backwards_gradients(root: Value) -> None:
    steps = trace_backward(root)
    states = frame_states(root)
    shown = [dict(boxes) for _, boxes in replay(states)]  # what each frame shows
    assert len(states) == len(steps) + 1
    assert shown[0] == {} and states[0].highlight == () and states[0].highlight_edges == ()
    assert states[0].node is None and states[0].changes == ()
    for step, state in zip(steps, states[1:], strict=True):
        assert state.caption == step.caption()
        assert state.highlight == (step.node,)
        assert state.highlight_edges == tuple((parent, step.node) for parent in step.node.parents)
        assert state.current == step.names[step.node]
        # the boxes change exactly where the caption states a sum, to the sum it states
        stated = [(edge.parent, edge.total, edge.is_final) for edge in step.edges]
        if step.index == 0:
            stated.insert(0, (root, 1.0, True))
        assert [(node, box.grad, box.is_final) for node, box in state.changes] == stated
    root.backward()
    nodes = topological_order(root)
    assert {node: box.grad for node, box in shown[-1].items()} == {node: node.grad for node in nodes}  # exact
    assert all(box.is_final for box in shown[-1].values())
    for earlier, later, state in zip(shown, shown[1:], states[1:], strict=False):  # pairs of frames
        # a final sum never changes again, and a highlighted node is final when its step comes
        assert all(later[node] == box for node, box in earlier.items() if box.is_final)
        assert state.node is not None and later[state.node].is_final


def test_shared_node_shows_its_running_sum_partial_until_the_last_path_reports() -> None:
    # L = (a·b + a)²: a is used by c = a·b and by d = c + a; dL/da = 2(ab + a)(b + 1) = 16
    loss, a, b, c, d = two_path_example()
    states = frame_states(loss)
    shown = [dict(boxes) for _, boxes in replay(states)]
    currents = [s.current for s in states]
    assert currents[:4] == ["", "L", "d", "c"] and set(currents[4:]) == {"a", "b"}  # the inputs come last
    # step 1 (L = d·d): d gets -4 and then -4 more, final at once; its box shows the sum, -8
    assert [(box.grad, box.mark) for _, box in states[1].changes] == [(1.0, ""), (-4.0, "partial: 1 of 2"), (-8.0, "")]
    assert shown[1][d] == Shown(-8.0, 2, 2)
    # step 2 (d = c + a): c is final at -8; a has one of its two contributions: partial -8
    assert shown[2][c] == Shown(-8.0, 1, 1) and shown[2][a] == Shown(-8.0, 1, 2)
    assert shown[2][a].mark == "partial: 1 of 2" and b not in shown[2]
    # step 3 (c = a·b): the paths to a meet, -8 + 24 = 16, final; b gets its only one, -16
    assert shown[3][a] == Shown(16.0, 2, 2) and shown[3][b] == Shown(-16.0, 1, 1)
    assert {node: box.grad for node, box in shown[-1].items()} == {loss: 1.0, d: -8.0, c: -8.0, a: 16.0, b: -16.0}


def test_replay_gives_a_read_only_view() -> None:
    x = Value(3.0, label="x")
    (_, boxes), *_ = replay(frame_states(x * x))
    with pytest.raises(TypeError):
        boxes[x] = Shown(1.0, 1, 1)  # type: ignore[index]


def chain(values: int) -> Value:
    """x and then sines: a graph of exactly ``values`` values."""
    y = Value(0.5, label="x")
    for _ in range(values - 1):
        y = y.sin()
    return y


def stored_items(held: object) -> int:
    """How many elements the containers in ``held`` hold, nested (a Value, a number or a text holds none)."""
    if dataclasses.is_dataclass(held) and not isinstance(held, type):
        return sum(stored_items(getattr(held, field.name)) for field in dataclasses.fields(held))
    if isinstance(held, Mapping):
        return len(held) + sum(stored_items(key) + stored_items(item) for key, item in held.items())
    if isinstance(held, tuple | list | set | frozenset):
        return len(held) + sum(stored_items(item) for item in held)
    return 0


def test_frame_states_are_stored_as_changes_in_memory_linear_in_the_graph() -> None:
    # Copying every known gradient into every frame made n frames of up to n entries: O(n²).
    # As changes, a frame holds only its step's: the same few items at any length of chain.
    # (benchmarks/bench_guards.py prints the memory this takes.)
    for values in (50, 100):
        states = frame_states(chain(values))
        assert sum(len(state.changes) for state in states) == values  # the root's seed, then one per edge
        # The first step: 2 changes (seed and parent) of 2 items each, 1 highlighted edge of 2 ends.
        assert max(stored_items(state) for state in states) == 2 + 2 * 2 + 1 + 2


def test_non_values_are_refused() -> None:
    with pytest.raises(TypeError, match="the root of backward frames must be a Value, got float"):
        frame_states(3.0)  # type: ignore[arg-type]


# -- rendered frames ------------------------------------------------------------------------------


def test_rendered_frames_show_highlight_captions_and_every_gradient_at_the_end(dot: str) -> None:
    o, v = neuron()
    frames = backward_frames(o)
    steps = trace_backward(o)
    assert len(frames) == len(steps) + 1 == len(topological_order(o)) + 1
    assert [f.caption for f in frames[1:]] == [s.caption() for s in steps]
    assert frames[0].current == "" and "grad ?" in svg_texts(frames[0].svg)
    assert all("grad" not in t or t == "grad ?" for t in svg_texts(frames[0].svg))
    assert frames[1].current == "o"
    # By hand: n = -6 + 0 + 6.8814 = 0.8814, o = tanh(n) = 0.7071, do/dn = 1 - o² = 0.5;
    # do/dw1 = 0.5·x1 = 1, do/dx1 = 0.5·w1 = -1.5, do/dw2 = 0.5·x2 = 0, do/dx2 = 0.5·w2 = 0.5, do/db = 0.5.
    expected = {"o": 1.0, "n": 0.5, "x1": -1.5, "w1": 1.0, "x2": 0.5, "w2": 0.0, "b": 0.5}
    last = svg_texts(frames[-1].svg)
    assert "grad ?" not in last
    for name, grad in expected.items():
        assert f"grad {grad:.4g}" in last, name
    o.backward()
    for name, grad in expected.items():
        got = v[name].grad
        assert isinstance(got, float) and math.isclose(got, grad, abs_tol=1e-6), name


def test_unlabelled_nodes_are_drawn_with_their_caption_names_and_stay_unlabelled(dot: str) -> None:
    x = Value(3.0, label="x")
    y = (x * x).tanh()  # x*x and y have no label: the captions call them n1 and n2
    frames = backward_frames(y)
    assert frames[1].current == "n2" and frames[2].current == "n1"
    assert "dn2/dn1 = dn2/dn2 · ∂n2/∂n1" in frames[1].caption
    assert {"n1", "n2", "x"} <= set(svg_texts(frames[1].svg))
    assert [node.label for node in topological_order(y)] == ["x", "", ""]


def test_a_failed_drawing_leaves_labels_and_files_untouched(dot: str, tmp_path: Path) -> None:
    x = Value(3.0, label="x")
    y = x * x
    target = tmp_path / "steps.html"
    with pytest.raises(ValueError, match="rankdir"):
        backward_page(y, target, rankdir="sideways")
    assert y.label == "" and not target.exists()


def test_backward_page_writes_one_self_contained_file(dot: str, tmp_path: Path) -> None:
    o, _ = neuron()
    page = backward_page(o, tmp_path / "steps.html", title="A neuron <o>")
    assert page.path == tmp_path / "steps.html"
    text = page.path.read_text(encoding="utf-8")
    assert text == page.html
    assert text.count('<div class="frame"') == len(topological_order(o)) + 1
    assert "<?xml" not in text and "<!DOCTYPE svg" not in text  # SVG inlined without its file header
    assert "A neuron &lt;o&gt;" in text
    assert "http://" not in text.replace("http://www.w3.org/", "") and "https://" not in text  # nothing fetched
    assert "srcdoc=" in page._repr_html_()
    assert backward_page(o).path is None


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"title": 3}, TypeError, "title must be a str, got int"),
        (
            {"interval_ms": 0},
            ValueError,
            r"interval_ms \(milliseconds between frames\) must be an int from 10 to 60,000, got 0",
        ),
        ({"interval_ms": MIN_INTERVAL_MS - 1}, ValueError, "got 9"),
        ({"interval_ms": MAX_INTERVAL_MS + 1}, ValueError, "got 60001"),
        ({"interval_ms": 2**31}, ValueError, "got 2147483648"),  # a browser's timer would fire at once
        ({"interval_ms": 0.5}, TypeError, "got float: 0.5"),  # not an int: a wrong type
        ({"interval_ms": 1200.0}, TypeError, "got float: 1200.0"),
        ({"interval_ms": True}, TypeError, "got bool: True"),
    ],
)
def test_backward_page_refuses_bad_options(
    kwargs: dict[str, object], error: type[Exception], message: str, no_frame_work: list[str]
) -> None:
    big = chain(10_000)  # within max_nodes: refused by the option before a single frame is made, no dot needed
    for root in (Value(1.0), big):
        with pytest.raises(error, match=message):
            backward_page(root, None, max_nodes=10_000, **kwargs)  # type: ignore[arg-type]
    assert no_frame_work == []


def test_the_interval_range_is_inclusive() -> None:
    frames = [Frame("<svg></svg>", "", "")]
    for interval in (MIN_INTERVAL_MS, MAX_INTERVAL_MS):
        page = page_html(frames, "t", interval, output="y")
        assert f'<body data-interval="{interval}">' in page  # the page's script reads it from there
        assert "Number(document.body.dataset.interval)" in page and "show(current + 1), interval);" in page
    with pytest.raises(ValueError, match="from 10 to 60,000, got 2147483648"):
        page_html(frames, "t", 2**31, output="y")


def test_graphs_too_large_for_a_page_are_refused_before_anything_is_drawn(tmp_path: Path) -> None:
    x = Value(1.0, label="x")
    y = (x * 2).tanh()  # four values: x, the constant 2, x*2, tanh
    target = tmp_path / "steps.html"
    with pytest.raises(ValueError, match=r"has 4 values, more than max_nodes=3.*pass max_nodes=4"):
        backward_page(y, target, max_nodes=3)
    with pytest.raises(ValueError, match="max_nodes must be an int >= 1, got 0"):
        backward_frames(y, max_nodes=0)
    assert not target.exists()


@pytest.fixture
def no_frame_work(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Make the work of a step page fail if it starts (its steps, its frame states, a drawing); the names called."""
    from autograd_mini.show import frames as frames_module

    called: list[str] = []

    def must_not_run(name: str) -> Callable[..., object]:
        def refuse(*args: object, **kwargs: object) -> object:
            called.append(name)
            raise AssertionError(f"{name} ran before the refusal")

        return refuse

    for name in ("trace_backward", "frame_states", "draw"):
        monkeypatch.setattr(frames_module, name, must_not_run(name))
    return called


@pytest.mark.parametrize("values", [6_401, 40_001])
def test_a_graph_far_too_large_is_refused_at_once_in_little_memory(values: int, no_frame_work: list[str]) -> None:
    # Before: every frame's state was built first, 819 MB for 6,401 values; 40,001 was killed at 24 GB.
    # Now the size is counted first and nothing of a frame is made (bench_guards.py prints the time and memory).
    root = chain(values)
    for attempt in (backward_page, backward_frames):
        with pytest.raises(ValueError, match=f"has {values} values, more than max_nodes=100"):
            attempt(root, max_nodes=100)
    assert no_frame_work == []


def failing_dot(folder: Path, script: str) -> None:
    """A ``dot`` on PATH that runs ``script`` instead of Graphviz."""
    dot = folder / "dot"
    dot.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    dot.chmod(dot.stat().st_mode | stat.S_IXUSR)


def test_a_failing_dot_is_a_clear_error_and_leaves_labels_and_files_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failing_dot(tmp_path, "echo 'Error: out of memory' >&2; exit 3")
    monkeypatch.setenv("PATH", f"{tmp_path}{os.pathsep}{os.environ.get('PATH', '')}")
    x = Value(3.0, label="x")
    y = x * x
    target = tmp_path / "steps.html"
    with pytest.raises(GraphvizFailedError, match=r"draw the graph \(exit status 3\): Error: out of memory"):
        backward_page(y, target)
    assert y.label == "" and not target.exists()


def test_the_stored_example_page_was_made_by_the_current_code() -> None:
    # notebooks/examples/make_backward_steps.py regenerates it; captions and footer must match today's
    stored = (Path(__file__).parent.parent / "notebooks" / "examples" / "backward_steps.html").read_text("utf-8")
    captions = [html.unescape(c) for c in re.findall(r'data-caption="([^"]*)"', stored)]
    assert captions == [state.caption for state in frame_states(two_path_example().loss)]
    assert "partial: 1 of 2" in stored and "dL/dx is a gradient" in stored and 'id="projector"' in stored


def test_the_page_without_javascript_has_a_note_the_first_caption_and_hides_its_controls() -> None:
    # Before: no <noscript>, an empty <pre id="caption">, and controls that showed but did nothing.
    frames = [Frame("<svg></svg>", "Forward pass <done>", ""), Frame("<svg></svg>", "step 1", "x")]
    text = page_html(frames, "t", output="y")
    assert '<pre id="caption" aria-live="polite">Forward pass &lt;done&gt;</pre>' in text
    assert re.search(r"<noscript><p class=\"noscript\">This page needs JavaScript", text)
    hidden = re.search(r"<noscript><style>(.*?)</style></noscript>", text)
    assert hidden is not None and ".controls" in hidden[1] and "display: none" in hidden[1]


def test_the_page_reads_answers_by_the_rules_written_once_in_teach_answers() -> None:
    text = page_html([Frame("<svg></svg>", "c", "")], "t", output="y")
    written = re.search(r'<form id="quiz" hidden data-answers="([^"]*)">', text)
    assert written is not None and json.loads(html.unescape(written[1])) == page_rules()
    script = text.split("<script>", 1)[1]
    assert not re.search(r"\b(1e-\d+|0\.001|64)\b", script)  # no tolerance or cap of its own (before: 1e-3, 1e-9)
    assert "answered <code>nan</code>, an infinite one <code>inf</code> or <code>-inf</code>" in text
    assert text.count("0.1%") == 2  # the note by the input and the footer, both from REL_TOL


# -- pages that fit a projector ------------------------------------------------------------------


def _box_shapes(svg: str) -> dict[str, list[str]]:
    """Each value's box in a rendered frame: the outlines (polygon points, path d) under its title."""
    shapes: dict[str, list[str]] = {}
    for group in ET.fromstring(svg).iter(f"{SVG}g"):
        title = group.find(f"{SVG}title")
        if group.get("class") == "node" and title is not None and (title.text or "").startswith("v"):
            outlines = [*group.iter(f"{SVG}polygon"), *group.iter(f"{SVG}path")]
            shapes[title.text or ""] = [shape.get("points") or shape.get("d") or "" for shape in outlines]
    return shapes


def test_every_box_keeps_its_size_and_place_from_the_first_frame_to_the_last(dot: str) -> None:
    from autograd_mini import MLP

    x1, x2, w1, w2 = Value(2.0, label="x1"), Value(0.0, label="x2"), Value(-3.0, label="w1"), Value(1.0, label="w2")
    neuron = (x1 * w1 + x2 * w2 + Value(6.8813735870195432, label="b")).tanh()
    for root in (neuron, MLP(2, [2, 1], seed=0)([0.5, -0.5])[0]):
        frames = backward_frames(root)
        first = _box_shapes(frames[0].svg)
        assert len(first) == len(topological_order(root))
        for i, frame in enumerate(frames):
            assert _box_shapes(frame.svg) == first, f"frame {i}: a box moved or changed its size"


def _svg_size(svg: str) -> tuple[float, float]:
    root = ET.fromstring(svg)
    return float(root.get("width", "0").removesuffix("pt")), float(root.get("height", "0").removesuffix("pt"))


def test_the_layout_direction_follows_the_graphs_shape(dot: str) -> None:
    leaves = [Value(float(i), label=f"a{i}") for i in range(16)]
    while len(leaves) > 1:  # a balanced sum: 16 values side by side, 4 levels deep
        leaves = [left + right for left, right in zip(leaves[0::2], leaves[1::2], strict=True)]
    wide = leaves[0]
    width, height = _svg_size(backward_frames(wide, min_text_px=0)[0].svg)
    assert width > height  # drawn top to bottom: its 16 leaves in a row
    width, height = _svg_size(backward_frames(wide, rankdir="LR", min_text_px=0)[0].svg)
    assert height > width  # left to right, as asked: the 16 leaves in a column
    deep = Value(1.0, label="x")
    for _ in range(6):
        deep = deep.tanh()
    width, height = _svg_size(backward_frames(deep)[0].svg)
    assert width > height  # a chain: left to right


def test_a_graph_too_large_to_read_is_refused_pointing_to_the_network_view(dot: str, tmp_path: Path) -> None:
    from autograd_mini import MLP

    root = MLP(2, [4, 1], seed=0)([0.5, -0.5])[0]  # 47 values: under max_nodes, too small on a projector
    target = tmp_path / "steps.html"
    refusal = r"has 47 values: .* px high, less than min_text_px=12.*draw_network\(model, x\)"
    with pytest.raises(ValueError, match=refusal):
        backward_page(root, target)
    assert not target.exists()
    assert len(backward_frames(root, min_text_px=0)) == 48  # drawn anyway when asked
    with pytest.raises(ValueError, match="draw_network"):
        backward_frames(root, max_nodes=40)
    with pytest.raises(TypeError, match="min_text_px must be"):
        backward_frames(root, min_text_px="12")  # type: ignore[arg-type]


def test_a_models_parameters_are_named_briefly_in_boxes_and_captions(dot: str) -> None:
    from autograd_mini import MLP

    frames = backward_frames(MLP(2, [2, 1], seed=0)([0.5, -0.5])[0])
    captions = "\n".join(frame.caption for frame in frames)
    assert "layers." not in captions and "dn14/dL1N0.w0 = " in captions
    assert ">L0N1.b<" in frames[0].svg and ">layers.0.neurons.1<" in frames[0].svg  # the neuron, said once
    assert ">layers.0.neurons.1.b<" not in frames[0].svg
