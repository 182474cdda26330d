"""The step-player page in a real browser: Debian's Chromium driven by Playwright (never a downloaded browser)."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from test_teach_answers import CASES, case_number, case_text, same_number

from autograd_mini import MLP, Value, backward_page, topological_order
from autograd_mini.numeric import short_number
from autograd_mini.show.clusters import brief_names
from autograd_mini.show.page import Frame, Prediction, page_html
from autograd_mini.steps import node_names
from autograd_mini.teach import two_path_example
from autograd_mini.teach.answers import MAX_ANSWER_CHARS, REASONS

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
    path.write_text(page_html(frames, "Shell", interval_ms, output="f"), encoding="utf-8")
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
        "dL/dd = dL/dL · ∂L/∂d = 1 · -4 = -4 (partial, 1 of 2)",
        "dL/dd += dL/dL · ∂L/∂d = 1 · -4 = -4; sum -4 + -4 = -8 (final, 2 of 2)",
    ]
    assert "grad -8" in opened.texts() and "grad 1" in opened.texts()  # d and L: final at this step
    page.screenshot(path=str(tmp_path / "step1.png"), full_page=True)

    page.keyboard.press("ArrowRight")  # step 2: d = c + a
    assert opened.highlighted() == ["d"]
    assert opened.caption().splitlines() == [
        "dL/dc = dL/dd · ∂d/∂c = -8 · 1 = -8",
        "dL/da = dL/dd · ∂d/∂a = -8 · 1 = -8 (partial, 1 of 2)",
    ]
    texts = opened.texts()
    assert texts.count("grad -8") == 3 and "partial: 1 of 2" in texts  # d, c and a's running sum
    assert texts.count("grad ?") == 1  # b: nothing has reached it yet

    page.keyboard.press("ArrowRight")  # step 3: c = a*b, and the two paths to a meet: -8 + (-8)(-3) = 16
    assert opened.highlighted() == ["c"]
    assert opened.caption().splitlines()[0] == "dL/da += dL/dc · ∂c/∂a = -8 · -3 = 24; sum -8 + 24 = 16 (final, 2 of 2)"
    assert "grad 16" in opened.texts() and not any(t.startswith("partial") for t in opened.texts())
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
    leaky.write_text(
        page_html([Frame('<img src="http://example.invalid/x.png">', "c", "")], "Leaky", output="f"), encoding="utf-8"
    )
    opened = Opened(browser, leaky)
    opened.page.wait_for_load_state("load")
    with pytest.raises(AssertionError, match=r"example\.invalid"):
        opened.assert_offline()


# -- every frame of several graphs: the boxes say what the captions say, when they say it ----------


def demo_neuron() -> Value:
    """The demo's neuron f = tanh(x1·w1 + x2·w2 + b), its intermediate values unlabelled."""
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(6.8813735870195432, label="b")
    f = (x1 * w1 + x2 * w2 + b).tanh()
    f.label = "f"
    return f


def fan_out() -> Value:
    """x feeds three operations: three contributions meet in x's box."""
    x, y = Value(0.5, label="x"), Value(-2.0, label="y")
    u, v, w = x * y, x + y, x.tanh()
    u.label, v.label, w.label = "u", "v", "w"
    g = u * v + w
    g.label = "g"
    return g


def small_mlp() -> Value:
    """MLP(2, [2, 1]) on one input: parameters named by the model, inputs x[0] and x[1], the rest n1, n2, ..."""
    return MLP(2, [2, 1], seed=0)([0.5, -0.5])[0]


STATED = re.compile(r"d(?P<name>.+?) \+?= (?P<rest>.*)$")
MARK = re.compile(r" \((?P<kind>partial|final), (?P<i>\d+) of (?P<k>\d+)\)$")
READ_BOXES = """() => Array.from(document.querySelectorAll('.frame:not([hidden]) g.node')).map(g => ({
    texts: Array.from(g.querySelectorAll('text')).map(t => t.textContent),
    dashed: g.querySelector('[stroke-dasharray]') !== null,
}))"""


def stated_gradients(caption: str, output: str) -> dict[str, tuple[str, str]]:
    """Each gradient the caption states: name -> (number, "partial: i of k" or ""), the last statement winning."""
    stated = {}
    for line in caption.splitlines():
        match = STATED.match(line.removeprefix(f"d{output}/"))
        if not line.startswith(f"d{output}/") or match is None:
            continue
        rest = match["rest"].removesuffix(" (an input: nothing further back)")
        mark = MARK.search(rest)
        partial = f"partial: {mark['i']} of {mark['k']}" if mark and mark["kind"] == "partial" else ""
        stated[match["name"]] = (MARK.sub("", rest).rsplit(" = ", 1)[-1], partial)
    return stated


