"""Trace once, run over batches: the scalar graph of one sample, compiled into a numpy program.

``trace(fn, *example_args)`` calls ``fn`` once, on Values, and keeps the graph it builds. The
:class:`Program` it returns runs that same graph over a whole batch of inputs with numpy, reading
the parameters' current ``.data`` on every call, so it follows an optimizer without being traced
again. ``program.backward`` adds the batch's gradients to the parameters' ``.grad``, as
``loss.backward()`` would for the per-sample graphs summed or averaged:

>>> import numpy as np
>>> from autograd_mini import MLP
>>> model = MLP(2, [4, 1], seed=0)
>>> program = trace(lambda x: model(x)[0], [0.5, -1.0])
>>> print(program)                                  # doctest: +ELLIPSIS
Program: 47 nodes per sample, 1 input (x: 2 numbers), 17 parameters, 1 output, 3 levels
  layer 1: 4 neurons reading the same 2 inputs, one 4x2 matrix product
  layer 2: 1 neuron reading 4 inputs, one 1x4 matrix product
...
>>> X = np.array([[0.5, -1.0], [1.0, 2.0], [0.0, 0.0]])
>>> program(X).shape
(3,)

Three kinds of leaves: each example argument becomes **inputs** (a number one Value, a sequence a
list of Values); a number wrapped inside ``fn`` (``x + 1``) is a **constant**; every other leaf the
graph reaches (a model's weights, any Value made outside ``fn``) is a **parameter**, read by
reference.

``no_grad`` and ``detect_anomaly`` concern building graphs, not running a program: a program
always computes its gradients, and NaN or inf pass through it as through the eager engine.

The trace records operations, not Python control flow: an ``if`` on a Value's ``data`` inside
``fn`` is decided once, for the example, and the program takes the same branch for every row.
Write branches as operations (``relu``, ``abs``) instead. ``trace`` runs the program on the
example arguments and refuses it if the values differ from the traced ones.

How it runs: nodes are grouped by depth and op, one numpy call per group over a (rows x batch)
array. Each neuron's ``b + w_1 x_1 + ... + w_k x_k`` (a chain of ``+`` whose partial sums nobody
else reads) becomes one linear combination, and the neurons that read the same inputs become one
matrix product: the compiler finds the matrix multiply hidden in the scalar graph. ``print``
says what was fused; ``program.source`` stays the scalar program, line by line.
"""

from __future__ import annotations

import builtins
import inspect
import itertools
import keyword
import math
import numbers
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from . import checks
from .engine import Value
from .modes import MODES
from .names import reading_order
from .rules import RULES, Rule, not_finite

try:
    import numpy as np
    from numpy.typing import NDArray
except ImportError as error:
    raise checks.missing("numpy", "autograd_mini.compiled (trace and its programs)") from error

__all__ = ["Program", "TraceError", "trace"]

Array = NDArray[np.float64]

#: At most this many numbers in a program's working arrays (rows x batch), checked before allocating.
MAX_WORKING_VALUES = 50_000_000
#: Batches are run in chunks of about this many working numbers, so that a chunk stays in the cache.
CHUNK_VALUES = 1 << 17


class TraceError(ValueError):
    """``fn`` cannot be traced into a program, or the program does not reproduce the trace."""


# -- the primitives on numpy arrays ----------------------------------------------------------
#
# Each mirrors its line in rules.py: the same formula, the same edge values (relu'(0) = 0,
# abs'(0) = 0, sqrt'(0) = inf, the ** rules). Domain errors are not checked here: a forward that
# produces a non-finite number is re-run by the eager rule on that one element (_check), so the
# error is the eager engine's own, with the batch row added.


@dataclass(frozen=True)
class _Kernel:
    """An op on arrays: its forward, and what each input receives from the upstream gradient ``u``."""

    forward: Callable[..., Any]
    backward: Callable[..., tuple[Any, ...]]  # (u, *inputs, out) -> one contribution per input
    derivative: Callable[..., tuple[Any, ...]] | None = None  # given where a local derivative may overflow


def _where(condition: Any, yes: Any, no: Any) -> Array:
    chosen: Array = np.where(condition, yes, no).astype(np.float64, copy=False)
    return chosen


def _pow_derivative(a: Array, b: Array, out: Array) -> tuple[Array, Array]:
    at_zero = (a == 0.0) & (b < 1.0)
    base = _where(at_zero, _where(b == 0.0, 0.0, math.inf), b * np.power(a, b - 1.0))
    return base, _where(a > 0.0, out * np.log(np.abs(a)), 0.0)


def _sigmoid(a: Array) -> Array:
    e = np.exp(-np.abs(a))  # exp(-a) for a >= 0, exp(a) below: never a large positive argument
    return _where(a >= 0.0, 1.0 / (1.0 + e), e / (1.0 + e))


def _relu(a: Array) -> Array:
    out: Array = np.maximum(a, 0.0)  # fast, but +0 where the eager max(a, 0.0) keeps a's -0.0
    negative_zero = np.signbit(a) & (a == 0.0)
    if negative_zero.any():
        out[negative_zero] = -0.0
    return out


def _times_derivative(derivative: Callable[..., tuple[Any, ...]]) -> Callable[..., tuple[Any, ...]]:
    """The backward of an op given by its local derivatives: upstream times each."""
    return lambda u, *args: tuple(u * d for d in derivative(*args))


