"""One self-contained HTML page that plays the backward pass step by step.

The page holds every frame as inline SVG, a caption per frame, Previous / Next / Play buttons,
a step slider and the left/right arrow keys. Projector mode (the P key, or its button) draws the
graph as wide as the window and the caption in large type, for the back of a lecture room. Predict
mode (the K key, or its button) asks, before each step is shown, for the gradients its caption will
state, checks each typed number, answers with the chain-rule line that gives it, and keeps a score.
It reads and judges answers by the rules of ``teach.answers`` (the quiz's too): the page's
JavaScript follows them with the constants, patterns and messages written into the page from
there, so each is written once. A line that is not a number is not a miss: the page says why and
asks again. The page loads nothing from the network, so it works offline, from a file, in any
modern browser, and inline in Jupyter. Without JavaScript it says so, hides the controls that
would do nothing, and shows the first frame with its caption.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from .. import checks
from ..numeric import short_number
from ..teach.answers import REL_TOL, page_rules

#: The fastest and slowest a page plays, in milliseconds between frames. A browser's timer takes at
#: most 2**31 - 1 ms and fires at once beyond that, playing every frame together; a minute per
#: frame is already slower than anyone watches.
MIN_INTERVAL_MS = 10
MAX_INTERVAL_MS = 60_000

_ASSETS = resources.files(__package__) / "assets"


def _asset(name: str) -> str:
    """A file of the step page (assets/step_page.html, .css, .js), shipped as package data."""
    return (_ASSETS / name).read_text(encoding="utf-8")


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


def caption_shape(captions: list[str]) -> tuple[int, int]:
    """The room the captions need: the most lines of any, and the most characters of any line.

    The page keeps that room for every frame, so the drawing below never moves, and sizes the
    caption's type in projector mode so that its longest line fits the window's width.

    >>> caption_shape(["one line", "two\\nlines, the second longer"])
    (2, 24)
    """
    lines = [caption.splitlines() or [""] for caption in captions]
    return max(len(each) for each in lines), max(20, *(len(line) for each in lines for line in each))


def page_html(frames: list[Frame], title: str, interval_ms: int = 1200, *, output: str) -> str:
    """The whole page as one HTML string.

    Args:
        frames: the pictures, in order (at least one).
        title: the page heading.
        interval_ms: milliseconds between frames while playing, from MIN_INTERVAL_MS to MAX_INTERVAL_MS.
        output: the name of the output whose gradients the frames show, as the captions write it.

    >>> text = page_html([Frame("<svg></svg>", "a < b", "")], "Demo", output="f")
    >>> "a &lt; b" in text and "></svg>" in text and "df/dx is a gradient" in text
    True
    >>> '<pre id="caption" aria-live="polite">a &lt; b</pre>' in text   # shown without JavaScript too
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
    lines, chars = caption_shape([frame.caption for frame in frames])
    return Template(_asset("step_page.html")).substitute(
        title=html.escape(title),
        lines=lines,
        chars=chars,
        style=_asset("step_page.css"),
        script=_asset("step_page.js"),
        frames=blocks,
        last=len(frames) - 1,
        interval=interval_ms,
        output=html.escape(output),
        caption=html.escape(frames[0].caption),
        answers=html.escape(json.dumps(page_rules())),
        tolerance=f"{REL_TOL:.1%}",
    )


def check_interval(interval_ms: object) -> None:
    """Refuse an ``interval_ms`` that is not a whole number of milliseconds from MIN_INTERVAL_MS to MAX_INTERVAL_MS.

    >>> check_interval(2**31)
    Traceback (most recent call last):
    ...
    ValueError: interval_ms (milliseconds between frames) must be an int from 10 to 60,000, got 2147483648
    """
    checks.count(interval_ms, "interval_ms (milliseconds between frames)", least=MIN_INTERVAL_MS, most=MAX_INTERVAL_MS)


def _strip_xml_header(svg: str) -> str:
    """Inline SVG must not carry the XML declaration or DOCTYPE that files have.

    The drawing is also pinned to the top of its room (``xMidYMin``): scaled to fit a window wider
    than it is, it sits right under the caption, and what room is left stays below it.

    >>> _strip_xml_header('<?xml version="1.0"?>\\n<svg width="10pt">')
    '<svg preserveAspectRatio="xMidYMin meet" width="10pt">'
    """
    start = svg.find("<svg")
    if start < 0:
        return svg
    return '<svg preserveAspectRatio="xMidYMin meet"' + svg[start + len("<svg") :]


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
