"""Neural networks built from Values: neurons, layers and fully connected stacks (MLPs).

A neuron computes a weighted sum of its inputs plus a bias, then an activation:
``out = A(b + w_0 x_0 + ... + w_{n-1} x_{n-1})``. A layer is a row of neurons that all read
the same inputs; an MLP feeds each layer's outputs to the next.

Weights and biases start uniform in ``[-1/sqrt(nin), 1/sqrt(nin)]`` (``nin``: the neuron's
number of inputs, as PyTorch's ``nn.Linear`` does), drawn from ``random.Random(seed)``, so
the same seed gives the same model.

>>> model = MLP(2, [3, 1], seed=0)
>>> len(model.parameters())          # (2 weights + 1 bias) * 3 + (3 + 1) * 1
13
>>> (out,) = model([1.0, -2.0])      # a call always returns a list
>>> out.backward()
>>> model.layers[0].neurons[0].w[1].grad != 0.0
True
"""

from __future__ import annotations

import itertools
import math
import numbers
import operator
import random
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, TypeAlias

from . import checks, collector
from .engine import Value

Inputs: TypeAlias = "Collection[Value | float]"
"""What a model reads: a list, tuple or 1-D numpy array of numbers or Values."""

Seed: TypeAlias = "int | random.Random | None"

# Each activation is a Value method applied to the weighted sum; "linear" leaves the sum as it is.
ACTIVATIONS: dict[str, Callable[[Value], Value] | None] = {
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "relu": Value.relu,
    "linear": None,
}


class Module:
    """Base class of every model: it owns parameters (Values) and can list, reset and save them.

    A subclass defines ``named_parameters``; everything else here is built on it.

    >>> neuron = Neuron(2, seed=0)
    >>> [name for name, _ in neuron.named_parameters()]
    ['w.0', 'w.1', 'b']
    """

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Every parameter with its dotted name, in a stable order.

        >>> [name for name, _ in Layer(1, 2, seed=0).named_parameters()]
        ['neurons.0.w.0', 'neurons.0.b', 'neurons.1.w.0', 'neurons.1.b']
        """
        raise NotImplementedError(f"{type(self).__name__} must define named_parameters()")

    def parameters(self) -> list[Value]:
        """Every parameter, in the order of ``named_parameters``.

        >>> len(MLP(10, [4, 6, 8, 4], bias=False, seed=0).parameters())   # the seed's network
        144
        """
        return [param for _, param in self.named_parameters()]

    def zero_grad(self) -> None:
        """Set every parameter's ``grad`` back to 0.0 (gradients accumulate across backward passes).

        >>> neuron = Neuron(1, seed=0)
        >>> neuron([2.0]).backward()
        >>> neuron.zero_grad()
        >>> [p.grad for p in neuron.parameters()]
        [0.0, 0.0]
        """
        for param in self.parameters():
            param.grad = 0.0

    def state_dict(self) -> dict[str, float]:
        """The parameters' numbers, keyed by their names (a plain dict, ready for JSON).

        >>> Neuron(1, bias=False, seed=0).state_dict().keys()
        dict_keys(['w.0'])
        """
        return {name: param.data for name, param in self.named_parameters()}

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Set every parameter from ``state`` (as made by ``state_dict``).

        Everything is checked before anything is assigned: on a ValueError or TypeError the
        model is unchanged.

        Args:
            state: one finite real number for each name of ``named_parameters``, and nothing else.

        Raises:
            TypeError: ``state`` is not a mapping.
            ValueError: a name is missing or unexpected, or a value is not a finite real number.

        >>> a, b = Neuron(2, seed=0), Neuron(2, seed=1)
        >>> b.load_state_dict(a.state_dict())
        >>> b.state_dict() == a.state_dict()
        True
        >>> b.load_state_dict({"w.0": 1.0})
        Traceback (most recent call last):
        ...
        ValueError: state dict does not fit Neuron(2 inputs, tanh, bias): missing 'w.1', 'b'
        """
        named = self.named_parameters()
        numbers_by_name = _checked_state(state, [name for name, _ in named], repr(self))
        for name, param in named:
            param.data = numbers_by_name[name]

    def _label_parameters(self) -> None:
        """Give each parameter its name as label, so drawings and explanations show it."""
        for name, param in self.named_parameters():
            param.label = name


