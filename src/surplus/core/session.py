"""Charging sessions: one per plug-in, persisted while charging so a crash loses at most one cycle (core.md §3.15).

The core decides what a session contains and when it must be written; the runtime writes it. ``token``
tells the runtime which database row a record belongs to.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

_tokens = itertools.count(1)


@dataclass(frozen=True)
class SessionRecord:
    token: int
    created: datetime
    finished: datetime | None
    loadpoint: str
    identifier: str = ""
    vehicle: str = ""
    odometer: float | None = None
    meter_start: float | None = None
    meter_stop: float | None = None
    charged_energy: float = 0.0  # kWh
    charge_duration: timedelta | None = None
    soc_start: float | None = None
    soc_end: float | None = None
    added_range: float | None = None
    solar_percentage: float | None = None
    price: float | None = None
    price_per_kwh: float | None = None
    co2_per_kwh: float | None = None
    reference_price_per_kwh: float | None = None
    reference_co2_per_kwh: float | None = None


@dataclass(frozen=True)
class SessionValues:
    """What the loadpoint knows about the running session this cycle."""

    charged_energy: float  # kWh
    charge_duration: timedelta
    solar_percentage: float | None
    price: float | None
    price_per_kwh: float | None
    co2_per_kwh: float | None
    soc: float | None = None
    range: float | None = None
    meter_total: float | None = None


class SessionTracker:
    """The session of one loadpoint, from connect to disconnect."""

    def __init__(self, loadpoint: str) -> None:
        self._loadpoint = loadpoint
        self._record: SessionRecord | None = None
        self._started = False
        self._range_start: float | None = None
        self._persisted: SessionRecord | None = None

    @property
    def record(self) -> SessionRecord | None:
        return self._record

    @property
    def started(self) -> bool:
        return self._started

    def connect(
        self,
        now: datetime,
        meter_total: float | None,
        vehicle: str,
        identifier: str = "",
        reference_price: float | None = None,
        reference_co2: float | None = None,
    ) -> None:
        self._record = SessionRecord(
            token=next(_tokens),
            created=now,
            finished=None,
            loadpoint=self._loadpoint,
            identifier=identifier,
            vehicle=vehicle,
            meter_start=meter_total if meter_total else None,
            reference_price_per_kwh=reference_price,
            reference_co2_per_kwh=reference_co2,
        )
        self._started = False
        self._persisted = None
        self._range_start = None

    def charge_start(self, now: datetime, soc: float | None, range_km: float | None) -> None:
        if self._record is None:
            return
        if not self._started:
            self._started = True
            self._record = replace(self._record, created=now)
        if self._record.soc_start is None and soc:
            self._record = replace(self._record, soc_start=soc)
            self._range_start = range_km

    def describe(
        self, vehicle: str | None = None, identifier: str | None = None, odometer: float | None = None
    ) -> None:
        """Vehicle, identifier or odometer became known."""
        if self._record is None:
            return
        record = self._record
        self._record = replace(
            record,
            vehicle=record.vehicle if vehicle is None else vehicle,
            identifier=record.identifier if identifier is None else identifier,
            odometer=record.odometer if odometer is None else round(odometer, 1),
        )

    def update(self, now: datetime, values: SessionValues) -> SessionRecord | None:
        """Fold this cycle's values in; returns the record when it must be written."""
        if self._record is None or not self._started:
            return None
        record = replace(
            self._record,
            finished=now,
            charged_energy=values.charged_energy,
            charge_duration=values.charge_duration,
            solar_percentage=values.solar_percentage,
            price=values.price,
            price_per_kwh=values.price_per_kwh,
            co2_per_kwh=values.co2_per_kwh,
            meter_stop=values.meter_total if values.meter_total else self._record.meter_stop,
            soc_end=values.soc if values.soc else self._record.soc_end,
            added_range=self._added_range(values),
        )
        self._record = record
        if self._persisted is not None and _same_but_time(self._persisted, record):
            return None
        self._persisted = record
        return record

    def disconnect(self, now: datetime, values: SessionValues) -> SessionRecord | None:
        """The last write of a session, if it ever charged; then the session ends."""
        final = self.update(now, values)
        self._record = None
        self._started = False
        self._persisted = None
        return final

    def _added_range(self, values: SessionValues) -> float | None:
        record = self._record
        if record is None or record.soc_start is None or not values.soc or values.range is None:
            return record.added_range if record else None
        if values.soc <= 0:
            return None
        return values.range * (values.soc - record.soc_start) / values.soc


def _same_but_time(a: SessionRecord, b: SessionRecord) -> bool:
    return replace(a, finished=b.finished, charge_duration=b.charge_duration) == b


@dataclass(frozen=True)
class StoredSession:
    """A loadpoint's session row as the start-up check sees it."""

    id: int
    meter_start: float | None
    open: bool  # finished never set: the process stopped while it ran


def close_open_sessions(
    rows: Sequence[StoredSession], meter_now: float | None
) -> list[tuple[int, float | None, float | None]]:
    """(id, meter stop, charged kWh) for each open row of one loadpoint, rows ordered by creation.

    An open session stopped where the next one started; the latest one stopped at the meter's reading now.
    """
    closed = []
    for index, row in enumerate(rows):
        if not row.open:
            continue
        stop = rows[index + 1].meter_start if index + 1 < len(rows) else meter_now
        charged = stop - row.meter_start if stop is not None and row.meter_start is not None else None
        closed.append((row.id, stop, charged))
    return closed
