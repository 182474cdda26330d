"""pytest hooks for the doctests in this package (the package itself never imports this file).

A few examples draw with Graphviz's ``dot`` program; their docstrings say so with the words
"needs Graphviz's ``dot``". Without ``dot`` those examples are skipped with that reason, except in CI
(``CI`` set), where ``dot`` is required and a missing one must fail loudly. The examples of the
PyTorch bridge say "needs torch": they are skipped where torch is not installed, except in CI on
Python 3.11, where ``.ci/run`` installs it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import sys

import pytest
from _pytest.doctest import DoctestItem

NEEDS_DOT = "needs Graphviz's ``dot``"
NEEDS_TORCH = "needs torch"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    ci = bool(os.environ.get("CI"))
    missing = {
        NEEDS_DOT: None if shutil.which("dot") or ci else "Graphviz's dot is not installed (apt-get install graphviz)",
        NEEDS_TORCH: None
        if importlib.util.find_spec("torch") or (ci and sys.version_info[:2] == (3, 11))
        else "torch is not installed (pip install 'autograd-mini[torch]')",
    }
    for item in items:
        if not (isinstance(item, DoctestItem) and item.dtest is not None):
            continue
        for words, reason in missing.items():
            if reason and words in (item.dtest.docstring or ""):
                item.add_marker(pytest.mark.skip(reason=reason))
