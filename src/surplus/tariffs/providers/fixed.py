"""``type: fixed``: a constant price (or co2 value), optionally by time zones (night rate, weekends, winter).

It generates seven days of rates from local midnight, one rate per stretch between zone boundaries (price
zones and charges zones, so composition sees one charges value per rate). The slot service cuts them into
15-minute slots. Regenerated hourly, so the seven-day window moves with the clock.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from datetime import UTC, datetime, time, timedelta, tzinfo
from typing import Any, Literal

from pydantic import Field, model_validator

from surplus.clock import Clock
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PriceParams, TariffKind
from surplus.tariffs.zones import PriceZone, Zone, boundaries, value_at

DAYS = 7


class FixedParams(PriceParams):
    tariff: Literal["price", "co2"] = "price"
    price: float | None = None
    zones: list[PriceZone] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _price_or_zones(cls, data: Any) -> Any:
        if isinstance(data, dict) and "price" not in data and not data.get("zones"):
            raise ValueError("a fixed tariff needs a price (and optionally zones with their own prices)")
        return data


def fixed_rates(
    price: float, zones: Sequence[PriceZone], extra: Sequence[Zone], now: datetime, zone: tzinfo
) -> list[Rate]:
    """Rates for ``DAYS`` days from local midnight of ``now``, cut wherever ``zones`` or ``extra`` change."""
    today = now.astimezone(zone).date()
    start = datetime.combine(today, time(), tzinfo=zone).astimezone(UTC)
    end = datetime.combine(today + timedelta(days=DAYS), time(), tzinfo=zone).astimezone(UTC)
    cuts = [start, *boundaries([*zones, *extra], start, end, zone), end]
    return [
        Rate(begin, finish, value_at(zones, begin.astimezone(zone), price))
        for begin, finish in itertools.pairwise(cuts)
    ]


class Fixed:
    def __init__(self, params: FixedParams, clock: Clock) -> None:
        self._params = params
        self._clock = clock

    def kind(self) -> TariffKind:
        if self._params.tariff == "co2":
            return TariffKind.CO2
        # zoned prices change over the day, so the planner may use them (evcc treats them as a forecast)
        if self._params.zones or self._params.charges_zones:
            return TariffKind.PRICE_FORECAST
        return TariffKind.PRICE_STATIC

    def interval(self) -> timedelta:
        return timedelta(hours=1)

    async def fetch(self) -> list[Rate]:
        now = self._clock.now()
        # the clock's zone is the wall clock zones are read on; a zoneinfo zone makes DST days right
        zone = now.tzinfo or UTC
        charges = self._params.charges_zones if self._params.tariff == "price" else []
        return fixed_rates(self._params.price or 0.0, self._params.zones, charges, now, zone)


@registry.register("tariff", "fixed", FixedParams, "a constant price or co2 value, optionally by time zones")
def build(params: FixedParams, context: BuildContext) -> Fixed:
    return Fixed(params, context.clock)
