"""aWATTar (Germany, Austria): the EPEX day-ahead market price, from aWATTar's public market-data API.

``GET <url>/v1/marketdata?start=<ms>&end=<ms>`` answers ``{"object": "list", "data": [{"start_timestamp",
"end_timestamp", "marketprice", "unit": "Eur/MWh"}]}`` with timestamps in epoch milliseconds.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator

from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, PriceParams
from surplus.tariffs.providers._http import HttpTariff

PROVIDER = "awattar"
ENDPOINTS = {"de": "https://api.awattar.de", "at": "https://api.awattar.at"}
BEFORE = timedelta(hours=2)
AHEAD = timedelta(hours=48)
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


class AwattarParams(PriceParams):
    region: Annotated[Literal["de", "at"], BeforeValidator(_lower)] = "de"
    url: str | None = None
    """Overrides the public endpoint (scheme and host, without ``/v1/marketdata``)."""


class _Entry(BaseModel):
    start_timestamp: int
    end_timestamp: int
    marketprice: float
    unit: str | None = None


class _Answer(BaseModel):
    data: list[_Entry]


def _from_ms(ms: int) -> datetime:
    return EPOCH + timedelta(milliseconds=ms)


def _ms(instant: datetime) -> int:
    return (instant - EPOCH) // timedelta(milliseconds=1)


class Awattar(HttpTariff):
    def __init__(self, params: AwattarParams, context: BuildContext) -> None:
        super().__init__(PROVIDER, context)
        self._base = (params.url or ENDPOINTS[params.region]).rstrip("/")

    async def fetch(self) -> list[Rate]:
        now = self._clock.now()
        answer = await self._get_json(
            f"{self._base}/v1/marketdata", _Answer, params={"start": _ms(now - BEFORE), "end": _ms(now + AHEAD)}
        )
        rates: list[Rate] = []
        for entry in answer.data:
            if entry.unit is not None and entry.unit.replace(" ", "").lower() != "eur/mwh":
                raise PermanentTariffError(f"{PROVIDER}: unexpected price unit '{entry.unit}', expected Eur/MWh")
            start, end = _from_ms(entry.start_timestamp), _from_ms(entry.end_timestamp)
            if end <= start:
                raise PermanentTariffError(f"{PROVIDER}: a slot ends before it starts ({start.isoformat()})")
            rates.append(Rate(start, end, entry.marketprice / 1000))
        rates.sort(key=lambda rate: rate.start)
        self._log.debug("%s: %d rates from %s", PROVIDER, len(rates), self._base)
        return rates


@registry.register("tariff", "awattar", AwattarParams, "aWATTar day-ahead market prices (Germany, Austria)")
def build(params: AwattarParams, context: BuildContext) -> Awattar:
    return Awattar(params, context)
