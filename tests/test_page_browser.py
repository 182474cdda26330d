"""The step-player page in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from autograd_mini import backward_page, topological_order
from autograd_mini.show.page import Frame, page_html
from autograd_mini.teach import two_path_example

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
HIGHLIGHT = "#e66101"  # viz.HIGHLIGHT: the border of the node being worked on


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
    if not os.path.exists(CHROMIUM):
        _missing("Chromium", "apt-get install chromium")
    with sync_playwright() as playwright:
        # executable_path: the system Chromium, never a browser Playwright would download.
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


class Opened:
    """A page opened from a file, with every network request it made."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.requests: list[str] = []
        self.page = browser.new_page(viewport={"width": 900, "height": 600})
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.goto(path.as_uri())

    def visible_frames(self) -> list[str]:
        return list(self.page.eval_on_selector_all(".frame:not([hidden])", "fs => fs.map(f => f.dataset.step)"))

    def caption(self) -> str:
        return str(self.page.inner_text("#caption"))

    def counter(self) -> str:
        return str(self.page.inner_text("#counter"))

    def highlighted(self) -> list[str]:
        """The names (first text line) of the boxes drawn with the highlight border in the visible frame."""
        script = f"""gs => gs.filter(g => g.querySelector('[stroke="{HIGHLIGHT}"]'))
                           .map(g => g.querySelector('text').textContent)"""
        return list(self.page.eval_on_selector_all(".frame:not([hidden]) g.node", script))

    def texts(self) -> list[str]:
        return list(self.page.eval_on_selector_all(".frame:not([hidden]) text", "ts => ts.map(t => t.textContent)"))

    def assert_offline(self) -> None:
        remote = [url for url in self.requests if url.startswith(("http:", "https:", "ws:", "wss:"))]
        assert remote == [], f"the page made network requests: {remote}"
        assert self.requests, "the request log recorded nothing, not even the file itself"


def _hand_made_page(tmp_path: Path, interval_ms: int = 1200) -> Path:
    frames = [
        Frame(f'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><text id="t{i}">f{i}</text></svg>', c, n)
        for i, (c, n) in enumerate([("start <here>", ""), ("one & two", "a"), ("three\nlines", "b")])
    ]
    path = tmp_path / "shell.html"
    path.write_text(page_html(frames, "Shell", interval_ms), encoding="utf-8")
    return path


def test_shell_buttons_keys_and_slider_move_between_frames(browser: Any, tmp_path: Path) -> None:
    opened = Opened(browser, _hand_made_page(tmp_path))
    page = opened.page
    assert opened.visible_frames() == ["0"]
    assert opened.caption() == "start <here>"  # escaped in the attribute, shown as typed
    assert opened.counter() == "Step 0 of 2"
    assert page.is_disabled("#prev") and not page.is_disabled("#next")
    page.click("#next")
    assert opened.visible_frames() == ["1"] and opened.caption() == "one & two"
    page.keyboard.press("ArrowRight")
    assert opened.visible_frames() == ["2"] and opened.caption() == "three\nlines"
    assert page.is_disabled("#next") and page.input_value("#slider") == "2"
    page.keyboard.press("ArrowRight")  # past the end: stays on the last frame
    assert opened.visible_frames() == ["2"]
    page.keyboard.press("ArrowLeft")
    assert opened.visible_frames() == ["1"]
    page.fill("#slider", "0")
    assert opened.visible_frames() == ["0"] and opened.counter() == "Step 0 of 2"
    assert page.text_content("#t0") == "f0"  # the XML prolog was dropped: the SVG is live markup
    opened.assert_offline()


def test_shell_play_runs_to_the_end_and_stops(browser: Any, tmp_path: Path) -> None:
    opened = Opened(browser, _hand_made_page(tmp_path, interval_ms=40))
    page = opened.page
    # Clicked and read in one task: at 40 ms a frame, the two steps may be over before a second call.
    label = page.evaluate(
        "() => { const play = document.getElementById('play'); play.click(); return play.textContent; }"
    )
    assert "Pause" in label
    page.wait_for_function("document.getElementById('counter').textContent === 'Step 2 of 2'", timeout=5000)
    page.wait_for_function("document.getElementById('play').textContent.includes('Play')", timeout=5000)
    assert opened.visible_frames() == ["2"]
    opened.assert_offline()


