"""aWATTar: the market-data request, the parsed hourly rates and answers that do not parse.

How a failed request maps to retry or not is tested for every HTTP provider in test_http_failures.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from surplus.config.errors import ConfigError
from surplus.core.rates import Rate
from surplus.tariffs.base import PermanentTariffError, TariffKind
from surplus.tariffs.providers.awattar import Awattar
from tests.tariffs.building import build_tariff, fetch_once
from tests.tariffs.fixture_server import Reply, Server

FIXTURES = Path(__file__).parent / "fixtures"
MARKETDATA = (FIXTURES / "awattar_marketdata.json").read_text()
NOW = datetime(2025, 6, 1, 10, 17, 30, tzinfo=timezone(timedelta(hours=2)))  # 08:17:30 UTC


def build(**params: object) -> Awattar:
    return build_tariff(Awattar, {"name": "grid", "type": "awattar", **params}, NOW)


async def fetch(**params: object) -> list[Rate]:
    tariff = build(**params)
    return await fetch_once(tariff)


async def test_asks_for_two_hours_back_to_two_days_ahead_and_parses_hourly_rates(server: Server) -> None:
    server.routes["/v1/marketdata"] = Reply(MARKETDATA)
    rates = await fetch(url=server.url, region="de")
    (request,) = server.requests
    assert request.method == "GET"
    assert urlsplit(request.path).path == "/v1/marketdata"
    query = parse_qs(urlsplit(request.path).query)
    # 06:17:30 and 08:17:30 two days later, UTC, in milliseconds
    assert query == {"start": ["1748758650000"], "end": ["1748938650000"]}
    assert request.headers["user-agent"].startswith("surplus/")

    assert len(rates) == 16
    assert (rates[0].start, rates[0].end) == (datetime(2025, 6, 1, 6, tzinfo=UTC), datetime(2025, 6, 1, 7, tzinfo=UTC))
    assert rates[0].value == pytest.approx(0.0985)  # EUR/MWh ÷ 1000
    assert rates[-1].end == datetime(2025, 6, 1, 22, tzinfo=UTC)
    assert all(rate.start.tzinfo is UTC and rate.end - rate.start == timedelta(hours=1) for rate in rates)
    assert all(earlier.end == later.start for earlier, later in pairwise(rates))
    noon = next(rate for rate in rates if rate.start == datetime(2025, 6, 1, 12, tzinfo=UTC))
    assert noon.value == pytest.approx(-0.0123)
    assert min(rate.value for rate in rates) < 0


def test_kind_interval_and_region() -> None:
    tariff = build(region="AT")
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    assert tariff.interval() == timedelta(hours=1)
    with pytest.raises(ConfigError, match="allowed values"):
        build(region="ch")


async def test_accepts_the_price_composition_keys(server: Server) -> None:
    server.routes["/v1/marketdata"] = Reply(MARKETDATA)
    rates = await fetch(url=server.url, charges=0.2, tax=0.19, formula="price + charges")
    assert rates[0].value == pytest.approx(0.0985)  # the composition is the tariff service's job


@pytest.mark.parametrize(
    "body",
    [
        '{"object": "list"}',
        '{"data": [{"start_timestamp": "soon", "end_timestamp": 1748761200000, "marketprice": 1}]}',
        '{"data": [{"start_timestamp": 1748761200000, "end_timestamp": 1748757600000, "marketprice": 1}]}',
        '{"data": [{"start_timestamp": 1748757600000, "end_timestamp": 1748761200000, "marketprice": 1,'
        ' "unit": "Ct/kWh"}]}',
    ],
)
async def test_garbage_is_permanent(body: str, server: Server) -> None:
    server.routes["/v1/marketdata"] = Reply(body)
    with pytest.raises(PermanentTariffError):
        await fetch(url=server.url)


async def test_an_empty_answer_is_no_rates(server: Server) -> None:
    server.routes["/v1/marketdata"] = Reply('{"object": "list", "data": []}')
    assert await fetch(url=server.url) == []
