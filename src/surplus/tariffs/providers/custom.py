"""``type: custom``: a user-defined tariff whose data comes from a plugin (here: ``source: http`` with ``jq``).

    tariffs:
      grid:
        type: custom
        tariff: price            # price | co2 | solar | temperature
        forecast:                # a list of {start, end, value}; or price: for a single current price
          source: http
          uri: https://example.com/prices
          jq: '[.data[] | {start: .from, end: .to, value: .price}] | tostring'

The forecast is a JSON list (or a JSON string holding one, as evcc's templates produce with ``tostring``) of
``{start, end, value}`` with RFC 3339 times (``2025-06-01T10:00:00Z`` or with an offset); ``price`` is accepted
for ``value``, as older templates write it. Times are parsed here, not in jq: libjq's ``strptime`` drops offsets.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, model_validator

from surplus.config.schema import Duration
from surplus.core.rates import Rate
from surplus.devices.errors import DeviceError
from surplus.devices.plugins.http import AuthParams, Http, RequestParams
from surplus.devices.plugins.http_client import HttpClients, HttpStatusError, Unreachable
from surplus.devices.plugins.pipeline import JqExpression, PipelineParams, pipeline
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, PriceParams, TariffError, TariffKind, positive_interval
from surplus.tariffs.providers._http import TRANSIENT
from surplus.tariffs.slots import SLOT

SOURCES = ("http",)
KINDS = {
    "co2": TariffKind.CO2,
    "solar": TariffKind.SOLAR,
    "temperature": TariffKind.TEMPERATURE,
}


class TariffAuthParams(AuthParams):
    type: Literal["basic", "bearer"]


def _http_only(data: Any) -> Any:
    """Say which plugin sources work before complaining about keys another source would need."""
    if isinstance(data, Mapping):
        source = data.get("source")
        if source is None:
            raise ValueError(f"a plugin needs a source; supported for tariffs: {', '.join(SOURCES)}")
        if str(source).lower() not in SOURCES:
            raise ValueError(f"source '{source}' is not supported for tariffs yet; supported: {', '.join(SOURCES)}")
        return {**data, "source": str(source).lower()}
    return data


class HttpPlugin(RequestParams):
    """The keys of ``source: http`` a tariff takes: a request and the jq expression that picks the value."""

    source: Literal["http"]
    jq: JqExpression | None = None
    auth: TariffAuthParams | None = None


Plugin = Annotated[HttpPlugin, BeforeValidator(_http_only)]


class CustomParams(PriceParams):
    tariff: Literal["price", "co2", "solar", "temperature"] = "price"
    price: Plugin | None = None
    forecast: Plugin | None = None
    interval: Duration = timedelta(hours=1)
    cache: Duration | None = None
    features: list[Literal["average", "cacheable"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _one_source(self) -> CustomParams:
        if (self.price is None) == (self.forecast is None):
            raise ValueError("a custom tariff needs either price (a current price) or forecast (a list of rates)")
        if self.price is not None and self.tariff != "price":
            raise ValueError(f"price is for tariff: price; a {self.tariff} tariff needs forecast")
        positive_interval(self.interval)
        return self


class Custom:
    """Fetches through an http source with its own clients (closed by :meth:`close`); the price is scaled here."""

    def __init__(self, params: CustomParams, context: BuildContext) -> None:
        plugin = params.forecast if params.forecast is not None else params.price
        assert plugin is not None  # the params hold exactly one of the two
        self._label = f"custom tariff '{context.name}'" if context.name else "custom tariff"
        self._clock = context.clock
        self._params = params
        self._plugin = plugin
        self._clients = HttpClients()
        unscaled = plugin.model_copy(update={"scale": 1.0})
        self._source = Http(unscaled, plugin.auth, self._clients, pipeline(PipelineParams(jq=plugin.jq)))

    def kind(self) -> TariffKind:
        if self._params.tariff != "price":
            return KINDS[self._params.tariff]
        return TariffKind.PRICE_FORECAST if self._params.forecast else TariffKind.PRICE_DYNAMIC

    def interval(self) -> timedelta:
        return self._params.interval

    async def fetch(self) -> list[Rate]:
        if self._params.forecast is not None:
            return parse_forecast(await self._read(), self._label)
        value = _number(await self._read(), self._label) * self._plugin.scale
        now = self._clock.now().astimezone(UTC)
        return [Rate(now, _next_quarter_hour(now), value)]

    async def close(self) -> None:
        await self._clients.close()

    async def _read(self) -> Any:
        """The plugin's value: the answer run through jq, or the answer's JSON when there is no jq."""
        try:
            value = await self._source.read()
        except DeviceError as error:
            raise _tariff_error(error, self._label) from None
        if self._plugin.jq is not None:
            return value
        try:
            return json.loads(str(value))
        except ValueError:
            raise PermanentTariffError(f"{self._label}: the answer is not JSON") from None


def _tariff_error(error: DeviceError, label: str) -> TariffError:
    """Network trouble and transient statuses are worth a retry; a refusal or an answer that does not parse not."""
    message = f"{label}: {error}"
    if isinstance(error, Unreachable):
        return TariffError(message)
    if isinstance(error, HttpStatusError):
        if error.status in (401, 403):
            return PermanentTariffError(f"{message}; check the token")
        if error.status in TRANSIENT or error.status >= 500:
            return TariffError(message)
    return PermanentTariffError(message)


def parse_forecast(value: Any, label: str) -> list[Rate]:
    """A plugin's forecast (a list of {start, end, value}, or a JSON string of one) → rates in UTC, sorted."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise PermanentTariffError(f"{label}: the forecast is not JSON") from None
    if not isinstance(value, list):
        raise PermanentTariffError(f"{label}: the forecast is {type(value).__name__}, not a list of rates")
    rates = []
    for index, item in enumerate(value):
        where = f"{label}: forecast item {index}"
        if not isinstance(item, Mapping):
            raise PermanentTariffError(f"{where} is not an object with start, end and value")
        amount = item.get("value", item.get("price"))
        if amount is None:
            raise PermanentTariffError(f"{where} has no value")
        start, end = _time(item.get("start"), where, "start"), _time(item.get("end"), where, "end")
        if end <= start:
            raise PermanentTariffError(f"{where} ends ({item.get('end')}) before it starts ({item.get('start')})")
        rates.append(Rate(start, end, _number(amount, where)))
    return sorted(rates, key=lambda rate: rate.start)


