"""serialize: models saved and loaded whole, hostile files refused before the work they would cost.

Each reproduction from the issue on reading model files is a test here, named after what it
reproduces: JSON nested 100,000 deep, a UTF-16 file, /dev/zero, a 200-byte file declaring a huge
network. How files are written whole or not at all (through a symbolic link, over a 0600 or read-only
file, over a directory or a device, a full disk, an interrupted or killed save) is in test_fileio.py.
"""

from __future__ import annotations

import builtins
import json
import math
import os
import tempfile
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import MLP, Layer, fileio, load, save, serialize
from autograd_mini.nn import ACTIVATIONS


def leftovers(folder: Path) -> list[str]:
    """The temporary files ``fileio.write_whole`` left in ``folder``."""
    return sorted(path.name for path in folder.glob(".am-*.tmp"))


def good_document() -> dict[str, Any]:
    model = MLP(2, [2, 1], seed=0)
    return {
        "format": "autograd_mini.MLP",
        "version": 1,
        "nin": 2,
        "nouts": [2, 1],
        "activation": "tanh",
        "output_activation": "linear",
        "bias": True,
        "state": model.state_dict(),
    }


def write_json(path: Path, document: object) -> Path:
    path.write_text(json.dumps(document), encoding="utf-8")
    return path


class BoundedReads:
    """An open file whose reads fail, before reading, if they ask for more than ``most`` bytes or for all."""

    def __init__(self, file: IO[bytes], most: int) -> None:
        self.file, self.most = file, most

    def __enter__(self) -> BoundedReads:
        return self

    def __exit__(self, *exc: object) -> None:
        self.file.close()

    def fileno(self) -> int:
        return self.file.fileno()

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0 or size > self.most:
            raise AssertionError(f"load asked to read {size} bytes, more than {self.most}")
        return self.file.read(size)


def refused_quickly(
    path: Path, message: str, read_at_most: int = serialize.MAX_FILE_BYTES + 1
) -> pytest.ExceptionInfo[ValueError]:
    """``load(path)`` raises a ValueError matching ``message`` before any MLP is built, having read
    at most ``read_at_most`` bytes (both would fail the test, not run: 10**9 parameters, /dev/zero)."""

    def bounded_open(file: Path, mode: str = "r") -> BoundedReads:
        assert mode == "rb", mode
        return BoundedReads(builtins.open(file, mode), read_at_most)

    def no_model(*args: object, **kwargs: object) -> MLP:
        raise AssertionError("load built an MLP before refusing the file")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fileio, "open", bounded_open, raising=False)  # read_limited's open, before builtins'
        patch.setattr(serialize, "MLP", no_model)
        with pytest.raises(ValueError, match=message) as caught:
            load(path)
    assert str(caught.value).startswith(str(path))
    return caught


# -- round trips ------------------------------------------------------------------------------


def test_save_and_load_give_an_equal_new_model(tmp_path: Path) -> None:
    model = MLP(3, [4, 2], activation="relu", output_activation="sigmoid", bias=False, seed=4)
    path = tmp_path / "model.json"
    save(model, path)
    loaded = load(path)
    assert loaded is not model
    assert repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()  # JSON keeps floats exactly (repr round trip)
    assert [o.data for o in loaded([1.0, 2.0, 3.0])] == [o.data for o in model([1.0, 2.0, 3.0])]
    document = json.loads(path.read_text())
    assert (document["nin"], document["nouts"], document["bias"]) == (3, [4, 2], False)
    assert (document["activation"], document["output_activation"]) == ("relu", "sigmoid")


