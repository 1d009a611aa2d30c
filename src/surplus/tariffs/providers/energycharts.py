"""energy-charts (Fraunhofer ISE): day-ahead market prices per bidding zone, free and without a key.

``GET <url>?bzn=<zone>&start=<today>&end=<tomorrow>`` (dates on the local clock) answers
``{"license_info", "unix_seconds": [...], "price": [...], "unit": "EUR / MWh", "deprecated"}``: two parallel
arrays, each timestamp the start of a slot. The slot length is the step between timestamps (15 minutes since the
market moved to quarter hours, an hour before); a missing price is ``null`` and leaves a gap.
"""

from __future__ import annotations

import itertools
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, Field

from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, PriceParams
from surplus.tariffs.providers._http import HttpTariff
from surplus.tariffs.slots import SLOT

PROVIDER = "energy-charts"
DEFAULT_URL = "https://api.energy-charts.info/price"


class EnergyChartsParams(PriceParams):
    bzn: str = Field("DE-LU", min_length=1)
    """The bidding zone: DE-LU, AT, BE, CH, CZ, DK1, DK2, FR, HU, IT-North, NL, NO2, PL, SE4, SI …"""
    url: str = DEFAULT_URL
    features: list[Literal["average", "cacheable"]] = Field(default_factory=list)


class _Answer(BaseModel):
    unix_seconds: list[int]
    price: list[float | None]
    unit: str | None = None


def parse_prices(answer: _Answer) -> list[Rate]:
    """The two arrays → rates in EUR/kWh, each as long as the usual step between timestamps."""
    if len(answer.unix_seconds) != len(answer.price):
        raise PermanentTariffError(
            f"{PROVIDER}: {len(answer.unix_seconds)} timestamps but {len(answer.price)} prices in the answer"
        )
    if answer.unit is not None and not answer.unit.replace(" ", "").lower().endswith("/mwh"):
        raise PermanentTariffError(f"{PROVIDER}: unexpected price unit '{answer.unit}', expected EUR / MWh")
    starts = sorted(zip(answer.unix_seconds, answer.price, strict=True))
    steps = Counter(later[0] - earlier[0] for earlier, later in itertools.pairwise(starts))
    step = steps.most_common(1)[0][0] if steps else int(SLOT.total_seconds())
    if step <= 0:
        raise PermanentTariffError(f"{PROVIDER}: the answer repeats its timestamps")
    rates = []
    for index, (start, price) in enumerate(starts):
        if price is None:
            continue
        end = start + step
        if index + 1 < len(starts):
            end = min(end, starts[index + 1][0])  # a gap or a shorter step: never overlap the next slot
        if end > start:
            rates.append(Rate(_utc(start), _utc(end), price / 1000))
    return rates


def _utc(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


class EnergyCharts(HttpTariff):
    def __init__(self, params: EnergyChartsParams, context: BuildContext) -> None:
        super().__init__(PROVIDER, context)
        self._params = params

    async def fetch(self) -> list[Rate]:
        today = self._clock.now().date()  # the local date: tomorrow's prices are published around noon
        answer = await self._get_json(
            self._params.url,
            _Answer,
            params={
                "bzn": self._params.bzn,
                "start": today.isoformat(),
                "end": (today + timedelta(days=1)).isoformat(),
            },
        )
        rates = parse_prices(answer)
        self._log.debug("%s: %d rates for %s", PROVIDER, len(rates), self._params.bzn)
        return rates


@registry.register("tariff", "energy-charts", EnergyChartsParams, "day-ahead market prices from energy-charts.info")
def build(params: EnergyChartsParams, context: BuildContext) -> EnergyCharts:
    return EnergyCharts(params, context)
