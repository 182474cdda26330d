"""The network pictures in a real browser (Debian's Chromium driven by Playwright): readable at 1920x1080.

Each picture is shown alone on a 1920x1080 page, scaled to fit it (as benchmarks/bench_pictures.py
does; its measurement serves both). Its smallest text must be drawn at 18 CSS px or more, no text may
reach outside the window or its box, and the neurons must stand in their columns as the seeds draw them.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograd_mini import MLP, draw_layers, draw_network

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench_pictures.py"
SMALLEST_TEXT_PX = 18.0


def _bench() -> Any:
    spec = importlib.util.spec_from_file_location("bench_pictures", BENCH)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench = _bench()


def _missing(what: str, hint: str) -> None:
    """Required in CI (CI=true), skipped with a reason elsewhere."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; .ci/run installs it ({hint})")
    pytest.skip(f"{what} is missing ({hint})")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _missing("Playwright's Python package", "pip install -e '.[test]'")
    if not os.path.exists(bench.CHROMIUM):
        _missing("Chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        chromium = bench.launch(playwright)
        yield chromium
        chromium.close()


PICTURES = {
    "10-4-6-8-4": lambda: draw_network(
        MLP(10, [4, 6, 8, 4], seed=0), [0.1 * k - 0.45 for k in range(10)], [1, 0, 0, 0]
    ),
    "2-4-4-1": lambda: draw_network(MLP(2, [4, 4, 1], seed=0), [0.5, -1.0]),
    "tallest accepted": lambda: draw_network(MLP(12, [12, 4], seed=0), [0.1] * 12, [0.0] * 4),
    "longest accepted": lambda: draw_network(MLP(2, [3, 3, 3, 3, 1], seed=0), [0.5, -1.0]),
    "100 layers": lambda: draw_layers(MLP(2, [8] * 100 + [1], activation="sigmoid", seed=0), [0.5, -1.0]),
    "deepest accepted": lambda: draw_layers(MLP(2, [2] * 159 + [1], seed=0), [0.5, -1.0]),
}


@pytest.mark.parametrize("name", PICTURES)
def test_the_text_is_readable_and_nothing_is_cut_off_at_1920x1080(browser: Any, name: str) -> None:
    svg = PICTURES[name]().pipe(format="svg", encoding="utf-8")
    figures = bench.measure(browser, svg, 1920, 1080)
    assert figures["texts"] > 20
    assert figures["text_px"] >= SMALLEST_TEXT_PX, figures
    assert figures["cut"] == 0, figures


POSITIONS = """() => Object.fromEntries(Array.from(document.querySelectorAll('g.node')).map(g => {
    const r = g.getBoundingClientRect();
    return [g.querySelector('title').textContent, [r.left + r.width / 2, r.top + r.height / 2]];
}))"""


def test_neurons_stand_in_columns_in_order_top_to_bottom(browser: Any) -> None:
    svg = PICTURES["10-4-6-8-4"]().pipe(format="svg", encoding="utf-8")
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    try:
        page.set_content(bench.fitted_page(svg))
        where = page.evaluate(POSITIONS)
    finally:
        page.close()
    columns = [[f"x{k}" for k in range(10)]] + [[f"n{i}_{j}" for j in range(n)] for i, n in enumerate([4, 6, 8, 4])]
    for column in columns:
        xs, ys = [where[name][0] for name in column], [where[name][1] for name in column]
        assert max(xs) - min(xs) < 40  # one column (boxes differ in width, their centres line up)
        assert ys == sorted(ys)  # in order, top to bottom
    lefts = [max(where[name][0] for name in column) for column in columns]
    assert lefts == sorted(lefts)  # inputs on the left, outputs on the right