@settings(max_examples=30, deadline=None)
@given(
    nin=st.integers(1, 5),
    nouts=st.lists(st.integers(1, 5), min_size=1, max_size=4),
    activation=st.sampled_from(sorted(ACTIVATIONS)),
    output_activation=st.sampled_from(sorted(ACTIVATIONS)),
    bias=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_any_mlp_shape_round_trips(
    nin: int, nouts: list[int], activation: str, output_activation: str, bias: bool, seed: int
) -> None:
    model = MLP(nin, nouts, activation=activation, output_activation=output_activation, bias=bias, seed=seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "model.json"
        save(model, path)
        loaded = load(path)
        assert leftovers(Path(folder)) == []
    assert repr(loaded) == repr(model)
    assert loaded.state_dict() == model.state_dict()


@pytest.mark.parametrize(
    ("nin", "nouts", "bias"), [(1, [1], False), (2, [16, 16, 1], True), (7, [3, 5, 2], False), (1, [1] * 30, True)]
)
def test_the_declared_count_is_the_models_count_at_the_limit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nin: int, nouts: list[int], bias: bool
) -> None:
    """``load`` counts parameters from the numbers alone; the count must be nn's, to the last one."""
    model = MLP(nin, nouts, bias=bias, seed=0)
    count = len(model.parameters())
    path = tmp_path / "m.json"
    monkeypatch.setattr(serialize, "MAX_PARAMETERS", count)
    save(model, path)
    assert load(path).state_dict() == model.state_dict()
    monkeypatch.setattr(serialize, "MAX_PARAMETERS", count - 1)
    with pytest.raises(ValueError, match=f"it declares {count:,} parameters, more than the limit of {count - 1:,}"):
        load(path)
    with pytest.raises(ValueError, match=f"cannot save .*: it has {count:,} parameters, more than the limit"):
        save(model, tmp_path / "other.json")
    assert not (tmp_path / "other.json").exists()


# -- files that are not saved models ------------------------------------------------------------


def test_the_good_document_loads(tmp_path: Path) -> None:
    """The baseline for the bad files below: each changes one thing in it."""
    path = write_json(tmp_path / "m.json", good_document())
    assert len(load(path).parameters()) == 9


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json at all", "is not valid JSON"),
        ("", "is not valid JSON"),
        ("[1, 2]", "expected a JSON object at the top, got list"),
        (json.dumps({**good_document(), "nouts": [3, 1]}), r"state holds 9 numbers, but .* \[3, 1\].* has 13"),
        (json.dumps({**good_document(), "nouts": [1, 1]}), r"state holds 9 numbers, but .* has 5"),
        (json.dumps({**good_document(), "nin": 3}), r"state holds 9 numbers, but .*nin 3.* has 11"),
        (json.dumps({k: v for k, v in good_document().items() if k != "state"}), "missing 'state'"),
        (json.dumps({k: v for k, v in good_document().items() if k != "bias"}), "missing 'bias'"),
        (json.dumps({**good_document(), "nin": "2"}), "nin must be an int >= 1, got str"),
        (json.dumps({**good_document(), "nin": 0}), "nin must be an int >= 1, got 0"),
        (json.dumps({**good_document(), "nin": True}), "nin must be an int >= 1, got bool"),
        (json.dumps({**good_document(), "nouts": []}), "nouts must be a non-empty list"),
        (json.dumps({**good_document(), "nouts": 3}), "nouts must be a non-empty list"),
        (json.dumps({**good_document(), "nouts": [2, 1.0]}), "a layer size in nouts must be an int >= 1, got float"),
        (json.dumps({**good_document(), "bias": 1}), "bias must be true or false, got int"),
        (json.dumps({**good_document(), "activation": "swish"}), r"activation must be one of 'tanh', .*, got 'swish'"),
        (json.dumps({**good_document(), "format": "pickle"}), "format must be 'autograd_mini.MLP', got str: 'pickle'"),
        (json.dumps({**good_document(), "state": [1, 2]}), "mapping from names to numbers, got list"),
    ],
)
def test_bad_files_raise_value_error_naming_the_file_and_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(ValueError, match=message) as caught:
        load(path)
    assert str(caught.value).startswith(str(path))


def test_a_state_with_the_right_count_but_wrong_names_is_refused_by_name(tmp_path: Path) -> None:
    document = good_document()
    state = document["state"]
    state["w.surprise"] = state.pop("layers.1.neurons.0.b")
    with pytest.raises(ValueError, match=r"missing 'layers.1.neurons.0.b'; unexpected 'w.surprise'"):
        load(write_json(tmp_path / "m.json", document))


@pytest.mark.parametrize("bad", ["NaN", "Infinity", "-Infinity", '"0.5"', "null", "true", "[1.0]"])
def test_non_numeric_or_non_finite_values_in_a_file(tmp_path: Path, bad: str) -> None:
    document = good_document()
    document["state"]["layers.0.neurons.1.b"] = "SLOT"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document).replace('"SLOT"', bad))
    with pytest.raises(ValueError, match=r"is not a finite number|'layers.0.neurons.1.b' must be a finite number"):
        load(path)


