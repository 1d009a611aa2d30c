"""Settings survive a restart under evcc's keys, in evcc's formats."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from surplus.core.settings import LoadpointSettings, PlanStrategy, SiteSettings, VehicleSettings
from surplus.core.types import ChargeMode
from surplus.runtime.persistence import (
    loadpoint_from_store,
    loadpoint_to_store,
    site_from_store,
    site_to_store,
    vehicle_from_store,
    vehicle_to_store,
)
from surplus.store.database import Database
from surplus.store.settings import SettingsStore, go_float


async def reopened(tmp_path: Path, values: dict[str, str | None]) -> SettingsStore:
    database = await Database.open(tmp_path / "s.db")
    await (await SettingsStore.load(database)).save(values)
    await database.close()
    database = await Database.open(tmp_path / "s.db")
    store = await SettingsStore.load(database)
    await database.close()
    return store


def test_floats_are_written_the_way_go_prints_them() -> None:
    assert [go_float(v) for v in (16.0, 0.12, -500.0, 2.5e-7, 1e21)] == [
        "16",
        "0.12",
        "-500",
        "0.00000025",
        "1000000000000000000000",
    ]


async def test_loadpoint_settings_round_trip(tmp_path: Path) -> None:
    saved = LoadpointSettings(
        mode=ChargeMode.MINPV,
        priority=2,
        min_current=7.5,
        max_current=20,
        phases_configured=1,
        limit_soc=80,
        limit_energy=12.5,
        min_soc=20,
        enable_threshold=-500,
        enable_delay=timedelta(seconds=90),
        disable_threshold=300,
        disable_delay=timedelta(minutes=5),
        smart_cost_limit=0.15,
        battery_boost_limit=40,
        plan_energy=30,
        plan_time=datetime(2026, 6, 2, 7, tzinfo=UTC),
        plan_strategy=PlanStrategy(continuous=True, precondition=timedelta(minutes=30)),
    )
    store = await reopened(tmp_path, loadpoint_to_store(2, saved))
    assert store.get("lp2.mode") == "minpv"
    assert store.get("lp2.smartCostLimit") == "0.15"
    restored = LoadpointSettings()
    loadpoint_from_store(2, restored, store)
    assert restored == saved


async def test_site_and_vehicle_settings_round_trip(tmp_path: Path) -> None:
    site = SiteSettings(
        residual_power=-100,
        priority_soc=20,
        buffer_soc=60,
        buffer_start_soc=90,
        battery_discharge_control=True,
        battery_grid_charge_limit=0.1,
    )
    vehicle = VehicleSettings(mode=ChargeMode.PV, min_soc=30, limit_soc=90)
    store = await reopened(tmp_path, {**site_to_store(site), **vehicle_to_store("ev", vehicle)})
    restored = SiteSettings()
    site_from_store(restored, store)
    assert restored == site
    assert vehicle_from_store("ev", store) == vehicle


async def test_unreadable_values_fall_back_to_the_configured_ones(tmp_path: Path) -> None:
    store = await reopened(tmp_path, {"lp1.maxCurrent": "lots", "lp1.mode": "turbo", "lp1.phasesConfigured": "2"})
    settings = LoadpointSettings(mode=ChargeMode.PV, max_current=32, phases_configured=3)
    loadpoint_from_store(1, settings, store)
    assert (settings.mode, settings.max_current, settings.phases_configured) == (ChargeMode.PV, 32, 3)
