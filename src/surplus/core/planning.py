"""Whether a loadpoint's charging plan wants to charge now (core.md §3.12 "plannerActive").

The planner (planner.py) answers "which slots"; this decides "charge now?" from that answer cycle by cycle,
with evcc's hysteresis: a started plan keeps going through short gaps, a slot ending within a few minutes is
not started, and a plan that runs late keeps charging until the vehicle is full or leaves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from surplus.core.planner import SHORT_SLOT, SLOT, PlanGoal, PlanLock, active_slot, end_of, plan, start_of
from surplus.core.rates import Rate
from surplus.core.settings import PlanStrategy


@dataclass(frozen=True)
class Goal:
    """The plan in force for a loadpoint this cycle."""

    id: int  # 1 static (loadpoint energy plan or vehicle soc plan), 2+ repeating
    time: datetime
    value: float  # soc % when soc-based, kWh otherwise
    soc_based: bool
    strategy: PlanStrategy


@dataclass
class Outcome:
    active: bool = False
    plan: list[Rate] | None = None
    projected_start: datetime | None = None
    projected_end: datetime | None = None
    overrun: timedelta = timedelta(0)
    #: the static plan reached its time or its goal and is to be removed
    delete_static: bool = False
    events: list[str] = field(default_factory=list)


@dataclass
class PlanTracker:
    active: bool = False
    lock: PlanLock = field(default_factory=PlanLock)
    overrun_reported: bool = False
    #: end of the slot the plan last charged in: a started slot is finished even if re-planning drops it
    slot_end: datetime | None = None

    def reset(self) -> None:
        """Disconnect, a plan edit or the end of a plan: nothing carries over."""
        self.active = False
        self.lock.clear()
        self.overrun_reported = False
        self.slot_end = None

    def update(
        self,
        now: datetime,
        goal: Goal | None,
        required: timedelta,
        rates: Sequence[Rate] | None,
        connected: bool,
    ) -> Outcome:
        outcome = Outcome()
        if not connected or goal is None:
            self._deactivate()
            return outcome
        if now >= goal.time and not self.active:
            outcome.delete_static = goal.id == 1
            self._deactivate()
            return outcome
        if required <= timedelta(0):
            if self.active and goal.soc_based and goal.value >= 100:
                outcome.active = True  # keep topping up a vehicle that is to be full
                return outcome
            outcome.delete_static = goal.id == 1
            self._deactivate()
            return outcome
        strategy = goal.strategy
        slots = plan(
            now, required, goal.time, rates, precondition=strategy.precondition, continuous=strategy.continuous
        )
        outcome.plan = slots
        outcome.projected_start = start_of(slots) if slots else None
        outcome.projected_end = end_of(slots) if slots else None
        late = required - (goal.time - now)
        if late > timedelta(0):
            outcome.overrun = late
            if not self.overrun_reported:
                self.overrun_reported = True
                outcome.events.append("planoverrun")
        if not slots:
            self._deactivate()
            return outcome
        slot = active_slot(slots, now)
        if slot is not None:
            if self.active or slot.end - now >= SHORT_SLOT or _successor(slots, slot) is not None:
                self._activate(goal)
                self.slot_end = slot.end
        elif self.active and not self._keep_going(now, goal, required, slots):
            self._deactivate()
        if self.active and strategy.continuous and slot is None:
            outcome.projected_start = now
        outcome.active = self.active
        return outcome

    def _keep_going(self, now: datetime, goal: Goal, required: timedelta, slots: Sequence[Rate]) -> bool:
        """A plan that has started goes on through a gap when stopping would not help anyone."""
        precondition = goal.strategy.precondition
        if now > goal.time:
            return True  # late: charge while the vehicle is here
        if self.slot_end is not None and now < self.slot_end and required > precondition:
            return True
        if precondition < required < SLOT:
            return True
        first = start_of(slots)
        if first is not None and first - now < SHORT_SLOT:
            return True
        return goal.strategy.continuous and required > precondition

    def _activate(self, goal: Goal) -> None:
        self.active = True
        if goal.soc_based:
            self.lock.lock(PlanGoal(goal.id, goal.time, goal.value))

    def _deactivate(self) -> None:
        if self.active:
            self.overrun_reported = False
        self.active = False
        self.slot_end = None
        self.lock.clear()


def _successor(slots: Sequence[Rate], slot: Rate) -> Rate | None:
    return next((other for other in slots if other.start == slot.end), None)
