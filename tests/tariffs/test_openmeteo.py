"""open-meteo: the request, the PV model on the irradiance and temperature forecast, failures and the API key."""

from __future__ import annotations

import itertools
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from surplus.config.errors import ConfigError
from surplus.tariffs.base import PermanentTariffError, Tariff, TariffKind
from surplus.tariffs.providers.openmeteo import OpenMeteo
from tests.tariffs.building import build_tariff
from tests.tariffs.fixture_server import Reply, Server

FIXTURES = Path(__file__).parent / "fixtures"
FORECAST = (FIXTURES / "openmeteo_forecast.json").read_text()
ERROR = (FIXTURES / "openmeteo_error.json").read_text()
NOW = datetime(2026, 6, 1, 9, 30, tzinfo=UTC)
PLANT = {"lat": 49.2442, "lon": 8.6653, "dec": 30, "az": -20, "kwp": 10}
ROUTE = "/v1/forecast"
TEN = datetime(2026, 6, 1, 10, tzinfo=UTC)


@pytest.fixture
def server(running: Server) -> Server:
    running.routes.clear()
    running.requests.clear()
    running.routes[ROUTE] = Reply(FORECAST)
    return running


def build(**params: object) -> OpenMeteo:
    return build_tariff(OpenMeteo, {"type": "open-meteo", **params}, NOW, ("tariffs", "solar", 0))


def expected_power(irradiance: float, air: float, kwp: float = 10, efficiency: float = 0.9) -> float:
    """The documented model, written out: Ross cell temperature, −0.4 %/K from 25 °C, kWp × G / 1000 W/m²."""
    cell = air + 0.0342 * irradiance
    return kwp * irradiance * (1 - 0.004 * (cell - 25)) * efficiency


async def test_requests_tilted_irradiance_and_temperature_every_15_minutes_in_utc(server: Server) -> None:
    tariff = build(url=server.url, **PLANT)
    await tariff.fetch()
    (request,) = server.requests
    assert urlsplit(request.path).path == ROUTE
    assert parse_qs(urlsplit(request.path).query) == {
        "latitude": ["49.2442"],
        "longitude": ["8.6653"],
        "minutely_15": ["global_tilted_irradiance_instant,temperature_2m"],
        "tilt": ["30"],
        "azimuth": ["-20"],
        "forecast_days": ["3"],
        "timeformat": ["unixtime"],
        "timezone": ["UTC"],
    }
    assert tariff.kind() is TariffKind.SOLAR
    assert tariff.interval() == timedelta(hours=1)
    assert isinstance(tariff, Tariff)


async def test_azimuth_is_passed_on_in_the_shared_convention_and_a_model_may_be_chosen(server: Server) -> None:
    # evcc, forecast.solar and open-meteo all count 0 south, -90 east, 90 west
    await build(url=server.url, **{**PLANT, "az": 90}, model="icon_seamless").fetch()
    (request,) = server.requests
    query = parse_qs(urlsplit(request.path).query)
    assert query["azimuth"] == ["90"]
    assert query["models"] == ["icon_seamless"]


async def test_pv_model_gives_the_mean_power_of_each_quarter_hour(server: Server) -> None:
    rates = await build(url=server.url, **PLANT).fetch()
    by_start = {rate.start: rate.value for rate in rates}
    # 10:00 has 800 W/m² at 20 °C, 10:15 has 820 W/m² at 21 °C (fixture)
    assert expected_power(800, 20) == pytest.approx(6556.03, abs=0.01)
    assert by_start[TEN] == pytest.approx((expected_power(800, 20) + expected_power(820, 21)) / 2)
    assert all(rate.end - rate.start == timedelta(minutes=15) for rate in rates)
    assert all(earlier.end == later.start for earlier, later in itertools.pairwise(rates))
    assert min(rate.value for rate in rates) == 0  # the night, and a GTI of -1.6 W/m², are no power
    assert max(rate.value for rate in rates) < 10_000 * 0.9


async def test_nulls_beyond_the_forecast_horizon_are_left_out(server: Server) -> None:
    rates = await build(url=server.url, **PLANT).fetch()
    series = json.loads(FORECAST)["minutely_15"]
    assert len(series["time"]) == 96
    assert len(rates) == 94  # the last two instants have no irradiance
    assert rates[-1].end == datetime.fromtimestamp(series["time"][94], UTC)


async def test_ac_limit_efficiency_and_coefficients(server: Server) -> None:
    clipped = await build(url=server.url, acpower=5000, **PLANT).fetch()
    assert max(rate.value for rate in clipped) == pytest.approx(5000)
    lossless = await build(url=server.url, efficiency=1, alphatemp=0, rossmodel=0, **PLANT).fetch()
    assert {rate.start: rate.value for rate in lossless}[TEN] == pytest.approx(10 * (800 + 820) / 2)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"efficiency": 1.5}, "≤ 1"),
        ({"dec": 95}, "≤ 90"),
        ({"az": 270}, "≤ 180"),
        ({"kwp": 0}, "> 0"),
        ({"acpower": -1}, "> 0"),
        ({"interval": "0s"}, "longer than 0s"),
    ],
)
def test_configuration_errors(params: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build(**{**PLANT, **params})


async def test_a_refused_request_is_permanent_and_says_why(server: Server) -> None:
    server.routes[ROUTE] = Reply(ERROR, status=400)
    with pytest.raises(PermanentTariffError, match=r"HTTP 400.*'tilt' must be between 0 and 90"):
        await build(url=server.url, **PLANT).fetch()


@pytest.mark.parametrize(
    "body",
    [
        '{"minutely_15": {"time": [1780308000], "global_tilted_irradiance_instant": [], "temperature_2m": []}}',
        '{"minutely_15": {"time": [], "global_tilted_irradiance_instant": [], "temperature_2m": []}}',
        '{"hourly": {}}',
    ],
)
async def test_garbage_is_permanent(body: str, server: Server) -> None:
    server.routes[ROUTE] = Reply(body)
    with pytest.raises(PermanentTariffError):
        await build(url=server.url, **PLANT).fetch()


async def test_a_commercial_api_key_shows_in_no_log_line_and_no_error(
    caplog: pytest.LogCaptureFixture, server: Server
) -> None:
    caplog.set_level(logging.DEBUG)
    key = "om-commercial-Zq81"
    tariff = build(url=server.url, apikey=key, **PLANT)
    await tariff.fetch()
    server.routes[ROUTE] = Reply(json.dumps({"error": True, "reason": f"API key {key} expired"}), status=400)
    with pytest.raises(PermanentTariffError) as caught:
        await tariff.fetch()
    assert all(parse_qs(urlsplit(request.path).query)["apikey"] == [key] for request in server.requests)
    assert key not in str(caught.value) and "API key *** expired" in str(caught.value)
    assert "HTTP Request" in caplog.text  # httpx logged the requests, without the key
    assert key not in caplog.text
