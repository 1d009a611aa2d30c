"""The demo home's physics: sun and clouds, household, home battery, chargers and cars.

The world is pure. It never reads a clock; it is advanced to explicit instants, and what it publishes is a
function of those instants, the seeds and the commands it received. Sun, clouds and household are pure
functions of the local time, so a demo at any speed or sampling rate sees the same day; the stateful parts
(battery and car soc, energy counters) integrate the published powers.

Time is quantised to whole seconds so that every read of one control cycle sees one snapshot, and powers
hold from one step to the next (piecewise constant), which makes every energy counter the exact integral
of the powers that were published. Long jumps are taken in steps of at most a minute, stopping at every
trip, so socs move smoothly and no departure or arrival is skipped.
"""

from __future__ import annotations

import math
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from functools import lru_cache

from surplus.core.types import BatteryMode, ChargeStatus
from surplus.devices.protocols import Triple

VOLTAGE = 230.0
DAY = 86_400
MAX_STEP = 60

# --- time ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocalTime:
    """A whole second of local time: the day and the second of that day."""

    day: date
    second: int

    @classmethod
    def of(cls, moment: datetime, zone: tzinfo) -> LocalTime:
        local = moment.astimezone(zone)
        return cls(local.date(), local.hour * 3600 + local.minute * 60 + local.second)

    @property
    def hours(self) -> float:
        return self.second / 3600

    @property
    def running(self) -> int:
        """Seconds counted across days, for cycles that continue past midnight."""
        return self.day.toordinal() * DAY + self.second


def _whole_second(moment: datetime) -> datetime:
    return moment.replace(microsecond=0)


def _kwh(watts: float, seconds: float) -> float:
    return watts * seconds / 3_600_000


def _clamp(share: float) -> float:
    return min(1.0, max(0.0, share))


def _hash_unit(seed: int, n: int) -> float:
    """A reproducible pseudo-random number in [0, 1) for (seed, n), cheap enough to call every second."""
    mask = (1 << 64) - 1
    x = (n * 0x9E3779B97F4A7C15 + seed * 0xD1B54A32D192ED03) & mask
    x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
    x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & mask
    return (x ^ (x >> 31)) / (1 << 64)


# --- sun and clouds -----------------------------------------------------------------------------------

LATITUDE = math.radians(50.0)
# always the June solstice, so the demo has sun to share out whatever the date
DECLINATION = math.radians(23.4)
_SIN_PART = math.sin(LATITUDE) * math.sin(DECLINATION)
_COS_PART = math.cos(LATITUDE) * math.cos(DECLINATION)
SOLAR_NOON = 13 + 20 / 60  # hours, central Europe in summer time
SUNRISE, SUNSET = 5.25, 21.5  # hours; clouds are only drawn where they matter


def clear_sky_factor(hours: float) -> float:
    """Share of the peak power a clear sky gives at a local time of day; 0 while the sun is down."""
    hour_angle = math.radians(15.0 * (hours - SOLAR_NOON))
    sin_elevation = _SIN_PART + _COS_PART * math.cos(hour_angle)
    if sin_elevation <= 0:
        return 0.0
    # the exponent stands for the longer path through the air when the sun is low
    return 0.9 * math.pow(sin_elevation, 1.15)


CLOUD_EDGE = 180.0  # s a cloud takes to move fully in front of the sun


@dataclass(frozen=True)
class Cloud:
    start: float  # second of the day
    duration: float  # s
    opacity: float  # share of the sun it blocks at its thickest

    def shade(self, second: float) -> float:
        into = second - self.start
        if into <= 0 or into >= self.duration:
            return 0.0
        edge = min(self.duration / 3, CLOUD_EDGE)
        depth = min(into, self.duration - into)
        if depth >= edge:
            return self.opacity
        return self.opacity * 0.5 * (1 - math.cos(math.pi * depth / edge))


@lru_cache(maxsize=16)
def clouds_of_day(seed: int, day: date) -> tuple[Cloud, ...]:
    """The clouds passing the sun on one day: fixed by the seed and the date alone."""
    rng = random.Random(f"{seed}-{day.isoformat()}")
    clouds = []
    for _ in range(rng.randint(8, 16)):
        start = rng.uniform(SUNRISE, SUNSET) * 3600
        clouds.append(Cloud(start, rng.uniform(2, 25) * 60, rng.uniform(0.2, 0.8)))
    return tuple(clouds)


