"""Trace once, run over batches: the scalar graph of one sample, compiled into a numpy program.

``trace(fn, *example_args)`` calls ``fn`` on Values and keeps the graph it builds. The
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
graph reaches (a model's weights, any Value made outside ``fn``, a ``Value(2.0)`` made inside) is a
**parameter**, read by reference.

The trace records operations, not Python: a number read out of a Value (``x.data``, ``float(x)``,
``math.sin(x)``, ``Value(x.data * 3)``) is a constant of the graph, frozen at the example, and an
``if`` on a Value is decided once, for it. So ``trace`` checks the program on the example and, calling
``fn`` a second time, at a nearby one (each input moved by about 0.1%), and refuses it with a
TraceError saying why where either differs. One nearby point: an ``if`` that turns farther away is
not caught; write branches as operations (``relu``, ``abs``). ``no_grad`` inside ``fn`` is refused:
what it computes would stay frozen at the example's numbers. ``detect_anomaly`` concerns the eager
engine only: NaN or inf pass through a program as through the eager engine.

How it runs: nodes are grouped by depth and op, one numpy call per group over a (rows x batch)
array. Each neuron's ``b + w_1 x_1 + ... + w_k x_k`` (a chain of ``+`` whose partial sums nobody
else reads) becomes one linear combination, and the neurons that read the same inputs become one
matrix product: the compiler finds the matrix multiply hidden in the scalar graph. ``print``
says what was fused; ``program.source`` stays the scalar program, line by line. Tracing and
compiling take time and memory linear in the graph (a chain of a million ``tanh``: about 6x the time
and 4x the memory of its eager forward and backward, ``benchmarks/bench_batch.py --trace-chain``).
"""

from __future__ import annotations

import inspect
import itertools
import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from . import checks, collector, program_text
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
    by_element: bool = False  # runs a rule's own Python functions, one element at a time


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


# The rules these kernels were written for: rules.py's own (its derivative written there). A rule
# changed or added with rules.define, even before this module was imported, is run element by
# element through its own Python functions instead.
_KERNEL_RULES: dict[str, Rule] = {
    op: RULES[op] for op in _KERNELS if getattr(RULES[op].derivative, "__module__", None) == Rule.__module__
}


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

    return _Kernel(forward, _times_derivative(derivative), derivative, by_element=True)


class _ColumnError(Exception):
    """An eager rule's error at one column of a chunk; the program adds the batch row and the op."""

    def __init__(self, error: ArithmeticError | ValueError, op: str, column: int) -> None:
        super().__init__(str(error))
        self.error, self.op, self.column = error, op, column


def _rules_of(nodes: list[Value]) -> dict[str, Rule]:
    """The rule of every op the graph uses, as rules.RULES holds it now: the rules the program is built with."""
    found: dict[str, Rule] = {}
    for node in nodes:
        if node.parents and node.op not in found:
            rule = RULES.get(node.op)
            if rule is None:
                raise TraceError(f"the graph uses the op {node.op!r}, which is not in rules.RULES")
            found[node.op] = rule
    return found


# -- the graph, as the program sees it ------------------------------------------------------

_ROW, _SCALAR = "row", "scalar"  # an operand is a row of the batch array, or one number for every row
_SEVERAL = object()  # _fusable: read by more than one node


@dataclass(slots=True)
class _OpNode:
    """A node computed for every row of the batch: ``op`` of its operands."""

    node: Value
    operands: list[tuple[str, Any]]  # (_ROW, the parent Value) or (_SCALAR, its scalar index)
    level: int
    kinds: str  # one letter per operand, r for a row, s for a scalar: nodes of one level and kinds are grouped


@dataclass(slots=True)
class _Linear:
    """A fused neuron: ``sum(bias) + sum(coefficient * row)``, from a chain of ``+`` and ``*`` nodes."""

    node: Value
    terms: list[tuple[int, Value]]  # (scalar index of the coefficient, the Value of the row it multiplies)
    bias: list[int]  # scalar indices
    level: int
    replaces: int  # how many nodes of the scalar graph it stands for