def shown_gradients(opened: Opened) -> dict[str, tuple[str | None, str]]:
    """Each value box of the visible frame: name -> (its grad number or None for "grad ?", its partial mark)."""
    shown = {}
    for box in opened.page.evaluate(READ_BOXES):
        texts = box["texts"]
        if len(texts) < 3:  # an operation's circle
            continue
        name, _data, grad, *mark = texts
        partial = mark[0] if mark else ""
        assert not partial or box["dashed"], f"{name}: a partial sum must be drawn dashed"
        shown[name] = (None if grad == "grad ?" else grad.removeprefix("grad "), partial)
    return shown


@pytest.mark.parametrize("build", [demo_neuron, two_path_example, fan_out, small_mlp])
def test_every_box_shows_exactly_what_its_caption_states_at_every_frame(
    browser: Any, tmp_path: Path, build: Callable[[], Any]
) -> None:
    if shutil.which("dot") is None:
        _missing("Graphviz's dot", "apt-get install graphviz")
    built = build()
    root = built if isinstance(built, Value) else built.loss
    names = brief_names(topological_order(root), node_names(root))  # a model's parameters: L0N1.w0, as the page says
    output = names[root]
    opened = Opened(browser, backward_page(root, tmp_path / "steps.html").path or tmp_path)
    assert f"the output {output} back" in " ".join(opened.page.inner_text(".hint").split())
    frames = int(opened.page.get_attribute("#slider", "max") or "0") + 1
    before: dict[str, tuple[str | None, str]] = {}
    final_since: dict[str, int] = {}
    for frame in range(frames):
        assert opened.counter() == f"Step {frame} of {frames - 1}"
        stated, shown = stated_gradients(opened.caption(), output), shown_gradients(opened)
        assert set(shown) == set(names.values())
        for name, (number, partial) in stated.items():  # what the caption states, the box shows
            assert shown[name] == (number, partial), f"frame {frame}: caption says d{output}/d{name} = {number}"
            if not partial:
                final_since.setdefault(name, frame)
        for name, box in shown.items():
            # a box changes only where its caption speaks, and never shows a final sum before its caption
            assert box == before.get(name, (None, "")) or name in stated, f"frame {frame}: {name} changed silently"
            if box[0] is not None and not box[1]:
                assert final_since.get(name, frames) <= frame, f"frame {frame}: {name} is final before its caption"
        before = shown
        opened.page.keyboard.press("ArrowRight")
    root.backward()
    assert before == {names[node]: (short_number(node.grad), "") for node in topological_order(root)}
    assert set(final_since) == set(names.values())  # every gradient was stated final, once
    opened.assert_offline()


SVG_WIDTH = "() => document.querySelector('.frame:not([hidden]) svg').getBoundingClientRect().width"


def test_projector_mode_fills_the_window_width_with_large_text(browser: Any, example_page: Path) -> None:
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(example_page.as_uri())
    page.fill("#slider", "2")
    normal = page.evaluate(SVG_WIDTH)
    page.keyboard.press("p")
    assert page.evaluate("() => document.body.classList.contains('projector')")
    assert page.get_attribute("#projector", "aria-pressed") == "true"
    box = page.evaluate("() => document.querySelector('.frame:not([hidden]) svg').getBoundingClientRect().toJSON()")
    assert box["width"] > 0.95 * 1920 - 50 and box["width"] > normal and box["bottom"] <= 1080  # all in view
    scale = page.evaluate("""() => { const svg = document.querySelector('.frame:not([hidden]) svg');
        const g = svg.querySelector('g.node text').getBoundingClientRect(); return g.height; }""")
    assert scale >= 24  # box text about 3 times a book's size: readable from the back of a room
    caption_px = float(page.evaluate("() => getComputedStyle(document.getElementById('caption')).fontSize")[:-2])
    assert caption_px >= 30
    page.keyboard.press("ArrowRight")  # stepping still works, and the new frame fills the width too
    assert page.inner_text("#counter") == "Step 3 of 5"
    assert page.evaluate(SVG_WIDTH) > normal
    page.keyboard.press("P")
    assert not page.evaluate("() => document.body.classList.contains('projector')")
    page.click("#projector")
    assert page.evaluate("() => document.body.classList.contains('projector')")
    page.close()


# -- predict mode: type the next step's gradients before it is shown ------------------------------


