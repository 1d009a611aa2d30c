import sqlite3
from pathlib import Path

import pytest

from surplus.store.database import Database, DatabaseError
from surplus.store.schema import SESSIONS

EVCC_SESSIONS_COLUMNS = [
    "id",
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
]


def columns(path: Path, table: str) -> dict[str, str]:
    with sqlite3.connect(path) as connection:
        return {row[1]: row[2].upper() for row in connection.execute(f"PRAGMA table_info({table})")}


async def test_first_start_creates_evccs_tables_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "surplus.db"
    database = await Database.open(path)
    await database.close()
    assert columns(path, "settings") == {"key": "TEXT", "value": "TEXT"}
    session_columns = columns(path, "sessions")
    assert list(session_columns) == EVCC_SESSIONS_COLUMNS
    assert session_columns["charge_duration"] == "INTEGER"
    assert session_columns["created"] == "DATETIME"
    with sqlite3.connect(path) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)


async def test_an_existing_evcc_database_keeps_its_rows_tables_and_columns(tmp_path: Path) -> None:
    path = tmp_path / "evcc.db"
    with sqlite3.connect(path) as connection:
        connection.executescript(
            """
            CREATE TABLE `sessions` (`id` integer, `created` datetime, `finished` datetime, `loadpoint` text,
              `identifier` text, `vehicle` text, `meter_start_kwh` real, `meter_end_kwh` real, `charged_kwh` real,
              `odometer` real, `solar_percentage` real, `price` real, `price_per_kwh` real, `co2_per_kwh` real,
              `charge_duration` integer, `future_column` text, PRIMARY KEY (`id`));
            INSERT INTO sessions VALUES (1,'2023-03-01 08:00:00.0+02:00','2023-05-02 12:00:00.0+02:00','Carport',
              NULL,'blauer e-Golf',NULL,NULL,10,123,100,2,0.2,300,3600000000000,'kept');
            CREATE TABLE settings (`key` text, `value` text, PRIMARY KEY(`key`));
            INSERT INTO settings VALUES ('lp1.mode', 'pv');
            CREATE TABLE caches (`key` text, `value` text);
            """
        )
    database = await Database.open(path)
    rows = await database.fetchall("SELECT vehicle, charged_kwh, future_column, soc_start FROM sessions")
    assert rows == [("blauer e-Golf", 10.0, "kept", None)]
    assert await database.fetchall("SELECT value FROM settings WHERE key = 'lp1.mode'") == [("pv",)]
    await database.close()
    assert set(EVCC_SESSIONS_COLUMNS) < set(columns(path, "sessions"))
    assert "future_column" in columns(path, "sessions")
    assert columns(path, "caches") == {"key": "TEXT", "value": "TEXT"}


async def test_writes_happen_in_transactions_off_the_event_loop(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    assert await database.execute("INSERT INTO settings(key, value) VALUES (?, ?)", ("telemetry", "false")) == 1

    def failing(connection: sqlite3.Connection) -> None:
        connection.execute("INSERT INTO settings(key, value) VALUES ('a', '1')")
        raise RuntimeError("rolled back")

    with pytest.raises(RuntimeError):
        await database.run(failing)
    assert await database.fetchall("SELECT key FROM settings ORDER BY key") == [("telemetry",)]
    await database.close()
    with pytest.raises(DatabaseError, match="closed"):
        await database.fetchall("SELECT 1")


async def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("these are not the tables you are looking for" * 100)
    with pytest.raises(DatabaseError, match=f"cannot use database {path}"):
        await Database.open(path)


async def test_a_path_that_cannot_hold_a_database_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(DatabaseError, match=f"cannot open database {blocker / 'surplus.db'}"):
        await Database.open(blocker / "surplus.db")


def test_the_sessions_table_lists_every_evcc_column_once() -> None:
    names = [name for name, _ in SESSIONS.columns]
    assert names == EVCC_SESSIONS_COLUMNS


async def test_a_stream_hands_over_chunks_of_one_snapshot_while_writes_go_on(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    await database.run(
        lambda connection: connection.executemany(
            "INSERT INTO settings(key, value) VALUES (?, ?)", [(f"k{n:02d}", str(n)) for n in range(25)]
        )
    )
    chunks = []
    async for chunk in database.stream("SELECT key FROM settings ORDER BY key", chunk=10):
        chunks.append([key for (key,) in chunk])
        await database.execute("INSERT INTO settings(key, value) VALUES (?, 'late')", (f"z{len(chunks)}",))
    assert [len(chunk) for chunk in chunks] == [10, 10, 5]  # the rows written meanwhile are not in this read
    assert len(await database.fetchall("SELECT key FROM settings")) == 28

    with pytest.raises(DatabaseError, match="attempt to write a readonly database"):
        async for _ in database.stream("DELETE FROM settings RETURNING key"):
            pass
    await database.close()


async def test_an_in_memory_database_streams_too(tmp_path: Path) -> None:
    database = await Database.open(Path(":memory:"))
    await database.execute("INSERT INTO settings(key, value) VALUES ('a', '1'), ('b', '2'), ('c', '3')")
    chunks = [chunk async for chunk in database.stream("SELECT key FROM settings ORDER BY key", chunk=2)]
    assert chunks == [[("a",), ("b",)], [("c",)]]
    await database.close()
