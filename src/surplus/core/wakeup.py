"""Waking a vehicle that does not start charging after it was enabled (core.md §3.14)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from surplus.core.timer import Timer

WAKE_UP_TIMEOUT = timedelta(seconds=30)
WAKE_UP_ATTEMPTS = 6


class WakeUpStep(Enum):
    INACTIVE = "inactive"
    WAITING = "waiting"
    WAKE_CHARGER = "charger"
    WAKE_VEHICLE = "vehicle"
    ASLEEP = "asleep"


@dataclass
class WakeUpTimer:
    attempts: int = WAKE_UP_ATTEMPTS
    timer: Timer | None = None
    attempts_left: int = 0

    def start(self, now: datetime) -> None:
        self.timer = Timer()
        self.timer.restart(now)
        self.attempts_left = self.attempts

    def stop(self) -> None:
        self.timer = None

    @property
    def running(self) -> bool:
        return self.timer is not None

    def step(self, now: datetime, charger_can_wake: bool, vehicle_can_wake: bool) -> WakeUpStep:
        """Every 30 s without charging: one wake-up attempt, alternating between charger and vehicle."""
        if self.timer is None:
            return WakeUpStep.INACTIVE
        if self.timer.elapsed(now) < WAKE_UP_TIMEOUT:
            return WakeUpStep.WAITING
        if self.attempts_left == 0:
            self.stop()
            return WakeUpStep.ASLEEP
        self.attempts_left -= 1
        self.timer.restart(now)
        # odd attempts (the first is odd) go to the charger, or the vehicle without one; even attempts go to the
        # vehicle only when both can wake, so a charger-only wake-up is not repeated back to back
        if self.attempts_left % 2 == 1:
            return WakeUpStep.WAKE_CHARGER if charger_can_wake else WakeUpStep.WAKE_VEHICLE
        return WakeUpStep.WAKE_VEHICLE if charger_can_wake and vehicle_can_wake else WakeUpStep.WAITING
