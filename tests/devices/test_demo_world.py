"""The simulated demo home: physics (energy balance, counters, sun, household, battery, cars) and devices."""

import random
from datetime import date, datetime, time, timedelta, timezone

import pytest

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.config.loader import load_demo
from surplus.config.schema import DeviceEntry
from surplus.config.source import parse_yaml
from surplus.core.types import BatteryMode, ChargeStatus
from surplus.devices import protocols as p
from surplus.devices.registry import BuildContext, Kind, registry
from surplus.devices.sim.world import (
    DAY,
    Car,
    Household,
    LocalTime,
    SolarPlant,
    Trip,
    World,
    cloud_factor,
)

ZONE = timezone(timedelta(hours=2))
DAY_ONE = date(2025, 6, 1)


def at(hour: int, minute: int = 0, second: int = 0, day: int = 0) -> datetime:
    return datetime(2025, 6, 1, hour, minute, second, tzinfo=ZONE) + timedelta(days=day)


def car(soc: float = 35.0, trips: tuple[Trip, ...] = (), charger: str = "carport", name: str = "hatchback") -> Car:
    return Car(name, 58.0, soc, 16.0, 3, charger, trips, 12_000.0)


def home(start: datetime, *, pv: float = 10.0, battery: bool = True, seed: int = 1) -> World:
    world = World(start)
    world.configure_household(1.0, seed)
    if pv:
        world.add_pv(pv, seed)
    if battery:
        world.add_battery(10.0, 5000.0, 55.0)
    return world


def charging_home(start: datetime, soc: float = 35.0, trips: tuple[Trip, ...] = ()) -> World:
    world = home(start, pv=0, battery=False)
    world.add_charger("carport", 6.0, 16.0, 3, switchable=True)
    world.add_car(car(soc, trips))
    return world


def clear_moment(seed: int, around: datetime) -> datetime:
    """A second near ``around`` with no cloud in front of the sun."""
    for minute in range(60):
        for moment in (around + timedelta(minutes=minute), around - timedelta(minutes=minute)):
            if cloud_factor(seed, LocalTime.of(moment, ZONE)) == 1.0:
                return moment
    raise AssertionError("no clear minute within an hour")


# --- energy balance and counters ----------------------------------------------------------------------


def test_grid_is_the_exact_balance_of_every_snapshot() -> None:
    world = home(at(0))
    world.add_charger("carport", 6.0, 16.0, 3, switchable=True)
    world.add_charger("garage", 6.0, 32.0, 3, switchable=False)
    world.add_car(car(trips=(Trip(time(7, 40), time(9, 30), 5.0),)))
    world.add_car(Car("van", 75.0, 20.0, 32.0, 3, "garage", (Trip(time(15, 0), time(17, 45), 14.0),), 0.0))
    rng = random.Random(7)
    for minute in range(0, 24 * 60, 5):
        moment = at(0) + timedelta(minutes=minute, seconds=rng.randint(0, 299))
        for name in ("carport", "garage"):
            world.enable(name, moment, rng.random() < 0.7)
            world.set_current(name, moment, rng.choice((0.0, 5.5, 6.0, 10.5, 16.0)))
        world.set_phases("carport", moment, rng.choice((1, 3)))
        snap = world.advance(moment + timedelta(seconds=30))
        charging = sum(reading.power for reading in snap.chargers.values())
        assert snap.grid == pytest.approx(snap.home + charging - snap.pv - snap.battery, abs=1e-6)
        assert sum(snap.grid_currents) * 230 == pytest.approx(snap.grid, abs=1e-6)


