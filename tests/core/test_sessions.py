"""Sessions from a loadpoint into SQLite: one row per plug-in, closed at start-up when left open (core.md §3.15,
scenario 100)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from surplus.core.energy import EnergySource
from surplus.core.loadpoint import Loadpoint
from surplus.core.session import StoredSession, close_open_sessions
from surplus.core.types import ChargeMode, ChargeStatus
from surplus.store.database import Database
from surplus.store.sessions import SessionStore
from tests.core.builders import at, charger, context, loadpoint, reading

A, B, C = ChargeStatus.A, ChargeStatus.B, ChargeStatus.C
LOADPOINT = "Loadpoint 1"  # the builder's title: sessions name their loadpoint by title
EVCC_ZERO_TIME = "0001-01-01 00:00:00+00:00"  # how evcc stores a session that never finished


def is_open(finished: Any) -> bool:
    return finished is None or str(finished).startswith("0001-01-01")


async def rows(database: Database) -> list[dict[str, Any]]:
    names = ("id", "created", "finished", "loadpoint", "meter_start_kwh", "meter_end_kwh", "charged_kwh")
    found = await database.fetchall(f"SELECT {', '.join(names)} FROM sessions ORDER BY id")
    return [dict(zip(names, row, strict=True)) for row in found]


async def cycle(lp: Loadpoint, store: SessionStore, seconds: float, status: ChargeStatus, **values: Any) -> list[str]:
    """One update with a charger that follows its last command; the session record (if any) is saved."""
    power = 3680.0 if status == C else 0.0
    result = lp.update(context(at(seconds)), reading(status, lp.enabled, power=power, **values), {})
    if result.session is not None:
        await store.save(result.session)
    return result.events


# --- scenario 100: segments update one row --------------------------------------------------------------------


async def test_scenario_100_segments_of_one_session_share_one_row(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    try:
        store = SessionStore(database)
        lp = loadpoint(info=charger(energy_source=EnergySource.CHARGER), mode=ChargeMode.NOW)
        assert await cycle(lp, store, 0, A, charged_energy=0) == ["disconnect"]
        assert await cycle(lp, store, 30, B, charged_energy=0) == ["connect"]
        assert await rows(database) == []  # a session is written only once it charged

        assert await cycle(lp, store, 60, C, charged_energy=0) == ["start"]
        await cycle(lp, store, 90, C, charged_energy=0.6)
        assert await cycle(lp, store, 120, B, charged_energy=1.23) == ["stop"]
        [first] = await rows(database)
        assert first["charged_kwh"] == pytest.approx(1.23)
        assert first["finished"] == "2026-06-01 12:02:00+00:00"  # the segment's end
        assert first["created"] == "2026-06-01 12:01:00+00:00"  # the first charge start
        assert first["loadpoint"] == LOADPOINT

        await cycle(lp, store, 150, B, charged_energy=1.23)
        assert await cycle(lp, store, 180, C, charged_energy=1.23) == ["start"]
        await cycle(lp, store, 210, C, charged_energy=2.0)
        assert await cycle(lp, store, 240, B, charged_energy=2.5) == ["stop"]
        [second] = await rows(database)
        assert second["id"] == first["id"]
        assert second["charged_kwh"] == pytest.approx(2.5)
        assert second["finished"] == "2026-06-01 12:04:00+00:00"
        assert second["created"] == first["created"]

        assert await cycle(lp, store, 270, A, charged_energy=2.5) == ["disconnect"]
        [last] = await rows(database)
        assert last["id"] == first["id"]
        assert last["charged_kwh"] == pytest.approx(2.5)

        # the next plug-in is a new session, a new row
        await cycle(lp, store, 300, B, charged_energy=0)
        await cycle(lp, store, 330, C, charged_energy=0)
        await cycle(lp, store, 360, B, charged_energy=0.4)
        assert [(row["id"] == first["id"], row["charged_kwh"]) for row in await rows(database)] == [
            (True, pytest.approx(2.5)),
            (False, pytest.approx(0.4)),
        ]
    finally:
        await database.close()


async def test_scenario_100_disconnect_persists_energy_counted_after_the_stop(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    try:
        store = SessionStore(database)
        lp = loadpoint(info=charger(energy_source=EnergySource.CHARGER), mode=ChargeMode.NOW)
        await cycle(lp, store, 0, A, charged_energy=0)
        await cycle(lp, store, 30, B, charged_energy=0)
        await cycle(lp, store, 60, C, charged_energy=0)
        await cycle(lp, store, 120, B, charged_energy=1.23)
        await cycle(lp, store, 150, A, charged_energy=1.3)  # the charger counted a little more (§3.15 disconnect)
        [row] = await rows(database)
        assert row["charged_kwh"] == pytest.approx(1.3)
    finally:
        await database.close()


async def test_scenario_100_a_session_that_never_charged_is_not_written(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    try:
        store = SessionStore(database)
        lp = loadpoint(info=charger(energy_source=EnergySource.CHARGER), mode=ChargeMode.OFF)
        for step, status in enumerate([A, B, B, A, B, A]):
            await cycle(lp, store, 30 * step, status, charged_energy=0)
        assert await rows(database) == []
    finally:
        await database.close()


async def test_a_session_interrupted_while_charging_is_closed_at_its_last_cycle(tmp_path: Path) -> None:
    """Better than evcc: every charging cycle writes the row with ``finished`` = that cycle, so a process killed
    mid-charge leaves a closed session with its energy, losing at most one cycle (evcc leaves it open and
    reconstructs it at start-up only when a meter reading allows)."""
    path = tmp_path / "surplus.db"
    database = await Database.open(path)
    try:
        store = SessionStore(database)
        lp = loadpoint(info=charger(energy_source=EnergySource.METER), mode=ChargeMode.NOW)
        await cycle(lp, store, 0, B, energy=100.0)
        await cycle(lp, store, 30, C, energy=100.0)
        await cycle(lp, store, 60, C, energy=101.0)
        await cycle(lp, store, 90, C, energy=102.0)
    finally:
        await database.close()  # the process stops while the vehicle charges

    database = await Database.open(path)
    try:
        assert await SessionStore(database).close_open(LOADPOINT, 103.0) == 0
        [kept] = await rows(database)
        assert not is_open(kept["finished"])
        assert kept["finished"].startswith("2026-06-01 12:01:30")
        assert kept["meter_start_kwh"] == 100.0
        assert kept["charged_kwh"] == pytest.approx(2.0)
    finally:
        await database.close()


# --- scenario 100: closing open sessions at start-up --------------------------------------------------------


async def fill(database: Database, open_marker: str | None) -> None:
    """Six sessions with meter starts 10 … 60; rows 3 and 6 were never finished."""
    for number in range(1, 7):
        start = 10.0 * number
        created = f"2026-05-0{number} 10:00:00+00:00"
        if number in (3, 6):
            finished, stop, charged = open_marker, None, 0.0
        else:
            finished, stop, charged = f"2026-05-0{number} 11:00:00+00:00", start + 5, 5.0
        await database.execute(
            "INSERT INTO sessions (id, created, finished, loadpoint, meter_start_kwh, meter_end_kwh, charged_kwh) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (number, created, finished, LOADPOINT, start, stop, charged),
        )


@pytest.mark.parametrize("open_marker", [EVCC_ZERO_TIME, None], ids=["evcc-zero-time", "null"])
async def test_scenario_100_close_pending_sessions_at_startup(tmp_path: Path, open_marker: str | None) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    try:
        await fill(database, open_marker)
        before = await rows(database)
        assert await SessionStore(database).close_open(LOADPOINT, 1000.0) == 2
        after = {row["id"]: row for row in await rows(database)}
        assert after[3]["meter_end_kwh"] == 40.0  # the next session's start
        assert after[3]["charged_kwh"] == pytest.approx(10.0)
        assert after[6]["meter_end_kwh"] == 1000.0  # the meter now
        assert after[6]["charged_kwh"] == pytest.approx(940.0)
        assert not is_open(after[3]["finished"])
        assert not is_open(after[6]["finished"])
        for row in before:
            if row["id"] not in (3, 6):
                assert after[row["id"]] == row  # finished sessions are untouched
        assert await SessionStore(database).close_open(LOADPOINT, 1000.0) == 0  # nothing left to close
    finally:
        await database.close()


async def test_scenario_100_close_pending_only_touches_its_own_loadpoint(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "surplus.db")
    try:
        await fill(database, EVCC_ZERO_TIME)
        await database.execute(
            "INSERT INTO sessions (id, created, finished, loadpoint, meter_start_kwh, charged_kwh) "
            "VALUES (7, '2026-05-07 10:00:00+00:00', ?, 'Carport', 500, 0)",
            (EVCC_ZERO_TIME,),
        )
        assert await SessionStore(database).close_open("Carport", 510.0) == 1
        after = {row["id"]: row for row in await rows(database)}
        assert after[7]["charged_kwh"] == pytest.approx(10.0)
        assert is_open(after[3]["finished"]) and is_open(after[6]["finished"])
    finally:
        await database.close()


def test_scenario_100_close_open_sessions_rule() -> None:
    stored = [StoredSession(n, 10.0 * n, open=n in (3, 6)) for n in range(1, 7)]
    closed = close_open_sessions(stored, 1000.0)
    assert [(row_id, stop) for row_id, stop, _ in closed] == [(3, 40.0), (6, 1000.0)]
    assert [charged for _, _, charged in closed] == [pytest.approx(10.0), pytest.approx(940.0)]
