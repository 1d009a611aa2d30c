"""Charging sessions in evcc's ``sessions`` table."""

from __future__ import annotations

import sqlite3
from datetime import datetime

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


class SessionStore:
    """Writes the core's session records; one row per session, updated as it grows."""

    def __init__(self, database: Database) -> None:
        self._database = database
        self._ids: dict[int, int] = {}

    async def save(self, record: SessionRecord) -> int:
        """Insert the session's row the first time, update it afterwards; returns the row id."""
        row_id = self._ids.get(record.token)
        values = _row(record)

        def write(connection: sqlite3.Connection) -> int:
            if row_id is None:
                placeholders = ", ".join("?" for _ in COLUMNS)
                cursor = connection.execute(
                    f"INSERT INTO sessions ({', '.join(COLUMNS)}) VALUES ({placeholders})", values
                )
                return int(cursor.lastrowid or 0)
            assignments = ", ".join(f"{column} = ?" for column in COLUMNS)
            connection.execute(f"UPDATE sessions SET {assignments} WHERE id = ?", (*values, row_id))
            return row_id

        saved = await self._database.run(write)
        self._ids[record.token] = saved
        return saved

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


#: sessions below this energy are noise and not listed (evcc's rule)
MIN_LISTED_KWH = 0.05

JSON_FIELDS = (
    ("id", "id"),
    ("created", "created"),
    ("finished", "finished"),
    ("loadpoint", "loadpoint"),
    ("identifier", "identifier"),
    ("vehicle", "vehicle"),
    ("odometer", "odometer"),
    ("meterStart", "meter_start_kwh"),
    ("meterStop", "meter_end_kwh"),
    ("chargedEnergy", "charged_kwh"),
    ("chargeDuration", "charge_duration"),
    ("socStart", "soc_start"),
    ("socEnd", "soc_end"),
    ("addedRange", "added_range"),
    ("solarPercentage", "solar_percentage"),
    ("price", "price"),
    ("pricePerKWh", "price_per_kwh"),
    ("co2PerKWh", "co2_per_kwh"),
    ("referencePricePerKWh", "reference_price_per_kwh"),
    ("referenceCo2PerKWh", "reference_co2_per_kwh"),
)


def parse_db_time(text: object) -> datetime | None:
    if not isinstance(text, str) or not text or text.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None


async def list_sessions(database: Database) -> list[dict[str, object]]:
    """Every session worth showing, newest first, as evcc's JSON names them."""
    columns = ", ".join(column for _, column in JSON_FIELDS)
    rows = await database.fetchall(
        f"SELECT {columns} FROM sessions WHERE charged_kwh >= ? ORDER BY created DESC, id DESC", (MIN_LISTED_KWH,)
    )
    return [dict(zip((name for name, _ in JSON_FIELDS), row, strict=True)) for row in rows]
