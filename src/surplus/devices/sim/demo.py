"""``type: demo`` meters, chargers and vehicles: views of one simulated home shared by an application.

Every read and command first advances the shared :class:`World` to the application clock's ``now``, so the
home moves on only when someone looks, at whatever speed the clock runs. Devices are built in config
order (meters, chargers, vehicles), which lets a vehicle find the demo charger it names.
"""

from __future__ import annotations

from datetime import time
from typing import Any, Literal

from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from surplus.clock import Clock
from surplus.config.schema import Percent, Section
from surplus.core.types import BatteryMode, ChargeStatus
from surplus.devices.protocols import Triple
from surplus.devices.registry import BuildContext, DeviceParams, VehicleParams, registry
from surplus.devices.sim.world import Car, Snapshot, Trip, World, check_trips

WORLD_KEY = "demo-world"


def shared_world(context: BuildContext) -> World:
    return context.shared(WORLD_KEY, lambda: World(context.clock.now()))


class _View:
    def __init__(self, world: World, clock: Clock) -> None:
        self._world = world
        self._clock = clock

    def _now(self) -> Snapshot:
        return self._world.advance(self._clock.now())


# --- meters -------------------------------------------------------------------------------------------

USAGE_KEYS = {
    "grid": {"usage", "household", "seed"},
    "pv": {"usage", "peak", "seed"},
    "battery": {"usage", "capacity", "maxpower", "soc"},
}
USAGE_SPECIFIC = set.union(*USAGE_KEYS.values())


class MeterParams(DeviceParams):
    """Keys by usage. The grid meter's ``seed`` picks the household's appliance days, the PV meter's the clouds."""

    usage: Literal["grid", "pv", "battery"]
    seed: int = 1
    household: float = Field(1.0, ge=0)
    peak: float = Field(10.0, gt=0)
    capacity: float = Field(10.0, gt=0)
    max_power: float = Field(5000.0, gt=0)
    soc: Percent = 55.0

    @model_validator(mode="before")
    @classmethod
    def _keys_of_usage(cls, data: Any) -> Any:
        # one type serves three usages; a key of another usage would silently do nothing
        if isinstance(data, dict) and data.get("usage") in USAGE_KEYS:
            allowed = USAGE_KEYS[data["usage"]]
            for key in data:
                if key not in allowed and key in USAGE_SPECIFIC:
                    raise PydanticCustomError(
                        "unknown_key",
                        "unknown key '{key}'; allowed keys: {allowed}",
                        {"key": str(key), "allowed": ", ".join(sorted(allowed))},
                    )
        return data


class GridMeter(_View):
    async def current_power(self) -> float:
        return self._now().grid

    async def total_energy(self) -> float:
        return self._now().grid_import

    async def return_energy(self) -> float:
        return self._now().grid_export

    async def currents(self) -> Triple:
        return self._now().grid_currents


class PVMeter(_View):
    async def current_power(self) -> float:
        return self._now().pv

    async def total_energy(self) -> float:
        return self._now().pv_energy


class BatteryMeter(_View):
    def __init__(self, world: World, clock: Clock, capacity_kwh: float) -> None:
        super().__init__(world, clock)
        self._capacity = capacity_kwh

    async def current_power(self) -> float:
        return self._now().battery

    async def total_energy(self) -> float:
        """Discharged energy: the direction of positive power, as a grid meter counts imports."""
        return self._now().battery_discharged

    async def soc(self) -> float:
        return self._now().battery_soc

    def capacity(self) -> float:
        return self._capacity

    async def set_battery_mode(self, mode: BatteryMode) -> None:
        self._world.set_battery_mode(self._clock.now(), mode)


@registry.register("meter", "demo", MeterParams, "grid, PV or battery of the simulated demo home")
def build_meter(params: MeterParams, context: BuildContext) -> GridMeter | PVMeter | BatteryMeter:
    world = shared_world(context)
    if params.usage == "grid":
        world.configure_household(params.household, params.seed)
        return GridMeter(world, context.clock)
    if params.usage == "pv":
        world.add_pv(params.peak, params.seed)
        return PVMeter(world, context.clock)
    world.add_battery(params.capacity, params.max_power, params.soc)
    return BatteryMeter(world, context.clock, params.capacity)


# --- chargers -----------------------------------------------------------------------------------------


class ChargerParams(DeviceParams):
    max_current: float = Field(16.0, gt=0)
    min_current: float = Field(6.0, ge=0)
    phases: Literal[1, 3] = 3
    phases1p3p: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ChargerParams:
        if self.min_current > self.max_current:
            raise ValueError(f"mincurrent {self.min_current:g} A is above maxcurrent {self.max_current:g} A")
        if self.phases1p3p and self.phases == 1:
            raise ValueError("phases1p3p needs a charger wired with 3 phases (phases: 3)")
        return self