_KERNELS: dict[str, _Kernel] = {
    "+": _Kernel(np.add, lambda u, a, b, out: (u, u)),
    "-": _Kernel(np.subtract, lambda u, a, b, out: (u, -u)),
    "*": _Kernel(np.multiply, lambda u, a, b, out: (u * b, u * a)),
    "/": _Kernel(np.divide, lambda u, a, b, out: (u / b, -u * out / b), lambda a, b, out: (1.0 / b, -out / b)),
    "**": _Kernel(np.power, _times_derivative(_pow_derivative), _pow_derivative),
    "neg": _Kernel(np.negative, lambda u, a, out: (-u,)),
    "abs": _Kernel(np.abs, lambda u, a, out: (u * _where(a > 0.0, 1.0, _where(a < 0.0, -1.0, 0.0)),)),
    "exp": _Kernel(np.exp, lambda u, a, out: (u * out,)),
    "log": _Kernel(np.log, lambda u, a, out: (u / a,), lambda a, out: (1.0 / a,)),
    "sqrt": _Kernel(np.sqrt, lambda u, a, out: (u * _where(out == 0.0, math.inf, 0.5 / out),)),
    "tanh": _Kernel(np.tanh, lambda u, a, out: (u * (1.0 - out * out),)),
    "sigmoid": _Kernel(_sigmoid, lambda u, a, out: (u * out * (1.0 - out),)),
    "relu": _Kernel(_relu, lambda u, a, out: (u * (a > 0.0),)),
    "softplus": _Kernel(
        lambda a: np.maximum(a, 0.0) + np.log1p(np.exp(-np.abs(a))), lambda u, a, out: (u * _sigmoid(a),)
    ),
    "sin": _Kernel(np.sin, lambda u, a, out: (u * np.cos(a),)),
    "cos": _Kernel(np.cos, lambda u, a, out: (-u * np.sin(a),)),
}

# The rules these kernels were written for: a rule changed or added since (rules.define) is run
# element by element through its own Python functions instead.
_KERNEL_RULES: dict[str, Rule] = {op: RULES[op] for op in _KERNELS}


def _elementwise(op: str, rule: Rule) -> _Kernel:
    """A kernel that runs the rule's own Python functions on each element (for rules the kernels do not know)."""

    def each(function: Callable[..., Any], arrays: tuple[Any, ...]) -> tuple[list[Any], tuple[int, ...]]:
        shape = np.broadcast_shapes(*(np.shape(a) for a in arrays))
        columns = [np.broadcast_to(a, shape).ravel().tolist() for a in arrays]
        results = []
        for k, xs in enumerate(zip(*columns, strict=True)):
            try:
                results.append(function(*xs))
            except (ArithmeticError, ValueError) as error:
                raise _ColumnError(error, op, k % shape[-1]) from None
        return results, shape

    def forward(*arrays: Any) -> Array:
        results, shape = each(rule.forward, arrays)
        return np.array(results, dtype=np.float64).reshape(shape)

    def derivative(*arrays: Any) -> tuple[Array, ...]:
        results, shape = each(rule.derivative, arrays)
        return tuple(np.array(local, dtype=np.float64).reshape(shape) for local in zip(*results, strict=True))

    return _Kernel(forward, _times_derivative(derivative), derivative)


class _ColumnError(Exception):
    """An eager rule's error at one column of a chunk; the program adds the batch row and the op."""

    def __init__(self, error: ArithmeticError | ValueError, op: str, column: int) -> None:
        super().__init__(str(error))
        self.error, self.op, self.column = error, op, column


def _kernel(op: str) -> _Kernel:
    rule = RULES.get(op)
    if rule is None:
        raise TraceError(f"the graph uses the op {op!r}, which is not in rules.RULES")
    return _KERNELS[op] if _KERNEL_RULES.get(op) is rule else _elementwise(op, rule)


# -- the graph, as the program sees it ------------------------------------------------------

_ROW, _SCALAR = "row", "scalar"  # an operand is a row of the batch array, or one number for every row


@dataclass
class _OpNode:
    """A node computed for every row of the batch: ``op`` of its operands."""

    node: Value
    operands: list[tuple[str, Any]]  # (_ROW, the parent Value) or (_SCALAR, its scalar index)
    level: int


@dataclass
class _Linear:
    """A fused neuron: ``sum(bias) + sum(coefficient * row)``, from a chain of ``+`` and ``*`` nodes."""

    node: Value
    terms: list[tuple[int, Value]]  # (scalar index of the coefficient, the Value of the row it multiplies)
    bias: list[int]  # scalar indices
    level: int
    replaces: int  # how many nodes of the scalar graph it stands for


@dataclass
class _Group:
    """One numpy call each way: same-op nodes at one level, or the neurons that read the same rows."""

    kind: str  # an op of rules.py, or "linear"
    out: slice
    members: int
    replaces: int
    operands: list[tuple[str, Any, bool]]  # an op's, per position: (_ROW, rows, unique) or (_SCALAR, scalars, _)
    kernel: _Kernel | None = None
    coefficients: Any = None  # linear: (m, k) scalar indices
    inputs: Any = None  # linear: k row indices, a slice when they are consecutive
    inputs_unique: bool = True
    coefficients_unique: bool = True  # linear: no scalar appears twice among the coefficients (nor the bias)
    bias_unique: bool = True
    bias: Any = None  # linear: (m, n) scalar indices, padded with the scalar 0.0


def _all_different(indices: Sequence[int]) -> bool:
    return len(set(indices)) == len(indices)


def _as_index(rows: Sequence[int]) -> Any:
    """A slice where the rows are consecutive (numpy then reads a view, not a copy), else an index array."""
    if rows and all(b == a + 1 for a, b in itertools.pairwise(rows)):
        return slice(rows[0], rows[-1] + 1)
    return np.array(rows, dtype=np.intp)


