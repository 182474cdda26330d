"""Fixtures shared by the test modules."""

from __future__ import annotations

import os
import shutil

import pytest


@pytest.fixture
def dot() -> str:
    """Graphviz's dot: required in CI (CI=true), skipped with a reason elsewhere."""
    path = shutil.which("dot")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Graphviz's dot is not installed; .ci/run installs it (apt-get install graphviz)")
        pytest.skip("Graphviz's dot is not installed (Debian/Ubuntu: apt-get install graphviz)")
    return path
