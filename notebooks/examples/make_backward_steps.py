"""Regenerate the example step-by-step page and the README's frame picture.

Run from the repository root (needs Graphviz's dot, and Chromium for the picture):

    .venv/bin/python notebooks/examples/make_backward_steps.py

Writes notebooks/examples/backward_steps.html and notebooks/images/steps_frame.png.
"""

from __future__ import annotations

from pathlib import Path

from autograd_mini import backward_page
from autograd_mini.teach import two_path_example

HERE = Path(__file__).resolve().parent
PAGE = HERE / "backward_steps.html"
PICTURE = HERE.parent / "images" / "steps_frame.png"
PICTURE_STEP = 2  # d sends a its first share: a's box shows the running sum, dashed, "partial: 1 of 2"


def screenshot(page_path: Path, step: int, picture: Path) -> None:
    """A PNG of the page at one step, taken with the system Chromium (no browser download)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 900, "height": 560}, device_scale_factor=1)
        page.goto(page_path.as_uri())
        page.fill("#slider", str(step))
        page.screenshot(path=str(picture), full_page=True)
        browser.close()


if __name__ == "__main__":
    # L = (a·b + a)², with a reached by two paths: dL/da = 2(ab + a)(b + 1) = 16 at a = 2, b = -3
    backward_page(two_path_example().loss, PAGE, title="Backward pass of L = (a·b + a)², step by step")
    screenshot(PAGE, PICTURE_STEP, PICTURE)
    print(f"wrote {PAGE} and {PICTURE}")