def _first_row(item: _OpNode | _Linear, row_of: dict[Value, int]) -> int:
    """The row of the item's first row operand (-1 if none): members sorted by it keep their inputs' order."""
    if isinstance(item, _Linear):
        return row_of[item.terms[0][1]] if item.terms else -1
    return next((row_of[value] for kind, value in item.operands if kind == _ROW), -1)


def _fusable(nodes: list[Value], outputs: set[Value], scalars: dict[Value, int]) -> set[Value]:
    """The nodes a fused neuron swallows: partial sums read only by the next ``+``, and products
    ``scalar * row`` read only by a ``+``. Nobody else reads them, so they need no row of their own.
    """
    uses: dict[Value, int] = {}
    consumer: dict[Value, Value] = {}
    for node in nodes:
        for parent in node.parents:
            uses[parent] = uses.get(parent, 0) + 1
            consumer[parent] = node
    fused = set()
    for node in nodes:
        if uses.get(node) != 1 or node in outputs or consumer[node].op != "+":
            continue
        if node.op == "+" or (node.op == "*" and sum(p in scalars for p in node.parents) == 1):
            fused.add(node)
    return fused


# -- trace -----------------------------------------------------------------------------------


def trace(fn: Callable[..., Any], *example_args: Any) -> Program:
    """Call ``fn`` once on Values built from ``example_args`` and compile the graph it returns.

    Args:
        fn: a function of numbers (``float``) and sequences of numbers, written with Values' operators
            and functions, returning a Value or a list of Values.
        example_args: one example per argument of ``fn``: a number, or a sequence of numbers.

    Returns:
        The Program; ``program(*batch_args)`` evaluates it over a batch.

    Raises:
        TraceError: ``fn`` returns something other than Values, the graph does not use the inputs as
            recorded, or the program does not reproduce the traced values.
        TypeError: ``fn`` is not callable, or an example is neither a number nor a sequence of numbers.

    >>> from autograd_mini import Value
    >>> w = Value(3.0, label="w")
    >>> program = trace(lambda x: (w * x).tanh(), 0.1)
    >>> program.parameters == [w], program.input_names
    (True, ['x'])
    """
    if not callable(fn):
        raise TypeError(f"trace expects a function, got {type(fn).__name__}: {fn!r}")
    if not MODES.record_graph:
        raise TraceError("trace cannot record a graph inside no_grad()")
    if not example_args:
        raise TraceError("trace needs one example per argument of fn, and fn at least one argument: the batch")
    names = _argument_names(fn, len(example_args))
    inputs, leaves, shapes = [], [], []
    for name, example in zip(names, example_args, strict=True):
        made, shape = _input_leaves(name, example)
        inputs.append(made)
        leaves += made if isinstance(made, list) else [made]
        shapes.append(shape)
    returned = fn(*inputs)
    outputs = _checked_outputs(returned)
    program = Program(fn, names, shapes, leaves, outputs, isinstance(returned, Value))
    program._check_reproduces(example_args, [out.data for out in outputs])
    return program


def _argument_names(fn: Callable[..., Any], count: int) -> list[str]:
    """The names of fn's parameters when it has ``count`` plain ones (else x0, x1, ...), as identifiers."""
    try:
        parameters = list(inspect.signature(fn).parameters.values())
    except (TypeError, ValueError):
        parameters = []
    plain = [p.name for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(plain) == count and len(parameters) == count:
        return plain
    return ["x"] if count == 1 else [f"x{i}" for i in range(count)]


def _input_leaves(name: str, example: Any) -> tuple[Value | list[Value], int | None]:
    """The Values fn receives for one example argument, and its width (None for a single number)."""
    if isinstance(example, Value):
        raise TypeError(f"trace: the example for {name!r} must be a number or a sequence of numbers, not a Value")
    if isinstance(example, numbers.Real) and not isinstance(example, bool):
        return Value(float(example), label=name), None
    try:
        items = list(example)
    except TypeError:
        raise TypeError(
            f"trace: the example for {name!r} must be a number or a sequence of numbers, "
            f"got {type(example).__name__}: {example!r}"
        ) from None
    if not items:
        raise TypeError(f"trace: the example for {name!r} is an empty sequence")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"trace: the example for {name!r} holds {type(item).__name__}: {item!r}, not a number")
    return [Value(float(item), label=f"{name}[{i}]") for i, item in enumerate(items)], len(items)


def _checked_outputs(returned: Any) -> list[Value]:
    outputs = [returned] if isinstance(returned, Value) else returned
    if not isinstance(outputs, (list, tuple)) or not outputs or not all(isinstance(o, Value) for o in outputs):
        raise TraceError(
            f"trace expects fn to return a Value or a non-empty list of Values, got {type(returned).__name__}"
        )
    return list(outputs)


# -- the program ----------------------------------------------------------------------------