@dataclass(slots=True)
class _Group:
    """One numpy call each way: same-op nodes at one level, or the neurons that read the same rows."""

    kind: str  # an op of rules.py, or "linear"
    out: slice
    members: int
    replaces: int
    operands: list[tuple[str, Any, bool]]  # an op's, per position: (_ROW, rows, unique) or (_SCALAR, scalars, unique)
    kernel: _Kernel | None = None
    rule: Rule | None = None  # an op's rule, as the program was traced with it
    by_element: bool = False  # the kernel runs the rule's Python functions: its inputs are checked first
    coefficients: Any = None  # linear: (m, k) scalar indices
    inputs: Any = None  # linear: k row indices, a slice when they are consecutive
    inputs_unique: bool = True
    coefficients_unique: bool = True  # linear: no scalar appears twice among the coefficients (nor the bias)
    bias_unique: bool = True
    bias: Any = None  # linear: (m, n) scalar indices, padded with the scalar 0.0


def _all_different(indices: Sequence[int]) -> bool:
    return len(indices) < 2 or len(set(indices)) == len(indices)


def _as_index(rows: Sequence[int]) -> Any:
    """A slice where the rows are consecutive (numpy then reads a view, not a copy), else an index array."""
    if len(rows) == 1:  # most groups of a deep, narrow graph
        return slice(rows[0], rows[0] + 1)
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
    reader: dict[Value, Any] = {}  # the one node that reads each node, or _SEVERAL
    for node in nodes:
        for parent in node.parents:
            reader[parent] = _SEVERAL if parent in reader else node
    fused = set()
    for node in nodes:
        consumer = reader.get(node)
        if consumer is None or consumer is _SEVERAL or consumer.op != "+" or node in outputs:
            continue
        if node.op == "+" or (node.op == "*" and sum(p in scalars for p in node.parents) == 1):
            fused.add(node)
    return fused


# -- trace -----------------------------------------------------------------------------------

_EXAMPLE = "a number or a sequence of numbers (a list, a tuple or a 1-D numpy array)"
_GOLDEN = (math.sqrt(5.0) - 1.0) / 2.0  # 0.618...: the fractions of its multiples spread evenly
Example = float | list[float]


def trace(fn: Callable[..., Any], *example_args: Any) -> Program:
    """Call ``fn`` on Values built from ``example_args`` and compile the graph it returns.

    ``fn`` is called twice: once on the example, to record the graph, and once more, eagerly, at a
    nearby example, to check that the program gives what ``fn`` gives there (see the module's
    docstring). Side effects of ``fn`` happen twice.

    Args:
        fn: a function of numbers (``float``) and sequences of numbers, written with Values' operators
            and functions, returning a Value or a list of Values.
        example_args: one example per argument of ``fn``: a number, or a sequence of numbers (a list,
            a tuple, a 1-D numpy array; not a dict, a set or a generator).

    Returns:
        The Program; ``program(*batch_args)`` evaluates it over a batch.

    Raises:
        TraceError: ``fn`` returns something other than Values, opens ``no_grad()``, or computes
            something the graph does not record (the program then differs from the trace, or from
            ``fn`` at the nearby example).
        TypeError: ``fn`` is not callable, or an example is neither a number nor a sequence of numbers.

    >>> from autograd_mini import Value
    >>> w = Value(3.0, label="w")
    >>> program = trace(lambda x: (w * x).tanh(), 0.1)
    >>> program.parameters == [w], program.input_names
    (True, ['x'])
    >>> trace(lambda x: x * 2 + Value(x.data), 1.0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd_mini.compiled.TraceError: fn gives 3.0097... at a nearby example (x=1.0032...), the program 3.0064...
    """
    if not callable(fn):
        raise TypeError(f"trace expects a function, got {type(fn).__name__}: {checks.shown(fn)}")
    if not MODES.record_graph:
        raise TraceError("trace cannot record a graph inside no_grad()")
    if not example_args:
        raise TraceError("trace needs one example per argument of fn, and fn at least one argument: the batch")
    names = _argument_names(fn, len(example_args))
    examples = [_example(name, example) for name, example in zip(names, example_args, strict=True)]
    with collector.paused():  # the graph and the program's tables hold no cycles: a collection would only rescan them
        inputs = _leaves(names, examples)
        returned = _record(fn, inputs)
        outputs = _checked_outputs(returned)
        leaves = [leaf for made in inputs for leaf in (made if isinstance(made, list) else [made])]
        widths = [None if isinstance(example, float) else len(example) for example in examples]
        program = Program(fn, names, widths, leaves, outputs, isinstance(returned, Value))
        nearby = _nearby(fn, names, examples, len(outputs))
        program._check_reproduces(examples, [out.data for out in outputs], nearby)
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


