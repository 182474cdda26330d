"""Files written whole or not at all, and files read with a size cap.

Every file the package writes goes through ``write_whole``. Writing straight into the target
leaves half a file when the disk fills or the program is interrupted; ``write_whole`` writes a
temporary file beside the target, flushes it to the disk, and renames it over the target in one
step (``os.replace``), so a reader finds the old file or the new one, never a mixture.

Renaming *replaces* the target, so ``write_whole`` does by hand what writing into it would have
kept: it follows a symbolic link to the file it points at (the link stays a link), gives the new
file the old one's permission bits (and owner, where allowed), and refuses a target that writing
into would not have changed like a file: a directory, a device, a fifo, a read-only file.

What it cannot do: a process killed outright (SIGKILL, or SIGTERM without a handler that raises)
runs no cleanup, so it can leave one hidden ``.am-<8 hex digits>.tmp`` file beside the target, but
never a half-written target. The target's folder must be writable (the temporary file lives there),
and a file with several hard links is replaced by a new file under this name only.

>>> import tempfile
>>> folder = Path(tempfile.mkdtemp())
>>> write_whole(folder / "notes.txt", "first\\n")
PosixPath('.../notes.txt')
>>> read_limited(folder / "notes.txt", max_bytes=100)
'first\\n'
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

from . import checks

#: The kinds of file ``write_whole`` refuses to replace, by the ``stat`` test that finds them.
_NOT_REGULAR = {
    "a directory": stat.S_ISDIR,
    "a character device": stat.S_ISCHR,
    "a block device": stat.S_ISBLK,
    "a fifo": stat.S_ISFIFO,
    "a socket": stat.S_ISSOCK,
}


def write_whole(path: str | os.PathLike[str], data: bytes | str) -> Path:
    """Write ``data`` to ``path`` whole or not at all (a temporary file beside it, renamed over it).

    A symbolic link is followed: the file it points at gets the new content, the link stays.
    An existing file keeps its permission bits (and its owner, where the OS allows); a new file
    gets what a plain ``open()`` would give it under the umask.

    Args:
        path: the file to write.
        data: the content; a ``str`` is written as UTF-8.

    Returns:
        ``path``, as a ``Path`` (the path given, not a link's target).

    Raises:
        TypeError: ``data`` is neither bytes nor str.
        OSError: the file cannot be written. Its ``filename`` is ``path`` as given (never the
            temporary file), its ``strerror`` what went wrong, its class and ``errno`` those of
            the cause (``PermissionError`` for a read-only file, ``IsADirectoryError``, ...). The
            target is then unchanged and the temporary file removed; a KeyboardInterrupt also
            removes it and stays a KeyboardInterrupt.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> _ = write_whole(folder / "a.txt", b"old")
    >>> (folder / "link.txt").symlink_to(folder / "a.txt")
    >>> _ = write_whole(folder / "link.txt", "new")
    >>> (folder / "a.txt").read_text(), (folder / "link.txt").is_symlink()
    ('new', True)
    >>> write_whole(folder, "x")
    Traceback (most recent call last):
    ...
    IsADirectoryError: [Errno 21] not a regular file but a directory; refusing to replace it: '...'
    """
    content = _as_bytes(data)
    given = os.fspath(path)
    target = Path(os.path.realpath(given))
    old = _replaceable(target, given)
    temporary = target.parent / f".am-{os.urandom(4).hex()}.tmp"  # short: a 255-character name still fits
    fd = -1
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_CLOEXEC", 0), 0o666)
        with open(fd, "wb") as file:
            file.write(content)
            file.flush()
            if old is not None:
                _keep_owner_and_mode(temporary, old)
            os.fsync(fd)
        os.replace(temporary, target)
    except BaseException as error:
        # Remove the temporary file even if os.open made it and an interrupt came before ``fd`` was
        # set; only FileExistsError (from os.open alone) says the name belongs to another file.
        if not isinstance(error, FileExistsError):
            with contextlib.suppress(OSError):
                temporary.unlink()
        if isinstance(error, OSError):
            where = f" (making a temporary file in {target.parent})" if fd == -1 else ""
            raise _naming(error, given, where) from error
        raise
    return Path(path)


def read_limited(path: str | os.PathLike[str], max_bytes: int) -> str:
    """The text of the UTF-8 file ``path``, refused if it holds more than ``max_bytes`` bytes.

    The size is checked before reading, and at most ``max_bytes + 1`` bytes are ever read, so a
    device like /dev/zero or a growing file cannot exhaust memory. A UTF-8 byte order mark is dropped.

    Args:
        path: the file to read.
        max_bytes: the largest size accepted.

    Returns:
        The decoded text.

    Raises:
        ValueError: the file is larger than ``max_bytes`` or is not UTF-8 text (naming ``path``).
        OSError: the file cannot be opened or read (its ``filename`` is ``path``).

    >>> import tempfile
    >>> path = Path(tempfile.mkdtemp()) / "t.txt"
    >>> _ = path.write_bytes("hé".encode("utf-16"))
    >>> read_limited(path, max_bytes=100)
    Traceback (most recent call last):
    ...
    ValueError: .../t.txt is not UTF-8 text (it starts with a UTF-16 byte order mark): invalid start byte at byte 0
    >>> read_limited(path, max_bytes=3)
    Traceback (most recent call last):
    ...
    ValueError: .../t.txt is larger than the limit of 3 bytes
    """
    name = os.fspath(path)
    too_large = f"{name} is larger than the limit of {max_bytes:,} bytes"
    with open(path, "rb") as file:
        if os.fstat(file.fileno()).st_size > max_bytes:
            raise ValueError(too_large)
        content = file.read(max_bytes + 1)  # devices and pipes report size 0: bound the read itself
    if len(content) > max_bytes:
        raise ValueError(too_large)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        utf16 = content[:2] in (b"\xff\xfe", b"\xfe\xff")
        hint = " (it starts with a UTF-16 byte order mark)" if utf16 else ""
        raise ValueError(f"{name} is not UTF-8 text{hint}: {error.reason} at byte {error.start}") from None


def _as_bytes(data: bytes | str) -> bytes:
    if isinstance(data, str):
        return data.encode("utf-8")
    if isinstance(data, bytes):
        return data
    raise TypeError(f"data must be bytes or str, got {type(data).__name__}: {checks.shown(data)}")


def _replaceable(target: Path, given: str) -> os.stat_result | None:
    """The status of the existing ``target`` (None if there is none), after refusing what must not be replaced."""
    try:
        old = os.stat(target)
    except FileNotFoundError:
        return None
    except OSError as error:
        raise _naming(error, given) from error
    for kind, is_kind in _NOT_REGULAR.items():
        if is_kind(old.st_mode):
            code = errno.EISDIR if kind == "a directory" else errno.EINVAL
            raise OSError(code, f"not a regular file but {kind}; refusing to replace it", given)
    # Root passes os.access for any file, so a file nobody may write is refused by its mode as well.
    if not old.st_mode & 0o222 or not os.access(target, os.W_OK):
        mode = stat.S_IMODE(old.st_mode)
        raise PermissionError(errno.EACCES, f"Permission denied: the file is read-only (mode {mode:04o})", given)
    return old


def _keep_owner_and_mode(new: Path, old: os.stat_result) -> None:
    """Give the new file the old one's owner (where allowed) and permission bits."""
    made = os.stat(new)
    if (made.st_uid, made.st_gid) != (old.st_uid, old.st_gid):
        with contextlib.suppress(PermissionError):  # only root may give a file to another user
            os.chown(new, old.st_uid, old.st_gid)
    os.chmod(new, stat.S_IMODE(old.st_mode))  # after chown, which clears set-user-ID bits


def _naming(error: OSError, given: str, where: str = "") -> OSError:
    """``error`` retold about ``given``, the path the caller passed (not the temporary file or a link's target)."""
    return OSError(error.errno, f"{error.strerror or error}{where}", given)
