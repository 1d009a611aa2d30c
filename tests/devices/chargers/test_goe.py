"""``type: go-e`` against a simulated go-e charger over real HTTP: API v2 and v1, detected or configured."""

from __future__ import annotations

from typing import Any

import pytest

from surplus.clock import VirtualClock
from surplus.core.types import ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.errors import DeviceError, NotAvailable
from surplus.devices.sim.goe_fake import GoEFake
from tests.devices.building import NOW, build
from tests.devices.chargers.config_errors import config_error

V2_STATUS = "/api/status?filter=alw%2Ccar%2Camp%2Ceto%2Cnrg%2Cwh%2Ctrx%2Ccards%2Cpsm"


def goe(fake: GoEFake, extra: str = "", clock: VirtualClock | None = None) -> Any:
    return build(f"chargers:\n  - name: wallbox\n    type: go-e\n    uri: {fake.url}\n{extra}", "chargers", clock=clock)


async def test_api_v2_reads_status_meter_values_and_the_card() -> None:
    with GoEFake(api_version=2) as fake:
        fake.plugged, fake.amp, fake.energy_wh, fake.session_wh = True, 10, 12345.0, 2500.0
        fake.cards, fake.trx = ["alice", "bob"], 2
        charger = goe(fake)
        try:
            for capability in (p.Meter, p.MeterEnergy, p.PhaseCurrents, p.PhaseVoltages, p.ChargeRater):
                assert isinstance(charger, capability)
            for capability in (p.Identifier, p.PhaseSwitcher, p.PhaseGetter):
                assert isinstance(charger, capability)
            assert await charger.status() == ChargeStatus.C
            assert await charger.enabled() is True
            assert await charger.current_power() == 3 * 10 * 230
            assert await charger.currents() == (10.0, 10.0, 10.0)
            assert await charger.voltages() == (230.0, 230.0, 230.0)
            assert await charger.total_energy() == pytest.approx(12.345)
            assert await charger.charged_energy() == pytest.approx(2.5)
            assert await charger.identify() == "bob"
            assert await charger.get_max_current() == 10
            assert await charger.get_phases() == 3
            assert fake.requests[0].startswith("/api/status?filter=")
        finally:
            await charger.close()


@pytest.mark.parametrize(
    ("plugged", "frc", "override", "expected"),
    [
        (False, 0, None, ChargeStatus.A),
        (True, 0, None, ChargeStatus.C),
        (True, 1, None, ChargeStatus.B),
        (True, 0, 3, ChargeStatus.B),
    ],
)
async def test_car_states_map_to_charge_status(plugged: bool, frc: int, override: int | None, expected: str) -> None:
    with GoEFake() as fake:
        fake.plugged, fake.frc, fake.car_override = plugged, frc, override
        charger = goe(fake)
        assert await charger.status() == expected
        await charger.close()


@pytest.mark.parametrize("car", [5, 0])
async def test_an_error_car_state_is_a_device_error(car: int) -> None:
    with GoEFake() as fake:
        fake.car_override = car
        charger = goe(fake)
        with pytest.raises(DeviceError, match=rf"go-e at 127\.0\.0\.1:\d+ reports an error \(car state {car}\)"):
            await charger.status()
        await charger.close()


async def test_api_v2_commands_change_the_charger() -> None:
    with GoEFake() as fake:
        fake.plugged = True
        charger = goe(fake)
        await charger.enable(False)
        assert fake.frc == 1 and not fake.allowed
        assert await charger.enabled() is False and await charger.status() == ChargeStatus.B
        await charger.enable(True)
        assert fake.frc == 2
        await charger.max_current(8)
        assert fake.amp == 8 and await charger.current_power() == 3 * 8 * 230
        await charger.phases_1p3p(1)
        assert fake.psm == 1 and await charger.get_phases() == 1
        assert await charger.currents() == (8.0, 0.0, 0.0)
        await charger.phases_1p3p(3)
        assert fake.psm == 2
        assert "/api/set?frc=1" in fake.requests and "/api/set?amp=8" in fake.requests
        await charger.close()


async def test_a_refused_value_is_a_device_error() -> None:
    with GoEFake() as fake:
        charger = goe(fake)
        with pytest.raises(DeviceError, match="refused amp=40: value 40 out of range"):
            await charger.max_current(40)
        assert fake.amp == 16
        await charger.close()


async def test_api_v1_is_detected_and_its_units_converted() -> None:
    with GoEFake(api_version=1) as fake:
        fake.plugged, fake.amp, fake.energy_wh, fake.session_wh = True, 16, 1_234_500.0, 5000.0
        fake.cards, fake.trx = ["alice", "bob", "carol"], 3
        charger = goe(fake)
        assert await charger.status() == ChargeStatus.C
        assert fake.requests[:2] == [V2_STATUS, "/status"]
        assert await charger.current_power() == 11040
        assert await charger.currents() == (16.0, 16.0, 16.0)
        assert await charger.total_energy() == pytest.approx(1234.5)
        assert await charger.charged_energy() == pytest.approx(5.0)
        assert await charger.identify() == "carol"
        with pytest.raises(NotAvailable):
            await charger.get_phases()
        await charger.close()