class Program:
    """A traced graph that runs over batches: ``program(*batch)``, ``program.backward(*batch)``, ``program.source``.

    Made by :func:`trace`. Attributes: ``input_names`` (fn's arguments), ``parameters`` (the Values read
    by reference, in the order the graph first reaches them) and ``nodes`` (one sample's scalar graph,
    parents first).

    >>> from autograd_mini import Value
    >>> w = Value(2.0, label="w")
    >>> program = trace(lambda x: w * x * x, 3.0)
    >>> program(np.array([1.0, 2.0, 3.0])).tolist()             # w x² for each row
    [2.0, 8.0, 18.0]
    >>> program.backward(np.array([1.0, 2.0, 3.0]), reduction="sum"), w.grad   # sum of w x², of x²
    (28.0, 14.0)
    """

    def __init__(
        self,
        fn: Callable[..., Any],
        names: list[str],
        widths: list[int | None],
        inputs: list[Value],
        outputs: list[Value],
        single: bool,
    ) -> None:
        self.fn = fn
        self.input_names = names
        self._widths = widths
        self._single = single
        self._inputs = inputs
        self._outputs = outputs
        self.nodes = reading_order(*outputs)
        self._source: str | None = None
        is_input = set(inputs)
        leaves = [n for n in self.nodes if not n.parents]
        self.parameters: list[Value] = [n for n in leaves if n.op != "const" and n not in is_input]
        self._constants = [n for n in self.nodes if n.op == "const"]
        scalars = {p: i for i, p in enumerate([*self.parameters, *self._constants])}
        self._scalar_values = np.array([0.0] * len(self.parameters) + [c.data for c in self._constants] + [1.0, 0.0])
        self._one, self._zero = len(scalars), len(scalars) + 1
        if any(out in scalars for out in outputs):
            raise TraceError("fn returned a parameter or a constant unchanged: return an expression of the inputs")
        self._lay_out(scalars, {leaf: i for i, leaf in enumerate(inputs)})

    def _lay_out(self, scalars: dict[Value, int], input_rows: dict[Value, int]) -> None:
        """Fuse the neurons, then group the computed nodes by level and kind, each group on consecutive rows."""
        fused = _fusable(self.nodes, set(self._outputs), scalars)
        level: dict[Value, int] = dict.fromkeys(input_rows, 0)
        position = {node: i for i, node in enumerate(self.nodes)}
        groups: dict[tuple[Any, ...], list[_OpNode | _Linear]] = {}
        for node in self.nodes:
            if not node.parents or node in fused:
                continue
            item = self._lower(node, fused, scalars, level)
            level[node] = item.level
            if isinstance(item, _Linear):
                key: tuple[Any, ...] = (item.level, "linear", tuple(row for _, row in item.terms))
            else:
                key = (item.level, node.op, tuple(kind for kind, _ in item.operands))
            groups.setdefault(key, []).append(item)
        self._levels = max(level.values(), default=0)
        row_of = dict(input_rows)
        self._groups: list[_Group] = []
        for key in sorted(groups, key=lambda k: (k[0], min(position[item.node] for item in groups[k]))):
            members = sorted(groups[key], key=lambda item: (_first_row(item, row_of), position[item.node]))
            start = len(row_of)
            for item in members:
                row_of[item.node] = len(row_of)
            self._groups.append(self._group(members, slice(start, len(row_of)), row_of))
        self._n_rows = len(row_of)
        self._chunk = max(16, CHUNK_VALUES // self._n_rows)
        self._output_rows = np.array([row_of[out] for out in self._outputs], dtype=np.intp)

    def _lower(self, node: Value, fused: set[Value], scalars: dict[Value, int], level: dict[Value, int]) -> Any:
        """The program's form of one computed node: a fused neuron, or an op of rows and scalars."""
        if node.op == "+" and any(p in fused for p in node.parents):
            terms: list[tuple[int, Value]] = []
            bias: list[int] = []
            replaces = 0
            stack = [node]
            while stack:  # the chain's terms, left to right
                part = stack.pop()
                if part is node or (part in fused and part.op == "+"):
                    replaces += 1
                    stack.extend(reversed(part.parents))
                elif part in fused:  # scalar * row
                    replaces += 1
                    a, b = part.parents
                    coefficient, row = (a, b) if a in scalars else (b, a)
                    terms.append((scalars[coefficient], row))
                elif part in scalars:
                    bias.append(scalars[part])
                else:
                    terms.append((self._one, part))
            deepest = max((level[row] for _, row in terms), default=0)
            return _Linear(node, terms, bias, deepest + 1, replaces)
        operands: list[tuple[str, Any]] = [(_SCALAR, scalars[p]) if p in scalars else (_ROW, p) for p in node.parents]
        deepest = max((level[p] for p in node.parents if p not in scalars), default=0)
        return _OpNode(node, operands, deepest + 1)

    def _group(self, members: list[Any], out: slice, row_of: dict[Value, int]) -> _Group:
        first = members[0]
        if isinstance(first, _Linear):
            rows = [row_of[row] for _, row in first.terms]
            width = max(len(m.bias) for m in members)
            bias = [m.bias + [self._zero] * (width - len(m.bias)) for m in members]
            coefficients = [[c for c, _ in m.terms] for m in members]
            return _Group(
                "linear",
                out,
                len(members),
                sum(m.replaces for m in members),
                [],
                coefficients=np.array(coefficients, dtype=np.intp),
                inputs=_as_index(rows),
                inputs_unique=_all_different(rows),
                coefficients_unique=_all_different([c for row in coefficients for c in row]),
                bias=np.array(bias, dtype=np.intp).reshape(len(members), width),
                bias_unique=_all_different([b for row in bias for b in row]),
            )
        operands: list[tuple[str, Any, bool]] = []
        for i, (kind, _) in enumerate(first.operands):
            if kind == _ROW:
                rows = [row_of[m.operands[i][1]] for m in members]
                operands.append((_ROW, _as_index(rows), len(set(rows)) == len(rows)))
            else:
                scalars = [m.operands[i][1] for m in members]
                operands.append((_SCALAR, np.array(scalars, dtype=np.intp), len(set(scalars)) == len(scalars)))
        op = first.node.op
        return _Group(op, out, len(members), len(members), operands, kernel=_kernel(op))

    # -- running ----------------------------------------------------------------------------

    def __call__(self, *batch_args: Any) -> Array:
        """The outputs for every row of the batch: shape (B,) for one output, (B, m) for m.

        Args:
            batch_args: one numpy array per argument of fn, the batch on axis 0: shape (B,) where the
                example was a number, (B, k) where it was a sequence of k numbers.

        >>> program = trace(lambda x: [x[0] * x[1], x[0] + x[1]], [1.0, 2.0])   # two outputs
        >>> program(np.array([[1.0, 2.0], [3.0, 4.0]])).tolist()
        [[2.0, 3.0], [12.0, 7.0]]
        """
        outputs = self._outputs_of(batch_args).T
        return outputs[:, 0].copy() if self._single else outputs.copy()

    def backward(self, *batch_args: Any, reduction: str = "mean") -> float:
        """Evaluate the one output over the batch, reduce it, and add its gradients to the parameters' ``.grad``.

        Args:
            batch_args: as for calling the program.
            reduction: "mean" or "sum" of the output over the batch's rows.

        Returns:
            The reduced output, a float: what ``loss.data`` is for the eager graph of the whole batch.

        >>> from autograd_mini import Value
        >>> w = Value(0.5, label="w")
        >>> program = trace(lambda x: (w * x - 1.0) ** 2, 1.0)          # a squared error per sample
        >>> program.backward(np.array([2.0, 4.0])), w.grad               # mean of 0 and 1; mean of 0 and 2(1)4
        (0.5, 4.0)
        """
        if len(self._outputs) != 1:
            raise ValueError(f"backward needs a program with one output, this one has {len(self._outputs)}")
        if reduction not in ("mean", "sum"):
            raise ValueError(f'reduction must be "mean" or "sum", got {reduction!r}')
        columns = self._checked_batch(batch_args)
        scalars = self._scalars()
        size = columns.shape[1]
        seed = 1.0 / size if reduction == "mean" else 1.0
        scalar_grads = np.zeros_like(scalars)
        total = 0.0
        for start in range(0, size, self._chunk):  # a chunk's rows stay in the processor's cache
            values = self._run(columns[:, start : start + self._chunk], scalars, start, size)
            grads = np.zeros_like(values)
            grads[self._output_rows[0]] = seed
            with np.errstate(all="ignore"), _rows_named(start, size):
                for group in reversed(self._groups):
                    self._backward_group(group, values, scalars, grads, scalar_grads)
            with np.errstate(all="ignore"):  # a sum that overflows is inf, as it is in the eager engine
                total += float(values[self._output_rows[0]].sum())
        if not math.isfinite(total):  # the eager graph would have raised at the '+' that overflowed
            raise OverflowError(f"the {reduction} of the output over the batch is too large for a float")
        for parameter, grad in zip(self.parameters, scalar_grads.tolist(), strict=False):
            parameter.grad = parameter.grad + grad
        return total / size if reduction == "mean" else total

    def _scalars(self) -> Array:
        """The parameters' current data, then the constants."""
        scalars = self._scalar_values.copy()
        scalars[: len(self.parameters)] = [p.data for p in self.parameters]
        return scalars

    def _outputs_of(self, batch_args: Sequence[Any]) -> Array:
        columns = self._checked_batch(batch_args)
        scalars = self._scalars()
        size = columns.shape[1]
        chunks = [
            self._run(columns[:, start : start + self._chunk], scalars, start, size)[self._output_rows]
            for start in range(0, size, self._chunk)
        ]
        return np.concatenate(chunks, axis=1)

    def _run(self, columns: Array, scalars: Array, start: int, size: int) -> Array:
        """Every row's value for the samples in ``columns`` (rows ``start`` ... of a batch of ``size``).

        Overflow to inf and NaN pass, as in the eager engine; where the eager engine would raise, this
        raises its error, naming the first row that fails: the eager engine works row by row, so an
        error that one group finds in row 20 gives way to one that a later group finds in row 17.
        """
        with _rows_named(start, size):
            try:
                return self._run_groups(columns, scalars)
            except _ColumnError as error:
                first = error
            while first.column > 0:  # ask again, of the rows before the one found
                try:
                    self._run_groups(columns[:, : first.column], scalars)
                    break
                except _ColumnError as earlier:
                    first = earlier
            raise first

    def _run_groups(self, columns: Array, scalars: Array) -> Array:
        values = np.empty((self._n_rows, columns.shape[1]))
        values[: len(columns)] = columns
        with np.errstate(all="ignore"):
            for group in self._groups:
                self._forward_group(group, values, scalars)
        return values

    def _forward_group(self, group: _Group, values: Array, scalars: Array) -> None:
        if group.kind == "linear":
            np.matmul(scalars[group.coefficients], values[group.inputs], out=values[group.out])
            values[group.out] += scalars[group.bias].sum(axis=1)[:, None]
            if not np.isfinite(values[group.out]).all():  # where the eager graph's + or * would have raised
                column = int(np.argwhere(~np.isfinite(values[group.out]))[:, 1].min())
                error = OverflowError("a neuron's weighted sum b + w_1 x_1 + ... is too large for a float")
                raise _ColumnError(error, "+", column)
            return
        assert group.kernel is not None
        args = _operands(group, values, scalars)
        out = group.kernel.forward(*args)
        _check(group, "forward", args, out)
        values[group.out] = out

    def _backward_group(self, group: _Group, values: Array, scalars: Array, grads: Array, scalar_grads: Array) -> None:
        upstream = grads[group.out]
        if group.kind == "linear":
            weights = scalars[group.coefficients]
            _send(grads, group.inputs, group.inputs_unique, weights.T @ upstream)
            _send(scalar_grads, group.coefficients, group.coefficients_unique, upstream @ values[group.inputs].T)
            bias = np.broadcast_to(upstream.sum(axis=1)[:, None], group.bias.shape)
            _send(scalar_grads, group.bias, group.bias_unique, bias)
            return
        kernel = group.kernel
        assert kernel is not None
        args = _operands(group, values, scalars)
        out = values[group.out]
        if kernel.derivative is not None:  # the eager derivative itself may raise (a ** b overflowing)
            for local in kernel.derivative(*args, out):
                _check(group, "derivative", args, np.broadcast_to(local, upstream.shape))
        for (kind, index, unique), contribution in zip(
            group.operands, kernel.backward(upstream, *args, out), strict=True
        ):
            if kind == _SCALAR:
                _send(scalar_grads, index, unique, np.broadcast_to(contribution, upstream.shape).sum(axis=1))
            else:
                _send(grads, index, unique, contribution)

    def _checked_batch(self, batch_args: Sequence[Any]) -> Array:
        """The batch as input rows (one row per input leaf), after checking every argument's shape and the size."""
        if len(batch_args) != len(self.input_names):
            raise TypeError(f"this program takes {len(self.input_names)} batch argument(s), got {len(batch_args)}")
        arrays = []
        size = None
        for name, width, arg in zip(self.input_names, self._widths, batch_args, strict=True):
            array = np.asarray(arg)
            if array.dtype.kind not in "iuf":
                raise TypeError(f"batch argument {name!r} must hold real numbers, got dtype {array.dtype}")
            wanted = "(B,)" if width is None else f"(B, {width})"
            if array.ndim != (1 if width is None else 2) or (width is not None and array.shape[1] != width):
                raise ValueError(f"batch argument {name!r} must have shape {wanted}, got {array.shape}")
            if size is not None and array.shape[0] != size:
                raise ValueError(
                    f"batch argument {name!r} has {array.shape[0]} rows, but {self.input_names[0]!r} has {size}: "
                    "every batch argument needs one row per sample"
                )
            size = array.shape[0]
            arrays.append(array)
        if not size:
            raise ValueError("the batch is empty: every batch argument needs at least one row")
        per_row = len(self._inputs) + len(self._outputs)  # the inputs' copy and the outputs, for every row
        working = per_row * size + 2 * self._n_rows * min(size, self._chunk)
        if working > MAX_WORKING_VALUES:
            raise ValueError(
                f"a batch of {size:,} rows needs {working:,} working numbers for this program (at most "
                f"{MAX_WORKING_VALUES:,}): split it into batches of at most "
                f"{max(1, (MAX_WORKING_VALUES - 2 * self._n_rows * self._chunk) // per_row):,} rows"
            )
        columns = np.concatenate([a.astype(np.float64).reshape(size, -1).T for a in arrays], axis=0)
        if not np.isfinite(columns).all():  # the numeric policy: numbers are finite, as Value(...) requires
            leaf, row = np.argwhere(~np.isfinite(columns.T))[0][::-1]
            name = self._inputs[leaf].label
            raise ValueError(
                f"batch input {name!r} in row {row} is {float(columns[leaf, row])!r}: "
                "the engine refuses NaN and infinities, as Value(...) does"
            )
        return columns

    def _check_reproduces(self, example_args: Sequence[Any], traced: list[float]) -> None:
        """The program on the example arguments must give what the trace gave.

        Up to rounding: a fused neuron adds its terms in another order, so the tolerance is relative
        to the largest number the sample's graph holds, not to the output alone.
        """
        columns = self._checked_batch([np.array([example]) for example in example_args])
        with _rows_named(0, 1):
            values = self._run_groups(columns, self._scalars())
        finite = np.abs(values[np.isfinite(values)])
        scale = float(finite.max()) if finite.size else 0.0
        for i, (mine, theirs) in enumerate(zip(values[self._output_rows, 0].tolist(), traced, strict=True)):
            if mine == theirs or (math.isnan(mine) and math.isnan(theirs)):
                continue
            if not math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9 * scale):
                raise TraceError(
                    f"the program gives {mine!r} for output {i} on the example arguments, the trace gave {theirs!r}: "
                    "fn may do something the graph does not record"
                )

    # -- what a student reads -----------------------------------------------------------------

    def __repr__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """Nodes, inputs, parameters, outputs and levels, and what was fused into matrix products.

        >>> from autograd_mini import Value
        >>> print(trace(lambda x: (Value(2.0, label="w") * x).tanh(), 1.0).summary())  # doctest: +ELLIPSIS
        Program: 4 nodes per sample, 1 input (x: a number), 1 parameter, 1 output, 2 levels
        ...
        """
        inputs = ", ".join(
            f"{name}: {'a number' if width is None else f'{width} numbers'}"
            for name, width in zip(self.input_names, self._widths, strict=True)
        )
        lines = [
            f"Program: {len(self.nodes)} nodes per sample, {_count(len(self.input_names), 'input')} ({inputs}), "
            f"{_count(len(self.parameters), 'parameter')}, {_count(len(self._outputs), 'output')}, "
            f"{self._levels} levels"
        ]
        layer = 0
        for group in self._groups:
            if group.kind == "linear":
                layer += 1
                k = group.coefficients.shape[1]
                neurons = "neurons reading the same" if group.members > 1 else "neuron reading"
                lines.append(
                    f"  layer {layer}: {group.members} {neurons} {_count(k, 'input')}, "
                    f"one {group.members}x{k} matrix product"
                )
        ops = sum(1 for group in self._groups if group.kind != "linear")
        lines.append(
            f"  runs as {len(self._groups)} numpy steps each way ({_count(layer, 'matrix product')}, "
            f"{ops} elementwise) over {self._n_rows} rows per sample"
        )
        return "\n".join(lines)

    @property
    def source(self) -> str:
        """Readable Python for one sample: the forward pass, then the backward pass, one line per node.

        Each gradient is computed once, after every node that uses it has added its part: the chain
        rule, memoized, as code. Inputs and parameters keep their labels as names. Written on first
        use (in time linear in the graph) and kept; for a graph too large to read, ``print(program)``
        gives the summary.

        >>> from autograd_mini import Value
        >>> w = Value(2.0, label="w")
        >>> print(trace(lambda x: (w * x).tanh(), 1.0).source)
        import math
        <BLANKLINE>
        # parameters, read from their Values: w
        def sample(x):
            # forward: one line per node, parents first
            v1 = w * x
            v2 = math.tanh(v1)
            # backward: from the output back; each d_ is complete before it is read (memoized)
            d_v2 = 1.0
            d_v1 = d_v2 * (1 - v2 ** 2)
            d_w = d_v1 * x
            d_x = d_v1 * w
            return v2, {'w': d_w}
        <BLANKLINE>
        """
        if self._source is None:
            self._source = _source(self)
        return self._source