class Neuron(Module):
    """One neuron: ``A(b + sum_i w_i x_i)`` with activation ``A``.

    Args:
        nin: number of inputs (a positive int).
        activation: "tanh", "sigmoid", "relu" or "linear".
        bias: whether the neuron has a bias ``b`` (if not, the sum starts at ``w_0 x_0``).
        seed: an int or a ``random.Random`` for the initial weights; None draws from a fresh generator.

    Attributes:
        w: the weights, one Value per input.
        b: the bias, a Value (None without bias).

    >>> neuron = Neuron(2, activation="linear", seed=0)
    >>> neuron.w[0].data, neuron.w[1].data, neuron.b.data = 2.0, -1.0, 0.5
    >>> neuron([3.0, 4.0]).data            # 0.5 + 2*3 - 1*4
    2.5
    """

    def __init__(self, nin: int, activation: str = "tanh", bias: bool = True, seed: Seed = None) -> None:
        self.nin = checks.count(nin, "Neuron nin")
        self.activation = _activation_name(activation)
        self._activate = ACTIVATIONS[self.activation]
        rng = _generator(seed)
        scale = 1.0 / math.sqrt(self.nin)
        self.w = [Value(rng.uniform(-scale, scale)) for _ in range(self.nin)]
        self.b = Value(rng.uniform(-scale, scale)) if checks.flag(bias, "bias") else None
        self._label_parameters()

    def __call__(self, x: Inputs) -> Value:
        """The neuron's output for the inputs ``x`` (a new Value).

        >>> Neuron(3, activation="relu", seed=0)([0.0, 0.0, 0.0]).op
        'relu'
        """
        _check_inputs(x, self.nin, self)
        total = _weighted_sum(self.w, self.b, _as_inputs(x))
        return total if self._activate is None else self._activate(total)

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``w.0``, ``w.1``, ..., then ``b``.

        >>> [name for name, _ in Neuron(2, bias=False, seed=0).named_parameters()]
        ['w.0', 'w.1']
        """
        named = [(f"w.{i}", w) for i, w in enumerate(self.w)]
        return named if self.b is None else [*named, ("b", self.b)]

    def __repr__(self) -> str:
        return f"Neuron({self.nin} inputs, {self.activation}, {'bias' if self.b is not None else 'no bias'})"


class Layer(Module):
    """A row of ``nout`` neurons reading the same ``nin`` inputs.

    After each call the layer keeps its pre-activation sums (``last_sums``), so that after a
    backward pass ``sensitivities()`` gives d(loss)/d(sum) for each neuron: the seed texts'
    sensitivity delta.

    Args:
        nin: number of inputs of each neuron (a positive int).
        nout: number of neurons, hence of outputs (a positive int).
        activation: "tanh", "sigmoid", "relu" or "linear", for every neuron.
        bias: whether the neurons have biases.
        seed: an int or a ``random.Random`` for the initial weights; None draws from a fresh generator.

    >>> layer = Layer(3, 2, seed=0)
    >>> layer
    Layer(3 -> 2, tanh, bias, 8 parameters)
    >>> outs = layer([1.0, 2.0, 3.0])
    >>> len(outs)
    2
    """

    def __init__(self, nin: int, nout: int, activation: str = "tanh", bias: bool = True, seed: Seed = None) -> None:
        self.nin = checks.count(nin, "Layer nin")
        self.nout = checks.count(nout, "Layer nout")
        self.activation = _activation_name(activation)
        self._activate = ACTIVATIONS[self.activation]
        rng = _generator(seed)
        self.neurons = [Neuron(self.nin, self.activation, bias, rng) for _ in range(self.nout)]
        self.last_sums: list[Value] = []
        self._label_parameters()

    def __call__(self, x: Inputs) -> list[Value]:
        """The ``nout`` outputs for the inputs ``x``: always a list, also for one neuron.

        >>> [type(o).__name__ for o in Layer(2, 1, seed=0)((1.0, 2.0))]
        ['Value']
        """
        _check_inputs(x, self.nin, self)
        return self._forward(_as_inputs(x))

    def _forward(self, x: list[Value]) -> list[Value]:
        # No input check here: an MLP checks its input once and its layers fit by construction.
        self.last_sums = sums = [_weighted_sum(n.w, n.b, x) for n in self.neurons]
        # A copy even for "linear": the caller may change the list it gets, last_sums must stay.
        return list(sums) if self._activate is None else list(map(self._activate, sums))

    def sensitivities(self) -> list[float]:
        """d(root)/d(sum_j) for each neuron j's pre-activation sum in the last call.

        The numbers come from the last ``backward`` run through the graph of that call (0.0
        for sums the root does not depend on, or before any backward).

        Raises:
            RuntimeError: the layer has not been called yet.

        >>> layer = Layer(1, 2, activation="linear", seed=0)
        >>> outs = layer([1.0])
        >>> (outs[0] * 3.0 + outs[1]).backward()
        >>> layer.sensitivities()
        [3.0, 1.0]
        """
        if not self.last_sums:
            raise RuntimeError(f"{self!r} has no sensitivities yet: call it on an input, then backward()")
        return [s.grad if isinstance(s.grad, float) else s.grad.data for s in self.last_sums]

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``neurons.<j>.<name>`` for each neuron j, in order.

        >>> [name for name, _ in Layer(1, 1, bias=False, seed=0).named_parameters()]
        ['neurons.0.w.0']
        """
        return [(f"neurons.{j}.{name}", p) for j, n in enumerate(self.neurons) for name, p in n.named_parameters()]

    def __repr__(self) -> str:
        bias = "bias" if self.neurons[0].b is not None else "no bias"
        return f"Layer({self.nin} -> {self.nout}, {self.activation}, {bias}, {len(self.parameters())} parameters)"


