"""``type: forecast-solar``: a PV production forecast from forecast.solar (https://doc.forecast.solar/api).

Request::

    GET <url>/[<apikey>/]estimate/<lat>/<lon>/<dec>/<az>/<kwp>[/<dec2>/<az2>/<kwp2>…]?time=utc&full=1&resolution=60

``time=utc`` makes the timestamps UTC (``2024-04-26T05:00:00+00:00``; without it they would be the plant's local
time), ``full=1`` asks for whole days including the zero hours of the night, ``resolution=60`` for hourly values
(finer steps are for paid plans). ``dec`` is the tilt (0 horizontal … 90 vertical), ``az`` the azimuth as
forecast.solar and evcc write it (-180/180 north, -90 east, 0 south, 90 west), ``kwp`` the module peak power.

The answer's ``result.watts`` maps timestamps to the expected power (W) at that instant. A rate carries the mean
power of its slot, as the tariff service's slot maths reads solar values, so the slot [t, t + 1 h) gets the mean
of the powers at its two ends (forecast.solar's own ``watt_hours_period`` is the same trapezoid); evcc's template
gives the slot the power at its start, which shifts the curve by half an hour. A stray timestamp at sunrise or
sunset counts for the hour it lies in (a value on the hour wins), and hours missing between two given ones are
night: 0 W. The last slot keeps its own value.

Several planes: one ``forecast-solar`` entry per plane (the tariff service sums a list of solar tariffs), or a
``planes:`` list in one entry, which needs an API key (the Personal plan takes 2 planes, Professional up to 4).

The free plan allows 12 calls an hour per IP address, so the default interval is 1 h. A 429 answer is a
TariffError (retry later) whose message says how many seconds forecast.solar asks to wait. The API key travels in
the URL path; it is put in only below httpx's request log and is redacted from every error.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from pydantic import BaseModel, Field, SecretStr, model_validator

from surplus.config.schema import Section
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, DeviceParams, registry
from surplus.tariffs.base import Interval, PermanentTariffError, TariffKind
from surplus.tariffs.providers._http import HttpTariff, LateRewrite, plain_number

NAME = "forecast-solar"
DEFAULT_URL = "https://api.forecast.solar"
RESOLUTION = timedelta(hours=1)
#: stands for the API key in the URL httpx sees (and logs); the transport swaps in the key
KEY_PLACEHOLDER = "_apikey_"
MAX_PLANES = 4


class Plane(Section):
    dec: float = Field(ge=0, le=90)
    az: float = Field(ge=-180, le=180)
    kwp: float = Field(gt=0)


class Params(DeviceParams):
    """One plane as ``dec``/``az``/``kwp``, or several as ``planes`` (one request; needs an API key)."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    dec: float | None = Field(None, ge=0, le=90)
    az: float | None = Field(None, ge=-180, le=180)
    kwp: float | None = Field(None, gt=0)
    planes: list[Plane] = Field(default_factory=list)
    apikey: SecretStr | None = None
    horizon: str | None = None
    url: str = DEFAULT_URL
    interval: Interval = timedelta(hours=1)

    @model_validator(mode="after")
    def _one_way_to_give_planes(self) -> Params:
        single = (self.dec, self.az, self.kwp)
        if self.planes:
            if any(value is not None for value in single):
                raise ValueError("give either dec, az and kwp or a list of planes, not both")
            if len(self.planes) > MAX_PLANES:
                raise ValueError(f"forecast.solar takes at most {MAX_PLANES} planes in one request")
            if len(self.planes) > 1 and self.apikey is None:
                raise ValueError(
                    "several planes in one request need an API key (Personal: 2, Professional: up to 4); "
                    "without one, configure one forecast-solar entry per plane"
                )
        elif any(value is None for value in single):
            missing = ", ".join(name for name, value in zip(("dec", "az", "kwp"), single, strict=True) if value is None)
            raise ValueError(f"missing {missing}: give dec (tilt), az (azimuth) and kwp, or a list of planes")
        return self

    def all_planes(self) -> list[Plane]:
        if self.planes:
            return list(self.planes)
        assert self.dec is not None and self.az is not None and self.kwp is not None
        return [Plane(dec=self.dec, az=self.az, kwp=self.kwp)]


class KeyInPath(LateRewrite):
    """Replaces the placeholder path segment with the API key on the way to the network, below httpx's log."""

    def __init__(self, key: str, inner: httpx.AsyncBaseTransport | None = None) -> None:
        super().__init__(inner)
        self._key = key

    def rewrite(self, url: httpx.URL) -> httpx.URL:
        return url.copy_with(path=url.path.replace(f"/{KEY_PLACEHOLDER}/", f"/{self._key}/", 1))


class _Result(BaseModel):
    watts: dict[str, float]


