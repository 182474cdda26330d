"""One self-contained HTML page that plays the backward pass step by step.

The page holds every frame as inline SVG, a caption per frame, Previous / Next / Play buttons,
a step slider and the left/right arrow keys. Projector mode (the P key, or its button) draws the
graph as wide as the window and the caption in large type, for the back of a lecture room. Predict
mode (the K key, or its button) asks, before each step is shown, for the gradients its caption will
state, checks each typed number (relative tolerance 1e-3), answers with the chain-rule line that
gives it, and keeps a score. The
page loads nothing from the network, so it works offline, from a file, in any modern browser,
and inline in Jupyter.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path
from string import Template

from ..numeric import short_number

#: The fastest and slowest a page plays, in milliseconds between frames. A browser's timer takes at
#: most 2**31 - 1 ms and fires at once beyond that, playing every frame together; a minute per
#: frame is already slower than anyone watches.
MIN_INTERVAL_MS = 10
MAX_INTERVAL_MS = 60_000

_PAGE = Template("""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>$title</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 1.5rem; color: #222; background: #fafafa; }
  h1 { font-size: 1.3rem; margin: 0 0 .8rem; }
  .controls { display: flex; gap: .5rem; align-items: center; flex-wrap: wrap; margin-bottom: .6rem; }
  button { font-size: 1rem; padding: .35rem .9rem; border-radius: 6px; border: 1px solid #888; background: #fff; }
  button:disabled { opacity: .4; }
  button[aria-pressed=true] { background: #333; color: #fff; }
  input[type=range] { flex: 1; min-width: 12rem; }
  #counter { font-variant-numeric: tabular-nums; min-width: 7rem; }
  #caption { font-family: ui-monospace, monospace; font-size: 1.05rem; background: #fff; border: 1px solid #ddd;
             border-radius: 6px; padding: .6rem .8rem; white-space: pre-wrap; min-height: 3.2em; margin: 0 0 .8rem; }
  .frame svg { max-width: 100%; height: auto; }
  .hint { color: #666; font-size: .9rem; max-width: 60rem; }
  /* Projector mode: the graph fills the window's width (and what height is left), large type. */
  body.projector { margin: 0; padding: .6rem 1.2rem; height: 100vh; box-sizing: border-box;
                   display: flex; flex-direction: column; }
  body.projector h1, body.projector .hint { display: none; }
  body.projector button, body.projector #counter { font-size: 1.5rem; }
  body.projector #caption { font-size: clamp(1.2rem, 1.9vw, 3.2rem); font-weight: 600; min-height: 2.4em; }
  body.projector .frame:not([hidden]) { flex: 1; min-height: 0; }
  body.projector .frame svg { width: 100%; height: 100%; max-width: none; }
  #quiz { background: #fffbe6; border: 1px solid #e0c96b; border-radius: 6px; padding: .6rem .8rem; margin: 0 0 .8rem; }
  #quiz label { display: block; font-family: ui-monospace, monospace; margin: .25rem 0; }
  #quiz input { font: inherit; width: 9rem; margin-left: .4rem; }
  #feedback { font-family: ui-monospace, monospace; white-space: pre-wrap; margin: 0 0 .8rem; }
  #feedback .right { color: #1a7f37; }
  #feedback .wrong { color: #b3261e; }
  #score { font-variant-numeric: tabular-nums; font-weight: 600; }
</style>
</head>
<body>
<h1>$title</h1>
<div class="controls">
  <button id="prev" type="button">&#9664; Previous</button>
  <button id="play" type="button">&#9654; Play</button>
  <button id="next" type="button">Next &#9654;</button>
  <input id="slider" type="range" min="0" max="$last" value="0" aria-label="step">
  <span id="counter"></span>
  <button id="projector" type="button" aria-pressed="false" title="Projector mode (P)">Projector</button>
  <button id="predict" type="button" aria-pressed="false" title="Predict mode (K)">Predict</button>
  <span id="score" hidden></span>
</div>
<form id="quiz" hidden>
  <div id="questions"></div>
  <button id="check" type="submit">Check &amp; show step</button>
</form>
<div id="feedback" aria-live="polite" hidden></div>
<pre id="caption" aria-live="polite"></pre>
$frames
<p class="hint">Keys: &larr; and &rarr; step back and forth; P switches projector mode (the graph as wide
as the window, large type); K switches predict mode: before each step is shown, type the gradients
its caption will state (Enter checks them and shows the step), and the page says whether each is
right (to a relative 0.1%), with the chain-rule product that gives it, and keeps the score.
Values are filled in from the start. A box shows a gradient from the
step whose caption states it. Every operation sends one contribution back along each edge into it,
and a value used by several operations adds them up: until the last one arrives, its box is dashed
purple and says &ldquo;partial: i of k&rdquo;; with the last one the sum is final and never changes. Each
share is added once, where the paths meet, instead of walking every path from $output again: that
is what makes backward fast. In the captions, d$output/dx is a gradient (the whole way from the
output $output back to x) and &part;y/&part;x the local derivative of one operation.</p>
<script>
(function () {
  const frames = Array.from(document.querySelectorAll(".frame"));
  const slider = document.getElementById("slider");
  const caption = document.getElementById("caption");
  const counter = document.getElementById("counter");
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  const play = document.getElementById("play");
  const projector = document.getElementById("projector");
  const predict = document.getElementById("predict");
  const score = document.getElementById("score");
  const quiz = document.getElementById("quiz");
  const questions = document.getElementById("questions");
  const feedback = document.getElementById("feedback");
  let current = 0;
  let timer = null;
  let predicting = false;
  let right = 0;
  let asked = 0;
  function expected(frame) { return JSON.parse(frame.dataset.predict || "[]"); }
  function closeQuiz() { quiz.hidden = true; questions.replaceChildren(); }
  function show(i) {
    closeQuiz();
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach((frame, k) => { frame.hidden = k !== current; });
    slider.value = current;
    caption.textContent = frames[current].dataset.caption;
    counter.textContent = "Step " + current + " of " + (frames.length - 1);
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    if (timer !== null && current === frames.length - 1) { stop(); }
  }
  // Predict mode: Next first asks for what the next step's caption will state.
  function forward() {
    if (!predicting || !quiz.hidden || current === frames.length - 1) {
      if (!quiz.hidden) { check(); } else { show(current + 1); }
      return;
    }
    const wanted = expected(frames[current + 1]);
    feedback.hidden = true;
    if (wanted.length === 0) { show(current + 1); return; }
    wanted.forEach((item, k) => {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "text";
      box.inputMode = "decimal";
      box.autocomplete = "off";
      box.dataset.index = String(k);
      label.append(item.prompt + " =", box);
      questions.append(label);
    });
    quiz.hidden = false;
    questions.querySelector("input").focus();
  }
  function near(typed, value) {
    const want = Number(value);
    if (!Number.isFinite(want)) { return Object.is(typed, want) || (Number.isNaN(typed) && Number.isNaN(want)); }
    return Math.abs(typed - want) <= Math.max(1e-9, 1e-3 * Math.abs(want));
  }
  function check() {
    const wanted = expected(frames[current + 1]);
    const boxes = Array.from(questions.querySelectorAll("input"));
    feedback.replaceChildren();
    wanted.forEach((item, k) => {
      const text = boxes[k].value.trim();
      const typed = text === "" ? NaN : Number(text);
      const ok = near(typed, item.value);
      const line = document.createElement("div");
      line.className = ok ? "right" : "wrong";
      line.textContent = ok
        ? "right: " + item.prompt + " = " + item.shown
        : "not quite (you typed " + (text === "" ? "nothing" : text) + "): " + item.line;
      feedback.append(line);
      asked += 1;
      if (ok) { right += 1; }
    });
    score.textContent = "score: " + right + " of " + asked;
    feedback.hidden = false;
    show(current + 1);
  }
  function togglePredict() {
    predicting = !predicting;
    predict.setAttribute("aria-pressed", String(predicting));
    score.hidden = !predicting;
    score.textContent = "score: " + right + " of " + asked;
    play.disabled = predicting;
    if (predicting && timer !== null) { stop(); }
    if (!predicting) { closeQuiz(); feedback.hidden = true; }
  }
  predict.addEventListener("click", togglePredict);
  quiz.addEventListener("submit", (event) => { event.preventDefault(); check(); });
  function stop() { clearInterval(timer); timer = null; play.innerHTML = "&#9654; Play"; }
  function start() {
    if (current === frames.length - 1) { show(0); }
    timer = setInterval(() => show(current + 1), $interval);
    play.innerHTML = "&#10074;&#10074; Pause";
  }
  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", forward);
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  slider.addEventListener("input", () => show(Number(slider.value)));
  function toggleProjector() {
    const on = document.body.classList.toggle("projector");
    projector.setAttribute("aria-pressed", String(on));
  }
  projector.addEventListener("click", toggleProjector);
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.target instanceof HTMLInputElement && event.target.type === "text") { return; }  // typing an answer
    if (event.key === "ArrowRight") { forward(); event.preventDefault(); }
    if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
    if (event.key === "p" || event.key === "P") { toggleProjector(); event.preventDefault(); }
    if (event.key === "k" || event.key === "K") { togglePredict(); event.preventDefault(); }
  });
  show(0);
})();
</script>
</body>
</html>
""")


@dataclass(frozen=True)
class Frame:
    """One picture of the page: an SVG drawing, its caption, and the node it is about."""

    svg: str
    caption: str
    current: str  # the name of the highlighted node ("" for none)
    predictions: tuple[Prediction, ...] = ()  # what predict mode asks before showing this frame


@dataclass(frozen=True)
class Prediction:
    """One gradient a frame's caption states, as predict mode asks for it."""

    prompt: str  # what the student is asked for, e.g. "dL/da"
    value: float  # the right answer
    line: str  # the caption line that gives it: the chain-rule product


