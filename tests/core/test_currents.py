"""core.md §3.6, scenarios 62–64: effective min/max current from loadpoint, charger and vehicle limits, the charger
power limiter, effective min/limit soc, and the effective powers and priority built on them.

Loadpoint 6–16 A, V = 230 V.
"""

from __future__ import annotations

from typing import Any

import pytest

from surplus.core.circuits import Circuit
from surplus.core.loadpoint import Loadpoint
from surplus.core.settings import VehicleSettings
from surplus.core.vehicles import OnIdentify, VehicleInfo
from tests.core.builders import charger, loadpoint

V = 230.0


def with_limits(
    charger_min: float = 0, charger_max: float = 0, vehicle_min: float = 0, vehicle_max: float = 0, **settings: Any
) -> Loadpoint:
    vehicle = VehicleInfo("car", "Car", on_identify=OnIdentify(min_current=vehicle_min, max_current=vehicle_max))
    return loadpoint(
        info=charger(physical_phases=3, min_current=charger_min, max_current=charger_max),
        vehicles=(vehicle,),
        default_vehicle="car",
        **settings,
    )


# --- scenario 62 --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("limits", "expected"),
    [
        ((0, 0, 0, 0), (6, 16)),
        ((2, 0, 0, 0), (2, 16)),
        ((7, 0, 0, 0), (7, 16)),
        ((0, 10, 0, 0), (6, 10)),
        ((0, 20, 0, 0), (6, 16)),
        ((0, 0, 5, 0), (6, 16)),
        ((0, 0, 8, 0), (8, 16)),
        ((0, 0, 0, 10), (6, 10)),
        ((0, 0, 0, 20), (6, 16)),
        ((2, 0, 5, 0), (5, 16)),
        ((0, 20, 0, 32), (6, 16)),
    ],
)
def test_scenario_62_effective_min_max_current(limits: tuple[float, ...], expected: tuple[float, float]) -> None:
    lp = with_limits(*limits)
    assert lp.vehicle is not None
    assert (lp.effective_min_current(), lp.effective_max_current()) == expected


def test_scenario_62_without_vehicle_only_loadpoint_and_charger_count() -> None:
    lp = loadpoint(info=charger(physical_phases=3, min_current=0, max_current=10))
    assert (lp.effective_min_current(), lp.effective_max_current()) == (6, 10)
    lp = loadpoint(info=charger(physical_phases=3), min_current=8, max_current=12)
    assert (lp.effective_min_current(), lp.effective_max_current()) == (8, 12)


# --- scenario 63: PowerLimiter ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("min_power", "max_power", "coarse", "expected"),
    [
        (3 * V * 10, 3 * V * 12, False, (10, 12)),
        (3 * V * 5.5, 3 * V * 5.5, True, (6, 6)),
    ],
)
def test_scenario_63_power_limiter(
    min_power: float, max_power: float, coarse: bool, expected: tuple[float, float]
) -> None:
    lp = loadpoint(
        info=charger(physical_phases=3, phases1p3p=False, coarse=coarse, min_power=min_power, max_power=max_power),
        phases_configured=3,
    )
    lp.phases.switched = 3
    assert (lp.effective_min_current(), lp.effective_max_current()) == pytest.approx(expected)


def test_scenario_63_current_limiter_equivalent() -> None:
    """The closest thing the core has: a charger reporting its limits as currents (10 A / 12 A)."""
    lp = loadpoint(info=charger(physical_phases=3, min_current=10, max_current=12))
    assert (lp.effective_min_current(), lp.effective_max_current()) == (10, 12)


# --- scenario 64: effective soc limits ----------------------------------------------------------------------------


def with_vehicle_settings(setting: VehicleSettings, **settings: Any) -> Loadpoint:
    lp = loadpoint(vehicles=(VehicleInfo("car", "Car", capacity=50),), default_vehicle="car", **settings)
    lp.vehicle_settings = {"car": setting}
    return lp


@pytest.mark.parametrize(
    ("lp_min", "vehicle_min", "expected"), [(0, 0, 0), (10, 0, 10), (0, 20, 20), (10, 20, 20), (20, 10, 20)]
)
def test_scenario_64_effective_min_soc(lp_min: int, vehicle_min: int, expected: int) -> None:
    lp = with_vehicle_settings(VehicleSettings(min_soc=vehicle_min), min_soc=lp_min)
    assert lp.effective_min_soc() == expected


def test_scenario_64_effective_limit_soc_defaults_to_100() -> None:
    assert loadpoint().effective_limit_soc() == 100
    assert with_vehicle_settings(VehicleSettings()).effective_limit_soc() == 100


@pytest.mark.parametrize(("lp_limit", "vehicle_limit", "expected"), [(80, 0, 80), (0, 70, 70), (80, 70, 80)])
def test_scenario_64_effective_limit_soc(lp_limit: int, vehicle_limit: int, expected: int) -> None:
    lp = with_vehicle_settings(VehicleSettings(limit_soc=vehicle_limit), limit_soc=lp_limit)
    assert lp.effective_limit_soc() == expected


def test_scenario_64_limit_soc_reached_only_below_100() -> None:
    lp = with_vehicle_settings(VehicleSettings(limit_soc=80))
    lp.vehicle_soc = 80
    assert lp.limit_soc_reached()
    lp.vehicle_soc = 79.9
    assert not lp.limit_soc_reached()
    lp = with_vehicle_settings(VehicleSettings())
    lp.vehicle_soc = 100
    assert not lp.limit_soc_reached()  # limit 100 is never "reached"


# --- §3.6 effective powers and priority (derived) -----------------------------------------------------------------


def test_effective_min_power_uses_min_active_phases() -> None:
    fixed = loadpoint(info=charger(physical_phases=3))
    assert fixed.effective_min_power() == pytest.approx(V * 6 * 3)
    auto = loadpoint(info=charger(phases1p3p=True), phases_configured=0)
    assert auto.effective_min_power() == pytest.approx(V * 6 * 1)


def test_effective_max_power_is_capped_by_vehicle_and_circuit() -> None:
    lp = loadpoint(info=charger(physical_phases=3))
    assert lp.effective_max_power() == pytest.approx(V * 16 * 3)
    lp = loadpoint(
        info=charger(physical_phases=3),
        vehicles=(VehicleInfo("car", "Car", on_identify=OnIdentify(max_power=7000)),),
        default_vehicle="car",
    )
    assert lp.effective_max_power() == pytest.approx(7000)
    lp.circuit = Circuit("main", max_power=5000)
    assert lp.effective_max_power() == pytest.approx(5000)


def test_effective_priority_prefers_the_vehicle() -> None:
    lp = loadpoint(priority=2)
    assert lp.effective_priority() == 2
    lp = loadpoint(
        priority=2, vehicles=(VehicleInfo("car", "Car", on_identify=OnIdentify(priority=5)),), default_vehicle="car"
    )
    assert lp.effective_priority() == 5
