"""PUT and DELETE /api/session/<id>: what a user may change, and what happens to a session still running."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from surplus.core.types import ChargeStatus
from tests.server.harness import App, running
from tests.server.sessions_fixture import START, sessions_database


async def session(client: httpx.AsyncClient, row_id: int) -> dict[str, Any]:
    [found] = [s for s in (await client.get("/api/sessions")).json() if s["id"] == row_id]
    return found


async def test_changing_vehicle_loadpoint_and_odometer(tmp_path: Path) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        response = await app.client.put(
            "/api/session/1", json={"vehicle": "Firmenwagen", "loadpoint": "Garage", "odometer": 12400.26}
        )
        assert (response.status_code, response.content) == (200, b"")
        assert response.headers["content-type"] == "application/json"
        changed = await session(app.client, 1)
        assert (changed["vehicle"], changed["loadpoint"], changed["odometer"]) == ("Firmenwagen", "Garage", 12400.3)
        assert changed["chargedEnergy"] == 10.25  # nothing else changed

        await app.client.put("/api/session/1", json={"odometer": None})
        assert (await session(app.client, 1))["odometer"] is None  # null clears
        await app.client.put("/api/session/1", json={"vehicle": None})
        assert (await session(app.client, 1))["vehicle"] == ""
        assert (await session(app.client, 1))["loadpoint"] == "Garage"

        csv_body = (await app.client.get("/api/sessions?format=csv&year=2023&month=5")).text
        assert csv_body.splitlines()[1].startswith("2023-05-04 08:00:00,2023-05-04 09:15:30,Garage,,,,100.1,")


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({}, 400, "nothing to update"),
        ({"colour": "red"}, 400, "nothing to update"),
        ({"vehicle": 7}, 400, "vehicle: must be a text or null, not 7"),
        ({"loadpoint": ["Garage"]}, 400, 'loadpoint: must be a text or null, not ["Garage"]'),
        ({"odometer": "12000"}, 400, 'odometer: must be a number of km, 0 or more, or null; not "12000"'),
        ({"odometer": -1}, 400, "odometer: must be a number of km, 0 or more, or null; not -1"),
        ({"odometer": True}, 400, "odometer: must be a number of km, 0 or more, or null; not true"),
        ([1, 2], 400, "the body must be a JSON object with any of vehicle, loadpoint, odometer"),
    ],
)
async def test_bad_edits_say_what_is_allowed(tmp_path: Path, body: Any, status: int, error: str) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        response = await app.client.put("/api/session/1", json=body)
        assert (response.status_code, response.json()) == (status, {"error": error})
        assert (await session(app.client, 1))["vehicle"] == "blauer e-Golf"


async def test_edit_errors_for_the_request_itself(tmp_path: Path) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        not_json = await app.client.put("/api/session/1", content=b"{vehicle: x}")
        assert not_json.status_code == 400
        assert not_json.json()["error"].startswith("the body must be a JSON object")
        unknown = await app.client.put("/api/session/99", json={"vehicle": "x"})
        assert (unknown.status_code, unknown.json()) == (404, {"error": "session 99 not found"})
        for bad in ("abc", "0", "-1", "٣", "99999999999999999999999"):
            response = await app.client.put(f"/api/session/{bad}", json={"vehicle": "x"})
            assert response.status_code == 400, bad
            assert "it must be a whole number of 1 or more" in response.json()["error"]


async def test_deleting(tmp_path: Path) -> None:
    async with running(await sessions_database(tmp_path / "s.db"), start=START) as app:
        response = await app.client.delete("/api/session/2")
        assert (response.status_code, response.content) == (200, b"null\n")
        assert [s["id"] for s in (await app.client.get("/api/sessions?year=2023")).json()] == [1]
        again = await app.client.delete("/api/session/2")
        assert (again.status_code, again.json()) == (404, {"error": "session 2 not found"})
        assert (await app.client.delete("/api/session/x")).status_code == 400


async def charge(app: App, cycles: int) -> None:
    """The scripted car charges at 11 kW for ``cycles`` cycles of 30 s."""
    wallbox = app.script.chargers["wallbox"]
    if wallbox.status != ChargeStatus.C:
        await app.client.post("/api/loadpoints/1/mode/now")
        await app.cycle()
        wallbox.status = ChargeStatus.C
        wallbox.power = 11000
    for _ in range(cycles):
        await app.cycle()


async def test_an_edit_of_a_running_session_is_not_undone_by_the_next_cycle(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db", start=START) as app:
        await charge(app, 3)
        [running_session] = (await app.client.get("/api/sessions")).json()
        assert running_session["vehicle"] == "Blue car"
        edit = {"vehicle": "Firmenwagen", "odometer": 30000}
        assert (await app.client.put(f"/api/session/{running_session['id']}", json=edit)).status_code == 200
        await charge(app, 3)
        [after] = (await app.client.get("/api/sessions")).json()
        assert (after["vehicle"], after["odometer"]) == ("Firmenwagen", 30000)
        assert after["chargedEnergy"] > running_session["chargedEnergy"]  # the session itself goes on


async def test_a_deleted_running_session_stays_deleted(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db", start=START) as app:
        await charge(app, 3)
        [running_session] = (await app.client.get("/api/sessions")).json()
        assert (await app.client.delete(f"/api/session/{running_session['id']}")).status_code == 200
        await charge(app, 3)
        app.script.chargers["wallbox"].status = ChargeStatus.A
        await app.cycle()
        assert (await app.client.get("/api/sessions")).json() == []
        # the next plug-in is a session of its own again
        app.script.chargers["wallbox"].status = ChargeStatus.B
        await app.cycle()
        await charge(app, 3)
        assert len((await app.client.get("/api/sessions")).json()) == 1
