"""``source: mqtt``: the last value published on a topic, or a publish that writes one.

    power:
      source: mqtt
      broker: 192.168.1.10:1883    # or tls://…:8883; without it, the global `mqtt:` section's broker
      topic: home/grid/power
      jq: .total                  # the value pipeline (regex, jq, unpack, decode) and scale
      timeout: 1m                 # a value older than this is stale; 0 keeps the first one forever
    maxcurrent:
      source: mqtt
      topic: wallbox/set
      payload: '{"amps": ${maxcurrent}}'
      retained: true

Sources on the same broker share one connection, and sources on the same topic its last message. A source
subscribes on its first read, which waits briefly for a retained message; until a value has arrived it asks to
be retried. The age of a value is measured on the device clock.
"""

from __future__ import annotations

from datetime import timedelta

import aiomqtt
from pydantic import field_validator

from surplus.clock import Clock
from surplus.config.schema import Duration, MqttBroker
from surplus.devices.errors import DeviceError, MustRetry
from surplus.devices.mqtt import GLOBAL_SETTINGS
from surplus.devices.mqtt.broker import Broker
from surplus.devices.mqtt.connection import Connection, Subscription
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, plugins, to_str
from surplus.devices.plugins.pipeline import Pipeline, PipelineParams, pipeline, scaled
from surplus.devices.plugins.placeholders import render
from surplus.devices.registry import NestedParamsError

#: how long a first read waits for a retained message (a broker on the LAN answers within milliseconds)
FIRST_VALUE_WAIT = 0.1


class MqttParams(PluginParams, PipelineParams, MqttBroker):
    topic: str
    payload: str | None = None
    retained: bool = False
    timeout: Duration = timedelta(0)
    scale: float = 1.0

    @field_validator("topic")
    @classmethod
    def _valid_topic(cls, topic: str) -> str:
        try:
            aiomqtt.Wildcard(topic)
        except ValueError:
            raise ValueError(
                f"'{topic}' is not an MQTT topic; levels are separated by /, + stands for one whole level "
                "and # for the rest (only at the end)"
            ) from None
        return topic


class Mqtt:
    def __init__(self, connection: Connection, params: MqttParams, values: Pipeline, clock: Clock) -> None:
        self._connection = connection
        self._topic = params.topic
        self._payload = params.payload
        self._retained = params.retained
        self._max_age = params.timeout
        self._scale = params.scale
        self._pipeline = values
        self._clock = clock
        self._subscription: Subscription | None = None

    async def read(self) -> Value:
        subscription = self._subscription or self._subscribe()
        await self._connection.ready()
        if subscription.last is None:
            await subscription.first(FIRST_VALUE_WAIT)
        if subscription.last is None:
            raise MustRetry(f"no value yet on topic '{self._topic}'")
        payload, received = subscription.last
        age = self._clock.now() - received
        if self._max_age and age > self._max_age:
            raise DeviceError(
                f"stale: the last value on topic '{self._topic}' is {age.total_seconds():g}s old "
                f"(timeout {self._max_age.total_seconds():g}s)"
            )
        try:
            value = self._pipeline.process(payload)
        except DeviceError as error:
            raise DeviceError(f"topic '{self._topic}': {error}") from None
        return scaled(value, self._scale)

    async def write(self, param: str, value: Value) -> None:
        payload = render(self._payload, {param: value}) if self._payload is not None else to_str(value)
        await self._connection.publish(self._topic, payload, self._retained)

    def _subscribe(self) -> Subscription:
        self._subscription = self._connection.subscribe(self._topic)
        return self._subscription


def broker_settings(params: MqttBroker, context: PluginContext) -> MqttBroker:
    """The source's own broker, else the global ``mqtt:`` section's."""
    if params.broker:
        return params
    configured: MqttBroker | None = context.device.shared_resources.get(GLOBAL_SETTINGS)
    if configured is None or not configured.broker:
        raise NestedParamsError(
            (*context.loc, "broker"), "no broker: set broker here (host:port) or in the global mqtt: section"
        )
    return configured


@plugins.register("mqtt", MqttParams, "the last value published on an MQTT topic, or a publish that writes one")
def build(params: MqttParams, context: PluginContext) -> Mqtt:
    broker = Broker.of(broker_settings(params, context))
    clock = context.device.clock
    connection = context.device.shared(broker.key, lambda: Connection(broker, clock))
    return Mqtt(connection, params, pipeline(params), clock)
