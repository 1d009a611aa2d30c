"""Rates in 15-minute slots, merged with what was fetched before, and averaged to hours on request.

Everything downstream (planner, smart cost, the API) works in 15-minute slots, as evcc does; providers
deliver hourly, half-hourly or quarter-hourly data. Arithmetic on instants is done on timestamps: Python
subtracts two datetimes of the same zoneinfo zone on the wall clock, which is wrong across a DST change.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo

from surplus.core.rates import Rate
from surplus.tariffs.base import TariffKind

SLOT = timedelta(minutes=15)
_SLOT_SECONDS = SLOT.total_seconds()
#: how long past temperatures are kept (heating models look back)
TEMPERATURE_HISTORY = timedelta(days=7)


def to_slots(rates: Sequence[Rate], kind: TariffKind) -> list[Rate]:
    """The rates sorted and split at every quarter hour (aligned to UTC, so to local time in every real zone).

    A price, co2 or temperature value holds for each piece. A solar value is the mean power over its slot, so
    the pieces follow a line through the neighbouring slots' centres and are rescaled to keep that mean.
    """
    ordered = sorted(rates, key=lambda rate: rate.start)
    result: list[Rate] = []
    for index, rate in enumerate(ordered):
        edges = _quarter_hours(rate)
        if len(edges) == 2:
            result.append(rate)
            continue
        pieces = list(itertools.pairwise(edges))
        values = _solar_pieces(ordered, index, pieces) if kind is TariffKind.SOLAR else [rate.value] * len(pieces)
        zone = rate.start.tzinfo
        for (start, end), value in zip(pieces, values, strict=True):
            result.append(Rate(_at(start, zone), _at(end, zone), value))
    return result


def _quarter_hours(rate: Rate) -> list[float]:
    """The rate's start, every quarter hour inside it and its end, as timestamps."""
    start, end = rate.start.timestamp(), rate.end.timestamp()
    edges = [start]
    cut = (math.floor(start / _SLOT_SECONDS) + 1) * _SLOT_SECONDS
    while cut < end:
        edges.append(cut)
        cut += _SLOT_SECONDS
    edges.append(end)
    return edges


def _at(timestamp: float, zone: tzinfo | None) -> datetime:
    return datetime.fromtimestamp(timestamp, UTC).astimezone(zone or UTC)


def _solar_pieces(ordered: Sequence[Rate], index: int, pieces: list[tuple[float, float]]) -> list[float]:
    rate = ordered[index]
    points = [(_centre(rate), rate.value)]
    if index > 0 and ordered[index - 1].end == rate.start:
        points.insert(0, (_centre(ordered[index - 1]), ordered[index - 1].value))
    if index + 1 < len(ordered) and ordered[index + 1].start == rate.end:
        points.append((_centre(ordered[index + 1]), ordered[index + 1].value))
    values = [max(0.0, _line(points, (start + end) / 2)) for start, end in pieces]
    weights = [end - start for start, end in pieces]
    mean = sum(v * w for v, w in zip(values, weights, strict=True)) / sum(weights)
    if rate.value <= 0 or mean <= 0:
        return [max(0.0, rate.value)] * len(pieces)
    return [value * rate.value / mean for value in values]


def _centre(rate: Rate) -> float:
    return (rate.start.timestamp() + rate.end.timestamp()) / 2


def _line(points: list[tuple[float, float]], at: float) -> float:
    """The polyline through ``points`` at ``at``, flat beyond its ends."""
    if at <= points[0][0]:
        return points[0][1]
    for (x0, y0), (x1, y1) in itertools.pairwise(points):
        if at <= x1:
            return y0 + (y1 - y0) * (at - x0) / (x1 - x0)
    return points[-1][1]


def merge(old: Sequence[Rate], new: Sequence[Rate], now: datetime, kind: TariffKind) -> list[Rate]:
    """New data replaces old from its first start on; earlier old rates stay, then old slots are pruned.

    Prices and co2 keep the current slot onwards; solar keeps the whole current local day (today's forecast
    energy is summed from midnight); temperature keeps the past 7 days.
    """
    fresh = sorted(new, key=lambda rate: rate.start)
    kept = [rate for rate in old if rate.end <= fresh[0].start] if fresh else list(old)
    cutoff = _keep_from(now, kind)
    return sorted((rate for rate in [*kept, *fresh] if rate.end > cutoff), key=lambda rate: rate.start)


def _keep_from(now: datetime, kind: TariffKind) -> datetime:
    if kind is TariffKind.SOLAR:
        return datetime.combine(now.date(), time(), tzinfo=now.tzinfo)
    if kind is TariffKind.TEMPERATURE:
        return now - TEMPERATURE_HISTORY
    return now


def average_hourly(rates: Sequence[Rate], zone: tzinfo | None = None) -> list[Rate]:
    """The ``average`` feature: rates grouped by the hour (on ``zone``'s clock, default UTC) their start falls
    in, each group one rate spanning it with the duration-weighted mean value."""
    groups: dict[datetime, list[Rate]] = {}
    for rate in sorted(rates, key=lambda rate: rate.start):
        local = rate.start.astimezone(zone or UTC)
        hour = local.replace(minute=0, second=0, microsecond=0).astimezone(UTC)
        groups.setdefault(hour, []).append(rate)
    result = []
    for group in groups.values():
        weights = [rate.end.timestamp() - rate.start.timestamp() for rate in group]
        total = sum(weights)
        if total <= 0:
            continue
        mean = sum(rate.value * weight for rate, weight in zip(group, weights, strict=True)) / total
        result.append(Rate(group[0].start, max(rate.end for rate in group), mean))
    return result
