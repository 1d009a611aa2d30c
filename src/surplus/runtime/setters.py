"""Changing settings from outside (HTTP, later MQTT): checked, applied to the core, published, saved, and a
control cycle requested when control is affected. Each setter answers with the effective value."""

from __future__ import annotations

from collections.abc import Callable
from copy import deepcopy
from datetime import datetime, timedelta
from typing import Any, TypeVar

from surplus.clock import Clock
from surplus.core.battery import BoostState
from surplus.core.loadpoint import Loadpoint
from surplus.core.settings import VehicleSettings
from surplus.core.site import Site
from surplus.core.types import BatteryMode, ChargeMode
from surplus.errors import RequestError
from surplus.runtime.controller import Controller
from surplus.state import State

T = TypeVar("T")


class Setters:
    def __init__(self, controller: Controller, state: State, clock: Clock) -> None:
        self._controller = controller
        self._state = state
        self._clock = clock

    @property
    def site(self) -> Site:
        return self._controller.site

    def loadpoint(self, number: int) -> Loadpoint:
        """Loadpoints count from 1 in REST and MQTT."""
        loadpoints = self._controller.site.loadpoints
        if not 1 <= number <= len(loadpoints):
            raise RequestError(f"loadpoint {number} does not exist; loadpoints: 1..{len(loadpoints)}", 404)
        return loadpoints[number - 1]

    def vehicle(self, name: str) -> VehicleSettings:
        site = self._controller.site
        vehicles = site.vehicles_json()
        if name not in vehicles:
            raise RequestError(f"not found: {name}", 400)
        return site.vehicle_settings.setdefault(name, VehicleSettings())

    async def apply(self, change: Callable[[], T], control: bool = True) -> T:
        """Run ``change`` between cycles, publish what it altered, save settings, and wake the loop when the
        change affects control (setting a value it already has does not)."""
        # no lock needed: a change is synchronous, so it lands between two steps of a cycle, which reads
        # settings only at those steps; waiting for a slow cycle would make every setter as slow as a device
        controller = self._controller
        before = self._snapshot()
        value = change()
        changed = self._snapshot() != before
        if changed:
            self._publish_settings()
            await controller.persist_settings()
            if control:
                controller.request_cycle()
        return value

    def _snapshot(self) -> tuple[Any, ...]:
        site = self._controller.site
        return (
            deepcopy(site.settings),
            deepcopy(site.vehicle_settings),
            site.battery_control.external,
            *((deepcopy(lp.settings), lp.boost, lp.vehicle, lp.detection.active) for lp in site.loadpoints),
        )

    def _publish_settings(self) -> None:
        site = self._controller.site
        self._state.publish_all(site.settings_published())
        for lp in site.loadpoints:
            self._state.publish_all(lp.settings_published(), lp.index)

    # --- site ------------------------------------------------------------------------------------------------

    def _battery(self) -> None:
        if not self._controller.site.battery_configured:
            raise RequestError("battery not configured")

    def _battery_control(self) -> None:
        if not self._controller.site.battery_controllable:
            raise RequestError("battery control not available")

    async def priority_soc(self, soc: float) -> float:
        def change() -> float:
            self._battery()
            settings = self.site.settings
            if settings.buffer_soc and soc > settings.buffer_soc:
                raise RequestError(f"prioritysoc: {soc:g} must not be above buffersoc {settings.buffer_soc:g}")
            settings.priority_soc = soc
            return float(settings.priority_soc)

        return await self.apply(change)

    async def buffer_soc(self, soc: float) -> float:
        def change() -> float:
            self._battery()
            settings = self.site.settings
            if soc and soc < settings.priority_soc:
                raise RequestError(f"buffersoc: {soc:g} must not be below prioritysoc {settings.priority_soc:g}")
            if soc and settings.buffer_start_soc and soc > settings.buffer_start_soc:
                raise RequestError(f"buffersoc: {soc:g} must not be above bufferstartsoc {settings.buffer_start_soc:g}")
            settings.buffer_soc = soc
            return float(settings.buffer_soc)

        return await self.apply(change)

    async def buffer_start_soc(self, soc: float) -> float:
        def change() -> float:
            self._battery()
            settings = self.site.settings
            if soc and soc < settings.buffer_soc:
                raise RequestError(f"bufferstartsoc: {soc:g} must not be below buffersoc {settings.buffer_soc:g}")
            settings.buffer_start_soc = soc
            return float(settings.buffer_start_soc)

        return await self.apply(change)

    async def residual_power(self, power: float) -> float:
        def change() -> float:
            self.site.settings.residual_power = power
            return float(power)

        return await self.apply(change)

    async def battery_discharge_control(self, enable: bool) -> bool:
        def change() -> bool:
            self._battery_control()
            self.site.settings.battery_discharge_control = enable
            return enable

        return await self.apply(change)

    async def battery_grid_charge_limit(self, limit: float | None) -> float | None:
        def change() -> float | None:
            self._battery_control()
            self.site.settings.battery_grid_charge_limit = limit
            return limit

        return await self.apply(change)

    async def battery_mode(self, mode: BatteryMode) -> int:
        def change() -> int:
            self.site.battery_control.set_external(mode, self._clock.now())
            return int(self.site.battery_control.external)

        return await self.apply(change)

    async def smart_cost_limit(self, limit: float | None) -> float | None:
        def change() -> float | None:
            for lp in self.site.loadpoints:
                lp.settings.smart_cost_limit = limit
            return limit

        return await self.apply(change)

    async def smart_feedin_priority_limit(self, limit: float | None) -> float | None:
        def change() -> float | None:
            for lp in self.site.loadpoints:
                lp.settings.smart_feedin_priority_limit = limit
            return limit

        return await self.apply(change)

    @property
    def telemetry(self) -> bool:
        return self.site.settings.telemetry

    async def set_telemetry(self, enable: bool) -> bool:
        def change() -> bool:
            self.site.settings.telemetry = enable
            return enable

        return await self.apply(change, control=False)

    # --- loadpoints ------------------------------------------------------------------------------------------

    async def mode(self, number: int, mode: ChargeMode) -> str:
        lp = self.loadpoint(number)

        def change() -> str:
            lp.set_mode(mode)
            return str(lp.settings.mode.value)

        return await self.apply(change)

    async def loadpoint_value(self, number: int, field: str, value: Any, control: bool = True) -> Any:
        """A plain loadpoint setting without side effects beyond the next cycle."""
        lp = self.loadpoint(number)

        def change() -> Any:
            setattr(lp.settings, field, value)
            return getattr(lp.settings, field)

        return await self.apply(change, control)

    async def min_current(self, number: int, current: float) -> float:
        lp = self.loadpoint(number)

        def change() -> float:
            if current > lp.settings.max_current:
                raise RequestError(
                    f"mincurrent: min current must be smaller or equal than max current ({lp.settings.max_current:g} A)"
                )
            lp.settings.min_current = current
            return lp.settings.min_current

        return await self.apply(change)

    async def max_current(self, number: int, current: float) -> float:
        lp = self.loadpoint(number)

        def change() -> float:
            if current < lp.settings.min_current:
                raise RequestError(
                    f"maxcurrent: max current must be greater or equal than min current ({lp.settings.min_current:g} A)"
                )
            lp.settings.max_current = current
            return lp.settings.max_current

        return await self.apply(change)

    async def phases(self, number: int, phases: int) -> int:
        lp = self.loadpoint(number)

        def change() -> int:
            charger = lp.config.charger
            if phases not in (0, 1, 3):
                raise RequestError(f"phases: invalid number of phases: {phases}; allowed: 0 (automatic), 1, 3")
            if phases == 0 and not charger.phases1p3p:
                raise RequestError("phases: charger does not support phase switching; allowed: 1, 3")
            if charger.physical_phases and phases > charger.physical_phases:
                raise RequestError(
                    f"phases: cannot configure more phases than physically connected ({charger.physical_phases})"
                )
            lp.set_phases_configured(phases)
            return lp.settings.phases_configured

        return await self.apply(change)

    async def delay(self, number: int, field: str, seconds: int) -> int:
        """Delays are set in seconds and answered in nanoseconds, as evcc does."""
        value: timedelta = await self.loadpoint_value(number, field, timedelta(seconds=seconds))
        return int(value.total_seconds() * 1_000_000_000)

    async def battery_boost(self, number: int, enable: bool) -> bool:
        lp = self.loadpoint(number)

        def change() -> bool:
            if enable and lp.settings.mode not in (ChargeMode.PV, ChargeMode.MINPV):
                raise RequestError("batteryboost: battery boost is only available in PV modes (pv, minpv)")
            lp.set_battery_boost(enable)
            return lp.boost != BoostState.DISABLED

        return await self.apply(change)

    async def select_vehicle(self, number: int, name: str | None) -> dict[str, str]:
        lp = self.loadpoint(number)

        def change() -> dict[str, str]:
            if name is not None and name not in lp.coordinator.vehicles:
                raise RequestError(f"not found: {name}")
            lp.set_vehicle(name)
            return {"vehicle": lp.vehicle.title} if lp.vehicle else {}

        return await self.apply(change)

    async def detect_vehicle(self, number: int) -> dict[str, str]:
        lp = self.loadpoint(number)

        def change() -> dict[str, str]:
            lp.start_detection(self._clock.now())
            return {}

        return await self.apply(change)

    async def energy_plan(self, number: int, energy: float, time: datetime) -> dict[str, Any]:
        lp = self.loadpoint(number)

        def change() -> dict[str, Any]:
            if energy > 0 and time <= self._clock.now():
                raise RequestError("timestamp is in the past")
            lp.set_energy_plan(energy, time if energy > 0 else None)
            return {"energy": energy, "time": time}

        return await self.apply(change)

    async def delete_energy_plan(self, number: int) -> dict[str, Any]:
        lp = self.loadpoint(number)

        def change() -> dict[str, Any]:
            lp.set_energy_plan(0.0, None)
            return {}

        return await self.apply(change)

    # --- vehicles ----------------------------------------------------------------------------------------------

    async def vehicle_value(self, name: str, field: str, value: Any) -> Any:
        settings = self.vehicle(name)

        def change() -> Any:
            setattr(settings, field, value)
            if field.startswith(("plan", "repeating")):
                self._plans_edited(name)
            return getattr(settings, field)

        return await self.apply(change)

    def _plans_edited(self, vehicle: str) -> None:
        """An edited plan is chosen afresh: a locked goal of the old plan no longer holds."""
        for lp in self.site.loadpoints:
            if lp.vehicle is not None and lp.vehicle.name == vehicle:
                lp.planning.reset()

    async def soc_plan(self, name: str, soc: int, time: datetime) -> dict[str, Any]:
        settings = self.vehicle(name)

        def change() -> dict[str, Any]:
            if soc > 0 and time <= self._clock.now():
                raise RequestError("timestamp is in the past")
            settings.plan_soc = soc
            settings.plan_time = time if soc > 0 else None
            self._plans_edited(name)
            return {"soc": soc, "time": time}

        return await self.apply(change)

    async def delete_soc_plan(self, name: str) -> dict[str, Any]:
        settings = self.vehicle(name)

        def change() -> dict[str, Any]:
            settings.plan_soc = 0
            settings.plan_time = None
            self._plans_edited(name)
            return {}

        return await self.apply(change)
