"""From an MLP to PyTorch and back: ``to_torch`` and ``from_torch`` (torch is optional).

``to_torch(model)`` gives a ``torch.nn.Module`` in float64 (a ``TorchMLP``: ``torch.nn.Linear``
layers, each followed by the same activation as ours: ``Tanh``, ``Sigmoid``, ``ReLU``, or
``Identity`` for "linear") whose outputs and gradients are ours to rounding. ``from_torch(module)``
takes such a module back, or a ``torch.nn.Sequential`` (or a single ``Linear``) of the same kind.

The names. Our MLP names one number per parameter (``layers.0.neurons.2.w.1``), and so do its model
files (``serialize.save`` writes ``state_dict()`` as the file's "state"); a torch ``Linear`` keeps a
layer's numbers in two tensors. The module keeps the layer part of each name, so its
``state_dict()`` holds ``layers.<i>.weight`` (out x in) and ``layers.<i>.bias``, and ``torch_name``
maps each of our names to its entry:

=================================  =========================
our name (state_dict, model file)  torch key and index
=================================  =========================
``layers.<i>.neurons.<j>.w.<k>``   ``layers.<i>.weight[j, k]``
``layers.<i>.neurons.<j>.b``       ``layers.<i>.bias[j]``
=================================  =========================

>>> torch_name("layers.1.neurons.2.w.0"), torch_name("layers.0.neurons.3.b")
(('layers.1.weight', (2, 0)), ('layers.0.bias', (3,)))

Example (needs torch; ``tests/test_torch_bridge.py`` runs it)::

    module = to_torch(MLP(2, [3, 1], seed=0))
    module(torch.tensor([[1.0, -2.0]], dtype=torch.float64))     # the same number as model([1.0, -2.0])
    from_torch(module).state_dict() == model.state_dict()        # True

torch is imported by the functions, not by this module, so ``autograd_mini`` imports without it; the
functions then raise ModuleNotFoundError saying what to install. ``TorchMLP`` is made on first use
(``autograd_mini.torch_bridge.TorchMLP``); save a module's ``state_dict()``, as PyTorch advises.
"""

from __future__ import annotations

import functools
import importlib
import itertools
import re
from collections.abc import Sequence
from typing import Any

from . import checks
from .nn import MLP, Layer, Neuron

#: Each of our activations and the torch module that computes it.
TORCH_ACTIVATIONS = {"tanh": "Tanh", "sigmoid": "Sigmoid", "relu": "ReLU", "linear": "Identity"}

_NAME = re.compile(r"layers\.(\d+)\.neurons\.(\d+)\.(?:w\.(\d+)|b)")
_TAKES = "a TorchMLP from to_torch, or a torch.nn.Sequential of Linear layers each followed by Tanh, Sigmoid, ReLU,"
_TAKES += " Identity or nothing"


def _torch() -> Any:
    """The torch module, or the error that says how to install it."""
    try:
        return importlib.import_module("torch")
    except ImportError as error:
        tested = "the tested version: pip install 'autograd-mini[torch]'"
        raise checks.missing("torch", f"autograd_mini.torch_bridge (to_torch, from_torch; {tested})") from error


def torch_name(name: str) -> tuple[str, tuple[int, ...]]:
    """Where our parameter ``name`` lives in the torch module: its ``state_dict`` key and the index in that tensor.

    Raises:
        TypeError: ``name`` is not a str.
        ValueError: ``name`` is not the name of an MLP's parameter.

    >>> torch_name("layers.0.neurons.0.w.1")
    ('layers.0.weight', (0, 1))
    """
    match = _NAME.fullmatch(checks.text(name, "name"))
    if match is None:
        expected = "an MLP parameter name (layers.<i>.neurons.<j>.w.<k> or layers.<i>.neurons.<j>.b)"
        raise ValueError(f"name must be {expected}, got {checks.shown(name)}")
    layer, neuron, weight = match.groups()
    if weight is None:
        return f"layers.{layer}.bias", (int(neuron),)
    return f"layers.{layer}.weight", (int(neuron), int(weight))


