"""Time zones of a tariff: "Mon-Fri, 17-20, Nov-Mar costs this much".

A zone's conditions are read on the local wall clock: ``days`` and ``months`` by the local date, ``hours`` by
the local time of day. All given conditions must hold; an empty one always holds. Where zones overlap, the last
matching zone wins (:func:`value_at`).

:func:`boundaries` finds the instants where any zone starts or ends. It works on the wall clock of a real time
zone (zoneinfo), so on a DST night a boundary lands where the wall clock says: "2-5" on the spring-forward night
starts at the jump to 03:00, and a boundary at 02:30 on the fall-back night happens twice.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Annotated, Any

from pydantic import BeforeValidator, PrivateAttr, field_validator

from surplus.devices.registry import DeviceParams

MINUTES_PER_DAY = 24 * 60


def _table(spellings: Sequence[tuple[str, ...]], first: int) -> dict[str, int]:
    return {name: number for number, names in enumerate(spellings, start=first) for name in names}


# Monday = 0, as datetime.weekday(); English and German abbreviations (evcc's docs use both)
_DAYS = _table(
    (
        ("mon", "monday", "mo"),
        ("tue", "tuesday", "di"),
        ("wed", "wednesday", "mi"),
        ("thu", "thursday", "do"),
        ("fri", "friday", "fr"),
        ("sat", "saturday", "sa"),
        ("sun", "sunday", "so"),
    ),
    0,
)
# January = 1; English and German spellings
_MONTHS = _table(
    (
        ("jan", "january", "januar"),
        ("feb", "february", "februar"),
        ("mar", "march", "mär", "maer", "märz", "maerz"),
        ("apr", "april"),
        ("may", "mai"),
        ("jun", "june", "juni"),
        ("jul", "july", "juli"),
        ("aug", "august"),
        ("sep", "september", "sept"),
        ("oct", "october", "okt", "oktober"),
        ("nov", "november"),
        ("dec", "december", "dez", "dezember"),
    ),
    1,
)

DAYS_HELP = "write day names or ranges such as Mon-Fri or Sat,Sun (also Mo-Fr, Sa,So)"
MONTHS_HELP = "write month names or ranges such as Nov-Mar or Jan,Oct-Dec"
HOURS_HELP = "write time ranges such as 0-5, 15:30-21 or 22-6 (hours 0-24, optional :MM)"
_TIME = re.compile(r"^(\d{1,2})(?::(\d{2}))?$")


def _text(value: Any) -> Any:
    # YAML may read "hours: 5" or "months: 6" as numbers; the parser below gives the error for those
    return "" if value is None else str(value) if isinstance(value, int | float) else value


Condition = Annotated[str, BeforeValidator(_text)]


def _names(text: str, table: dict[str, int], first: int, count: int, what: str, help_text: str) -> frozenset[int]:
    """A comma list of names and wrapping ranges (Fri-Mon, Nov-Mar) → the set of numbers it covers."""
    numbers: set[int] = set()
    for part in text.split(","):
        ends = [end.strip() for end in part.split("-")]
        if len(ends) > 2 or not all(ends):
            raise ValueError(f"'{part.strip()}' in {what} '{text}' is not a name or a range; {help_text}")
        for end in ends:
            if end.lower() not in table:
                raise ValueError(f"'{end}' in {what} '{text}' is not a {what[:-1]} name; {help_text}")
        low, high = table[ends[0].lower()], table[ends[-1].lower()]
        span = (high - low) % count  # a range such as Nov-Mar wraps around the end of the year
        numbers.update(first + (low - first + step) % count for step in range(span + 1))
    return frozenset(numbers)


def _minute(text: str, whole: str) -> int:
    match = _TIME.match(text.strip())
    if match is None:
        raise ValueError(f"'{text.strip()}' in hours '{whole}' is not a time; {HOURS_HELP}")
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 24 or minute > 59 or (hour == 24 and minute):
        raise ValueError(f"'{text.strip()}' in hours '{whole}' is not a time of day; {HOURS_HELP}")
    return hour * 60 + minute


def _hours(text: str) -> tuple[tuple[int, int], ...]:
    """ "0-5,15:30-21" → ((0, 300), (930, 1260)) in minutes of the day; an end of 0 or 24 means midnight."""
    ranges = []
    for part in text.split(","):
        ends = part.split("-")
        if len(ends) != 2:
            raise ValueError(f"'{part.strip()}' in hours '{text}' is not a range from-to; {HOURS_HELP}")
        start, end = _minute(ends[0], text) % MINUTES_PER_DAY, _minute(ends[1], text) % MINUTES_PER_DAY
        ranges.append((start, end))
    return tuple(ranges)


def _in_hours(minute: int, ranges: tuple[tuple[int, int], ...]) -> bool:
    for start, end in ranges:
        if start == end:  # "0-0", "6-6": the whole day
            return True
        if start < end and start <= minute < end:
            return True
        if start > end and (minute >= start or minute < end):  # "22-6" wraps around midnight
            return True
    return False


class Zone(DeviceParams):
    """When a zone applies. Subclasses add what the zone sets (a price, charges) as :attr:`value`."""

    days: Condition = ""
    hours: Condition = ""
    months: Condition = ""

    _days: frozenset[int] | None = PrivateAttr(None)
    _months: frozenset[int] | None = PrivateAttr(None)
    _hours: tuple[tuple[int, int], ...] | None = PrivateAttr(None)

    @field_validator("days")
    @classmethod
    def _valid_days(cls, text: str) -> str:
        if text.strip():
            _names(text, _DAYS, 0, 7, "days", DAYS_HELP)
        return text

    @field_validator("months")
    @classmethod
    def _valid_months(cls, text: str) -> str:
        if text.strip():
            _names(text, _MONTHS, 1, 12, "months", MONTHS_HELP)
        return text

    @field_validator("hours")
    @classmethod
    def _valid_hours(cls, text: str) -> str:
        if text.strip():
            _hours(text)
        return text

    def model_post_init(self, context: Any, /) -> None:
        # parsed once here (the validators above only check), so matching is a few set look-ups
        self._days = _names(self.days, _DAYS, 0, 7, "days", DAYS_HELP) if self.days.strip() else None
        self._months = _names(self.months, _MONTHS, 1, 12, "months", MONTHS_HELP) if self.months.strip() else None
        self._hours = _hours(self.hours) if self.hours.strip() else None

    @property
    def value(self) -> float:
        raise NotImplementedError

    @property
    def has_dates(self) -> bool:
        """Whether the zone depends on the date (so local midnights may start or end it)."""
        return self._days is not None or self._months is not None

    @property
    def edges(self) -> tuple[int, ...]:
        """Minutes of the day where the hours condition starts or ends."""
        return tuple(minute for pair in self._hours or () for minute in pair)

    def matches(self, local: datetime) -> bool:
        """Whether the zone applies at ``local``, a wall-clock time in the tariff's time zone."""
        if self._months is not None and local.month not in self._months:
            return False
        if self._days is not None and local.weekday() not in self._days:
            return False
        return self._hours is None or _in_hours(local.hour * 60 + local.minute, self._hours)


