"""The control loop: read every device, run the core, publish, sleep until the next tick."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from surplus.clock import Clock
from surplus.core.readings import MeterReading, SiteReadings
from surplus.core.site import Site, SiteSettings
from surplus.logs import get_logger
from surplus.runtime.reading import ChargerHandle, MeterHandle
from surplus.state import State

log = get_logger("site")

#: a device read may take at most this long, and never more than half the interval
MAX_READ_TIMEOUT = 10.0


@dataclass
class SiteDevices:
    grid: MeterHandle | None = None
    pv: Sequence[MeterHandle] = ()
    battery: Sequence[MeterHandle] = ()
    aux: Sequence[MeterHandle] = ()
    ext: Sequence[MeterHandle] = ()


class Controller:
    def __init__(
        self,
        clock: Clock,
        state: State,
        site: Site,
        settings: SiteSettings,
        devices: SiteDevices,
        chargers: Sequence[ChargerHandle],
        interval: timedelta,
    ) -> None:
        self._clock = clock
        self._state = state
        self._site = site
        self._settings = settings
        self._devices = devices
        self._chargers = list(chargers)
        self.interval = interval
        self.last_cycle: datetime | None = None
        self._read_timeout = min(MAX_READ_TIMEOUT, interval.total_seconds() / 2)

    async def read(self) -> SiteReadings:
        timeout = self._read_timeout
        devices = self._devices

        async def meters(handles: Sequence[MeterHandle]) -> tuple[MeterReading, ...]:
            return tuple(await asyncio.gather(*(h.read(timeout) for h in handles)))

        async def grid() -> MeterReading | None:
            return await devices.grid.read(timeout) if devices.grid else None

        grid_reading, pv, battery, aux, ext, loadpoints = await asyncio.gather(
            grid(),
            meters(devices.pv),
            meters(devices.battery),
            meters(devices.aux),
            meters(devices.ext),
            asyncio.gather(*(c.read(timeout) for c in self._chargers)),
        )
        return SiteReadings(
            grid=grid_reading,
            pv=pv,
            battery=battery,
            aux=aux,
            ext=ext,
            loadpoints=tuple(loadpoints),
        )

    async def cycle(self) -> None:
        readings = await self.read()
        now = self._clock.now()
        result = self._site.cycle(readings, self._settings, now)
        for warning in result.warnings:
            log.warning(warning)
        for index, values in enumerate(result.loadpoints):
            self._state.publish_all(values, index)
        if result.skipped:
            log.error("%s; control skipped this cycle", result.skipped)
            return
        self._state.publish_all(result.published)
        self.last_cycle = now

    async def run(self) -> None:
        """Cycle every interval until cancelled; a failing cycle is logged and the loop goes on."""
        while True:
            started = self._clock.now()
            try:
                await self.cycle()
            except Exception:
                log.exception("control cycle failed")
            elapsed = (self._clock.now() - started).total_seconds()
            await self._clock.sleep(max(0.0, self.interval.total_seconds() - elapsed))
