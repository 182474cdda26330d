"""fileio: files written whole or not at all, and files read with a size cap.

Each reproduction from the issue on writing files is a test here, named after what it reproduces:
saving through a symbolic link, over a 0600 or read-only file, over a directory or a device, a
255-character name, a full disk, an interrupted or killed save. Most write through ``save``, as a
user's files are written; the rest call ``write_whole`` and ``read_limited`` directly.
"""

from __future__ import annotations

import errno
import functools
import os
import random
import signal
import stat
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from autograd_mini import MLP, load, save
from autograd_mini.fileio import read_limited, write_whole


def leftovers(folder: Path) -> list[str]:
    """The temporary files ``write_whole`` left in ``folder``."""
    return sorted(path.name for path in folder.glob(".am-*.tmp"))


# -- read_limited ----------------------------------------------------------------------------------


def test_read_limited_takes_a_file_of_exactly_the_cap_and_drops_a_byte_order_mark(tmp_path: Path) -> None:
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbf" + "hé".encode())  # 3 + 3 bytes
    assert read_limited(path, max_bytes=6) == "hé"
    with pytest.raises(ValueError, match=r"t.txt is larger than the limit of 5 bytes$"):
        read_limited(path, max_bytes=5)
    path.write_bytes(b"\xff\xfeh\x00")
    with pytest.raises(ValueError, match=r"t.txt is not UTF-8 text \(it starts with a UTF-16 byte order mark\)"):
        read_limited(path, max_bytes=100)


def test_read_limited_stops_at_the_cap_on_a_file_that_does_not_say_its_size(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    writer = subprocess.Popen([sys.executable, "-c", f"open({str(fifo)!r}, 'wb').write(b'x' * 10_000)"])
    with pytest.raises(ValueError, match="pipe is larger than the limit of 100 bytes"):
        read_limited(fifo, max_bytes=100)
    writer.wait(timeout=10)


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
