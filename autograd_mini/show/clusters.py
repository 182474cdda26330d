"""Boxes around the parts of a model in a drawing: one per neuron, or one per layer (``draw(..., cluster=model)``).

A parameter belongs to the module its dotted name says (``layers.0.neurons.3.w.1`` to the neuron
``layers.0.neurons.3``); an operation joins the box of the parameters it reads, or of all its
arguments, so a neuron's products, sum and activation sit in its box.

>>> from autograd_mini.engine import topological_order
>>> from autograd_mini.nn import MLP
>>> model = MLP(2, [2, 1], seed=0)
>>> groups, _ = clusters(topological_order(model([1.0, 2.0])[0]), model)
>>> sorted(set(groups.values()))
['layers.0.neurons.0', 'layers.0.neurons.1', 'layers.1.neurons.0']
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from .. import checks
from ..engine import Value

GRANULARITIES = ("neuron", "layer")


class HasNamedParameters(Protocol):
    """Anything with ``named_parameters()``, such as a model from ``autograd_mini.nn``."""

    def named_parameters(self) -> Iterable[tuple[str, Value]]: ...


def _module_path(name: str) -> str:
    """The module that owns a parameter name: 'layers.0.neurons.3.w.1' -> 'layers.0.neurons.3'."""
    parts = name.split(".")
    if len(parts) > 1 and parts[-1].isdigit():
        parts.pop()  # an index into a list of parameters, such as w.1
    return ".".join(parts[:-1])


def _parameter_names(model: Any, granularity: str) -> dict[Value, tuple[str, str]]:
    """Each parameter's cluster and its name inside it: 'layers.0.neurons.3.w.1' -> ('layers.0.neurons.3', 'w.1')."""
    checks.one_of(granularity, "cluster granularity", GRANULARITIES)
    if not callable(getattr(model, "named_parameters", None)):
        raise TypeError(f"cluster expects a model with named_parameters(), got {type(model).__name__}")
    names = {}
    for pair in model.named_parameters():
        if not (isinstance(pair, tuple) and len(pair) == 2 and isinstance(pair[0], str) and isinstance(pair[1], Value)):
            raise TypeError(f"named_parameters() should give (str, Value) pairs, got {pair!r}")
        name, parameter = pair
        path = _module_path(name)
        if granularity == "layer":
            path = _module_path(path)  # the module that holds the neuron
        names[parameter] = (path or "model", name[len(path) :].lstrip("."))
    return names


def clusters(order: list[Value], cluster: Any) -> tuple[dict[Value, str], dict[Value, str]]:
    """The cluster of each node that has one, and a name for each parameter.

    A parameter is in its module's cluster. An operation joins a cluster when one of its
    arguments is a parameter of it (w * x), or when all its arguments are in that cluster
    (a sum of a neuron's products, its activation). Operations that mix modules, or a module
    and anything from outside (an input, a target, a constant), stay outside: so the loss
    does not land in the output neuron. One exception: ``0 + w*x`` joins, since Python's
    ``sum`` starts from 0.
    """
    model, granularity = cluster if isinstance(cluster, tuple) else (cluster, "neuron")
    params = _parameter_names(model, granularity)
    groups = {param: path for param, (path, _) in params.items()}
    for node in order:
        if node in groups or not node.parents:
            continue
        own = {groups[p] for p in node.parents if p in params}
        inherited = {groups.get(p) for p in node.parents if not _is_sum_start(p, node)}
        if len(own) == 1:
            groups[node] = own.pop()
        elif not own and len(inherited) == 1 and (path := inherited.pop()) is not None:
            groups[node] = path
    # Inside its cluster a parameter is called by the rest of its name: w.1, not layers.0.neurons.3.w.1.
    shown = {param: f"{path}.{short}" for param, (path, short) in params.items()}
    return groups, {param: short for param, (_, short) in params.items() if param.label in ("", shown[param])}


def _is_sum_start(parent: Value, node: Value) -> bool:
    return node.op == "+" and parent.op == "const" and parent.data == 0
