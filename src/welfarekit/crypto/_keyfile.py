"""File handling for the local key file: owner-only reads and writes, atomic replace, lock.

Kept apart from :mod:`welfarekit.crypto.keyring` so that the keyring reads as cryptography
and this module as careful POSIX file handling. Every failure is a
:class:`~welfarekit.crypto.KeyringError` whose message says what to do.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path

from welfarekit.crypto.errors import KeyringError

__all__ = ["FORMAT", "VERSION", "create_private", "locked", "read_private", "replace_private"]

FORMAT = "welfarekit-keyring"
VERSION = 1
_MAX_BYTES = 1 << 20  # a key file with a thousand keys is ~150 kB
_OWNER_ONLY = 0o600
_CHECK_MODE = os.name == "posix"  # Windows has ACLs, not mode bits
_NONBLOCK: int = getattr(os, "O_NONBLOCK", 0)


def read_private(file: Path) -> dict[str, object]:
    """Read and decode the key file; refuse one open to group or others."""
    try:
        fd = os.open(file, os.O_RDONLY | _NONBLOCK)  # a FIFO must not hang the load
    except FileNotFoundError:
        raise KeyringError(
            f"no key file at {file}; create one with `welfarekit keys init` "
            "(or point the settings at the existing key file)"
        ) from None
    except OSError as exc:
        raise KeyringError(f"cannot read the key file {file}: {exc.strerror}") from None
    try:
        info = os.fstat(fd)  # of the file opened, not of whatever the path names now
        if not stat.S_ISREG(info.st_mode):
            raise KeyringError(f"the key file {file} is not a regular file")
        if _CHECK_MODE and info.st_mode & 0o077:
            raise KeyringError(
                f"the key file {file} is open to group or others (mode "
                f"{stat.S_IMODE(info.st_mode):o}); a key file must be readable by its owner "
                f"only: run `chmod 600 {file}` (and consider who may have copied it)"
            )
        data = _read_all(fd, _MAX_BYTES + 1)
    except OSError as exc:
        raise KeyringError(f"cannot read the key file {file}: {exc.strerror}") from None
    finally:
        os.close(fd)
    if len(data) > _MAX_BYTES:
        raise KeyringError(f"{file} is not a welfarekit key file: it is larger than 1 MiB")
    try:
        document = json.loads(data.decode("utf-8"))
    except ValueError as exc:  # UnicodeDecodeError and JSONDecodeError
        reason = exc.msg if isinstance(exc, json.JSONDecodeError) else "not UTF-8"
        raise KeyringError(f"{file} is not a welfarekit key file: not JSON ({reason})") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise KeyringError(
            f'{file} is not a welfarekit key file: expected a JSON object with "format": "{FORMAT}"'
        )
    if document.get("version") != VERSION:
        raise KeyringError(
            f"{file} has key file version {document.get('version')!r}; "
            f"this welfarekit reads version {VERSION}"
        )
    return document


def _read_all(fd: int, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while size < limit:
        chunk = os.read(fd, limit - size)
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def _encode(document: Mapping[str, object]) -> bytes:
    return (json.dumps(document, indent=2) + "\n").encode("utf-8")


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view) :]
    os.fsync(fd)


def _sync_directory(directory: Path) -> None:
    if os.name != "posix":  # pragma: no cover
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def create_private(file: Path, document: Mapping[str, object]) -> None:
    """Create ``file`` (mode 0o600) holding ``document``; ``FileExistsError`` if it exists."""
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, _OWNER_ONLY)
    except FileExistsError:
        raise
    except OSError as exc:
        raise KeyringError(f"cannot create the key file {file}: {exc.strerror}") from None
    try:
        if _CHECK_MODE:
            os.fchmod(fd, _OWNER_ONLY)  # exactly 0o600 whatever the umask
        _write_all(fd, _encode(document))
    except BaseException:
        os.close(fd)
        file.unlink(missing_ok=True)  # we created it (O_EXCL): leave nothing half-written
        raise
    os.close(fd)
    _sync_directory(file.parent)


def replace_private(file: Path, document: Mapping[str, object]) -> None:
    """Atomically replace ``file``: write a 0o600 temporary file beside it, then rename."""
    try:
        fd, temporary = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
    except OSError as exc:
        raise KeyringError(f"cannot write beside the key file {file}: {exc.strerror}") from None
    try:
        try:
            _write_all(fd, _encode(document))  # mkstemp creates the file 0o600
        finally:
            os.close(fd)
        os.replace(temporary, file)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    _sync_directory(file.parent)


@contextlib.contextmanager
def locked(file: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``<file>.lock`` (POSIX; a no-op elsewhere)."""
    if sys.platform == "win32":  # pragma: no cover
        yield
        return
    import fcntl

    lock = file.with_name(file.name + ".lock")
    try:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, _OWNER_ONLY)
    except OSError as exc:
        raise KeyringError(f"cannot lock the key file {file} ({lock}): {exc.strerror}") from None
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)
