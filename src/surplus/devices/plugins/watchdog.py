"""``source: watchdog``: keeps a written value in force on devices that fall back after a while.

    batterymode:
      source: watchdog
      timeout: 60s          # the inverter reverts to its own mode when not told otherwise for this long
      reset: [1]            # values that need no keeping (normal mode)
      set: {source: modbus, …}

After writing a value that is not in ``reset``, it is written again every ``timeout``/2 (on the device clock)
until another value is written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import timedelta
from typing import Any

from pydantic import Field, field_validator

from surplus.clock import Clock
from surplus.config.schema import Duration
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.base import PluginContext, PluginParams, Value, Writable, plugins, to_str, writable


class WatchdogParams(PluginParams):
    timeout: Duration
    reset: list[Value] = Field(default_factory=list)
    set: dict[str, Any]

    @field_validator("timeout")
    @classmethod
    def _positive(cls, timeout: timedelta) -> timedelta:
        if timeout <= timedelta(0):
            raise ValueError("the timeout must be longer than 0s, e.g. 60s")
        return timeout


class Watchdog:
    def __init__(
        self, target: Writable, timeout: timedelta, reset: list[Value], clock: Clock, log: logging.Logger
    ) -> None:
        self._target = target
        self._interval = timeout.total_seconds() / 2
        self._reset = {to_str(value) for value in reset}
        self._clock = clock
        self._log = log
        self._keeping: asyncio.Task[None] | None = None

    async def write(self, param: str, value: Value) -> None:
        await self._stop_keeping()
        await self._target.write(param, value)
        if to_str(value) not in self._reset:
            self._keeping = asyncio.create_task(self._keep(param, value), name=f"watchdog {param}")

    async def _keep(self, param: str, value: Value) -> None:
        while True:
            await self._clock.sleep(self._interval)
            try:
                await self._target.write(param, value)
            except DeviceError as error:  # the next round tries again; the value must not be given up
                self._log.warning("watchdog: writing %s=%s again failed: %s", param, to_str(value), error)

    async def close(self) -> None:
        """Stop writing (at shutdown, before the setter's connection closes)."""
        await self._stop_keeping()

    async def _stop_keeping(self) -> None:
        if self._keeping is not None:
            self._keeping.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeping
            self._keeping = None


@plugins.register("watchdog", WatchdogParams, "writes a value again and again so the device keeps it")
def build(params: WatchdogParams, context: PluginContext) -> Watchdog:
    target = writable(context.plugin(params.set, "set"), (*context.loc, "set"))
    return Watchdog(target, params.timeout, params.reset, context.device.clock, context.device.log)
