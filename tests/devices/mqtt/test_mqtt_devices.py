"""Custom chargers and vehicles over MQTT, the broker taken from the global ``mqtt:`` section."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress

import aiomqtt

from surplus.core.types import ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.mqtt.connection import Connection
from surplus.devices.registry import BuildContext
from tests.devices.mqtt.conftest import Home, custom_charger
from tests.devices.mqtt.waiting import eventually
from tests.fakes.mosquitto import Mosquitto

VOLTAGE = 230


@asynccontextmanager
async def wallbox(broker: Mosquitto) -> AsyncIterator[None]:
    """A wallbox that takes commands on wallbox/set/… and publishes its state as JSON on wallbox/state."""
    async with aiomqtt.Client("127.0.0.1", broker.port) as client:
        state = {"status": "B", "enabled": False, "power": 0}
        amps = 6

        async def publish() -> None:
            state["power"] = amps * VOLTAGE * 3 if state["enabled"] else 0
            state["status"] = "C" if state["enabled"] else "B"
            await client.publish("wallbox/state", json.dumps(state), qos=1, retain=True)

        async def obey() -> None:
            nonlocal amps
            async for message in client.messages:
                command = message.payload.decode()
                if message.topic.matches("wallbox/set/enable"):
                    state["enabled"] = command == "true"
                else:
                    amps = json.loads(command)["amps"]
                await publish()

        await client.subscribe("wallbox/set/#", qos=1)
        await publish()
        obeying = asyncio.create_task(obey())
        try:
            yield
        finally:
            obeying.cancel()
            with suppress(asyncio.CancelledError):  # a failure of obey() shows here
                await obeying


def shared_connections(context: BuildContext) -> list[Connection]:
    return [resource for resource in context.shared_resources.values() if isinstance(resource, Connection)]


async def test_a_custom_charger_is_switched_and_set_through_its_topics(home: Home, broker: Mosquitto) -> None:
    charger = home.build(
        custom_charger(
            broker,
            """
    status: {source: mqtt, topic: wallbox/state, jq: .status}
    enabled: {source: mqtt, topic: wallbox/state, jq: .enabled}
    power: {source: mqtt, topic: wallbox/state, jq: .power}
    enable: {source: mqtt, topic: wallbox/set/enable}
    maxcurrent: {source: mqtt, topic: wallbox/set/current, payload: '{"amps": ${maxcurrent}}'}
""",
        ),
        "chargers",
    )
    assert isinstance(charger, p.Charger) and isinstance(charger, p.Meter)
    async with wallbox(broker):
        assert (await charger.status(), await charger.enabled()) == (ChargeStatus.B, False)
        await charger.enable(True)
        await eventually(charger.status, ChargeStatus.C)
        assert await charger.enabled() is True
        await charger.max_current(10)
        await eventually(charger.current_power, 10.0 * VOLTAGE * 3)


async def test_a_teslamate_vehicle_reads_its_values_from_the_bridge(
    home: Home, broker: Mosquitto, peer: aiomqtt.Client
) -> None:
    car = "teslamate/cars/1"
    published = {
        "usable_battery_level": "62",
        "rated_battery_range_km": "310.5",
        "odometer": "45678.2",
        "charge_limit_soc": "80",
        "is_preconditioning": "false",
    }
    for name, value in published.items():
        await peer.publish(f"{car}/{name}", value, qos=1, retain=True)
    vehicle = home.build(
        f"""
mqtt:
  broker: {broker.address}
vehicles:
  - name: model3
    type: custom
    title: Model 3
    capacity: 75
    soc: {{source: mqtt, topic: {car}/usable_battery_level, timeout: 15m}}
    range: {{source: mqtt, topic: {car}/rated_battery_range_km}}
    odometer: {{source: mqtt, topic: {car}/odometer}}
    limitsoc: {{source: mqtt, topic: {car}/charge_limit_soc}}
    climater: {{source: mqtt, topic: {car}/is_preconditioning}}
""",
        "vehicles",
    )
    assert isinstance(vehicle, p.VehicleRange) and isinstance(vehicle, p.VehicleClimater)
    assert (vehicle.title(), vehicle.capacity()) == ("Model 3", 75.0)
    readings = (await vehicle.soc(), await vehicle.range(), await vehicle.odometer(), await vehicle.limit_soc())
    assert readings == (62.0, 310.5, 45678.2, 80.0)
    assert await vehicle.climater() is False
    assert len(shared_connections(home.context)) == 1, "all sources on one broker share its connection"
    await peer.publish(f"{car}/usable_battery_level", "63")
    await eventually(vehicle.soc, 63.0)
