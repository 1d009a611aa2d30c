"""``source: sleep``: a setter that only waits ``duration`` (on the device clock), for pauses in a ``sequence``."""

from __future__ import annotations

from datetime import timedelta

from surplus.clock import Clock
from surplus.config.schema import Duration
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, plugins


class SleepParams(PluginParams):
    duration: Duration


class Sleep:
    def __init__(self, clock: Clock, duration: timedelta) -> None:
        self._clock = clock
        self._duration = duration

    async def write(self, param: str, value: Value) -> None:
        await self._clock.sleep(self._duration.total_seconds())


@plugins.register("sleep", SleepParams, "waits a while (between the writes of a sequence)")
def build(params: SleepParams, context: PluginContext) -> Sleep:
    return Sleep(context.device.clock, params.duration)
