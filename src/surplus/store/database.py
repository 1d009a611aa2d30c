"""SQLite in one dedicated thread: a single writer, and the event loop never waits on the disk.

WAL mode keeps the file consistent through crashes and lets backups read while we write.
"""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from surplus.logs import get_logger
from surplus.store.schema import migrate

T = TypeVar("T")
log = get_logger("db")

#: rows handed over per trip to the database thread when streaming a query
STREAM_CHUNK = 500


class DatabaseError(Exception):
    """The database cannot be used; the message names the file and the reason."""


class Database:
    def __init__(self, path: Path, connection: sqlite3.Connection, executor: ThreadPoolExecutor) -> None:
        self.path = path
        self._connection = connection
        self._executor = executor
        self._closed = False

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Open (creating if needed) and migrate the database at ``path``."""
        executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db")
        loop = asyncio.get_running_loop()
        try:
            connection = await loop.run_in_executor(executor, _connect, path)
        except BaseException:
            executor.shutdown(wait=False)
            raise
        log.info("using database %s", path)
        return cls(path, connection, executor)

    async def run(self, work: Callable[[sqlite3.Connection], T]) -> T:
        """Run ``work`` in the database thread, inside a transaction that commits on success."""
        if self._closed:
            raise DatabaseError(f"database {self.path} is closed")

        def transaction() -> T:
            with self._connection:
                return work(self._connection)

        try:
            return await asyncio.get_running_loop().run_in_executor(self._executor, transaction)
        except sqlite3.Error as error:
            raise DatabaseError(f"database {self.path}: {error}") from error

    async def execute(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run one statement; returns the number of rows changed."""
        return await self.run(lambda connection: connection.execute(sql, parameters).rowcount)

    async def fetchall(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        return await self.run(lambda connection: connection.execute(sql, parameters).fetchall())

    async def stream(
        self, sql: str, parameters: Sequence[Any] = (), chunk: int = STREAM_CHUNK
    ) -> AsyncIterator[list[tuple[Any, ...]]]:
        """The rows of one query, ``chunk`` rows at a time, fetched in the database thread as they are consumed.

        The query runs on its own read-only connection, so it sees one consistent snapshot (WAL) while the
        writer goes on; only one chunk is ever in memory.
        """
        if self._closed:
            raise DatabaseError(f"database {self.path} is closed")
        loop = asyncio.get_running_loop()
        if str(self.path) == ":memory:":  # no second connection can see an in-memory database
            rows = await self.fetchall(sql, parameters)
            for start in range(0, len(rows), chunk):
                yield rows[start : start + chunk]
            return
        try:
            reader = await loop.run_in_executor(self._executor, _reader, self.path)
        except sqlite3.Error as error:
            raise DatabaseError(f"database {self.path}: {error}") from error
        try:
            cursor = await loop.run_in_executor(self._executor, reader.execute, sql, parameters)
            while rows := await loop.run_in_executor(self._executor, cursor.fetchmany, chunk):
                yield rows
        except sqlite3.Error as error:
            raise DatabaseError(f"database {self.path}: {error}") from error
        finally:
            try:
                await loop.run_in_executor(self._executor, reader.close)
            except RuntimeError:  # the database thread has already stopped
                reader.close()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self._executor, _checkpoint_and_close, self._connection)
        self._executor.shutdown(wait=True)
        log.debug("database closed")


def _connect(path: Path) -> sqlite3.Connection:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(path, check_same_thread=False, timeout=5.0)
    except (OSError, sqlite3.Error) as error:
        raise DatabaseError(f"cannot open database {path}: {error}") from None
    try:
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA synchronous=NORMAL")
        migrate(connection)
        check_writable(connection)
    except sqlite3.Error as error:
        connection.close()
        raise DatabaseError(f"cannot use database {path}: {error}") from None
    return connection


def check_writable(connection: sqlite3.Connection) -> None:
    """Start a write that changes nothing: a read-only file fails here, at start-up, not at the first session."""
    with connection:
        connection.execute("DELETE FROM sessions WHERE 0")


def _reader(path: Path) -> sqlite3.Connection:
    connection = sqlite3.connect(path, check_same_thread=False, timeout=5.0)
    connection.execute("PRAGMA query_only = ON")
    return connection


def _checkpoint_and_close(connection: sqlite3.Connection) -> None:
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()
