"""energy-charts: the request (zone and local dates), quarter-hourly and hourly answers, and failures."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest

from surplus.config.errors import ConfigError
from surplus.core.rates import Rate
from surplus.tariffs.base import PermanentTariffError, Tariff, TariffKind
from surplus.tariffs.composition import compose
from surplus.tariffs.providers.energycharts import DEFAULT_URL, EnergyCharts, EnergyChartsParams
from tests.tariffs.building import build_tariff, fetch_once
from tests.tariffs.fixture_server import Reply, Server

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 10, 2, 0, 20, tzinfo=BERLIN)  # just after local midnight: the UTC date is still Oct 1
Q = timedelta(minutes=15)


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def build(**params: Any) -> EnergyCharts:
    return build_tariff(EnergyCharts, {"name": "grid", "type": "energy-charts", **params}, NOW)


async def fetch(server: Server, **params: Any) -> list[Rate]:
    tariff = build(url=server.url + "/price", **params)
    return await fetch_once(tariff)


async def test_quarter_hourly_prices(server: Server) -> None:
    server.routes["/price"] = Reply(fixture("energycharts_price_15min.json"))
    tariff = build(url=server.url + "/price")
    assert isinstance(tariff, Tariff)
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    assert tariff.interval() == timedelta(hours=1)
    try:
        rates = await tariff.fetch()
    finally:
        await tariff.close()
    (request,) = server.requests
    assert request.method == "GET"
    assert urlsplit(request.path).path == "/price"
    # the dates are the local ones: today and tomorrow in Berlin
    assert parse_qs(urlsplit(request.path).query) == {"bzn": ["DE-LU"], "start": ["2025-10-02"], "end": ["2025-10-03"]}
    start = datetime(2025, 10, 1, 22, tzinfo=UTC)
    expected = [0.09512, 0.09005, 0.0887, 0.085, -0.0035, None, 0.0802, 0.0799]
    assert [(r.start, r.end) for r in rates] == [(start + i * Q, start + (i + 1) * Q) for i in (0, 1, 2, 3, 4, 6, 7)]
    assert [r.value for r in rates] == pytest.approx([v for v in expected if v is not None])  # a null is a gap


async def test_hourly_prices_and_another_zone(server: Server) -> None:
    server.routes["/price"] = Reply(fixture("energycharts_price_hourly.json"))
    rates = await fetch(server, bzn="AT")
    assert parse_qs(urlsplit(server.requests[0].path).query)["bzn"] == ["AT"]
    start = datetime(2025, 6, 1, 22, tzinfo=UTC)
    h = timedelta(hours=1)
    assert rates == [
        Rate(start, start + h, 0.1023),
        Rate(start + h, start + 2 * h, 0.09801),
        Rate(start + 2 * h, start + 3 * h, 0.0),
        Rate(start + 3 * h, start + 4 * h, -0.01247),
    ]


async def test_negative_market_prices_compose_with_charges_and_tax(server: Server) -> None:
    server.routes["/price"] = Reply(fixture("energycharts_price_hourly.json"))
    rates = await fetch(server)
    params = EnergyChartsParams.model_validate({"charges": 0.2, "tax": 0.19})
    assert [round(r.value, 5) for r in compose(rates, params, BERLIN)] == [0.35974, 0.35463, 0.238, 0.22316]


async def test_a_gap_does_not_stretch_the_slot_before_it(server: Server) -> None:
    base = 1759356000
    server.routes["/price"] = Reply(
        json.dumps({"unix_seconds": [base, base + 900, base + 2700, base + 3600], "price": [1, 2, 3, 4]})
    )
    rates = await fetch(server)
    assert [(int(r.start.timestamp()) - base, int(r.end.timestamp()) - base) for r in rates] == [
        (0, 900),
        (900, 1800),
        (2700, 3600),
        (3600, 4500),
    ]


@pytest.mark.parametrize(
    ("body", "text"),
    [
        ("not json", "energy-charts: unexpected answer"),
        ('{"unix_seconds": [1, 2], "price": [1]}', "energy-charts: 2 timestamps but 1 prices in the answer"),
        ('{"unix_seconds": [1], "price": [1], "unit": "EUR / kWh"}', "unexpected price unit 'EUR / kWh'"),
        ('{"unix_seconds": [1, 1], "price": [1, 2]}', "the answer repeats its timestamps"),
        ('{"price": [1]}', "energy-charts: unexpected answer (unix_seconds: Field required)"),
    ],
)
async def test_answers_that_do_not_parse(server: Server, body: str, text: str) -> None:
    server.routes["/price"] = Reply(body)
    with pytest.raises(PermanentTariffError) as raised:
        await fetch(server)
    assert text in str(raised.value)


def test_params() -> None:
    params = EnergyChartsParams.model_validate({})
    assert (params.bzn, params.url) == ("DE-LU", DEFAULT_URL)
    with pytest.raises(ConfigError, match=r"unknown key; allowed keys: .*bzn"):
        build(zone="DE")
