"""serialize and fileio: models saved and loaded whole, files written whole or not at all, hostile
files refused in milliseconds.

Each reproduction from the issue on files is a test here, named after what it reproduces: JSON
nested 100,000 deep, a UTF-16 file, /dev/zero, a 200-byte file declaring a huge network; saving
through a symbolic link, over a 0600 or read-only file, over a directory or a device, a 255-character
name, a full disk, an interrupted or killed save.
"""

from __future__ import annotations

import errno
import functools
import json
import math
import os
import random
import signal
import stat
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from autograd_mini import MLP, Layer, load, save, serialize
from autograd_mini.fileio import read_limited, write_whole
from autograd_mini.nn import ACTIVATIONS


def leftovers(folder: Path) -> list[str]:
    """The temporary files ``write_whole`` left in ``folder``."""
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


def refused_quickly(path: Path, message: str) -> pytest.ExceptionInfo[ValueError]:
    """``load(path)`` raises a ValueError matching ``message`` within a second."""
    start = time.perf_counter()
    with pytest.raises(ValueError, match=message) as caught:
        load(path)
    assert time.perf_counter() - start < 10.0
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
        (json.dumps({**good_document(), "nin": "2"}), "nin must be a positive int, got str"),
        (json.dumps({**good_document(), "nin": 0}), "nin must be a positive int, got int: 0"),
        (json.dumps({**good_document(), "nin": True}), "nin must be a positive int, got bool"),
        (json.dumps({**good_document(), "nouts": []}), "nouts must be a non-empty list"),
        (json.dumps({**good_document(), "nouts": 3}), "nouts must be a non-empty list"),
        (json.dumps({**good_document(), "nouts": [2, 1.0]}), "a layer size in nouts must be a positive int"),
        (json.dumps({**good_document(), "bias": 1}), "bias must be true or false, got int"),
        (json.dumps({**good_document(), "activation": "swish"}), "unknown activation 'swish'"),
        (json.dumps({**good_document(), "format": "pickle"}), "format 'pickle'"),
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
    refused_quickly(path, "is larger than the limit")


