"""A safe little expression language: ``"tanh(x*w + b)"`` turned into a graph of Values.

The text is parsed by Python's own parser (``ast.parse(text, mode="eval")``) and the tree is
then checked against an allow-list before anything is computed: numbers, names, ``+ - * / **``,
unary ``-`` and ``+``, parentheses, and calls to the engine's one-input primitives (``abs exp
log sqrt tanh sigmoid relu sin cos``). Everything else is refused with an :class:`ExpressionError` that
names the problem and its column. Nothing is ever passed to ``eval`` or ``exec``: the checked
tree is walked by :meth:`Expression.build`, which makes one Value per operation.

Names are read as Python reads identifiers, normalized to NFKC (``ｘ`` is ``x``): use
:func:`normalize_name` on a name typed elsewhere before matching it to the expression's names.

>>> f = parse("tanh(x*w + b)")
>>> f.names
('x', 'w', 'b')
>>> root, inputs = f.build({"x": 0.5, "w": -1.2, "b": 0.3})
>>> root.backward()
>>> round(root.data, 6), round(inputs["w"].grad, 6)
(-0.291313, 0.457568)
"""

from __future__ import annotations

import ast
import math
import operator
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .engine import Value
from .rules import RULES, arity

#: The functions an expression may call: the engine's one-input primitives, as the rules table
#: holds them when this module is imported ("neg" is written as unary -). Each call is built by
#: ``Value.apply`` with one argument, hence one input only.
FUNCTIONS = tuple(op for op in RULES if op != "neg" and arity(op) == 1)
#: Longest expression text accepted, in characters.
MAX_LENGTH = 1000
#: Deepest nesting accepted, of parentheses and of operations: in ``-(-(-x))`` the name is 4
#: deep (three minus signs above it). A chain of + and - (or of * and /) written one after the
#: other, ``a + b - c + ...``, is one level however long: only the length limit bounds it.
MAX_DEPTH = 100
#: Largest |exponent| accepted when the exponent is written as a number.
MAX_EXPONENT = 1000.0
#: Labels for the output, first one free of the expression's names wins.
ROOT_LABELS = ("f", "g", "h", "out")

# The allowed operators: ast class -> (the engine's op name, the Python operator on Values).
_BINARY: dict[type[ast.operator], tuple[str, Callable[[Any, Any], Any]]] = {
    ast.Add: ("+", operator.add),
    ast.Sub: ("-", operator.sub),
    ast.Mult: ("*", operator.mul),
    ast.Div: ("/", operator.truediv),
    ast.Pow: ("**", operator.pow),
}
_UNARY = {ast.USub: "neg", ast.UAdd: "+"}
# Operators that chain at one level of precedence: a + b - c is (a + b) - c, one chain, not nested.
_CHAIN_LEVEL: dict[type[ast.operator], int] = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2}

# Friendly names for the refused operators and kinds of syntax.
_OPERATOR_TEXT = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.BitAnd: "&",
    ast.Not: "not",
    ast.Invert: "~",
}
_REFUSED = {
    ast.Attribute: "attribute access (a.b)",
    ast.Subscript: "subscripts (a[i])",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.Compare: "comparisons",
    ast.BoolOp: "'and'/'or'",
    ast.IfExp: "'if ... else'",
    ast.NamedExpr: "assignment (:=)",
    ast.List: "lists",
    ast.Tuple: "tuples (a, b)",
    ast.Set: "sets",
    ast.Dict: "dicts",
    ast.JoinedStr: "strings",
    ast.Starred: "starred arguments (*a)",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
    ast.Slice: "slices",
}
HINT = "allowed: numbers, names, + - * / **, parentheses, and the functions " + " ".join(FUNCTIONS)