def _count(n: int, what: str) -> str:
    return f"{n} {what}{'s' * (n != 1)}"


def _operands(group: _Group, values: Array, scalars: Array) -> list[Any]:
    return [values[index] if kind == _ROW else scalars[index][:, None] for kind, index, _ in group.operands]


def _send(grads: Array, rows: Any, unique: bool, contribution: Any) -> None:
    """Add each row's contribution to its gradient; np.add.at where one row appears twice (x * x)."""
    if unique:
        grads[rows] += contribution
    else:
        np.add.at(grads, rows, np.broadcast_to(contribution, grads[rows].shape))


def _check(group: _Group, stage: str, args: list[Any], result: Any) -> None:
    """Where numpy gave a number that is not finite, do what the eager engine does with that element:
    raise its rule's error, or the engine's own for a result that is not finite (``rules.not_finite``).
    A local derivative may be infinite where the rule says so (sqrt at 0): that one passes."""
    suspects = ~np.isfinite(result)
    if not suspects.any():
        return
    rule = RULES[group.kind]
    members, columns = np.nonzero(suspects)
    for k in np.lexsort((members, columns)):  # the first batch row first
        inputs = [float(np.broadcast_to(arg, suspects.shape)[members[k], columns[k]]) for arg in args]
        try:
            out = rule.forward(*inputs)
            if stage == "forward":
                raise not_finite(group.kind, tuple(inputs), float(result[members[k], columns[k]]))
            rule.derivative(*inputs, out)
        except (ArithmeticError, ValueError) as error:
            raise _ColumnError(error, group.kind, int(columns[k])) from None