# -- the real page: backward of L = (a*b + a)^2 ---------------------------------------------------


@pytest.fixture
def example_page(tmp_path: Path) -> Path:
    if shutil.which("dot") is None:
        _missing("Graphviz's dot", "apt-get install graphviz")
    loss = two_path_example().loss
    written = backward_page(loss, tmp_path / "steps.html").path
    assert written is not None and written.exists()
    return written


def test_backward_page_steps_through_the_chain_rule(browser: Any, example_page: Path, tmp_path: Path) -> None:
    opened = Opened(browser, example_page)
    page = opened.page
    # Frame 0: the forward values are there, no gradient is.
    assert opened.visible_frames() == ["0"] and opened.highlighted() == []
    texts = opened.texts()
    for value in ["data 2", "data -3", "data -6", "data -4", "data 16"]:  # a, b, ab, ab + a, (ab + a)^2
        assert value in texts
    assert texts.count("grad ?") == 5
    assert "Forward pass" in opened.caption()

    page.click("#next")  # step 1: L = d*d, d reached twice: dL/dd = d + d = -8
    assert opened.highlighted() == ["L"]
    assert opened.caption().splitlines() == [
        "dL/dL = 1",
        "dL/dd = dL/dL · ∂L/∂d = 1 · -4 = -4",
        "dL/dd += dL/dL · ∂L/∂d = 1 · -4 = -4; sum -4 + -4 = -8",
    ]
    page.screenshot(path=str(tmp_path / "step1.png"), full_page=True)

    page.keyboard.press("ArrowRight")  # step 2: d = c + a
    assert opened.highlighted() == ["d"]
    assert opened.caption().splitlines() == [
        "dL/dc = dL/dd · ∂d/∂c = -8 · 1 = -8",
        "dL/da = dL/dd · ∂d/∂a = -8 · 1 = -8",
    ]
    assert "grad -8" in opened.texts() and "grad ?" in opened.texts()

    page.keyboard.press("ArrowRight")  # step 3: c = a*b, and the two paths to a meet: -8 + (-8)(-3) = 16
    assert opened.highlighted() == ["c"]
    assert opened.caption().splitlines()[0] == "dL/da += dL/dc · ∂c/∂a = -8 · -3 = 24; sum -8 + 24 = 16"
    page.screenshot(path=str(tmp_path / "step3.png"), full_page=True)

    page.fill("#slider", page.get_attribute("#slider", "max") or "")
    assert opened.counter() == "Step 5 of 5"
    texts = opened.texts()
    assert "grad ?" not in texts
    loss, a, b, _, _ = two_path_example()
    loss.backward()
    assert (a.grad, b.grad) == (16.0, -16.0)  # by hand: dL/da = 2(ab + a)(b + 1), dL/db = 2(ab + a)a
    for node in topological_order(loss):
        assert f"grad {node.grad:.4g}" in texts
    opened.assert_offline()


def test_inline_notebook_view_plays_inside_its_iframe(browser: Any) -> None:
    if shutil.which("dot") is None:
        _missing("Graphviz's dot", "apt-get install graphviz")
    loss = two_path_example().loss
    requests: list[str] = []
    page = browser.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.set_content(backward_page(loss)._repr_html_())  # what Jupyter puts in the output cell
    inner = page.frame_locator("iframe")
    assert inner.locator("#counter").inner_text() == "Step 0 of 5"
    inner.locator("#next").click()
    assert inner.locator("#caption").inner_text().startswith("dL/dL = 1")
    assert [url for url in requests if url.startswith(("http:", "https:"))] == []


def test_the_network_check_catches_a_page_that_fetches(browser: Any, tmp_path: Path) -> None:
    leaky = tmp_path / "leaky.html"
    leaky.write_text(page_html([Frame('<img src="http://example.invalid/x.png">', "c", "")], "Leaky"), encoding="utf-8")
    opened = Opened(browser, leaky)
    opened.page.wait_for_load_state("load")
    with pytest.raises(AssertionError, match=r"example\.invalid"):
        opened.assert_offline()
