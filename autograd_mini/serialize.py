"""Save an MLP to a JSON file and load it back (never pickle: loading a file runs no code).

The file holds the architecture (the arguments of ``MLP``) and the state (``state_dict``):

.. code-block:: json

    {"format": "autograd_mini.MLP", "version": 1, "nin": 2, "nouts": [16, 16, 1],
     "activation": "tanh", "output_activation": "linear", "bias": true,
     "state": {"layers.0.neurons.0.w.0": 0.1234, "...": 0.0}}

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
import secrets
from pathlib import Path
from typing import Any

from .nn import MLP

FORMAT = "autograd_mini.MLP"
VERSION = 1
ARCHITECTURE = ("nin", "nouts", "activation", "output_activation", "bias")


def save(model: MLP, path: str | os.PathLike[str]) -> None:
    """Write ``model``'s architecture and parameters to ``path`` as JSON.

    The file is written whole or not at all (a temporary file, then renamed over ``path``).

    Args:
        model: the MLP to save.
        path: where to write.

    Raises:
        TypeError: ``model`` is not an MLP.
        ValueError: a parameter is NaN or infinite (JSON has no such numbers).

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> save(MLP(1, [1], seed=0), path)
    >>> sorted(json.loads(path.read_text()))
    ['activation', 'bias', 'format', 'nin', 'nouts', 'output_activation', 'state', 'version']
    """
    if not isinstance(model, MLP):
        raise TypeError(f"save expects an MLP, got {type(model).__name__}")
    document = {"format": FORMAT, "version": VERSION, **{key: getattr(model, key) for key in ARCHITECTURE}}
    document["state"] = model.state_dict()
    try:
        text = json.dumps(document, allow_nan=False, indent=1)
    except ValueError:
        bad = [name for name, x in document["state"].items() if x != x or abs(x) == float("inf")]
        raise ValueError(f"cannot save {model!r}: parameters {bad[:5]} are not finite") from None
    target = Path(path)
    temporary = target.parent / f".{target.name}.{secrets.token_hex(6)}.tmp"
    # "x" makes a new file (never someone else's) with the permissions the user's umask gives,
    # as a plain open() would; tempfile.mkstemp would make it readable by its owner only.
    created = False
    try:
        with open(temporary, "x", encoding="utf-8") as file:
            created = True
            file.write(text)
        os.replace(temporary, target)
    except BaseException:
        if created:
            temporary.unlink(missing_ok=True)
        raise


def load(path: str | os.PathLike[str]) -> MLP:
    """A new MLP with the architecture and parameters stored in ``path`` by ``save``.

    Args:
        path: a file written by ``save``.

    Returns:
        The model.

    Raises:
        ValueError: the file is not JSON, or not a saved model (naming what is wrong: a missing
            key, a wrong shape, a value that is not a finite number, ...).
        OSError: the file cannot be read.

    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "m.json"
    >>> _ = path.write_text('{"format": "autograd_mini.MLP"}')
    >>> load(path)
    Traceback (most recent call last):
    ...
    ValueError: .../m.json is not a saved MLP: missing 'version', 'nin', ...
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as error:  # json.JSONDecodeError is a ValueError
        raise ValueError(f"{path} is not valid JSON: {error}") from None
    try:
        return _model_from(document)
    except (TypeError, ValueError) as error:
        raise ValueError(f"{path} is not a saved MLP: {error}") from None


def _model_from(document: Any) -> MLP:
    if not isinstance(document, dict):
        raise ValueError(f"expected a JSON object at the top, got {type(document).__name__}")
    missing = [repr(key) for key in ("format", "version", *ARCHITECTURE, "state") if key not in document]
    if missing:
        raise ValueError(f"missing {', '.join(missing)}")
    if document["format"] != FORMAT or document["version"] != VERSION:
        raise ValueError(
            f"format {document['format']!r} version {document['version']!r}, expected {FORMAT!r} version {VERSION}"
        )
    architecture = {key: document[key] for key in ARCHITECTURE}
    model = MLP(**architecture, seed=0)  # the seed only spares the OS entropy: every weight is overwritten
    model.load_state_dict(document["state"])
    return model


def _reject_constant(name: str) -> Any:
    """JSON's extension constants NaN, Infinity and -Infinity are not numbers a model can hold."""
    raise ValueError(f"{name} is not a finite number")