class _rows_named:  # noqa: N801 -- used as a context manager, like np.errstate
    """Turn an eager rule's error at a chunk's column into the same error naming the batch row."""

    def __init__(self, start: int, size: int) -> None:
        self.start, self.size = start, size

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        if isinstance(error, _ColumnError):
            original = error.error
            row = self.start + error.column
            raise type(original)(f"{original} (op {error.op!r}, batch row {row} of {self.size})") from None


# -- program.source ------------------------------------------------------------------------

_FORWARD_TEXT = {
    "+": "{0} + {1}",
    "-": "{0} - {1}",
    "*": "{0} * {1}",
    "/": "{0} / {1}",
    "**": "{0} ** {1}",
    "neg": "-{0}",
    "abs": "abs({0})",
    "exp": "math.exp({0})",
    "log": "math.log({0})",
    "sqrt": "math.sqrt({0})",
    "tanh": "math.tanh({0})",
    "sigmoid": "sigmoid({0})",
    "relu": "max({0}, 0.0)",
    "softplus": "softplus({0})",
    "sin": "math.sin({0})",
    "cos": "math.cos({0})",
}

# What each parent receives: {u} the node's gradient, {0} {1} its inputs, {out} its value.
_BACKWARD_TEXT = {
    "+": ("{u}", "{u}"),
    "-": ("{u}", "-{u}"),
    "*": ("{u} * {1}", "{u} * {0}"),
    "/": ("{u} / {1}", "-{u} * {out} / {1}"),
    "**": ("{u} * pow_base_slope({0}, {1})", "({u} * {out} * math.log({0}) if {0} > 0 else 0.0)"),
    "neg": ("-{u}",),
    "abs": ("{u} * (1.0 if {0} > 0 else -1.0 if {0} < 0 else 0.0)",),
    "exp": ("{u} * {out}",),
    "log": ("{u} / {0}",),
    "sqrt": ("{u} * (0.5 / {out} if {out} else math.inf)",),
    "tanh": ("{u} * (1 - {out} ** 2)",),
    "sigmoid": ("{u} * {out} * (1 - {out})",),
    "relu": ("{u} * (1.0 if {0} > 0 else 0.0)",),
    "softplus": ("{u} * sigmoid({0})",),
    "sin": ("{u} * math.cos({0})",),
    "cos": ("-{u} * math.sin({0})",),
}

