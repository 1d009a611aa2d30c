"""``statistics`` in /api/state: there at start-up, refreshed at most every 15 minutes and when a session ends."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from surplus.core.types import ChargeStatus
from tests.server.harness import running
from tests.server.sessions_fixture import START, sessions_database

PERIODS = ["30d", "365d", "thisYear", "total"]


def add_session(path: Path, kwh: float) -> None:
    """A row written behind the application's back (evcc's way of storing it), finished long ago."""
    with sqlite3.connect(path) as connection:
        connection.execute(
            "INSERT INTO sessions (created, finished, loadpoint, charged_kwh, solar_percentage) "
            "VALUES ('2020-01-01 10:00:00+01:00', '2020-01-01 11:00:00+01:00', 'Carport', ?, 50)",
            (kwh,),
        )


async def test_published_at_start_up(tmp_path: Path) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        published = await app.state(".statistics")
        assert list(published) == PERIODS
        # solar shares are known for sessions 1 (10.25 kWh at 88.2134567 %), 3 (7.5 at 100), 6 (12.37655 at
        # 45.00004) and 7 (0.09996 at 99.99995); the rest have none
        kwh = 10.25 + 7.5 + 12.37655 + 0.09996
        solar = (10.25 * 88.2134567 + 7.5 * 100 + 12.37655 * 45.00004 + 0.09996 * 99.99995) / kwh
        assert published["total"]["chargedKWh"] == round(kwh, 3)
        assert published["total"]["solarPercentage"] == round(solar, 3)
        # the newest fixture session finished in June 2024, two years before the clock's now
        assert published["365d"] == {"chargedKWh": 0, "solarPercentage": 0, "avgPrice": 0, "avgCo2": 0}


async def test_refreshed_at_most_every_15_minutes(tmp_path: Path) -> None:
    path = await sessions_database(tmp_path / "s.db")
    async with running(path, start=START) as app:
        before = await app.state(".statistics.total.chargedKWh")
        add_session(path, 5)
        for _ in range(29):  # 14.5 minutes
            await app.cycle(30)
        assert await app.state(".statistics.total.chargedKWh") == before
        await app.cycle(30)
        assert await app.state(".statistics.total.chargedKWh") == round(before + 5, 3)


async def test_refreshed_when_a_session_ends(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db", start=START) as app:
        assert await app.state(".statistics.total.chargedKWh") == 0
        wallbox = app.script.chargers["wallbox"]
        await app.client.post("/api/loadpoints/1/mode/now")
        await app.cycle()
        wallbox.status, wallbox.power = ChargeStatus.C, 11000
        for _ in range(5):
            await app.cycle()
        assert await app.state(".statistics.total.chargedKWh") == 0  # still charging, and 3 minutes passed
        wallbox.status, wallbox.power = ChargeStatus.B, 0
        await app.cycle()
        charged = await app.state(".loadpoints[0].sessionEnergy") / 1000
        total = await app.state(".statistics.total")
        assert total["chargedKWh"] == round(charged, 3)
        assert 0 < total["solarPercentage"] <= 100


async def test_a_refresh_still_running_at_shutdown_is_cancelled(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        statistics = app.runtime.statistics
        statistics.cycle(app.clock.now(), session_ended=True)  # a refresh in the background, as after a session
        refresh = statistics._task
        assert refresh is not None and not refresh.done()
        await statistics.stop()
        assert refresh.done()
