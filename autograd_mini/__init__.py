"""autograd_mini: a scalar reverse-mode automatic differentiation engine for teaching.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.005364

Importing the package loads the core only, which needs nothing but Python's standard library: the
engine, the rules, the modes, ``functional``, ``nn``, the losses, the optimizers, the teaching
tools, the step tracer, the names and the expression parser. What needs numpy, graphviz, tqdm or
matplotlib (``fit``, ``trace``, ``draw``, the step page, ``datasets``, ``plots``) is imported the
first time it is used, by the module ``__getattr__`` below (PEP 562); every name in ``__all__``
is importable from here either way.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from . import engine, moved
from . import expr as expr
from . import losses as losses
from . import names as names
from . import nn as nn
from . import optim as optim
from .engine import Value, detect_anomaly, gradients, no_grad, topological_order
from .expr import ExpressionError, parse
from .functional import cos, exp, grad, hessian, log, relu, sigmoid, sin, sqrt, tanh, value_and_grad
from .losses import binary_cross_entropy, cross_entropy, hinge, mse, sse
from .names import node_names
from .nn import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, StepDecay
from .steps import trace_backward
from .teach import (
    backward_cost,
    count_paths,
    explain,
    grad_by_paths,
    gradcheck,
    numeric_grad,
    path_sum_cost,
    secant_slopes,
)

if TYPE_CHECKING:  # what __getattr__ gives, spelled out for type checkers
    from . import compiled as compiled
    from . import datasets as datasets
    from . import train as train
    from .compiled import Program, TraceError, trace
    from .serialize import load, save
    from .show import frames as frames
    from .show import page as page
    from .show import plots as plots
    from .show import viz as viz
    from .show.frames import backward_frames, backward_page
    from .show.network import draw_layers, draw_network
    from .show.viz import draw
    from .torch_bridge import from_torch, to_torch
    from .train import History, accuracy, fit, predict

#: The names loaded on first use, and the module each comes from: they need numpy, graphviz, tqdm or
#: matplotlib, or (load and save) only pathlib and json, which the core does not; to_torch and from_torch need torch.
LAZY_NAMES = {
    "Program": "compiled",
    "TraceError": "compiled",
    "trace": "compiled",
    "History": "train",
    "accuracy": "train",
    "fit": "train",
    "predict": "train",
    "backward_frames": "show.frames",
    "backward_page": "show.frames",
    "draw": "show.viz",
    "draw_layers": "show.network",
    "draw_network": "show.network",
    "load": "serialize",
    "save": "serialize",
    "to_torch": "torch_bridge",
    "from_torch": "torch_bridge",
}
#: The modules loaded on first use as attributes of the package (``autograd_mini.plots``), by their new paths.
LAZY_MODULES = {
    "compiled": "compiled",
    "datasets": "datasets",
    "train": "train",
    "viz": "show.viz",
    "frames": "show.frames",
    "page": "show.page",
    "plots": "show.plots",
}


def __getattr__(name: str) -> Any:
    """A name of LAZY_NAMES or LAZY_MODULES, imported now; any other name is an AttributeError, as usual."""
    if name in LAZY_NAMES:
        return getattr(importlib.import_module(f"{__name__}.{LAZY_NAMES[name]}"), name)
    if name in LAZY_MODULES:
        return importlib.import_module(f"{__name__}.{LAZY_MODULES[name]}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _svg_of(root: Value) -> str | None:
    """How Jupyter draws a Value (``engine.Value._repr_svg_``): with Graphviz, imported when first shown."""
    from .show.viz import svg_or_none

    return svg_or_none(root)


engine.DRAW_SVG = _svg_of  # the engine knows no drawing module; the package, which knows all of them, tells it
moved.install()

__all__ = [
    "MLP",
    "SGD",
    "Adam",
    "ExpressionError",
    "History",
    "Layer",
    "Module",
    "Neuron",
    "Program",
    "StepDecay",
    "TraceError",
    "Value",
    "accuracy",
    "backward_cost",
    "backward_frames",
    "backward_page",
    "binary_cross_entropy",
    "cos",
    "count_paths",
    "cross_entropy",
    "datasets",
    "detect_anomaly",
    "draw",
    "draw_layers",
    "draw_network",
    "exp",
    "explain",
    "fit",
    "from_torch",
    "grad",
    "grad_by_paths",
    "gradcheck",
    "gradients",
    "hessian",
    "hinge",
    "load",
    "log",
    "losses",
    "mse",
    "nn",
    "no_grad",
    "node_names",
    "numeric_grad",
    "optim",
    "parse",
    "path_sum_cost",
    "predict",
    "relu",
    "save",
    "secant_slopes",
    "sigmoid",
    "sin",
    "sqrt",
    "sse",
    "tanh",
    "to_torch",
    "topological_order",
    "trace",
    "trace_backward",
    "value_and_grad",
]
__version__ = "0.1.0"
