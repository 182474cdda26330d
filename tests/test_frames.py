"""Frames of the backward pass: one per step plus the forward pass, gradients filled in as they become final."""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from graphs import random_graphs
from hypothesis import given, settings

from autograd_mini import Value, backward_frames, backward_page, topological_order, trace_backward
from autograd_mini.show.frames import frame_states
from autograd_mini.teach import two_path_example

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
    assert len(states) == len(steps) + 1
    assert states[0].grads == {} and states[0].highlight == () and states[0].highlight_edges == ()
    for step, state in zip(steps, states[1:], strict=True):
        assert state.caption == step.caption()
        assert state.highlight == (step.node,)
        assert state.highlight_edges == tuple((parent, step.node) for parent in step.node.parents)
        assert state.current == step.names[step.node]
    root.backward()
    nodes = topological_order(root)
    assert states[-1].grads == {node: node.grad for node in nodes}  # exact: every gradient, backward's numbers
    for earlier, later in itertools.pairwise(states):
        # a gradient is shown only once final: it never changes afterwards, and one more appears per step
        assert len(later.grads) == len(earlier.grads) + 1
        assert all(later.grads[node] == grad for node, grad in earlier.grads.items())


def test_shared_node_gets_its_gradient_only_after_every_path_reported() -> None:
    # L = (a·b + a)²: a is used by c = a·b and by d = c + a; dL/da = 2(ab + a)(b + 1) = 16
    loss, a, b, c, d = two_path_example()
    states = frame_states(loss)
    currents = [s.current for s in states]
    assert currents[:4] == ["", "L", "d", "c"] and set(currents[4:]) == {"a", "b"}  # the inputs come last
    assert a not in states[2].grads  # d has sent its share to a, but c has not yet
    assert states[3].grads[c] == -8.0
    at_a = currents.index("a")
    assert a not in states[at_a - 1].grads and states[at_a].grads[a] == 16.0
    assert states[-1].grads == {loss: 1.0, d: -8.0, c: -8.0, a: 16.0, b: -16.0}  # by hand: dL/db = 2(ab + a)a


def test_non_values_are_refused() -> None:
    with pytest.raises(TypeError, match="Value as root, got float"):
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
        ({"interval_ms": 0}, ValueError, "interval_ms must be a positive int"),
        ({"interval_ms": 0.5}, ValueError, "got 0.5"),
    ],
)
def test_backward_page_refuses_bad_options(kwargs: dict[str, object], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message):
        backward_page(Value(1.0), None, **kwargs)  # type: ignore[arg-type]


def test_graphs_too_large_for_a_page_are_refused_before_anything_is_drawn(tmp_path: Path) -> None:
    x = Value(1.0, label="x")
    y = (x * 2).tanh()  # four values: x, the constant 2, x*2, tanh
    target = tmp_path / "steps.html"
    with pytest.raises(ValueError, match=r"has 4 values, more than max_nodes=3.*pass max_nodes=4"):
        backward_page(y, target, max_nodes=3)
    with pytest.raises(ValueError, match="max_nodes must be a positive int, got 0"):
        backward_frames(y, max_nodes=0)
    assert not target.exists()