def cloud_factor(seed: int, now: LocalTime) -> float:
    factor = 1.0
    for cloud in clouds_of_day(seed, now.day):
        factor *= 1 - cloud.shade(now.second)
    return factor


class SolarPlant:
    def __init__(self, peak_kw: float, seed: int) -> None:
        self.peak_kw = peak_kw
        self.seed = seed

    def power(self, now: LocalTime) -> float:
        sun = clear_sky_factor(now.hours)
        if sun == 0:
            return 0.0
        return self.peak_kw * 1000 * sun * cloud_factor(self.seed, now)


# --- household ----------------------------------------------------------------------------------------

# (s, W) stages run one after another
Program = tuple[tuple[int, float], ...]

WASHING_MACHINE: Program = ((15 * 60, 2000.0), (50 * 60, 220.0), (10 * 60, 480.0), (15 * 60, 120.0))
DISHWASHER: Program = ((20 * 60, 120.0), (20 * 60, 1900.0), (35 * 60, 90.0), (15 * 60, 1700.0), (10 * 60, 40.0))
OVEN: Program = ((10 * 60, 2200.0), (40 * 60, 900.0))
KETTLE: Program = ((3 * 60, 2000.0),)


@dataclass(frozen=True)
class ApplianceRun:
    start: int  # second of the day
    program: Program

    def power(self, second: int) -> float:
        into = second - self.start
        if into < 0:
            return 0.0
        for length, watts in self.program:
            if into < length:
                return watts
            into -= length
        return 0.0


@lru_cache(maxsize=16)
def appliance_runs(seed: int, day: date) -> tuple[ApplianceRun, ...]:
    """The appliances used on one day; every run ends before midnight, so a day needs only its own runs."""
    rng = random.Random(f"{seed}-{day.isoformat()}-home")

    def between(earliest: float, latest: float) -> int:
        return round(rng.uniform(earliest, latest) * 3600)

    runs = []
    if rng.random() < 0.6:
        runs.append(ApplianceRun(between(8.5, 17.0), WASHING_MACHINE))
    if rng.random() < 0.8:
        after_lunch = rng.random() < 0.4
        runs.append(ApplianceRun(between(13.0, 14.0) if after_lunch else between(20.0, 21.5), DISHWASHER))
    if rng.random() < 0.5:
        runs.append(ApplianceRun(between(17.5, 18.5), OVEN))
    runs.extend(ApplianceRun(between(6.5, 21.5), KETTLE) for _ in range(rng.randint(2, 4)))
    return tuple(runs)


@dataclass(frozen=True)
class Habit:
    """A daily routine (breakfast, lunch, the evening) as a bell curve of extra load."""

    hour: float
    width: float  # h
    watts: float

    def power(self, hours: float) -> float:
        return self.watts * math.exp(-0.5 * ((hours - self.hour) / self.width) ** 2)


HABITS = (Habit(7.0, 0.7, 400.0), Habit(12.5, 0.8, 350.0), Habit(19.0, 1.5, 600.0))
BASE_LOAD = 150.0
FRIDGE = 110.0
FRIDGE_PERIOD, FRIDGE_RUNNING = 45 * 60, 15 * 60
NOISE = 25.0


class Household:
    """The house's own consumption (without battery and cars), about 10 kWh a day."""

    def __init__(self, seed: int = 1, scale: float = 1.0) -> None:
        self.seed = seed
        self.scale = scale
        self._fridge_offset = int(_hash_unit(seed, -1) * FRIDGE_PERIOD)

    def power(self, now: LocalTime) -> float:
        running = now.running
        fridge = FRIDGE if (running + self._fridge_offset) % FRIDGE_PERIOD < FRIDGE_RUNNING else 0.0
        habits = sum(habit.power(now.hours) for habit in HABITS)
        appliances = sum(run.power(now.second) for run in appliance_runs(self.seed, now.day))
        return self.scale * (BASE_LOAD + fridge + habits + appliances + self._noise(running))

    def _noise(self, running: int) -> float:
        # interpolated between one random value a minute, so the load wanders rather than jumps every second
        minute, into = divmod(running, 60)
        before, after = _hash_unit(self.seed, minute), _hash_unit(self.seed, minute + 1)
        return NOISE * (2 * (before + (after - before) * into / 60) - 1)


