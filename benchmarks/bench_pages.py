"""How readable the step pages are in a real browser: node text size and box movement, as Chromium draws them.

    python benchmarks/bench_pages.py                 # prints the table (it asserts nothing)
    python benchmarks/bench_pages.py --shots DIR     # also writes screenshots DIR/page_<graph>_<window>_<frame>.png

The graphs: the README's neuron ``o = tanh(x1*w1 + x2*w2 + b)``, ``MLP(2, [2, 1])`` on one input
(``model(x)[0]``) and the ``autograd-mini demo`` command's neuron (its steps.html). The windows:
1920x1080 in projector mode and in normal mode, 1280x720 in normal mode.

What is measured (Debian's Chromium, headless, device scale 1):

- node text: the font size in CSS pixels, as drawn, of the smallest box's name text (the first
  ``<text>`` of each value's box: its ``font-size`` times its on-screen scale), over the first,
  middle and last frame;
- box movement: for every value's box, its on-screen rectangle at each frame against the first
  frame's; the largest difference of any edge over every frame, in CSS pixels;
- the gap: CSS pixels between the caption's bottom and the drawing's first box.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WINDOWS = (("1920x1080-projector", 1920, 1080, True), ("1920x1080", 1920, 1080, False), ("1280x720", 1280, 720, False))

BOXES = """() => Array.from(document.querySelectorAll('.frame:not([hidden]) g.node')).flatMap(g => {
    const title = g.querySelector('title').textContent;
    if (!title.startsWith('v')) { return []; }
    const r = g.querySelector('polygon, path').getBoundingClientRect();
    const t = g.querySelector('text');
    const size = parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a;  // CSS px on screen
    return [{id: title, x: r.x, y: r.y, w: r.width, h: r.height, text: size, top: r.top}];
})"""
CAPTION_BOTTOM = "() => document.getElementById('caption').getBoundingClientRect().bottom"


def graphs() -> dict[str, Any]:
    """The roots of the pages measured."""
    from autograd_mini import MLP, Value
    from autograd_mini.cli.demo import DEMO_EXPRESSION, DEMO_VALUES
    from autograd_mini.expr import parse

    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    n = x1 * w1 + x2 * w2 + b
    n.label = "n"
    o = n.tanh()
    o.label = "o"
    return {
        "neuron": o,
        "mlp": MLP(2, [2, 1], seed=0)([0.5, -0.5])[0],
        "demo": parse(DEMO_EXPRESSION).build(DEMO_VALUES).root,
    }


def measure(
    browser: Any, path: Path, window: tuple[str, int, int, bool], shots: Path | None, name: str
) -> dict[str, float]:
    label, width, height, projector = window
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    page.goto(path.as_uri())
    if projector:
        page.keyboard.press("p")
    last = int(page.get_attribute("#slider", "max") or "0")
    first: dict[str, dict[str, float]] = {}
    moved, smallest, gap = 0.0, float("inf"), float("inf")
    for frame in range(last + 1):
        page.fill("#slider", str(frame))
        boxes = {box["id"]: box for box in page.evaluate(BOXES)}
        first = first or boxes
        for key, box in boxes.items():
            moved = max(moved, *(abs(box[k] - first[key][k]) for k in ("x", "y", "w", "h")))
        if frame in (0, last // 2, last):
            smallest = min(smallest, *(box["text"] for box in boxes.values()))
            gap = min(gap, min(box["top"] for box in boxes.values()) - page.evaluate(CAPTION_BOTTOM))
            if shots is not None:
                where = "first" if frame == 0 else "last" if frame == last else "middle"
                page.screenshot(path=str(shots / f"page_{name}_{label}_{where}.png"))
    page.close()
    return {"text": smallest, "moved": moved, "gap": gap}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="write screenshots into this folder")
    options = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    from autograd_mini import backward_page

    if options.shots is not None:
        options.shots.mkdir(parents=True, exist_ok=True)
    out = Path(options.shots or "/tmp") / "bench_pages"
    out.mkdir(parents=True, exist_ok=True)
    print("| graph | window | node text (px) | box movement (px) | caption-to-graph gap (px) |")
    print("|---|---|---|---|---|")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for name, root in graphs().items():
            path = backward_page(root, out / f"{name}.html").path
            assert path is not None
            for window in WINDOWS:
                got = measure(browser, path, window, options.shots, name)
                print(f"| {name} | {window[0]} | {got['text']:.1f} | {got['moved']:.1f} | {got['gap']:.0f} |")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
