"""What the core tells devices to do. The runtime sends them in order and reports failures back."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from surplus.core.types import BatteryMode


@dataclass(frozen=True)
class Enable:
    enable: bool

    def to_json(self) -> dict[str, Any]:
        return {"enable": self.enable}


@dataclass(frozen=True)
class MaxCurrent:
    """Offer ``current`` A per phase; whole amperes when ``coarse``."""

    current: float
    coarse: bool = True

    def to_json(self) -> dict[str, Any]:
        return {"maxCurrent": int(self.current) if self.coarse else self.current}


@dataclass(frozen=True)
class SwitchPhases:
    phases: int

    def to_json(self) -> dict[str, Any]:
        return {"phases1p3p": self.phases}


@dataclass(frozen=True)
class WakeUp:
    """Wake the vehicle, through the charger or the vehicle's own API."""

    via: Literal["charger", "vehicle"]

    def to_json(self) -> dict[str, Any]:
        return {"wakeUp": self.via}


ChargerCommand = Enable | MaxCurrent | SwitchPhases | WakeUp


@dataclass(frozen=True)
class SetBatteryMode:
    mode: BatteryMode
