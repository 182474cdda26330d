"""The files the commands write: the graph's drawing, the step-by-step page, and their folders.

Every failure (Graphviz missing, a graph too large, a folder that cannot be written) is a
CommandError with a hint, as for any other user mistake.
"""

from __future__ import annotations

from pathlib import Path

from ..engine import Value
from .common import CommandError

#: File types ``grad --draw`` can write.
DRAW_FORMATS = (".svg", ".png", ".pdf", ".dot")

_NO_GRAPHVIZ = "Graphviz's dot program is not installed, so the graph cannot be rendered"
_INSTALL_GRAPHVIZ = "install Graphviz (Debian/Ubuntu: sudo apt-get install graphviz; macOS: brew install graphviz)"


def write_drawing(root: Value, path: Path) -> Path:
    """Draw the graph of ``root`` into ``path``: the DOT source for .dot, else rendered by Graphviz.

    Args:
        root: the output whose graph is drawn.
        path: the file to write; its suffix (.svg .png .pdf .dot) picks the format.

    Returns:
        ``path``.

    Raises:
        CommandError: an unknown suffix, a graph too large to draw, Graphviz missing, or a folder
            that cannot be written.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> path = write_drawing(Value(2.0, label="x") * 3, folder / "graph.dot")
    >>> path.read_text(encoding="utf-8").startswith("digraph")
    True
    """
    check_draw_path(path)
    return write(path, graph_bytes(root, path.suffix))


def write_steps(root: Value, path: Path) -> Path:
    """Write the step-by-step page of ``root``'s backward pass (``backward_page``; needs Graphviz's ``dot``).

    Raises:
        CommandError: the graph is too large for a page, or the file cannot be written.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_steps(Value(2.0, label="x") * 3, folder / "steps.html").stat().st_size > 1000
    True
    """
    return write(path, page_bytes(root))


def check_draw_path(path: Path | None) -> None:
    """Refuse a --draw file type we cannot write before computing anything."""
    if path is not None and path.suffix.lower() not in DRAW_FORMATS:
        raise CommandError(
            f"cannot draw to {str(path)!r}: unknown file type {path.suffix or '(none)'!r}",
            f"use one of {' '.join(DRAW_FORMATS)}, e.g. --draw graph.svg",
        )


def graph_bytes(root: Value, suffix: str) -> bytes:
    """The drawing of ``root`` as a file of type ``suffix``: DOT source, or rendered by Graphviz."""
    from ..show.viz import GraphvizNotFoundError, draw  # here, not at the top: only drawing needs Graphviz

    try:
        drawing = draw(root)
    except ValueError as error:
        raise CommandError(str(error), "draw a smaller expression") from None
    if suffix.lower() == ".dot":
        source: str = drawing.source
        return source.encode("utf-8")
    try:
        picture: bytes = drawing.pipe(format=suffix.lower()[1:])
    except GraphvizNotFoundError:
        raise CommandError(_NO_GRAPHVIZ, f"{_INSTALL_GRAPHVIZ}, or write the DOT source: --draw graph.dot") from None
    return picture


def page_bytes(root: Value) -> bytes:
    """The step-by-step page of ``root``'s backward pass, as HTML."""
    from ..show.frames import backward_page  # here, not at the top: only the step page needs it
    from ..show.viz import GraphvizNotFoundError

    try:
        page = backward_page(root)
    except ValueError as error:
        raise CommandError(str(error), "play a smaller expression") from None
    except GraphvizNotFoundError:
        raise CommandError(_NO_GRAPHVIZ, _INSTALL_GRAPHVIZ) from None
    return page.html.encode("utf-8")


def write(path: Path, content: bytes) -> Path:
    """Write ``content`` to ``path``, making its folder; a failure is a CommandError."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    except OSError as error:
        raise CommandError(f"cannot write {str(path)!r}: {error.strerror or error}", "check the folder") from None
    return path


def make_folder(folder: Path) -> None:
    """Make the output folder before any work, so a bad --out fails at once, not after minutes."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"cannot make the folder {str(folder)!r}: {error.strerror or error}", "choose another --out"
        ) from None
