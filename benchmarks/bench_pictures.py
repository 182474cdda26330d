"""How readable the network pictures are in a real browser: the text size of their boxes, fitted to a window.

    python benchmarks/bench_pictures.py                # prints the table (it asserts nothing)
    python benchmarks/bench_pictures.py --shots DIR    # also writes DIR/network_<picture>_<window>.png

The pictures: ``draw_network`` of the seed texts' 10-4-6-8-4 network (one row, sse against
[1, 0, 0, 0]) and of ``MLP(2, [4, 4, 1])`` (root: its output); the tallest and the longest
networks draw_network accepts; ``draw_layers`` of a 100-layer sigmoid network ``MLP(2, [8] * 100 + [1])`` and of the
largest it accepts. The windows: 1920x1080 and 1280x720.

What is measured (Debian's Chromium, headless, device scale 1), with the SVG alone on a page and
scaled to fit the window (``width: 100vw; height: 100vh``, aspect kept, as an image viewer or a
slide shows it):

- text px: the smallest font size, in CSS pixels as drawn, of any text in the picture (its
  ``font-size`` times its on-screen scale);
- drawing: the SVG's own size in points, and the size it is drawn at in the window;
- cut off: texts that reach outside the window or outside their own box (0 is the goal).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
WINDOWS = ((1920, 1080), (1280, 720))

MEASURE = """() => {
    const svg = document.querySelector('svg');
    const scale = svg.getScreenCTM().a;
    const inside = (r, o) =>
        r.left >= o.left - 1 && r.right <= o.right + 1 && r.top >= o.top - 1 && r.bottom <= o.bottom + 1;
    const view = {left: 0, top: 0, right: window.innerWidth, bottom: window.innerHeight};
    let smallest = Infinity, cut = 0, texts = 0;
    for (const t of svg.querySelectorAll('text')) {
        const size = parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a;
        smallest = Math.min(smallest, size);
        texts += 1;
        const r = t.getBoundingClientRect();
        const node = t.closest('g.node');
        // its box: the smallest shape of its node around the text's centre (a cell, or the node's outline)
        const x = (r.left + r.right) / 2, y = (r.top + r.bottom) / 2;
        const around = (node ? Array.from(node.querySelectorAll('polygon, path')) : [])
            .map(s => s.getBoundingClientRect())
            .filter(o => o.left <= x && x <= o.right && o.top <= y && y <= o.bottom)
            .sort((a, b) => a.width * a.height - b.width * b.height);
        const shape = around[0];
        if (!inside(r, view) || (shape && !inside(r, shape))) { cut += 1; }
    }
    const vb = svg.viewBox.baseVal;
    const drawn = [vb.width * scale, vb.height * scale];
    return {text_px: smallest, texts: texts, cut: cut, drawn: drawn, points: [vb.width, vb.height]};
}"""


def fitted_page(svg: str) -> str:
    """An HTML page showing ``svg`` alone, as large as the window allows without cutting it."""
    start = svg.index("<svg")
    tag_end = svg.index(">", start)
    tag = re.sub(r'\s(width|height)="[^"]*"', "", svg[start:tag_end])
    body = tag + ' style="width:100vw;height:100vh;display:block"' + svg[tag_end:]
    return f'<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">{body}</body></html>'


def measure(browser: Any, svg: str, width: int, height: int, shot: Path | None = None) -> dict[str, Any]:
    """The figures of one picture in one window (and a screenshot, given ``shot``)."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        page.set_content(fitted_page(svg))
        figures: dict[str, Any] = page.evaluate(MEASURE)
        if shot is not None:
            page.screenshot(path=str(shot))
        return figures
    finally:
        page.close()


def pictures() -> dict[str, str]:
    """Each picture measured, as SVG text."""
    from autograd_mini import MLP
    from autograd_mini.show.network import MAX_COLUMN, MAX_COLUMNS, MAX_LAYERS, draw_layers, draw_network

    seed_row = [round(0.1 * k - 0.45, 2) for k in range(10)]
    drawings = {
        "10-4-6-8-4": draw_network(MLP(10, [4, 6, 8, 4], seed=0), seed_row, target=[1.0, 0.0, 0.0, 0.0]),
        "2-4-4-1": draw_network(MLP(2, [4, 4, 1], seed=0), [0.5, -1.0]),
        "tallest": draw_network(MLP(MAX_COLUMN, [MAX_COLUMN, 4], seed=0), [0.1] * MAX_COLUMN, target=[0.0] * 4),
        "longest": draw_network(MLP(2, [3] * (MAX_COLUMNS - 2) + [1], seed=0), [0.5, -1.0]),
        "deep": draw_layers(MLP(2, [8] * 100 + [1], activation="sigmoid", seed=0), [0.5, -1.0]),
        "deepest": draw_layers(MLP(2, [2] * (MAX_LAYERS - 1) + [1], seed=0), [0.5, -1.0]),
    }
    return {name: drawing.pipe(format="svg", encoding="utf-8") for name, drawing in drawings.items()}


def launch(playwright: Any) -> Any:
    """Debian's Chromium, never a browser Playwright would download."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shots", type=Path, help="write a screenshot of each picture in each window here")
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    if args.shots:
        args.shots.mkdir(parents=True, exist_ok=True)
    print("| picture | window | text px (smallest) | drawing (pt) | drawn at (px) | texts cut off |")
    print("| --- | --- | --- | --- | --- | --- |")
    with sync_playwright() as playwright:
        browser = launch(playwright)
        for name, svg in pictures().items():
            for width, height in WINDOWS:
                shot = args.shots / f"network_{name}_{width}x{height}.png" if args.shots else None
                f = measure(browser, svg, width, height, shot)
                points, drawn = "x".join(f"{v:.0f}" for v in f["points"]), "x".join(f"{v:.0f}" for v in f["drawn"])
                cut = f"{f['cut']} of {f['texts']}"
                print(f"| {name} | {width}x{height} | {f['text_px']:.1f} | {points} | {drawn} | {cut} |")
        browser.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