async def test_api_v1_commands_and_a_refused_value() -> None:
    with GoEFake(api_version=1) as fake:
        fake.plugged = True
        charger = goe(fake, "    apiversion: 1\n")
        assert not isinstance(charger, p.PhaseSwitcher)
        await charger.enable(False)
        assert not fake.allowed and await charger.status() == ChargeStatus.B
        await charger.max_current(7)
        assert fake.amp == 7
        assert fake.requests == ["/mqtt?payload=alw%3D0", "/status", "/mqtt?payload=amx%3D7"]
        with pytest.raises(DeviceError, match=r"did not take amx=33 \(it shows amp=7\)"):
            await charger.max_current(33)
        await charger.close()


async def test_phase_switching_on_a_detected_v1_charger_is_not_available() -> None:
    with GoEFake(api_version=1) as fake:
        charger = goe(fake)
        with pytest.raises(NotAvailable, match="needs API v2"):
            await charger.phases_1p3p(1)
        await charger.close()


async def test_one_request_per_second_and_a_fresh_one_after_a_command() -> None:
    clock = VirtualClock(NOW)
    with GoEFake() as fake:
        charger = goe(fake, clock=clock)
        await charger.status()
        await charger.enabled()
        await charger.current_power()
        assert len(fake.requests) == 1
        fake.plugged = True
        clock.advance(0.9)
        assert await charger.status() == ChargeStatus.A
        clock.advance(0.1)
        assert await charger.status() == ChargeStatus.C
        assert len(fake.requests) == 2
        await charger.enable(False)
        assert await charger.enabled() is False
        assert len(fake.requests) == 4
        await charger.close()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("failure", r"go-e at 127\.0\.0\.1:\d+ answered /api/status with HTTP 500 Internal Server Error"),
        ("garbage", r"answered /api/status with something that is not JSON: '<html>not json</html>'"),
        ("hanging", r"go-e at 127\.0\.0\.1:\d+: no answer within 0\.2s"),
        ("dropping", r"go-e at 127\.0\.0\.1:\d+: the request failed: Server disconnected without sending a response"),
        ("shape", r"go-e at 127\.0\.0\.1:\d+ answered unexpectedly: alw: Field required"),
    ],
)
async def test_faults_are_device_errors_that_say_what_happened(fault: str, message: str) -> None:
    with GoEFake() as fake:
        charger = goe(fake, "    timeout: 200ms\n    apiversion: 2\n")
        if fault == "failure":
            fake.failure = 500
        elif fault == "shape":
            fake.handle = lambda path, query: {"car": 1}  # type: ignore[method-assign]
        else:
            setattr(fake, fault, True)
        with pytest.raises(DeviceError, match=message):
            await charger.status()
        fake.hanging = False
        await charger.close()


async def test_a_charger_that_goes_away_is_asked_again_after_a_pause_and_recovers() -> None:
    clock = VirtualClock(NOW)
    with GoEFake() as fake:
        charger = goe(fake, clock=clock)
        assert await charger.status() == ChargeStatus.A
        fake.stop()
        clock.advance(1)
        with pytest.raises(DeviceError, match="cannot connect"):
            await charger.status()
        fake.start()
        fake.plugged = True
        with pytest.raises(DeviceError, match="cannot connect"):  # still pausing: not asked again yet
            await charger.enabled()
        assert fake.requests == [V2_STATUS]
        clock.advance(1)
        assert await charger.status() == ChargeStatus.C
        await charger.close()


async def test_the_cloud_token_goes_in_a_header_and_never_into_a_message() -> None:
    with GoEFake() as fake:
        charger = goe(fake, "    token: s3cr3t-t0ken\n")
        fake.failure = 403
        with pytest.raises(DeviceError) as raised:
            await charger.status()
        assert "s3cr3t" not in str(raised.value) and "check the user and password or token" in str(raised.value)
        assert fake.headers[0]["authorization"] == "Bearer s3cr3t-t0ken"
        assert all("s3cr3t" not in request for request in fake.requests)
        await charger.close()


@pytest.mark.parametrize(
    ("yaml", "key", "message"),
    [
        ("    type: go-e\n", "chargers[0]", "give either uri"),
        ("    type: go-e\n    uri: http://a\n    host: b\n", "chargers[0].uri", "give either uri"),
        ("    type: go-e\n    uri: ftp://a\n", "chargers[0].uri", "is not an http:// or https:// URL"),
        ("    type: go-e\n    host: a\n    apiversion: 3\n", "chargers[0].apiversion", "allowed values: 1, 2"),
        ("    type: go-e\n    host: a\n    token: x\n    apiversion: 1\n", "chargers[0].apiversion", "API v2"),
        ("    type: go-e\n    host: a\n    serial: 1\n", "chargers[0].serial", "allowed keys: apiversion, cache, host"),
    ],
)
def test_config_mistakes_name_the_key(yaml: str, key: str, message: str) -> None:
    error = config_error("chargers:\n  - name: wallbox\n" + yaml)
    assert error.key == key and message in str(error)