# -- the hostile files: refused within a second, naming the file --------------------------


@pytest.mark.parametrize("where", ["top", "state"])
def test_json_nested_100_000_deep_is_refused_without_recursion_error(tmp_path: Path, where: str) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    text = deep if where == "top" else json.dumps(good_document()).replace('"state": {', f'"state": {deep}, "x": {{')
    path = tmp_path / "deep.json"
    path.write_text(text)
    refused_quickly(path, f"its JSON is nested more than {serialize.MAX_DEPTH} deep")


def test_unclosed_brackets_100_000_deep_are_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "open.json"
    path.write_text("{" + '"a": [' * 100_000)
    refused_quickly(path, "nested more than")


def test_brackets_inside_strings_are_not_nesting(tmp_path: Path) -> None:
    document = good_document()
    document["format"] = '[{\\"' + "[" * 100_000  # escaped quotes must not end the string early
    caught = refused_quickly(write_json(tmp_path / "m.json", document), "is not a saved MLP: format")
    assert "nested" not in str(caught.value)


def test_a_utf16_file_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "utf16.json"
    path.write_text(json.dumps(good_document()), encoding="utf-16")
    refused_quickly(path, "is not UTF-8 text .*UTF-16")


def test_a_binary_file_is_a_value_error_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(bytes(range(128, 256)))
    refused_quickly(path, "is not UTF-8 text: invalid start byte at byte 0")


def test_a_utf8_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "bom.json"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(good_document()).encode())
    assert load(path).nouts == [2, 1]


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero here")
def test_dev_zero_is_refused_quickly_without_memory_error() -> None:
    refused_quickly(Path("/dev/zero"), f"is larger than the limit of {serialize.MAX_FILE_BYTES:,} bytes")


def test_a_file_over_the_size_cap_is_refused_before_it_is_read(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with open(path, "wb") as file:
        file.truncate(1 << 40)  # a sparse terabyte: reading it would take hours, its size is known at once
    refused_quickly(path, "is larger than the limit", read_at_most=0)


def test_a_missing_file_is_an_os_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError) as caught:
        load(tmp_path / "nothing.json")
    assert caught.value.filename == str(tmp_path / "nothing.json")


@pytest.mark.parametrize(
    ("nin", "nouts", "count"),
    [(2, [1_000_000, 1_000_000], 1_000_004_000_000), (10**9, [1], 1_000_000_001), (500, [400], 200_400)],
)
def test_a_small_file_declaring_a_huge_network_is_refused_before_it_is_built(
    tmp_path: Path, nin: int, nouts: list[int], count: int
) -> None:
    path = write_json(tmp_path / "huge.json", {**good_document(), "nin": nin, "nouts": nouts})
    refused_quickly(path, f"declares {count:,} parameters, more than the limit of {serialize.MAX_PARAMETERS:,}")


def test_a_file_declaring_too_many_layers_is_refused_before_they_are_built(tmp_path: Path) -> None:
    """Building an MLP takes time growing faster than its depth: 200,000 one-weight layers would take an hour."""
    layers = 200_000
    document = {**good_document(), "nin": 1, "nouts": [1] * layers, "bias": False}
    document["state"] = {f"layers.{i}.neurons.0.w.0": 0.5 for i in range(layers)}  # the right count, 6 MB
    refused_quickly(
        write_json(tmp_path / "deep.json", document), "declares 200,000 layers, more than the limit of 1,000"
    )


def test_the_deepest_network_allowed_saves_and_loads_and_one_more_layer_is_refused(tmp_path: Path) -> None:
    deepest = MLP(1, [1] * serialize.MAX_LAYERS, bias=False, seed=0)
    save(deepest, tmp_path / "m.json")
    assert load(tmp_path / "m.json").state_dict() == deepest.state_dict()
    with pytest.raises(ValueError, match="it has 1,001 layers, more than the limit of 1,000"):
        save(MLP(1, [1] * (serialize.MAX_LAYERS + 1), bias=False, seed=0), tmp_path / "other.json")
    assert not (tmp_path / "other.json").exists()


def test_a_network_at_the_limit_with_a_small_state_is_refused_before_it_is_built(tmp_path: Path) -> None:
    nin = serialize.MAX_PARAMETERS // 2 - 1  # one neuron: nin weights and a bias, just under the limit
    path = write_json(tmp_path / "m.json", {**good_document(), "nin": nin, "nouts": [2]})
    refused_quickly(path, f"its state holds 9 numbers, but .* has {2 * (nin + 1):,}")