def _predictions_json(predictions: tuple[Prediction, ...]) -> str:
    """The answers as JSON the page reads; numbers as text, so inf and nan survive (``Number()`` parses them).

    >>> _predictions_json((Prediction("df/dx", float("inf"), "df/dx = inf"),))
    '[{"prompt": "df/dx", "value": "Infinity", "shown": "inf", "line": "df/dx = inf"}]'
    """
    return json.dumps(
        [
            {"prompt": p.prompt, "value": _js_number(p.value), "shown": short_number(p.value), "line": p.line}
            for p in predictions
        ],
        ensure_ascii=False,
    )


def _js_number(value: float) -> str:
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    return repr(float(value))


def page_html(frames: list[Frame], title: str, interval_ms: int = 1200, *, output: str) -> str:
    """The whole page as one HTML string.

    Args:
        frames: the pictures, in order (at least one).
        title: the page heading.
        interval_ms: milliseconds between frames while playing, from MIN_INTERVAL_MS to MAX_INTERVAL_MS.
        output: the name of the output whose gradients the frames show, as the captions write it.

    >>> text = page_html([Frame("<svg></svg>", "a < b", "")], "Demo", output="f")
    >>> "a &lt; b" in text and "<svg></svg>" in text and "df/dx is a gradient" in text
    True
    """
    if not frames:
        raise ValueError("page_html needs at least one frame, got none")
    check_interval(interval_ms)
    blocks = "\n".join(
        f'<div class="frame" data-step="{i}" data-current="{html.escape(frame.current)}" '
        f'data-caption="{html.escape(frame.caption)}" '
        f'data-predict="{html.escape(_predictions_json(frame.predictions))}"'
        f"{' hidden' if i else ''}>\n{_strip_xml_header(frame.svg)}\n</div>"
        for i, frame in enumerate(frames)
    )
    return _PAGE.substitute(
        title=html.escape(title), frames=blocks, last=len(frames) - 1, interval=interval_ms, output=html.escape(output)
    )


