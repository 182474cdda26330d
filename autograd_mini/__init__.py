"""autograd_mini: a scalar reverse-mode automatic differentiation engine for teaching.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.005364
"""

from . import datasets, losses, nn, optim
from .cli import expr as expr  # expr, frames, page, viz: where they were before show/ and cli/
from .cli.expr import ExpressionError, parse
from .compiled import Program, TraceError, trace
from .engine import Value, detect_anomaly, gradients, no_grad, topological_order
from .functional import cos, exp, grad, hessian, log, relu, sigmoid, sin, sqrt, tanh, value_and_grad
from .losses import binary_cross_entropy, cross_entropy, hinge, mse, sse
from .nn import MLP, Layer, Module, Neuron
from .optim import SGD, Adam, StepDecay
from .serialize import load, save
from .show import frames as frames
from .show import page as page
from .show import viz as viz
from .show.frames import backward_frames, backward_page
from .show.viz import draw
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
from .train import History, accuracy, fit, predict


def __getattr__(name: str) -> object:
    """``autograd_mini.plots`` (now ``autograd_mini.show.plots``), loaded on first use: matplotlib is slow to import."""
    if name == "plots":
        from .show import plots

        return plots
    raise AttributeError(f"module 'autograd_mini' has no attribute {name!r}")


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
    "exp",
    "explain",
    "fit",
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
    "topological_order",
    "trace",
    "trace_backward",
    "value_and_grad",
]
__version__ = "0.1.0"
