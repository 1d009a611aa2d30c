"""Settings the core reads as plain values. The API validates and changes them; the runtime persists them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from surplus.core.types import ChargeMode
from surplus.core.units import DEFAULT_VOLTAGE


@dataclass
class PlanStrategy:
    continuous: bool = False
    precondition: timedelta = timedelta(0)

    def to_json(self) -> dict[str, bool | int]:
        """evcc's shape: ``{"continuous": bool, "precondition": seconds}``."""
        return {"continuous": self.continuous, "precondition": int(self.precondition.total_seconds())}


@dataclass
class SiteSettings:
    title: str = "Home"
    voltage: float = DEFAULT_VOLTAGE
    residual_power: float = 0.0
    priority_soc: float = 0.0
    buffer_soc: float = 0.0
    buffer_start_soc: float = 0.0
    battery_discharge_control: bool = False
    battery_grid_charge_limit: float | None = None
    #: kept for evcc clients; Surplus sends no telemetry anywhere
    telemetry: bool = False


@dataclass
class LoadpointSettings:
    mode: ChargeMode = ChargeMode.OFF
    priority: int = 0
    min_current: float = 6.0
    max_current: float = 16.0
    #: 0 = automatic (switchable chargers only), 1 or 3
    phases_configured: int = 3
    limit_soc: int = 0
    limit_energy: float = 0.0  # kWh
    min_soc: int = 0
    enable_threshold: float = 0.0  # W of site power
    enable_delay: timedelta = timedelta(minutes=1)
    disable_threshold: float = 0.0
    disable_delay: timedelta = timedelta(minutes=3)
    smart_cost_limit: float | None = None
    smart_feedin_priority_limit: float | None = None
    battery_boost_limit: int = 100
    plan_energy: float = 0.0  # kWh
    plan_time: datetime | None = None
    plan_strategy: PlanStrategy = field(default_factory=PlanStrategy)
    soc_poll_mode: str = "charging"  # charging | connected | always
    soc_poll_interval: timedelta = timedelta(minutes=60)
    soc_estimate: bool | None = None


@dataclass(frozen=True)
class RepeatingPlan:
    """Every given weekday (0 = Sunday … 6) at ``time`` ("HH:MM") in the IANA zone ``tz``, reach ``soc``."""

    weekdays: tuple[int, ...]
    time: str
    tz: str
    soc: int
    active: bool = True

    def to_json(self) -> dict[str, object]:
        return {
            "weekdays": list(self.weekdays),
            "time": self.time,
            "tz": self.tz,
            "soc": self.soc,
            "active": self.active,
        }


@dataclass
class VehicleSettings:
    """Per-vehicle settings (evcc keeps them under ``vehicle.<name>.<key>``)."""

    mode: ChargeMode | None = None
    min_soc: int = 0
    limit_soc: int = 0
    plan_time: datetime | None = None
    plan_soc: int = 0
    plan_strategy: PlanStrategy = field(default_factory=PlanStrategy)
    repeating_plans: tuple[RepeatingPlan, ...] = ()