class _Estimate(BaseModel):
    result: _Result


class ForecastSolar(HttpTariff):
    tariff_kind = TariffKind.SOLAR
    client_per_fetch = True

    def __init__(self, params: Params, context: BuildContext) -> None:
        super().__init__(NAME, context, key=params.apikey, interval=params.interval)
        self._params = params

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        return KeyInPath(self._key) if self._key else None

    def request_url(self) -> str:
        """The URL as httpx sees and logs it: the API key, if any, stands as a placeholder."""
        params = self._params
        parts = [params.url.rstrip("/")]
        if self._key:
            parts.append(KEY_PLACEHOLDER)
        parts += ["estimate", plain_number(params.lat, 4), plain_number(params.lon, 4)]
        for plane in params.all_planes():
            parts += [str(round(plane.dec)), str(round(plane.az)), plain_number(plane.kwp, 3)]
        return "/".join(parts)

    async def fetch(self) -> list[Rate]:
        query = {"time": "utc", "full": "1", "resolution": str(int(RESOLUTION.total_seconds() // 60))}
        if self._params.horizon:
            query["horizon"] = self._params.horizon
        estimate = await self._get_json(
            self.request_url(), _Estimate, detail=self._explain, params=query, headers={"accept": "application/json"}
        )
        rates = hourly_rates(estimate.result.watts, RESOLUTION)
        self._log.debug("%s: %d hourly rates", NAME, len(rates))
        return rates

    def _explain(self, response: httpx.Response) -> str | None:
        """forecast.solar's own words from an error answer, and for a 429 how long it asks us to wait."""
        try:
            body = response.json()
        except ValueError:
            body = None
        message = body.get("message") if isinstance(body, dict) else None
        text = str(message.get("text") or "") if isinstance(message, dict) else ""
        if response.status_code != 429:
            return text or None
        ratelimit = message.get("ratelimit") if isinstance(message, dict) else None
        wait = self._retry_after(response.headers, ratelimit if isinstance(ratelimit, dict) else {})
        limit = ""
        if isinstance(ratelimit, dict) and "limit" in ratelimit and "period" in ratelimit:
            limit = f" ({ratelimit['limit']} calls per {ratelimit['period']} s)"
        when = f"retry in {wait} s" if wait is not None else "retry later"
        return f"{text.rstrip('.') or 'rate limit reached'}{limit}; {when}"

    def _retry_after(self, headers: Mapping[str, str], ratelimit: Mapping[str, Any]) -> int | None:
        header = headers.get("retry-after", "").strip()
        if header.isdigit():
            return int(header)
        retry_at = ratelimit.get("retry-at")
        if not isinstance(retry_at, str):
            return None
        try:
            moment = _timestamp(retry_at)
        except ValueError:
            return None
        return max(0, math.ceil((moment - self._clock.now()).total_seconds()))


def _timestamp(text: str) -> datetime:
    """``2024-04-26T05:00:00+00:00`` or ``2024-04-26 05:00:00`` (UTC, as requested with ``time=utc``)."""
    moment = datetime.fromisoformat(text.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def hourly_rates(watts: Mapping[str, float], resolution: timedelta) -> list[Rate]:
    """forecast.solar's ``watts`` (instants) as consecutive slots of ``resolution`` with their mean power."""
    if not watts:
        raise PermanentTariffError(f"{NAME}: the answer holds no forecast")
    points = []
    for key, value in watts.items():
        try:
            points.append((int(_timestamp(key).timestamp()), max(0.0, value)))
        except ValueError:
            raise PermanentTariffError(f"{NAME}: unexpected timestamp '{key[:40]}' in the answer") from None
    step = int(resolution.total_seconds())
    # the grid the hours lie on: whole UTC hours, or off by 30 min where local time is (time=utc shifts it)
    phase = Counter(moment % step for moment, _ in points).most_common(1)[0][0]
    slots: dict[int, tuple[bool, float]] = {}
    for moment, value in sorted(points):
        start = moment - (moment - phase) % step
        on_boundary = start == moment
        if start not in slots or (on_boundary and not slots[start][0]):
            slots[start] = (on_boundary, value)
    first, last = min(slots), max(slots)
    power = {start: slots[start][1] if start in slots else 0.0 for start in range(first, last + step, step)}
    return [
        Rate(
            datetime.fromtimestamp(start, UTC),
            datetime.fromtimestamp(start + step, UTC),
            (value + power[start + step]) / 2 if start < last else value,
        )
        for start, value in power.items()
    ]


@registry.register("tariff", NAME, Params, "PV forecast from forecast.solar (free with limits, or with an API key)")
def build(params: Params, context: BuildContext) -> ForecastSolar:
    return ForecastSolar(params, context)