class MLP(Module):
    """A multilayer perceptron: fully connected layers, one after the other.

    Args:
        nin: number of inputs (a positive int).
        nouts: the sizes of the layers, input side first; the last is the number of outputs.
        activation: the activation of every layer but the last.
        output_activation: the activation of the last layer ("linear": raw scores or logits).
        bias: whether the neurons have biases.
        seed: an int or a ``random.Random`` for the initial weights; None draws from a fresh generator.

    >>> MLP(2, [16, 16, 1], seed=0)
    MLP(2 -> 16 tanh -> 16 tanh -> 1 linear, bias, 337 parameters)
    >>> model = MLP(2, [4, 1], seed=0)
    >>> model([0.5, -0.5])[0].op           # the linear output is the last weighted sum
    '+'
    """

    def __init__(
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "tanh",
        output_activation: str = "linear",
        bias: bool = True,
        seed: Seed = None,
    ) -> None:
        self.nin = checks.count(nin, "MLP nin")
        self.nouts = _layer_sizes(nouts)
        self.activation = _activation_name(activation)
        self.output_activation = _activation_name(output_activation)
        self.bias = checks.flag(bias, "bias")
        rng = _generator(seed)
        sizes = [self.nin, *self.nouts]
        activations = [self.activation] * (len(self.nouts) - 1) + [self.output_activation]
        self.layers = [
            Layer(n_in, n_out, act, bias, rng) for n_in, n_out, act in zip(sizes, sizes[1:], activations, strict=False)
        ]
        self._label_parameters()

    def __call__(self, x: Inputs) -> list[Value]:
        """The outputs for the inputs ``x``: always a list of Values, also for one output.

        >>> import numpy as np
        >>> len(MLP(3, [4, 2], seed=0)(np.array([1.0, 2.0, 3.0])))
        2
        """
        _check_inputs(x, self.nin, self)
        # The forward makes many objects and no reference cycles, so the cyclic collector's
        # passes during it would only rescan the growing graph; resume it afterwards.
        with collector.paused():
            outs = self.layers[0]._forward(_as_inputs(x))
            for layer in self.layers[1:]:
                outs = layer._forward(outs)
        return outs

    def named_parameters(self) -> list[tuple[str, Value]]:
        """``layers.<i>.neurons.<j>.w.<k>`` and ``layers.<i>.neurons.<j>.b``, layer by layer.

        >>> MLP(1, [2, 1], seed=0).named_parameters()[-1][0]
        'layers.1.neurons.0.b'
        """
        return [
            (f"layers.{i}.{name}", p) for i, layer in enumerate(self.layers) for name, p in layer.named_parameters()
        ]

    def __repr__(self) -> str:
        hidden = "".join(f" -> {n} {self.activation}" for n in self.nouts[:-1])
        shape = f"{self.nin}{hidden} -> {self.nouts[-1]} {self.output_activation}"
        return f"MLP({shape}, {'bias' if self.bias else 'no bias'}, {len(self.parameters())} parameters)"


# -- the forward pass ---------------------------------------------------------------------


