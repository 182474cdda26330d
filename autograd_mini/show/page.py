"""One self-contained HTML page that plays the backward pass step by step.

The page holds every frame as inline SVG, a caption per frame, Previous / Next / Play buttons,
a step slider and the left/right arrow keys. It loads nothing from the network, so it works
offline, from a file, in any modern browser, and inline in Jupyter.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from pathlib import Path
from string import Template

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
  input[type=range] { flex: 1; min-width: 12rem; }
  #counter { font-variant-numeric: tabular-nums; min-width: 7rem; }
  #caption { font-family: ui-monospace, monospace; font-size: 1.05rem; background: #fff; border: 1px solid #ddd;
             border-radius: 6px; padding: .6rem .8rem; white-space: pre-wrap; min-height: 3.2em; margin: 0 0 .8rem; }
  .frame svg { max-width: 100%; height: auto; }
  .hint { color: #666; font-size: .9rem; }
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
</div>
<pre id="caption" aria-live="polite"></pre>
$frames
<p class="hint">Keys: &larr; and &rarr; step back and forth. Values are filled in from the start;
a gradient appears once every path above it has reported. In the captions, dL/dx is a gradient
(the whole way from the output L back to x) and &part;y/&part;x the local derivative of one operation.</p>
<script>
(function () {
  const frames = Array.from(document.querySelectorAll(".frame"));
  const slider = document.getElementById("slider");
  const caption = document.getElementById("caption");
  const counter = document.getElementById("counter");
  const prev = document.getElementById("prev");
  const next = document.getElementById("next");
  const play = document.getElementById("play");
  let current = 0;
  let timer = null;
  function show(i) {
    current = Math.max(0, Math.min(frames.length - 1, i));
    frames.forEach((frame, k) => { frame.hidden = k !== current; });
    slider.value = current;
    caption.textContent = frames[current].dataset.caption;
    counter.textContent = "Step " + current + " of " + (frames.length - 1);
    prev.disabled = current === 0;
    next.disabled = current === frames.length - 1;
    if (timer !== null && current === frames.length - 1) { stop(); }
  }
  function stop() { clearInterval(timer); timer = null; play.innerHTML = "&#9654; Play"; }
  function start() {
    if (current === frames.length - 1) { show(0); }
    timer = setInterval(() => show(current + 1), $interval);
    play.innerHTML = "&#10074;&#10074; Pause";
  }
  prev.addEventListener("click", () => show(current - 1));
  next.addEventListener("click", () => show(current + 1));
  play.addEventListener("click", () => (timer === null ? start() : stop()));
  slider.addEventListener("input", () => show(Number(slider.value)));
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { show(current + 1); event.preventDefault(); }
    if (event.key === "ArrowLeft") { show(current - 1); event.preventDefault(); }
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


def page_html(frames: list[Frame], title: str, interval_ms: int = 1200) -> str:
    """The whole page as one HTML string.

    Args:
        frames: the pictures, in order (at least one).
        title: the page heading.
        interval_ms: milliseconds between frames while playing, from MIN_INTERVAL_MS to MAX_INTERVAL_MS.

    >>> text = page_html([Frame("<svg></svg>", "a < b", "")], "Demo")
    >>> "a &lt; b" in text and "<svg></svg>" in text
    True
    """
    if not frames:
        raise ValueError("page_html needs at least one frame, got none")
    check_interval(interval_ms)
    blocks = "\n".join(
        f'<div class="frame" data-step="{i}" data-current="{html.escape(frame.current)}" '
        f'data-caption="{html.escape(frame.caption)}"{" hidden" if i else ""}>\n{_strip_xml_header(frame.svg)}\n</div>'
        for i, frame in enumerate(frames)
    )
    return _PAGE.substitute(title=html.escape(title), frames=blocks, last=len(frames) - 1, interval=interval_ms)


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