# -- save: what it refuses ----------------------------------------------------------------------


def test_save_refuses_non_finite_parameters_and_writes_nothing(tmp_path: Path) -> None:
    model = MLP(1, [1], seed=0)
    model.parameters()[0].data = math.nan
    path = tmp_path / "m.json"
    with pytest.raises(ValueError, match=r"parameters \['layers.0.neurons.0.w.0'\] are not finite"):
        save(model, path)
    assert list(tmp_path.iterdir()) == []


def test_save_refuses_a_file_load_would_refuse(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(serialize, "MAX_FILE_BYTES", 100)
    with pytest.raises(ValueError, match=r"its file would be .* bytes, more than the limit of 100"):
        save(MLP(1, [1], seed=0), tmp_path / "m.json")
    assert list(tmp_path.iterdir()) == []


def test_save_overwrites_whole_and_only_models(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")
    save(MLP(1, [1], seed=0), path)
    assert load(path).nouts == [1]
    assert [p.name for p in tmp_path.iterdir()] == ["m.json"]  # no temporary file left behind
    with pytest.raises(TypeError, match="save expects an MLP, got Layer"):
        save(Layer(1, 1, seed=0), path)  # type: ignore[arg-type]


# -- issue 19: a bool is not a number, a field is named by its own name -------------------------------


@pytest.mark.parametrize(
    ("version", "shown"),
    [(True, "bool: True"), (1.0, r"float: 1\.0"), ("1", "str: '1'"), (2, "int: 2"), (None, "NoneType: None")],
)
def test_a_version_must_be_the_int_one(tmp_path: Path, version: object, shown: str) -> None:
    # The issue: "version": true was accepted, since True == 1 in Python (and 1.0 == 1 as well).
    path = write_json(tmp_path / "m.json", {**good_document(), "version": version})
    with pytest.raises(ValueError, match=rf"is not a saved MLP: version must be the int 1, got {shown}$"):
        load(path)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("output_activation", True, r"output_activation must be one of 'tanh', .*, got True$"),  # was "activation"
        ("activation", 1, r"activation must be one of 'tanh', .*, got 1$"),
        ("format", True, r"format must be 'autograd_mini.MLP', got bool: True$"),
        ("bias", 0, "bias must be true or false, got int: 0$"),
        ("nin", False, "nin must be an int >= 1, got bool: False$"),
        ("nouts", [2, True], "a layer size in nouts must be an int >= 1, got bool: True$"),
    ],
)
def test_every_field_refuses_a_bool_or_a_wrong_kind_by_its_name(
    tmp_path: Path, field: str, value: object, message: str
) -> None:
    path = write_json(tmp_path / "m.json", {**good_document(), field: value})
    with pytest.raises(ValueError, match=message):
        load(path)


@pytest.mark.parametrize(
    ("literal", "message"),
    [
        ("1" + "0" * 400, r"state entry 'layers.0.neurons.1.b' must be a finite number, got 1000"),
        ("1e400", r"'layers.0.neurons.1.b' must be a finite number, got inf"),  # JSON reads it as inf
        ("-1e400", r"'layers.0.neurons.1.b' must be a finite number, got -inf"),
        ("false", r"'layers.0.neurons.1.b' must be a finite number, got bool: False"),
    ],
)
def test_a_state_number_beyond_a_float_or_a_bool_is_refused_naming_its_entry(
    tmp_path: Path, literal: str, message: str
) -> None:
    # Before: a 401-digit integer escaped load as Python's OverflowError "int too large to convert to float".
    document = good_document()
    document["state"]["layers.0.neurons.1.b"] = "SLOT"
    path = tmp_path / "m.json"
    path.write_text(json.dumps(document).replace('"SLOT"', literal))
    with pytest.raises(ValueError, match=message) as caught:
        load(path)
    assert str(caught.value).startswith(str(path))


def test_a_declared_size_read_as_an_infinity_is_refused_by_name(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text(json.dumps(good_document()).replace('"nin": 2', '"nin": 1e400'))
    with pytest.raises(ValueError, match=r"nin must be an int >= 1, got float: inf$"):
        load(path)
