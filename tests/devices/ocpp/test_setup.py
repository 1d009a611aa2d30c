"""A station connects, boots and is set up the way the central system needs it; stations that are unknown,
anonymous or without the right password are treated as evcc treats them."""

from __future__ import annotations

import logging

import pytest
from websockets.exceptions import InvalidStatus

from surplus.devices.errors import NotAvailable
from surplus.devices.ocpp.library import call
from surplus.devices.sim.ocpp_cp import Behaviour, SimulatedChargePoint
from tests.devices.ocpp.rig import rig, until_asleep, wallbox

ALL_MEASURANDS = "Power.Active.Import,Energy.Active.Import.Register,Current.Import,Voltage,Current.Offered,SoC"


def sampled_data_changes(station: SimulatedChargePoint) -> list[str]:
    return [m.payload["value"] for m in station.received if m.action == "ChangeConfiguration"]


async def test_a_booted_station_is_set_up_in_order() -> None:
    async with rig() as r:
        station = await r.connect()
        actions = [m.action for m in station.received]
        assert actions[:2] == ["ChangeAvailability", "GetConfiguration"]
        assert station.received[0].payload == {"connector_id": 0, "type": "Operative"}
        # each measurand is tried alone, then the accepted ones together, then the interval
        assert sampled_data_changes(station) == [*ALL_MEASURANDS.split(","), ALL_MEASURANDS, "10"]
        assert station.received[-1].payload == {"requested_message": "MeterValues", "connector_id": 1}
        assert station.sampled == tuple(ALL_MEASURANDS.split(","))
        assert station.registration == "Accepted"


async def test_refused_measurands_are_left_out() -> None:
    async with rig() as r:
        station = await r.connect(behaviour=Behaviour(refused_measurands=frozenset({"SoC", "Voltage"})))
        assert station.sampled == (
            "Power.Active.Import",
            "Energy.Active.Import.Register",
            "Current.Import",
            "Current.Offered",
        )
        with pytest.raises(NotAvailable, match="SoC"):
            await r.charger.soc()
        with pytest.raises(NotAvailable, match="Voltage"):
            await r.charger.voltages()


async def test_the_users_measurands_and_interval_win() -> None:
    async with rig(
        wallbox("metervalues: Power.Active.Import,Energy.Active.Import.Register", "meterinterval: 30s")
    ) as r:
        station = await r.connect()
        assert sampled_data_changes(station) == ["Power.Active.Import,Energy.Active.Import.Register", "30"]
    async with rig(wallbox("metervalues: [-SoC, -Voltage, -Current.Offered]")) as r:
        station = await r.connect()
        assert sampled_data_changes(station)[-2] == "Power.Active.Import,Energy.Active.Import.Register,Current.Import"


async def test_a_station_that_does_not_send_its_status_is_asked_for_it() -> None:
    async with rig() as r:
        station = await r.connect(behaviour=Behaviour(status_on_boot=False))
        await station.wait_for("TriggerMessage", lambda m: m["requested_message"] == "StatusNotification")
        assert str(await r.charger.status()) == "A"


async def test_a_station_that_connects_without_booting_is_asked_to_boot_after_5s() -> None:
    async with rig() as r:
        station = r.station(behaviour=Behaviour(boot_on_connect=False))
        await station.start()
        await until_asleep(r.clock)
        assert not [m for m in station.received if m.action == "TriggerMessage"]
        r.clock.advance(5)
        await station.wait_for("TriggerMessage", lambda m: m["requested_message"] == "BootNotification")
        await r.charger.start()  # the triggered boot leads to the setup
        assert station.registration == "Accepted"
        assert [m.action for m in station.received].count("GetConfiguration") == 1


async def test_an_unknown_station_stays_pending() -> None:
    async with rig() as r:
        stranger = r.station("stranger")
        await stranger.start()
        assert stranger.registration == "Pending"
        assert stranger.received == []


async def test_a_charger_without_stationid_takes_the_first_unknown_station_only() -> None:
    async with rig("chargers:\n  - name: any\n    type: ocpp\n    timeout: 2s\n") as r:
        first = await r.connect("first-to-come")
        assert first.registration == "Accepted"
        second = r.station("second")
        await second.start()
        assert second.registration == "Pending"
        await first.plug(1)
        assert str(await r.charger.status()) == "C"


async def test_basic_auth_lets_the_right_password_in_and_keeps_it_out_of_the_log(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG)
    async with rig(wallbox("user: wallbox", "password: s3cret-pass")) as r:
        for password in ("wrong", ""):
            intruder = r.station(user="wallbox" if password else "", password=password)
            with pytest.raises(InvalidStatus) as refused:
                await intruder.start()
            assert refused.value.response.status_code == 401
        station = r.station(user="wallbox", password="s3cret-pass")
        await station.start()
        await r.charger.start()
        assert station.registration == "Accepted"
    assert "wrong or missing user/password" in caplog.text
    assert "s3cret-pass" not in caplog.text


async def test_the_stations_other_calls_are_answered() -> None:
    async with rig() as r:
        station = await r.connect()
        assert (await station.send(call.Heartbeat())).current_time == "2026-06-01T10:00:00Z"
        assert (await station.send(call.Authorize("any-card"))).id_tag_info["status"] == "Accepted"
        assert (await station.send(call.DataTransfer("vendor"))).status == "Accepted"
        await station.send(call.FirmwareStatusNotification("Installed"))
        await station.send(call.DiagnosticsStatusNotification("Uploaded"))
        await station.send(call.SecurityEventNotification("StartupOfTheDevice", "2026-06-01T10:00:00Z", None))
        assert [m.action for m in station.sent[-3:]] == [
            "FirmwareStatusNotification",
            "DiagnosticsStatusNotification",
            "SecurityEventNotification",
        ]