@pytest.mark.parametrize("start", [at(2), at(12)], ids=["night", "noon"])
def test_counters_are_the_integral_of_the_published_powers(start: datetime) -> None:
    world = home(start, battery=False)
    world.add_charger("carport", 6.0, 16.0, 3, switchable=False)
    world.add_car(car())
    world.enable("carport", start, True)
    world.set_current("carport", start, 8.0)
    first = world.snapshot()
    expected = {"import": 0.0, "export": 0.0, "pv": 0.0, "home": 0.0, "charger": 0.0}
    snap = first
    for step in range(1, 361):
        following = world.advance(start + timedelta(seconds=10 * step, microseconds=400_000))
        hours = (following.time - snap.time).total_seconds() / 3600
        expected["import"] += max(snap.grid, 0) * hours / 1000
        expected["export"] += max(-snap.grid, 0) * hours / 1000
        expected["pv"] += snap.pv * hours / 1000
        expected["home"] += snap.home * hours / 1000
        expected["charger"] += snap.chargers["carport"].power * hours / 1000
        snap = following
    assert snap.grid_import - first.grid_import == pytest.approx(expected["import"], abs=1e-9)
    assert snap.grid_export - first.grid_export == pytest.approx(expected["export"], abs=1e-9)
    assert snap.pv_energy == pytest.approx(expected["pv"], abs=1e-9)
    assert snap.home_energy == pytest.approx(expected["home"], abs=1e-9)
    assert snap.chargers["carport"].energy == pytest.approx(expected["charger"], abs=1e-9)
    if start.hour == 2:
        assert snap.grid_export == 0 and snap.grid_import > 0
    else:
        assert snap.grid_export > 0


def test_reads_within_one_second_see_one_snapshot_and_time_never_goes_back() -> None:
    world = home(at(10))
    first = world.advance(at(10, 0, 5) + timedelta(microseconds=100))
    assert world.advance(at(10, 0, 5) + timedelta(microseconds=900_000)) is first
    assert world.advance(at(9)) is first
    assert first.time == at(10, 0, 5)


# --- sun and household --------------------------------------------------------------------------------


def test_pv_is_dark_at_night_and_strong_at_a_clear_noon() -> None:
    plant = SolarPlant(10.0, seed=1)
    assert plant.power(LocalTime.of(at(2), ZONE)) == 0
    noon = clear_moment(1, at(13, 20))
    assert plant.power(LocalTime.of(noon, ZONE)) > 6000


def test_pv_and_household_do_not_depend_on_the_sampling_rate() -> None:
    often, seldom = home(at(6)), home(at(6))
    for second in range(0, 6 * 3600, 10):
        a = often.advance(at(6) + timedelta(seconds=second))
        if second % 70 == 0:
            b = seldom.advance(at(6) + timedelta(seconds=second))
            assert (a.pv, a.home) == (b.pv, b.home)


def test_the_seed_chooses_the_clouds() -> None:
    day = [LocalTime(DAY_ONE, second) for second in range(5 * 3600, 22 * 3600, 60)]
    one, again, other = SolarPlant(10.0, 1), SolarPlant(10.0, 1), SolarPlant(10.0, 2)
    assert [one.power(t) for t in day] == [again.power(t) for t in day]
    assert [one.power(t) for t in day] != [other.power(t) for t in day]
    assert min(cloud_factor(1, t) for t in day) < 0.8


def test_household_has_a_plausible_day() -> None:
    household = Household(seed=1)
    for offset in range(3):
        day = DAY_ONE + timedelta(days=offset)
        energy = sum(household.power(LocalTime(day, second)) for second in range(0, DAY, 30)) * 30 / 3.6e6
        assert 8 <= energy <= 12
    evening = sum(household.power(LocalTime(DAY_ONE, 19 * 3600 + s)) for s in range(0, 3600, 60))
    night = sum(household.power(LocalTime(DAY_ONE, 3 * 3600 + s)) for s in range(0, 3600, 60))
    assert evening > 2 * night


# --- home battery -------------------------------------------------------------------------------------


def test_battery_absorbs_surplus_within_its_power() -> None:
    noon = clear_moment(1, at(13, 20))
    small = home(noon, pv=4.0).snapshot()
    assert small.pv > small.home
    assert small.battery == pytest.approx(small.home - small.pv)
    assert small.grid == pytest.approx(0, abs=1e-9)
    large = home(noon, pv=10.0).snapshot()
    assert large.battery == -5000
    assert large.grid < -2000


