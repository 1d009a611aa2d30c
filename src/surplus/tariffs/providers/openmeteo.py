"""``type: open-meteo``: a PV forecast computed from open-meteo's irradiance forecast (https://open-meteo.com).

Request::

    GET <url>/v1/forecast?latitude=…&longitude=…&minutely_15=global_tilted_irradiance_instant,temperature_2m
        &tilt=<dec>&azimuth=<az>&forecast_days=3&timeformat=unixtime&timezone=UTC

open-meteo computes the global tilted irradiance (GTI, W/m²) on the plane itself. Its azimuth convention is the
one evcc and forecast.solar use for ``az`` (0 south, -90 east, 90 west, ±180 north), so ``az`` is passed on
unchanged; ``dec`` is the tilt (0 horizontal … 90 vertical).

The PV model, for each 15-minute instant with irradiance G (W/m²) and air temperature Ta (°C):

* cell temperature (Ross model): Tc = Ta + k · G, with k = ``rossmodel`` (default 0.0342 K·m²/W, modules "not so
  well cooled" on a roof);
* temperature factor: 1 + α · (Tc − 25 °C), with α = ``alphatemp`` (default −0.004, −0.4 %/K): a cell hotter than
  the 25 °C of the rating loses power, a colder one gains a little;
* DC power at standard conditions scales with irradiance: kWp × 1000 W × G / 1000 W/m²;
* P = kWp · G · temperature factor · ``efficiency`` (inverter, wiring and soiling losses; default 0.9),
  clamped to 0 … ``acpower`` (the inverter's AC limit in W, if given).

Each rate covers [t, t + 15 min) with the mean of the powers at its two ends (open-meteo's values are instants),
the last one with its own value. Slots whose inputs open-meteo leaves empty (null) are left out. Rates are W,
kind SOLAR.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import httpx
from pydantic import BaseModel, Field, SecretStr

from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, DeviceParams, registry
from surplus.tariffs.base import Interval, PermanentTariffError, TariffKind
from surplus.tariffs.providers._http import HttpTariff, SecretQuery, plain_number

NAME = "open-meteo"
DEFAULT_URL = "https://api.open-meteo.com"
SLOT = timedelta(minutes=15)
STC_TEMPERATURE = 25.0  # °C, the cell temperature of a module's rating
STC_IRRADIANCE = 1000.0  # W/m²


class Params(DeviceParams):
    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    dec: float = Field(ge=0, le=90)
    az: float = Field(ge=-180, le=180)
    kwp: float = Field(gt=0)
    acpower: float | None = Field(None, gt=0)
    efficiency: float = Field(0.9, gt=0, le=1)
    alphatemp: float = Field(-0.004, ge=-0.02, le=0.0)
    rossmodel: float = Field(0.0342, ge=0, le=0.1)
    model: str | None = None
    forecast_days: int = Field(3, ge=1, le=16)
    apikey: SecretStr | None = None
    url: str = DEFAULT_URL
    interval: Interval = timedelta(hours=1)


class _Series(BaseModel):
    time: list[int]
    global_tilted_irradiance_instant: list[float | None]
    temperature_2m: list[float | None]


class _Forecast(BaseModel):
    minutely_15: _Series


def pv_power(irradiance: float, air_temperature: float, params: Params) -> float:
    """The model in the module docstring, in W."""
    irradiance = max(0.0, irradiance)  # open-meteo's GTI can dip below zero at night
    cell = air_temperature + params.rossmodel * irradiance
    temperature_factor = 1 + params.alphatemp * (cell - STC_TEMPERATURE)
    power = params.kwp * 1000 * irradiance / STC_IRRADIANCE * temperature_factor * params.efficiency
    power = max(0.0, power)
    return min(power, params.acpower) if params.acpower is not None else power


class OpenMeteo(HttpTariff):
    tariff_kind = TariffKind.SOLAR
    client_per_fetch = True

    def __init__(self, params: Params, context: BuildContext) -> None:
        super().__init__(NAME, context, key=params.apikey, interval=params.interval)
        self._params = params

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        return SecretQuery({"apikey": self._key}) if self._key else None

    async def fetch(self) -> list[Rate]:
        params = self._params
        query: dict[str, str] = {
            "latitude": plain_number(params.lat, 4),
            "longitude": plain_number(params.lon, 4),
            "minutely_15": "global_tilted_irradiance_instant,temperature_2m",
            "tilt": plain_number(params.dec, 4),
            "azimuth": plain_number(params.az, 4),
            "forecast_days": str(params.forecast_days),
            "timeformat": "unixtime",
            "timezone": "UTC",
        }
        if params.model:
            query["models"] = params.model
        forecast = await self._get_json(
            params.url.rstrip("/") + "/v1/forecast", _Forecast, detail=_reason, params=query
        )
        rates = self.rates(forecast.minutely_15)
        self._log.debug("%s: %d rates of 15 min", NAME, len(rates))
        return rates

    def rates(self, series: _Series) -> list[Rate]:
        if not len(series.time) == len(series.global_tilted_irradiance_instant) == len(series.temperature_2m):
            raise PermanentTariffError(f"{NAME}: the answer's time, irradiance and temperature differ in length")
        powers: dict[int, float] = {}
        for moment, irradiance, temperature in zip(
            series.time, series.global_tilted_irradiance_instant, series.temperature_2m, strict=True
        ):
            if irradiance is not None and temperature is not None:
                powers[moment] = pv_power(irradiance, temperature, self._params)
        step = int(SLOT.total_seconds())
        rates = []
        for moment in sorted(powers):
            after = powers.get(moment + step)
            value = powers[moment] if after is None else (powers[moment] + after) / 2
            start = datetime.fromtimestamp(moment, UTC)
            rates.append(Rate(start, start + SLOT, value))
        if not rates:
            raise PermanentTariffError(f"{NAME}: the answer holds no forecast")
        return rates


def _reason(response: httpx.Response) -> str | None:
    """open-meteo explains a refused request as ``{"error": true, "reason": "…"}``."""
    body = response.json()
    return str(body["reason"]) if isinstance(body, dict) and body.get("reason") else None


@registry.register("tariff", NAME, Params, "PV forecast computed from open-meteo's irradiance forecast (no account)")
def build(params: Params, context: BuildContext) -> OpenMeteo:
    return OpenMeteo(params, context)
