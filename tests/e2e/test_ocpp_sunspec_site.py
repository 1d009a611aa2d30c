"""The whole controller against real protocols: SunSpec grid and PV meters served by a Modbus simulator, an
OCPP 1.6J charge point with a simulated car, and the real engine in between. Time is virtual (30 s per cycle);
every message crosses a real socket on 127.0.0.1.

The physics between cycles: the charge point draws what its profile offers, and the grid meter reads the
house load plus that draw minus the PV production.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from surplus.app import Runtime, assemble, build_devices, close_devices, start_devices
from surplus.clock import VirtualClock
from surplus.config.loader import load_text
from surplus.devices.ocpp.central import SHARED_KEY, CentralSystem
from surplus.devices.registry import BuildContext
from surplus.devices.sim.modbus_server import ModbusSimulator
from surplus.devices.sim.ocpp_cp import SimulatedCar, SimulatedChargePoint
from surplus.devices.sim.sunspec_image import SunSpecImage
from surplus.store.database import Database

START = datetime(2026, 6, 1, 10, 0, tzinfo=UTC)
HOUSE = 500.0
STEP = 30
GRID_UNIT, PV_UNIT = 1, 2


def config(modbus_port: int) -> str:
    return f"""
interval: 30s
site:
  meters:
    grid: grid
    pv: [pv]
meters:
  - name: grid
    type: template
    template: sunspec
    usage: grid
    host: 127.0.0.1
    port: {modbus_port}
    id: {GRID_UNIT}
  - name: pv
    type: template
    template: sunspec
    usage: pv
    host: 127.0.0.1
    port: {modbus_port}
    id: {PV_UNIT}
chargers:
  - name: wallbox
    type: template
    template: ocpp
    stationid: wallbox
    connecttimeout: 5s
loadpoints:
  - title: Carport
    charger: wallbox
    mode: pv
    phases: 3
    mincurrent: 6
    maxcurrent: 16
"""


@dataclass
class Site:
    clock: VirtualClock
    modbus: ModbusSimulator
    grid: SunSpecImage
    pv: SunSpecImage
    station: SimulatedChargePoint
    runtime: Runtime
    api: httpx.AsyncClient
    pv_power: float = 0.0
    station_online: bool = True

    @property
    def offered(self) -> float | None:
        """What the charge point's default profile offers now, A."""
        return self.station.connectors[1].default_limit

    @property
    def drawn(self) -> float:
        return self.station.power(1)

    async def cycle(self) -> None:
        """30 s pass: the car charges at what it was offered, the meters show it, and the controller runs."""
        self.clock.advance(STEP)
        if self.station_online:
            await self.station.tick(STEP)
        self.pv.set("103:W", self.pv_power)
        self.grid.set("203:W", HOUSE + self.drawn - self.pv_power)
        await self.runtime.controller.cycle()

    def state(self, key: str, loadpoint: int | None = 0) -> Any:
        return self.runtime.state.get(key, loadpoint)


def images(modbus: ModbusSimulator) -> tuple[SunSpecImage, SunSpecImage]:
    grid = SunSpecImage(modbus.unit(GRID_UNIT).holding, [1, 203])
    grid.update({"203:W_SF": 0, "203:W": HOUSE, "203:TotWh_SF": 0, "203:TotWhImp": 1_000_000, "203:TotWhExp": 0})
    pv = SunSpecImage(modbus.unit(PV_UNIT).holding, [1, 103])
    pv.update({"103:W_SF": 0, "103:W": 0, "103:WH_SF": 0, "103:WH": 5_000_000})
    return grid, pv


