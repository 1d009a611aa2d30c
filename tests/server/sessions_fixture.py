"""The hand-written sessions fixture (fixtures/sessions.sql) as a database, and the clock zone it is read in."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from zoneinfo import ZoneInfo

from surplus.store.database import Database
from tests.core.builders import T0

HERE = Path(__file__).parent
EXPECTED = HERE / "expected"
BERLIN = ZoneInfo("Europe/Berlin")
#: the server's local time: the exports show times in Berlin, daylight saving included
START = T0.astimezone(BERLIN)


async def sessions_database(path: Path, script: str = "sessions.sql") -> Path:
    """A database with Surplus's tables and the rows of ``fixtures/<script>``."""
    database = await Database.open(path)
    await database.close()
    with sqlite3.connect(path) as connection:
        connection.executescript((HERE / "fixtures" / script).read_text())
    return path
