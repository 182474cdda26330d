"""What a student reads of a compiled program: its summary and its scalar source.

``compiled.Program`` calls these with plain data (its nodes, arguments, parameters, outputs), so
this module needs neither numpy nor the compiler. Both texts take time linear in the program:

* ``summary`` (through ``layer_lines``) writes a run of layers of one shape as one line (``layers 2-100,000 (× 99,999
  alike)``) and keeps at most MAX_LAYER_LINES lines, so that ``print(program)`` stays short for
  any program;
* ``source`` writes one line per node and one per edge of the backward pass, and refuses a
  program of more than MAX_SOURCE_LINES lines before writing any.

>>> print("\\n".join(layer_lines([(16, 2), (16, 16), (1, 1), (1, 1), (1, 1)])))
  layer 1: 16 neurons reading the same 2 inputs, one 16x2 matrix product
  layer 2: 16 neurons reading the same 16 inputs, one 16x16 matrix product
  layers 3-5 (× 3 alike): 1 neuron reading 1 input, one 1x1 matrix product each
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections import Counter
from collections.abc import Sequence

from .engine import Value

#: At most this many lines of layers in a summary (runs of one shape already collapsed).
MAX_LAYER_LINES = 200
#: ``program.source`` refuses a program whose source would be longer than this many lines.
MAX_SOURCE_LINES = 200_000


# -- the summary ---------------------------------------------------------------------------


def summary(
    nodes: int,
    inputs: Sequence[tuple[str, int | None]],
    parameters: int,
    outputs: int,
    levels: int,
    layers: Sequence[tuple[int, int]],
    steps: int,
    rows: int,
) -> str:
    """What ``print(program)`` says: the counts, each matrix product's shape (neurons x inputs), the steps.

    ``inputs`` gives each argument's name and width (None for a number).
    """
    shown = ", ".join(f"{name}: {'a number' if width is None else count(width, 'number')}" for name, width in inputs)
    head = (
        f"Program: {nodes:,} nodes per sample, {count(len(inputs), 'input')} ({shown}), "
        f"{count(parameters, 'parameter')}, {count(outputs, 'output')}, {levels:,} levels"
    )
    tail = (
        f"  runs as {steps:,} numpy steps each way ({count(len(layers), 'matrix product')}, "
        f"{steps - len(layers):,} elementwise) over {rows:,} rows per sample"
    )
    return "\n".join([head, *layer_lines(layers), tail])


def layer_lines(shapes: Sequence[tuple[int, int]]) -> list[str]:
    """One line per run of consecutive layers of one shape (neurons x inputs), at most MAX_LAYER_LINES.

    Beyond that many runs, the first and the last ones are shown around a line that counts the rest.
    """
    runs: list[list[int]] = []  # [first layer, last layer, neurons, inputs]
    for number, (members, inputs) in enumerate(shapes, 1):
        if runs and runs[-1][2:] == [members, inputs]:
            runs[-1][1] = number
        else:
            runs.append([number, number, members, inputs])
    lines = [_layer_line(*run) for run in runs]
    if len(lines) <= MAX_LAYER_LINES:
        return lines
    head, tail = MAX_LAYER_LINES // 2, MAX_LAYER_LINES // 2 - 1
    hidden = runs[head : len(runs) - tail]
    skipped = (
        f"  ... layers {hidden[0][0]:,}-{hidden[-1][1]:,}: {len(hidden):,} more lines of layers of changing shapes ..."
    )
    return [*lines[:head], skipped, *lines[len(lines) - tail :]]


def _layer_line(first: int, last: int, members: int, inputs: int) -> str:
    neurons = "neurons reading the same" if members > 1 else "neuron reading"
    what = f"{members} {neurons} {count(inputs, 'input')}, one {members}x{inputs} matrix product"
    if first == last:
        return f"  layer {first:,}: {what}"
    return f"  layers {first:,}-{last:,} (× {last - first + 1:,} alike): {what} each"


def count(n: int, what: str) -> str:
    """``n`` things, in the singular for one: ``1 input``, ``2 inputs``."""
    return f"{n:,} {what}{'s' * (n != 1)}"


# -- program.source ------------------------------------------------------------------------

FORWARD_TEXT = {
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
BACKWARD_TEXT = {
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

#: One argument of fn: its name, its width (None for a number) and the input leaves made for it.
Argument = tuple[str, "int | None", list[Value]]


class _Identifiers:
    """Python names for labels (``layers.0.w.1`` -> ``layers_0_w_1``), each unique: ``w``, ``w_2``, ``w_3``, ...

    Each base remembers the next number to try, so a thousand parameters labelled ``w`` take a
    thousand steps, not half a million.
    """

    def __init__(self) -> None:
        self.taken = set(_RESERVED)
        self.next: dict[str, int] = {}

    def __call__(self, text: str, fallback: str) -> str:
        name = re.sub(r"\W+", "_", text).strip("_") if text else ""
        if not name or name[0].isdigit():
            name = f"{fallback}_{name}" if name else fallback
        unique, k = name, self.next.get(name, 2)
        while unique in self.taken:
            unique, k = f"{name}_{k}", k + 1
        self.next[name] = k
        self.taken.add(unique)
        return unique


def source_lines(nodes: Sequence[Value], arguments: Sequence[Argument], outputs: Sequence[Value]) -> int:
    """How many lines ``source`` writes for ``sample`` (one per node and per backward edge), counted first."""
    computed = [node for node in nodes if node.parents]
    lines = 2 + sum(width is not None for _, width, _ in arguments) + len(computed) + 1
    if len(outputs) == 1:
        lines += 2 + sum(parent.op != "const" for node in computed for parent in node.parents)
    return lines


def source(
    nodes: Sequence[Value],
    arguments: Sequence[Argument],
    parameters: Sequence[Value],
    outputs: Sequence[Value],
    built_in: set[str],
) -> str:
    """The scalar program of one sample, written out (see ``compiled.Program.source``).

    ``built_in`` names the ops written as Python (``math.tanh``); any other op is called from RULES.

    Raises:
        ValueError: the source would be longer than MAX_SOURCE_LINES lines (checked before writing).
    """
    lines = source_lines(nodes, arguments, outputs)
    if lines > MAX_SOURCE_LINES:
        raise ValueError(
            f"program.source would have {lines:,} lines (one per node and one per edge of the backward pass), "
            f"more than MAX_SOURCE_LINES = {MAX_SOURCE_LINES:,} (autograd_mini.program_text): too long to read; "
            "print(program) gives its summary"
        )
    identifier = _Identifiers()
    names: dict[Value, str] = {}
    parameter_names = [identifier(name, "x") for name, _, _ in arguments]
    for argument, (_, width, leaves) in zip(parameter_names, arguments, strict=True):
        for leaf in leaves:
            names[leaf] = argument if width is None else identifier(leaf.label, argument)
    for i, parameter in enumerate(parameters):
        names[parameter] = identifier(parameter.label, f"p{i}")
    computed = 0
    for node in nodes:
        if node.op == "const":
            names[node] = repr(node.data) if node.data >= 0 else f"({node.data!r})"
        elif node.parents:
            computed += 1
            names[node] = identifier(node.label, f"v{computed}")
    body = [f"def sample({', '.join(parameter_names)}):"]
    for argument, (_, width, leaves) in zip(parameter_names, arguments, strict=True):
        if width is not None:
            body.append(f"    {', '.join(names[leaf] for leaf in leaves)}{',' if width == 1 else ''} = {argument}")
    body.append("    # forward: one line per node, parents first")
    for node in nodes:
        if node.parents:
            body.append(f"    {names[node]} = {_texts(node, built_in)[0].format(*(names[p] for p in node.parents))}")
    if len(outputs) != 1:
        body.append(f"    return [{', '.join(names[out] for out in outputs)}]")
    else:
        body += _backward_lines(nodes, parameters, outputs[0], names, identifier, built_in)
    text = "\n".join(body)
    header = ["import math", ""] + [helper for name, helper in _HELPERS.items() if f"{name}(" in text]
    if parameters:
        shown = ", ".join(names[p] for p in parameters[:8])
        more = f", ... ({len(parameters)} in all)" if len(parameters) > 8 else ""
        header.append(f"# parameters, read from their Values: {shown}{more}")
    return "\n".join(header) + "\n" + text + "\n"


def _texts(node: Value, built_in: set[str]) -> tuple[str, tuple[str, ...]]:
    """The forward and backward text of the node's op; an op not written as Python is called from RULES."""
    op = node.op
    if op in built_in:
        return FORWARD_TEXT[op], BACKWARD_TEXT[op]
    slots = ", ".join(f"{{{i}}}" for i in range(len(node.parents)))
    backward = tuple(f'{{u}} * RULES["{op}"].derivative({slots}, {{out}})[{i}]' for i in range(len(node.parents)))
    return f'RULES["{op}"].forward({slots})', backward