@functools.cache
def _torch_mlp_class() -> Any:
    """``TorchMLP``, defined once torch is there (its base class comes from torch)."""
    torch = _torch()
    module: Any = torch.nn.Module

    class TorchMLP(module):  # type: ignore[misc]  # torch is imported at run time, so its classes are Any to mypy
        """``layers``: the Linear layers; ``activations``: the module after each one; float64 throughout."""

        def __init__(self, sizes: Sequence[int], activation: str, output_activation: str, bias: bool) -> None:
            super().__init__()
            self.activation, self.output_activation = activation, output_activation  # as MLP keeps them
            pairs = itertools.pairwise(sizes)
            self.layers = torch.nn.ModuleList(torch.nn.Linear(i, o, bias, dtype=torch.float64) for i, o in pairs)
            names = [activation] * (len(sizes) - 2) + [output_activation]
            self.activations = torch.nn.ModuleList(getattr(torch.nn, TORCH_ACTIVATIONS[a])() for a in names)

        def forward(self, x: Any) -> Any:
            for layer, activate in zip(self.layers, self.activations, strict=True):
                x = activate(layer(x))
            return x

    TorchMLP.__module__, TorchMLP.__qualname__ = __name__, "TorchMLP"  # found by name (pickle, repr)
    return TorchMLP


def __getattr__(name: str) -> Any:
    """``TorchMLP``, made when first asked for (it needs torch); any other name is an AttributeError."""
    if name == "TorchMLP":
        return _torch_mlp_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def to_torch(model: MLP) -> Any:
    """A float64 ``torch.nn.Module`` computing what ``model`` computes, with its weights copied.

    Args:
        model: an MLP (a ``Layer(nin, nout, act)`` is ``MLP(nin, [nout], output_activation=act)``).

    Returns:
        A ``TorchMLP``: it maps a tensor (..., nin) to (..., nout); its parameters are new tensors (a
        change to one side does not change the other); ``state_dict`` keys as in ``torch_name``.

    Raises:
        TypeError: ``model`` is not an MLP.
        ModuleNotFoundError: torch is not installed.

    This example needs torch:

    >>> import torch
    >>> from autograd_mini import MLP
    >>> model = MLP(2, [3, 1], seed=0)
    >>> module = to_torch(model)
    >>> out = module(torch.tensor([0.5, -1.0], dtype=torch.float64))
    >>> abs(out.item() - model([0.5, -1.0])[0].data) < 1e-12
    True
    """
    if not isinstance(model, MLP):
        hint = "; a Layer(nin, nout, act) is MLP(nin, [nout], output_activation=act)" * isinstance(model, Layer)
        hint += "; a Neuron(nin, act) is MLP(nin, [1], output_activation=act)" * isinstance(model, Neuron)
        raise TypeError(f"model must be an MLP, got {type(model).__name__}: {checks.shown(model)}{hint}")
    torch = _torch()
    sizes = [model.nin, *model.nouts]
    module = _torch_mlp_class()(sizes, model.activation, model.output_activation, model.bias)
    tables = {key: tensor.tolist() for key, tensor in module.state_dict().items()}
    for name, param in model.named_parameters():
        key, index = torch_name(name)
        _set(tables[key], index, param.data)
    module.load_state_dict({key: torch.tensor(table, dtype=torch.float64) for key, table in tables.items()})
    return module


def from_torch(module: Any) -> MLP:
    """Our MLP with the layers, activations and weights of a torch module (the inverse of ``to_torch``).

    A float32 (or float16) module is taken too: each of its numbers is exactly a float64, but our MLP then
    computes in float64, so its outputs agree with the module's only to the module's own precision.

    Args:
        module: a ``TorchMLP`` made by ``to_torch``, a ``torch.nn.Sequential`` of ``Linear`` layers each
            followed by ``Tanh``, ``Sigmoid``, ``ReLU``, ``Identity`` or nothing (linear), with one
            activation for all hidden layers and a bias in every layer or in none, or one ``Linear``.

    Returns:
        A new MLP; ``from_torch(to_torch(model))`` has ``model``'s architecture and numbers exactly.

    Raises:
        TypeError: ``module`` is not a torch module.
        ValueError: the module holds what our MLP cannot (naming the layer): another kind of layer
            (Conv2d, Dropout, GELU, a subclass of Linear, ...), an activation not after a Linear, sizes
            that do not chain, hidden activations that differ, a bias in some layers only, complex or
            non-finite numbers.
        ModuleNotFoundError: torch is not installed.

    This example needs torch:

    >>> import torch
    >>> layers = torch.nn.Sequential(torch.nn.Linear(2, 3), torch.nn.Tanh(), torch.nn.Linear(3, 1)).double()
    >>> model = from_torch(layers)
    >>> model.nin, model.nouts, model.activation
    (2, [3, 1], 'tanh')
    """
    torch = _torch()
    checks.instance(module, torch.nn.Module, "module", "a torch.nn.Module")
    linears, activations = _layers(torch, module)
    hidden = _one_hidden_activation(activations, getattr(module, "activation", "tanh"))
    biases = {name: linear.bias is not None for name, linear in linears}
    if len(set(biases.values())) > 1:
        without = next(name for name, has in biases.items() if not has)
        raise ValueError(f"module's layer {without!r} must have a bias, as the others do (our MLP: all or none)")
    tables = {}
    for i, (name, linear) in enumerate(linears):
        for part in ("weight", "bias") if linear.bias is not None else ("weight",):
            tables[f"layers.{i}.{part}"] = _numbers(torch, getattr(linear, part), f"{name}.{part}".lstrip("."))
    nin, nouts = linears[0][1].in_features, [linear.out_features for _, linear in linears]
    model = MLP(nin, nouts, hidden, activations[-1], bias=linears[0][1].bias is not None, seed=0)
    state = {}
    for name in model.state_dict():
        key, index = torch_name(name)
        state[name] = _get(tables[key], index)
    model.load_state_dict(state)
    return model


