"""micrograd's ``nn``: ``Module``, ``Neuron``, ``Layer`` and ``MLP``, as micrograd 0.1.0 has them.

Weights are drawn with the ``random`` module in micrograd's order (neuron by neuron, layer by
layer), so ``random.seed(1337)`` gives the weights micrograd's own demo starts from. As there, a
hidden layer is ReLU, the last layer linear, and a layer of one neuron returns a Value, not a list.

The main API's ``autograd_mini.MLP`` differs on purpose: a call always returns a list, hidden
layers are tanh by default, and weights come from ``seed=`` instead of the global ``random``.

>>> import random
>>> random.seed(1337)
>>> model = MLP(2, [3, 1])
>>> model
MLP of [Layer of [ReLUNeuron(2), ReLUNeuron(2), ReLUNeuron(2)], Layer of [LinearNeuron(3)]]
>>> len(model.parameters()), type(model([1.0, -2.0])).__name__    # one output: a Value
(13, 'Value')
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from typing import Any, cast

from .. import checks
from ..engine import Value as AnyValue
from .engine import Value

__all__ = ["MLP", "Layer", "Module", "Neuron"]


class Module:
    """What every model has: its parameters, and a way to set their grads to 0."""

    def zero_grad(self) -> None:
        for p in self.parameters():
            p.grad = 0.0

    def parameters(self) -> list[Value]:
        return []


class Neuron(Module):
    """relu(b + w_0 x_0 + ... + w_{n-1} x_{n-1}), or the sum itself if not ``nonlin``.

    Weights start uniform in [-1, 1] and the bias at 0, as in micrograd. An ``x`` of the wrong
    length is refused (micrograd's ``zip`` would cut it short silently).
    """

    def __init__(self, nin: int, nonlin: bool = True) -> None:
        checks.count(nin, "nin")
        self.w = [Value(random.uniform(-1, 1)) for _ in range(nin)]
        self.b = Value(0.0)
        self.nonlin = checks.flag(nonlin, "nonlin")

    def __call__(self, x: Iterable[AnyValue | float]) -> Value:
        inputs = list(x)
        if len(inputs) != len(self.w):
            raise ValueError(f"x must hold {len(self.w)} inputs, got {len(inputs)}")
        act = self.b
        for wi, xi in zip(self.w, inputs, strict=True):  # b + w0 x0 + w1 x1 + ..., in micrograd's order
            act = act + wi * xi
        return act.relu() if self.nonlin else act

    def parameters(self) -> list[Value]:
        return [*self.w, self.b]

    def __repr__(self) -> str:
        return f"{'ReLU' if self.nonlin else 'Linear'}Neuron({len(self.w)})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; ``kwargs`` go to each ``Neuron``."""

    def __init__(self, nin: int, nout: int, **kwargs: bool) -> None:
        checks.count(nout, "nout")
        self.neurons = [Neuron(nin, **kwargs) for _ in range(nout)]

    def __call__(self, x: Iterable[AnyValue | float]) -> Value | list[Value]:
        inputs = list(x)  # every neuron reads the same inputs, also when x is an iterator
        out = [neuron(inputs) for neuron in self.neurons]
        return out[0] if len(out) == 1 else out  # micrograd's: a Value for one neuron

    def parameters(self) -> list[Value]:
        return [p for neuron in self.neurons for p in neuron.parameters()]

    def __repr__(self) -> str:
        return f"Layer of [{', '.join(map(repr, self.neurons))}]"


class MLP(Module):
    """Layers of sizes ``nouts`` after ``nin`` inputs: ReLU hidden layers, a linear last one."""

    def __init__(self, nin: int, nouts: Sequence[int]) -> None:
        if not isinstance(nouts, Sequence) or isinstance(nouts, str):
            raise TypeError(f"nouts must be a list of layer sizes, got {type(nouts).__name__}: {checks.shown(nouts)}")
        if not nouts:
            raise ValueError("nouts must be a list of layer sizes, got []")
        sizes = [nin, *nouts]
        last = len(nouts) - 1
        self.layers = [Layer(sizes[i], sizes[i + 1], nonlin=i != last) for i in range(len(nouts))]

    def __call__(self, x: Iterable[AnyValue | float]) -> Value | list[Value]:
        out: Any = x  # the inputs, then each layer's outputs
        for layer in self.layers:
            out = layer(out)  # after a hidden layer of one neuron a TypeError, as in micrograd
        return cast("Value | list[Value]", out)

    def parameters(self) -> list[Value]:
        return [p for layer in self.layers for p in layer.parameters()]

    def __repr__(self) -> str:
        return f"MLP of [{', '.join(map(repr, self.layers))}]"
