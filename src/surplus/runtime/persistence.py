"""Which settings are stored under which evcc key, and how they come back after a restart."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import TypeVar

from surplus.core.plans_input import repeating_plan
from surplus.core.settings import LoadpointSettings, PlanStrategy, RepeatingPlan, SiteSettings, VehicleSettings
from surplus.core.types import ChargeMode
from surplus.state import format_time
from surplus.store.settings import SettingsStore, go_float

Stored = dict[str, str | None]
T = TypeVar("T")


def _ns(duration: timedelta) -> str:
    return str(int(duration.total_seconds() * 1_000_000_000))


def _optional(value: float | None) -> str | None:
    return None if value is None else go_float(value)


def _time(value: datetime | None) -> str | None:
    return None if value is None else format_time(value)


def _strategy(strategy: PlanStrategy) -> str:
    return json.dumps(
        {"continuous": strategy.continuous, "precondition": int(strategy.precondition.total_seconds())},
        separators=(",", ":"),
    )


def site_to_store(settings: SiteSettings) -> Stored:
    return {
        "residualPower": go_float(settings.residual_power),
        "prioritySoc": go_float(settings.priority_soc),
        "bufferSoc": go_float(settings.buffer_soc),
        "bufferStartSoc": go_float(settings.buffer_start_soc),
        "batteryDischargeControl": str(settings.battery_discharge_control).lower(),
        "batteryGridChargeLimit": _optional(settings.battery_grid_charge_limit),
        "telemetry": str(settings.telemetry).lower(),
    }


def site_from_store(settings: SiteSettings, store: SettingsStore) -> None:
    settings.residual_power = _or(store.float("residualPower"), settings.residual_power)
    settings.priority_soc = _or(store.float("prioritySoc"), settings.priority_soc)
    settings.buffer_soc = _or(store.float("bufferSoc"), settings.buffer_soc)
    settings.buffer_start_soc = _or(store.float("bufferStartSoc"), settings.buffer_start_soc)
    settings.battery_discharge_control = _or(store.bool("batteryDischargeControl"), settings.battery_discharge_control)
    settings.telemetry = _or(store.bool("telemetry"), settings.telemetry)
    if store.get("batteryGridChargeLimit") is not None:
        settings.battery_grid_charge_limit = store.float("batteryGridChargeLimit")


def loadpoint_to_store(number: int, settings: LoadpointSettings) -> Stored:
    """``number`` counts from 1, as evcc's keys do (``lp1.mode``)."""
    prefix = f"lp{number}."
    values: Stored = {
        "mode": settings.mode.value,
        "priority": str(settings.priority),
        "minCurrent": go_float(settings.min_current),
        "maxCurrent": go_float(settings.max_current),
        "phasesConfigured": str(settings.phases_configured),
        "limitSoc": str(settings.limit_soc),
        "limitEnergy": go_float(settings.limit_energy),
        "minSoc": str(settings.min_soc),
        "enableThreshold": go_float(settings.enable_threshold),
        "enableDelay": _ns(settings.enable_delay),
        "disableThreshold": go_float(settings.disable_threshold),
        "disableDelay": _ns(settings.disable_delay),
        "smartCostLimit": _optional(settings.smart_cost_limit),
        "smartFeedInPriorityLimit": _optional(settings.smart_feedin_priority_limit),
        "batteryBoostLimit": str(settings.battery_boost_limit),
        "planEnergy": go_float(settings.plan_energy),
        "planTime": _time(settings.plan_time),
        "planStrategy": _strategy(settings.plan_strategy),
    }
    return {prefix + key: value for key, value in values.items()}


