"""``type: shelly`` chargers against simulated Shelly plugs, gen1 and gen2, over real HTTP."""

from __future__ import annotations

from typing import Any, Literal

import pytest

from surplus.clock import VirtualClock
from surplus.core.types import ChargeStatus, Feature
from surplus.devices import protocols as p
from surplus.devices.errors import DeviceError
from surplus.devices.sim.shelly_fake import ShellyFake
from tests.devices.building import NOW, build
from tests.devices.chargers.config_errors import config_error

Generation = Literal[1, 2]
GENERATIONS: tuple[Generation, ...] = (1, 2)


def socket(fake: ShellyFake, extra: str = "", clock: VirtualClock | None = None) -> Any:
    yaml = f"chargers:\n  - name: heater\n    type: shelly\n    uri: {fake.url.removeprefix('http://')}\n{extra}"
    return build(yaml, "chargers", clock=clock)


@pytest.mark.parametrize("generation", GENERATIONS)
async def test_the_relay_switches_and_the_power_tells_the_status(generation: Generation) -> None:
    with ShellyFake(generation) as fake:
        fake.powers, fake.energies_wh = [2000.0], [1500.0]
        charger = socket(fake)
        try:
            assert isinstance(charger, p.Charger) and isinstance(charger, p.Meter)
            assert isinstance(charger, p.MeterEnergy) and isinstance(charger, p.FeatureDescriber)
            assert {Feature.SWITCH_DEVICE, Feature.INTEGRATED_DEVICE} <= charger.features()
            assert await charger.enabled() is False
            assert await charger.status() == ChargeStatus.B and await charger.current_power() == 0
            await charger.enable(True)
            assert fake.on is True
            assert await charger.enabled() is True
            assert await charger.status() == ChargeStatus.C and await charger.current_power() == 2000
            assert await charger.total_energy() == pytest.approx(1.5)
            await charger.enable(False)
            assert fake.on is False and await charger.status() == ChargeStatus.B
            await charger.max_current(16)  # a relay has no current to set
        finally:
            await charger.close()
        expected = {1: ["/shelly", "/status", "/relay/0?turn=on"], 2: ["/shelly", "/rpc/Switch.GetStatus?id=0"]}
        assert fake.requests[: len(expected[generation])] == expected[generation]


@pytest.mark.parametrize(("standby", "draws", "expected"), [("", 10.0, "B"), ("", 16.0, "C"), ("-1", 0.0, "C")])
async def test_standby_power_decides_whether_it_charges(standby: str, draws: float, expected: str) -> None:
    with ShellyFake(2) as fake:
        fake.on, fake.powers = True, [draws]
        charger = socket(fake, f"    standbypower: {standby}\n" if standby else "")
        assert await charger.status() == expected
        await charger.close()


@pytest.mark.parametrize(("generation", "scheme"), [(1, "Basic"), (2, "Digest")])
async def test_credentials_by_generation_and_a_wrong_password(generation: Generation, scheme: str) -> None:
    with ShellyFake(generation, password="right-one") as fake:
        charger = socket(fake, "    user: admin\n    password: right-one\n")
        await charger.enable(True)
        assert fake.on is True
        assert fake.headers[-1]["authorization"].startswith(scheme)
        await charger.close()
        wrong = socket(fake, "    user: admin\n    password: wrong-one\n")
        with pytest.raises(DeviceError, match="HTTP 401 Unauthorized; check the user and password") as raised:
            await wrong.enabled()
        assert "wrong-one" not in str(raised.value)
        await wrong.close()


@pytest.mark.parametrize(
    ("fault", "message"),
    [
        ("failure", r"Shelly at 127\.0\.0\.1:\d+ answered /rpc/Switch.GetStatus with HTTP 503 Service Unavailable"),
        ("garbage", r"answered /shelly with something that is not JSON"),
        ("hanging", r"Shelly at 127\.0\.0\.1:\d+: no answer within 0\.2s"),
        ("channel", r"answered /rpc/Switch.GetStatus with HTTP 400 Bad Request: .*value 1 not found"),
    ],
)
async def test_faults_are_device_errors_that_say_what_happened(fault: str, message: str) -> None:
    with ShellyFake(2) as fake:
        charger = socket(
            fake, "    timeout: 200ms\n    cache: 0s\n" + ("    channel: 1\n" if fault == "channel" else "")
        )
        if fault == "failure":
            await charger.enabled()
            fake.failure = 503
        elif fault != "channel":
            setattr(fake, fault, True)
        with pytest.raises(DeviceError, match=message):
            await charger.enabled()
        fake.hanging = False
        await charger.close()


async def test_a_socket_that_goes_away_is_asked_again_after_a_pause_and_recovers() -> None:
    clock = VirtualClock(NOW)
    with ShellyFake(1) as fake:
        charger = socket(fake, clock=clock)
        assert await charger.enabled() is False
        fake.stop()
        clock.advance(1)
        with pytest.raises(DeviceError, match="cannot connect"):
            await charger.enabled()
        fake.start()
        fake.on = True
        clock.advance(0.5)
        with pytest.raises(DeviceError, match="cannot connect"):
            await charger.enabled()
        clock.advance(0.5)
        assert await charger.enabled() is True
        assert fake.requests == ["/shelly", "/status", "/status"]
        await charger.close()


@pytest.mark.parametrize(
    ("yaml", "key", "message"),
    [
        ("", "chargers[0].uri", "this key is required"),
        ("    uri: 192.0.2.2\n    channel: -1\n", "chargers[0].channel", "out of range; allowed: ≥ 0"),
        ("    uri: 192.0.2.2\n    features: [flying]\n", "chargers[0].features[0]", "Input should be 'average'"),
        ("    uri: ftp://192.0.2.2\n", "chargers[0].uri", "not an http:// or https:// URL"),
    ],
)
def test_config_mistakes_name_the_key(yaml: str, key: str, message: str) -> None:
    error = config_error("chargers:\n  - name: heater\n    type: shelly\n" + yaml)
    assert error.key == key and message in str(error)
