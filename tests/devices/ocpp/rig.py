"""A central system on 127.0.0.1:<free port> with the chargers of a config text, and simulated stations
connecting to it; everything started here is stopped when the ``async with`` block ends."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

from surplus.app import build_devices
from surplus.clock import VirtualClock
from surplus.config.loader import load_text
from surplus.devices.errors import DeviceError
from surplus.devices.ocpp.central import SHARED_KEY, CentralSystem
from surplus.devices.ocpp.library import SUBPROTOCOL
from surplus.devices.registry import BuildContext
from surplus.devices.sim.ocpp_cp import Behaviour, SimulatedChargePoint
from tests.devices.building import NOW

#: a station on connector 1, with timeouts short enough that a failing test fails fast
WALLBOX = """
chargers:
  - name: wallbox
    type: ocpp
    stationid: wallbox
    timeout: 2s
    connecttimeout: 3s
"""


def wallbox(*keys: str) -> str:
    """The wallbox charger with more keys, e.g. ``wallbox("remotestart: true")``."""
    return WALLBOX + "".join(f"    {key}\n" for key in keys)


@dataclass
class Rig:
    clock: VirtualClock
    central: CentralSystem
    chargers: dict[str, Any]
    stations: list[SimulatedChargePoint] = field(default_factory=list)

    @property
    def charger(self) -> Any:
        return next(iter(self.chargers.values()))

    def station(
        self,
        station_id: str = "wallbox",
        behaviour: Behaviour | None = None,
        user: str = "",
        password: str = "",
        report_periodically: bool = False,
    ) -> SimulatedChargePoint:
        """A simulated station for this central system, stopped with the rig (not started yet)."""
        url = f"ws://127.0.0.1:{self.central.port}"
        station = SimulatedChargePoint(url, station_id, self.clock, behaviour, user, password, report_periodically)
        self.stations.append(station)
        return station

    async def connect(self, station_id: str = "wallbox", behaviour: Behaviour | None = None) -> SimulatedChargePoint:
        """A started station, and every charger started (so each has seen its station set up)."""
        station = self.station(station_id, behaviour)
        await station.start()
        for charger in self.chargers.values():
            await charger.start()
        return station


async def until_asleep(clock: VirtualClock, sleepers: int = 1) -> None:
    """Let other tasks run until ``sleepers`` of them wait on the virtual clock, so advancing it wakes them."""
    async with asyncio.timeout(2):
        # the virtual clock offers no event for "a task went to sleep"; yielding lets the task get there
        while clock.sleepers < sleepers:  # noqa: ASYNC110
            await asyncio.sleep(0)


def build_with(yaml: str, context: BuildContext) -> dict[str, Any]:
    """The chargers of a config text, built as the application builds them."""
    devices = build_devices(load_text(yaml, "evcc.yaml"), context)
    return {name: built.device for name, built in devices.chargers.items()}


@asynccontextmanager
async def rig(yaml: str = WALLBOX) -> AsyncIterator[Rig]:
    clock = VirtualClock(NOW)
    central = CentralSystem(clock, host="127.0.0.1", port=0)
    chargers = build_with(yaml, BuildContext(clock, {SHARED_KEY: central}))
    await central.acquire()
    built = Rig(clock, central, chargers)
    try:
        yield built
    finally:
        for station in built.stations:
            await station.stop()
        for charger in chargers.values():
            await charger.close()
        await central.close()


async def until_connected(r: Rig, connected: bool = True) -> None:
    """The central system has noticed the station came or went (reads tell)."""
    async with asyncio.timeout(2):
        while True:
            try:
                await r.charger.identify()
                if connected:
                    return
            except DeviceError:
                if not connected:
                    return
            await asyncio.sleep(0)


@asynccontextmanager
async def mute_station(r: Rig) -> AsyncIterator[ClientConnection]:
    """A station that connects but neither boots nor answers on its own; the test speaks for it."""
    url = f"ws://127.0.0.1:{r.central.port}/wallbox"
    async with connect(url, subprotocols=[Subprotocol(SUBPROTOCOL)]) as websocket:
        await until_connected(r)
        yield websocket