def test_battery_covers_the_night_and_stays_within_its_bounds() -> None:
    world = World(at(10))
    world.add_pv(10.0, 1)
    world.add_battery(2.0, 5000.0, 50.0)
    socs = []
    for minute in range(0, 2 * 24 * 60, 1):
        snap = world.advance(at(10) + timedelta(minutes=minute))
        socs.append(snap.battery_soc)
        assert abs(snap.battery) <= 5000
    assert min(socs) == pytest.approx(5, abs=0.01) and max(socs) == pytest.approx(100, abs=0.01)
    assert min(socs) >= 5 and max(socs) <= 100


def test_hold_stops_discharging_and_charge_charges_at_full_power() -> None:
    world = home(at(2))
    assert world.snapshot().battery > 0
    world.set_battery_mode(at(2, 0, 1), BatteryMode.HOLD)
    held = world.snapshot()
    assert held.battery == 0 and held.grid == pytest.approx(held.home)
    world.set_battery_mode(at(2, 0, 2), BatteryMode.CHARGE)
    charging = world.advance(at(2, 10))
    assert charging.battery == -5000 and charging.grid == pytest.approx(charging.home + 5000)
    assert charging.battery_soc > 55 and charging.battery_mode == BatteryMode.CHARGE


def test_hold_still_charges_from_surplus() -> None:
    noon = clear_moment(1, at(13, 20))
    world = home(noon)
    world.set_battery_mode(noon, BatteryMode.HOLD)
    assert world.snapshot().battery == -5000


# --- chargers and cars --------------------------------------------------------------------------------


def test_a_car_charges_at_16_a_on_3_phases_and_its_soc_rises() -> None:
    world = charging_home(at(10))
    world.enable("carport", at(10), True)
    world.set_current("carport", at(10), 16.0)
    snap = world.snapshot()
    assert snap.chargers["carport"].power == 11040
    assert snap.chargers["carport"].status == ChargeStatus.C == snap.cars["hatchback"].status
    assert snap.chargers["carport"].currents == (16.0, 16.0, 16.0)
    later = world.advance(at(11))
    assert later.chargers["carport"].energy == pytest.approx(11.04)
    assert later.chargers["carport"].session_energy == pytest.approx(11.04)
    assert later.cars["hatchback"].soc == pytest.approx(35 + 100 * 11.04 * 0.9 / 58)


def test_no_charging_below_6_a() -> None:
    world = charging_home(at(10))
    world.enable("carport", at(10), True)
    world.set_current("carport", at(10), 5.9)
    snap = world.snapshot()
    assert snap.chargers["carport"].power == 0
    assert snap.chargers["carport"].status == ChargeStatus.B


def test_power_tapers_above_80_percent_and_stops_when_full() -> None:
    world = charging_home(at(10), soc=90.0)
    world.enable("carport", at(10), True)
    world.set_current("carport", at(10), 16.0)
    assert world.snapshot().chargers["carport"].power == pytest.approx(11040 * (1 - 0.7 * 10 / 20))
    full = world.advance(at(13))
    assert full.cars["hatchback"].soc == 100
    assert full.chargers["carport"].power == 0 and full.chargers["carport"].status == ChargeStatus.B


def test_a_trip_unplugs_the_car_and_brings_it_back_emptier() -> None:
    world = charging_home(at(10), trips=(Trip(time(16, 30), time(18, 15), 8.0),))
    assert world.advance(at(16, 29, 59)).chargers["carport"].status == ChargeStatus.B
    away = world.advance(at(16, 30))
    assert away.chargers["carport"].status == ChargeStatus.A == away.cars["hatchback"].status
    back = world.advance(at(18, 15))
    assert back.chargers["carport"].status == ChargeStatus.B
    assert back.cars["hatchback"].soc == pytest.approx(35 - 100 * 8 / 58)
    assert back.cars["hatchback"].odometer == pytest.approx(12_000 + 8 * 6)


