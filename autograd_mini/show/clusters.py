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

A page that has only the graph finds the model's parameters by their dotted labels
(``LabelledParameters``), and calls them briefly (``brief_names``): ``L0N1.w0`` for
``layers.0.neurons.1.w.0``, in the cluster ``layers.0.neurons.1``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
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


# A parameter's label as autograd_mini.nn writes it: dotted words and indices, layers.0.neurons.3.w.1.
_DOTTED = re.compile(r"[A-Za-z_]\w*(\.\w+)+")


class LabelledParameters:
    """The parameters of a graph found by their labels (``layers.0.neurons.3.w.1``): a model for ``clusters``.

    A leaf is a parameter when its label is a dotted name of a module and a parameter, as
    ``nn`` labels them; ``x[0]``, ``w1`` or ``b`` are not.
    """

    def __init__(self, order: Iterable[Value]) -> None:
        self.pairs = tuple(
            (node.label, node)
            for node in order
            if not node.parents and node.op == "" and _DOTTED.fullmatch(node.label) and _module_path(node.label)
        )

    def named_parameters(self) -> Iterator[tuple[str, Value]]:
        """Each parameter's label and the parameter."""
        return iter(self.pairs)


def _tag(path: str) -> str:
    """A module's short tag: the first letter of each word and its index, 'layers.0.neurons.1' -> 'L0N1'."""
    parts = path.split(".")
    words, indices = parts[0::2], parts[1::2]
    if len(words) != len(indices) or not all(index.isdigit() for index in indices):
        return path  # not word.index pairs: the path itself
    return "".join(word[0].upper() + index for word, index in zip(words, indices, strict=True))


def brief_names(order: list[Value], names: Mapping[Value, str]) -> dict[Value, str]:
    """``names`` with each labelled parameter called briefly: ``w1`` and ``b``, with its neuron's tag where they repeat.

    ``layers.0.neurons.1.w.1`` becomes ``w1`` when no other parameter is ``w1``, else ``L0N1.w1``
    (layer 0, neuron 1: its cluster ``layers.0.neurons.1`` says so once). A brief name that any
    other node already has keeps the full one, so no two nodes share a name.

    >>> from autograd_mini.engine import topological_order
    >>> from autograd_mini.names import node_names
    >>> from autograd_mini.nn import MLP
    >>> out = MLP(2, [2, 1], seed=0)([1.0, 2.0])[0]
    >>> order = topological_order(out)
    >>> sorted(name for name in brief_names(order, node_names(out)).values() if name.startswith("L1"))
    ['L1N0.b', 'L1N0.w0', 'L1N0.w1']
    """
    params = _parameter_names(LabelledParameters(order), "neuron")
    short = {param: inside.replace(".", "") for param, (_, inside) in params.items()}
    repeats = Counter(short.values())
    brief = {param: f"{_tag(params[param][0])}.{name}" if repeats[name] > 1 else name for param, name in short.items()}
    taken = Counter(name for node, name in names.items() if node not in brief) + Counter(brief.values())
    return {node: brief[node] if taken[brief.get(node, "")] == 1 else name for node, name in names.items()}