class ExpressionError(ValueError):
    """An expression that cannot be parsed or computed; the message names the problem and its column.

    Attributes:
        column: 1-based position in the text where the problem starts (None if it is about the whole text).
        hint: what would be allowed instead ("" if there is nothing to add).

    >>> try:
    ...     parse("tanh(x.real)")
    ... except ExpressionError as error:
    ...     print(error.column, error)
    ...     print(error.hint)
    6 cannot use attribute access (a.b), at column 6: 'x.real'
    allowed: numbers, names, + - * / **, parentheses, and the functions abs exp log sqrt tanh sigmoid relu
    softplus sin cos
    """

    def __init__(self, message: str, column: int | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.column = column
        self.hint = hint


class Built(NamedTuple):
    """The graph made from an expression: its output and the leaf Value of each name."""

    root: Value
    inputs: dict[str, Value]


@dataclass(frozen=True)
class Expression:
    """A checked expression, ready to be built into a graph for any values of its names.

    Make one with :func:`parse`.

    Attributes:
        text: the text it was parsed from.
        names: its variable names, in order of first appearance.
    """

    text: str
    names: tuple[str, ...]
    tree: ast.expr = field(repr=False)  # checked by parse; build walks nothing else

    def build(self, values: Mapping[str, float]) -> Built:
        """Compute the expression on Values: one leaf per name (labelled with it), one node per operation.

        A name used twice is the same leaf, so its gradient collects both uses.

        Args:
            values: a number for every name, and nothing else; names are matched in their
                :func:`normalize_name` form, so a value for ``ｘ`` is the value of ``x``.

        Returns:
            ``Built(root, inputs)``: the output Value (labelled "f", or "g" if f is a name, unless it
            is a leaf) and a dict from each name to its leaf.

        Raises:
            ExpressionError: a name has no value, a value has no name, two values have one name,
                or an operation fails (log of a negative number, division by zero, overflow), naming where.
            TypeError: a value is not a real number, or a name not a str.

        >>> root, inputs = parse("x*x + 2*x").build({"x": 3.0})
        >>> root.backward()
        >>> root.data, inputs["x"].grad
        (15.0, 8.0)
        """
        inputs = {name: Value(value, label=name) for name, value in self._checked_values(values).items()}
        result = _Builder(self.text, inputs).build(self.tree)
        root = result if isinstance(result, Value) else Value(result)
        if root.op or not root.label:
            # "f", unless the expression has a name f: then the next free letter, so no two nodes share a name.
            root.label = next((label for label in ROOT_LABELS if label not in inputs), ROOT_LABELS[0])
        return Built(root, inputs)

    def _checked_values(self, values: Mapping[str, float]) -> dict[str, float]:
        """``values`` by normalized name, in the order of ``names``; an error names a missing, extra or repeated one."""
        given: dict[str, float] = {}
        for typed, value in values.items():
            name = normalize_name(typed)
            if name in given:
                raise ExpressionError(
                    f"two values were given for {name!r} ({typed!r} is {name!r} as a name, in NFKC form)"
                )
            given[name] = value
        for name in self.names:
            if name not in given:
                column = _name_column(self.text, self.tree, name)
                raise ExpressionError(f"no value given for {name!r} (used at column {column})", column)
        for name in given:
            if name not in self.names:
                used = ", ".join(self.names) or "none"
                raise ExpressionError(
                    f"a value was given for {name!r}, which the expression does not use (it uses: {used})"
                )
        return {name: given[name] for name in self.names}


def normalize_name(text: str) -> str:
    """A name as the expression's parser reads it: in Unicode's NFKC form, as Python reads identifiers.

    The names of an expression (``Expression.names``) are in this form: a name typed anywhere else,
    such as the NAME of a NAME=VALUE pair on the command line, must be normalized too before it is
    compared with them. ``Expression.build`` does so with the names it is given.

    Args:
        text: the name as typed.

    Returns:
        ``unicodedata.normalize("NFKC", text)``: fullwidth letters become ASCII, ligatures their letters.

    >>> normalize_name("ｘ"), normalize_name("ﬁt"), normalize_name("w1")
    ('x', 'fit', 'w1')
    >>> parse("ｘ * 2").names
    ('x',)
    """
    if not isinstance(text, str):
        raise TypeError(f"a name must be a str, got {type(text).__name__}: {text!r}")
    return unicodedata.normalize("NFKC", text)


def parse(text: str) -> Expression:
    """Parse and check ``text``; nothing is computed yet.

    Args:
        text: an expression such as ``"tanh(x*w + b)"``, on one line.

    Returns:
        The checked Expression.

    Raises:
        ExpressionError: the text is too long, not valid syntax, or uses anything outside the
            allow-list (the message says what, and where).
        TypeError: ``text`` is not a str.

    >>> parse("sigmoid(2*a) / (1 + b**2)").names
    ('a', 'b')
    >>> parse("x ** 5000")
    Traceback (most recent call last):
    ...
    autograd_mini.expr.ExpressionError: the exponent 5000 is too large (at most 1000 in size), at column 6: '5000'
    """
    if not isinstance(text, str):
        raise TypeError(f"parse expects the expression as a str, got {type(text).__name__}: {text!r}")
    _check_characters(text)
    tree = _syntax_tree(text)
    names = _Checker(text).check(tree)
    return Expression(text, names, tree)


def _check_characters(text: str) -> None:
    """Refuse empty, too long, multi-line and too deeply parenthesized text before the parser sees it."""
    if not text.strip():
        raise ExpressionError("the expression is empty")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"the expression is too long: {len(text)} characters (at most {MAX_LENGTH})")
    for index, char in enumerate(text):
        if not char.isprintable():
            raise ExpressionError(
                f"the character {char!r} at column {index + 1} is not allowed (one line of text)", index + 1
            )
    _check_parentheses(text)


