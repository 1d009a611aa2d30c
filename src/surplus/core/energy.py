"""A charging session's energy: how much, from which source, how green, at what price (core.md §3.15).

Pure: the caller passes readings and ``now``. Energies are kWh unless a name says Wh.
"""

from __future__ import annotations

import math
from datetime import datetime
from enum import StrEnum
from typing import Any

#: session energy above this (kWh) is garbage and ignored
MAX_SESSION_ENERGY = 1000.0


class EnergyMetrics:
    """A session's energy with its solar share, price and CO₂ (§3.15 EnergyMetrics).

    Each new session total adds ``added = new − old`` (ignored unless positive) at the share, price and CO₂
    intensity valid now. Price and CO₂ stay ``None`` until an update brings one; per-kWh figures divide by the whole
    session energy.
    """

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.total_kwh = 0.0
        self._solar_kwh = 0.0
        self.price: float | None = None
        self._co2_g: float | None = None

    def update(self, total_kwh: float, green_share: float, price: float | None, co2: float | None) -> None:
        """A new session total (kWh) with the green share (0..1), effective price (per kWh) and CO₂ (g/kWh) now."""
        added = total_kwh - self.total_kwh
        if not added > 0 or not math.isfinite(total_kwh):
            return
        self.total_kwh = total_kwh
        self._solar_kwh += added * min(1.0, max(0.0, green_share))
        if price is not None:
            self.price = (self.price or 0.0) + added * price
        if co2 is not None:
            self._co2_g = (self._co2_g or 0.0) + added * co2

    @property
    def total_wh(self) -> float:
        return self.total_kwh * 1000

    @property
    def solar_kwh(self) -> float:
        return self._solar_kwh

    @property
    def solar_percentage(self) -> float:
        if self.total_kwh <= 0:
            return 0.0
        return min(100.0, max(0.0, 100 * self._solar_kwh / self.total_kwh))

    @property
    def price_per_kwh(self) -> float | None:
        if self.price is None or self.total_kwh <= 0:
            return None
        return self.price / self.total_kwh

    @property
    def co2_per_kwh(self) -> float | None:
        if self._co2_g is None or self.total_kwh <= 0:
            return None
        return self._co2_g / self.total_kwh

    def published(self) -> dict[str, Any]:
        """The loadpoint state keys for this session."""
        return {
            "sessionEnergy": self.total_wh,
            "sessionSolarPercentage": self.solar_percentage,
            "sessionPrice": self.price,
            "sessionPricePerKWh": self.price_per_kwh,
            "sessionCo2PerKWh": self.co2_per_kwh,
        }


class EnergySource(StrEnum):
    """Where a loadpoint's session energy comes from, chosen once at wiring time."""

    METER = "meter"  # a charge meter's total energy, counted between charge start and stop
    CHARGER = "charger"  # the charger's own session counter (ChargeRater)
    POWER = "power"  # charge power integrated over time while charging


def select_source(separate_meter: bool, meter_has_total: bool, charger_is_rater: bool) -> EnergySource:
    """§3.15: the charger's counter when there is no separate charge meter; otherwise the meter's total energy,
    else integration of the (meter's or charger's) power."""
    if not separate_meter and charger_is_rater:
        return EnergySource.CHARGER
    if separate_meter and meter_has_total:
        return EnergySource.METER
    return EnergySource.POWER


