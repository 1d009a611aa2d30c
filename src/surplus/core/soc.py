"""Vehicle state of charge: estimation between polls, poll gating, remaining time and energy (core.md §3.8).

Everything here is pure: the caller passes the fetched soc, the session's charged energy and ``now``.
Soc values are in %, energies in Wh unless a name says kWh, powers in W.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from surplus.core.types import ChargeStatus
from surplus.core.units import CHARGE_EFFICIENCY

#: a learnt energy-per-percent needs the soc to have moved more than this since the first soc change (%)
MIN_LEARNING_SOC_SPAN = 10.0
#: below this power the taper model charges at full power up to 100 %
TAPER_BASE_POWER = 1000.0
#: per W above TAPER_BASE_POWER the taper starts this many % earlier (1/980 %/W)
TAPER_SLOPE = 980.0

POLL_CHARGING = "charging"
POLL_CONNECTED = "connected"
POLL_ALWAYS = "always"
POLL_MODES = (POLL_CHARGING, POLL_CONNECTED, POLL_ALWAYS)
DEFAULT_POLL_INTERVAL = timedelta(minutes=60)


def nominal_virtual_capacity_wh(capacity_kwh: float) -> float:
    """Energy drawn from the grid to charge an empty battery full: capacity / charge efficiency (Wh)."""
    return max(0.0, capacity_kwh) * 1000 / CHARGE_EFFICIENCY


def _round_to_seconds(hours: float) -> timedelta:
    """Whole seconds, halves rounded away from zero (like Go's Duration.Round), never negative."""
    if not math.isfinite(hours) or hours <= 0:
        return timedelta(0)
    return timedelta(seconds=math.floor(hours * 3600 + 0.5))


def remaining_duration(virtual_capacity_wh: float, soc: float, target_soc: float, power_w: float) -> timedelta:
    """Time to charge from ``soc`` to ``target_soc`` at ``power_w`` with the taper model of §3.8.

    Up to the taper point ``100 − (P − 1000)/980`` % the car takes the full power; above it, the mean of the
    power and 1 kW. The result is rounded to whole seconds and is 0 when there is nothing to charge, no power or
    no capacity.
    """
    if power_w <= 0 or virtual_capacity_wh <= 0 or target_soc <= soc:
        return timedelta(0)
    taper = 100 - (power_w - TAPER_BASE_POWER) / TAPER_SLOPE
    hours = 0.0
    if soc < taper:
        hours += (min(target_soc, taper) - soc) / 100 * virtual_capacity_wh / power_w
    if target_soc > taper:
        tapered_power = (power_w + TAPER_BASE_POWER) / 2
        hours += (target_soc - max(soc, taper)) / 100 * virtual_capacity_wh / tapered_power
    return _round_to_seconds(hours)


def remaining_energy(virtual_capacity_wh: float, soc: float, target_soc: float) -> float:
    """Energy (kWh, from the grid) still needed to reach ``target_soc``; 0 when already there."""
    return max(0.0, target_soc - soc) / 100 * max(0.0, virtual_capacity_wh) / 1000


def min_soc_energy_wh(capacity_kwh: float, min_soc: float) -> float:
    """Energy (Wh) that stands in for ``min_soc`` when the vehicle's soc is unknown: capacity × minSoc × 10 / 0.85."""
    return max(0.0, capacity_kwh) * min_soc * 10 / CHARGE_EFFICIENCY


def min_soc_energy_reached(capacity_kwh: float, min_soc: float, charged_wh: float) -> bool:
    """Without a soc: has the session charged the energy equivalent of ``min_soc``?"""
    return charged_wh >= min_soc_energy_wh(capacity_kwh, min_soc)


def min_soc_not_reached(
    min_soc: float,
    soc: float | None,
    charged_wh: float,
    capacity_kwh: float,
    vehicle_present: bool = True,
) -> bool:
    """§3.8 "minSoc not reached": a known soc (≠ 0) is compared directly, otherwise a present vehicle's charged
    energy is compared with :func:`min_soc_energy_wh`. ``min_soc`` is the effective minimum soc (0 = none)."""
    if min_soc <= 0:
        return False
    if soc:
        return soc < min_soc
    return vehicle_present and not min_soc_energy_reached(capacity_kwh, min_soc, charged_wh)


class SocEstimator:
    """Fills the gaps between soc readings with the energy charged since the last change (§3.8).

    The fetched soc is the base; while it stays the same and the session's charged energy grows, the estimate is
    ``base + ΔE / WhPerPct`` (capped at 100). When the fetched soc changes, or the energy goes backwards (a new
    session, a reset counter), the estimate snaps to the fetched value and the base moves there.

    Learning: the first soc change after a reset records an *initial* (soc, energy) point, once. At every later
    soc change, if the soc has moved more than 10 % from that point and energy has been charged since, the energy
    per percent becomes ``ΔE / Δsoc`` and the virtual capacity ``max(capacity, WhPerPct × 100)``.

    A missing soc (``None``) keeps the last estimate and changes nothing. With estimation disabled or no capacity
    the fetched soc passes through.
    """

    def __init__(self, capacity_kwh: float, estimate: bool = True) -> None:
        self.capacity_kwh = capacity_kwh
        self.estimate = estimate
        self.reset()

    def reset(self) -> None:
        """Forget everything learnt (vehicle change, new session)."""
        self._virtual_capacity_wh = nominal_virtual_capacity_wh(self.capacity_kwh)
        self._wh_per_pct = self._virtual_capacity_wh / 100
        self._base_soc = 0.0
        self._base_energy = 0.0
        self._initial: tuple[float, float] | None = None
        self._estimate: float | None = None

    @property
    def active(self) -> bool:
        """Whether readings are extrapolated (estimation enabled and a capacity known)."""
        return self.estimate and self.capacity_kwh > 0

    @property
    def virtual_capacity_wh(self) -> float:
        """Grid energy for 0→100 %: capacity×1000/0.85 until learnt otherwise."""
        return self._virtual_capacity_wh

    @property
    def wh_per_pct(self) -> float:
        return self._wh_per_pct

    @property
    def last(self) -> float | None:
        """The last soc returned, if any."""
        return self._estimate

    def soc(self, fetched: float | None, charged_energy_wh: float) -> float | None:
        """The soc to use this cycle, given the vehicle's reading (``None`` when unknown) and the session energy."""
        if fetched is None:
            return self._estimate
        if not self.active:
            self._estimate = fetched
            return fetched

        energy = max(0.0, charged_energy_wh)
        added = energy - self._base_energy
        if fetched == self._base_soc and added >= 0:
            estimate = min(fetched + added / self._wh_per_pct, 100.0) if self._wh_per_pct > 0 else fetched
        else:
            if fetched != self._base_soc:
                self._learn(fetched, energy)
            self._base_soc = fetched
            self._base_energy = energy
            estimate = fetched
        self._estimate = estimate
        return estimate

    def _learn(self, soc: float, energy: float) -> None:
        if self._initial is None:
            self._initial = (soc, energy)
            return
        initial_soc, initial_energy = self._initial
        soc_span = soc - initial_soc
        energy_span = energy - initial_energy
        if soc_span > MIN_LEARNING_SOC_SPAN and energy_span > 0:
            self._wh_per_pct = energy_span / soc_span
            self._virtual_capacity_wh = max(self.capacity_kwh * 1000, self._wh_per_pct * 100)

    def remaining_duration(self, target_soc: float, power_w: float, soc: float) -> timedelta:
        """Time to ``target_soc`` at ``power_w`` with this estimator's virtual capacity."""
        return remaining_duration(self._virtual_capacity_wh, soc, target_soc, power_w)

    def remaining_energy(self, target_soc: float, soc: float) -> float:
        """Grid energy (kWh) still needed to reach ``target_soc``."""
        return remaining_energy(self._virtual_capacity_wh, soc, target_soc)


class SocPoller:
    """Whether the vehicle's soc may be polled this cycle (§3.8 'Poll allowed').

    Never for an offline vehicle; always while charging or for a streaming vehicle; once after each reset while
    connected; and in mode ``always`` (any status) or ``connected`` (vehicle connected) whenever ``interval`` has
    passed since the last counted poll.
    """

    def __init__(self, mode: str = POLL_CHARGING, interval: timedelta = DEFAULT_POLL_INTERVAL) -> None:
        if mode not in POLL_MODES:
            raise ValueError(f"soc poll mode '{mode}' unknown; expected one of {', '.join(POLL_MODES)}")
        self.mode = mode
        self.interval = interval
        self.last_poll: datetime | None = None

    def reset(self) -> None:
        """On connect, disconnect, charge start/stop and vehicle change: the next connected cycle polls."""
        self.last_poll = None

    def allowed(self, now: datetime, status: ChargeStatus, offline: bool = False, streaming: bool = False) -> bool:
        if offline:
            return False
        if status == ChargeStatus.C or streaming:
            return True
        connected = status != ChargeStatus.A
        if connected and self.last_poll is None:
            return True
        if self.mode == POLL_ALWAYS or (self.mode == POLL_CONNECTED and connected):
            return self.last_poll is None or now - self.last_poll >= self.interval
        return False

    def polled(self, now: datetime, must_retry: bool = False) -> None:
        """After a poll attempt; an answer asking to retry does not count as a poll."""
        if not must_retry:
            self.last_poll = now


def progress_crossed(previous: float, current: float, step: float = 10) -> bool:
    """Whether ``current`` lies in a higher ``step`` band than ``previous`` (e.g. 5 → 10, 25 → 30, 30 → 60)."""
    if step <= 0:
        return False
    return math.floor(current / step) > math.floor(previous / step)


class Progress:
    """Reports each ``step`` of soc progress once (§3.8 "progress notification every 10 %").

    ``reached(value)`` is true when ``value`` is at or above the next threshold, which starts at ``start``; the
    threshold then moves to the step band above ``value`` (60 → next 70, 25 → next 30). Values going down report
    nothing until they pass the threshold again; :meth:`reset` re-arms at ``start``.
    """

    def __init__(self, step: float = 10, start: float = 0) -> None:
        if step <= 0:
            raise ValueError("progress step must be positive")
        self.step = step
        self.start = start
        self._next = start

    def reset(self) -> None:
        self._next = self.start

    def reached(self, value: float) -> bool:
        if value < self._next:
            return False
        self._next = (math.floor(value / self.step) + 1) * self.step
        return True