def _check_parentheses(text: str) -> None:
    """Refuse parentheses nested more than MAX_DEPTH deep (unbalanced ones are left to the parser)."""
    depth = 0
    for index, char in enumerate(text):
        if char == ")":
            depth = max(depth - 1, 0)
        elif char == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ExpressionError(
                    f"the expression is nested too deeply (more than {MAX_DEPTH} levels of parentheses),"
                    f" at column {index + 1}",
                    index + 1,
                )


# A number written against a name or a parenthesis, as in "2x" or "3(x + 1)" (not "1e-3" or "x2").
_IMPLICIT_PRODUCT = re.compile(r"(?<![\w.])(\d+(?:\.\d*)?)\s*([A-Za-df-z_(][\w]*|e(?![+-]?\d)\w*)")


def _syntax_tree(text: str) -> ast.expr:
    """Python's parse tree of ``text``, with its syntax errors turned into ExpressionErrors."""
    try:
        return ast.parse(text, mode="eval").body
    except SyntaxError as error:
        column = min(max(error.offset or 1, 1), len(text) + 1)
        message = (error.msg or "invalid syntax").split(". Perhaps")[0]
        implicit = _IMPLICIT_PRODUCT.search(text)  # "2x" or "2(x + 1)": a product without its *
        if implicit:
            number, rest = implicit.groups()
            hint = f"multiplication needs a *: write {number}*{rest} for {number} times {rest}"
            raise ExpressionError(f"syntax error at column {implicit.start() + 1}: {message}", column, hint) from None
        raise ExpressionError(f"syntax error at column {column}: {message}", column, HINT) from None
    except (RecursionError, MemoryError, ValueError):
        # The parser's own limits (deep nesting, odd characters), reached before ours.
        raise ExpressionError("the expression is too deeply nested or malformed") from None


def _char_index(text: str, byte_offset: int) -> int:
    """The parser counts columns in UTF-8 bytes; people count characters."""
    return len(text.encode("utf-8")[:byte_offset].decode("utf-8", errors="ignore"))


def _column(text: str, node: ast.AST) -> int:
    """The 1-based column of ``node``; for ``a + b``, the column of the operator."""
    if isinstance(node, ast.BinOp) and node.left.end_col_offset is not None:
        # Between the left operand and the operator there are only spaces and closing parentheses.
        index = _char_index(text, node.left.end_col_offset)
        while index < len(text) and text[index] in " )":
            index += 1
        return index + 1
    return _char_index(text, getattr(node, "col_offset", 0)) + 1


