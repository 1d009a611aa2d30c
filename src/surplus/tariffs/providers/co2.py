"""CO₂ intensity forecasts of the grid's electricity (kind CO2, values in g/kWh).

``type: grunstromindex``: Corrently's GrünstromIndex for a German postcode (https://gruenstromindex.de)::

    GET <url>?zip=<zip>[&token=<token>]        (url: https://api.corrently.io/v2.0/gsi/prediction)

The answer's ``forecast[]`` holds hourly items. The ``gsi`` field is the index itself (0–100, the share of green
power), not an intensity; the g/kWh of the standard electricity mix at that hour is ``co2_g_standard``, which
is what the rates carry. An item's slot is its ``timeframe {start, end}`` (ms) where given, else one hour from
``timeStamp`` (ms) or ``epochtime`` (s). The optional token (from console.corrently.io) raises the daily limit.

``type: electricitymaps``: Electricity Maps' carbon-intensity forecast for a zone (https://electricitymaps.com)::

    GET <url>/carbon-intensity/forecast?zone=<zone>      header auth-token: <token>
    (url: https://api.electricitymaps.com/v3; a commercial access URL goes here too)

The answer's ``forecast[] {carbonIntensity, datetime}`` gives g CO₂eq/kWh for the slot starting at ``datetime``
(hourly unless the account asks otherwise; the slot length is the shortest spacing of the values).

Both are fetched hourly by default. Tokens never appear in a log line or an error message.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from itertools import pairwise
from typing import Any

import httpx
from pydantic import BaseModel, Field, SecretStr, field_validator

from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, DeviceParams, registry
from surplus.tariffs.base import Interval, PermanentTariffError, TariffKind
from surplus.tariffs.providers._http import HttpTariff, SecretQuery

HOUR = timedelta(hours=1)
GSI = "grunstromindex"
GSI_URL = "https://api.corrently.io/v2.0/gsi/prediction"
EMAPS = "electricitymaps"
EMAPS_URL = "https://api.electricitymaps.com/v3"
POSTCODE = re.compile(r"^\d{5}$")


def _slotted(points: Sequence[tuple[datetime, float | None]], provider: str) -> list[Rate]:
    """Start-stamped values as rates as long as the spacing of the starts (1 h for a single value); None is a gap."""
    ordered = sorted(points, key=lambda point: point[0])
    gaps = [later[0] - earlier[0] for earlier, later in pairwise(ordered) if later[0] > earlier[0]]
    step = min(gaps, default=HOUR)
    rates = [Rate(start, start + step, value) for start, value in ordered if value is not None]
    if not rates:
        raise PermanentTariffError(f"{provider}: the answer holds no forecast")
    return rates


def _from_ms(milliseconds: int) -> datetime:
    return datetime.fromtimestamp(milliseconds / 1000, UTC)


# --- GrünstromIndex -----------------------------------------------------------------------------------


class GsiParams(DeviceParams):
    zip: str
    token: SecretStr | None = None
    url: str = GSI_URL
    interval: Interval = HOUR

    @field_validator("zip", mode="before")
    @classmethod
    def _postcode(cls, value: Any) -> Any:
        # YAML reads `zip: 01067` as the number 1067; a German postcode has five digits
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value).zfill(5)
        if isinstance(value, str) and POSTCODE.match(value.strip()):
            return value.strip()
        raise ValueError(f"'{value}' is not a German postcode; write its five digits, e.g. \"69168\"")


class _Timeframe(BaseModel):
    start: int
    end: int


class _GsiItem(BaseModel):
    epochtime: int | None = None
    time_stamp: int | None = Field(None, alias="timeStamp")
    timeframe: _Timeframe | None = None
    co2_g_standard: float | None = None


class _GsiAnswer(BaseModel):
    forecast: list[_GsiItem] | None = None
    err: Any = None
    message: Any = None


class GrunstromIndex(HttpTariff):
    tariff_kind = TariffKind.CO2
    client_per_fetch = True

    def __init__(self, params: GsiParams, context: BuildContext) -> None:
        super().__init__(GSI, context, key=params.token, interval=params.interval)
        self._params = params

    def _transport(self) -> httpx.AsyncBaseTransport | None:
        return SecretQuery({"token": self._key}) if self._key else None

    async def fetch(self) -> list[Rate]:
        answer = await self._get_json(
            self._params.url, _GsiAnswer, detail=_gsi_message, params={"zip": self._params.zip}
        )
        if answer.forecast is None:
            said = self._redact(str(answer.message))[:200] if answer.message else "no forecast in the answer"
            raise PermanentTariffError(f"{GSI}: {said}")
        return self.rates(answer.forecast)

    def rates(self, items: Sequence[_GsiItem]) -> list[Rate]:
        rates = []
        for item in items:
            if item.co2_g_standard is None:
                continue
            if item.timeframe is not None and item.timeframe.end > item.timeframe.start:
                start, end = _from_ms(item.timeframe.start), _from_ms(item.timeframe.end)
            elif item.time_stamp is not None:
                start = _from_ms(item.time_stamp)
                end = start + HOUR
            elif item.epochtime is not None:
                start = datetime.fromtimestamp(item.epochtime, UTC)
                end = start + HOUR
            else:
                raise PermanentTariffError(f"{GSI}: a forecast item has no time (timeframe, timeStamp or epochtime)")
            rates.append(Rate(start, end, item.co2_g_standard))
        if not rates:
            raise PermanentTariffError(f"{GSI}: the forecast has no co2_g_standard (g/kWh) values")
        return sorted(rates, key=lambda rate: rate.start)


def _gsi_message(response: httpx.Response) -> str | None:
    body = response.json()
    return str(body["message"]) if isinstance(body, dict) and body.get("message") else None


@registry.register("tariff", GSI, GsiParams, "CO₂ forecast for a German postcode from Corrently's GrünstromIndex")
def build_gsi(params: GsiParams, context: BuildContext) -> GrunstromIndex:
    return GrunstromIndex(params, context)


# --- Electricity Maps ---------------------------------------------------------------------------------


class ElectricityMapsParams(DeviceParams):
    token: SecretStr
    zone: str = Field(min_length=1)
    url: str = EMAPS_URL
    interval: Interval = HOUR


class _EmapsPoint(BaseModel):
    carbon_intensity: float | None = Field(None, alias="carbonIntensity")
    moment: datetime = Field(alias="datetime")


class _EmapsAnswer(BaseModel):
    forecast: list[_EmapsPoint]


class ElectricityMaps(HttpTariff):
    tariff_kind = TariffKind.CO2
    client_per_fetch = True

    def __init__(self, params: ElectricityMapsParams, context: BuildContext) -> None:
        super().__init__(EMAPS, context, key=params.token, interval=params.interval)
        self._params = params

    async def fetch(self) -> list[Rate]:
        answer = await self._get_json(
            self._params.url.rstrip("/") + "/carbon-intensity/forecast",
            _EmapsAnswer,
            detail=_emaps_message,
            params={"zone": self._params.zone},
            headers={"auth-token": self._key},
        )
        return _slotted([(_utc(point.moment), point.carbon_intensity) for point in answer.forecast], EMAPS)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _emaps_message(response: httpx.Response) -> str | None:
    body = response.json()
    if isinstance(body, dict):
        for key in ("error", "message"):
            if body.get(key):
                return str(body[key])
    return None


@registry.register("tariff", EMAPS, ElectricityMapsParams, "CO₂ forecast for a grid zone from Electricity Maps")
def build_electricitymaps(params: ElectricityMapsParams, context: BuildContext) -> ElectricityMaps:
    return ElectricityMaps(params, context)
