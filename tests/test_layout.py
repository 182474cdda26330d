"""The package's layout: layers that stand alone, no import circle, old paths that still import, sizes kept small."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import tomllib

import autograd_mini

PACKAGE = Path(autograd_mini.__file__).parent
ROOT = PACKAGE.parent
MODULES = sorted(set(PACKAGE.rglob("*.py")) - {PACKAGE / "__main__.py"})

# autograd_mini.__all__ before the package was split into layers (written out, not read from the code).
NAMES_BEFORE = """MLP SGD Adam ExpressionError History Layer Module Neuron StepDecay Value accuracy backward_cost
backward_frames backward_page binary_cross_entropy cos count_paths cross_entropy datasets detect_anomaly draw exp
explain fit grad grad_by_paths gradcheck gradients hessian hinge load log losses mse nn no_grad numeric_grad optim
parse path_sum_cost predict relu save secant_slopes sigmoid sin sqrt sse tanh topological_order trace_backward
value_and_grad Program TraceError trace""".split()  # noqa: SIM905

#: What only the layers above the core may import.
HEAVY = ("numpy", "graphviz", "tqdm", "matplotlib")


def _name(path: Path) -> str:
    """The dotted module name of a file of the package (a package's __init__ is the package)."""
    parts = ("autograd_mini", *path.relative_to(PACKAGE).with_suffix("").parts)
    return ".".join(parts).removesuffix(".__init__")


def _is_package(name: str) -> bool:
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").exists()


def _exists(name: str) -> bool:
    return _is_package(name) or (PACKAGE.parent / f"{name.replace('.', '/')}.py").exists()


def _imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports, at the top or inside a function."""
    here = _name(path)
    package = here if path.name == "__init__.py" else here.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.startswith("autograd_mini"))
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                base = f"{base}.{node.module}" if node.module else base
            elif node.module and node.module.startswith("autograd_mini"):
                base = node.module
            else:
                continue
            # from . import engine imports a module; from .engine import Value, the module engine
            submodules = {f"{base}.{alias.name}" for alias in node.names if _exists(f"{base}.{alias.name}")}
            found.update(submodules or {base})
    return found - {here}


GRAPH = {_name(path): _imports(path) for path in MODULES}


def test_every_name_exported_before_the_split_is_still_exported() -> None:
    missing = [name for name in NAMES_BEFORE if name not in autograd_mini.__all__]
    assert missing == []
    for name in autograd_mini.__all__:
        assert getattr(autograd_mini, name) is not None


def test_a_typo_is_still_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'plot'"):
        autograd_mini.plot  # noqa: B018


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("autograd_mini.viz", "autograd_mini.show.viz"),
        ("autograd_mini.frames", "autograd_mini.show.frames"),
        ("autograd_mini.page", "autograd_mini.show.page"),
        ("autograd_mini.plots", "autograd_mini.show.plots"),
        ("autograd_mini.expr", "autograd_mini.expr"),
        ("autograd_mini.cli.expr", "autograd_mini.expr"),
    ],
)
def test_old_module_paths_import_as_the_modules_where_they_live_now(old: str, new: str) -> None:
    assert importlib.import_module(old) is importlib.import_module(new)
    assert getattr(autograd_mini, old.rpartition(".")[2]) is importlib.import_module(new) or old.count(".") > 1


def test_from_an_old_path_import_works_in_a_fresh_interpreter() -> None:
    code = "from autograd_mini.viz import draw; from autograd_mini.frames import backward_page; print(draw.__module__)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "autograd_mini.show.viz"


def test_the_moved_functions_keep_their_old_homes_too() -> None:
    from autograd_mini.steps import node_names
    from autograd_mini.teach import explain, gradcheck
    from autograd_mini.train import accuracy, fit, predict

    assert node_names is autograd_mini.names.node_names
    assert (explain, gradcheck) == (autograd_mini.explain, autograd_mini.gradcheck)
    assert (fit, predict, accuracy) == (autograd_mini.fit, autograd_mini.predict, autograd_mini.accuracy)


def test_there_is_no_import_circle() -> None:
    """Every module can be put after all that it imports (Kahn's algorithm): none is left over."""
    waiting = {name: set(imports) for name, imports in GRAPH.items()}
    while True:
        ready = [name for name, imports in waiting.items() if not imports & waiting.keys()]
        if not ready:
            break
        for name in ready:
            del waiting[name]
    assert waiting == {}, f"these modules import each other in a circle: {sorted(waiting)}"


def test_the_circle_check_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"a"}, "c": set()}
    waiting = {name: set(imports) for name, imports in graph.items()}
    ready = [name for name, imports in waiting.items() if not imports & waiting.keys()]
    assert ready == ["c"]


def test_the_import_graph_sees_imports_inside_functions() -> None:
    assert "autograd_mini.show.plots" in GRAPH["autograd_mini.cli.run"]  # imported in _save only
    assert "autograd_mini.engine" in GRAPH["autograd_mini.names"]


def test_no_module_imports_the_package_init() -> None:
    importers = sorted(name for name, imports in GRAPH.items() if "autograd_mini" in imports)
    assert importers == []