# --- home battery -------------------------------------------------------------------------------------

MIN_SOC = 5.0
# one way, AC to cells and back; a full round trip keeps about 90 %
BATTERY_EFFICIENCY = 0.95
# soc band in which the battery eases off before a bound, as a real BMS does, so steps do not overshoot
SOC_TAPER = 2.0


class HomeBattery:
    """A self-consumption inverter: it fills with surplus and covers deficits within its limits."""

    def __init__(self, capacity_kwh: float, max_power: float, soc: float) -> None:
        self.capacity_kwh = capacity_kwh
        self.max_power = max_power
        self.soc = soc
        self.mode = BatteryMode.NORMAL
        self.power = 0.0  # W, + discharge
        self.charged_kwh = 0.0
        self.discharged_kwh = 0.0

    def respond(self, surplus: float) -> None:
        """Set the power for a surplus (PV minus loads, W)."""
        can_charge = self.max_power * _clamp((100 - self.soc) / SOC_TAPER)
        can_discharge = self.max_power * _clamp((self.soc - MIN_SOC) / SOC_TAPER)
        charge = discharge = 0.0
        if self.mode in (BatteryMode.CHARGE, BatteryMode.HOLDCHARGE):
            charge = can_charge
        elif surplus >= 0:
            charge = min(surplus, can_charge)
        elif self.mode != BatteryMode.HOLD:
            discharge = min(-surplus, can_discharge)
        # a difference rather than a negation, so an idle battery publishes 0 and not -0
        self.power = discharge - charge

    def integrate(self, seconds: float) -> None:
        energy = _kwh(abs(self.power), seconds)
        if self.power < 0:
            self.charged_kwh += energy
            self.soc = min(100.0, self.soc + 100 * energy * BATTERY_EFFICIENCY / self.capacity_kwh)
        elif self.power > 0:
            self.discharged_kwh += energy
            self.soc = max(MIN_SOC, self.soc - 100 * energy / BATTERY_EFFICIENCY / self.capacity_kwh)


# --- cars and chargers --------------------------------------------------------------------------------

CAR_MIN_CURRENT = 6.0
CAR_EFFICIENCY = 0.9
KM_PER_KWH = 6.0
TAPER_FROM = 80.0  # soc above which a car takes less and less power
TAPER_TO = 0.3  # share of full power it still takes at 100 %


def _seconds(moment: time) -> int:
    return moment.hour * 3600 + moment.minute * 60 + moment.second


@dataclass(frozen=True)
class Trip:
    """A daily drive: unplugged at ``leave``, plugged in again at ``back`` having used ``energy`` kWh."""

    leave: time
    back: time
    energy: float

    def away_at(self, second: int) -> bool:
        leave, back = _seconds(self.leave), _seconds(self.back)
        if leave <= back:
            return leave <= second < back
        return second >= leave or second < back  # over midnight


def check_trips(trips: Sequence[Trip]) -> None:
    """A car is on one drive at a time."""
    for trip in trips:
        if trip.leave == trip.back:
            raise ValueError(f"a trip leaves and comes back at the same time ({trip.leave:%H:%M})")
    for minute in range(0, DAY, 60):
        away = [trip for trip in trips if trip.away_at(minute)]
        if len(away) > 1:
            first, second = away[:2]
            raise ValueError(
                f"trips {first.leave:%H:%M}–{first.back:%H:%M} and {second.leave:%H:%M}–{second.back:%H:%M} overlap"
            )