def _time(text: Any, where: str, key: str) -> datetime:
    expected = "write RFC 3339 times such as 2025-06-01T10:00:00Z or 2025-06-01T12:00:00+02:00"
    if not isinstance(text, str):
        raise PermanentTariffError(f"{where}: {key} is missing or not text; {expected}")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise PermanentTariffError(f"{where}: {key} '{text}' is not a time; {expected}") from None
    if parsed.tzinfo is None:
        raise PermanentTariffError(f"{where}: {key} '{text}' has no UTC offset; {expected}")
    return parsed.astimezone(UTC)


def _number(value: Any, where: str) -> float:
    """A float from a number or numeric text; NaN, infinity and booleans are refused."""
    if value is None:
        raise PermanentTariffError(f"{where}: no value (null)")
    if isinstance(value, bool):
        raise PermanentTariffError(f"{where}: {value!r} is not a number")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise PermanentTariffError(f"{where}: {str(value)[:40]!r} is not a number") from None
    if not math.isfinite(number):
        raise PermanentTariffError(f"{where}: {value!r} is not a finite number")
    return number


def _next_quarter_hour(now: datetime) -> datetime:
    step = SLOT.total_seconds()
    end = (math.floor(now.timestamp() / step) + 1) * step
    return datetime.fromtimestamp(end, UTC)


@registry.register("tariff", "custom", CustomParams, "prices, co2, solar or temperature from an http+jq plugin")
def build(params: CustomParams, context: BuildContext) -> Custom:
    return Custom(params, context)
