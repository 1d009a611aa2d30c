"""Charging sessions in evcc's ``sessions`` table."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from datetime import UTC, datetime

from surplus.core.session import SessionRecord, StoredSession, close_open_sessions
from surplus.store.database import Database


def db_time(instant: datetime) -> str:
    """Time as evcc's SQLite driver stores it: ``2023-05-04 22:00:00.5+02:00`` (no fraction when whole)."""
    text = instant.strftime("%Y-%m-%d %H:%M:%S")
    if instant.microsecond:
        text += f".{instant.microsecond:06d}".rstrip("0")
    offset = instant.strftime("%z")
    return f"{text}{offset[:3]}:{offset[3:]}" if offset else text


COLUMNS = (
    "created",
    "finished",
    "loadpoint",
    "identifier",
    "vehicle",
    "odometer",
    "meter_start_kwh",
    "meter_end_kwh",
    "charged_kwh",
    "charge_duration",
    "soc_start",
    "soc_end",
    "added_range",
    "solar_percentage",
    "price",
    "price_per_kwh",
    "co2_per_kwh",
    "reference_price_per_kwh",
    "reference_co2_per_kwh",
)


def _row(record: SessionRecord) -> tuple[object, ...]:
    duration = record.charge_duration
    return (
        db_time(record.created),
        db_time(record.finished) if record.finished else None,
        record.loadpoint,
        record.identifier,
        record.vehicle,
        record.odometer,
        record.meter_start,
        record.meter_stop,
        record.charged_energy,
        int(duration.total_seconds() * 1_000_000_000) if duration is not None else None,
        record.soc_start,
        record.soc_end,
        record.added_range,
        record.solar_percentage,
        record.price,
        record.price_per_kwh,
        record.co2_per_kwh,
        record.reference_price_per_kwh,
        record.reference_co2_per_kwh,
    )


#: what a user may change in a stored session (PUT /api/session/<id>), as JSON names → columns
EDITABLE = {"vehicle": "vehicle", "loadpoint": "loadpoint", "odometer": "odometer"}


class SessionStore:
    """Writes the core's session records; one row per session, updated as it grows.

    It is also the one place that edits and deletes rows, so a user's edit of a session that is still
    running is not overwritten by the next cycle, and a deleted running session does not come back.
    """

    def __init__(self, database: Database) -> None:
        self._database = database
        self._ids: dict[int, int] = {}
        self._edits: dict[int, dict[str, object]] = {}
        self._deleted: set[int] = set()

    async def save(self, record: SessionRecord) -> int | None:
        """Insert the session's row the first time, update it afterwards; returns the row id (None: deleted)."""
        if record.token in self._deleted:
            return None
        row_id = self._ids.get(record.token)
        values = _row(record)
        if row_id is not None and row_id in self._edits:
            edits = self._edits[row_id]
            values = tuple(edits.get(column, value) for column, value in zip(COLUMNS, values, strict=True))

        def write(connection: sqlite3.Connection) -> int:
            if row_id is not None:
                assignments = ", ".join(f"{column} = ?" for column in COLUMNS)
                changed = connection.execute(f"UPDATE sessions SET {assignments} WHERE id = ?", (*values, row_id))
                if changed.rowcount:
                    return row_id
            placeholders = ", ".join("?" for _ in COLUMNS)
            cursor = connection.execute(f"INSERT INTO sessions ({', '.join(COLUMNS)}) VALUES ({placeholders})", values)
            return int(cursor.lastrowid or 0)

        saved = await self._database.run(write)
        self._ids[record.token] = saved
        return saved

    async def edit(self, row_id: int, changes: Mapping[str, object]) -> bool:
        """Set the given columns (names of :data:`EDITABLE`'s values) of one row; False when there is no such row."""
        assignments = ", ".join(f"{column} = ?" for column in changes)

        def write(connection: sqlite3.Connection) -> int:
            sql = f"UPDATE sessions SET {assignments} WHERE id = ?"
            return connection.execute(sql, (*changes.values(), row_id)).rowcount

        if not await self._database.run(write):
            return False
        if row_id in self._ids.values():
            self._edits.setdefault(row_id, {}).update(changes)
        return True

    async def delete(self, row_id: int) -> bool:
        """Delete one row; False when there is no such row. A running session that is deleted stays deleted."""
        deleted = await self._database.run(
            lambda connection: connection.execute("DELETE FROM sessions WHERE id = ?", (row_id,)).rowcount
        )
        for token, saved in list(self._ids.items()):
            if saved == row_id:
                del self._ids[token]
                self._deleted.add(token)
        self._edits.pop(row_id, None)
        return bool(deleted)

    async def close_open(self, loadpoint: str, meter_now: float | None) -> int:
        """Close the rows a crash (or evcc) left without ``finished``; returns how many were closed."""

        def close(connection: sqlite3.Connection) -> int:
            rows = connection.execute(
                "SELECT id, meter_start_kwh, finished, created FROM sessions WHERE loadpoint = ? ORDER BY created, id",
                (loadpoint,),
            ).fetchall()
            stored = [StoredSession(row[0], row[1], _unset(row[2])) for row in rows]
            closed = close_open_sessions(stored, meter_now)
            created = {row[0]: row[3] for row in rows}
            for row_id, stop, charged in closed:
                connection.execute(
                    "UPDATE sessions SET finished = ?, meter_end_kwh = ?, "
                    "charged_kwh = COALESCE(?, charged_kwh) WHERE id = ?",
                    (created[row_id], stop, charged, row_id),
                )
            return len(closed)

        return await self._database.run(close)


def _unset(finished: object) -> bool:
    return finished is None or str(finished).startswith("0001-01-01")


def parse_db_time(text: object) -> datetime | None:
    """A stored time; None for NULL, Go's zero time or text that is not a time."""
    if not isinstance(text, str) or not text or text.startswith("0001-01-01"):
        return None
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        return None
    return instant if instant.tzinfo else instant.replace(tzinfo=UTC)  # SQLite's own times are UTC
