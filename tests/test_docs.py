"""Every public function, class and method shows an example in its docstring.

The examples themselves run as doctests (``--doctest-modules`` in pyproject.toml); this module
checks that none is missing, so a new public function cannot arrive without one.
"""

from __future__ import annotations

import dataclasses
import importlib
import inspect
import pkgutil
from collections.abc import Iterator
from typing import Any

import pytest

import autograd_mini


def _is_record(cls: type) -> bool:
    """Plain data holders and interfaces: their fields are documented, there is nothing to run."""
    named_tuple = issubclass(cls, tuple) and hasattr(cls, "_fields")
    protocol = bool(getattr(cls, "_is_protocol", False))
    return dataclasses.is_dataclass(cls) or named_tuple or protocol or issubclass(cls, Exception)


def _public_callables() -> Iterator[tuple[str, Any]]:
    for info in pkgutil.iter_modules(autograd_mini.__path__):
        if info.name.startswith("_") or info.name == "conftest":  # pytest's hooks, not the API
            continue
        module = importlib.import_module(f"autograd_mini.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj):
                yield f"{info.name}.{name}", obj
            elif inspect.isclass(obj) and not _is_record(obj):
                yield f"{info.name}.{name}", obj
                for member_name, member in vars(obj).items():
                    if member_name.startswith("_") and member_name != "__call__":
                        continue
                    function = member.fget if isinstance(member, property) else member
                    if inspect.isfunction(function):
                        yield f"{info.name}.{name}.{member_name}", function


PUBLIC = dict(_public_callables())


def test_the_walk_finds_the_public_api() -> None:
    for name in ("engine.Value", "engine.Value.backward", "engine.Value.tanh", "teach.gradcheck", "nn.MLP"):
        assert name in PUBLIC


@pytest.mark.parametrize("name", sorted(PUBLIC))
def test_has_a_doctest_example(name: str) -> None:
    assert ">>>" in (PUBLIC[name].__doc__ or ""), f"{name} has no example in its docstring"
