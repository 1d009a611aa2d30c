"""``source: mqtt`` against a real mosquitto: retained and later values, the value pipeline, stale values on the
virtual clock, writes through payload templates, and configuration mistakes that name the key."""

from __future__ import annotations

import aiomqtt
import pytest

from surplus.config.errors import ConfigError
from surplus.devices import protocols as p
from surplus.devices.errors import DeviceError, MustRetry
from tests.devices.building import build
from tests.devices.mqtt.conftest import Home, custom_charger
from tests.devices.mqtt.waiting import eventually, failure
from tests.fakes.mosquitto import Mosquitto


def grid_meter(broker: Mosquitto, power: str) -> str:
    return f"""
meters:
  - name: grid
    type: custom
    power: {{source: mqtt, broker: "{broker.address}", {power}}}
"""


async def test_a_retained_value_is_read_at_once(home: Home, broker: Mosquitto, peer: aiomqtt.Client) -> None:
    await peer.publish("home/grid/power", "1234.5", qos=1, retain=True)
    meter = home.build(grid_meter(broker, "topic: home/grid/power"))
    assert await meter.current_power() == 1234.5


async def test_values_published_later_replace_the_last_one(home: Home, broker: Mosquitto, peer: aiomqtt.Client) -> None:
    meter = home.build(grid_meter(broker, "topic: home/grid/power"))
    with pytest.raises(MustRetry, match="no value yet on topic 'home/grid/power'"):
        await meter.current_power()
    await peer.publish("home/grid/power", "-800")
    await eventually(meter.current_power, -800.0)
    await peer.publish("home/grid/power", "250")
    await eventually(meter.current_power, 250.0)


async def test_sources_on_one_topic_share_its_json_through_jq(
    home: Home, broker: Mosquitto, peer: aiomqtt.Client
) -> None:
    await peer.publish("home/battery", '{"power": {"dc": -1500}, "soc": 57, "energy": 12345}', qos=1, retain=True)
    topic = f'broker: "{broker.address}", topic: home/battery'
    meter = home.build(
        f"""
meters:
  - name: battery
    type: custom
    power: {{source: mqtt, {topic}, jq: .power.dc}}
    soc: {{source: mqtt, {topic}, jq: .soc}}
    energy: {{source: mqtt, {topic}, jq: .energy, scale: 0.001}}
"""
    )
    assert isinstance(meter, p.Battery) and isinstance(meter, p.MeterEnergy)
    assert (await meter.current_power(), await meter.soc(), await meter.total_energy()) == (-1500.0, 57.0, 12.345)
    await peer.publish("home/battery", "not json", qos=1, retain=True)
    error = await failure(meter.soc)
    assert str(error).startswith("topic 'home/battery': jq '.soc' failed on the answer")


async def test_wildcard_topics_take_the_last_message_of_any_matching_topic(
    home: Home, broker: Mosquitto, peer: aiomqtt.Client
) -> None:
    meter = home.build(grid_meter(broker, "topic: home/+/power"))
    with pytest.raises(MustRetry):  # the first read subscribes
        await meter.current_power()
    await peer.publish("home/inverter/power", "3000")
    await eventually(meter.current_power, 3000.0)
    await peer.publish("home/other/energy", "1")
    await peer.publish("home/garage/power", "400")
    await eventually(meter.current_power, 400.0)


async def test_a_value_older_than_the_timeout_is_stale(home: Home, broker: Mosquitto, peer: aiomqtt.Client) -> None:
    await peer.publish("home/grid/power", "100", qos=1, retain=True)
    timed = home.build(grid_meter(broker, "topic: home/grid/power, timeout: 1m"))
    kept = home.build(grid_meter(broker, "topic: home/grid/power"))
    assert await timed.current_power() == 100.0 and await kept.current_power() == 100.0
    home.clock.advance(60)
    assert await timed.current_power() == 100.0
    home.clock.advance(1)
    with pytest.raises(DeviceError, match="stale: the last value on topic 'home/grid/power' is 61s old"):
        await timed.current_power()
    home.clock.advance(7 * 24 * 3600)
    assert await kept.current_power() == 100.0, "without a timeout the last value is kept"
    await peer.publish("home/grid/power", "120")
    await eventually(timed.current_power, 120.0)


