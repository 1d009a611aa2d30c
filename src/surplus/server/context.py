"""What the routes need: the state, the clock, the control loop, the setters and the database."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from surplus.clock import Clock
from surplus.core.rates import Rate
from surplus.core.site import Tariffs
from surplus.runtime.setters import Setters
from surplus.state import State
from surplus.store.database import Database
from surplus.store.sessions import SessionStore


class LoopStatus(Protocol):
    @property
    def last_cycle(self) -> datetime | None: ...

    @property
    def interval(self) -> timedelta: ...


@dataclass(frozen=True)
class ApiContext:
    state: State
    clock: Clock
    loop: LoopStatus
    setters: Setters | None = None
    database: Database | None = None
    #: the one writer of session rows: edits and deletes go through it
    sessions: SessionStore | None = None
    tariffs: Callable[[], Tariffs] = Tariffs
    #: the known rates of a usage, None when it is not configured
    tariff_rates: Callable[[str], list[Rate] | None] = lambda usage: None

    def planner_rates(self) -> list[Rate] | None:
        """What plans are made with; None without a planner tariff (plans then simply end at their time)."""
        rates = self.tariffs().planner
        return list(rates) if rates else None

    @property
    def set(self) -> Setters:
        assert self.setters is not None, "setters are wired by the application"
        return self.setters
