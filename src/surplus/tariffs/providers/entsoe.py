"""ENTSO-E Transparency Platform: day-ahead prices of a bidding zone (document type A44).

``GET <url>/api?documentType=A44&in_Domain=<EIC>&out_Domain=<EIC>&periodStart=yyyyMMddHHmm&periodEnd=…``
with the ``securityToken``. The answer is a ``Publication_MarketDocument``::

    TimeSeries (classificationSequence_AttributeInstanceComponent.position?, price_Measure_Unit.name, curveType)
      Period
        timeInterval {start, end}
        resolution   PT15M | PT30M | PT60M
        Point*       {position (1-based), price.amount}

or, when there is nothing to publish or the request is wrong, an ``Acknowledgement_MarketDocument`` whose
``Reason/text`` says why. Namespaces differ between document versions, so elements are matched by local name.
Positions a period leaves out repeat the previous point (curve type A03, "variable sized block").
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import NoReturn
from xml.parsers import expat

import httpx
from pydantic import SecretStr

from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, PriceParams
from surplus.tariffs.providers._http import HttpTariff, SecretQuery

PROVIDER = "entsoe"
ENDPOINT = "https://web-api.tp.entsoe.eu"
BEFORE = timedelta(hours=1)
RESOLUTION = re.compile(r"^PT(\d+)([MH])$")
#: price units and what to divide by to get a price per kWh
UNITS = {"MWH": 1000.0, "KWH": 1.0}


class EntsoeParams(PriceParams):
    security_token: SecretStr
    domain: str
    """The bidding zone's EIC code, e.g. 10Y1001A1001A82H (DE-LU)."""
    url: str | None = None
    """Overrides the public endpoint (scheme and host, without ``/api``)."""


@dataclass(frozen=True)
class _Period:
    start: datetime
    end: datetime
    step: timedelta
    points: dict[int, float]
    divisor: float


def _local(name: str) -> str:
    """``{namespace}Name`` or ``namespace}Name`` (expat's separator) → ``Name``."""
    return name.rpartition("}")[2]


def parse_document(body: bytes) -> ET.Element:
    """The XML as an element tree whose tags are local names. A DTD (and so any entity) is refused."""
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def refuse(*_: object) -> NoReturn:
        raise PermanentTariffError(f"{PROVIDER}: the answer declares a DTD, which is not accepted")

    def start(name: str, _attributes: dict[str, str]) -> None:
        builder.start(_local(name), {})

    def end(name: str) -> None:
        builder.end(_local(name))

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(body, True)
        return builder.close()
    except (expat.ExpatError, AssertionError, IndexError) as error:
        raise PermanentTariffError(f"{PROVIDER}: the answer is not XML ({error})") from None


def _text(element: ET.Element, path: str) -> str | None:
    found = element.find(path)
    if found is None or found.text is None:
        return None
    return found.text.strip()


def _required(element: ET.Element, path: str) -> str:
    value = _text(element, path)
    if not value:
        raise PermanentTariffError(f"{PROVIDER}: {element.tag} lacks {path}")
    return value


def _instant(text: str) -> datetime:
    try:
        instant = datetime.fromisoformat(text)
    except ValueError:
        raise PermanentTariffError(f"{PROVIDER}: '{text}' is not a time") from None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=UTC)
    return instant.astimezone(UTC)


def _number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise PermanentTariffError(f"{PROVIDER}: '{text}' is not a number") from None
    if not math.isfinite(value):
        raise PermanentTariffError(f"{PROVIDER}: '{text}' is not a price")
    return value


def _step(text: str) -> timedelta:
    match = RESOLUTION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise PermanentTariffError(f"{PROVIDER}: unsupported resolution {text}; expected PT15M, PT30M or PT60M")
    amount = int(match.group(1))
    return timedelta(minutes=amount) if match.group(2) == "M" else timedelta(hours=amount)


def acknowledgement_reason(root: ET.Element) -> str:
    reasons = [text for reason in root.iter("Reason") if (text := _text(reason, "text") or _text(reason, "code"))]
    return "; ".join(reasons) or "no reason given"