def _backward_lines(
    nodes: Sequence[Value],
    parameters: Sequence[Value],
    root: Value,
    names: dict[Value, str],
    identifier: _Identifiers,
    built_in: set[str],
) -> list[str]:
    """The backward pass of a one-output program: each gradient complete before it is read."""
    grad = {root: identifier(f"d_{names[root]}", "d")}
    lines = [
        "    # backward: from the output back; each d_ is complete before it is read (memoized)",
        f"    {grad[root]} = 1.0",
    ]
    for node in reversed(nodes):
        if not node.parents or node not in grad:
            continue
        for parent, text in zip(node.parents, _texts(node, built_in)[1], strict=True):
            if parent.op == "const":
                continue
            contribution = text.format(*(names[p] for p in node.parents), u=grad[node], out=names[node])
            if parent in grad:
                lines.append(f"    {grad[parent]} += {contribution}")
            else:
                grad[parent] = identifier(f"d_{names[parent]}", "d")
                lines.append(f"    {grad[parent]} = {contribution}")
    labels = Counter(p.label for p in parameters)
    keys = [p.label if p.label and labels[p.label] == 1 else names[p] for p in parameters]
    returned = ", ".join(f"{key!r}: {grad.get(p, '0.0')}" for key, p in zip(keys, parameters, strict=True))
    lines.append(f"    return {names[root]}, {{{returned}}}")
    return lines