def test_a_long_jump_takes_every_trip() -> None:
    trips = (Trip(time(7, 40), time(9, 30), 5.0), Trip(time(16, 30), time(18, 15), 8.0))
    jumped, stepped = charging_home(at(10), trips=trips), charging_home(at(10), trips=trips)
    for minute in range(0, 24 * 60 + 1, 10):
        stepped.advance(at(10) + timedelta(minutes=minute))
    after = jumped.advance(at(10, day=1))
    assert after.cars["hatchback"].soc == pytest.approx(35 - 100 * 13 / 58)
    assert after.cars["hatchback"].odometer == pytest.approx(12_000 + 13 * 6)
    assert after.cars == stepped.snapshot().cars


def test_a_car_away_at_the_start_arrives_later() -> None:
    world = charging_home(at(10), trips=(Trip(time(7, 50), time(11, 30), 18.0),))
    assert world.snapshot().cars["hatchback"].status == ChargeStatus.A
    assert world.advance(at(11, 30)).cars["hatchback"].status == ChargeStatus.B


def test_phase_switch_moves_the_car_to_one_phase() -> None:
    world = charging_home(at(10))
    world.enable("carport", at(10), True)
    world.set_current("carport", at(10), 16.0)
    world.set_phases("carport", at(10, 1), 1)
    snap = world.snapshot()
    assert snap.chargers["carport"].power == 3680 and snap.chargers["carport"].phases == 1
    assert snap.chargers["carport"].currents == (16.0, 0.0, 0.0)
    with pytest.raises(ValueError, match="1 or 3 phases, not 2"):
        world.set_phases("carport", at(10, 2), 2)


def test_a_fixed_charger_refuses_to_switch_and_out_of_range_currents() -> None:
    world = home(at(10), pv=0, battery=False)
    world.add_charger("garage", 6.0, 32.0, 3, switchable=False)
    with pytest.raises(ValueError, match="cannot switch phases"):
        world.set_phases("garage", at(10), 1)
    with pytest.raises(ValueError, match="0–32 A, not 40 A"):
        world.set_current("garage", at(10), 40.0)


def test_two_cars_cannot_share_a_charger() -> None:
    world = charging_home(at(10))
    with pytest.raises(ValueError, match="vehicle 'van' cannot use demo charger 'carport'"):
        world.add_car(car(name="van"))
    with pytest.raises(ValueError, match="'nowhere', which is not a demo charger; demo chargers: carport"):
        world.add_car(car(name="van", charger="nowhere"))


def test_overlapping_trips_are_refused() -> None:
    with pytest.raises(ValueError, match="overlap"):
        car(trips=(Trip(time(7, 0), time(9, 0), 1.0), Trip(time(8, 0), time(10, 0), 1.0)))


# --- devices through the registry ---------------------------------------------------------------------


def build_demo(clock: VirtualClock) -> tuple[dict[str, object], World]:
    loaded = load_demo()
    context = BuildContext(clock=clock)
    devices: dict[str, object] = {}
    sections: tuple[tuple[Kind, str], ...] = (("meter", "meters"), ("charger", "chargers"), ("vehicle", "vehicles"))
    for kind, section in sections:
        for index, entry in enumerate(getattr(loaded.config, section)):
            devices[entry.name] = registry.build(kind, entry, (section, index), loaded.source, context).device
    world = context.shared_resources["demo-world"]
    assert isinstance(world, World)
    return devices, world


async def test_the_built_in_demo_builds_with_the_right_capabilities() -> None:
    devices, _ = build_demo(VirtualClock(at(10)))
    expected: dict[str, tuple[type, ...]] = {
        "grid": (p.Meter, p.MeterEnergy, p.MeterReturnEnergy, p.PhaseCurrents),
        "pv": (p.Meter, p.MeterEnergy),
        "battery": (p.Meter, p.MeterEnergy, p.Battery, p.BatteryCapacity, p.BatteryController),
        "garage": (p.Charger, p.ChargerMillis, p.PhaseDescriber, p.CurrentGetter, p.ChargeRater, p.Meter),
        "van": (p.Vehicle, p.VehicleChargeState, p.VehicleRange, p.VehicleOdometer),
    }
    expected["garage"] += (p.MeterEnergy, p.PhaseCurrents)
    expected["carport"] = (*expected["garage"], p.PhaseSwitcher, p.PhaseGetter)
    expected["hatchback"] = expected["van"]
    for name, capabilities in expected.items():
        for capability in capabilities:
            assert isinstance(devices[name], capability), f"{name} is not a {capability.__name__}"
    assert not isinstance(devices["garage"], p.PhaseSwitcher) and not isinstance(devices["garage"], p.PhaseGetter)
    assert not hasattr(devices["garage"], "phases_1p3p")