def _period(element: ET.Element, divisor: float) -> _Period:
    start = _instant(_required(element, "timeInterval/start"))
    end = _instant(_required(element, "timeInterval/end"))
    step = _step(_required(element, "resolution"))
    if end <= start:
        raise PermanentTariffError(f"{PROVIDER}: a period ends before it starts ({start.isoformat()})")
    points: dict[int, float] = {}
    for point in element.iter("Point"):
        position = _required(point, "position")
        if not position.isdigit() or int(position) < 1:
            raise PermanentTariffError(f"{PROVIDER}: '{position}' is not a position")
        points[int(position)] = _number(_required(point, "price.amount"))
    return _Period(start, end, step, points, divisor)


def _slots(period: _Period) -> list[Rate]:
    """One rate per position; a missing position repeats the one before (until the period's end)."""
    count = (period.end - period.start) // period.step
    rates: list[Rate] = []
    value: float | None = None
    for position in range(1, count + 1):
        value = period.points.get(position, value)
        if value is None:  # nothing known before the first point
            continue
        start = period.start + (position - 1) * period.step
        rates.append(Rate(start, start + period.step, value / period.divisor))
    return rates


def parse_prices(root: ET.Element) -> list[Rate]:
    """Rates from a publication document; per period, the series with the lowest classification sequence."""
    if root.tag == "Acknowledgement_MarketDocument":
        raise PermanentTariffError(f"{PROVIDER}: {acknowledgement_reason(root)}")
    if root.tag != "Publication_MarketDocument":
        raise PermanentTariffError(f"{PROVIDER}: unexpected document {root.tag}")
    chosen: dict[tuple[datetime, datetime], tuple[tuple[float, int], _Period]] = {}
    for order, series in enumerate(root.iter("TimeSeries")):
        unit = (_text(series, "price_Measure_Unit.name") or "MWH").upper()
        if unit not in UNITS:
            raise PermanentTariffError(f"{PROVIDER}: unexpected price unit {unit}, expected MWH")
        sequence = _text(series, "classificationSequence_AttributeInstanceComponent.position")
        rank = (_number(sequence) if sequence else math.inf, order)
        for element in series.iter("Period"):
            period = _period(element, UNITS[unit])
            key = (period.start, period.end)
            if key not in chosen or rank < chosen[key][0]:
                chosen[key] = (rank, period)
    rates = sorted((rate for _, period in chosen.values() for rate in _slots(period)), key=lambda rate: rate.start)
    kept: list[Rate] = []
    for rate in rates:  # periods that overlap without matching: the earlier one's slots stand
        if not kept or rate.start >= kept[-1].end:
            kept.append(rate)
    return kept


def _window(now: datetime) -> tuple[datetime, datetime]:
    """From an hour ago (whole hours) to the end of tomorrow, in UTC."""
    now = now.astimezone(UTC)
    start = (now - BEFORE).replace(minute=0, second=0, microsecond=0)
    end = datetime(now.year, now.month, now.day, tzinfo=UTC) + timedelta(days=2)
    return start, end


def _stamp(instant: datetime) -> str:
    return instant.strftime("%Y%m%d%H%M")


class Entsoe(HttpTariff):
    def __init__(self, params: EntsoeParams, context: BuildContext) -> None:
        super().__init__(PROVIDER, context, key=params.security_token)
        self._endpoint = (params.url or ENDPOINT).rstrip("/") + "/api"
        self._domain = params.domain

    def _transport(self) -> httpx.AsyncBaseTransport:
        # the token joins the query below httpx's request log, so no log line carries it
        return SecretQuery({"securityToken": self._key})

    def _detail(self, response: httpx.Response) -> str | None:
        root = parse_document(response.content)
        return acknowledgement_reason(root) if root.tag == "Acknowledgement_MarketDocument" else None

    async def fetch(self) -> list[Rate]:
        start, end = _window(self._clock.now())
        params = {
            "documentType": "A44",
            "in_Domain": self._domain,
            "out_Domain": self._domain,
            "periodStart": _stamp(start),
            "periodEnd": _stamp(end),
        }
        response = await self._send("GET", self._endpoint, params=params, detail=self._detail)
        try:
            rates = parse_prices(parse_document(response.content))
        except PermanentTariffError as error:
            raise PermanentTariffError(self._redact(str(error))) from None
        self._log.debug("%s: %d rates for %s", PROVIDER, len(rates), self._domain)
        return rates


@registry.register("tariff", "entsoe", EntsoeParams, "ENTSO-E day-ahead prices of a bidding zone (needs a token)")
def build(params: EntsoeParams, context: BuildContext) -> Entsoe:
    return Entsoe(params, context)
