"""The shared broker connection: logins, TLS, a broker that is away or goes away and comes back."""

from __future__ import annotations

import ssl
from pathlib import Path

import aiomqtt
import pytest

from surplus.devices.errors import DeviceError
from surplus.devices.mqtt.connection import MAX_RETRY
from tests.devices.mqtt.conftest import Home, open_home
from tests.devices.mqtt.waiting import eventually, failure
from tests.fakes.mosquitto import Mosquitto, running_mosquitto

PASSWORD = "s3cret-Pa55"


def meter(broker: str, extra: str = "") -> str:
    return f"""
meters:
  - name: grid
    type: custom
    power: {{source: mqtt, broker: "{broker}", topic: home/grid/power{extra}}}
"""


async def test_a_login_from_the_password_file_reads_and_a_wrong_password_is_refused_without_showing_it(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with running_mosquitto(tmp_path, users={"evcc": PASSWORD}) as broker:
        async with aiomqtt.Client("127.0.0.1", broker.port, username="evcc", password=PASSWORD) as peer:
            await peer.publish("home/grid/power", "42", qos=1, retain=True)
        async with open_home() as home:
            good = home.build(meter(broker.address, f", user: evcc, password: {PASSWORD}"))
            bad = home.build(meter(broker.address, ", user: evcc, password: wrong-guess"))
            anonymous = home.build(meter(broker.address))
            assert await good.current_power() == 42.0
            with pytest.raises(DeviceError) as refused:
                await bad.current_power()
            with pytest.raises(DeviceError) as anonymously:
                await anonymous.current_power()
    assert str(refused.value) == (
        f"mqtt broker {broker.address}: the broker refused the login of user 'evcc': "
        "wrong user or password, or not authorised"
    )
    assert "refused the login" in str(anonymously.value)
    assert "wrong-guess" not in caplog.text and PASSWORD not in caplog.text
    assert "refused the login of user 'evcc'" in caplog.text


async def publish(broker: Mosquitto, value: str) -> None:
    async with aiomqtt.Client("127.0.0.1", broker.port) as device:
        await device.publish("home/grid/power", value, qos=1, retain=True)


async def test_reads_fail_while_the_broker_is_away_and_recover_by_themselves(home: Home, broker: Mosquitto) -> None:
    await publish(broker, "100")
    grid = home.build(meter(broker.address))
    assert await grid.current_power() == 100.0
    broker.stop()
    error = await failure(grid.current_power)
    assert str(error).startswith(f"mqtt broker {broker.address}: ")
    broker.start()  # on the same port, without the retained value: the new one comes after resubscribing
    await publish(broker, "200")

    async def read_after_backoff() -> float:
        home.clock.advance(MAX_RETRY)  # the connection retries on the device clock
        power: float = await grid.current_power()
        return power

    await eventually(read_after_backoff, 200.0)


async def test_a_broker_that_is_not_there_is_a_clear_error(home: Home, broker: Mosquitto) -> None:
    broker.stop()
    grid = home.build(meter(broker.address))
    with pytest.raises(DeviceError, match=f"mqtt broker {broker.address}: .*[Cc]onnection refused"):
        await grid.current_power()


async def test_tls_trusts_the_given_certificate_or_none_when_insecure(tmp_path: Path) -> None:
    with running_mosquitto(tmp_path, tls=True) as broker:
        trust = ssl.create_default_context(cadata=broker.certificate)
        async with aiomqtt.Client("127.0.0.1", broker.port, tls_context=trust) as peer:
            await peer.publish("home/grid/power", "7", qos=1, retain=True)
        certificate = broker.certificate.replace("\n", "\\n")
        async with open_home() as home:
            trusting = home.build(meter(broker.address, f', cacert: "{certificate}"'))
            insecure = home.build(meter(broker.address, ", insecure: true"))
            unverified = home.build(meter(broker.address))
            assert await trusting.current_power() == 7.0
            assert await insecure.current_power() == 7.0
            with pytest.raises(DeviceError, match=f"mqtt broker {broker.address}: .*certificate verify failed"):
                await unverified.current_power()
