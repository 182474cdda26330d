"""One pause of Python's cyclic garbage collector, shared by backward, ``nn`` and ``fit``.

Building or walking a scalar graph makes many objects and no reference cycles, so the
collector's passes during it only rescan the growing graph. ``paused()`` turns it off for a
block and back on afterwards, and is safe to nest and to use from several threads at once:
a count of the blocks still inside, kept under a lock, says when the last one has left; the
collector comes back then, and only if it was on when the first one came in.

>>> import gc
>>> with paused():
...     with paused():        # nested, in this thread or another: still one pause
...         gc.isenabled()
False
>>> gc.isenabled()
True
"""

from __future__ import annotations

import contextlib
import gc
import threading
from collections.abc import Iterator

_lock = threading.Lock()
_inside = 0  # blocks inside paused() right now, over all threads
_was_on = False  # whether the collector was on when the first of them came in


@contextlib.contextmanager
def paused() -> Iterator[None]:
    """Pause the cyclic collector for the block; restore it when the last block leaves, even on an error."""
    global _inside, _was_on
    with _lock:
        if _inside == 0:
            _was_on = gc.isenabled()
            gc.disable()
        _inside += 1
    try:
        yield
    finally:
        with _lock:
            _inside -= 1
            if _inside == 0 and _was_on:
                gc.enable()
