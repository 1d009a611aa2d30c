"""CO₂ sources: GrünstromIndex and Electricity Maps requests, g/kWh rates, failures and tokens."""

from __future__ import annotations

import itertools
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.config.schema import DeviceEntry
from surplus.config.source import SourceMap
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, Tariff, TariffKind
from surplus.tariffs.providers.co2 import ElectricityMaps, GrunstromIndex
from tests.tariffs.building import build_tariff
from tests.tariffs.fixture_server import Reply, Server

FIXTURES = Path(__file__).parent / "fixtures"
GSI = (FIXTURES / "gruenstromindex_prediction.json").read_text()
EMAPS = (FIXTURES / "electricitymaps_forecast.json").read_text()
NOW = datetime(2026, 6, 1, 10, 5, tzinfo=UTC)
GSI_ROUTE = "/v2.0/gsi/prediction"
EMAPS_ROUTE = "/v3/carbon-intensity/forecast"
TOKEN = "em-token-Qy5wZ"


@pytest.fixture
def server(server: Server) -> Server:
    """Both providers answer from their recorded payloads unless a test says otherwise."""
    server.routes[GSI_ROUTE] = Reply(GSI)
    server.routes[EMAPS_ROUTE] = Reply(EMAPS)
    return server


def build(type_: str, **params: object) -> object:
    return build_tariff(object, {"type": type_, **params}, NOW, ("tariffs", "co2"))


def gsi(server: Server, **params: object) -> GrunstromIndex:
    entry = {"type": "grunstromindex", "url": server.url + GSI_ROUTE, "zip": "69168", **params}
    return build_tariff(GrunstromIndex, entry, NOW, ("tariffs", "co2"))


def emaps(server: Server, **params: object) -> ElectricityMaps:
    entry = {"type": "electricitymaps", "url": server.url + "/v3", "token": TOKEN, "zone": "DE", **params}
    return build_tariff(ElectricityMaps, entry, NOW, ("tariffs", "co2"))


def hour(h: int) -> datetime:
    return datetime(2026, 6, 1, h, tzinfo=UTC)


# --- GrünstromIndex -----------------------------------------------------------------------------------


async def test_gsi_asks_for_the_postcode_and_gives_the_standard_mix_in_g_per_kwh(server: Server) -> None:
    tariff = gsi(server)
    rates = await tariff.fetch()
    (request,) = server.requests
    assert urlsplit(request.path).path == GSI_ROUTE
    assert parse_qs(urlsplit(request.path).query) == {"zip": ["69168"]}
    assert len(rates) == 6
    # co2_g_standard, not the index (gsi 48.2) and not the green tariff's co2_g_oekostrom (61)
    assert rates[0] == Rate(hour(10), hour(11), 312)
    assert [rate.value for rate in rates] == [312, 278, 251, 244, 266, 309]
    assert all(earlier.end == later.start for earlier, later in itertools.pairwise(rates))
    assert tariff.kind() is TariffKind.CO2
    assert tariff.interval() == timedelta(hours=1)
    assert isinstance(tariff, Tariff)


async def test_gsi_items_without_a_timeframe_last_an_hour_from_their_timestamp(server: Server) -> None:
    answer = json.loads(GSI)
    for item in answer["forecast"]:
        del item["timeframe"]
    del answer["forecast"][0]["timeStamp"]  # only the epoch seconds left
    server.routes[GSI_ROUTE] = Reply(json.dumps(answer))
    rates = await gsi(server).fetch()
    assert rates[0] == Rate(hour(10), hour(11), 312)
    assert rates[1] == Rate(hour(11), hour(12), 278)


@pytest.mark.parametrize(("written", "postcode"), [("69168", "69168"), (1067, "01067"), (" 10178 ", "10178")])
async def test_gsi_postcode_may_be_written_as_a_number(written: object, postcode: str, server: Server) -> None:
    await gsi(server, zip=written).fetch()
    (request,) = server.requests
    assert parse_qs(urlsplit(request.path).query)["zip"] == [postcode]


@pytest.mark.parametrize("written", ["6916", "D-69168", "abcde", True])
def test_gsi_rejects_what_is_no_german_postcode(written: object) -> None:
    with pytest.raises(ConfigError, match="not a German postcode"):
        build("grunstromindex", zip=written)


