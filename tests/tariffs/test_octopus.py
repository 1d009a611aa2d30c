"""Octopus Energy (UK): the unit-rates request, following pages, open-ended rates and failures.

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
from surplus.tariffs.base import PermanentTariffError, TariffError, TariffKind
from surplus.tariffs.providers.octopus import Octopus
from tests.tariffs.building import build_tariff, fetch_once
from tests.tariffs.fixture_server import Reply, Request, Server

FIXTURES = Path(__file__).parent / "fixtures"
PUBLIC = "https://api.octopus.energy"
AGILE = "/v1/products/AGILE-24-10-01/electricity-tariffs/E-1R-AGILE-24-10-01-C/standard-unit-rates/"
FIXED = "/v1/products/VAR-22-11-01/electricity-tariffs/E-1R-VAR-22-11-01-A/standard-unit-rates/"
NOW = datetime(2025, 6, 1, 9, 17, tzinfo=timezone(timedelta(hours=1)))  # 08:17 UTC, British summer time
HALF_HOUR = timedelta(minutes=30)


def pages(server: Server) -> None:
    """Serves the two recorded Agile pages, their ``next`` link pointing at the test server."""

    def answer(request: Request) -> Reply:
        query = parse_qs(urlsplit(request.path).query)
        name = "octopus_agile_page2.json" if query.get("page") == ["2"] else "octopus_agile_page1.json"
        return Reply((FIXTURES / name).read_text().replace(PUBLIC, server.url))

    server.routes[AGILE] = answer


def build(**params: object) -> Octopus:
    return build_tariff(Octopus, {"name": "grid", "type": "octopus", **params}, NOW)


async def fetch(**params: object) -> list[Rate]:
    tariff = build(**params)
    return await fetch_once(tariff)


async def test_builds_the_tariff_code_from_the_region_and_follows_the_pages(server: Server) -> None:
    pages(server)
    rates = await fetch(url=server.url, productcode="AGILE-24-10-01", region="c")

    first, second = server.requests
    assert first.method == "GET"
    assert urlsplit(first.path).path == AGILE
    assert parse_qs(urlsplit(first.path).query) == {"period_from": ["2025-06-01T07:00:00Z"]}
    assert parse_qs(urlsplit(second.path).query) == {"period_from": ["2025-06-01T07:00:00Z"], "page": ["2"]}

    start = datetime(2025, 6, 1, 7, tzinfo=UTC)
    assert len(rates) == 7
    assert (rates[0].start, rates[0].end) == (start, start + HALF_HOUR)
    assert rates[0].value == pytest.approx(0.189)
    assert (rates[-1].start, rates[-1].end) == (start + 6 * HALF_HOUR, start + 7 * HALF_HOUR)
    assert rates[-1].value == pytest.approx(-0.0473)  # p/kWh ÷ 100
    assert all(rate.start.tzinfo is UTC and rate.end - rate.start == HALF_HOUR for rate in rates)
    assert all(earlier.end == later.start for earlier, later in pairwise(rates))


async def test_a_given_tariff_code_is_used_as_it_is(server: Server) -> None:
    pages(server)
    rates = await fetch(url=server.url, productcode="AGILE-24-10-01", tariffcode="E-1R-AGILE-24-10-01-C")
    assert len(rates) == 7
    assert urlsplit(server.requests[0].path).path == AGILE


async def test_an_open_ended_rate_lasts_a_year_and_direct_debit_is_preferred(server: Server) -> None:
    server.routes[FIXED] = Reply((FIXTURES / "octopus_fixed.json").read_text())
    rates = await fetch(url=server.url, productcode="VAR-22-11-01", region="A")
    assert rates == [
        Rate(datetime(2025, 1, 1, tzinfo=UTC), datetime(2025, 4, 1, tzinfo=UTC), 0.25),
        Rate(datetime(2025, 4, 1, tzinfo=UTC), NOW.astimezone(UTC) + timedelta(days=365), 0.245),
    ]


def test_kind_interval_and_params() -> None:
    tariff = build(productcode="AGILE-24-10-01", region="C")
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    assert tariff.interval() == timedelta(hours=1)
    with pytest.raises(ConfigError, match="set tariffcode, or region"):
        build(productcode="AGILE-24-10-01")
    with pytest.raises(ConfigError, match="not a region letter"):
        build(productcode="AGILE-24-10-01", region="I")
    with pytest.raises(ConfigError, match="required"):
        build(region="C")


async def test_a_failing_second_page_fails_the_fetch(server: Server) -> None:
    first = (FIXTURES / "octopus_agile_page1.json").read_text().replace(PUBLIC, server.url)
    server.routes[AGILE] = lambda request: Reply("busy", status=503) if "page=2" in request.path else Reply(first)
    with pytest.raises(TariffError, match="HTTP 503"):
        await fetch(url=server.url, productcode="AGILE-24-10-01", region="C")


@pytest.mark.parametrize(
    "body",
    [
        '{"count": 0}',
        '{"results": [{"value_inc_vat": "cheap", "valid_from": "2025-06-01T07:00:00Z"}]}',
        '{"results": [{"value_inc_vat": 1.0, "valid_from": "2025-06-01T07:00:00"}]}',
        '{"results": [{"value_inc_vat": 1, "valid_from": "2025-06-01T07:00Z", "valid_to": "2025-06-01T06:00Z"}]}',
        '{"results": [], "next": "https://elsewhere.example/v1/products/?page=2"}',
    ],
)
async def test_garbage_is_permanent(server: Server, body: str) -> None:
    server.routes[AGILE] = Reply(body)
    with pytest.raises(PermanentTariffError):
        await fetch(url=server.url, productcode="AGILE-24-10-01", region="C")
