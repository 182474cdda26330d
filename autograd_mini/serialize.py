"""Save an MLP to a JSON file and load it back (never pickle: loading a file runs no code).

The file holds the architecture (the arguments of ``MLP``) and the state (``state_dict``):

.. code-block:: json

    {"format": "autograd_mini.MLP", "version": 1, "nin": 2, "nouts": [16, 16, 1],
     "activation": "tanh", "output_activation": "linear", "bias": true,
     "state": {"layers.0.neurons.0.w.0": 0.1234, "...": 0.0}}

``load`` treats a file as untrusted: before building anything it checks the file's size
(``MAX_FILE_BYTES``), its JSON nesting (``MAX_DEPTH``), the declared shape against ``MAX_LAYERS``
and ``MAX_PARAMETERS``, and that the state holds that many numbers, so a small hostile file is refused
in milliseconds. ``save`` refuses a model that ``load`` would refuse, and writes through
``fileio.write_whole``: the file is written whole or not at all. The limits are module attributes,
read at each call, so a program that needs larger models can raise them.

>>> import tempfile, pathlib
>>> from autograd_mini.nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "model.json"
>>> save(model, path)
>>> load(path).state_dict() == model.state_dict()
True
"""

from __future__ import annotations

import json
import os
import re
import sys
from typing import Any

from . import checks
from .fileio import read_limited, write_whole
from .nn import ACTIVATIONS, MLP, parameter_count

FORMAT = "autograd_mini.MLP"
VERSION = 1
ARCHITECTURE = ("nin", "nouts", "activation", "output_activation", "bias")

#: The most parameters a saved model may have (about 1.5 s to build, 3.5 s to load, 12 MB of JSON).
MAX_PARAMETERS = 200_000
#: The most layers (ten times the deepest network in the notebooks; building an MLP takes time
#: growing faster than its number of layers, so the parameter limit alone does not bound it).
MAX_LAYERS = 1_000
#: The largest file ``load`` reads: 16 MiB, above any file within the limits above (at most 69
#: bytes a parameter).
MAX_FILE_BYTES = 16 * 1024 * 1024
#: The deepest JSON nesting ``load`` parses (a saved model nests 2 deep; json recurses once a level).
MAX_DEPTH = 64

# A JSON string (whose brackets do not nest anything), and anything that is not a bracket.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"')
_NOT_BRACKET = re.compile(r"[^\[\]{}]+")