def _layers(torch: Any, module: Any) -> tuple[list[tuple[str, Any]], list[str]]:
    """The module's Linear layers (with their names) and the activation after each, checked to chain."""
    if type(module) is _torch_mlp_class():
        pairs = enumerate(zip(module.layers, module.activations, strict=True))
        children = [item for i, (lin, act) in pairs for item in ((f"layers.{i}", lin), (f"activations.{i}", act))]
    elif type(module) is torch.nn.Sequential:
        children = list(module.named_children())
    elif type(module) is torch.nn.Linear:
        children = [("", module)]
    else:
        raise ValueError(f"module must be {_TAKES}, got {type(module).__name__}: {checks.shown(module)}")
    linears: list[tuple[str, Any]] = []
    activations: list[str | None] = []
    ours = {getattr(torch.nn, kind): activation for activation, kind in TORCH_ACTIVATIONS.items()}
    for name, child in children:
        if type(child) is torch.nn.Linear:  # exactly: a subclass may compute something else
            if linears and child.in_features != linears[-1][1].out_features:
                raise ValueError(
                    f"module's layer {name!r} must take the {linears[-1][1].out_features} outputs of "
                    f"{linears[-1][0]!r}, got in_features={child.in_features}"
                )
            linears.append((name, child))
            activations.append(None)
        elif type(child) in ours:
            if not linears or activations[-1] is not None:
                raise ValueError(f"module's layer {name!r} ({type(child).__name__}) must follow a Linear layer")
            activations[-1] = ours[type(child)]
        else:
            raise ValueError(
                f"module's layer {name!r} must be a Linear or Tanh, Sigmoid, ReLU, Identity, "
                f"got {type(child).__name__}: {checks.shown(child)}"
            )
    if not linears:
        raise ValueError(f"module must be {_TAKES}, got one without a Linear layer: {checks.shown(module)}")
    return linears, [activation or "linear" for activation in activations]


def _one_hidden_activation(activations: list[str], default: str) -> str:
    """The activation shared by all layers but the last (``default`` when there is only one layer)."""
    hidden = activations[:-1]
    if any(activation != hidden[0] for activation in hidden):
        first = next(i for i, activation in enumerate(hidden) if activation != hidden[0])
        raise ValueError(
            f"module's hidden layer {first} must have the activation of layer 0 ({hidden[0]}), got {hidden[first]}: "
            "our MLP has one activation for all hidden layers"
        )
    return hidden[0] if hidden else default


def _numbers(torch: Any, tensor: Any, name: str) -> Any:
    """A tensor's numbers as nested lists of Python floats, after checking they are real and finite."""
    tensor = tensor.detach()
    if not tensor.is_floating_point():
        raise ValueError(f"module's {name} must hold real floating-point numbers, got dtype {tensor.dtype}")
    bad = (~torch.isfinite(tensor)).nonzero()
    if len(bad):
        index = tuple(bad[0].tolist())
        raise ValueError(f"module's {name}{list(index)} must be a finite number, got {tensor[index].item()!r}")
    return tensor.cpu().to(torch.float64).tolist()


def _get(table: Any, index: tuple[int, ...]) -> float:
    for i in index:
        table = table[i]
    return float(table)


def _set(table: Any, index: tuple[int, ...], number: float) -> None:
    *outer, last = index
    for i in outer:
        table = table[i]
    table[last] = number