def _error(text: str, what: str, node: ast.AST, hint: str) -> ExpressionError:
    """An ExpressionError saying ``what`` went wrong, and where: ``at column N: 'source text'``."""
    segment = ast.get_source_segment(text, node) or ""
    if len(segment) > 40:
        segment = segment[:37] + "..."
    column = _column(text, node)
    return ExpressionError(f"{what}, at column {column}: {segment!r}", column, hint)


def _name_column(text: str, tree: ast.expr, name: str) -> int:
    """Column of the first use of ``name`` (``ast.walk`` goes breadth first, so take the leftmost)."""
    return min(_column(text, node) for node in ast.walk(tree) if isinstance(node, ast.Name) and node.id == name)


def _literal(node: ast.expr) -> float | None:
    """The number written at ``node`` (``5``, ``-5``, ``+2.5``), or None if it is not a plain number."""
    sign = 1.0
    while isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.UAdd)):
        sign = -sign if isinstance(node.op, ast.USub) else sign
        node = node.operand
    number = _number(node) if isinstance(node, ast.Constant) else None
    return None if number is None else sign * number


def _number(node: ast.Constant) -> float | None:
    """The constant as a float (inf if too large), or None if it is not an int or float (True, 1j, "a")."""
    value = node.value
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return float(value)
    except OverflowError:  # an int literal with hundreds of digits
        return math.inf