class PriceZone(Zone):
    """A zone of a ``fixed`` tariff: ``price`` while it applies."""

    price: float

    @property
    def value(self) -> float:
        return self.price


class ChargesZone(Zone):
    """A ``chargesZones`` entry: ``charges`` replace the default charges while it applies."""

    charges: float

    @property
    def value(self) -> float:
        return self.charges


def value_at(zones: Sequence[Zone], local: datetime, default: float) -> float:
    """The value of the last zone matching ``local``, or ``default`` when none does."""
    for zone in reversed(zones):
        if zone.matches(local):
            return zone.value
    return default


def boundaries(zones: Sequence[Zone], start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """The instants in (start, end) where any of ``zones`` starts or ends, in UTC, sorted.

    ``zone`` is the wall clock the zones are read on; use a zoneinfo zone so DST changes are known.
    """
    if not zones or end <= start:
        return []
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    result = []
    previous = _pattern(zones, start, zone)
    for instant in sorted(set(_candidates(zones, start, end, zone))):
        if start < instant < end:
            pattern = _pattern(zones, instant, zone)
            if pattern != previous:
                result.append(instant)
                previous = pattern
    return result


def _pattern(zones: Sequence[Zone], instant: datetime, zone: tzinfo) -> tuple[bool, ...]:
    local = instant.astimezone(zone)
    return tuple(z.matches(local) for z in zones)


def _candidates(zones: Sequence[Zone], start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """Every instant where a match may change: zone edges and midnights on the wall clock, and DST changes.

    Between two consecutive candidates the wall clock moves on steadily through no edge, so every zone's
    match stays the same; that is what lets :func:`boundaries` look only here.
    """
    minutes = {minute % MINUTES_PER_DAY for z in zones for minute in z.edges}
    if any(z.has_dates for z in zones):
        minutes.add(0)
    found = list(_transitions(start, end, zone))
    day = start.astimezone(zone).date() - timedelta(days=1)
    last = end.astimezone(zone).date() + timedelta(days=1)
    while day <= last:
        for minute in minutes:
            found.extend(_wall_instants(day, minute, zone))
        day += timedelta(days=1)
    return found


def _wall_instants(day: date, minute: int, zone: tzinfo) -> list[datetime]:
    """The instants when the wall clock shows ``day`` at ``minute``: none in a DST gap, two in an overlap."""
    wall = datetime.combine(day, time(minute // 60, minute % 60))
    instants = []
    for fold in (0, 1):
        instant = wall.replace(tzinfo=zone, fold=fold).astimezone(UTC)
        if instant.astimezone(zone).replace(tzinfo=None) == wall:  # a time in a DST gap does not come back
            instants.append(instant)
    return instants


def _transitions(start: datetime, end: datetime, zone: tzinfo) -> list[datetime]:
    """Instants in [start - 1 h, end] where the zone's UTC offset changes (to the minute)."""
    found = []
    step = timedelta(hours=1)
    at = start.replace(minute=0, second=0, microsecond=0) - step
    while at < end:
        if at.astimezone(zone).utcoffset() != (at + step).astimezone(zone).utcoffset():
            low, high = 0, 60  # the first minute with the new offset lies in (low, high]
            before = at.astimezone(zone).utcoffset()
            while high - low > 1:
                middle = (low + high) // 2
                if (at + timedelta(minutes=middle)).astimezone(zone).utcoffset() == before:
                    low = middle
                else:
                    high = middle
            found.append(at + timedelta(minutes=high))
        at += step
    return found