async def test_writes_render_the_payload_and_keep_it_retained_when_asked(
    home: Home, broker: Mosquitto, peer: aiomqtt.Client
) -> None:
    await peer.subscribe("wallbox/set/#", qos=1)
    charger = home.build(
        custom_charger(
            broker,
            """
    status: {source: const, value: C}
    enabled: {source: const, value: true}
    enable: {source: mqtt, topic: wallbox/set/enable, payload: "${enable}"}
    maxcurrent: {source: mqtt, topic: wallbox/set/current, payload: '{"amps": ${maxcurrent:%d}}', retained: true}
    maxcurrentmillis: {source: mqtt, topic: wallbox/set/current, payload: '{"amps": ${maxcurrentmillis:%.1f}}'}
    phases1p3p: {source: mqtt, topic: wallbox/set/phases}
""",
        ),
        "chargers",
    )
    await charger.enable(False)
    await charger.max_current(16)
    await charger.max_current_millis(6.5)
    await charger.phases_1p3p(3)
    received = []
    async for message in peer.messages:
        received.append((str(message.topic), message.payload.decode()))
        if len(received) == 4:
            break
    assert received == [
        ("wallbox/set/enable", "false"),
        ("wallbox/set/current", '{"amps": 16}'),
        ("wallbox/set/current", '{"amps": 6.5}'),
        ("wallbox/set/phases", "3"),
    ]
    async with aiomqtt.Client("127.0.0.1", broker.port) as late:
        await late.subscribe("wallbox/set/#", qos=1)
        async for message in late.messages:
            retained = (str(message.topic), message.payload.decode(), message.retain)
            break
    assert retained == ("wallbox/set/current", '{"amps": 16}', True)


async def test_publishing_to_a_wildcard_topic_fails_clearly(home: Home, broker: Mosquitto) -> None:
    charger = home.build(
        f"""
chargers:
  - name: wallbox
    type: custom
    status: {{source: const, value: B}}
    enabled: {{source: const, value: true}}
    enable: {{source: mqtt, broker: "{broker.address}", topic: wallbox/enable}}
    maxcurrent: {{source: mqtt, broker: "{broker.address}", topic: wallbox/+/current}}
""",
        "chargers",
    )
    with pytest.raises(DeviceError, match="cannot publish to 'wallbox/\\+/current'"):
        await charger.max_current(10)


@pytest.mark.parametrize(
    ("power", "key", "message"),
    [
        ("{source: mqtt, topic: home/power}", "meters[0].power.broker", "no broker: set broker here"),
        ("{source: mqtt, broker: 'http://x:1883', topic: a}", "meters[0].power.broker", "not a broker address"),
        ("{source: mqtt, broker: 'x:70000', topic: a}", "meters[0].power.broker", "not a broker address"),
        ("{source: mqtt, broker: x, topic: 'a/#/b'}", "meters[0].power.topic", "not an MQTT topic"),
        ("{source: mqtt, broker: x, topic: a, timeout: soon}", "meters[0].power.timeout", "not a duration"),
        (
            "{source: mqtt, broker: x, topic: a, qos: 2}",
            "meters[0].power.qos",
            "unknown key; allowed keys: allowempty, broker, cacert",
        ),
        ("{source: mqtt, broker: 'tls://x', cacert: nonsense, topic: a}", "meters[0].power", "not a PEM certificate"),
    ],
)
def test_mistakes_name_the_key(power: str, key: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        build(f"meters:\n  - name: grid\n    type: custom\n    power: {power}\n")
    assert (caught.value.key, caught.value.line) == (key, 4)
    assert message in caught.value.message


def test_the_global_section_is_checked_like_the_sources() -> None:
    with pytest.raises(ConfigError) as caught:
        build("mqtt:\n  broker: 'ws://x'\n")
    assert caught.value.key == "mqtt.broker" and "not a broker address" in caught.value.message
