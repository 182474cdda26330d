"""pytest hooks for the doctests in this package (the package itself never imports this file).

A few examples draw with Graphviz's ``dot`` program; their docstrings say so with the words
"needs Graphviz's ``dot``". Without ``dot`` those examples are skipped with that reason, except in CI
(``CI`` set), where ``dot`` is required and a missing one must fail loudly.
"""

from __future__ import annotations

import os
import shutil

import pytest
from _pytest.doctest import DoctestItem

NEEDS_DOT = "needs Graphviz's ``dot``"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if shutil.which("dot") or os.environ.get("CI"):
        return
    skip = pytest.mark.skip(reason="Graphviz's dot is not installed (apt-get install graphviz)")
    for item in items:
        if isinstance(item, DoctestItem) and item.dtest is not None and NEEDS_DOT in (item.dtest.docstring or ""):
            item.add_marker(skip)