def test_the_library_never_imports_the_command_line() -> None:
    library = {name: imports for name, imports in GRAPH.items() if not name.startswith("autograd_mini.cli")}
    offenders = {name: [i for i in imports if i.startswith("autograd_mini.cli")] for name, imports in library.items()}
    assert {name: found for name, found in offenders.items() if found} == {}


def test_the_engine_imports_no_drawing_code() -> None:
    assert not any(name.startswith("autograd_mini.show") for name in GRAPH["autograd_mini.engine"])


CORE_SCRIPT = textwrap.dedent(
    """
    import importlib.abc, math, sys

    class Missing(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path, target=None):
            if name.split(".")[0] in {heavy!r}:
                raise ImportError(f"No module named {{name!r}} (blocked by the test)")
            return None

    sys.meta_path.insert(0, Missing())
    import autograd_mini as am
    from autograd_mini import MLP, SGD, Value, explain, node_names, parse, trace_backward

    x, w = Value(0.5, label="x"), Value(-1.2, label="w")
    y = (x * w).tanh() + x * x
    y.backward()
    # dy/dx = w (1 - tanh(xw)**2) + 2x, worked by hand
    assert abs(x.grad - (-1.2 * (1 - math.tanh(-0.6) ** 2) + 1.0)) < 1e-12

    model = MLP(2, [3, 1], seed=0)
    optimizer = SGD(model.parameters(), lr=0.1)
    data = [([0.0, 1.0], 1.0), ([1.0, 0.0], -1.0), ([1.0, 1.0], 1.0)]
    losses = []
    for _ in range(20):
        optimizer.zero_grad()
        loss = sum(((model(features)[0] - target) ** 2 for features, target in data), Value(0.0))
        loss.backward()
        optimizer.step()
        losses.append(loss.data)
    assert losses[-1] < losses[0]

    assert "where n1 = x·w" in explain(y, x)
    assert len(trace_backward(y)) == len(node_names(y)) == 6
    built = parse("tanh(x*w + b)").build({{"x": 0.5, "w": -1.2, "b": 0.3}})
    built.root.backward()
    assert round(built.inputs["w"].grad, 6) == 0.457568
    assert not [name for name in sys.modules if name.split(".")[0] in {heavy!r}]
    try:
        am.datasets
    except ModuleNotFoundError as error:
        print(error)
    """
)


def test_the_core_works_where_numpy_graphviz_tqdm_and_matplotlib_cannot_be_imported() -> None:
    script = CORE_SCRIPT.format(heavy=HEAVY)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    needs = "autograd_mini.datasets (the toy data sets) needs numpy, which is not installed: pip install numpy"
    assert done.stdout.strip() == needs


def test_importing_the_package_loads_none_of_the_heavy_dependencies() -> None:
    code = "import sys, autograd_mini; print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))"
    done = subprocess.run([sys.executable, "-c", code, *HEAVY, "argparse"], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_command_line_loads_numpy_only_to_train() -> None:
    code = (
        "import sys; from autograd_mini.cli import main; main(['grad', 'x*y', 'x=1', 'y=2']);"
        "print(sorted({m.split('.')[0] for m in sys.modules} & set(sys.argv[1:])))"
    )
    done = subprocess.run([sys.executable, "-c", code, *HEAVY], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "[]"


def _lines(path: Path) -> int:
    return path.read_text(encoding="utf-8").count("\n")


def test_no_module_is_over_500_lines_but_the_compiler() -> None:
    long = {str(path.relative_to(PACKAGE)): _lines(path) for path in MODULES if _lines(path) > 500}
    assert set(long) <= {"compiled.py"}, long


def test_no_class_is_over_200_lines_but_the_compilers_program() -> None:
    long = {}
    for path in MODULES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and node.end_lineno is not None:
                size = node.end_lineno - node.lineno + 1
                if size > 200:
                    long[f"{path.relative_to(PACKAGE)}:{node.name}"] = size
    assert set(long) <= {"compiled.py:Program"}, long


def test_the_engine_fits_on_a_few_slides() -> None:
    lines = _lines(PACKAGE / "engine.py")
    assert lines <= 350, f"engine.py has {lines} lines"


def test_setuptools_finds_the_packages_and_ships_the_step_page() -> None:
    settings = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    assert settings["packages"] == {"find": {"include": ["autograd_mini*"]}}  # no hand-kept list to miss a package
    assets = PACKAGE / "show" / "assets"
    assert sorted(path.name for path in assets.iterdir()) == ["step_page.css", "step_page.html", "step_page.js"]
    assert any("assets/" in pattern for pattern in settings["package-data"]["autograd_mini.show"])


def test_the_pytest_hook_does_not_ship_in_the_package() -> None:
    assert not (PACKAGE / "conftest.py").exists()
    assert (ROOT / "conftest.py").exists()


def test_the_readme_layout_table_names_every_module() -> None:
    table = (ROOT / "README.md").read_text(encoding="utf-8").split("## Layout", 1)[1].split("\n## ", 1)[0]
    for path in MODULES:
        relative = path.relative_to(PACKAGE)
        if relative.name == "__init__.py" and relative.parent == Path():
            continue
        shown = relative.parent.name + "/" if relative.name == "__init__.py" else relative.name
        assert shown in table, f"the README's layout table does not mention {relative}"


def test_every_module_imports_on_its_own() -> None:
    for path in MODULES:
        importlib.import_module(_name(path))
