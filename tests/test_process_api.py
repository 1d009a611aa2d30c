"""The API of a running process: the websocket, and settings that survive a restart of the process."""

from __future__ import annotations

import asyncio
import json
import signal
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets

from tests.process import running

pytestmark = pytest.mark.slow

DEMO = ["--demo", "--demo-speed", "60", "--port", "0"]


async def messages_until(socket: Any, wanted: dict[str, Any], timeout: float) -> list[dict[str, Any]]:
    """Messages received until one carries every wanted key with its value."""
    seen: list[dict[str, Any]] = []
    async with asyncio.timeout(timeout):
        while True:
            message = json.loads(await socket.recv())
            seen.append(message)
            if all(message.get(key) == value for key, value in wanted.items()):
                return seen


async def test_websocket_welcome_then_the_change_after_a_setter(tmp_path: Path) -> None:
    with running([*DEMO, "--database", str(tmp_path / "d.db")], cwd=tmp_path) as app:
        async with websockets.connect(f"ws://127.0.0.1:{app.port}/ws") as socket:
            welcome = json.loads(await socket.recv())
            assert welcome["loadpoints.0.mode"] == "pv"
            assert welcome["loadpoints.1.title"] == "Garage"
            assert "pvPower" in welcome and "loadpoints" not in welcome
            async with httpx.AsyncClient() as client:
                response = await client.post(f"{app.url}/api/loadpoints/1/mode/now")
            assert response.json() == "now"
            # one demo cycle is 10 s of demo time, 1/6 s here
            changes = await messages_until(socket, {"loadpoints.0.mode": "now"}, timeout=5)
            assert all(isinstance(message, dict) for message in changes)
            await messages_until(socket, {"loadpoints.0.offeredCurrent": 16}, timeout=5)
        app.stop()


async def test_a_client_that_talks_is_disconnected(tmp_path: Path) -> None:
    with running([*DEMO, "--database", str(tmp_path / "d.db")], cwd=tmp_path) as app:
        async with websockets.connect(f"ws://127.0.0.1:{app.port}/ws") as socket:
            await socket.recv()
            await socket.send("hello")
            with pytest.raises(websockets.ConnectionClosed) as closed:
                async with asyncio.timeout(5):
                    while True:
                        await socket.recv()
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1008
        app.stop()


SETTINGS = [
    ("/api/loadpoints/1/mode/minpv", ".loadpoints[0].mode", "minpv"),
    ("/api/loadpoints/1/limitsoc/85", ".loadpoints[0].limitSoc", 85),
    ("/api/loadpoints/1/maxcurrent/14", ".loadpoints[0].maxCurrent", 14),
    ("/api/loadpoints/2/priority/2", ".loadpoints[1].priority", 2),
    ("/api/loadpoints/2/enable/threshold/-800", ".loadpoints[1].enableThreshold", -800),
    ("/api/residualpower/150", ".residualPower", 150),
    ("/api/buffersoc/70", ".bufferSoc", 70),
    ("/api/smartcostlimit/0.18", ".loadpoints[1].smartCostLimit", 0.18),
    ("/api/vehicles/van/minsoc/30", ".vehicles.van.minSoc", 30),
    ("/api/settings/telemetry/true", ".telemetry", True),
]


def test_what_a_user_set_survives_a_restart_of_the_process(tmp_path: Path) -> None:
    database = tmp_path / "demo.db"
    with running([*DEMO, "--database", str(database)], cwd=tmp_path) as app:
        for path, _, _value in SETTINGS:
            response = httpx.post(app.url + path, timeout=5)
            assert response.status_code == 200, response.text
        status, _ = app.stop(signal.SIGTERM)
        assert status == 0
    with running([*DEMO, "--database", str(database)], cwd=tmp_path) as app:
        for _, query, value in SETTINGS:
            assert app.get(f"/api/state?jq={query}").json() == value, query
        app.stop()
