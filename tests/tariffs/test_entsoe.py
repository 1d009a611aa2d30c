"""ENTSO-E: the A44 request, the XML in all three resolutions, gaps, sequences, acknowledgements and the token."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from surplus.config.errors import ConfigError
from surplus.core.rates import Rate
from surplus.tariffs.base import PermanentTariffError, TariffError, TariffKind
from surplus.tariffs.providers.entsoe import Entsoe
from tests.tariffs.building import build_tariff, fetch_once
from tests.tariffs.fixture_server import Reply, Server

FIXTURES = Path(__file__).parent / "fixtures"
TOKEN = "6f8a2c1e-4b3d-4e5f-9a7b-0c1d2e3f4a5b"
DOMAIN = "10Y1001A1001A82H"
NOW = datetime(2025, 6, 1, 10, 17, tzinfo=timezone(timedelta(hours=2)))  # 08:17 UTC
DAY_START = datetime(2025, 5, 31, 22, tzinfo=UTC)
NS = "urn:iec62325.351:tc57wg16:451-3:publicationdocument:7:3"


def fixture(name: str) -> Reply:
    return Reply((FIXTURES / name).read_bytes(), content_type="text/xml")


def build(**params: object) -> Entsoe:
    return build_tariff(Entsoe, {"name": "grid", "type": "entsoe", **params}, NOW)


async def fetch(**params: object) -> list[Rate]:
    tariff = build(**{"securitytoken": TOKEN, "domain": DOMAIN, **params})
    return await fetch_once(tariff)


def document(*series: str) -> str:
    body = "".join(series)
    return f'<?xml version="1.0"?><Publication_MarketDocument xmlns="{NS}">{body}</Publication_MarketDocument>'


def series(
    resolution: str,
    prices: list[float],
    *,
    start: str = "2025-05-31T22:00Z",
    end: str = "2025-06-01T22:00Z",
    sequence: int | None = None,
    unit: str = "MWH",
) -> str:
    points = "".join(
        f"<Point><position>{position}</position><price.amount>{price}</price.amount></Point>"
        for position, price in enumerate(prices, 1)
    )
    classification = (
        f"<classificationSequence_AttributeInstanceComponent.position>{sequence}"
        "</classificationSequence_AttributeInstanceComponent.position>"
        if sequence is not None
        else ""
    )
    return (
        f"<TimeSeries><price_Measure_Unit.name>{unit}</price_Measure_Unit.name>{classification}<curveType>A03</curveType>"
        f"<Period><timeInterval><start>{start}</start><end>{end}</end></timeInterval>"
        f"<resolution>{resolution}</resolution>{points}</Period></TimeSeries>"
    )


def contiguous(rates: list[Rate]) -> bool:
    return all(earlier.end == later.start for earlier, later in pairwise(rates))


async def test_asks_for_day_ahead_prices_and_parses_an_hourly_document(server: Server) -> None:
    server.routes["/api"] = fixture("entsoe_pt60m.xml")
    rates = await fetch(url=server.url)

    (request,) = server.requests
    assert request.method == "GET"
    assert urlsplit(request.path).path == "/api"
    assert parse_qs(urlsplit(request.path).query) == {
        "documentType": ["A44"],
        "in_Domain": [DOMAIN],
        "out_Domain": [DOMAIN],
        "periodStart": ["202506010700"],  # an hour ago, whole hours, UTC
        "periodEnd": ["202506030000"],  # the end of tomorrow, UTC
        "securityToken": [TOKEN],
    }

    assert len(rates) == 24
    assert (rates[0].start, rates[0].end) == (DAY_START, DAY_START + timedelta(hours=1))
    assert rates[0].value == pytest.approx(0.0985)  # EUR/MWh ÷ 1000
    assert rates[-1].end == DAY_START + timedelta(days=1)
    assert all(rate.start.tzinfo is UTC and rate.end - rate.start == timedelta(hours=1) for rate in rates)
    assert contiguous(rates)
    assert rates[12].value == pytest.approx(-0.0123)  # 12:00 UTC, sunny Sunday


async def test_a_quarter_hourly_series_with_the_lowest_classification_sequence_wins(server: Server) -> None:
    # the document holds an hourly series (sequence 2) first and a quarter-hourly one (sequence 1) for the same day
    server.routes["/api"] = fixture("entsoe_pt15m.xml")
    rates = await fetch(url=server.url)
    assert len(rates) == 96
    assert all(rate.end - rate.start == timedelta(minutes=15) for rate in rates)
    assert contiguous(rates)
    assert (rates[0].start, rates[-1].end) == (DAY_START, DAY_START + timedelta(days=1))
    assert [rate.value for rate in rates[:4]] == pytest.approx([0.10031, 0.0991, 0.0979, 0.09669])
    assert min(rate.value for rate in rates) < 0


async def test_a_missing_position_repeats_the_previous_point(server: Server) -> None:
    # an older namespace (7:0); positions 4, 23 and 24 are left out (curve type A03)
    server.routes["/api"] = fixture("entsoe_missing_position.xml")
    rates = await fetch(url=server.url)
    assert len(rates) == 24
    assert contiguous(rates)
    assert rates[3].value == rates[2].value == pytest.approx(0.08602)
    assert rates[22].value == rates[23].value == rates[21].value == pytest.approx(0.10233)
    assert rates[4].value == pytest.approx(0.0839)


async def test_half_hourly_periods_are_accepted(server: Server) -> None:
    prices = [float(45 - position) for position in range(48)]
    server.routes["/api"] = Reply(document(series("PT30M", prices)), content_type="text/xml")
    rates = await fetch(url=server.url)
    assert len(rates) == 48
    assert all(rate.end - rate.start == timedelta(minutes=30) for rate in rates)
    assert rates[-1] == Rate(DAY_START + timedelta(hours=23, minutes=30), DAY_START + timedelta(days=1), -0.002)


async def test_without_a_classification_sequence_the_first_series_is_kept(server: Server) -> None:
    today = [100.0] * 24
    tomorrow = [-20.0] * 24
    body = document(
        series("PT60M", today),
        series("PT60M", [300.0] * 24),
        series("PT60M", tomorrow, start="2025-06-01T22:00Z", end="2025-06-02T22:00Z"),
    )
    server.routes["/api"] = Reply(body, content_type="text/xml")
    rates = await fetch(url=server.url)
    assert len(rates) == 48
    assert contiguous(rates)
    assert {rate.value for rate in rates[:24]} == {0.1}
    assert {rate.value for rate in rates[24:]} == {-0.02}


async def test_prices_per_kwh_are_taken_as_they_are(server: Server) -> None:
    server.routes["/api"] = Reply(document(series("PT60M", [0.25] * 24, unit="KWH")), content_type="text/xml")
    rates = await fetch(url=server.url)
    assert {rate.value for rate in rates} == {0.25}


def test_kind_interval_and_required_keys() -> None:
    tariff = build(securitytoken=TOKEN, domain=DOMAIN)
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    assert tariff.interval() == timedelta(hours=1)
    with pytest.raises(ConfigError, match="required"):
        build(securitytoken=TOKEN)
    with pytest.raises(ConfigError, match="required"):
        build(domain=DOMAIN)


async def test_an_acknowledgement_is_permanent_and_carries_its_reason(server: Server) -> None:
    server.routes["/api"] = fixture("entsoe_acknowledgement.xml")
    with pytest.raises(PermanentTariffError, match=r"No matching data found for Data item Energy Prices \[12\.1\.D\]"):
        await fetch(url=server.url, domain="10YDOM-REGION-1V")


async def test_an_unauthorised_answer_is_permanent_and_explained(server: Server) -> None:
    unauthorised = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">'
        "<Reason><code>999</code><text>Unauthorized. Missing or invalid security token</text></Reason>"
        "</Acknowledgement_MarketDocument>"
    )
    server.routes["/api"] = Reply(unauthorised, status=401, content_type="text/xml")
    with pytest.raises(PermanentTariffError, match=r"HTTP 401.*invalid security token"):
        await fetch(url=server.url)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ("{}", "not XML"),
        ("<Publication_MarketDocument><TimeSeries>", "not XML"),
        ("<GL_MarketDocument/>", "unexpected document"),
        (document(series("P1D", [1.0])), "unsupported resolution P1D"),
        (document(series("PT60M", [1.0] * 24, unit="EUR")), "unexpected price unit EUR"),
        (document(series("PT60M", [1.0], start="tomorrow")), "not a time"),
        (
            '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
            "<Publication_MarketDocument>&lol2;</Publication_MarketDocument>",
            "DTD",
        ),
    ],
)
async def test_garbage_is_permanent(server: Server, body: str, problem: str) -> None:
    server.routes["/api"] = Reply(body, content_type="text/xml")
    with pytest.raises(PermanentTariffError, match=problem):
        await fetch(url=server.url)


async def test_the_token_never_reaches_a_message_or_a_log(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echo = (
        '<Acknowledgement_MarketDocument xmlns="urn:iec62325.351:tc57wg16:451-1:acknowledgementdocument:7:0">'
        f"<Reason><code>999</code><text>Token {TOKEN} is not valid</text></Reason></Acknowledgement_MarketDocument>"
    )
    messages: list[str] = []
    for reply in [
        fixture("entsoe_pt60m.xml"),
        Reply(echo, content_type="text/xml"),
        Reply(echo, status=401, content_type="text/xml"),
        Reply(echo, status=503, content_type="text/xml"),
    ]:
        server.routes["/api"] = reply
        try:
            await fetch(url=server.url)
        except TariffError as error:
            messages.append(str(error))
    assert all(TOKEN in request.path for request in server.requests)  # it is sent …
    assert len(messages) == 3
    assert all("***" in message for message in messages)  # … never shown
    logged = [record.getMessage() for record in caplog.records]
    assert any("HTTP Request: GET" in line for line in logged), "httpx logs each request with its URL"
    assert not [line for line in logged if TOKEN in line]
