"""evcc's ``settings`` table: text values under keys such as ``lp1.mode`` or ``bufferSoc``.

Values are cached in memory and written through, so readers never wait for the disk. Numbers are written
the way Go prints them (``16``, ``0.12``), so an evcc database stays readable by evcc.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from surplus.store.database import Database


def go_float(value: float) -> str:
    """Shortest text that reads back as the same float, without exponent or a trailing ``.0``."""
    if math.isfinite(value) and value == int(value):
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        text = f"{value:.17f}".rstrip("0").rstrip(".")
    return text


class SettingsStore:
    def __init__(self, database: Database, values: dict[str, str]) -> None:
        self._database = database
        self._values = values

    @classmethod
    async def load(cls, database: Database) -> SettingsStore:
        rows = await database.fetchall("SELECT key, value FROM settings")
        return cls(database, {str(key): str(value) for key, value in rows if value is not None})

    def get(self, key: str) -> str | None:
        return self._values.get(key)

    def float(self, key: str) -> float | None:
        text = self._values.get(key)
        if text is None or text == "":
            return None
        try:
            return float(text)
        except ValueError:
            return None

    def int(self, key: str) -> int | None:
        number = self.float(key)
        return int(number) if number is not None else None

    def bool(self, key: str) -> bool | None:
        text = self._values.get(key)
        return None if text is None else text.lower() in ("true", "1", "t")

    def duration(self, key: str) -> timedelta | None:
        """evcc stores durations as integer nanoseconds."""
        number = self.float(key)
        return timedelta(microseconds=number / 1000) if number is not None else None

    def time(self, key: str) -> datetime | None:
        text = self._values.get(key)
        if not text:
            return None
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None

    def json(self, key: str) -> Any:
        text = self._values.get(key)
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError:
            return None

    async def save(self, values: Mapping[str, str | None]) -> None:
        """Write the keys whose values changed; None deletes a key."""
        changed = {key: value for key, value in values.items() if self._values.get(key) != value}
        if not changed:
            return

        def write(connection: Any) -> None:
            for key, value in changed.items():
                if value is None:
                    connection.execute("DELETE FROM settings WHERE key = ?", (key,))
                else:
                    connection.execute(
                        "INSERT INTO settings(key, value) VALUES (?, ?) "
                        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                        (key, value),
                    )

        await self._database.run(write)
        for key, value in changed.items():
            if value is None:
                self._values.pop(key, None)
            else:
                self._values[key] = value
