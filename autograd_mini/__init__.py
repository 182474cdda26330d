"""autograd_mini: a scalar reverse-mode automatic differentiation engine for teaching.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.005364
"""

from . import losses, nn
from .engine import Value, cos, exp, gradients, log, relu, sigmoid, sin, sqrt, tanh, topological_order
from .frames import backward_frames, backward_page
from .losses import binary_cross_entropy, cross_entropy, hinge, mse, sse
from .nn import MLP, Layer, Module, Neuron
from .serialize import load, save
from .steps import trace_backward
from .viz import draw

__all__ = [
    "MLP",
    "Layer",
    "Module",
    "Neuron",
    "Value",
    "backward_frames",
    "backward_page",
    "binary_cross_entropy",
    "cos",
    "cross_entropy",
    "draw",
    "exp",
    "gradients",
    "hinge",
    "load",
    "log",
    "losses",
    "mse",
    "nn",
    "relu",
    "save",
    "sigmoid",
    "sin",
    "sqrt",
    "sse",
    "tanh",
    "topological_order",
    "trace_backward",
]
__version__ = "0.1.0"