async def test_gsi_token_goes_in_the_query_but_not_into_logs_or_errors(
    caplog: pytest.LogCaptureFixture, server: Server
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "corrently-T0ken"
    tariff = gsi(server, token=secret)
    await tariff.fetch()
    server.routes[GSI_ROUTE] = Reply(json.dumps({"err": True, "message": f"token {secret} over quota"}), status=403)
    with pytest.raises(PermanentTariffError) as caught:
        await tariff.fetch()
    assert [parse_qs(urlsplit(request.path).query)["token"] for request in server.requests] == [[secret], [secret]]
    assert "token *** over quota" in str(caught.value)
    assert secret not in str(caught.value)
    assert "HTTP Request" in caplog.text and secret not in caplog.text


async def test_gsi_error_answer_with_status_200_is_permanent(server: Server) -> None:
    server.routes[GSI_ROUTE] = Reply('{"err": true, "message": "Invalid zip code"}')
    with pytest.raises(PermanentTariffError, match="Invalid zip code"):
        await gsi(server).fetch()


# --- Electricity Maps ---------------------------------------------------------------------------------


async def test_emaps_asks_for_the_zone_with_the_token_header(server: Server) -> None:
    tariff = emaps(server)
    rates = await tariff.fetch()
    (request,) = server.requests
    assert urlsplit(request.path).path == EMAPS_ROUTE
    assert parse_qs(urlsplit(request.path).query) == {"zone": ["DE"]}
    assert request.headers["auth-token"] == TOKEN
    assert len(rates) == 8
    assert rates[0] == Rate(hour(10), hour(11), 287)
    assert rates[-1] == Rate(hour(17), hour(18), 372)
    assert tariff.kind() is TariffKind.CO2
    assert isinstance(tariff, Tariff)


async def test_emaps_slot_length_follows_the_spacing_and_nulls_are_left_out(server: Server) -> None:
    start = datetime(2026, 6, 1, 10, tzinfo=UTC)
    points = [
        {"carbonIntensity": value, "datetime": (start + timedelta(minutes=15 * n)).isoformat()}
        for n, value in enumerate([300, None, 280, 270])
    ]
    server.routes[EMAPS_ROUTE] = Reply(json.dumps({"zone": "DE", "forecast": points}))
    rates = await emaps(server).fetch()
    assert [(rate.start.minute, rate.end - rate.start, rate.value) for rate in rates] == [
        (0, timedelta(minutes=15), 300),
        (30, timedelta(minutes=15), 280),
        (45, timedelta(minutes=15), 270),
    ]


def test_emaps_needs_token_and_zone() -> None:
    with pytest.raises(ConfigError, match="required"):
        build("electricitymaps", zone="DE")
    with pytest.raises(ConfigError, match="required"):
        build("electricitymaps", token=TOKEN)


async def test_emaps_token_never_shows(caplog: pytest.LogCaptureFixture, server: Server) -> None:
    caplog.set_level(logging.DEBUG)
    server.routes[EMAPS_ROUTE] = Reply(json.dumps({"error": f"Invalid auth-token {TOKEN}"}), status=401)
    with pytest.raises(PermanentTariffError) as caught:
        await emaps(server).fetch()
    assert "check the token" in str(caught.value) and "Invalid auth-token ***" in str(caught.value)
    assert TOKEN not in str(caught.value)
    assert TOKEN not in caplog.text
    entry = DeviceEntry.model_validate({"type": "electricitymaps", "token": TOKEN, "zone": "DE"})
    built = registry.build("tariff", entry, ("tariffs", "co2"), SourceMap(), BuildContext(clock=VirtualClock(NOW)))
    assert TOKEN not in repr(built.params) and TOKEN not in built.params.model_dump_json()


# --- answers that do not parse, both sources (HTTP failures: test_http_failures.py) -------------------


def source(name: str, server: Server) -> GrunstromIndex | ElectricityMaps:
    return gsi(server) if name == "gsi" else emaps(server)


@pytest.mark.parametrize(
    ("name", "route", "body"),
    [
        ("gsi", GSI_ROUTE, '{"forecast": []}'),
        ("gsi", GSI_ROUTE, '{"forecast": [{"gsi": 50, "epochtime": 1780308000}]}'),
        ("emaps", EMAPS_ROUTE, '{"forecast": []}'),
        ("emaps", EMAPS_ROUTE, '{"forecast": [{"carbonIntensity": 300, "datetime": "soon"}]}'),
    ],
)
async def test_garbage_is_permanent(name: str, route: str, body: str, server: Server) -> None:
    server.routes[route] = Reply(body)
    with pytest.raises(PermanentTariffError):
        await source(name, server).fetch()
