"""teach.explanation: explain writes the chain rule out, every path with its product, then their sum;
a graph with too many paths gets a summary; every automatic name it uses is defined under its first line.

Expected numbers are worked out by hand in the comments.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Callable

import pytest
from graphs import chain_of, diamonds

from autograd_mini import Value, draw, explain, topological_order
from autograd_mini.names import node_names

# -- explain ----------------------------------------------------------------------------------


def test_explain_a_small_graph_path_by_path() -> None:
    # L = a*b + a with a = 2, b = -3: dL/da = b + 1 = -2 over two paths; dL/db = a over one.
    a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    c = a * b
    c.label = "c"
    loss = c + a
    loss.label = "L"
    assert explain(loss, a) == "\n".join(
        [
            "dL/da by the chain rule: the sum over the 2 paths from a to L of the product of local derivatives.",
            "path 1: a → c → L",
            "    ∂c/∂a · ∂L/∂c = -3 · 1 = -3",
            "path 2: a → L",
            "    ∂L/∂a = 1",
            "sum over paths: -3 + 1 = -2",
            "backward gives dL/da = -2 (multiplications: 3 for the path sum, 4 for backward)",
        ]
    )
    assert explain(loss, b).endswith("backward gives dL/db = 2 (multiplications: 2 for the path sum, 4 for backward)")


def test_explain_a_ten_node_graph_fills_in_every_product() -> None:
    x, w, bias = Value(0.5, label="x"), Value(-1.5, label="w"), Value(0.25, label="b")
    h = (x * w + bias).tanh()
    out = h * h + x  # 8 nodes: x, w, x*w, b, +b, tanh, h*h, +x
    out.label = "out"
    text = explain(out, x)
    lines = text.splitlines()
    assert len(topological_order(out)) <= 10
    assert lines[0].startswith("dout/dx by the chain rule: the sum over the 3 paths")
    assert sum(line.startswith("path ") for line in lines) == 3
    # the local derivative of tanh, filled in: 1 - tanh(x*w + b)**2
    assert f"{1 - math.tanh(0.5 * -1.5 + 0.25) ** 2:.4g}" in text
    expected = 2 * math.tanh(-0.5) * (1 - math.tanh(-0.5) ** 2) * -1.5 + 1
    assert lines[-1].startswith(f"backward gives dout/dx = {expected:.4g}")


def test_explain_summarizes_a_graph_with_a_billion_paths() -> None:
    # 30 levels of y = 3y + 0.5y: 2**30 paths; the path with the largest product takes the
    # factor 3 every time (3**30), the runners-up take 0.5 once (3**29 * 0.5); dy/dx = 3.5**30.
    x = Value(1.0, label="x")
    y = x
    for _ in range(30):
        y = y * 3 + y * 0.5
    y.label = "y"
    text = explain(y, x, top=3)
    lines = text.splitlines()
    assert "1,073,741,824 paths" in lines[0]
    # head, the where line defining the unlabelled nodes on the paths, "the 3 paths", two lines per path, the verdict
    assert len(lines) == 2 + 1 + 3 * 2 + 1
    assert lines[1].startswith("where n1 = x·3, n2 = x·0.5, n3 = n1 + n2, ")
    products = [line for line in lines if "product of 60 local derivatives" in line]
    assert products[0].endswith(f"= {3.0**30:.4g}")
    assert "(3 ×30, 1 ×30)" in products[0]
    assert all(line.endswith(f"= {3.0**29 * 0.5:.4g}") for line in products[1:])
    # 2**30 paths of 60 edges vs 6 edges per level
    assert (
        lines[-1]
        == f"backward gives dy/dx = {3.5**30:.4g} (multiplications: {2**30 * 60:,} for the path sum, 180 for backward)"
    )


def test_explain_when_there_is_no_path() -> None:
    x, y = Value(1.0, label="x"), Value(2.0, label="y")
    text = explain(y * 2, x)
    assert "= 0" in text and "no path" in text


def test_explain_needs_values() -> None:
    with pytest.raises(TypeError, match="root must be a Value"):
        explain(3.0, Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^root must be a Value, got int: 3$"):
        explain(3, Value(1.0))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^x must be a Value, got str: 'x'$"):
        explain(Value(1.0), "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"^max_paths must be an int >= 0, got float: 2.5$"):
        explain(Value(1.0), Value(1.0), max_paths=2.5)  # type: ignore[arg-type]


def test_explain_speaks_of_one_path_in_the_singular() -> None:
    x = Value(0.5, label="x")
    y = x.tanh()
    y.label = "y"
    lines = explain(y, x).splitlines()
    assert lines[0] == "dy/dx by the chain rule: the product of local derivatives along the one path from x to y."
    assert not any(line.startswith("sum over paths") for line in lines)  # one product: nothing to add up


def test_explain_says_why_two_paths_through_x_times_x_read_alike() -> None:
    x = Value(3.0, label="x")
    square = x * x
    square.label = "s"
    cube = square * x
    cube.label = "c"
    lines = explain(cube, x).splitlines()
    # c = x²·x: d/dx = 3x² = 27, from three paths (two through s, one direct), each product 9
    assert lines[-2] == "sum over paths: 9 + 9 + 9 = 27"
    assert lines.count("(s uses x as both of its arguments: each argument is a path of its own.)") == 1
    assert not any("uses" in line for line in explain(x * 2.0 + x, x).splitlines())


def test_explain_shows_its_lines_when_printed_as_a_repl_repr_and_in_jupyter() -> None:
    x = Value(3.0, label="x")
    y = x * (x + 1.0)
    y.label = "y<1>"
    text = explain(y, x)
    assert isinstance(text, str) and "\n" in text
    assert repr(text) == str(text)  # a REPL shows the lines, not one quoted string with \n in it
    html_text = text._repr_html_()
    assert html_text.startswith("<pre>") and "y&lt;1&gt;" in html_text and "<1>" not in html_text


# -- automatic names, defined where the text first uses them ----------------------------------

AUTOMATIC = re.compile(r"(?<![\w'#])(?:n|leaf)\d+(?:'|#\d+)?(?![\w'#])")  # n1, leaf2, n1', n1#3


def square_plus_cube() -> tuple[Value, Value, Value, Value]:
    """x = 3 (labelled), a = x·x, c = a + a·x, nothing computed labelled: dc/dx = 2x + 3x² = 33."""
    x = Value(3.0, label="x")
    a = x * x
    cube = a * x
    c = a + cube
    return x, a, cube, c


def test_explain_defines_every_automatic_name_it_uses_under_its_first_line() -> None:
    x, a, cube, c = square_plus_cube()
    text = explain(c, x)
    lines = text.splitlines()
    assert lines[0].startswith("dn3/dx by the chain rule: the sum over the 5 paths from x to n3")
    assert lines[1] == "where n1 = x·x, n2 = n1·x, n3 = n1 + n2"  # right after the first line, in reading order
    assert lines.count(lines[1]) == 1 and sum(line.startswith("where ") for line in lines) == 1
    defined = [definition.split(" = ")[0] for definition in lines[1].removeprefix("where ").split(", ")]
    assert set(AUTOMATIC.findall(text)) == set(defined) == {"n1", "n2", "n3"}  # every name used is defined
    assert len(defined) == len(set(defined))  # and defined once
    names = node_names(c)
    assert (names[a], names[cube], names[c]) == ("n1", "n2", "n3")  # the names every other text uses
    assert lines[-1] == "backward gives dn3/dx = 33 (multiplications: 12 for the path sum, 6 for backward)"


def test_a_drawing_of_the_same_graph_titles_its_boxes_with_the_same_names() -> None:
    c = square_plus_cube()[-1]
    source = draw(c).source
    for name in ("x", "n1", "n2", "n3"):
        assert f">{name}<" in source
    # each name on the box of the node explain means by it: n1 = x·x = 9, n2 = n1·x = 27, n3 = n1 + n2 = 36
    titled = dict(re.findall(r"<b>([^<]*)</b></td></tr><tr><td>data ([^<]*)<", source))
    assert titled == {"x": "3", "n1": "9", "n2": "27", "n3": "36"}
    assert [node.label for node in topological_order(c)] == ["x", "", "", ""]  # named, not relabelled


def test_an_unlabelled_leaf_is_defined_by_its_number() -> None:
    x = Value(2.0)
    lines = explain(x * x, x).splitlines()
    assert lines[0].startswith("dn1/dleaf1 by the chain rule")
    assert lines[1] == "where leaf1 = 2 (a Value without a label), n1 = leaf1·leaf1"


def test_a_where_line_comes_only_when_the_text_names_an_automatic_name() -> None:
    x = Value(3.0, label="x")
    y = x.tanh()
    y.label = "y"
    assert not any(line.startswith("where") for line in explain(y, x).splitlines())
    assert not any(line.startswith("where") for line in explain(y, Value(1.0, label="z")).splitlines())
    lonely = explain(x * 2, Value(1.0, label="z")).splitlines()  # no path, but the text names x·2
    assert lonely == ["dn1/dz = 0: n1 does not depend on z, so no path leads from one to the other.", "where n1 = x·2"]


# -- limits and long chains ------------------------------------------------------------------


def test_a_long_chain_with_too_many_paths_is_summarized_quickly() -> None:
    x, y = chain_of(16_000)
    top = diamonds(y, 5)  # 32 paths of 16,010 edges
    started = time.process_time()
    lines = explain(top, x, max_paths=20, top=2).splitlines()
    assert time.process_time() - started < 20.0
    assert "32 paths" in lines[0] and sum(line.startswith("path ") for line in lines) == 2
    assert lines[-1].endswith(f"multiplications: {32 * 16_010:,} for the path sum, {16_000 + 5 * 6:,} for backward)")


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda x: explain(x, x, max_paths="20"), TypeError, "max_paths must be an int >= 0, got str: '20'"),
        (lambda x: explain(x, x, top=0), ValueError, "top must be an int >= 1, got 0"),
    ],
)
def test_path_limits_must_be_counts(call: Callable[[Value], object], error: type[Exception], message: str) -> None:
    # a wrong value is a ValueError, a wrong type (a str) a TypeError
    with pytest.raises(error, match=message):
        call(Value(1.0))
