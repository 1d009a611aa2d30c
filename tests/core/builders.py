"""Small builders for core tests: a loadpoint with the charger, vehicle and settings a scenario names."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from surplus.core.energy import EnergySource
from surplus.core.loadpoint import ChargerInfo, Loadpoint, LoadpointConfig, SiteContext
from surplus.core.readings import ChargerReading
from surplus.core.settings import LoadpointSettings
from surplus.core.types import ChargeMode, ChargeStatus, Feature
from surplus.core.vehicles import Coordinator, VehicleInfo

T0 = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def charger(
    *,
    phases1p3p: bool = False,
    coarse: bool = True,
    physical_phases: int = 0,
    features: frozenset[Feature] = frozenset(),
    energy_source: EnergySource = EnergySource.POWER,
    **extra: Any,
) -> ChargerInfo:
    return ChargerInfo(
        phases1p3p=phases1p3p,
        coarse=coarse,
        physical_phases=physical_phases,
        features=features,
        energy_source=energy_source,
        **extra,
    )


def loadpoint(
    *,
    info: ChargerInfo | None = None,
    mode: ChargeMode = ChargeMode.PV,
    voltage: float = 230.0,
    vehicles: tuple[VehicleInfo, ...] = (),
    default_vehicle: str | None = None,
    default_mode: ChargeMode | None = None,
    index: int = 0,
    coordinator: Coordinator | None = None,
    **settings: Any,
) -> Loadpoint:
    """A loadpoint with ``settings`` (LoadpointSettings fields) over the defaults of a 6–16 A loadpoint."""
    info = info or charger()
    values = LoadpointSettings(mode=mode)
    if "phases_configured" not in settings:
        values.phases_configured = 0 if info.phases1p3p else (info.physical_phases or 3)
    for key, value in settings.items():
        setattr(values, key, value)
    return Loadpoint(
        LoadpointConfig(
            index=index,
            title=f"Loadpoint {index + 1}",
            charger=info,
            name=f"lp-{index + 1}",
            default_mode=default_mode,
            default_vehicle=default_vehicle,
        ),
        values,
        coordinator or Coordinator(vehicles),
        voltage=voltage,
    )


def context(now: datetime, site_power: float = 0.0, **values: Any) -> SiteContext:
    return SiteContext(now=now, site_power=site_power, **values)


def reading(status: ChargeStatus | str, enabled: bool, **values: Any) -> ChargerReading:
    return ChargerReading(status=ChargeStatus(status), enabled=enabled, **values)