class DemoCharger(_View):
    def __init__(self, world: World, clock: Clock, name: str, phases: int) -> None:
        super().__init__(world, clock)
        self._name = name
        self._phases = phases

    async def status(self) -> ChargeStatus:
        return self._now().chargers[self._name].status

    async def enabled(self) -> bool:
        return self._now().chargers[self._name].enabled

    async def enable(self, enable: bool) -> None:
        self._world.enable(self._name, self._clock.now(), enable)

    async def max_current(self, current: int) -> None:
        self._world.set_current(self._name, self._clock.now(), float(current))

    async def max_current_millis(self, current: float) -> None:
        self._world.set_current(self._name, self._clock.now(), current)

    def phases(self) -> int:
        return self._phases

    async def current_power(self) -> float:
        return self._now().chargers[self._name].power

    async def total_energy(self) -> float:
        return self._now().chargers[self._name].energy

    async def currents(self) -> Triple:
        return self._now().chargers[self._name].currents

    async def get_max_current(self) -> float:
        return self._now().chargers[self._name].offered

    async def charged_energy(self) -> float:
        return self._now().chargers[self._name].session_energy


class SwitchableDemoCharger(DemoCharger):
    """A separate class so that only chargers configured with ``phases1p3p`` look like phase switchers."""

    async def phases_1p3p(self, phases: int) -> None:
        self._world.set_phases(self._name, self._clock.now(), phases)

    async def get_phases(self) -> int:
        return self._now().chargers[self._name].phases


@registry.register("charger", "demo", ChargerParams, "wallbox of the simulated demo home")
def build_charger(params: ChargerParams, context: BuildContext) -> DemoCharger:
    world = shared_world(context)
    world.add_charger(context.name, params.min_current, params.max_current, params.phases, params.phases1p3p)
    kind = SwitchableDemoCharger if params.phases1p3p else DemoCharger
    return kind(world, context.clock, context.name, params.phases)


# --- vehicles -----------------------------------------------------------------------------------------


class TripParams(Section):
    leave: time
    back: time
    energy: float = Field(ge=0)

    @field_validator("leave", "back", mode="before")
    @classmethod
    def _clock_time(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return time.fromisoformat(value.strip().zfill(5))
            except ValueError:
                pass
        if isinstance(value, time):
            return value
        raise ValueError(f"'{value}' is not a time of day; write it as HH:MM, e.g. \"07:40\"")

    def trip(self) -> Trip:
        return Trip(self.leave, self.back, self.energy)


DEFAULT_TRIPS = [
    TripParams(leave=time(7, 40), back=time(9, 30), energy=6.0),
    TripParams(leave=time(16, 30), back=time(18, 15), energy=9.0),
]


class DemoVehicleParams(VehicleParams):
    capacity: float = Field(50.0, gt=0)
    soc: Percent = 50.0
    max_current: float = Field(16.0, gt=0)
    phases: Literal[0, 1, 2, 3] = 3
    charger: str
    trips: list[TripParams] = DEFAULT_TRIPS
    odometer: float = Field(12_000.0, ge=0)

    @field_validator("trips")
    @classmethod
    def _one_drive_at_a_time(cls, trips: list[TripParams]) -> list[TripParams]:
        check_trips([trip.trip() for trip in trips])
        return trips


class DemoVehicle(_View):
    def __init__(self, world: World, clock: Clock, name: str, title: str, capacity_kwh: float) -> None:
        super().__init__(world, clock)
        self._name = name
        self._title = title
        self._capacity = capacity_kwh

    def title(self) -> str:
        return self._title

    def capacity(self) -> float:
        return self._capacity

    async def soc(self) -> float:
        return self._now().cars[self._name].soc

    async def status(self) -> ChargeStatus:
        return self._now().cars[self._name].status

    async def range(self) -> float:
        return self._now().cars[self._name].range

    async def odometer(self) -> float:
        return self._now().cars[self._name].odometer


@registry.register("vehicle", "demo", DemoVehicleParams, "car of the simulated demo home, with daily trips")
def build_vehicle(params: DemoVehicleParams, context: BuildContext) -> DemoVehicle:
    world = shared_world(context)
    title = params.title or context.name
    car = Car(
        name=context.name,
        capacity_kwh=params.capacity,
        soc=params.soc,
        max_current=params.max_current,
        phases=params.phases or 3,
        charger=params.charger,
        trips=[trip.trip() for trip in params.trips],
        odometer=params.odometer,
    )
    world.add_car(car)
    return DemoVehicle(world, context.clock, context.name, title, params.capacity)
