"""Charging through OCPP: status and enabled from the station's notifications, current and pause as charging
profiles, meter values, transactions and RFID, remote start, several connectors, refused profiles, phases."""

from __future__ import annotations

import asyncio
import json
from decimal import Decimal
from typing import Any

import pytest

from surplus.core.types import ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.errors import DeviceError
from surplus.devices.sim.ocpp_cp import Behaviour, SimulatedCar
from tests.devices.ocpp.rig import mute_station, rig, until_asleep, wallbox

TWO_CONNECTORS = """
chargers:
  - {name: left, type: ocpp, stationid: twin, connector: 1, timeout: 2s}
  - {name: right, type: ocpp, stationid: twin, connector: 2, timeout: 2s}
"""


def period(profile: dict[str, Any]) -> dict[str, Any]:
    """The one period of a profile, its numbers as Python numbers (the library reads JSON decimals exactly)."""
    schedule = profile["charging_schedule"]
    assert len(schedule["charging_schedule_period"]) == 1
    return {k: float(v) if isinstance(v, Decimal) else v for k, v in schedule["charging_schedule_period"][0].items()}


def profiles(station: Any) -> list[dict[str, Any]]:
    return [m.payload for m in station.received if m.action == "SetChargingProfile"]


@pytest.mark.parametrize(
    ("status", "expected", "enabled"),
    [
        ("Available", ChargeStatus.A, False),
        ("Unavailable", ChargeStatus.A, False),
        ("Preparing", ChargeStatus.B, False),
        ("SuspendedEVSE", ChargeStatus.B, False),
        ("SuspendedEV", ChargeStatus.B, True),
        ("Finishing", ChargeStatus.B, False),
        ("Charging", ChargeStatus.C, True),
    ],
)
async def test_status_and_enabled_follow_the_station(status: str, expected: ChargeStatus, enabled: bool) -> None:
    async with rig() as r:
        station = await r.connect()
        await station.announce(1, status)
        assert await r.charger.status() == expected
        assert await r.charger.enabled() is enabled


async def test_faults_and_older_statuses() -> None:
    async with rig() as r:
        station = await r.connect()
        await station.announce(1, "Faulted", "GroundFailure")
        with pytest.raises(DeviceError, match="Faulted \\(GroundFailure\\)"):
            await r.charger.status()
        started = r.clock.now()
        r.clock.advance(10)
        await station.announce(1, "Charging")
        await station.announce(1, "Preparing", at=started)  # sent late: older than what is known
        assert await r.charger.status() == ChargeStatus.C


async def test_current_and_pause_are_default_profiles_the_station_applies() -> None:
    async with rig() as r:
        station = await r.connect()
        await station.plug(1, SimulatedCar(max_current=16))
        await r.charger.max_current_millis(10.37)
        profile = profiles(station)[-1]
        assert profile["connector_id"] == 1
        assert profile["charging_profile_purpose"] == "TxDefaultProfile"
        assert profile["charging_profile_kind"] == "Absolute"
        assert profile["stack_level"] == 8  # the station's ChargeProfileMaxStackLevel
        assert profile["charging_schedule"]["charging_rate_unit"] == "A"
        assert profile["charging_schedule"]["start_schedule"] == "2026-06-01T09:59:00Z"
        assert period(profile) == {"start_period": 0, "limit": 10.3}
        assert station.power(1) == pytest.approx(10.3 * 230 * 3)

        await r.charger.enable(False)
        assert period(profiles(station)[-1])["limit"] == 0
        await station.wait_sent("StatusNotification", lambda m: m["status"] == "SuspendedEVSE")
        assert await r.charger.enabled() is False
        assert station.power(1) == 0
        await r.charger.max_current(12)  # remembered while paused, offered on enable
        assert period(profiles(station)[-1])["limit"] == 0
        station.sent.clear()
        await r.charger.enable(True)
        assert period(profiles(station)[-1])["limit"] == 12
        await station.wait_sent("StatusNotification", lambda m: m["status"] == "Charging")
        assert await r.charger.enabled() is True


async def test_meter_values_become_power_energy_currents_voltages_and_soc() -> None:
    async with rig() as r:
        station = await r.connect()
        assert isinstance(r.charger, p.Meter) and isinstance(r.charger, p.MeterEnergy)
        assert isinstance(r.charger, p.PhaseCurrents) and isinstance(r.charger, p.PhaseVoltages)
        assert await r.charger.current_power() == 0
        await station.plug(1, SimulatedCar(max_current=10, phases=1, soc=40, capacity=4.6))
        await station.tick(3600)
        assert await r.charger.current_power() == pytest.approx(2300)
        assert await r.charger.total_energy() == pytest.approx(2.3)
        assert await r.charger.currents() == (10, 0, 0)
        assert await r.charger.voltages() == (230, 230, 230)
        assert await r.charger.soc() == 90
        await station.tick(3600)
        assert await r.charger.soc() == 100
        assert await r.charger.status() == ChargeStatus.B  # the full car suspends itself
        assert await r.charger.enabled() is True
        await station.plug(1, SimulatedCar(max_current=10, phases=1, soc=40, capacity=46))
        await station.tick(3600)
        await station.unplug(1)
        # the stop zeroes what flowed, without waiting for the next meter values
        assert await r.charger.current_power() == 0
        assert await r.charger.currents() == (0, 0, 0)
        assert await r.charger.total_energy() == pytest.approx(6.9)


