"""``type: custom`` with an http+jq plugin: the request sent, the rates parsed, errors and config checks."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import jq
import pytest

from surplus.config.errors import ConfigError
from surplus.core.rates import Rate
from surplus.tariffs.base import PermanentTariffError, Tariff, TariffKind
from surplus.tariffs.providers.custom import Custom
from tests.tariffs.building import build_tariff, fetch_once
from tests.tariffs.fixture_server import Reply, Request, Server

FIXTURES = Path(__file__).parent / "fixtures"
BERLIN = ZoneInfo("Europe/Berlin")
NOW = datetime(2025, 6, 2, 10, 7, 30, tzinfo=BERLIN)
# evcc's energy-charts template expression: transposes the two arrays into hourly rates, as a JSON string
ENERGY_CHARTS_JQ = (
    '[.unix_seconds, .price] | transpose | map({ "start": (.[0] | todate), "end": ((.[0]+3600) | todate),'
    ' "price": (.[1]/1000)}) | tostring'
)
TOKEN = "s3cr3t-t0k3n-value"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def build(**params: Any) -> Custom:
    return build_tariff(Custom, {"name": "grid", "type": "custom", **params}, NOW)


async def fetch(tariff: Custom) -> list[Rate]:
    return await fetch_once(tariff)


def headers(request: Request) -> dict[str, str]:
    return {key.lower(): value for key, value in request.headers.items()}


async def test_forecast_with_evccs_energy_charts_expression(server: Server) -> None:
    server.routes["/price"] = Reply(fixture("energycharts_price_hourly.json"))
    tariff = build(forecast={"source": "http", "uri": server.url + "/price?bzn=DE-LU", "jq": ENERGY_CHARTS_JQ})
    assert isinstance(tariff, Tariff)
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    assert tariff.interval() == timedelta(hours=1)
    rates = await fetch(tariff)
    (request,) = server.requests
    assert request.method == "GET"
    assert urlsplit(request.path).path == "/price"
    assert parse_qs(urlsplit(request.path).query) == {"bzn": ["DE-LU"]}
    start = datetime(2025, 6, 1, 22, tzinfo=UTC)
    assert rates == [
        Rate(start, start + timedelta(hours=1), 0.1023),
        Rate(start + timedelta(hours=1), start + timedelta(hours=2), 0.09801),
        Rate(start + timedelta(hours=2), start + timedelta(hours=3), 0.0),
        Rate(start + timedelta(hours=3), start + timedelta(hours=4), -0.01247),
    ]


async def test_forecast_times_with_offsets_are_parsed_here_not_in_jq(server: Server) -> None:
    server.routes["/api/tariff/grid"] = Reply(fixture("custom_evcc_tariff.json"))
    tariff = build(forecast={"source": "http", "uri": server.url + "/api/tariff/grid", "jq": ".rates"})
    rates = await fetch(tariff)
    assert [r.start for r in rates] == [datetime(2025, 6, 2, 8, m, tzinfo=UTC) for m in (0, 15, 30, 45)]
    assert all(r.start.tzinfo is UTC for r in rates)
    assert [r.value for r in rates] == [0.2512, 0.2498, -0.0105, 0.0]


def test_libjq_strptime_drops_offsets_which_is_why_times_are_parsed_in_python() -> None:
    # devices.md §5: gojq honours the offset, libjq does not. If this starts failing, libjq was fixed.
    program = jq.compile('.rates[0].start | strptime("%FT%T%z") | mktime | todate')
    assert program.input_text(fixture("custom_evcc_tariff.json")).first() == "2025-06-02T10:00:00Z"  # not 08:00


async def test_forecast_without_jq_reads_the_answer_as_the_list(server: Server) -> None:
    payload = json.loads(fixture("custom_evcc_tariff.json"))["rates"]
    server.routes["/list"] = Reply(json.dumps(payload))
    rates = await fetch(build(forecast={"source": "http", "uri": server.url + "/list"}))
    assert len(rates) == 4


async def test_a_current_price_is_one_slot_to_the_end_of_the_quarter_hour(server: Server) -> None:
    server.routes["/now"] = Reply(fixture("custom_current_price.json"))
    tariff = build(price={"source": "http", "uri": server.url + "/now", "jq": ".data.current.price", "scale": 0.01})
    assert tariff.kind() is TariffKind.PRICE_DYNAMIC
    (rate,) = await fetch(tariff)
    assert rate.start == NOW
    assert rate.end == datetime(2025, 6, 2, 10, 15, tzinfo=BERLIN)
    assert rate.value == pytest.approx(0.2741)


async def test_post_with_headers_body_and_basic_auth(server: Server) -> None:
    server.routes["/gql"] = Reply(fixture("custom_co2_forecast.json"))
    tariff = build(
        tariff="co2",
        forecast={
            "source": "http",
            "uri": server.url + "/gql",
            "headers": {"Content-Type": "application/json", "X-Site": "home"},
            "body": '{"query": "forecast"}',
            "jq": "[.forecast[] | {start: .from, end: .to, value: .gco2}]",
            "timeout": "5s",
            "auth": {"type": "basic", "user": "evcc", "password": TOKEN},
        },
    )
    assert tariff.kind() is TariffKind.CO2
    rates = await fetch(tariff)
    (request,) = server.requests
    assert request.method == "POST"
    assert request.body == b'{"query": "forecast"}'
    sent = headers(request)
    assert sent["content-type"] == "application/json"
    assert sent["x-site"] == "home"
    assert sent["authorization"] == "Basic " + base64.b64encode(f"evcc:{TOKEN}".encode()).decode()
    assert [r.value for r in rates] == [312, 287.5]


async def test_bearer_auth_and_an_explicit_method(server: Server) -> None:
    server.routes["/solar"] = Reply(fixture("custom_co2_forecast.json"))
    tariff = build(
        tariff="solar",
        interval="15m",
        forecast={
            "source": "http",
            "uri": server.url + "/solar",
            "method": "post",
            "jq": "[.forecast[] | {start: .from, end: .to, value: .gco2}] | tostring",
            "auth": {"type": "bearer", "token": TOKEN},
        },
    )
    assert tariff.kind() is TariffKind.SOLAR
    assert tariff.interval() == timedelta(minutes=15)
    await fetch(tariff)
    (request,) = server.requests
    assert request.method == "POST"  # no body, so only the explicit method makes it a POST
    assert request.body == b""
    assert headers(request)["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("kind", ["temperature", "co2"])
def test_other_kinds(kind: str) -> None:
    tariff = build(tariff=kind, forecast={"source": "http", "uri": "http://127.0.0.1:1/"})
    assert tariff.kind() is TariffKind(kind)


@pytest.mark.parametrize(
    ("body", "jq_expression", "text"),
    [
        ("<html>maintenance</html>", None, "the answer is not JSON"),
        ("<html>maintenance</html>", ".rates", "jq '.rates' failed on the answer: parse error"),
        ('{"rates": 5}', ".rates[]", "jq '.rates[]' failed on the answer: Cannot iterate over number"),
        ('{"rates": []}', ".rates[]", "jq '.rates[]' gave no value"),
        ('{"rates": "[oops"}', ".rates", "the forecast is not JSON"),
        ('{"rates": {"a": 1}}', ".rates", "the forecast is dict, not a list of rates"),
        ('[{"start": "2025-06-02T08:00:00Z", "end": "2025-06-02T09:00:00Z"}]', None, "forecast item 0 has no value"),
        (
            '[{"start": "2025-06-02 08:00", "end": "2025-06-02T09:00:00Z", "value": 1}]',
            None,
            "forecast item 0: start '2025-06-02 08:00' has no UTC offset; write RFC 3339 times",
        ),
        (
            '[{"start": "tomorrow", "end": "2025-06-02T09:00:00Z", "value": 1}]',
            None,
            "forecast item 0: start 'tomorrow' is not a time",
        ),
        ('[{"end": "2025-06-02T09:00:00Z", "value": 1}]', None, "forecast item 0: start is missing or not text"),
        (
            '[{"start": "2025-06-02T09:00:00Z", "end": "2025-06-02T09:00:00Z", "value": 1}]',
            None,
            "forecast item 0 ends (2025-06-02T09:00:00Z) before it starts",
        ),
        (
            '[{"start": "2025-06-02T08:00:00Z", "end": "2025-06-02T09:00:00Z", "value": "n/a"}]',
            None,
            "forecast item 0: 'n/a' is not a number",
        ),
        ("[7]", None, "forecast item 0 is not an object with start, end and value"),
    ],
)
async def test_answers_that_do_not_parse_are_permanent_errors(
    server: Server, body: str, jq_expression: str | None, text: str
) -> None:
    server.routes["/p"] = Reply(body)
    plugin: dict[str, Any] = {"source": "http", "uri": server.url + "/p"}
    if jq_expression is not None:
        plugin["jq"] = jq_expression
    with pytest.raises(PermanentTariffError) as raised:
        await fetch(build(forecast=plugin))
    assert str(raised.value).startswith("custom tariff 'grid': ")
    assert text in str(raised.value)


@pytest.mark.parametrize(
    ("value", "text"),
    [("true", "True is not a number"), ('"NaN"', "'NaN' is not a finite number"), ("null", "no value (null)")],
)
async def test_a_current_price_must_be_a_finite_number(server: Server, value: str, text: str) -> None:
    server.routes["/now"] = Reply(f'{{"price": {value}}}')
    with pytest.raises(PermanentTariffError, match="custom tariff 'grid': ") as raised:
        await fetch(build(price={"source": "http", "uri": server.url + "/now", "jq": ".price"}))
    assert text in str(raised.value)


@pytest.mark.parametrize(
    ("params", "key", "text"),
    [
        (
            {"forecast": {"source": "mqtt", "topic": "prices"}},
            "tariffs.grid.forecast",
            "source 'mqtt' is not supported for tariffs yet; supported: http",
        ),
        ({"forecast": {"uri": "http://x"}}, "tariffs.grid.forecast", "a plugin needs a source; supported for tariffs"),
        ({}, "tariffs.grid", "a custom tariff needs either price (a current price) or forecast (a list of rates)"),
        (
            {"price": {"source": "http", "uri": "http://x"}, "forecast": {"source": "http", "uri": "http://x"}},
            "tariffs.grid",
            "needs either price",
        ),
        (
            {"tariff": "co2", "price": {"source": "http", "uri": "http://x"}},
            "tariffs.grid",
            "price is for tariff: price; a co2 tariff needs forecast",
        ),
        (
            {"forecast": {"source": "http", "uri": "http://x", "jq": ".a |||"}},
            "tariffs.grid.forecast.jq",
            "jq '.a |||' does not compile: syntax error",
        ),
        (
            {"forecast": {"source": "http", "uri": "http://x", "auth": {"type": "digest"}}},
            "tariffs.grid.forecast.auth.type",
            "'digest' is not allowed; allowed values: basic, bearer",
        ),
        (
            {"forecast": {"source": "http", "uri": "http://x", "auth": {"type": "basic"}}},
            "tariffs.grid.forecast.auth",
            "basic auth needs a user",
        ),
        (
            {"forecast": {"source": "http", "uri": "http://x", "regex": "x"}},
            "tariffs.grid.forecast.regex",
            "unknown key; allowed keys: auth, body, headers, jq, method, scale, source, timeout, uri",
        ),
        (
            {"forecast": {"source": "http", "uri": "http://x"}, "features": ["fast"]},
            "tariffs.grid.features[0]",
            "'fast' is not allowed; allowed values: average, cacheable",
        ),
        (
            {"forecast": {"source": "http", "uri": "http://x"}, "formula": "price * cheap"},
            "tariffs.grid.formula",
            "unknown name 'cheap'",
        ),
        ({"forecast": {"source": "http", "uri": "http://x"}, "interval": "0s"}, "tariffs.grid", "longer than 0s"),
    ],
)
def test_config_errors(params: dict[str, Any], key: str, text: str) -> None:
    with pytest.raises(ConfigError) as raised:
        build(**params)
    assert raised.value.key == key
    assert text in raised.value.message


def test_secrets_stay_out_of_the_params_repr() -> None:
    tariff = build(forecast={"source": "http", "uri": "http://x", "auth": {"type": "bearer", "token": TOKEN}})
    assert TOKEN not in repr(tariff._params)
