"""The control loop: read every device, run the core, send its commands, publish and persist, sleep."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from copy import deepcopy
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any, cast

from surplus.clock import Clock
from surplus.core.commands import WakeUp
from surplus.core.loadpoint import Loadpoint, LoadpointResult
from surplus.core.readings import ChargerReading, MeterReading, SiteReadings, VehicleReading
from surplus.core.site import Site, SiteResult, Tariffs
from surplus.core.types import Feature
from surplus.devices.protocols import BatteryController
from surplus.logs import get_logger
from surplus.runtime.persistence import loadpoint_to_store, site_to_store, vehicle_to_store
from surplus.runtime.reading import ChargerHandle, MeterHandle, VehicleHandle, attempt
from surplus.runtime.statistics import Statistics
from surplus.state import State, format_time
from surplus.store.sessions import SessionStore
from surplus.store.settings import SettingsStore

log = get_logger("site")

#: a device call may take at most this long, and never more than half the interval
MAX_CALL_TIMEOUT = 10.0


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
        devices: SiteDevices,
        chargers: Sequence[ChargerHandle],
        vehicles: dict[str, VehicleHandle],
        circuit_meters: dict[str, MeterHandle],
        interval: timedelta,
        settings: SettingsStore | None = None,
        sessions: SessionStore | None = None,
        tariffs: Callable[[], Tariffs] = Tariffs,
        call_timeout: float | None = None,
        statistics: Statistics | None = None,
    ) -> None:
        self._clock = clock
        self._state = state
        self.site = site
        self._devices = devices
        self._chargers = list(chargers)
        self._vehicles = vehicles
        self._circuit_meters = circuit_meters
        self.interval = interval
        self._settings = settings
        self._sessions = sessions
        self._tariffs = tariffs
        self.last_cycle: datetime | None = None
        self.lock = asyncio.Lock()
        self._wake = asyncio.Event()
        self._timeout = call_timeout or min(MAX_CALL_TIMEOUT, interval.total_seconds() / 2)
        self._command_errors: dict[str, dict[str, Any]] = {}
        #: writes to the database that failed (a full or read-only disk), shown in ``deviceErrors``
        self._store_errors: dict[str, dict[str, Any]] = {}
        self._statistics = statistics
        self._persisted: object = None
        #: why control is being skipped (a failed grid meter), while it is
        self._skipping: str | None = None

    def tariffs(self) -> Tariffs:
        """The rates the loop plans with right now."""
        return self._tariffs()

    # --- reading ---------------------------------------------------------------------------------------------

    async def read(self, now: datetime) -> SiteReadings:
        """Every device at once (one task each), then the vehicles the loadpoints asked for."""
        timeout = self._timeout
        devices = self._devices
        groups = [[devices.grid] if devices.grid else [], devices.pv, devices.battery, devices.aux, devices.ext]
        groups.append(list(self._circuit_meters.values()))
        readings = iter(
            await asyncio.gather(
                *(meter.read(timeout, now) for group in groups for meter in group),
                *(charger.read(timeout, now) for charger in self._chargers),
            )
        )
        grid, pv, battery, aux, ext, circuits = (
            tuple(cast(MeterReading, next(readings)) for _ in group) for group in groups
        )
        loadpoints = tuple(cast(ChargerReading, reading) for reading in readings)
        vehicles = await self._read_vehicles(now, loadpoints)
        return SiteReadings(
            grid=grid[0] if grid else None,
            pv=pv,
            battery=battery,
            aux=aux,
            ext=ext,
            loadpoints=loadpoints,
            vehicles=vehicles,
            circuits=dict(zip(self._circuit_meters, circuits, strict=True)),
        )

    async def _read_vehicles(self, now: datetime, chargers: Sequence[ChargerReading]) -> dict[str, VehicleReading]:
        """Only what the loadpoints asked for: vehicle APIs are slow, rate-limited and drain 12 V batteries."""
        wanted_soc: set[str] = set()
        wanted_status: set[str] = set()
        for reads in self.site.vehicle_reads(now, [c.status for c in chargers]):
            if reads.soc_of:
                wanted_soc.add(reads.soc_of)
            wanted_status.update(reads.status_of)
        names = [name for name in self._vehicles if name in wanted_soc | wanted_status]
        readings = await asyncio.gather(
            *(self._vehicles[n].read(self._timeout, soc=n in wanted_soc, status=n in wanted_status) for n in names)
        )
        return dict(zip(names, readings, strict=True))

    # --- one cycle ---------------------------------------------------------------------------------------

    async def cycle(self) -> SiteResult:
        now = self._clock.now()
        readings = await self.read(now)
        async with self.lock:
            now = self._clock.now()
            result = self.site.update(readings, now, self.tariffs())
            if result.skipped:
                if result.skipped != self._skipping:  # once, not every cycle of an outage
                    log.error("%s; control is skipped until it answers", result.skipped)
                self._skipping = result.skipped
                self._publish_errors()
                return result
            if self._skipping is not None:
                log.info("control resumed")
                self._skipping = None
            for message in result.messages:
                log.warning(message)
            # published before anything is awaited: a setter running while commands are sent publishes after
            # this, so what it set is not overwritten by what the cycle started with
            self._publish(result)
            await asyncio.gather(*(self._apply(lp, result.loadpoints.get(lp.index)) for lp in self.site.loadpoints))
            await self._apply_battery(result)
            if self._statistics is not None:
                self._statistics.cycle(now, any(_session_ended(lp) for lp in result.loadpoints.values()))
            self._publish_errors()
            await self.persist_settings()
            if self.last_cycle is None:
                self._state.publish("startupCompleted", True)
            self.last_cycle = now
        return result

    async def _apply(self, loadpoint: Loadpoint, result: LoadpointResult | None) -> None:
        if result is None:
            return
        area = get_logger(loadpoint.config.name)
        for message in result.messages:
            area.warning(message)
        for event in result.events:
            area.info("event: %s", event)
        handle = self._chargers[loadpoint.index]
        vehicle = self._vehicles.get(loadpoint.vehicle.name) if loadpoint.vehicle else None
        failure: str | None = None
        for command in result.commands:
            outcome = await handle.send(command, self._timeout, vehicle.device if vehicle else None)
            if outcome.error or (outcome.not_available and not isinstance(command, WakeUp)):
                failure = f"{command.to_json()}: {outcome.error or 'not available'}"
                area.warning("charger %s: %s", handle.name, failure)
                loadpoint.command_failed(command, not_available=outcome.not_available)
                if outcome.asleep and vehicle is not None and not vehicle_info_wakeup_disabled(loadpoint):
                    await handle.send(WakeUp("vehicle"), self._timeout, vehicle.device)
                break
            area.debug("charger %s: %s", handle.name, command.to_json())
        if failure is None:
            self._command_errors.pop(handle.name, None)
        else:
            self._command_errors[handle.name] = {"class": "charger", "device": handle.name, "error": failure}
        if result.session is not None and self._sessions is not None:
            try:
                await self._sessions.save(result.session)
            except Exception as error:  # a full or read-only disk must not stop charging
                self._store_failed("sessions", f"saving the session failed: {error}")
            else:
                self._store_errors.pop("sessions", None)

    def _store_failed(self, what: str, message: str) -> None:
        if self._store_errors.get(what, {}).get("error") != message:
            log.error(message)  # once per distinct failure, not every cycle
        self._store_errors[what] = {"class": "database", "device": what, "error": message}

    async def _apply_battery(self, result: SiteResult) -> None:
        if not result.battery_commands:
            return
        devices = {h.name: h.device for h in self._devices.battery}
        succeeded = True
        for name, mode in result.battery_commands:
            device = devices.get(name)
            if not isinstance(device, BatteryController):
                continue
            outcome = await attempt(partial(device.set_battery_mode, mode), self._timeout)
            if outcome.error:
                succeeded = False
                log.warning("battery %s: setting mode %s failed: %s", name, mode, outcome.error)
        self.site.battery_commands_done(result.battery_mode, succeeded)

    # --- publishing and persisting ---------------------------------------------------------------------------

    def _publish(self, result: SiteResult) -> None:
        self._state.publish_all(result.published)
        for index, lp_result in result.loadpoints.items():
            self._state.publish_all(lp_result.published, index)

    def _publish_errors(self) -> None:
        """``deviceErrors``: every device that failed to answer or to carry out a command, and why."""
        errors = []
        logs = [h.log for h in self._all_meters()] + [h.log for h in self._chargers]
        logs += [h.log for h in self._vehicles.values()]
        for failures in logs:
            for what, error in failures.failing.items():
                kind, _, name = what.partition(" ")
                entry: dict[str, Any] = {"class": kind, "device": name, "error": error}
                if failures.retry_at is not None:
                    entry["retry"] = format_time(failures.retry_at)  # backing off: asked again then
                errors.append(entry)
        errors.extend(self._command_errors.values())
        errors.extend(self._store_errors.values())
        self._state.publish("deviceErrors", sorted(errors, key=lambda e: (e["class"], e["device"], e["error"])))

    def _all_meters(self) -> list[MeterHandle]:
        devices = self._devices
        grid = [devices.grid] if devices.grid else []
        return [*grid, *devices.pv, *devices.battery, *devices.aux, *devices.ext, *self._circuit_meters.values()]

    async def persist_settings(self) -> None:
        """Write every setting that changed since the last write (API setters and the core's own changes)."""
        if self._settings is None:
            return
        settings = (
            self.site.settings,
            [lp.settings for lp in self.site.loadpoints],
            dict(self.site.vehicle_settings),
        )
        if settings == self._persisted:
            return  # the common case: a cycle that changed no setting writes nothing and encodes nothing
        values: dict[str, str | None] = dict(site_to_store(self.site.settings))
        for lp in self.site.loadpoints:
            values.update(loadpoint_to_store(lp.index + 1, lp.settings))
        for name, vehicle in self.site.vehicle_settings.items():
            values.update(vehicle_to_store(name, vehicle))
        try:
            await self._settings.save(values)
        except Exception as error:  # the setting stays in memory and is written with the next change
            self._store_failed("settings", f"saving settings failed: {error}")
        else:
            self._store_errors.pop("settings", None)
            self._persisted = deepcopy(settings)  # settings change in place: keep what was written, not a view

    async def shutdown(self) -> None:
        """Hand a battery we put on hold or charge back to its own control, and save settings once more."""
        async with self.lock:
            devices = {h.name: h.device for h in self._devices.battery}
            for name, mode in self.site.battery_control.revert():
                device = devices.get(name)
                if isinstance(device, BatteryController):
                    outcome = await attempt(partial(device.set_battery_mode, mode), self._timeout)
                    if outcome.error:
                        log.warning("battery %s: restoring mode %s failed: %s", name, mode, outcome.error)
            await self.persist_settings()

    # --- running ---------------------------------------------------------------------------------------------

    def request_cycle(self) -> None:
        """Run a cycle now rather than at the next tick (a setter changed something that affects control)."""
        self._wake.set()

    async def run(self) -> None:
        """Cycle every interval until cancelled; a failing cycle is logged and the loop goes on."""
        due = self._clock.now()
        while True:
            started = self._clock.now()
            late = (started - due).total_seconds()
            try:
                await self.cycle()
            except Exception:
                log.exception("control cycle failed")
            elapsed = (self._clock.now() - started).total_seconds()
            log.debug("cycle took %.1f ms, started %.1f ms after it was due", elapsed * 1000, late * 1000)
            self._wake.clear()
            due = started + self.interval
            sleeper = asyncio.ensure_future(self._clock.sleep(max(0.0, self.interval.total_seconds() - elapsed)))
            waker = asyncio.ensure_future(self._wake.wait())
            try:
                await asyncio.wait({sleeper, waker}, return_when=asyncio.FIRST_COMPLETED)
            finally:
                sleeper.cancel()
                waker.cancel()
            if self._wake.is_set():
                due = self._clock.now()  # a requested cycle is due at once


def _session_ended(result: LoadpointResult) -> bool:
    """A charge stopped or the vehicle left: the session's last values are written, statistics may have changed."""
    return "stop" in result.events or "disconnect" in result.events


def vehicle_info_wakeup_disabled(loadpoint: Loadpoint) -> bool:
    return loadpoint.vehicle is not None and loadpoint.vehicle.has(Feature.WAKEUP_DISABLED)