def _example(name: str, example: Any) -> Example:
    """One example argument as a float or a list of floats, refused up front unless a number or a sequence."""
    if isinstance(example, numbers.Real) and not isinstance(example, bool):
        return float(example)
    what = f"trace: the example for {name!r}"
    sequence = isinstance(example, np.ndarray) or (isinstance(example, Sequence) and not isinstance(example, str))
    if not sequence or _masked(example) or isinstance(example, bytes):
        hint = (
            ": a dict's keys are not its values; pass a list of the numbers in the order fn reads them"
            if isinstance(example, Mapping)
            else ": a generator or an iterator is used up by one reading; pass a list"
            if isinstance(example, Iterator)
            else ": its masked entries would be read as numbers; fill them (.filled(...)) or leave them out"
            if _masked(example)
            else ""
        )
        raise TypeError(f"{what} must be {_EXAMPLE}, got {type(example).__name__}: {checks.shown(example)}{hint}")
    items = list(example)
    if not items:
        raise TypeError(f"{what} is an empty sequence")
    for item in items:
        if isinstance(item, bool) or not isinstance(item, numbers.Real):
            raise TypeError(f"{what} holds {type(item).__name__}: {checks.shown(item)}, not a number")
    return [float(item) for item in items]


def _masked(array: Any) -> bool:
    """A masked array (numpy.ma, or anything with a ``mask`` that is not a method): its masked entries are not data."""
    if isinstance(array, np.ma.MaskedArray):
        return True
    mask = getattr(array, "mask", None)
    return mask is not None and not callable(mask)


def _leaves(names: list[str], examples: list[Example]) -> list[Value | list[Value]]:
    """The Values fn receives: one per number, a list of them per sequence."""
    return [
        Value(example, label=name)
        if isinstance(example, float)
        else [Value(item, label=f"{name}[{i}]") for i, item in enumerate(example)]
        for name, example in zip(names, examples, strict=True)
    ]


def _record(fn: Callable[..., Any], inputs: list[Value | list[Value]]) -> Any:
    """``fn(*inputs)``, refused if it opened ``no_grad()`` (modes tells the trace so)."""
    outer = MODES.no_grad_while_tracing  # a trace inside fn's trace: the outer one keeps its own record
    MODES.tracing += 1
    MODES.no_grad_while_tracing = False
    try:
        returned = fn(*inputs)
        opened = MODES.no_grad_while_tracing
    finally:
        MODES.tracing -= 1  # a trace around this one saw the same no_grad; with none, the record ends here
        MODES.no_grad_while_tracing = outer or (MODES.tracing > 0 and MODES.no_grad_while_tracing)
    if opened:
        raise TraceError(
            "fn opened no_grad() while it was traced: no_grad inside the traced function freezes what it "
            "computes to the example's numbers (a leaf, which the program would keep for every row and never "
            "update); compute it outside fn, or without no_grad"
        )
    return returned


def _checked_outputs(returned: Any) -> list[Value]:
    outputs = [returned] if isinstance(returned, Value) else returned
    if not isinstance(outputs, (list, tuple)) or not outputs or not all(isinstance(o, Value) for o in outputs):
        raise TraceError(
            f"trace expects fn to return a Value or a non-empty list of Values, got {type(returned).__name__}"
        )
    return list(outputs)


def _nearby(fn: Callable[..., Any], names: list[str], examples: list[Example], outputs: int) -> Any:
    """An example near the traced one, and fn's outputs there, computed eagerly; None if fn raises on both sides.

    Input k moves by (|x| + 1) * 1e-3 * (1 + frac(k * 0.618...)): a different fraction for each
    input, so that no difference of two inputs stays as it was. Up first; down if fn is not
    defined there (log at the edge of its domain).
    """
    for direction in (1.0, -1.0):
        moved, k = [], 0
        for example in examples:
            items = [example] if isinstance(example, float) else example
            shifted = [
                x + direction * (abs(x) + 1.0) * 1e-3 * (1.0 + ((k + i) * _GOLDEN) % 1.0)
                for i, x in enumerate(items, 1)
            ]
            k += len(items)
            moved.append(shifted[0] if isinstance(example, float) else shifted)
        try:
            returned = fn(*_leaves(names, moved))
        except (ArithmeticError, ValueError):  # a domain error, or an input too large to move: no number here
            continue
        values = _checked_outputs(returned)
        if len(values) != outputs:
            raise TraceError(f"fn returns {len(values)} Values at a nearby example, {outputs} at the example")
        return moved, [value.data for value in values]
    return None


