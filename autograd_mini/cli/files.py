"""The files the commands write: the graph's drawing, the step-by-step page, and their folders.

Every file is written whole or not at all (``fileio.write_whole``): a full disk or Ctrl-C leaves
the old file or none, never half a page. Every failure (Graphviz missing, a graph too large, a
folder that cannot be written, a full disk, a folder where a file should go) is a CommandError
with a hint, as for any other user mistake.
"""

from __future__ import annotations

import errno
import tempfile
from collections.abc import Iterable
from pathlib import Path

from .. import fileio
from ..engine import Value
from .common import CommandError

#: File types ``grad --draw`` can write.
DRAW_FORMATS = (".svg", ".png", ".pdf", ".dot")

_NO_GRAPHVIZ = "Graphviz's dot program is not installed, so the graph cannot be rendered"
_DOT_FAILED = "write the DOT source instead (--draw graph.dot) and look at it, or draw a smaller expression"
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
    return write(path, graph_bytes(root, path.suffix), "another --out")


def write_steps(root: Value, path: Path) -> Path:
    """Write the step-by-step page of ``root``'s backward pass (``backward_page``; needs Graphviz's ``dot``).

    Raises:
        CommandError: the graph is too large for a page, or the file cannot be written.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> write_steps(Value(2.0, label="x") * 3, folder / "steps.html").stat().st_size > 1000
    True
    """
    return write(path, page_bytes(root), "another --out")


def check_draw_path(path: Path | None) -> None:
    """Refuse a --draw file type we cannot write before computing anything."""
    if path is not None and path.suffix.lower() not in DRAW_FORMATS:
        raise CommandError(
            f"cannot draw to {str(path)!r}: unknown file type {path.suffix or '(none)'!r}",
            f"use one of {' '.join(DRAW_FORMATS)}, e.g. --draw graph.svg",
        )


def graph_bytes(root: Value, suffix: str) -> bytes:
    """The drawing of ``root`` as a file of type ``suffix``: DOT source, or rendered by Graphviz."""
    from ..show.viz import GraphvizFailedError, GraphvizNotFoundError, draw  # here: only drawing needs Graphviz

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
    except GraphvizFailedError as failed:
        raise CommandError(str(failed), _DOT_FAILED) from None
    return picture


def page_bytes(root: Value) -> bytes:
    """The step-by-step page of ``root``'s backward pass, as HTML."""
    from ..show.frames import backward_page  # here, not at the top: only the step page needs it
    from ..show.viz import GraphvizFailedError, GraphvizNotFoundError

    try:
        page = backward_page(root)
    except ValueError as error:
        raise CommandError(str(error), "play a smaller expression") from None
    except GraphvizNotFoundError:
        raise CommandError(_NO_GRAPHVIZ, _INSTALL_GRAPHVIZ) from None
    except GraphvizFailedError as failed:
        raise CommandError(str(failed), "play a smaller expression") from None
    return page.html.encode("utf-8")


def write(path: Path, content: bytes, instead: str = "another path") -> Path:
    """Write ``content`` to ``path`` whole or not at all, making its folder; a failure is a CommandError.

    ``instead`` is what the hint of a failure offers to choose instead, e.g. "another --out".
    """
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        return fileio.write_whole(path, content)
    except OSError as error:
        raise cannot_write(error, instead) from None


def make_folder(folder: Path, names: Iterable[str]) -> None:
    """Make the output folder, and check it can take the files ``names``, before any work.

    So a bad --out fails at once, not after minutes of training: the folder cannot be made or
    written to, or one of the names is taken by a folder (or another thing that is not a file).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise CommandError(
            f"cannot make the folder {str(folder)!r}: {error.strerror or error}", _hint(error.errno, "another --out")
        ) from None
    for name in names:
        path = folder / name
        if path.exists() and not path.is_file():  # both follow a symbolic link, as writing does
            raise CommandError(
                f"cannot write {str(path)!r}: it exists and is not a file", "move it away, or choose another --out"
            )
    try:
        with tempfile.TemporaryFile(dir=folder):  # can a file be made there?
            pass
    except OSError as error:
        raise CommandError(
            f"cannot write into the folder {str(folder)!r}: {error.strerror or error}",
            _hint(error.errno, "another --out"),
        ) from None


def cannot_write(error: OSError, instead: str) -> CommandError:
    """The CommandError for an OSError from writing a file: the path, what went wrong, and what to do.

    Args:
        error: the failure, naming the path (as ``fileio.write_whole``'s errors do).
        instead: what the hint offers to choose instead, e.g. "another --out".

    >>> print(cannot_write(OSError(errno.ENOSPC, "No space left on device", "run/model.json"), "another --out"))
    cannot write 'run/model.json': No space left on device
    """
    return CommandError(f"cannot write {error.filename!r}: {error.strerror or error}", _hint(error.errno, instead))


_HINTS = {
    errno.ENOSPC: "the disk is full: free some space, or choose {instead}",
    errno.EDQUOT: "the disk quota is used up: free some space, or choose {instead}",
    errno.EACCES: "you may not write there: choose {instead}",
    errno.EPERM: "you may not write there: choose {instead}",
    errno.EROFS: "that file system is read-only: choose {instead}",
    errno.EISDIR: "a folder has that name: move it away, or choose {instead}",
    errno.ENOTDIR: "part of the path is a file, not a folder: choose {instead}",
    errno.EEXIST: "a file has the name the folder needs: choose {instead}",
    errno.ENAMETOOLONG: "the name is too long: choose {instead}",
}


def _hint(code: int | None, instead: str) -> str:
    return _HINTS.get(code or 0, "choose {instead}").format(instead=instead)