def save(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write ``model``'s architecture and parameters to ``path`` as JSON.

    The file is written whole or not at all (``fileio.write_whole``: a temporary file beside it,
    renamed over it); a symbolic link is followed and an existing file keeps its permissions.

    Args:
        model: the MLP to save.
        path: where to write.

    Raises:
        TypeError: ``model`` is not an MLP.
        ValueError: a parameter is NaN or infinite (JSON has no such numbers), or the model is larger
            than ``load`` accepts (``MAX_LAYERS``, ``MAX_PARAMETERS``, ``MAX_FILE_BYTES``).
        OSError: the file cannot be written (naming ``path``; see ``fileio.write_whole``).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> save(MLP(1, [1], seed=0), path)
    >>> sorted(json.loads(path.read_text()))
    ['activation', 'bias', 'format', 'nin', 'nouts', 'output_activation', 'state', 'version']
    """
    if not isinstance(model, MLP):
        raise TypeError(f"save expects an MLP, got {type(model).__name__}")
    state = model.state_dict()
    too_large = _over_a_limit(len(model.nouts), len(state))
    if too_large:
        raise ValueError(f"cannot save {model!r}: it has {too_large}")
    document = {"format": FORMAT, "version": VERSION, **{key: getattr(model, key) for key in ARCHITECTURE}}
    document["state"] = state
    try:
        text = json.dumps(document, allow_nan=False, indent=1)
    except ValueError:
        bad = [name for name, x in state.items() if x != x or abs(x) == float("inf")]
        raise ValueError(f"cannot save {model!r}: parameters {bad[:5]} are not finite") from None
    data = text.encode("utf-8")
    if len(data) > MAX_FILE_BYTES:
        raise ValueError(
            f"cannot save {model!r}: its file would be {len(data):,} bytes, more than the limit of "
            f"{MAX_FILE_BYTES:,} (serialize.MAX_FILE_BYTES)"
        )
    write_whole(path, data)


def load(path: str | os.PathLike[str]) -> MLP:
    """A new MLP with the architecture and parameters stored in ``path`` by ``save``.

    The file is checked before anything is built (size, nesting, shape, parameter count, state
    size), so a failed load has made nothing: it returns a whole model or raises.

    Args:
        path: a file written by ``save``.

    Returns:
        The model.

    Raises:
        ValueError: the file is larger than ``MAX_FILE_BYTES``, not UTF-8, not JSON, nested deeper
            than ``MAX_DEPTH``, or not a saved model (naming what is wrong: a missing key, a wrong
            shape, more than ``MAX_LAYERS`` layers or ``MAX_PARAMETERS`` parameters, a value that is
            not a finite number, a bool where a number belongs: ``"version": true`` is not version 1,
            ...), each field by its name. Every message starts with ``path``.
        OSError: the file cannot be read.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> _ = path.write_text('{"format": "autograd_mini.MLP"}')
    >>> load(path)
    Traceback (most recent call last):
    ...
    ValueError: .../m.json is not a saved MLP: missing 'version', 'nin', ...
    >>> _ = path.write_text('{"format": "autograd_mini.MLP", "version": 1, "nin": 1000000000, "nouts": [1], '
    ...                     '"activation": "tanh", "output_activation": "linear", "bias": true, "state": {}}')
    >>> load(path)
    Traceback (most recent call last):
    ...
    ValueError: .../m.json is not a saved MLP: it declares 1,000,000,001 parameters, more than the limit of 200,000 ...
    """
    name = os.fspath(path)
    text = read_limited(path, MAX_FILE_BYTES)
    if _nesting_deeper_than(MAX_DEPTH, text):
        raise ValueError(f"{name} is not a saved MLP: its JSON is nested more than {MAX_DEPTH} deep")
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{name} is not valid JSON: {error}") from None
    try:
        return _model_from(document)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{name} is not a saved MLP: {error}") from None


def _model_from(document: Any) -> MLP:
    """The model ``document`` describes; its size is checked against its state before it is built."""
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object at the top, got {type(document).__name__}")
    missing = [repr(key) for key in ("format", "version", *ARCHITECTURE, "state") if key not in document]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if document["format"] != FORMAT:
        raise ValueError(f"format must be {FORMAT!r}, got {_kind_and_value(document['format'])}")
    if type(document["version"]) is not int or document["version"] != VERSION:  # true == 1, and so does 1.0
        raise ValueError(f"version must be the int {VERSION}, got {_kind_and_value(document['version'])}")
    for key in ("activation", "output_activation"):  # named here: MLP's own check calls both "activation"
        checks.one_of(document[key], key, ACTIVATIONS)
    count = _parameter_count(document["nin"], document["nouts"], document["bias"])
    too_large = _over_a_limit(len(document["nouts"]), count)
    if too_large:
        raise ValueError(f"it declares {too_large}")
    state = document["state"]
    if not isinstance(state, dict):
        raise ValueError(f"state must be a mapping from names to numbers, got {type(state).__name__}")
    if len(state) != count:
        shape = f"nin {document['nin']}, nouts {document['nouts']!r:.60}, bias {document['bias']}"
        raise ValueError(f"its state holds {len(state):,} numbers, but the MLP it declares ({shape}) has {count:,}")
    huge = next((name for name, x in state.items() if type(x) is int and abs(x) > sys.float_info.max), None)
    if huge is not None:  # nn's check would meet Python's unnamed "int too large to convert to float"
        raise ValueError(f"state entry {huge!r} must be a finite number, got {checks.shown(state[huge])}")
    model = MLP(**{key: document[key] for key in ARCHITECTURE}, seed=0)  # seed: every weight is overwritten
    model.load_state_dict(state)
    return model


def _parameter_count(nin: Any, nouts: Any, bias: Any) -> int:
    """The parameters of ``MLP(nin, nouts, bias=bias)`` declared in a file, after checking the numbers' types."""
    if not isinstance(nouts, list) or not nouts:
        raise ValueError(f"nouts must be a non-empty list of layer sizes, got {nouts!r:.60}")
    sizes = [_positive_int(nin, "nin"), *(_positive_int(n, "a layer size in nouts") for n in nouts)]
    if not isinstance(bias, bool):
        raise ValueError(f"bias must be true or false, got {_kind_and_value(bias)}")
    return parameter_count(sizes, bias)


def _kind_and_value(value: Any) -> str:
    """How a message shows a value read from a file: its JSON kind matters (true is not 1)."""
    return f"{type(value).__name__}: {checks.shown(value)}"


def _positive_int(n: Any, what: str) -> int:
    """A size read from a file: checked as an argument would be, but a flaw in a file is always a ValueError."""
    try:
        return checks.count(n, what)
    except TypeError as error:
        raise ValueError(str(error)) from None


def _over_a_limit(layers: int, parameters: int) -> str:
    """What is over ``MAX_LAYERS`` or ``MAX_PARAMETERS`` in a network of that size, or "" if nothing."""
    if layers > MAX_LAYERS:
        return f"{layers:,} layers, more than the limit of {MAX_LAYERS:,} (serialize.MAX_LAYERS)"
    if parameters > MAX_PARAMETERS:
        return f"{parameters:,} parameters, more than the limit of {MAX_PARAMETERS:,} (serialize.MAX_PARAMETERS)"
    return ""


def _nesting_deeper_than(limit: int, text: str) -> bool:
    """Whether the JSON ``text`` nests arrays and objects more than ``limit`` deep.

    Brackets inside strings are not nesting, so strings are removed first; the loop then sees
    brackets only (six for a saved model).
    """
    depth = 0
    for bracket in _NOT_BRACKET.sub("", _STRING.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        if depth > limit:
            return True
    return False


def _reject_constant(name: str) -> Any:
    """JSON's extension constants NaN, Infinity and -Infinity are not numbers a model can hold."""
    raise ValueError(f"{name} is not a finite number")
