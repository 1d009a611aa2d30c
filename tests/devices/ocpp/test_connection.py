"""A station that drops off, comes back, goes quiet or answers nonsense: reads fail fast with a clear
DeviceError, and a station that returns is set up and brought back to what was commanded."""

from __future__ import annotations

import asyncio
import json

import pytest

from surplus.core.types import ChargeStatus
from surplus.devices.errors import DeviceError
from surplus.devices.sim.ocpp_cp import SimulatedCar, SimulatedConnector
from tests.devices.ocpp.rig import mute_station, rig, until_connected, wallbox

QUICK = wallbox().replace("timeout: 2s", "timeout: 0.3s")


async def test_reads_and_commands_fail_at_once_while_the_station_is_away() -> None:
    async with rig() as r:
        station = await r.connect()
        await station.stop()
        await until_connected(r, False)
        for read in (r.charger.status, r.charger.current_power, r.charger.identify):
            with pytest.raises(DeviceError, match="station wallbox not connected"):
                await asyncio.wait_for(read(), 0.1)
        with pytest.raises(DeviceError, match="station wallbox not connected"):
            await asyncio.wait_for(r.charger.max_current(10), 0.1)


async def test_a_returning_station_is_set_up_again_and_gets_its_limit_back() -> None:
    async with rig() as r:
        station = await r.connect()
        await station.plug(1, SimulatedCar())
        await r.charger.enable(False)
        await station.wait_sent("StatusNotification", lambda m: m["status"] == "SuspendedEVSE")
        await station.stop()
        await until_connected(r, False)
        station.connectors[1] = SimulatedConnector(1)  # the car has left meanwhile
        station.received.clear()
        await station.reconnect(reboot=True)  # and the reboot forgets the profile
        await station.wait_for("SetChargingProfile")
        actions = [m.action for m in station.received]
        assert actions[:2] == ["ChangeAvailability", "GetConfiguration"]
        assert station.connectors[1].default_limit == 0  # the forgotten pause is back
        assert await r.charger.status() == ChargeStatus.A
        await station.plug(1)
        await station.wait_sent("StatusNotification", lambda m: m["status"] == "SuspendedEVSE")
        assert await r.charger.enabled() is False


async def test_meter_values_go_stale_on_the_chargers_clock() -> None:
    async with rig() as r:
        station = await r.connect()
        await station.plug(1, SimulatedCar(max_current=16))
        await station.tick(60)
        assert await r.charger.current_power() == pytest.approx(16 * 230 * 3)
        r.clock.advance(60)  # meterinterval 10s: values count for max(10s + 10s, 1min)
        assert await r.charger.current_power() == pytest.approx(16 * 230 * 3)
        r.clock.advance(1)
        with pytest.raises(DeviceError, match="meter values are 61s old"):
            await r.charger.current_power()
        await station.report()
        assert await r.charger.current_power() == pytest.approx(16 * 230 * 3)
        await station.announce(1, "Available")  # a stale transaction ends with the station available
        r.clock.advance(120)
        assert await r.charger.current_power() == 0
        assert await r.charger.currents() == (0, 0, 0)


async def test_a_station_that_does_not_answer_times_out() -> None:
    async with rig(QUICK) as r, mute_station(r) as websocket:
        with pytest.raises(DeviceError, match="station wallbox connector 1 has not reported its status yet"):
            await r.charger.status()
        with pytest.raises(DeviceError, match=r"no answer to SetChargingProfile within 0\.3s"):
            await r.charger.max_current(10)
        assert json.loads(await websocket.recv())[2] == "SetChargingProfile"


async def test_a_station_that_answers_garbage_is_an_error() -> None:
    async with rig(QUICK) as r, mute_station(r) as websocket:
        command = asyncio.create_task(r.charger.max_current(10))
        request = json.loads(await asyncio.wait_for(websocket.recv(), 2))
        await websocket.send(json.dumps([3, request[1], {"status": "Perhaps"}]))
        with pytest.raises(DeviceError, match="answered SetChargingProfile with an invalid message"):
            await command