class Car:
    def __init__(
        self,
        name: str,
        capacity_kwh: float,
        soc: float,
        max_current: float,
        phases: int,
        charger: str,
        trips: Sequence[Trip],
        odometer: float,
    ) -> None:
        check_trips(trips)
        self.name = name
        self.capacity_kwh = capacity_kwh
        self.soc = soc
        self.max_current = max_current
        self.phases = phases
        self.charger = charger
        self.trips = tuple(trips)
        self.odometer = odometer
        self.plugged = True

    def acceptance(self) -> float:
        """Share of the offered power the car takes at its soc: all of it up to 80 %, nothing when full."""
        if self.soc >= 100:
            return 0.0
        if self.soc <= TAPER_FROM:
            return 1.0
        return 1 - (1 - TAPER_TO) * (self.soc - TAPER_FROM) / (100 - TAPER_FROM)

    def take(self, energy_kwh: float) -> None:
        self.soc = min(100.0, self.soc + 100 * energy_kwh * CAR_EFFICIENCY / self.capacity_kwh)

    def arrive(self, trip: Trip) -> None:
        self.plugged = True
        self.soc = max(0.0, self.soc - 100 * trip.energy / self.capacity_kwh)
        self.odometer += trip.energy * KM_PER_KWH

    @property
    def range_km(self) -> float:
        return self.soc / 100 * self.capacity_kwh * KM_PER_KWH


class ChargePoint:
    def __init__(self, name: str, min_current: float, max_current: float, phases: int, switchable: bool) -> None:
        self.name = name
        self.min_current = min_current
        self.max_current = max_current
        self.phases = phases  # wired
        self.switchable = switchable
        self.active_phases = phases
        self.enabled = False
        self.offered = min_current  # A
        self.car: Car | None = None
        self.power = 0.0
        self.drawing_phases = 0
        self.energy_kwh = 0.0
        self.session_kwh = 0.0

    def check_current(self, current: float) -> None:
        if not 0 <= current <= self.max_current:
            raise ValueError(f"charger '{self.name}' accepts 0–{self.max_current:g} A, not {current:g} A")

    def check_phases(self, phases: int) -> None:
        if not self.switchable:
            raise ValueError(f"charger '{self.name}' cannot switch phases; set phases1p3p: true to allow it")
        if phases not in (1, 3):
            raise ValueError(f"charger '{self.name}' switches to 1 or 3 phases, not {phases}")
        if phases > self.phases:
            raise ValueError(f"charger '{self.name}' is wired with {self.phases} phase(s) only")

    def respond(self) -> None:
        car = self.car
        threshold = max(CAR_MIN_CURRENT, self.min_current)
        if car is None or not car.plugged or not self.enabled or self.offered < threshold:
            self.power, self.drawing_phases = 0.0, 0
            return
        current = min(self.offered, car.max_current, self.max_current)
        phases = min(self.active_phases, car.phases)
        self.power = current * phases * VOLTAGE * car.acceptance()
        self.drawing_phases = phases if self.power > 0 else 0

    def integrate(self, seconds: float) -> None:
        energy = _kwh(self.power, seconds)
        self.energy_kwh += energy
        self.session_kwh += energy
        if self.car is not None and energy > 0:
            self.car.take(energy)

    @property
    def status(self) -> ChargeStatus:
        if self.car is None or not self.car.plugged:
            return ChargeStatus.A
        return ChargeStatus.C if self.power > 0 else ChargeStatus.B

    @property
    def currents(self) -> Triple:
        if not self.drawing_phases:
            return (0.0, 0.0, 0.0)
        current = self.power / (self.drawing_phases * VOLTAGE)
        return (current, current if self.drawing_phases > 1 else 0.0, current if self.drawing_phases > 2 else 0.0)


# --- snapshots ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChargerSnapshot:
    status: ChargeStatus
    enabled: bool
    offered: float  # A
    phases: int  # active phases
    power: float  # W
    currents: Triple
    energy: float  # kWh, lifetime
    session_energy: float  # kWh since the car was plugged in


@dataclass(frozen=True)
class CarSnapshot:
    status: ChargeStatus
    soc: float
    range: float  # km
    odometer: float  # km


@dataclass(frozen=True)
class Snapshot:
    """Everything the demo devices publish at one second. Powers in W, counters in kWh."""

    time: datetime
    pv: float
    home: float
    battery: float  # + discharge
    grid: float  # + import
    grid_currents: Triple
    battery_soc: float
    battery_mode: BatteryMode
    grid_import: float
    grid_export: float
    pv_energy: float
    home_energy: float
    battery_charged: float
    battery_discharged: float
    chargers: Mapping[str, ChargerSnapshot]
    cars: Mapping[str, CarSnapshot]