async def test_the_built_in_demo_runs_on_the_application_clock() -> None:
    clock = VirtualClock(at(10))
    devices, world = build_demo(clock)
    grid, pv, battery = devices["grid"], devices["pv"], devices["battery"]
    carport, hatchback, van = devices["carport"], devices["hatchback"], devices["van"]
    assert isinstance(grid, p.Meter) and isinstance(pv, p.Meter) and isinstance(battery, p.Battery)
    assert isinstance(battery, p.Meter) and isinstance(battery, p.BatteryCapacity)
    assert isinstance(carport, p.PhaseSwitcher) and isinstance(carport, p.PhaseGetter)
    assert isinstance(carport, p.Charger) and isinstance(carport, p.Meter) and isinstance(carport, p.ChargeRater)
    assert isinstance(hatchback, p.VehicleChargeState) and isinstance(van, p.VehicleChargeState)
    assert isinstance(hatchback, p.Vehicle) and isinstance(van, p.Vehicle)

    assert battery.capacity() == 10 and await battery.soc() == 55 and van.title() == "Van"
    assert await hatchback.status() == ChargeStatus.B and await van.status() == ChargeStatus.A
    await carport.enable(True)
    await carport.max_current(16)
    assert await carport.current_power() == 11040 and await carport.status() == ChargeStatus.C
    balance = world.snapshot().home + await carport.current_power() - await pv.current_power()
    assert await grid.current_power() == pytest.approx(balance - await battery.current_power())
    await carport.phases_1p3p(1)
    assert await carport.get_phases() == 1 and await carport.current_power() == 3680
    clock.advance(3600)
    assert await carport.charged_energy() == pytest.approx(3.68)
    assert await hatchback.soc() == pytest.approx(35 + 100 * 3.68 * 0.9 / 58)
    clock.set(at(11, 30))
    assert await van.status() == ChargeStatus.B and await van.soc() == pytest.approx(60 - 100 * 18 / 75)


def config_error(text: str, kind: Kind = "meter", section: str = "meters") -> ConfigError:
    data, source = parse_yaml(text, "test.yaml")
    entry = DeviceEntry.model_validate(data[section][0])
    with pytest.raises(ConfigError) as caught:
        registry.build(kind, entry, (section, 0), source, BuildContext(clock=VirtualClock(at(10))))
    return caught.value


def test_an_unknown_usage_names_the_line_and_the_allowed_values() -> None:
    error = config_error("meters:\n  - name: m\n    type: demo\n    usage: heatpump\n")
    assert "line 4" in str(error)
    assert "allowed values: grid, pv, battery" in str(error)


def test_a_key_of_another_usage_is_refused() -> None:
    error = config_error("meters:\n  - name: m\n    type: demo\n    usage: grid\n    peak: 10\n")
    assert "line 5" in str(error) and "allowed keys: household, seed, usage" in str(error)


def test_a_vehicle_needs_an_existing_demo_charger() -> None:
    data, source = parse_yaml("vehicles:\n  - name: car\n    type: demo\n    charger: nowhere\n")
    entry = DeviceEntry.model_validate(data["vehicles"][0])
    with pytest.raises(ValueError, match="'nowhere', which is not a demo charger"):
        registry.build("vehicle", entry, ("vehicles", 0), source, BuildContext(clock=VirtualClock(at(10))))


def test_a_trip_time_must_be_a_time_of_day() -> None:
    text = """\
vehicles:
  - name: car
    type: demo
    charger: c
    trips:
      - {leave: soon, back: "9:00", energy: 1}
"""
    error = config_error(text, "vehicle", "vehicles")
    assert "line 6" in str(error) and "'soon' is not a time of day" in str(error)