@asynccontextmanager
async def site(tmp_path: Path) -> AsyncIterator[Site]:
    clock = VirtualClock(START)
    modbus = ModbusSimulator()
    grid, pv = images(modbus)
    await modbus.start()
    central = CentralSystem(clock, host="127.0.0.1", port=0)
    context = BuildContext(clock, {SHARED_KEY: central})
    loaded = load_text(config(int(modbus.uri.rsplit(":", 1)[1])), "evcc.yaml")
    devices = build_devices(loaded, context)
    await central.acquire()
    station = SimulatedChargePoint(f"ws://127.0.0.1:{central.port}", "wallbox", clock)
    database = await Database.open(tmp_path / "surplus.db")
    try:
        await station.start()
        await start_devices(devices)
        runtime = await assemble(loaded, clock, database, devices)
        transport = httpx.ASGITransport(app=runtime.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://surplus") as api:
            yield Site(clock, modbus, grid, pv, station, runtime, api)
    finally:
        await station.stop()
        await close_devices([*devices.all(), *context.shared_resources.values()])
        await database.close()
        await modbus.stop()


async def run_until(s: Site, condition: Any, cycles: int = 12) -> int:
    """Cycles until ``condition()`` holds; how many it took."""
    for count in range(1, cycles + 1):
        await s.cycle()
        if condition():
            return count
    raise AssertionError(f"not reached within {cycles} cycles; state {s.runtime.state.document()}")


async def test_the_car_charges_from_surplus_follows_a_pv_step_and_pauses_when_switched_off(tmp_path: Path) -> None:
    async with site(tmp_path) as s:
        s.pv_power = 9000.0
        await s.station.plug(1, SimulatedCar(max_current=16, phases=3, soc=40))
        await run_until(s, lambda: s.state("charging") is True and s.drawn > 0)
        # the surplus of 9000 − 500 W on three phases is 12.3 A; OCPP takes tenths of amperes
        await run_until(s, lambda: offers(s, 8500), cycles=4)
        assert abs(s.state("chargePower") - 8500) < 3 * 230 * 0.2
        assert abs(s.runtime.state.get("grid")["power"]) < 3 * 230 * 0.2  # the car takes the surplus, not the grid

        s.pv_power = 6000.0  # a cloud: 5500 W of surplus are 7.97 A
        taken = await run_until(s, lambda: offers(s, 5500), cycles=2)
        assert taken <= 2, "the offered current follows a PV step within two cycles"

        response = await s.api.post("/api/loadpoints/1/mode/off")
        assert response.status_code == 200
        await run_until(s, lambda: s.offered == 0.0, cycles=1)
        profile = await s.station.wait_for("SetChargingProfile", lambda p: _limit(p) == 0.0)
        assert profile["charging_profile_purpose"] == "TxDefaultProfile"
        await s.cycle()
        assert s.station.connectors[1].status == "SuspendedEVSE"
        assert s.drawn == 0.0 and s.state("charging") is False


async def test_a_simulator_that_goes_away_is_reported_and_found_again(tmp_path: Path) -> None:
    async with site(tmp_path) as s:
        s.pv_power = 9000.0
        await s.station.plug(1, SimulatedCar(max_current=16, phases=3, soc=40))
        await run_until(s, lambda: offers(s, 8500))

        await s.modbus.stop()  # the inverter's Modbus server dies
        await s.cycle()
        errors = s.runtime.state.get("deviceErrors")
        assert {e["device"] for e in errors} == {"grid", "pv"}
        assert s.runtime.controller.last_cycle is not None  # the loop goes on
        await s.cycle()

        await s.modbus.start()
        await run_until(s, lambda: s.runtime.state.get("deviceErrors") == [], cycles=8)
        assert s.state("charging") is True

        await s.station.stop()  # the wallbox drops off the network
        s.station_online = False
        await s.cycle()
        assert [e["device"] for e in s.runtime.state.get("deviceErrors")] == ["wallbox"]
        await s.station.start()
        s.station_online = True
        await run_until(s, lambda: s.runtime.state.get("deviceErrors") == [], cycles=8)
        s.pv_power = 6000.0
        await run_until(s, lambda: offers(s, 5500), cycles=3)


def offers(s: Site, surplus: float) -> bool:
    """The charge point's profile offers the surplus (W) on three phases, to the tenth of an ampere OCPP sends."""
    return s.offered is not None and abs(s.offered - surplus / (3 * 230)) < 0.2


def _limit(payload: dict[str, Any]) -> float:
    periods = payload["charging_schedule"]["charging_schedule_period"]
    return float(periods[0]["limit"])
