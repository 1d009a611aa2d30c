"""``surplus replay FILE``: the real application on a virtual clock, devices scripted by a timeline (replay.md).

Nothing listens on a port; the timeline's HTTP calls go straight into the application. One JSON line per
timeline entry, byte-identical on every run of the same file.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sys
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, TextIO

import httpx

from surplus.app import Runtime, assemble, build_devices
from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.core.rates import Rate
from surplus.core.site import Tariffs
from surplus.core.types import ChargeStatus
from surplus.devices.registry import BuildContext
from surplus.devices.sim.scripted import Script, shared_script
from surplus.logs import configure
from surplus.replay_file import Entry, ReplayFile, Slot, load_replay, offset, to_config
from surplus.store.database import Database

FILE_ERROR = 2


def rates(replay: ReplayFile, slots: Sequence[Slot]) -> tuple[Rate, ...]:
    return tuple(Rate(offset(replay, s.start), offset(replay, s.end), s.value) for s in slots)


def tariffs(replay: ReplayFile) -> Tariffs:
    given = replay.tariffs
    return Tariffs(
        grid=rates(replay, given.grid),
        feedin=rates(replay, given.feedin),
        co2=rates(replay, given.co2),
        planner=rates(replay, given.planner or given.grid),
    )


def apply(entry: Entry, script: Script) -> None:
    """An entry's readings replace the scripted ones; what it leaves out stays as it was."""
    for usage in ("grid", "pv", "battery"):
        value = getattr(entry, usage)
        if value is not None and usage in script.meters:
            script.meters[usage].power = value
    if entry.battery_soc is not None and "battery" in script.meters:
        script.meters["battery"].soc = entry.battery_soc
    for index, reading in enumerate(entry.loadpoints):
        charger = script.chargers[f"charger{index + 1}"]
        if reading.status is not None:
            charger.status = ChargeStatus(reading.status)
        if reading.charge_power is not None:
            charger.power = reading.charge_power
        if reading.currents is not None:
            charger.currents = (reading.currents[0], reading.currents[1], reading.currents[2])
        if reading.charged_energy is not None:
            charger.charged_energy = reading.charged_energy
        vehicle = script.vehicles.get(f"vehicle{index + 1}")
        if reading.vehicle_soc is not None and vehicle is not None:
            vehicle.soc = reading.vehicle_soc


def decoded(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text


class Replaying:
    """A replay in progress: the application assembled on a virtual clock, stepped one entry at a time.

    ``surplus replay`` steps through a file; a test may build each entry from the previous output, so a
    simulated vehicle can follow what its charger was told.
    """

    def __init__(self, replay: ReplayFile, runtime: Runtime, clock: VirtualClock, script: Script) -> None:
        self.file = replay
        self.runtime = runtime
        self.clock = clock
        self.script = script
        self._client = httpx.AsyncClient(transport=httpx.ASGITransport(app=runtime.api), base_url="http://replay")

    async def close(self) -> None:
        await self._client.aclose()

    async def step(self, entry: Entry) -> dict[str, Any]:
        """One timeline entry: readings, API calls, one control cycle; returns the output line."""
        self.clock.set(offset(self.file, entry.at))
        apply(entry, self.script)
        responses = []
        for call in entry.api:
            response = await self._client.request(call.method, call.path, json=call.body)
            responses.append(
                {"method": call.method, "path": call.path, "status": response.status_code, "body": decoded(response)}
            )
        await self.runtime.controller.cycle()
        await self.runtime.statistics.settled()
        chargers = [self.script.chargers[f"charger{i + 1}"] for i in range(len(self.file.loadpoints))]
        line = {
            "at": entry.at,
            "responses": responses,
            "charger": [charger.commands for charger in chargers],
            "state": self.runtime.state.document(),
        }
        for charger in chargers:
            charger.commands = []
        return line


@asynccontextmanager
async def replaying(replay: ReplayFile) -> AsyncIterator[Replaying]:
    loaded = to_config(replay)
    clock = VirtualClock(replay.start)
    context = BuildContext(clock)
    database = await Database.open(Path(":memory:"))
    try:
        devices = build_devices(loaded, context)
        given_tariffs = tariffs(replay)
        runtime = await assemble(loaded, clock, database, devices, tariffs=lambda: given_tariffs)
        for loadpoint, spec in zip(runtime.controller.site.loadpoints, replay.loadpoints, strict=True):
            loadpoint.settings.limit_soc = spec.limit_soc
            loadpoint.settings.limit_energy = spec.limit_energy
            loadpoint.settings.min_soc = spec.min_soc
        runtime.state.publish("apiReady", True)
        run = Replaying(replay, runtime, clock, shared_script(context))
        try:
            yield run
        finally:
            await run.close()
    finally:
        await database.close()


async def replay(replay: ReplayFile, out: TextIO) -> None:
    async with replaying(replay) as run:
        for entry in replay.timeline:
            out.write(json.dumps(await run.step(entry), ensure_ascii=False) + "\n")


def main(path: str, out: TextIO | None = None) -> int:
    """Run a replay file; a file error ends before the first line with exit status 2."""
    try:
        replay_file, _ = load_replay(Path(path))
    except ConfigError as error:
        print(f"surplus replay: {error}".replace("config error", "replay file error", 1), file=sys.stderr)
        return FILE_ERROR
    configure(VirtualClock(replay_file.start), logging.WARNING)
    asyncio.run(replay(replay_file, out or sys.stdout))
    return 0
