"""Backpropagation as the seed texts tell it: each neuron's net input, activation and sensitivity.

A neuron of layer l computes its net input ``p = b + sum_k w_k x_k`` and passes on ``A(p)``. Its
*sensitivity* is ``delta = d(root)/d(p)``: how much the root (a loss, or an output) moves per unit
of net input. Sensitivities flow backward a layer at a time,

    delta_p = A'(p) * sum_c w_pc * delta_c        (c: the neurons of the next layer that read p)

and every gradient a training step needs is one product away: ``d(root)/d(w_pc) = A(p) * delta_c``
and ``d(root)/d(b_c) = delta_c``.

``read_sensitivities`` does not compute those formulas. It builds the model's ordinary scalar graph
(the graph ``draw`` shows), runs the ordinary ``backward()``, and reads the numbers off the nodes:
``p`` is the weighted-sum node before the activation (``Layer.last_sums``; with activation "linear"
it is the neuron's output itself), ``delta`` is that node's ``.grad``, and the weight and bias
gradients are the parameters' ``.grad``. The tests check the formulas above against these readings.

>>> from autograd_mini import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> reading = read_sensitivities(model, [1.0, -2.0], target=0.5)     # root: sse(outputs, 0.5)
>>> [len(layer) for layer in reading.layers]
[3, 1]
>>> out = reading.layers[-1][0]                  # linear output o = p, so delta = 2 (o - 0.5)
>>> abs(out.delta - 2 * (out.activation - 0.5)) < 1e-12
True
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from .. import checks, losses
from ..engine import Value
from ..nn import MLP
from ..numeric import as_float

__all__ = ["LOSSES", "NeuronReading", "Reading", "read_sensitivities"]

#: The losses ``read_sensitivities`` takes by name, each called as ``loss(outputs, target)``.
LOSSES: dict[str, Callable[[Any, Any], Value]] = {
    "sse": losses.sse,
    "mse": losses.mse,
    "hinge": losses.hinge,
    "binary_cross_entropy": losses.binary_cross_entropy,
    "cross_entropy": losses.cross_entropy,
}


@dataclass(frozen=True)
class NeuronReading:
    """One neuron after one forward and backward pass (floats; ``bias`` and ``bias_grad`` None without a bias).

    Attributes:
        layer: the layer's index (0: the first layer after the inputs).
        index: the neuron's place in its layer, top to bottom.
        activation_name: "tanh", "sigmoid", "relu" or "linear".
        net_input: p = b + sum_k w_k x_k, the weighted sum before the activation.
        activation: A(p), what the neuron passes on.
        delta: d(root)/d(p), the neuron's sensitivity.
        weights: w_k, one per input of the neuron, in input order.
        weight_grads: d(root)/d(w_k), in the same order.
        bias: b.
        bias_grad: d(root)/d(b), which is delta.
    """

    layer: int
    index: int
    activation_name: str
    net_input: float
    activation: float
    delta: float
    weights: tuple[float, ...]
    weight_grads: tuple[float, ...]
    bias: float | None
    bias_grad: float | None


@dataclass(frozen=True)
class Reading:
    """What ``read_sensitivities`` read: the inputs, every neuron layer by layer, and the root.

    Attributes:
        inputs: the input row x.
        input_grads: d(root)/d(x_k) for each input.
        layers: one tuple of NeuronReading per layer, input side first.
        root: the root's value.
        root_text: what the root is, in words ("sse(outputs, [1, 0])", "the output", ...).
    """

    inputs: tuple[float, ...]
    input_grads: tuple[float, ...]
    layers: tuple[tuple[NeuronReading, ...], ...]
    root: float
    root_text: str


def read_sensitivities(
    model: MLP,
    x: Sequence[float],
    target: Any = None,
    *,
    loss: str | Callable[[list[Value], Any], Value] = "sse",
    root: Callable[[list[Value]], Value] | None = None,
) -> Reading:
    """Run ``model`` on one input row, backward from a root, and read every neuron's p, A(p) and delta.

    The root is, in this order of choice: ``root(outputs)`` if ``root`` is given; else
    ``loss(outputs, target)`` if ``target`` is given; else the model's one output. The model's
    parameters keep the ``.grad`` they had before the call (the reading is taken, then the
    gradients are put back), so reading a model does not disturb a training loop.

    Args:
        model: an ``autograd_mini.nn.MLP``.
        x: one input row, ``model.nin`` finite real numbers.
        target: the target of ``loss``, as the loss takes it (a number, a list, a class index).
        loss: a name from LOSSES ("sse", the seed texts' squared error, by default), or a function
            ``(outputs, target) -> Value``.
        root: a function from the model's outputs (a list of Values) to the Value to differentiate.

    Returns:
        A Reading.

    Raises:
        TypeError: ``model`` is not an MLP, ``x`` holds a non-number, or ``loss``/``root`` are no functions.
        ValueError: ``x`` has the wrong length or a non-finite number; ``target`` and ``root`` are
            both given; the model has several outputs and neither ``target`` nor ``root`` says
            which root to use.

    >>> from autograd_mini import MLP
    >>> model = MLP(1, [1], output_activation="tanh", seed=0)
    >>> (neuron,) = read_sensitivities(model, [2.0]).layers[0]      # root: tanh(p) itself
    >>> abs(neuron.delta - (1 - neuron.activation**2)) < 1e-12       # tanh' = 1 - tanh**2
    True
    >>> read_sensitivities(model, [1.0, 2.0])
    Traceback (most recent call last):
    ...
    ValueError: x must be a row of 1 number (the model's inputs), got 2 numbers: [1.0, 2.0]
    """
    row = _checked_call(model, x, target, loss, root)
    params = model.parameters()
    saved = [p.grad for p in params]
    for p in params:
        p.grad = 0.0
    try:
        return _read(model, row, target, loss, root)
    finally:
        for p, grad in zip(params, saved, strict=True):
            p.grad = grad


def _read(
    model: MLP, row: list[float], target: Any, loss: str | Callable[..., Value], root: Callable[..., Value] | None
) -> Reading:
    """The forward of ``MLP.__call__``, layer by layer so each layer's outputs are kept, then backward."""
    leaves = [Value(xi, label=f"x[{i}]") for i, xi in enumerate(row)]
    outs: list[Value] = leaves
    activations = []
    for layer in model.layers:
        outs = layer(outs)
        activations.append(outs)
    top, text = _root(outs, target, loss, root)
    top.backward()
    layers = tuple(
        tuple(_neuron(i, j, neuron, layer.last_sums[j], out[j]) for j, neuron in enumerate(layer.neurons))
        for i, (layer, out) in enumerate(zip(model.layers, activations, strict=True))
    )
    return Reading(tuple(row), tuple(as_float(leaf.grad) for leaf in leaves), layers, top.data, text)


def _neuron(i: int, j: int, neuron: Any, net: Value, out: Value) -> NeuronReading:
    b = neuron.b
    return NeuronReading(
        layer=i,
        index=j,
        activation_name=neuron.activation,
        net_input=net.data,
        activation=out.data,
        delta=as_float(net.grad),
        weights=tuple(w.data for w in neuron.w),
        weight_grads=tuple(as_float(w.grad) for w in neuron.w),
        bias=None if b is None else b.data,
        bias_grad=None if b is None else as_float(b.grad),
    )


def _root(
    outs: list[Value], target: Any, loss: str | Callable[..., Value], root: Callable[..., Value] | None
) -> tuple[Value, str]:
    """The Value to backward from, and how a caption names it."""
    if root is not None:
        made = root(outs)
        return checks.instance(made, Value, "root(outputs)", "a Value"), "root(outputs)"
    if target is not None:
        if isinstance(loss, str):
            return LOSSES[loss](outs, target), f"{loss}(outputs, {_target_text(target)})"
        made = loss(outs, target)
        return checks.instance(made, Value, "loss(outputs, target)", "a Value"), "loss(outputs, target)"
    return outs[0], "the output"


def _target_text(target: Any) -> str:
    if isinstance(target, (list, tuple)):
        return "[" + ", ".join(_target_text(t) for t in target) + "]"
    return f"{target:g}" if isinstance(target, float) else checks.shown(target)


def _checked_call(model: Any, x: Any, target: Any, loss: Any, root: Any) -> list[float]:
    """Every argument checked before any work: the input row as floats."""
    checks.instance(model, MLP, "model", "an autograd_mini.nn.MLP")
    if isinstance(x, (str, bytes)) or not hasattr(x, "__len__") or not hasattr(x, "__iter__"):
        raise TypeError(f"x must be a row of {model.nin} numbers, got {type(x).__name__}: {checks.shown(x)}")
    if len(x) != model.nin:
        raise ValueError(
            f"x must be a row of {_numbers(model.nin)} (the model's inputs), got {_numbers(len(x))}: {checks.shown(x)}"
        )
    row = [checks.number_in(xi, f"x[{i}]") for i, xi in enumerate(x)]
    if root is not None:
        checks.function(root, "root")
        if target is not None:
            raise ValueError("target and root cannot both be given: root(outputs) is the root, with no loss")
    elif isinstance(loss, str):
        checks.one_of(loss, "loss", LOSSES)
    else:
        checks.function(loss, "loss")
    if root is None and target is None and model.nouts[-1] != 1:
        raise ValueError(
            f"target must be given for a model of {model.nouts[-1]} outputs (the root is then "
            f"loss(outputs, target)), or root=a function of the outputs; got target=None"
        )
    return row


def _numbers(n: int) -> str:
    return f"{n} number" if n == 1 else f"{n} numbers"
