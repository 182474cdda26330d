"""The public API shows an example in its docstring: what ``autograd_mini.__all__`` exports.

That is every exported function and class, the public methods of exported classes (inherited ones
included), and the same for the public names of exported modules (``autograd_mini.losses``, ...).
Record types, protocols and exceptions are exempt: their fields are documented, there is nothing to run.
The examples themselves run as doctests (``--doctest-modules`` in pyproject.toml); this module checks
that none is missing, so a new public function cannot arrive without one.
"""

from __future__ import annotations

import dataclasses
import inspect
import types
from collections.abc import Iterator
from typing import Any, NamedTuple

import pytest

import autograd_mini


def _is_record(cls: type) -> bool:
    """Plain data holders and interfaces: their fields are documented, there is nothing to run."""
    named_tuple = issubclass(cls, tuple) and hasattr(cls, "_fields")
    protocol = bool(getattr(cls, "_is_protocol", False))
    return dataclasses.is_dataclass(cls) or named_tuple or protocol or issubclass(cls, Exception)


def _exported(module: types.ModuleType) -> list[str]:
    """The module's ``__all__``, or else the public names defined in it (not those it imports)."""
    if hasattr(module, "__all__"):
        return list(module.__all__)
    return [
        name
        for name, obj in vars(module).items()
        if not name.startswith("_") and getattr(obj, "__module__", None) == module.__name__
    ]


def _methods(cls: type) -> Iterator[tuple[str, Any]]:
    """The public methods and properties of a class, its own and inherited (not object's), and ``__call__``."""
    seen: set[str] = set()
    for klass in cls.__mro__[:-1]:  # the last is object
        for name, member in vars(klass).items():
            if name in seen or (name.startswith("_") and name != "__call__"):
                continue
            seen.add(name)
            function = member.fget if isinstance(member, property) else member
            if inspect.isfunction(function):
                yield name, function


def public_api(module: types.ModuleType, prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(name, object) for everything ``module`` exports that should carry an example.

    Exported modules come last, so an object exported both ways is met first by its shorter name.
    """
    names = _exported(module)
    for name in names:
        obj = getattr(module, name)
        if inspect.isfunction(obj):
            yield f"{prefix}{name}", obj
        elif inspect.isclass(obj) and not _is_record(obj):
            yield f"{prefix}{name}", obj
            for method_name, method in _methods(obj):
                yield f"{prefix}{name}.{method_name}", method
    for name in names:
        obj = getattr(module, name)
        if inspect.ismodule(obj):
            yield from public_api(obj, f"{prefix}{name}.")


def by_first_name(module: types.ModuleType) -> dict[str, Any]:
    """``public_api(module)`` with each object once, under the first name it is found by.

    ``autograd_mini.MLP`` is also ``autograd_mini.nn.MLP``, and SGD and Adam share Optimizer's ``step``.
    """
    first: dict[int, tuple[str, Any]] = {}
    for name, obj in public_api(module):
        first.setdefault(id(obj), (name, obj))
    return dict(first.values())


def has_example(obj: Any) -> bool:
    return ">>>" in (obj.__doc__ or "")


def missing_examples(module: types.ModuleType) -> list[str]:
    """The names in ``by_first_name(module)`` whose docstring has no ``>>>`` example."""
    return [name for name, obj in by_first_name(module).items() if not has_example(obj)]


PUBLIC = by_first_name(autograd_mini)


def test_the_walk_finds_the_public_api() -> None:
    for name in ("Value", "Value.backward", "Value.tanh", "gradcheck", "MLP", "SGD.step", "datasets.make_moons"):
        assert name in PUBLIC
    assert "nn.MLP" not in PUBLIC and "losses.sse" not in PUBLIC  # the same objects as MLP and sse
    assert "teach.two_path_example" not in PUBLIC and "two_path_example" not in PUBLIC  # not exported


def test_the_checker_flags_public_functions_and_methods_without_an_example() -> None:
    def shown() -> None:
        """Has one.

        >>> shown()
        """

    def bare() -> None:
        """No example."""

    def unexported() -> None:
        """Not in __all__: no example needed."""

    def bare_in_a_module() -> None:
        """An exported module exports it: needs an example."""

    class Base:
        def step(self) -> None:
            """Inherited by Tool, so part of Tool's API."""

    class Tool(Base):
        """A tool.

        >>> Tool().run()
        """

        def run(self) -> None:
            """Has one.

            >>> Tool().run()
            """

        def _helper(self) -> None:
            """Private: no example needed."""

    class Point(NamedTuple):
        """A record: exempt."""

        x: float

    inner = types.ModuleType("fake.inner")
    inner.__dict__.update(bare=bare, also_bare=bare_in_a_module, unexported=unexported, __all__=["bare", "also_bare"])
    fake = types.ModuleType("fake")
    fake.__dict__.update(shown=shown, bare=bare, unexported=unexported, Tool=Tool, Point=Point, inner=inner, Base=Base)
    fake.__all__ = ["shown", "bare", "Tool", "Point", "inner"]
    assert missing_examples(fake) == ["bare", "Tool.step", "inner.also_bare"]  # inner.bare is bare: listed once


def mirrors_a_method(name: str, obj: Any) -> bool:
    """A module function such as ``relu(x)`` that only applies the Value method of its name.

    ``relu(-2.0), relu(3)`` would teach nothing that ``Value.relu``'s example does not; ``exp``
    keeps one example to show that these functions take plain numbers as well as Values.
    """
    return getattr(obj, "__module__", "") == "autograd_mini.functional" and inspect.isfunction(
        getattr(autograd_mini.Value, name, None)
    )


def test_only_the_primitive_functions_count_as_mirrors() -> None:
    mirrors = sorted(name for name, obj in PUBLIC.items() if mirrors_a_method(name, obj))
    assert mirrors == ["cos", "exp", "log", "relu", "sigmoid", "sin", "sqrt", "tanh"]
    assert has_example(PUBLIC["exp"])


@pytest.mark.parametrize("name", sorted(name for name, obj in PUBLIC.items() if not mirrors_a_method(name, obj)))
def test_has_a_doctest_example(name: str) -> None:
    assert has_example(PUBLIC[name]), f"{name} has no example in its docstring"
