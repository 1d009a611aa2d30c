"""Configuring ``type: ocpp``: mistakes point at the key and say what is allowed, and the shared central
system listens from the first charger's start to the last charger's close."""

from __future__ import annotations

import socket

import pytest
from websockets.asyncio.client import connect

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.devices.errors import DeviceError
from surplus.devices.ocpp.central import SHARED_KEY, CentralSystem
from surplus.devices.registry import BuildContext
from surplus.devices.sim.ocpp_cp import Behaviour, SimulatedChargePoint
from tests.devices.building import NOW, build
from tests.devices.ocpp.rig import build_with

CHARGER = "chargers:\n  - name: wallbox\n    type: ocpp\n"


@pytest.mark.parametrize(
    ("keys", "key", "message"),
    [
        ("    stationid: a\n    bogus: 1\n", "chargers[0].bogus", "allowed keys: connector, connecttimeout, idtag"),
        ("    connector: 0\n", "chargers[0].connector", "allowed: ≥ 1"),
        ("    metervalues: Power.Active.Import,Power\n", "chargers[0].metervalues", "unknown measurand 'Power'"),
        ("    user: admin\n", "chargers[0]", "user and password go together"),
        ("    meterinterval: 10 minutes\n", "chargers[0].meterinterval", "not a duration"),
    ],
)
def test_mistakes_name_the_key(keys: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build(CHARGER + keys, "chargers")
    assert caught.value.key == key
    assert message in caught.value.message


def test_a_connector_belongs_to_one_charger_and_a_station_has_one_password() -> None:
    twice = CHARGER + "    stationid: a\n" + CHARGER.removeprefix("chargers:\n") + "    stationid: a\n"
    with pytest.raises(ConfigError, match="station a connector 1 is used by two chargers"):
        build(twice.replace("name: wallbox", "name: one", 1), "chargers")
    passwords = twice.replace("stationid: a\n", "stationid: a\n    connector: 2\n    user: u\n    password: p\n", 1)
    with pytest.raises(ConfigError, match="different user/password"):
        build(passwords.replace("name: wallbox", "name: one", 1), "chargers")


def test_the_port_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURPLUS_OCPP_PORT", "eighty")
    with pytest.raises(ConfigError, match="SURPLUS_OCPP_PORT='eighty' is not a port"):
        build(CHARGER, "chargers")
    monkeypatch.setenv("SURPLUS_OCPP_PORT", "18887")
    context = BuildContext(VirtualClock(NOW))
    build_with(CHARGER, context)
    assert context.shared_resources[SHARED_KEY].port == 18887


async def test_a_busy_port_is_a_clear_error() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        central = CentralSystem(VirtualClock(NOW), host="127.0.0.1", port=taken.getsockname()[1])
        with pytest.raises(DeviceError, match=r"cannot listen for OCPP stations on 127\.0\.0\.1:.*SURPLUS_OCPP_PORT"):
            await central.acquire()


async def test_the_central_system_listens_while_a_charger_uses_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SURPLUS_OCPP_PORT", "0")
    clock = VirtualClock(NOW)
    context = BuildContext(clock)
    # "other" does not wait for its station to connect
    other = "  - {name: other, type: ocpp, stationid: box, connector: 2, connecttimeout: 0s}\n"
    chargers = build_with(CHARGER + "    stationid: box\n    timeout: 2s\n" + other, context)
    central: CentralSystem = context.shared_resources[SHARED_KEY]
    station: SimulatedChargePoint | None = None
    try:
        await chargers["other"].start()
        await chargers["other"].start()  # idempotent: one use, ended by one close
        station = SimulatedChargePoint(f"ws://127.0.0.1:{central.port}", "box", clock, Behaviour(connectors=2))
        await station.start()
        await chargers["wallbox"].start()
        await chargers["other"].close()
        assert station.registration == "Accepted" and await chargers["wallbox"].status()
        await station.stop()
        await chargers["wallbox"].close()
        with pytest.raises(OSError):
            await connect(station.url)
    finally:
        if station is not None:
            await station.stop()
        for charger in chargers.values():
            await charger.close()
        await central.close()
