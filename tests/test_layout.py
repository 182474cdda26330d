"""The package's layout: the layers stay apart, the old names stay importable, the README's table stays true."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

import pytest

import autograd_mini

PACKAGE = Path(autograd_mini.__file__).parent
ROOT = PACKAGE.parent

# autograd_mini.__all__ before the package was split into layers (written out, not read from the code).
NAMES_BEFORE = """MLP SGD Adam ExpressionError History Layer Module Neuron StepDecay Value accuracy backward_cost
backward_frames backward_page binary_cross_entropy cos count_paths cross_entropy datasets detect_anomaly draw exp
explain fit grad grad_by_paths gradcheck gradients hessian hinge load log losses mse nn no_grad numeric_grad optim
parse path_sum_cost predict relu save secant_slopes sigmoid sin sqrt sse tanh topological_order trace_backward
value_and_grad""".split()  # noqa: SIM905

CORE = ("engine", "rules", "functional", "modes", "collector", "numeric")


def test_every_name_exported_before_the_split_is_still_exported() -> None:
    missing = [name for name in NAMES_BEFORE if name not in autograd_mini.__all__]
    assert missing == []


@pytest.mark.parametrize("name", ["viz", "frames", "page", "expr", "plots"])
def test_the_moved_modules_are_still_reachable_by_their_old_names(name: str) -> None:
    module = getattr(autograd_mini, name)
    assert module.__name__ in (f"autograd_mini.show.{name}", f"autograd_mini.cli.{name}")
    with pytest.raises(AttributeError, match="no attribute 'plot'"):
        autograd_mini.plot  # noqa: B018 -- a typo is still an error


def _top_level_imports(path: Path) -> set[str]:
    """The package-relative modules that ``path`` imports when it is loaded (not inside functions)."""
    found = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level > 0:
            found.update([node.module] if node.module else [alias.name for alias in node.names])
    return found


@pytest.mark.parametrize("module", CORE)
def test_the_core_imports_only_the_core(module: str) -> None:
    outside = _top_level_imports(PACKAGE / f"{module}.py") - set(CORE)
    assert outside == set(), f"{module}.py imports {outside} when it loads"


def test_the_engine_fits_on_a_few_slides() -> None:
    lines = (PACKAGE / "engine.py").read_text(encoding="utf-8").count("\n")
    assert lines <= 350, f"engine.py has {lines} lines"


def test_the_pytest_hook_does_not_ship_in_the_package() -> None:
    assert not (PACKAGE / "conftest.py").exists()
    assert (ROOT / "conftest.py").exists()


def test_the_readme_layout_table_names_every_module() -> None:
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.name in ("__init__.py", "__main__.py") and relative.parent == Path():
            continue
        assert relative.name in table, f"the README's layout table does not mention {relative}"


def test_every_module_imports_on_its_own() -> None:
    for path in sorted(set(PACKAGE.rglob("*.py")) - {PACKAGE / "__main__.py"}):  # __main__ runs the CLI
        name = ".".join(("autograd_mini", *path.relative_to(PACKAGE).with_suffix("").parts)).removesuffix(".__init__")
        importlib.import_module(name)
