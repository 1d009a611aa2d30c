"""A timer that starts at an instant, with evcc's "already elapsed" state (core.md §0)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

FOREVER = timedelta(days=36500)


@dataclass
class Timer:
    """Not running, running since ``started``, or elapsed (as if started long ago)."""

    started: datetime | None = None
    already_elapsed: bool = False

    @property
    def running(self) -> bool:
        """Started or elapsed: evcc's "timer is non-zero"."""
        return self.started is not None or self.already_elapsed

    def start(self, now: datetime) -> None:
        """Start unless already running."""
        if not self.running:
            self.started = now

    def restart(self, now: datetime) -> None:
        self.started = now
        self.already_elapsed = False

    def elapse(self) -> None:
        self.started = None
        self.already_elapsed = True

    def reset(self) -> None:
        self.started = None
        self.already_elapsed = False

    def elapsed(self, now: datetime) -> timedelta:
        if self.already_elapsed:
            return FOREVER
        if self.started is None:
            return timedelta(0)
        return now - self.started

    def remaining(self, now: datetime, delay: timedelta) -> timedelta:
        """How long until ``delay`` has passed; 0 when not running or already passed."""
        if not self.running:
            return timedelta(0)
        return max(timedelta(0), delay - self.elapsed(now))

    def expired(self, now: datetime, delay: timedelta) -> bool:
        return self.running and self.elapsed(now) >= delay