# Helpers the source defines before ``sample`` when it uses them: the engine's values, written out.
_HELPERS = {
    "sigmoid": (
        "def sigmoid(a):\n"
        '    """1 / (1 + e**-a), written so that exp never overflows."""\n'
        "    return 1 / (1 + math.exp(-a)) if a >= 0 else math.exp(a) / (1 + math.exp(a))\n"
    ),
    "softplus": (
        "def softplus(a):\n"
        '    """log(1 + e**a), written so that exp never overflows."""\n'
        "    return max(a, 0.0) + math.log1p(math.exp(-abs(a)))\n"
    ),
    "pow_base_slope": (
        "def pow_base_slope(a, b):\n"
        '    """d(a**b)/da = b a**(b - 1), and at a = 0 with b < 1: 0 for b = 0, else inf."""\n'
        "    if a == 0 and b < 1:\n"
        "        return 0.0 if b == 0 else math.inf\n"
        "    return b * a ** (b - 1)\n"
    ),
}

_RESERVED = set(dir(builtins)) | set(keyword.kwlist) | {"math", "RULES", "sample", *_HELPERS}


def _identifier(text: str, fallback: str, taken: set[str]) -> str:
    """A Python name for a label (``layers.0.w.1`` -> ``layers_0_w_1``), unique among ``taken``."""
    name = re.sub(r"\W+", "_", text).strip("_") if text else ""
    if not name or name[0].isdigit():
        name = f"{fallback}_{name}" if name else fallback
    unique, k = name, 2
    while unique in taken:
        unique, k = f"{name}_{k}", k + 1
    taken.add(unique)
    return unique


