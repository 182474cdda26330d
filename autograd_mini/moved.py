"""Old module paths that still import: ``autograd_mini.viz`` is ``autograd_mini.show.viz``, and so on.

The package installs one finder at the end of ``sys.meta_path``; Python asks it only for a module
that no real file provides, and it answers only for the paths in MOVED. Importing an old path
imports the module where it lives now and hands back that very module, so both names are one
object. Nothing is loaded before it is asked for.

>>> import importlib
>>> importlib.import_module("autograd_mini.cli.expr") is importlib.import_module("autograd_mini.expr")
True
"""

from __future__ import annotations

import importlib
import importlib.machinery
import sys
from collections.abc import Sequence
from types import ModuleType

#: Each old module path, and where that module lives now.
MOVED = {
    "autograd_mini.viz": "autograd_mini.show.viz",
    "autograd_mini.frames": "autograd_mini.show.frames",
    "autograd_mini.page": "autograd_mini.show.page",
    "autograd_mini.plots": "autograd_mini.show.plots",
    "autograd_mini.cli.expr": "autograd_mini.expr",
}


class MovedFinder:
    """Finds each old path of MOVED, and loads it as the module at its new path.

    A finder and loader by the methods Python calls (importlib.abc would cost an import of its own).
    """

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname not in MOVED:
            return None
        return importlib.machinery.ModuleSpec(fullname, self)  # type: ignore[arg-type]  # a Loader by its methods

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> None:
        return None  # a blank module, replaced by the real one in exec_module

    def exec_module(self, module: ModuleType) -> None:
        # Python returns whatever sys.modules holds under the name once this returns: the module itself.
        sys.modules[module.__name__] = importlib.import_module(MOVED[module.__name__])


def install() -> None:
    """Put the finder at the end of ``sys.meta_path``, once (importing the package again adds no second one)."""
    if not any(isinstance(finder, MovedFinder) for finder in sys.meta_path):
        sys.meta_path.append(MovedFinder())