def test_predict_mode_checks_answers_keeps_score_and_turns_off(browser: Any, example_page: Path) -> None:
    opened = Opened(browser, example_page)
    page = opened.page
    assert page.is_hidden("#score") and page.is_hidden("#quiz")
    page.keyboard.press("k")  # predict mode on
    assert page.get_attribute("#predict", "aria-pressed") == "true" and page.is_disabled("#play")
    assert page.inner_text("#score") == "score: 0 of 0"

    # Step 1 (L = d*d) states dL/dL, then dL/dd after one share and after both.
    page.click("#next")
    assert opened.visible_frames() == ["0"], "the step stays hidden until the answers are in"
    labels = page.eval_on_selector_all("#questions label", "ls => ls.map(l => l.textContent)")
    assert labels == ["dL/dL =", "dL/dd after 1 of 2 =", "dL/dd after 2 of 2 ="]
    boxes = page.locator("#questions input")
    boxes.nth(0).fill("1")
    boxes.nth(1).fill("-4.0001")  # within the relative tolerance
    boxes.nth(2).fill("-8")
    boxes.nth(2).press("Enter")
    assert opened.visible_frames() == ["1"] and page.is_hidden("#quiz")
    assert page.inner_text("#score") == "score: 3 of 3"
    assert page.eval_on_selector_all("#feedback div", "ds => ds.map(d => d.className)") == ["right"] * 3

    # Step 2 (d = c + a): a wrong dL/da, typed as "p" and arrows too, which must not work as keys.
    page.keyboard.press("ArrowRight")
    assert opened.visible_frames() == ["1"]
    boxes = page.locator("#questions input")
    boxes.nth(0).fill("-8")
    boxes.nth(1).press_sequentially("8p")
    boxes.nth(1).press("ArrowLeft")
    assert not page.evaluate("document.body.classList.contains('projector')")
    page.click("#check")  # "8p" is not a number: asked again, nothing counted
    assert opened.visible_frames() == ["1"] and page.inner_text("#score") == "score: 3 of 3"
    boxes.nth(1).fill("8")
    page.click("#check")
    assert opened.visible_frames() == ["2"]
    assert page.inner_text("#score") == "score: 4 of 5"
    feedback = page.inner_text("#feedback").splitlines()
    assert feedback[0] == "right: dL/dc = -8"
    assert feedback[1] == "not quite (you typed 8): dL/da = dL/dd · ∂d/∂a = -8 · 1 = -8 (partial, 1 of 2)"
    page.screenshot(path="/tmp/predict.png", full_page=True)

    # An empty answer is not a number: the page says so, counts nothing and asks again.
    page.click("#next")
    page.locator("#questions input").first.press("Enter")
    assert opened.visible_frames() == ["2"] and not page.is_hidden("#quiz")
    assert page.inner_text("#score") == "score: 4 of 5"
    assert page.inner_text("#feedback").splitlines()[0] == "dL/da after 2 of 2: nothing typed; try again"
    boxes = page.locator("#questions input")
    boxes.nth(0).fill("0")
    boxes.nth(1).fill("0")
    boxes.nth(1).press("Enter")
    assert opened.visible_frames() == ["3"] and page.inner_text("#score") == "score: 4 of 7"
    assert page.inner_text("#feedback").startswith("not quite (you typed 0): dL/da += dL/dc")

    # A leaf's step states nothing new: Next shows it at once.
    page.click("#next")
    assert opened.visible_frames() == ["4"] and page.is_hidden("#quiz")

    # Predict mode off with a quiz open: it closes, and Next steps at once again.
    page.fill("#slider", "1")
    page.click("#next")
    assert not page.is_hidden("#quiz") and opened.visible_frames() == ["1"]
    page.click("#predict")
    assert page.is_hidden("#quiz") and page.is_hidden("#score") and page.is_hidden("#feedback")
    assert not page.is_disabled("#play") and page.inner_text("#score") == "score: 4 of 7"
    page.click("#next")
    assert opened.visible_frames() == ["2"]
    page.keyboard.press("ArrowRight")
    assert opened.visible_frames() == ["3"]
    opened.assert_offline()


# -- answers: the page reads and judges them by teach.answers' rules -----------------------------

NAN, INF = float("nan"), float("inf")
PREDICTED = [  # the gradient each frame's caption will state: NaN twice, a tiny one, both infinities, an exact 0
    (Prediction("dL/dz", NAN, "dL/dz = 0 · inf = nan"), Prediction("dL/dy", NAN, "dL/dy = nan")),
    (Prediction("dL/dw", 3e-18, "dL/dw = 3e-18"),),
    (Prediction("dL/dx", INF, "dL/dx = inf"), Prediction("dL/du", -INF, "dL/du = -inf")),
    (Prediction("dL/dv", 0.0, "dL/dv = 0"),),
]


