"""autograd_mini: a scalar reverse-mode automatic differentiation engine for teaching.

>>> from autograd_mini import Value
>>> x = Value(2.0, label="x")
>>> y = (x * x).tanh()
>>> y.backward()
>>> round(x.grad, 6)
0.005364
"""

from .engine import Value, cos, exp, gradients, log, relu, sigmoid, sin, sqrt, tanh, topological_order
from .viz import draw

__all__ = [
    "Value",
    "cos",
    "draw",
    "exp",
    "gradients",
    "log",
    "relu",
    "sigmoid",
    "sin",
    "sqrt",
    "tanh",
    "topological_order",
]
__version__ = "0.1.0"
