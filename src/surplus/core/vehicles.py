"""Vehicles: what the core knows about each, identification, detection by status, and ownership (core.md §5)."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from surplus.core.timer import Timer
from surplus.core.types import ChargeMode, ChargeStatus, Feature

DETECTION_DURATION = timedelta(minutes=10)
CACHE_RESET_INTERVAL = timedelta(minutes=1)


@dataclass(frozen=True)
class OnIdentify:
    """Defaults applied when the vehicle is identified on a loadpoint (0 / None = not set)."""

    mode: ChargeMode | None = None
    priority: int = 0
    min_current: float = 0.0
    max_current: float = 0.0
    max_power: float = 0.0


@dataclass(frozen=True)
class VehicleInfo:
    name: str
    title: str
    capacity: float = 0.0  # kWh
    phases: int = 0  # 0 = unknown
    identifiers: tuple[str, ...] = ()
    features: frozenset[Feature] = frozenset()
    on_identify: OnIdentify = OnIdentify()
    icon: str = ""
    #: the vehicle reports its own charge status, so it can be detected by status
    reports_status: bool = False
    #: the vehicle can be woken through its API
    can_wake_up: bool = False

    def has(self, feature: Feature) -> bool:
        return feature in self.features


def match_identifier(vehicles: Iterable[VehicleInfo], identifier: str) -> VehicleInfo | None:
    """The vehicle with ``identifier``: an exact (case-insensitive) match first, then a ``*`` wildcard match."""
    candidates = list(vehicles)
    wanted = identifier.lower()
    for vehicle in candidates:
        if any(known.lower() == wanted for known in vehicle.identifiers):
            return vehicle
    for vehicle in candidates:
        if any("*" in known and fnmatch.fnmatchcase(wanted, known.lower()) for known in vehicle.identifiers):
            return vehicle
    return None


def detect_by_status(
    candidates: Sequence[VehicleInfo], statuses: Mapping[str, ChargeStatus | None], loadpoint_status: ChargeStatus
) -> VehicleInfo | None:
    """The one plugged-in vehicle whose own status explains the loadpoint's (core.md §5).

    An exact status match wins when it is unique; otherwise exactly one vehicle reporting B or C is taken.
    """
    connected = [v for v in candidates if statuses.get(v.name) in (ChargeStatus.B, ChargeStatus.C)]
    exact = [v for v in connected if statuses.get(v.name) == loadpoint_status]
    if len(exact) == 1:
        return exact[0]
    if len(exact) > 1:
        return None
    return connected[0] if len(connected) == 1 else None


@dataclass
class Detection:
    """Status-based detection after a connect: runs for 10 minutes, resetting vehicle caches every minute."""

    started: Timer = field(default_factory=Timer)
    last_cache_reset: datetime | None = None

    @property
    def active(self) -> bool:
        return self.started.running

    def start(self, now: datetime) -> None:
        self.started.restart(now)
        self.last_cache_reset = now

    def stop(self) -> None:
        self.started.reset()
        self.last_cache_reset = None

    def expired(self, now: datetime) -> bool:
        return self.started.expired(now, DETECTION_DURATION)

    def cache_reset_due(self, now: datetime) -> bool:
        """True once a minute while detecting, so vehicle APIs are asked afresh."""
        if self.last_cache_reset is None or now - self.last_cache_reset < CACHE_RESET_INTERVAL:
            return False
        self.last_cache_reset = now
        return True


class Coordinator:
    """A vehicle belongs to at most one loadpoint; acquiring it elsewhere takes it away from the first."""

    def __init__(self, vehicles: Sequence[VehicleInfo]) -> None:
        self.vehicles = {vehicle.name: vehicle for vehicle in vehicles}
        self._owner: dict[str, int] = {}

    def owner(self, name: str) -> int | None:
        return self._owner.get(name)

    def acquire(self, name: str, loadpoint: int) -> int | None:
        """Give the vehicle to ``loadpoint``; returns the loadpoint that lost it, if any."""
        previous = self._owner.get(name)
        self._owner[name] = loadpoint
        return previous if previous is not None and previous != loadpoint else None

    def release(self, name: str, loadpoint: int) -> None:
        if self._owner.get(name) == loadpoint:
            del self._owner[name]

    def available(self, loadpoint: int) -> list[VehicleInfo]:
        """Vehicles not owned by another loadpoint, in configuration order."""
        return [v for v in self.vehicles.values() if self._owner.get(v.name, loadpoint) == loadpoint]