# --- the world ----------------------------------------------------------------------------------------


class World:
    """The simulated home, advanced lazily to the instants it is asked about."""

    def __init__(self, start: datetime) -> None:
        if start.tzinfo is None:
            raise ValueError("the demo world needs a timezone-aware start")
        self._zone = start.tzinfo
        self._time = _whole_second(start)
        self.household = Household()
        self.pv: SolarPlant | None = None
        self.battery: HomeBattery | None = None
        self._chargers: dict[str, ChargePoint] = {}
        self._cars: dict[str, Car] = {}
        self._pv_power = self._home_power = self._grid_power = 0.0
        self._grid_import = self._grid_export = self._pv_energy = self._home_energy = 0.0
        self._snapshot: Snapshot | None = None
        self._respond()

    # building: the demo devices add their part as they are configured

    def configure_household(self, scale: float, seed: int) -> None:
        self.household = Household(seed, scale)
        self._respond()

    def add_pv(self, peak_kw: float, seed: int) -> None:
        if self.pv is not None:
            raise ValueError("the demo home has one PV plant; configure one demo meter with usage: pv")
        self.pv = SolarPlant(peak_kw, seed)
        self._respond()

    def add_battery(self, capacity_kwh: float, max_power: float, soc: float) -> None:
        if self.battery is not None:
            raise ValueError("the demo home has one battery; configure one demo meter with usage: battery")
        self.battery = HomeBattery(capacity_kwh, max_power, soc)
        self._respond()

    def add_charger(self, name: str, min_current: float, max_current: float, phases: int, switchable: bool) -> None:
        if name in self._chargers:
            raise ValueError(f"a demo charger named '{name}' exists already")
        self._chargers[name] = ChargePoint(name, min_current, max_current, phases, switchable)
        self._respond()

    def add_car(self, car: Car) -> None:
        charge_point = self._chargers.get(car.charger)
        if charge_point is None:
            known = ", ".join(self._chargers) or "none are configured"
            raise ValueError(
                f"vehicle '{car.name}' plugs into charger '{car.charger}', which is not a demo charger; "
                f"demo chargers: {known}"
            )
        if charge_point.car is not None:
            raise ValueError(
                f"vehicle '{car.name}' cannot use demo charger '{car.charger}': vehicle '{charge_point.car.name}' "
                "plugs in there already; give each demo vehicle its own charger"
            )
        now = self._local()
        car.plugged = not any(trip.away_at(now.second) for trip in car.trips)
        charge_point.car = car
        self._cars[car.name] = car
        self._respond()

    # running

    def advance(self, moment: datetime) -> Snapshot:
        """Move to ``moment`` (rounded down to the second; earlier instants are ignored) and describe it."""
        target = _whole_second(moment)
        while self._time < target:
            remaining = int((target - self._time).total_seconds())
            wait, due = self._next_trips()
            step = min(remaining, MAX_STEP, wait)
            self._integrate(step)
            self._time += timedelta(seconds=step)
            if step == wait:
                self._travel(due)
            self._respond()
        return self.snapshot()

    def snapshot(self) -> Snapshot:
        if self._snapshot is None:
            self._snapshot = self._describe()
        return self._snapshot

    def enable(self, charger: str, moment: datetime, enable: bool) -> None:
        charge_point = self._charger(charger)
        self.advance(moment)
        charge_point.enabled = enable
        self._respond()

    def set_current(self, charger: str, moment: datetime, current: float) -> None:
        charge_point = self._charger(charger)
        charge_point.check_current(current)
        self.advance(moment)
        charge_point.offered = current
        self._respond()

    def set_phases(self, charger: str, moment: datetime, phases: int) -> None:
        charge_point = self._charger(charger)
        charge_point.check_phases(phases)
        self.advance(moment)
        charge_point.active_phases = phases
        self._respond()

    def set_battery_mode(self, moment: datetime, mode: BatteryMode) -> None:
        if self.battery is None:
            raise ValueError("the demo home has no battery; configure a demo meter with usage: battery")
        self.advance(moment)
        self.battery.mode = mode
        self._respond()

    # internals

    def _charger(self, name: str) -> ChargePoint:
        try:
            return self._chargers[name]
        except KeyError:
            raise ValueError(f"no demo charger is named '{name}'") from None

    def _local(self) -> LocalTime:
        return LocalTime.of(self._time, self._zone)

    def _next_trips(self) -> tuple[int, list[tuple[Car, Trip, bool]]]:
        """Seconds until the next departures or arrivals, and which (car, trip, arriving) they are."""
        now = self._local().second
        wait, due = DAY, []
        for car in self._cars.values():
            for trip in car.trips:
                for arriving, at in ((True, trip.back), (False, trip.leave)):
                    until = (_seconds(at) - now) % DAY or DAY
                    if until < wait:
                        wait, due = until, [(car, trip, arriving)]
                    elif until == wait:
                        due.append((car, trip, arriving))
        return wait, due

    def _travel(self, due: list[tuple[Car, Trip, bool]]) -> None:
        # arrivals first: a car back at the minute another trip starts is briefly plugged in, then leaves
        for car, trip, arriving in sorted(due, key=lambda item: not item[2]):
            if arriving and not car.plugged:
                car.arrive(trip)
                self._chargers[car.charger].session_kwh = 0.0
            elif not arriving:
                car.plugged = False

    def _integrate(self, seconds: int) -> None:
        self._pv_energy += _kwh(self._pv_power, seconds)
        self._home_energy += _kwh(self._home_power, seconds)
        self._grid_import += _kwh(max(self._grid_power, 0.0), seconds)
        self._grid_export += _kwh(max(-self._grid_power, 0.0), seconds)
        if self.battery is not None:
            self.battery.integrate(seconds)
        for charge_point in self._chargers.values():
            charge_point.integrate(seconds)

    def _respond(self) -> None:
        """Recompute every power at the current second; the battery reacts to the chargers' new draw."""
        now = self._local()
        self._pv_power = self.pv.power(now) if self.pv is not None else 0.0
        self._home_power = self.household.power(now)
        for charge_point in self._chargers.values():
            charge_point.respond()
        charging = sum(charge_point.power for charge_point in self._chargers.values())
        battery = 0.0
        if self.battery is not None:
            self.battery.respond(self._pv_power - self._home_power - charging)
            battery = self.battery.power
        self._grid_power = self._home_power + charging - self._pv_power - battery
        self._snapshot = None

    def _describe(self) -> Snapshot:
        chargers = {
            name: ChargerSnapshot(
                status=point.status,
                enabled=point.enabled,
                offered=point.offered,
                phases=point.active_phases,
                power=point.power,
                currents=point.currents,
                energy=point.energy_kwh,
                session_energy=point.session_kwh,
            )
            for name, point in self._chargers.items()
        }
        cars = {
            name: CarSnapshot(
                status=chargers[car.charger].status if car.plugged else ChargeStatus.A,
                soc=car.soc,
                range=car.range_km,
                odometer=car.odometer,
            )
            for name, car in self._cars.items()
        }
        battery = self.battery
        return Snapshot(
            time=self._time,
            pv=self._pv_power,
            home=self._home_power,
            battery=battery.power if battery else 0.0,
            grid=self._grid_power,
            grid_currents=self._grid_currents(),
            battery_soc=battery.soc if battery else 0.0,
            battery_mode=battery.mode if battery else BatteryMode.UNKNOWN,
            grid_import=self._grid_import,
            grid_export=self._grid_export,
            pv_energy=self._pv_energy,
            home_energy=self._home_energy,
            battery_charged=battery.charged_kwh if battery else 0.0,
            battery_discharged=battery.discharged_kwh if battery else 0.0,
            chargers=chargers,
            cars=cars,
        )

    def _grid_currents(self) -> Triple:
        """Chargers on their own phases, house, PV and battery spread evenly; the sum matches grid power."""
        charging = sum(point.power for point in self._chargers.values())
        rest = (self._grid_power - charging) / (3 * VOLTAGE)
        phases = [rest, rest, rest]
        for point in self._chargers.values():
            for phase, current in enumerate(point.currents):
                phases[phase] += current
        return (phases[0], phases[1], phases[2])