def test_read_limited_stops_at_the_cap_on_a_file_that_does_not_say_its_size(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = subprocess.Popen([sys.executable, "-c", f"open({str(fifo)!r}, 'wb').write(b'x' * 10_000)"])
    with pytest.raises(ValueError, match="pipe is larger than the limit of 100 bytes"):
        read_limited(fifo, max_bytes=100)
    writer.wait(timeout=10)


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


# -- write_whole: writing into the file the user named --------------------------------------------


def test_save_gives_a_new_file_the_permissions_a_plain_write_would(tmp_path: Path) -> None:
    plain = tmp_path / "plain.txt"
    plain.write_text("x")  # made under the same umask, so the reference is independent of this machine's
    saved = tmp_path / "m.json"
    save(MLP(1, [1], seed=0), saved)
    assert stat.S_IMODE(saved.stat().st_mode) == stat.S_IMODE(plain.stat().st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json", "plain.txt"]


@pytest.mark.parametrize("mode", [0o600, 0o640, 0o664, 0o200])
def test_save_keeps_an_existing_files_permissions(tmp_path: Path, mode: int) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")
    path.chmod(mode)
    save(MLP(1, [1], seed=0), path)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    path.chmod(0o600)
    assert load(path).nouts == [1]


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="only root can give a file away")
def test_as_root_save_keeps_an_existing_files_owner(tmp_path: Path) -> None:
    path = tmp_path / "m.json"
    path.write_text("old")
    os.chown(path, 12345, 23456)
    save(MLP(1, [1], seed=0), path)
    assert (path.stat().st_uid, path.stat().st_gid) == (12345, 23456)


def test_save_through_a_symlink_keeps_the_link_and_writes_its_target(tmp_path: Path) -> None:
    (tmp_path / "real").mkdir()
    target = tmp_path / "real" / "model.json"
    target.write_text("old")
    target.chmod(0o600)
    link = tmp_path / "link.json"
    link.symlink_to(Path("real") / "model.json")  # relative, as ln -s makes it
    save(MLP(1, [1], seed=0), link)
    assert link.is_symlink() and os.readlink(link) == os.path.join("real", "model.json")
    assert load(target).nouts == [1]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert leftovers(tmp_path) == leftovers(tmp_path / "real") == []


def test_a_dangling_symlink_is_followed_as_open_would(tmp_path: Path) -> None:
    link = tmp_path / "link.json"
    link.symlink_to(tmp_path / "new.json")
    write_whole(link, "x")
    assert link.is_symlink() and (tmp_path / "new.json").read_text() == "x"


def test_a_read_only_file_is_refused_and_left_unchanged(tmp_path: Path) -> None:
    """As root os.access says any file is writable: the mode must be checked too."""
    path = tmp_path / "m.json"
    path.write_text("old")
    path.chmod(0o444)
    with pytest.raises(PermissionError, match=r"read-only \(mode 0444\)") as caught:
        save(MLP(1, [1], seed=0), path)
    assert caught.value.filename == str(path)
    assert path.read_text() == "old" and stat.S_IMODE(path.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def _not_regular_targets() -> list[Any]:
    devices = [pytest.param(Path(name), id=name) for name in ("/dev/null", "/dev/full") if os.path.exists(name)]
    return [pytest.param(None, id="directory"), pytest.param("fifo", id="fifo"), *devices]


@pytest.mark.parametrize("kind", _not_regular_targets())
@pytest.mark.parametrize("through_a_link", [False, True])
def test_a_target_that_is_not_a_regular_file_is_refused(tmp_path: Path, kind: Any, through_a_link: bool) -> None:
    if kind is None:
        target = tmp_path / "folder"
        target.mkdir()
    elif kind == "fifo":
        target = tmp_path / "fifo"
        os.mkfifo(target)
    else:
        target = kind
    before = os.stat(target)
    given = tmp_path / "link" if through_a_link else target
    if through_a_link:
        given.symlink_to(target)
    with pytest.raises(OSError, match="not a regular file but a") as caught:
        save(MLP(1, [1], seed=0), given)
    assert caught.value.filename == str(given)
    after = os.stat(target)
    assert (after.st_mode, after.st_ino, after.st_rdev) == (before.st_mode, before.st_ino, before.st_rdev)
    assert leftovers(tmp_path) == leftovers(target.parent) == []


def test_a_255_character_file_name_works(tmp_path: Path) -> None:
    path = tmp_path / ("m" * 250 + ".json")
    assert len(path.name) == 255
    save(MLP(1, [1], seed=0), path)
    assert load(path).nouts == [1]
    assert leftovers(tmp_path) == []


def test_errors_name_the_path_given_not_the_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "no such folder" / "m.json"
    with pytest.raises(FileNotFoundError, match="making a temporary file in") as caught:
        save(MLP(1, [1], seed=0), path)
    assert caught.value.filename == str(path)
    assert ".am-" not in str(caught.value)


def test_write_whole_returns_the_path_given_and_refuses_other_data(tmp_path: Path) -> None:
    assert write_whole(str(tmp_path / "a"), b"\x00\xff") == tmp_path / "a"
    assert (tmp_path / "a").read_bytes() == b"\x00\xff"
    with pytest.raises(TypeError, match="bytes or str, got list"):
        write_whole(tmp_path / "b", [1, 2])  # type: ignore[arg-type]
    assert not (tmp_path / "b").exists()


# -- write_whole: failures part way ---------------------------------------------------------------


def _fail_with(error: BaseException) -> Any:
    def fail(*args: object) -> None:
        raise error

    return fail


@pytest.mark.parametrize("step", ["fsync", "chmod", "replace"])
def test_a_full_disk_part_way_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "model.json"
    path.write_text("old")
    monkeypatch.setattr(os, step, _fail_with(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(OSError, match="No space left on device") as caught:
        save(MLP(1, [1], seed=0), path)
    assert (caught.value.errno, caught.value.filename) == (errno.ENOSPC, str(path))
    assert ".am-" not in str(caught.value)
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("step", ["fsync", "replace"])
def test_an_interrupt_part_way_stays_an_interrupt_and_leaves_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str
) -> None:
    path = tmp_path / "model.json"
    path.write_text("old")
    monkeypatch.setattr(os, step, _fail_with(KeyboardInterrupt()))
    with pytest.raises(KeyboardInterrupt):
        save(MLP(1, [1], seed=0), path)
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


def run_child(code: str, *args: object, **options: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-c", textwrap.dedent(code), *map(str, args)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        **options,
    )


@pytest.mark.skipif(not hasattr(signal, "SIGXFSZ"), reason="needs RLIMIT_FSIZE (POSIX)")
def test_a_real_write_failure_names_the_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    """A file size limit makes the kernel fail the write itself part way (EFBIG), as a full disk would."""
    path = tmp_path / "model.json"
    path.write_text("old")
    child = run_child(
        """
        import resource, signal, sys
        from autograd_mini import MLP, save
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failing write, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))
        try:
            save(MLP(20, [200, 50], seed=0), sys.argv[1])  # about 750 kB
        except OSError as error:
            print(error.errno, error.filename, sep="\\n")
        """,
        path,
    )
    out, err = child.communicate(timeout=30)
    assert out.decode().splitlines() == [str(errno.EFBIG), str(path)], err.decode()
    assert path.read_text() == "old"
    assert leftovers(tmp_path) == []


# -- processes stopped while saving ---------------------------------------------------------------

SAVING_CHILD = """
    import signal, sys
    from autograd_mini import MLP, save
    from autograd_mini.fileio import write_whole

    signal.signal(signal.SIGINT, signal.default_int_handler)  # even where the parent ignores SIGINT
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))  # as an application would
    what, path = sys.argv[1:]
    models = [MLP(20, [200, 50], seed=seed) for seed in (0, 1)]
    contents = [b"a" * 4_000_000, b"b" * 4_000_000]

    def write(i):
        if what == "models":
            save(models[i % 2], path)
        else:
            write_whole(path, contents[i % 2])

    write(0)
    print("ready", flush=True)
    for i in range(1, 10**9):
        write(i)
"""


def stop_saving_children(tmp_path: Path, signals: list[int]) -> list[tuple[str, Path, int, int, bytes]]:
    """Start one child per signal, saving in a loop (models and 4 MB of bytes in turn); stop each at a random moment.

    Returns (what, folder, signal, return code, stderr) for each. The children start side by side
    (importing the package and building models takes most of the time), so this takes a second or two.
    """
    rng = random.Random(sum(signals))
    children = []
    for k, signum in enumerate(signals):
        what = "models" if k % 2 == 0 else "bytes"
        folder = tmp_path / f"{what}{k}"
        folder.mkdir()
        children.append((what, folder, signum, run_child(SAVING_CHILD, what, folder / "out")))
    results = []
    for what, folder, signum, child in children:
        assert child.stdout is not None and child.stdout.readline() == b"ready\n"
        time.sleep(rng.uniform(0.0, 0.1))
        child.send_signal(signum)
        _, err = child.communicate(timeout=30)
        results.append((what, folder, signum, child.returncode, err))
    return results


@functools.cache
def saved_states() -> list[dict[str, float]]:
    return [MLP(20, [200, 50], seed=seed).state_dict() for seed in (0, 1)]


def assert_whole(what: str, target: Path) -> None:
    """``target`` holds one of the two things the child saved, whole."""
    if what == "models":
        assert load(target).state_dict() in saved_states()
    else:
        assert target.read_bytes() in (b"a" * 4_000_000, b"b" * 4_000_000)


def test_a_save_stopped_by_sigint_or_sigterm_leaves_a_whole_file_and_no_temporary(tmp_path: Path) -> None:
    """SIGINT is a KeyboardInterrupt; SIGTERM runs cleanup where the program turns it into SystemExit."""
    signals = [signal.SIGINT, signal.SIGTERM, signal.SIGTERM, signal.SIGINT, signal.SIGINT, signal.SIGTERM]
    for what, folder, signum, returncode, err in stop_saving_children(tmp_path, signals):
        if signum == signal.SIGINT:
            assert b"KeyboardInterrupt" in err, err.decode()
        else:
            assert returncode == 128 + signal.SIGTERM, err.decode()
        assert leftovers(folder) == []
        assert_whole(what, folder / "out")


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX only")
def test_a_killed_save_leaves_a_whole_file_and_at_most_one_hidden_temporary(tmp_path: Path) -> None:
    """SIGKILL runs no cleanup: a hidden temporary file may stay, but the target is never half written."""
    for what, folder, _, returncode, _ in stop_saving_children(tmp_path, [signal.SIGKILL] * 4):
        assert returncode == -signal.SIGKILL
        assert sorted(p.name for p in folder.iterdir() if p.name != "out") == leftovers(folder)
        assert len(leftovers(folder)) <= 1
        assert_whole(what, folder / "out")