def _as_inputs(x: Inputs) -> list[Value]:
    """Each input as a Value: a Value as it is, a number wrapped once as a leaf labelled ``x[i]``.

    Once per call, not once per neuron: every neuron of the first layer reads the same leaves, so
    a drawing shows one box per input and ``x[i].grad`` sums what all neurons send back.

    >>> a = Value(5.0, label="a")
    >>> [(v.label, v.data) for v in _as_inputs([1, a])]
    [('x[0]', 1.0), ('a', 5.0)]
    """
    return [xi if isinstance(xi, Value) else Value(xi, label=f"x[{i}]") for i, xi in enumerate(x)]


def _weighted_sum(w: list[Value], b: Value | None, x: Iterable[Value]) -> Value:
    """``b + w_0 x_0 + w_1 x_1 + ...``, one ``+`` node at a time (micrograd's ``sum(..., b)``).

    Without a bias the sum starts at ``w_0 x_0``, so no node is spent adding a zero.
    """
    products = map(operator.mul, w, x)
    return sum(products, b if b is not None else next(products))


def parameter_count(sizes: Sequence[int], bias: bool = True) -> int:
    """The weights and biases of an MLP with layer sizes ``[nin, *nouts]``, counted without building it.

    Each layer of ``n_out`` neurons on ``n_in`` inputs has ``n_out * (n_in + bias)`` parameters.

    >>> parameter_count([2, 16, 16, 1]), len(MLP(2, [16, 16, 1], seed=0).parameters())
    (337, 337)
    """
    return sum(n_out * (n_in + bias) for n_in, n_out in itertools.pairwise(sizes))


# -- checking what the user passed ---------------------------------------------------------


def _check_inputs(x: Any, nin: int, model: Module) -> None:
    """One length check per call: cheap, so the forward costs what the raw graph costs."""
    try:
        received = len(x)
    except TypeError:
        raise TypeError(
            f"{model!r} expects a list, tuple or 1-D numpy array of {nin} numbers or Values, got {type(x).__name__}"
        ) from None
    if received != nin or getattr(x, "ndim", 1) != 1:
        shape = getattr(x, "shape", received)
        raise ValueError(f"{model!r} expects {nin} inputs, got {shape}")


def _layer_sizes(nouts: Any) -> list[int]:
    if isinstance(nouts, (str, bytes)) or not isinstance(nouts, Iterable):
        raise TypeError(f"MLP nouts must be a list of layer sizes, got {type(nouts).__name__}: {nouts!r}")
    sizes = [checks.count(n, f"MLP layer size nouts[{i}]") for i, n in enumerate(nouts)]
    if not sizes:
        raise ValueError("MLP nouts must name at least one layer size, got an empty list")
    return sizes


def _activation_name(name: Any) -> str:
    return checks.one_of(name, "activation", ACTIVATIONS)


def _generator(seed: Any) -> random.Random:
    """The generator for initial weights: shared if given, seeded if an int, fresh if None."""
    if isinstance(seed, random.Random):
        return seed
    if seed is None:
        return random.Random()
    if isinstance(seed, bool) or not isinstance(seed, numbers.Integral):
        raise TypeError(f"seed must be an int, a random.Random or None, got {type(seed).__name__}: {seed!r}")
    return random.Random(int(seed))


def _checked_state(state: Any, names: list[str], owner: str) -> dict[str, float]:
    """The numbers of ``state`` as floats, after checking it holds exactly ``names``, all finite."""
    if not isinstance(state, Mapping):
        raise TypeError(f"state dict must be a mapping from names to numbers, got {type(state).__name__}")
    known = set(names)
    missing = [repr(name) for name in names if name not in state]
    unexpected = [repr(key) for key in state if key not in known]
    if missing or unexpected:
        problems = [
            f"{kind} {_first_few(keys)}" for kind, keys in (("missing", missing), ("unexpected", unexpected)) if keys
        ]
        raise ValueError(f"state dict does not fit {owner}: {'; '.join(problems)}")
    checked = {}
    for name in names:
        number = state[name]
        entry = f"state dict entry {name!r}"
        if isinstance(number, bool) or not isinstance(number, numbers.Real):
            raise TypeError(f"{entry} must be a finite number, got {type(number).__name__}: {checks.shown(number)}")
        checked[name] = checks.real(number, entry)  # an int beyond a float's range becomes inf, refused below
        if not math.isfinite(checked[name]):
            raise ValueError(f"{entry} must be a finite number, got {checks.shown(number)}")
    return checked


def _first_few(items: list[str], shown: int = 5) -> str:
    more = f" and {len(items) - shown} more" if len(items) > shown else ""
    return ", ".join(items[:shown]) + more
