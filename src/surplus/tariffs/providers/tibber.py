"""Tibber: the customer's own quarter-hourly prices, from Tibber's GraphQL API.

``POST <url>/v1-beta/gql`` with ``Authorization: Bearer <token>`` and a query for the home's
``currentSubscription.priceInfo(resolution: QUARTER_HOURLY) {today, tomorrow {total energy startsAt}}``.
Without a configured ``homeid`` the first home that has a subscription is used.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from pydantic import AwareDatetime, BaseModel, Field, SecretStr

from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, PriceParams
from surplus.tariffs.providers._http import HttpTariff

PROVIDER = "tibber"
ENDPOINT = "https://api.tibber.com"
SLOT = timedelta(minutes=15)

_HOME_FIELDS = (
    "id currentSubscription { priceInfo(resolution: QUARTER_HOURLY) { "
    "today { total energy startsAt } tomorrow { total energy startsAt } } }"
)
ALL_HOMES_QUERY = "{ viewer { homes { " + _HOME_FIELDS + " } } }"
ONE_HOME_QUERY = "query ($id: ID!) { viewer { home(id: $id) { " + _HOME_FIELDS + " } } }"


class TibberParams(PriceParams):
    token: SecretStr
    home_id: str | None = None
    url: str | None = None
    """Overrides the public endpoint (scheme and host, without ``/v1-beta/gql``)."""


class _Price(BaseModel):
    total: float
    energy: float
    starts_at: AwareDatetime = Field(alias="startsAt")


class _PriceInfo(BaseModel):
    today: list[_Price] | None = None
    tomorrow: list[_Price] | None = None


class _Subscription(BaseModel):
    price_info: _PriceInfo | None = Field(None, alias="priceInfo")


class _Home(BaseModel):
    id: str
    current_subscription: _Subscription | None = Field(None, alias="currentSubscription")


class _Viewer(BaseModel):
    homes: list[_Home] | None = None
    home: _Home | None = None


class _Data(BaseModel):
    viewer: _Viewer | None = None


class _Error(BaseModel):
    message: str = "unknown error"


class _Answer(BaseModel):
    data: _Data | None = None
    errors: list[_Error] | None = None


def _errors(answer: _Answer) -> str | None:
    if not answer.errors:
        return None
    return "; ".join(error.message for error in answer.errors)


class Tibber(HttpTariff):
    def __init__(self, params: TibberParams, context: BuildContext) -> None:
        super().__init__(PROVIDER, context, key=params.token)
        self._endpoint = (params.url or ENDPOINT).rstrip("/") + "/v1-beta/gql"
        self._home_id = params.home_id
        # with a price composition configured, it applies to the bare energy price instead of Tibber's total
        self._use_energy = bool(params.charges or params.tax or params.formula)

    def _request_body(self) -> dict[str, object]:
        if self._home_id:
            return {"query": ONE_HOME_QUERY, "variables": {"id": self._home_id}}
        return {"query": ALL_HOMES_QUERY}

    def _detail(self, response: httpx.Response) -> str | None:
        return _errors(_Answer.model_validate_json(response.content))

    async def fetch(self) -> list[Rate]:
        response = await self._send(
            "POST",
            self._endpoint,
            json=self._request_body(),
            headers={"authorization": f"Bearer {self._key}", "accept": "application/json"},
            detail=self._detail,
        )
        answer = self._parse(response, _Answer)
        message = _errors(answer)
        if message is not None:
            raise PermanentTariffError(f"{PROVIDER}: {self._redact(message)}")
        home = self._home(answer)
        info = home.current_subscription.price_info if home.current_subscription else None
        if info is None:
            raise PermanentTariffError(f"{PROVIDER}: home {home.id} has no price information")
        prices = sorted([*(info.today or []), *(info.tomorrow or [])], key=lambda price: price.starts_at)
        rates = self._rates(prices)
        self._log.debug("%s: %d rates for home %s", PROVIDER, len(rates), home.id)
        return rates

    def _home(self, answer: _Answer) -> _Home:
        viewer = answer.data.viewer if answer.data else None
        if viewer is None:
            raise PermanentTariffError(f"{PROVIDER}: the answer has no viewer")
        if self._home_id:
            if viewer.home is None:
                raise PermanentTariffError(f"{PROVIDER}: home {self._home_id} not found")
            return viewer.home
        for home in viewer.homes or []:
            if home.current_subscription is not None:
                return home
        raise PermanentTariffError(f"{PROVIDER}: no home with a subscription; set homeid")

    def _rates(self, prices: list[_Price]) -> list[Rate]:
        """Each price lasts until the next one starts; the last as long as the one before it (else 15 min)."""
        starts = [price.starts_at.astimezone(UTC) for price in prices]
        rates: list[Rate] = []
        slot = SLOT
        for index, price in enumerate(prices):
            start = starts[index]
            end: datetime = starts[index + 1] if index + 1 < len(starts) else start + slot
            if end <= start:
                raise PermanentTariffError(f"{PROVIDER}: two prices start at {start.isoformat()}")
            slot = end - start
            rates.append(Rate(start, end, price.energy if self._use_energy else price.total))
        return rates


@registry.register("tariff", "tibber", TibberParams, "Tibber quarter-hourly prices (needs an API token)")
def build(params: TibberParams, context: BuildContext) -> Tibber:
    return Tibber(params, context)
