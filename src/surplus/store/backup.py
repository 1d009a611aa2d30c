"""Copies of the database with SQLite's online backup: consistent while Surplus keeps writing.

``backup`` reads the live database page by page; a write in between makes SQLite start the copy over, so
what lands in the file is always one committed state. ``restore`` is for a stopped Surplus: it refuses while
another process has the database open.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - not on Windows
    fcntl = None  # type: ignore[assignment]

#: pages copied per step (4 MiB with SQLite's default page size); progress is reported after each step
STEP_PAGES = 1024
#: SQLite's unix VFS: every connection to a WAL database holds a read lock on this byte of the -shm file
_SHM_DMS_BYTE = 128

#: (pages copied, pages in all)
Progress = Callable[[int, int], None]


class BackupError(Exception):
    """The copy cannot be made; the message says which file and why."""


def backup(database: Path, target: Path, progress: Progress | None = None) -> int:
    """Copy the (possibly running) ``database`` to ``target``, a self-contained file; returns its pages.

    The copy is written next to ``target`` and renamed over it only once complete and checked.
    """
    if not database.is_file():
        raise BackupError(f"there is no database at {database}")
    partial = target.with_name(f".{target.name}.partial")
    try:
        partial.unlink(missing_ok=True)
        source = _connect(database, read_only=True)
    except (OSError, sqlite3.Error) as error:
        raise BackupError(f"cannot read {database}: {_reason(error)}") from None
    try:
        copy = sqlite3.connect(partial)
    except sqlite3.Error as error:
        source.close()
        raise BackupError(f"cannot write {target}: {_reason(error)}") from None
    try:
        try:
            pages = _copy(source, copy, progress, database, target)
            copy.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
            _check(copy, target)
        finally:
            copy.close()
            source.close()
        partial.replace(target)
    except OSError as error:
        raise BackupError(f"cannot write {target}: {_reason(error)}") from None
    finally:  # a copy that failed is not left behind
        partial.unlink(missing_ok=True)
    return pages


def restore(backup_file: Path, database: Path, progress: Progress | None = None, keep: Path | None = None) -> int:
    """Replace ``database`` with the contents of ``backup_file``; returns the pages copied.

    Only for a stopped Surplus: a running one would go on with what it remembers of the replaced rows.
    ``keep``: where to save the database being replaced, once the backup has been checked.
    """
    if not backup_file.is_file():
        raise BackupError(f"there is no backup at {backup_file}")
    if in_use(database):
        raise BackupError(f"{database} is in use; stop Surplus (and anything else using it) before restoring")
    try:
        source = _connect(backup_file, read_only=True)
    except sqlite3.Error as error:
        raise BackupError(f"{backup_file} is not a usable database: {_reason(error)}") from None
    try:
        try:
            tables = {row[0] for row in source.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.Error as error:
            raise BackupError(f"{backup_file} is not a usable database: {_reason(error)}") from None
        if not tables & {"sessions", "settings"}:
            raise BackupError(f"{backup_file} is not a Surplus or evcc database: it has no sessions or settings")
        _check(source, backup_file)
        if keep is not None and database.is_file():
            backup(database, keep)
        try:
            database.parent.mkdir(parents=True, exist_ok=True)
            target = _connect(database, read_only=False)
        except (OSError, sqlite3.Error) as error:
            raise BackupError(f"cannot write {database}: {_reason(error)}") from None
        try:
            pages = _copy(source, target, progress, backup_file, database)
            target.execute("PRAGMA journal_mode = WAL")
            _check(target, database)
        finally:
            target.close()
    finally:
        source.close()
    return pages


def in_use(database: Path) -> bool:
    """Whether another process has ``database`` open (it holds SQLite's lock in the -shm file of WAL mode)."""
    shm = database.with_name(database.name + "-shm")
    if fcntl is None or not shm.is_file():
        return False
    try:
        descriptor = os.open(shm, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.lockf(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB, 1, _SHM_DMS_BYTE)
    except OSError:
        return True
    else:
        fcntl.lockf(descriptor, fcntl.LOCK_UN, 1, _SHM_DMS_BYTE)
        return False
    finally:
        os.close(descriptor)


def _connect(path: Path, read_only: bool) -> sqlite3.Connection:
    connection = sqlite3.connect(path, timeout=5.0)
    if read_only:
        connection.execute("PRAGMA query_only = ON")
    return connection


def _copy(
    source: sqlite3.Connection, target: sqlite3.Connection, progress: Progress | None, origin: Path, to: Path
) -> int:
    copied = 0

    def step(status: int, remaining: int, total: int) -> None:
        nonlocal copied
        copied = total
        if progress is not None:
            progress(total - remaining, total)

    try:
        source.backup(target, pages=STEP_PAGES, progress=step, sleep=0)
    except sqlite3.Error as error:
        raise BackupError(f"copying {origin} to {to} failed: {_reason(error)}") from None
    return copied


def _check(connection: sqlite3.Connection, path: Path) -> None:
    try:
        result = connection.execute("PRAGMA integrity_check").fetchall()
    except sqlite3.Error as error:
        raise BackupError(f"{path} cannot be checked: {_reason(error)}") from None
    if result != [("ok",)]:
        raise BackupError(f"{path} is damaged: {'; '.join(str(row[0]) for row in result[:3])}")


def _reason(error: BaseException) -> str:
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return str(error)