async def test_a_station_reports_every_sample_interval_of_its_clock() -> None:
    async with rig() as r:
        station = r.station(report_periodically=True)
        await station.start()
        await r.charger.start()
        await station.plug(1, SimulatedCar(max_current=16))
        await until_asleep(r.clock)
        assert station.sample_interval == 10  # set by the central system
        r.clock.advance(60)  # the first sleep began before the interval was set
        await station.wait_sent(
            "MeterValues", lambda m: m["meter_value"][0]["sampled_value"][0]["context"] != "Trigger"
        )
        assert await r.charger.current_power() == pytest.approx(16 * 230 * 3)
        assert await r.charger.total_energy() == pytest.approx(16 * 230 * 3 / 60 / 1000)


async def test_the_transactions_id_tag_identifies_the_vehicle() -> None:
    async with rig() as r:
        station = await r.connect()
        assert isinstance(r.charger, p.Identifier)
        assert await r.charger.identify() == ""
        await station.plug(1, SimulatedCar(id_tag="04A2B3C4"))
        assert await r.charger.identify() == "04A2B3C4"
        started = [m.payload for m in station.sent if m.action == "StartTransaction"]
        assert station.connectors[1].transaction_id == 1 and started[0]["id_tag"] == "04A2B3C4"
        await station.unplug(1)
        assert await r.charger.identify() == ""
        await station.plug(1)
        assert station.connectors[1].transaction_id == 2  # the central system numbers transactions


async def test_remote_start_when_a_car_waits_for_authorization() -> None:
    async with rig(wallbox("remotestart: true", "idtag: my-card")) as r:
        station = await r.connect(behaviour=Behaviour(wait_for_remote_start=True))
        await station.plug(1)
        request = await station.wait_for("RemoteStartTransaction")
        assert request == {"id_tag": "my-card", "connector_id": 1}
        await station.wait_sent("StatusNotification", lambda m: m["status"] == "Charging")
        assert await r.charger.identify() == "my-card"
        assert await r.charger.status() == ChargeStatus.C


async def test_two_connectors_of_one_station_are_two_chargers() -> None:
    async with rig(TWO_CONNECTORS) as r:
        station = await r.connect("twin", Behaviour(connectors=2))
        left, right = r.chargers["left"], r.chargers["right"]
        await station.plug(2, SimulatedCar(max_current=32))
        assert (await left.status(), await right.status()) == (ChargeStatus.A, ChargeStatus.C)
        await right.max_current(7)
        assert profiles(station)[-1]["connector_id"] == 2
        await station.tick(60)
        assert await right.current_power() == pytest.approx(7 * 230 * 3)
        assert await left.current_power() == 0


async def test_a_refused_default_profile_falls_back_to_the_transaction(caplog: pytest.LogCaptureFixture) -> None:
    async with rig() as r:
        station = await r.connect(behaviour=Behaviour(reject_profiles=True))
        with pytest.raises(DeviceError, match="refused the charging profile \\(Rejected\\) and has no transaction"):
            await r.charger.max_current(8)
        await station.plug(1)
        await r.charger.max_current(8)
        fallback = profiles(station)[-1]
        assert fallback["charging_profile_purpose"] == "TxProfile"
        assert fallback["transaction_id"] == station.connectors[1].transaction_id
        assert period(fallback)["limit"] == 8
        await r.charger.max_current(9)
        assert caplog.text.count("refused the TxDefaultProfile") == 1


async def test_phase_switching_only_when_the_station_announces_it() -> None:
    async with rig() as r:
        await r.connect()
        assert not isinstance(r.charger, p.PhaseSwitcher)
    async with rig() as r:
        station = await r.connect(behaviour=Behaviour(phase_switching=True))
        assert isinstance(r.charger, p.PhaseSwitcher) and isinstance(r.charger, p.ChargerMillis)
        await r.charger.max_current(16)
        assert "number_phases" not in period(profiles(station)[-1])
        await r.charger.phases_1p3p(1)
        assert period(profiles(station)[-1]) == {"start_period": 0, "limit": 16, "number_phases": 1}


async def test_a_station_limited_by_power_gets_watts() -> None:
    async with rig() as r:
        station = await r.connect(behaviour=Behaviour(watts=True))
        await station.plug(1, SimulatedCar(max_current=32))
        await r.charger.max_current(10)
        profile = profiles(station)[-1]
        assert profile["charging_schedule"]["charging_rate_unit"] == "W"
        assert period(profile)["limit"] == 6900
        assert station.power(1) == pytest.approx(6900)
        await r.charger.phases_1p3p(1)
        assert period(profiles(station)[-1]) == {"start_period": 0, "limit": 2300, "number_phases": 1}


async def test_power_is_the_sum_of_the_phases_when_the_total_is_not_sent() -> None:
    async with rig() as r, mute_station(r) as websocket:
        phases = [
            {"value": "2.3", "unit": "kW", "measurand": "Power.Active.Import", "phase": f"L{n}"} for n in (1, 2, 3)
        ]
        payload = {"connectorId": 1, "meterValue": [{"timestamp": "2026-06-01T10:00:00Z", "sampledValue": phases}]}
        await websocket.send(json.dumps([2, "m1", "MeterValues", payload]))
        assert json.loads(await asyncio.wait_for(websocket.recv(), 2)) == [3, "m1", {}]
        assert await r.charger.current_power() == pytest.approx(6900)
