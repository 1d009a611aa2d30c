"""A database that stops taking writes (read-only remount, full disk): charging goes on, the state says why."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from surplus.core.types import ChargeStatus
from surplus.store.database import Database, DatabaseError, check_writable
from tests.server.harness import running


async def test_a_failing_session_write_shows_in_device_errors_and_charging_goes_on(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        wallbox = app.script.chargers["wallbox"]
        await app.client.post("/api/loadpoints/1/mode/now")
        await app.cycle()
        wallbox.status, wallbox.power = ChargeStatus.C, 11000
        await app.cycle()
        await app.database.run(lambda connection: connection.execute("PRAGMA query_only = ON"))
        for _ in range(3):
            await app.cycle()
        errors = await app.state(".deviceErrors")
        [error] = [e for e in errors if e["class"] == "database"]
        assert error["device"] == "sessions"
        assert error["error"].startswith("saving the session failed: database ")
        assert error["error"].endswith("attempt to write a readonly database")
        assert wallbox.enabled  # control did not stop
        assert await app.state(".loadpoints[0].charging") is True

        await app.database.run(lambda connection: connection.execute("PRAGMA query_only = OFF"))
        await app.cycle()
        assert [e for e in await app.state(".deviceErrors") if e["class"] == "database"] == []
        [session] = (await app.client.get("/api/sessions")).json()
        assert session["chargedEnergy"] == pytest.approx(await app.state(".loadpoints[0].sessionEnergy") / 1000)


async def test_a_failing_settings_write_shows_too(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        await app.database.run(lambda connection: connection.execute("PRAGMA query_only = ON"))
        assert (await app.client.post("/api/loadpoints/1/mode/minpv")).status_code == 200
        await app.cycle()
        await app.cycle()
        [error] = [e for e in await app.state(".deviceErrors") if e["class"] == "database"]
        assert error["device"] == "settings"
        assert "attempt to write a readonly database" in error["error"]
        assert await app.state(".loadpoints[0].mode") == "minpv"  # kept in memory, written once possible


async def test_start_up_notices_a_read_only_database(tmp_path: Path) -> None:
    """The write check that Database.open makes, on a connection that may only read."""
    path = tmp_path / "s.db"
    await (await Database.open(path)).close()
    read_only = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            check_writable(read_only)
    finally:
        read_only.close()


async def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(DatabaseError, match=f"cannot open database {tmp_path}: unable to open database file"):
        await Database.open(tmp_path)