class ChargedEnergy:
    """Energy of the running session from one source (§3.15), never decreasing within a session.

    - ``METER``: the charge meter's total, as the sum of its increase over each charge segment (start → stop).
    - ``CHARGER``: the charger's session counter minus the value seen when Surplus started into a running session
      (``start_session(..., at_startup=True)``); followed whatever the charge status.
    - ``POWER``: power reported at an instant applies to the interval since the previous report (or the charge
      start) while charging; two reports at the same instant count once; reports while not charging are ignored.

    A reading that would make the energy go backwards or exceed ``MAX_SESSION_ENERGY`` is garbage and ignored.
    The loadpoint drives it: ``start_session`` on connect, ``start_charge``/``stop_charge`` on status changes,
    ``update`` every cycle, ``kwh()`` to publish.
    """

    def __init__(self, source: EnergySource = EnergySource.POWER) -> None:
        self.source = source
        self._charging = False
        self._last_meter: float | None = None  # last plausible meter total (kWh), whether charging or not
        self._counter_offset = 0.0
        self.start_session(None)

    def start_session(
        self,
        now: datetime | None,
        meter_total_kwh: float | None = None,
        charger_counter_kwh: float | None = None,
        *,
        at_startup: bool = False,
    ) -> None:
        """A vehicle connected (or Surplus started with one connected): the session's energy restarts at 0.

        With ``at_startup`` the charger counter's current value belongs to before Surplus ran and is subtracted
        from later readings; on a plain connect the counter is taken as the new session's own.
        """
        self._done = 0.0  # energy of closed segments (METER) or integrated so far (POWER)
        self._segment_start: float | None = None  # meter total at the running segment's start
        self._segment_now: float | None = None  # latest plausible meter total in the running segment
        self._last_instant: datetime | None = now if self._charging else None
        self._counter_kwh = 0.0
        if meter_total_kwh is not None and _plausible_total(meter_total_kwh):
            self._last_meter = meter_total_kwh
        self._counter_offset = charger_counter_kwh if at_startup and charger_counter_kwh is not None else 0.0
        if self._charging and self.source == EnergySource.METER:
            self._open_segment(meter_total_kwh)

    def start_charge(self, now: datetime, continued: bool, meter_total_kwh: float | None = None) -> None:
        """Charging started; ``continued`` is false for a session's first charge, which restarts the count
        (meter and power sources; the charger's counter is its own authority)."""
        if self.source == EnergySource.METER and self._charging:  # a repeated start: keep the running segment
            self._done = self._metered()
        if not continued:
            self._done = 0.0
        self._charging = True
        self._last_instant = now
        if self.source == EnergySource.METER:
            self._open_segment(meter_total_kwh)

    def stop_charge(self, now: datetime, meter_total_kwh: float | None = None) -> None:
        """Charging stopped; a meter reading given here closes the segment."""
        if self.source == EnergySource.METER:
            if meter_total_kwh is not None:
                self._take_meter(meter_total_kwh)
            self._done = self._metered()
            self._segment_start = None
            self._segment_now = None
        self._charging = False
        self._last_instant = None

    def update(
        self,
        now: datetime,
        power_w: float | None = None,
        meter_total_kwh: float | None = None,
        charger_counter_kwh: float | None = None,
    ) -> None:
        """This cycle's readings; ``None`` for any that failed or do not exist."""
        if self.source == EnergySource.CHARGER:
            if charger_counter_kwh is not None:
                value = charger_counter_kwh - self._counter_offset
                if self._counter_kwh <= value <= MAX_SESSION_ENERGY:
                    self._counter_kwh = value
        elif self.source == EnergySource.METER:
            if meter_total_kwh is not None:
                self._take_meter(meter_total_kwh)
        elif self._charging and power_w is not None and self._last_instant is not None:
            hours = (now - self._last_instant).total_seconds() / 3600
            added = max(0.0, power_w) * hours / 1000
            if added >= 0 and self._done + added <= MAX_SESSION_ENERGY:
                self._done += added
            self._last_instant = now

    def kwh(self) -> float:
        """Energy charged in this session so far (kWh)."""
        if self.source == EnergySource.CHARGER:
            return self._counter_kwh
        if self.source == EnergySource.METER:
            return self._metered()
        return self._done

    def wh(self) -> float:
        return self.kwh() * 1000

    @property
    def charging(self) -> bool:
        return self._charging

    def _metered(self) -> float:
        if self._segment_start is None or self._segment_now is None:
            return self._done
        return self._done + (self._segment_now - self._segment_start)

    def _open_segment(self, meter_total_kwh: float | None) -> None:
        if meter_total_kwh is not None and _plausible_total(meter_total_kwh):
            self._last_meter = meter_total_kwh
        self._segment_start = self._last_meter
        self._segment_now = self._last_meter

    def _take_meter(self, total: float) -> None:
        if not _plausible_total(total):
            return
        if not self._charging:
            self._last_meter = total
            return
        if self._segment_start is None or self._segment_now is None:  # no reading at charge start: starts here
            self._segment_start = self._segment_now = self._last_meter = total
            return
        if total < self._segment_now:  # meter went backwards
            return
        if self._done + (total - self._segment_start) > MAX_SESSION_ENERGY:
            return
        self._segment_now = self._last_meter = total


def _plausible_total(total: float) -> bool:
    return math.isfinite(total) and total >= 0