def check_interval(interval_ms: object) -> None:
    """Refuse an ``interval_ms`` that is not a whole number of milliseconds from MIN_INTERVAL_MS to MAX_INTERVAL_MS.

    >>> check_interval(2**31)
    Traceback (most recent call last):
    ...
    ValueError: interval_ms must be a whole number of milliseconds from 10 to 60,000, got 2147483648
    """
    if (
        isinstance(interval_ms, bool)
        or not isinstance(interval_ms, int)
        or not MIN_INTERVAL_MS <= interval_ms <= MAX_INTERVAL_MS
    ):
        raise ValueError(
            f"interval_ms must be a whole number of milliseconds from {MIN_INTERVAL_MS} to {MAX_INTERVAL_MS:,}, "
            f"got {interval_ms!r}"
        )


def _strip_xml_header(svg: str) -> str:
    """Inline SVG must not carry the XML declaration or DOCTYPE that files have."""
    start = svg.find("<svg")
    return svg[start:] if start >= 0 else svg


@dataclass(frozen=True)
class StepPage:
    """A written page: shows inline in Jupyter, and knows where its file is."""

    html: str
    path: Path | None

    def _repr_html_(self) -> str:
        # An iframe keeps the page's script and styles apart from the notebook's.
        return (
            f'<iframe srcdoc="{html.escape(self.html)}" style="width:100%;height:640px;border:1px solid #ddd"></iframe>'
        )

    def save(self, path: str | Path) -> Path:
        """Write the page to ``path`` (UTF-8) and return that path.

        >>> import tempfile, pathlib
        >>> page = StepPage(html="<!doctype html><title>steps</title>", path=None)
        >>> folder = pathlib.Path(tempfile.mkdtemp())
        >>> page.save(folder / "steps.html").read_text(encoding="utf-8")
        '<!doctype html><title>steps</title>'
        """
        target = Path(path)
        target.write_text(self.html, encoding="utf-8")
        return target
