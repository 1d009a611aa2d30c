"""The whole application in-process, on scripted devices and a virtual clock, reached over its ASGI app."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from surplus.app import Runtime, assemble, build_devices
from surplus.clock import VirtualClock
from surplus.config.loader import load_text
from surplus.devices.registry import BuildContext
from surplus.devices.sim.scripted import Script, shared_script
from surplus.store.database import Database
from tests.core.builders import T0

CONFIG = """\
site:
  title: Test home
  meters: {grid: grid, pv: pv, battery: battery}
meters:
  - {name: grid, type: scripted, usage: grid, power: -3000}
  - {name: pv, type: scripted, usage: pv, power: 5000}
  - {name: battery, type: scripted, usage: battery, soc: 50, capacity: 10}
chargers:
  - {name: wallbox, type: scripted, phases: 3, phases1p3p: true, status: B}
  - {name: garage, type: scripted, phases: 3}
vehicles:
  - {name: ev, type: scripted, title: Blue car, capacity: 50, soc: 40}
  - {name: van, type: scripted, title: White van, capacity: 75}
loadpoints:
  - {title: Carport, charger: wallbox, vehicle: ev}
  - {title: Garage, charger: garage}
"""


@dataclass
class App:
    client: httpx.AsyncClient
    runtime: Runtime
    script: Script
    clock: VirtualClock
    database: Database

    async def state(self, jq: str | None = None) -> Any:
        response = await self.client.get("/api/state", params={"jq": jq} if jq else None)
        assert response.status_code == 200, response.text
        return response.json()

    async def cycle(self, seconds: float = 30) -> None:
        self.clock.advance(seconds)
        await self.runtime.controller.cycle()
        await self.runtime.statistics.settled()


@asynccontextmanager
async def running(database: Path, config: str = CONFIG, start: datetime = T0) -> AsyncIterator[App]:
    clock = VirtualClock(start)
    loaded = load_text(config, "test.yaml")
    context = BuildContext(clock)
    db = await Database.open(database)
    try:
        devices = build_devices(loaded, context)
        runtime = await assemble(loaded, clock, db, devices)
        transport = httpx.ASGITransport(app=runtime.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://surplus") as client:
            app = App(client, runtime, shared_script(context), clock, db)
            await app.cycle(0)
            yield app
    finally:
        await db.close()