def _texts(node: Value) -> tuple[str, tuple[str, ...]]:
    """The forward and backward text of the node's op; a rule changed or added since is called from RULES."""
    op, slots = node.op, _slots(len(node.parents))
    if _KERNEL_RULES.get(op) is RULES.get(op):
        return _FORWARD_TEXT[op], _BACKWARD_TEXT[op]
    backward = tuple(f'{{u}} * RULES["{op}"].derivative({slots}, {{out}})[{i}]' for i in range(len(node.parents)))
    return f'RULES["{op}"].forward({slots})', backward


def _source(program: Program) -> str:
    """The scalar program of one sample, written out (see ``Program.source``)."""
    taken = set(_RESERVED)
    names: dict[Value, str] = {}
    arguments = [_identifier(name, "x", taken) for name in program.input_names]
    leaves_of = _argument_leaves(program)
    for argument, (_, width, leaves) in zip(arguments, leaves_of, strict=True):
        for leaf in leaves:
            names[leaf] = argument if width is None else _identifier(leaf.label, argument, taken)
    for i, parameter in enumerate(program.parameters):
        names[parameter] = _identifier(parameter.label, f"p{i}", taken)
    computed = 0
    for node in program.nodes:
        if node.op == "const":
            names[node] = repr(node.data) if node.data >= 0 else f"({node.data!r})"
        elif node.parents:
            computed += 1
            names[node] = _identifier(node.label, f"v{computed}", taken)
    body = [f"def sample({', '.join(arguments)}):"]
    for argument, (_, width, leaves) in zip(arguments, leaves_of, strict=True):
        if width is not None:
            body.append(f"    {', '.join(names[leaf] for leaf in leaves)}{',' if width == 1 else ''} = {argument}")
    body.append("    # forward: one line per node, parents first")
    for node in program.nodes:
        if node.parents:
            body.append(f"    {names[node]} = {_texts(node)[0].format(*(names[p] for p in node.parents))}")
    outputs = [names[out] for out in program._outputs]
    if len(program._outputs) != 1:
        body.append(f"    return [{', '.join(outputs)}]")
    else:
        body += _backward_lines(program, names, taken)
    used = [name for name in _HELPERS if any(f"{name}(" in line for line in body)]
    header = ["import math", ""] + [_HELPERS[name] for name in used]
    if program.parameters:
        shown = ", ".join(names[p] for p in program.parameters[:8])
        more = f", ... ({len(program.parameters)} in all)" if len(program.parameters) > 8 else ""
        header.append(f"# parameters, read from their Values: {shown}{more}")
    return "\n".join(header + body) + "\n"


def _backward_lines(program: Program, names: dict[Value, str], taken: set[str]) -> list[str]:
    """The backward pass of a one-output program: each gradient complete before it is read."""
    root = program._outputs[0]
    grad = {root: _identifier(f"d_{names[root]}", "d", taken)}
    lines = [
        "    # backward: from the output back; each d_ is complete before it is read (memoized)",
        f"    {grad[root]} = 1.0",
    ]
    for node in reversed(program.nodes):
        if not node.parents or node not in grad:
            continue
        for parent, text in zip(node.parents, _texts(node)[1], strict=True):
            if parent.op == "const":
                continue
            contribution = text.format(*(names[p] for p in node.parents), u=grad[node], out=names[node])
            if parent in grad:
                lines.append(f"    {grad[parent]} += {contribution}")
            else:
                grad[parent] = _identifier(f"d_{names[parent]}", "d", taken)
                lines.append(f"    {grad[parent]} = {contribution}")
    labels = [p.label for p in program.parameters]
    keys = [
        label if label and labels.count(label) == 1 else names[p]
        for p, label in zip(program.parameters, labels, strict=True)
    ]
    returned = ", ".join(f"{key!r}: {grad.get(p, '0.0')}" for key, p in zip(keys, program.parameters, strict=True))
    lines.append(f"    return {names[root]}, {{{returned}}}")
    return lines


def _slots(n: int) -> str:
    return ", ".join(f"{{{i}}}" for i in range(n))


def _argument_leaves(program: Program) -> list[tuple[str, int | None, list[Value]]]:
    """Each argument of fn with its width and the input leaves made for it."""
    result, start = [], 0
    for name, width in zip(program.input_names, program._widths, strict=True):
        count = 1 if width is None else width
        result.append((name, width, program._inputs[start : start + count]))
        start += count
    return result