def loadpoint_from_store(number: int, settings: LoadpointSettings, store: SettingsStore) -> None:
    """Settings saved by an earlier run win over the configuration's starting values.

    The saved mode comes back too, even when the configuration names a mode: that one is the default mode,
    applied when a vehicle leaves (evcc drops the user's mode at a restart instead).
    """
    prefix = f"lp{number}."
    mode = store.get(prefix + "mode")
    if mode in {m.value for m in ChargeMode}:
        settings.mode = ChargeMode(mode)
    settings.priority = _or(store.int(prefix + "priority"), settings.priority)
    settings.min_current = _or(store.float(prefix + "minCurrent"), settings.min_current)
    settings.max_current = _or(store.float(prefix + "maxCurrent"), settings.max_current)
    phases = store.int(prefix + "phasesConfigured")
    if phases in (0, 1, 3):
        settings.phases_configured = phases
    settings.limit_soc = _or(store.int(prefix + "limitSoc"), settings.limit_soc)
    settings.limit_energy = _or(store.float(prefix + "limitEnergy"), settings.limit_energy)
    settings.min_soc = _or(store.int(prefix + "minSoc"), settings.min_soc)
    settings.enable_threshold = _or(store.float(prefix + "enableThreshold"), settings.enable_threshold)
    settings.enable_delay = _or(store.duration(prefix + "enableDelay"), settings.enable_delay)
    settings.disable_threshold = _or(store.float(prefix + "disableThreshold"), settings.disable_threshold)
    settings.disable_delay = _or(store.duration(prefix + "disableDelay"), settings.disable_delay)
    if store.get(prefix + "smartCostLimit") is not None:
        settings.smart_cost_limit = store.float(prefix + "smartCostLimit")
    if store.get(prefix + "smartFeedInPriorityLimit") is not None:
        settings.smart_feedin_priority_limit = store.float(prefix + "smartFeedInPriorityLimit")
    settings.battery_boost_limit = _or(store.int(prefix + "batteryBoostLimit"), settings.battery_boost_limit)
    settings.plan_energy = _or(store.float(prefix + "planEnergy"), settings.plan_energy)
    settings.plan_time = store.time(prefix + "planTime") or settings.plan_time
    settings.plan_strategy = _strategy_from(store.json(prefix + "planStrategy"), settings.plan_strategy)


def vehicle_to_store(name: str, settings: VehicleSettings) -> Stored:
    prefix = f"vehicle.{name}."
    values: Stored = {
        "mode": settings.mode.value if settings.mode else None,
        "minSoc": str(settings.min_soc),
        "limitSoc": str(settings.limit_soc),
        "planTime": _time(settings.plan_time),
        "planSoc": str(settings.plan_soc),
        "planStrategy": _strategy(settings.plan_strategy),
        "repeatingPlans": json.dumps([plan.to_json() for plan in settings.repeating_plans], separators=(",", ":")),
    }
    return {prefix + key: value for key, value in values.items()}


def vehicle_from_store(name: str, store: SettingsStore) -> VehicleSettings:
    prefix = f"vehicle.{name}."
    mode = store.get(prefix + "mode")
    return VehicleSettings(
        mode=ChargeMode(mode) if mode in {m.value for m in ChargeMode} else None,
        min_soc=store.int(prefix + "minSoc") or 0,
        limit_soc=store.int(prefix + "limitSoc") or 0,
        plan_time=store.time(prefix + "planTime"),
        plan_soc=store.int(prefix + "planSoc") or 0,
        plan_strategy=_strategy_from(store.json(prefix + "planStrategy"), PlanStrategy()),
        repeating_plans=_repeating_from(store.json(prefix + "repeatingPlans")),
    )


def _repeating_from(value: object) -> tuple[RepeatingPlan, ...]:
    """Stored repeating plans; an entry that does not read back is dropped rather than failing start-up."""
    if not isinstance(value, list):
        return ()
    plans = []
    for item in value:
        try:
            plans.append(repeating_plan(item))
        except ValueError:
            continue
    return tuple(plans)


def _strategy_from(value: object, default: PlanStrategy) -> PlanStrategy:
    if not isinstance(value, dict):
        return default
    precondition = value.get("precondition", 0)
    return PlanStrategy(
        continuous=bool(value.get("continuous", False)),
        precondition=timedelta(seconds=precondition if isinstance(precondition, int | float) else 0),
    )


def _or(value: T | None, default: T) -> T:
    return default if value is None else value