def _predicting_page(tmp_path: Path) -> Path:
    frames = [Frame("<svg></svg>", "forward", "")]
    frames += [Frame("<svg></svg>", f"step {i}", "n", asked) for i, asked in enumerate(PREDICTED, 1)]
    path = tmp_path / "answers.html"
    path.write_text(page_html(frames, "Answers", output="L"), encoding="utf-8")
    return path


READ_IN_PAGE = """texts => texts.map(text => {
    const read = window.stepPageAnswers.readAnswer(text);
    if ("refused" in read) { return {refused: read.refused}; }
    return {number: Object.is(read.number, -0) ? "-0" : String(read.number)};
})"""
JUDGE_IN_PAGE = """cases => cases.map(([text, gradient]) =>
    window.stepPageAnswers.judge(window.stepPageAnswers.readAnswer(text).number, Number(gradient)))"""


def test_the_page_reads_and_judges_the_table_of_answers_as_python_does(browser: Any, tmp_path: Path) -> None:
    opened = Opened(browser, _predicting_page(tmp_path))
    reading = CASES["reading"]
    read = opened.page.evaluate(READ_IN_PAGE, [case_text(case) for case in reading])
    for case, got in zip(reading, read, strict=True):
        text = case_text(case)[:40]
        if "refused" in case:
            assert got == {"refused": case["refused"]}, text
        else:  # JavaScript writes numbers so that Python reads back the same double ("NaN", "Infinity", "1e-61")
            assert "number" in got and same_number(float(got["number"]), case_number(case["number"])), (text, got)
    judging = CASES["judging"]
    gradients = [case_number(case["gradient"]) for case in judging]
    as_js = [{"nan": "NaN", "inf": "Infinity", "-inf": "-Infinity"}.get(repr(g), repr(g)) for g in gradients]
    judged = opened.page.evaluate(JUDGE_IN_PAGE, [[case["text"], g] for case, g in zip(judging, as_js, strict=True)])
    assert judged == [case["right"] for case in judging]
    opened.assert_offline()


def _answer(page: Any, *texts: str) -> None:
    boxes = page.locator("#questions input")
    for k, text in enumerate(texts):
        boxes.nth(k).fill(text)
    boxes.nth(len(texts) - 1).press("Enter")


def test_predict_mode_cannot_be_fooled_by_blanks_words_or_rounding(browser: Any, tmp_path: Path) -> None:
    # Before: a blank or "abc" was right for a NaN gradient, 0 was right for 3e-18, and "inf" wrong for inf.
    opened = Opened(browser, _predicting_page(tmp_path))
    page = opened.page
    page.keyboard.press("k")
    page.click("#next")
    note = page.inner_text("#quiz .note")
    assert "nan" in note and "inf" in note and "-inf" in note and "0.1%" in note
    _answer(page, "", "abc")
    assert opened.visible_frames() == ["0"] and not page.is_hidden("#quiz"), "not an answer: asked again"
    assert page.inner_text("#score") == "score: 0 of 0"
    assert page.inner_text("#feedback").splitlines() == [
        f"dL/dz: {REASONS['empty']}; try again",
        f"dL/dy: {REASONS['not_a_number']}; try again",
    ]
    assert page.eval_on_selector_all("#questions input", "bs => bs.map(b => b.getAttribute('aria-invalid'))") == [
        "true",
        "true",
    ]
    _answer(page, "nan", "0")
    assert opened.visible_frames() == ["1"] and page.inner_text("#score") == "score: 1 of 2"
    assert page.inner_text("#feedback").splitlines() == ["right: dL/dz = nan", "not quite (you typed 0): dL/dy = nan"]

    page.click("#next")  # 3e-18: 0 is not within 0.1% of it, and 1e400 is no number at all
    _answer(page, "1e400")
    assert page.inner_text("#feedback") == f"dL/dw: {REASONS['too_large']}; try again"
    _answer(page, "0")
    assert page.inner_text("#score") == "score: 1 of 3" and page.inner_text("#feedback").startswith("not quite")

    page.click("#next")  # the infinities, typed as the page writes them
    _answer(page, "inf", "-inf")
    assert page.inner_text("#feedback").splitlines() == ["right: dL/dx = inf", "right: dL/du = -inf"]
    assert page.inner_text("#score") == "score: 3 of 5"

    page.click("#next")  # an exact 0, and a line too long to be a number
    _answer(page, "0" * (MAX_ANSWER_CHARS + 1))
    assert page.inner_text("#feedback") == f"dL/dv: {REASONS['too_long']}; try again"
    _answer(page, "-0")
    assert opened.visible_frames() == ["4"] and page.inner_text("#score") == "score: 4 of 6"
    opened.assert_offline()