# -- the program ----------------------------------------------------------------------------

_DIFFERS = (
    "the graph does not record how fn's result depends on its inputs: fn reads a number out of a Value "
    "(x.data, float(x), math.sin(x), Value(x.data ...)), which the program keeps as a constant frozen at the "
    "example, or an if on a Value goes the other way there. Write it with the Values' operations "
    "(x * 3, x.sin(), relu) instead"
)


class Program:
    """A traced graph that runs over batches: ``program(*batch)``, ``program.backward(*batch)``, ``program.source``.

    Made by :func:`trace`. Attributes: ``input_names`` (fn's arguments), ``parameters`` (the Values read
    by reference, in the order the graph first reaches them) and ``nodes`` (one sample's scalar graph,
    parents first).

    A program is built with the rules that ``rules.RULES`` held when it was traced, and refuses to run
    or to write its source once one of them was changed or removed (``rules.define``), with a
    TraceError that names the rule and says to trace again. Refusing, rather than staying on the old
    rule: the eager engine reads the table at every op, so ``fn`` itself now computes with the new
    rule, and a program on the old one would disagree with it without a word; its source, too, can
    only call the table (``RULES["cube"]``), not an old rule's code.

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
        self._rules = _rules_of(self.nodes)
        self._kernels = {
            op: _KERNELS[op] if _KERNEL_RULES.get(op) is rule else _elementwise(op, rule)
            for op, rule in self._rules.items()
        }
        is_input = set(inputs)
        leaves = [n for n in self.nodes if not n.parents]
        self.parameters: list[Value] = [n for n in leaves if n.op != "const" and n not in is_input]
        self._constants = [n for n in leaves if n.op == "const"]
        scalars = {p: i for i, p in enumerate([*self.parameters, *self._constants])}
        self._scalar_values = np.array([0.0] * len(self.parameters) + [c.data for c in self._constants] + [1.0, 0.0])
        self._one, self._zero = len(scalars), len(scalars) + 1
        if any(out in scalars for out in outputs):
            raise TraceError("fn returned a parameter or a constant unchanged: return an expression of the inputs")
        self._lay_out(scalars, {leaf: i for i, leaf in enumerate(inputs)})

    def _lay_out(self, scalars: dict[Value, int], input_rows: dict[Value, int]) -> None:
        """Fuse the neurons, then group the computed nodes by level and kind, each group on consecutive rows.

        One pass over the nodes, in time linear in the graph: the groups of a level are kept in the
        order their first members come (parents first), and a group's members in the order of
        their first input's row (ties in the graph's order).
        """
        fused = _fusable(self.nodes, set(self._outputs), scalars)
        level: dict[Value, int] = dict.fromkeys(input_rows, 0)
        groups: dict[tuple[Any, ...], list[_OpNode | _Linear]] = {}
        keys_at: list[list[tuple[Any, ...]]] = [[]]  # each level's group keys, in the order first met
        for node in self.nodes:
            if not node.parents or node in fused:
                continue
            item = self._lower(node, fused, scalars, level)
            level[node] = item.level
            if isinstance(item, _Linear):
                key: tuple[Any, ...] = (item.level, "linear", tuple(row for _, row in item.terms))
            else:
                key = (item.level, node.op, item.kinds)
            members = groups.get(key)
            if members is not None:
                members.append(item)
                continue
            groups[key] = [item]
            if item.level == len(keys_at):  # one deeper than any node so far
                keys_at.append([])
            keys_at[item.level].append(key)
        self._levels = len(keys_at) - 1
        row_of = dict(input_rows)
        self._groups: list[_Group] = []
        for keys in keys_at:
            for key in keys:
                members = groups.pop(key)
                if len(members) > 1:
                    members.sort(key=lambda item: _first_row(item, row_of))  # stable: ties in the graph's order
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
        operands: list[tuple[str, Any]] = []
        deepest, kinds = 0, ""
        for parent in node.parents:  # a plain loop: this runs once per node of the graph
            index = scalars.get(parent)
            if index is None:
                operands.append((_ROW, parent))
                deepest, kinds = max(deepest, level[parent]), kinds + "r"
            else:
                operands.append((_SCALAR, index))
                kinds += "s"
        return _OpNode(node, operands, deepest + 1, kinds)

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
            indices = [row_of[m.operands[i][1]] if kind == _ROW else m.operands[i][1] for m in members]
            operands.append((kind, _as_index(indices), _all_different(indices)))
        op = first.node.op
        kernel = self._kernels[op]
        return _Group(
            op, out, len(members), len(members), operands, kernel, self._rules[op], by_element=kernel.by_element
        )

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
            raise ValueError(f'reduction must be "mean" or "sum", got {checks.shown(reduction)}')
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
        """Every group forward, looking for numbers that are not finite once per stretch of groups: a
        stretch ends before a group that runs a rule's Python functions (they may raise on NaN), and at the end.
        """
        values = np.empty((self._n_rows, columns.shape[1]))
        values[: len(columns)] = columns
        checked = 0  # the groups before this one made finite numbers only
        with np.errstate(all="ignore"):
            for i, group in enumerate(self._groups):
                if group.by_element and i > checked:
                    self._check_finite(values, scalars, checked, i)
                    checked = i
                self._forward_group(group, values, scalars)
            self._check_finite(values, scalars, checked, len(self._groups))
        return values

    def _check_finite(self, values: Array, scalars: Array, first: int, stop: int) -> None:
        """Raise the eager engine's error for the first of ``groups[first:stop]`` that made a number not finite."""
        if first == stop:
            return
        rows = slice(self._groups[first].out.start, self._groups[stop - 1].out.stop)
        if np.isfinite(values[rows]).all():
            return
        for group in self._groups[first:stop]:
            out = values[group.out]
            if np.isfinite(out).all():
                continue
            if group.kind == "linear":  # where the eager graph's + or * would have raised
                error = OverflowError("a neuron's weighted sum b + w_1 x_1 + ... is too large for a float")
                raise _ColumnError(error, "+", int(np.argwhere(~np.isfinite(out))[:, 1].min()))
            _check(group, "forward", _operands(group, values, scalars), out)

    def _forward_group(self, group: _Group, values: Array, scalars: Array) -> None:
        if group.kernel is None:  # linear
            np.matmul(scalars[group.coefficients], values[group.inputs], out=values[group.out])
            values[group.out] += scalars[group.bias].sum(axis=1)[:, None]
        else:
            values[group.out] = group.kernel.forward(*_operands(group, values, scalars))

    def _backward_group(self, group: _Group, values: Array, scalars: Array, grads: Array, scalar_grads: Array) -> None:
        upstream = grads[group.out]
        kernel = group.kernel
        if kernel is None:  # linear
            weights = scalars[group.coefficients]
            _send(grads, group.inputs, group.inputs_unique, weights.T @ upstream)
            _send(scalar_grads, group.coefficients, group.coefficients_unique, upstream @ values[group.inputs].T)
            bias = np.broadcast_to(upstream.sum(axis=1)[:, None], group.bias.shape)
            _send(scalar_grads, group.bias, group.bias_unique, bias)
            return
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

    def _check_rules(self) -> None:
        """Refuse a program whose rules were changed or removed since the trace (see the class docstring)."""
        for op, rule in self._rules.items():
            now = RULES.get(op)
            if now is not rule:
                happened = "removed from rules.RULES" if now is None else "changed (rules.define)"
                raise TraceError(f"the rule for {op!r} was {happened} after this program was traced: trace fn again")

    def _checked_batch(self, batch_args: Sequence[Any]) -> Array:
        """The batch as input rows (one row per input leaf), after checking every argument's shape and the size."""
        self._check_rules()
        if len(batch_args) != len(self.input_names):
            raise TypeError(f"this program takes {len(self.input_names)} batch argument(s), got {len(batch_args)}")
        arrays = []
        size = None
        for name, width, arg in zip(self.input_names, self._widths, batch_args, strict=True):
            if _masked(arg):
                raise TypeError(
                    f"batch argument {name!r} must be an array of real numbers without a mask, got "
                    f"{type(arg).__name__}: its masked entries would be read as numbers; fill them (.filled(...)) "
                    "or leave those rows out"
                )
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

    def _check_reproduces(self, examples: list[Example], traced: list[float], nearby: Any) -> None:
        """On the example the program must give what the trace gave; at the nearby example, what fn gave there.

        Both in one run of two columns. Up to rounding: a fused neuron adds its terms in another
        order, so the tolerance is relative to the largest number the sample's graph holds, not to
        the output alone.
        """
        samples = [examples] if nearby is None else [examples, nearby[0]]
        columns = self._checked_batch([np.array(column) for column in zip(*samples, strict=True)])
        scalars = self._scalars()
        failed = None  # the program's error at the nearby example
        with _rows_named(0, 1):  # an error on the example itself is the eager engine's, naming the op
            try:
                values = self._run_groups(columns, scalars)
            except _ColumnError as error:
                if error.column == 0:
                    raise
                values, failed = self._run_groups(columns[:, :1], scalars), error.error
        differs = self._differs(values, 0, traced)
        if differs:
            raise TraceError(
                f"the program gives {differs[1]!r} for output {differs[0]} on the example arguments, the trace "
                f"gave {differs[2]!r}: fn may do something the graph does not record"
            )
        if nearby is None:
            return
        where = ", ".join(f"{name}={checks.shown(x)}" for name, x in zip(self.input_names, nearby[0], strict=True))
        differs = None if failed else self._differs(values, 1, nearby[1])
        if failed or differs:
            output = f" for output {differs[0]}" if differs and len(traced) > 1 else ""
            theirs = differs[2] if differs else nearby[1]
            mine = f"the program {differs[1]!r}" if differs else f"the program raises {type(failed).__name__}: {failed}"
            raise TraceError(f"fn gives {theirs!r}{output} at a nearby example ({where}), {mine}: {_DIFFERS}")

    def _differs(self, values: Array, column: int, expected: list[float]) -> tuple[int, float, float] | None:
        """The first output whose value in ``column`` is not ``expected``'s, up to rounding; None if none."""
        held = values[:, column]
        finite = np.abs(held[np.isfinite(held)])
        scale = float(finite.max()) if finite.size else 0.0
        for i, (mine, theirs) in enumerate(zip(held[self._output_rows].tolist(), expected, strict=True)):
            if mine == theirs or (math.isnan(mine) and math.isnan(theirs)):
                continue
            if not math.isclose(mine, theirs, rel_tol=1e-9, abs_tol=1e-9 * scale):
                return i, mine, theirs
        return None

    # -- what a student reads -----------------------------------------------------------------

    def __repr__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """Nodes, inputs, parameters, outputs and levels, and what was fused into matrix products.

        A run of layers of one shape is one line (``layers 2-99,999 (× 99,998 alike)``), and there are
        at most ``program_text.MAX_LAYER_LINES`` lines of layers: a few hundred lines for any program.

        >>> from autograd_mini import Value
        >>> print(trace(lambda x: (Value(2.0, label="w") * x).tanh(), 1.0).summary())  # doctest: +ELLIPSIS
        Program: 4 nodes per sample, 1 input (x: a number), 1 parameter, 1 output, 2 levels
        ...
        """
        shapes = [(group.members, group.coefficients.shape[1]) for group in self._groups if group.kind == "linear"]
        inputs = list(zip(self.input_names, self._widths, strict=True))
        counts = (len(self.nodes), inputs, len(self.parameters), len(self._outputs), self._levels)
        return program_text.summary(*counts, shapes, len(self._groups), self._n_rows)

    @property
    def source(self) -> str:
        """Readable Python for one sample: the forward pass, then the backward pass, one line per node.

        Each gradient is computed once, after every node that uses it has added its part: the chain
        rule, memoized, as code. Inputs and parameters keep their labels as names. Written on first
        use, in time linear in the graph, and kept. A program whose source would be longer than
        ``program_text.MAX_SOURCE_LINES`` lines is refused (ValueError) before any is written:
        ``print(program)`` gives its summary.

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
        self._check_rules()
        if self._source is None:
            arguments, start = [], 0
            for name, width in zip(self.input_names, self._widths, strict=True):
                stop = start + (1 if width is None else width)
                arguments.append((name, width, self._inputs[start:stop]))
                start = stop
            built_in = {op for op, rule in self._rules.items() if _KERNEL_RULES.get(op) is rule}
            self._source = program_text.source(self.nodes, arguments, self.parameters, self._outputs, built_in)
        return self._source


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
    rule = group.rule
    assert rule is not None  # an op's group, not a neuron's
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
