"""Octopus Energy (UK): a product's unit rates, e.g. Agile's half-hourly prices, from the public REST API.

``GET <url>/v1/products/<product>/electricity-tariffs/<tariff>/standard-unit-rates/?period_from=…`` answers
``{"count", "next", "previous", "results": [{"value_exc_vat", "value_inc_vat", "valid_from", "valid_to",
"payment_method"}]}``, newest first, in pence per kWh, a page at a time (``next`` is the following page's URL).
The tariff code is given, or built from the product and the region letter: ``E-1R-<product>-<region>``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Self

import httpx
from pydantic import AwareDatetime, BaseModel, BeforeValidator, Field, model_validator

from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, PriceParams
from surplus.tariffs.providers._http import HttpTariff

PROVIDER = "octopus"
ENDPOINT = "https://api.octopus.energy"
BEFORE = timedelta(hours=1)
OPEN_ENDED = timedelta(days=365)
MAX_PAGES = 20
#: the grid supply point groups (GSP) _A to _P; there is no I or O
REGIONS = "ABCDEFGHJKLMNP"


def _upper(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


class OctopusParams(PriceParams):
    product_code: str = Field(min_length=1)
    tariff_code: str | None = None
    region: Annotated[str | None, BeforeValidator(_upper)] = None
    """Region letter A–P; with the product it makes the single-rate tariff code when none is given."""
    url: str | None = None
    """Overrides the public endpoint (scheme and host, without ``/v1/products/…``)."""

    @model_validator(mode="after")
    def _tariff(self) -> Self:
        if self.region is not None and (len(self.region) != 1 or self.region not in REGIONS):
            raise ValueError(f"region '{self.region}' is not a region letter; allowed: {', '.join(REGIONS)}")
        if not self.tariff_code and self.region is None:
            raise ValueError("set tariffcode, or region to build it from the product code")
        return self

    @property
    def tariff(self) -> str:
        return self.tariff_code or f"E-1R-{self.product_code}-{self.region}"


class _UnitRate(BaseModel):
    value_inc_vat: float
    valid_from: AwareDatetime
    valid_to: AwareDatetime | None = None
    payment_method: str | None = None


class _Page(BaseModel):
    results: list[_UnitRate]
    next: str | None = None


def _non_direct_debit(unit_rate: _UnitRate) -> bool:
    return unit_rate.payment_method == "NON_DIRECT_DEBIT"


def _stamp(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Octopus(HttpTariff):
    def __init__(self, params: OctopusParams, context: BuildContext) -> None:
        super().__init__(PROVIDER, context)
        base = (params.url or ENDPOINT).rstrip("/")
        self._first = (
            f"{base}/v1/products/{params.product_code}/electricity-tariffs/{params.tariff}/standard-unit-rates/"
        )
        self._origin = httpx.URL(base)

    async def fetch(self) -> list[Rate]:
        now = self._clock.now()
        since = (now - BEFORE).astimezone(UTC).replace(second=0, microsecond=0)
        since -= timedelta(minutes=since.minute % 30)
        unit_rates: list[_UnitRate] = []
        url: str | None = self._first
        params: dict[str, str] | None = {"period_from": _stamp(since)}
        pages = 0
        while url is not None:
            if pages == MAX_PAGES:
                self._log.warning("%s: more than %d pages of rates; using the first %d", PROVIDER, MAX_PAGES, MAX_PAGES)
                break
            response = await self._send("GET", url, params=params)
            page = self._parse(response, _Page)
            unit_rates.extend(page.results)
            url, params, pages = self._next(response.url, page.next), None, pages + 1
        rates = self._rates(unit_rates, now)
        self._log.debug("%s: %d rates from %s", PROVIDER, len(rates), self._first)
        return rates

    def _next(self, current: httpx.URL, link: str | None) -> str | None:
        """The following page, which must be on the same server as the first."""
        if not link:
            return None
        following = current.join(link)
        if (following.scheme, following.host, following.port) != (
            self._origin.scheme,
            self._origin.host,
            self._origin.port,
        ):
            raise PermanentTariffError(f"{PROVIDER}: the next page is on another server ({following.host})")
        return str(following)

    def _rates(self, unit_rates: list[_UnitRate], now: datetime) -> list[Rate]:
        # some tariffs list a rate per payment method; direct debit is what most customers pay
        by_start: dict[datetime, _UnitRate] = {}
        for unit_rate in unit_rates:
            start = unit_rate.valid_from.astimezone(UTC)
            known = by_start.get(start)
            if known is None or (_non_direct_debit(known) and not _non_direct_debit(unit_rate)):
                by_start[start] = unit_rate
        ordered = sorted(by_start.items())
        rates: list[Rate] = []
        for index, (start, unit_rate) in enumerate(ordered):
            if unit_rate.valid_to is None:  # until further notice: a year, or until the next rate takes over
                end = max(start, now.astimezone(UTC)) + OPEN_ENDED
                if index + 1 < len(ordered):
                    end = min(end, ordered[index + 1][0])
            else:
                end = unit_rate.valid_to.astimezone(UTC)
            if end <= start:
                raise PermanentTariffError(f"{PROVIDER}: a rate ends before it starts ({start.isoformat()})")
            rates.append(Rate(start, end, unit_rate.value_inc_vat / 100))
        return rates


@registry.register("tariff", "octopus", OctopusParams, "Octopus Energy UK unit rates, e.g. Agile (half-hourly)")
def build(params: OctopusParams, context: BuildContext) -> Octopus:
    return Octopus(params, context)