# -- without JavaScript ---------------------------------------------------------------------------


def test_without_javascript_the_page_says_so_and_shows_the_first_frame_with_its_caption(
    browser: Any, example_page: Path
) -> None:
    # Before: no note, an empty caption, and buttons, a slider and a counter that did nothing.
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.goto(example_page.as_uri())
    note = page.locator("p.noscript")
    assert note.is_visible() and "needs JavaScript" in note.inner_text()
    assert page.inner_text("#caption").startswith("Forward pass done: every box shows its value")
    assert page.eval_on_selector_all(".frame:not([hidden])", "fs => fs.length") == 1  # runs without JS: DOM only
    assert page.is_visible(".frame[data-step='0']") and page.is_hidden(".frame[data-step='1']")
    for control in ("#prev", "#next", "#play", "#slider", "#predict", "#projector", "#quiz"):
        assert page.is_hidden(control), f"{control} would do nothing without JavaScript"
    context.close()
    opened = Opened(browser, example_page)  # with JavaScript: no note, the controls are there
    assert opened.page.is_hidden("p.noscript") and opened.page.is_visible("#next")


# -- pages that fit a projector: text large enough, boxes that never move ------------------------

BOX_RECTS = """() => Object.fromEntries(Array.from(document.querySelectorAll('.frame:not([hidden]) g.node'))
    .filter(g => g.querySelector('title').textContent.startsWith('v'))
    .map(g => [g.querySelector('title').textContent,
               g.querySelector('polygon, path').getBoundingClientRect().toJSON()]))"""
NODE_TEXT_PX = """() => Math.min(...Array.from(document.querySelectorAll('.frame:not([hidden]) g.node'))
    .filter(g => g.querySelector('title').textContent.startsWith('v')).map(g => g.querySelector('text'))
    .map(t => parseFloat(t.getAttribute('font-size')) * t.getScreenCTM().a))"""  # a value's name, in CSS px


def readme_neuron() -> Value:
    """The README's neuron o = tanh(x1*w1 + x2*w2 + b), as bench_pages.py builds it."""
    root = demo_neuron()
    root.parents[0].label, root.label = "n", "o"
    return root


@pytest.mark.parametrize(("build", "least"), [(readme_neuron, 24), (small_mlp, 14)])
def test_projector_text_is_large_enough_and_no_box_ever_moves(
    browser: Any, tmp_path: Path, build: Callable[[], Value], least: float
) -> None:
    if shutil.which("dot") is None:
        _missing("Graphviz's dot", "apt-get install graphviz")
    path = backward_page(build(), tmp_path / "steps.html").path or tmp_path
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(path.as_uri())
    page.keyboard.press("p")
    first = page.evaluate(BOX_RECTS)
    frames = int(page.get_attribute("#slider", "max") or "0") + 1
    for frame in range(frames):
        page.fill("#slider", str(frame))
        assert page.evaluate(BOX_RECTS) == first, f"frame {frame}: a box moved or changed its size"
        assert page.evaluate(NODE_TEXT_PX) >= least
    graph_top = page.evaluate(  # the drawing's first box or cluster outline (a neuron's frame sits above its boxes)
        """() => Math.min(...Array.from(document.querySelectorAll(
            '.frame:not([hidden]) g.node, .frame:not([hidden]) g.cluster')).map(g => g.getBoundingClientRect().top))"""
    )
    caption_bottom = page.evaluate("() => document.getElementById('caption').getBoundingClientRect().bottom")
    assert graph_top - caption_bottom < 0.05 * 1080  # no empty band: the drawing sits right under the caption
    page.close()


def test_a_model_page_names_parameters_briefly_in_their_neurons_box(browser: Any, tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        _missing("Graphviz's dot", "apt-get install graphviz")
    opened = Opened(browser, backward_page(small_mlp(), tmp_path / "steps.html").path or tmp_path)
    texts = "ts => ts.map(t => t.textContent)"
    clusters = opened.page.eval_on_selector_all(".frame:not([hidden]) g.cluster text", texts)
    assert sorted(clusters) == ["layers.0.neurons.0", "layers.0.neurons.1", "layers.1.neurons.0"]
    names = set(opened.texts())
    assert {"L0N0.w0", "L0N0.w1", "L0N0.b", "L1N0.b"} <= names
    assert not any(text.startswith("layers.0.neurons.0.") for text in names)
    opened.page.fill("#slider", "2")
    assert "layers." not in opened.caption() and "L1N0." in opened.caption()
    opened.assert_offline()