class _Checker:
    """Walks a parse tree (iteratively, with a stack) and refuses whatever is not allowed."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.names: dict[str, None] = {}  # an ordered set

    def fail(self, what: str, node: ast.AST, hint: str = HINT) -> ExpressionError:
        return _error(self.text, what, node, hint)

    def check(self, tree: ast.expr) -> tuple[str, ...]:
        """The names used in ``tree``, in order of appearance, after checking every node."""
        stack: list[tuple[ast.expr, int]] = [(tree, 1)]
        while stack:
            node, depth = stack.pop()
            if depth > MAX_DEPTH:
                raise self.fail(f"the expression is nested too deeply (more than {MAX_DEPTH} levels)", node, "")
            # Reversed, so that the left child is checked first and names come in reading order.
            stack.extend(
                (child, depth if _continues_chain(node, child) else depth + 1)
                for child in reversed(self.children(node))
            )
        return tuple(self.names)

    def children(self, node: ast.expr) -> list[ast.expr]:
        """Check one node and return the sub-expressions to check next."""
        if isinstance(node, ast.Constant):
            self.check_number(node)
            return []
        if isinstance(node, ast.Name):
            if node.id in FUNCTIONS:
                raise self.fail(f"{node.id} is a function", node, hint=f"call it, as in {node.id}(x)")
            self.names.setdefault(node.id, None)
            return []
        if isinstance(node, ast.BinOp):
            self.check_binary(node)
            return [node.left, node.right]
        if isinstance(node, ast.UnaryOp):
            if type(node.op) not in _UNARY:
                raise self.fail(f"cannot use the operator {_OPERATOR_TEXT.get(type(node.op), '?')}", node)
            return [node.operand]
        if isinstance(node, ast.Call):
            return [self.check_call(node)]
        raise self.fail(f"cannot use {_REFUSED.get(type(node), type(node).__name__)}", node)

    def check_number(self, node: ast.Constant) -> None:
        if isinstance(node.value, str | bytes):
            raise self.fail("cannot use strings", node)
        number = _number(node)
        if number is None:
            raise self.fail(f"cannot use {node.value!r}: not a real number", node)
        if not math.isfinite(number):
            raise self.fail("the number is too large for a float", node, hint="")

    def check_binary(self, node: ast.BinOp) -> None:
        if type(node.op) not in _BINARY:
            raise self.fail(f"cannot use the operator {_OPERATOR_TEXT.get(type(node.op), '?')}", node)
        if not isinstance(node.op, ast.Pow):
            return
        if any(isinstance(inner, ast.BinOp) and isinstance(inner.op, ast.Pow) for inner in ast.walk(node.right)):
            raise self.fail(
                "cannot use a power inside an exponent (a ** b ** c)", node, hint="compute the exponent in another step"
            )
        exponent = _literal(node.right)
        if exponent is not None and abs(exponent) > MAX_EXPONENT:
            raise self.fail(
                f"the exponent {exponent:g} is too large (at most {MAX_EXPONENT:g} in size)", node.right, ""
            )

    def check_call(self, node: ast.Call) -> ast.expr:
        """Check a call and return its one argument."""
        if isinstance(node.func, ast.Constant) and len(node.args) == 1:  # "3(x + 1)": a product without its *
            hint = f"multiplication needs a *: write {ast.unparse(node.func)}*({ast.unparse(node.args[0])})"
            raise self.fail("a number cannot be called", node, hint)
        if not isinstance(node.func, ast.Name):
            raise self.fail("cannot call this", node)
        if node.func.id not in FUNCTIONS:
            raise self.fail(
                f"unknown function {node.func.id!r}", node.func, hint=f"known functions: {' '.join(FUNCTIONS)}"
            )
        if node.keywords:
            raise self.fail(f"{node.func.id}() takes no keyword arguments", node, hint="")
        if len(node.args) != 1 or isinstance(node.args[0], ast.Starred):
            raise self.fail(f"{node.func.id}() takes exactly one argument, got {len(node.args)}", node, hint="")
        return node.args[0]


def _continues_chain(node: ast.expr, child: ast.expr) -> bool:
    """True for the left operand of a chain such as a + b - c, parsed as (a + b) - c: it is no deeper."""
    if not (isinstance(node, ast.BinOp) and isinstance(child, ast.BinOp) and child is node.left):
        return False
    level = _CHAIN_LEVEL.get(type(node.op))
    return level is not None and level == _CHAIN_LEVEL.get(type(child.op))


class _Builder:
    """Computes a checked tree on Values; numbers stay floats until they meet a Value.

    The left operands of binary operations (a + b + c is (a + b) + c) are followed in a loop, and
    everything else recursively: the checker has bounded that nesting by MAX_DEPTH.
    """

    def __init__(self, text: str, inputs: dict[str, Value]) -> None:
        self.text = text
        self.inputs = inputs

    def build(self, node: ast.expr) -> Value | float:
        if isinstance(node, ast.Constant):
            number = _number(node)
            assert number is not None  # the checker let through only finite ints and floats
            return number
        if isinstance(node, ast.Name):
            return self.inputs[node.id]
        if isinstance(node, ast.BinOp):
            return self.chain(node)
        if isinstance(node, ast.UnaryOp):
            operand = self.build(node.operand)
            if _UNARY[type(node.op)] == "+":
                return operand
            return self.compute(node, "neg", operator.neg, operand)
        assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)  # the checker allows nothing else
        name = node.func.id
        return self.compute(node, name, lambda x: x.apply(name), self.build(node.args[0]))

    def chain(self, node: ast.BinOp) -> Value | float:
        """``node`` and the binary operations down its left operands, computed from the innermost out."""
        chain = [node]
        while isinstance(chain[-1].left, ast.BinOp):
            chain.append(chain[-1].left)
        result = self.build(chain[-1].left)
        for link in reversed(chain):
            op, python_op = _BINARY[type(link.op)]
            result = self.compute(link, op, python_op, result, self.build(link.right))
        return result

    def compute(self, node: ast.expr, op: str, on_values: Callable[..., Value], *args: Value | float) -> Value | float:
        """One operation: on floats by the engine's rule (same errors, no complex numbers), else on Values."""
        try:
            if all(isinstance(arg, float) for arg in args):
                result: Value | float = RULES[op].forward(*args)
                return result
            return on_values(*args)
        except (ArithmeticError, ValueError) as error:
            raise _error(self.text, str(error), node, hint="") from None
