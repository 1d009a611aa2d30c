"""forecast.solar: the request, hourly rates of mean power, planes, rate limiting, failures, and the API key."""

from __future__ import annotations

import itertools
import json
import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from surplus.config.errors import ConfigError
from surplus.core.rates import Rate
from surplus.tariffs.base import PermanentTariffError, Tariff, TariffError, TariffKind
from surplus.tariffs.providers.forecastsolar import ForecastSolar, hourly_rates
from tests.tariffs.building import build_tariff
from tests.tariffs.fixture_server import Reply, Server

FIXTURES = Path(__file__).parent / "fixtures"
ESTIMATE = (FIXTURES / "forecastsolar_estimate.json").read_text()
RATELIMIT = (FIXTURES / "forecastsolar_ratelimit.json").read_text()
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
KEY = "Xk7secretKEY42"
PLANE = {"lat": 49.2442, "lon": 8.6653, "dec": 30, "az": -20, "kwp": 5.0}
ROUTE = "/estimate/49.2442/8.6653/30/-20/5"


def build(**params: object) -> ForecastSolar:
    return build_tariff(ForecastSolar, {"type": "forecast-solar", **params}, NOW, ("tariffs", "solar", 0))


def utc(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


async def test_requests_the_plane_in_utc_whole_days_hourly(server: Server) -> None:
    server.routes[ROUTE] = Reply(ESTIMATE)
    tariff = build(url=server.url, **PLANE)
    await tariff.fetch()
    (request,) = server.requests
    assert request.method == "GET"
    assert urlsplit(request.path).path == ROUTE
    assert parse_qs(urlsplit(request.path).query) == {"time": ["utc"], "full": ["1"], "resolution": ["60"]}
    assert request.headers["accept"] == "application/json"
    assert request.headers["user-agent"].startswith("surplus/")


async def test_hourly_rates_carry_the_mean_power_of_each_hour(server: Server) -> None:
    server.routes[ROUTE] = Reply(ESTIMATE)
    tariff = build(url=server.url, **PLANE)
    rates = await tariff.fetch()
    watts = json.loads(ESTIMATE)["result"]["watts"]
    assert len(rates) == 48
    assert rates[0].start == utc("2026-05-31T22:00:00+00:00")
    assert all(rate.end - rate.start == timedelta(hours=1) for rate in rates)
    assert all(a.end == b.start for a, b in itertools.pairwise(rates))
    # 10:00–11:00 UTC lies between the instants 3134 W and 3370 W
    ten = next(rate for rate in rates if rate.start == utc("2026-06-01T10:00:00+00:00"))
    assert ten.value == pytest.approx((watts["2026-06-01T10:00:00+00:00"] + watts["2026-06-01T11:00:00+00:00"]) / 2)
    # the mean of each hour is what forecast.solar's own watt_hours_period reports for the hour it ends
    periods = json.loads(ESTIMATE)["result"]["watt_hours_period"]
    for rate in rates[:-1]:
        assert rate.value == pytest.approx(periods[(rate.end).strftime("%Y-%m-%dT%H:%M:%S+00:00")], abs=1)
    assert rates[0].value == 0 and rates[-1].value == 0
    assert tariff.kind() is TariffKind.SOLAR
    assert isinstance(tariff, Tariff)


def test_stray_sunrise_and_sunset_instants_fall_into_their_hour_and_night_gaps_are_zero() -> None:
    # without full=1 forecast.solar starts at sunrise and ends at sunset, in local time unless time=utc
    watts = {
        "2026-06-01T04:20:17+00:00": 0,
        "2026-06-01T05:00:00+00:00": 270,
        "2026-06-01T06:00:00+00:00": 480,
        "2026-06-01 07:00:00": 590,  # time_tz=0 writes UTC without an offset
        "2026-06-01T07:59:23+00:00": 0,
        "2026-06-02T04:18:00+00:00": 0,
        "2026-06-02T05:00:00+00:00": 200,
    }
    rates = hourly_rates(watts, timedelta(hours=1))
    by_start = {rate.start: rate.value for rate in rates}
    assert rates[0].start == utc("2026-06-01T04:00:00+00:00")
    assert by_start[utc("2026-06-01T04:00:00+00:00")] == pytest.approx(135)  # (0 + 270) / 2
    assert by_start[utc("2026-06-01T07:00:00+00:00")] == pytest.approx(295)  # 590 on the hour wins over 0
    assert by_start[utc("2026-06-01T08:00:00+00:00")] == 0  # night, filled in
    assert by_start[utc("2026-06-02T04:00:00+00:00")] == pytest.approx(100)
    assert rates[-1] == Rate(utc("2026-06-02T05:00:00+00:00"), utc("2026-06-02T06:00:00+00:00"), 200)
    assert len(rates) == 26


def test_half_hour_time_zones_keep_their_grid() -> None:
    rates = hourly_rates({"2026-06-01T04:30:00+00:00": 100, "2026-06-01T05:30:00+00:00": 300}, timedelta(hours=1))
    assert [rate.start for rate in rates] == [utc("2026-06-01T04:30:00+00:00"), utc("2026-06-01T05:30:00+00:00")]


async def test_several_planes_go_into_one_request_with_the_key(server: Server) -> None:
    planes = [{"dec": 30, "az": -90, "kwp": 4.2}, {"dec": 30, "az": 90, "kwp": 4.25}]
    path = f"/{KEY}/estimate/49.2442/8.6653/30/-90/4.2/30/90/4.25"
    server.routes[path] = Reply(ESTIMATE)
    tariff = build(url=server.url, lat=49.2442, lon=8.6653, planes=planes, apikey=KEY, horizon="0,10,20")
    rates = await tariff.fetch()
    (request,) = server.requests
    assert urlsplit(request.path).path == path
    assert parse_qs(urlsplit(request.path).query)["horizon"] == ["0,10,20"]
    assert len(rates) == 48


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"lat": 49.0, "lon": 8.0, "dec": 30, "kwp": 5}, "missing az"),
        ({"lat": 49.0, "lon": 8.0, "planes": [{"dec": 30, "az": 0, "kwp": 5}] * 2}, "need an API key"),
        ({**PLANE, "planes": [{"dec": 30, "az": 0, "kwp": 5}]}, "not both"),
        ({**PLANE, "dec": 95}, "≤ 90"),
        ({**PLANE, "interval": "0s"}, "longer than 0s"),  # it asked again and again, without a pause
    ],
)
def test_plane_configuration_errors_say_what_to_write(params: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        build(**params)


def test_interval_defaults_to_an_hour_for_the_free_rate_limit() -> None:
    assert build(**PLANE).interval() == timedelta(hours=1)
    assert build(interval="2h", **PLANE).interval() == timedelta(hours=2)


async def test_rate_limit_is_retried_later_with_the_seconds_to_wait(server: Server) -> None:
    server.routes[ROUTE] = Reply(RATELIMIT, status=429)
    tariff = build(url=server.url, **PLANE)
    with pytest.raises(TariffError) as caught:
        await tariff.fetch()
    assert not isinstance(caught.value, PermanentTariffError)
    # retry-at 14:48:53+02:00 is 12:48:53 UTC, 2933 s after NOW
    assert "retry in 2933 s" in str(caught.value)
    assert "12 calls per 3600 s" in str(caught.value)


@pytest.mark.parametrize(
    "body",
    ['{"result": {"watts": {}}}', '{"result": {"watts": {"yesterday": 5}}}', "{}"],
)
async def test_garbage_is_permanent(body: str, server: Server) -> None:
    server.routes[ROUTE] = Reply(body)
    tariff = build(url=server.url, **PLANE)
    with pytest.raises(PermanentTariffError):
        await tariff.fetch()


async def test_the_api_key_shows_in_no_log_line_and_no_error(caplog: pytest.LogCaptureFixture, server: Server) -> None:
    caplog.set_level(logging.DEBUG)
    path = f"/{KEY}{ROUTE}"
    echo = json.dumps({"message": {"code": 401, "type": "error", "text": f"Invalid API key {KEY}"}})
    server.routes[path] = Reply(echo, status=401)
    tariff = build(url=server.url, apikey=KEY, **PLANE)
    with pytest.raises(PermanentTariffError) as caught:
        await tariff.fetch()
    server.routes[path] = Reply(ESTIMATE)
    await tariff.fetch()
    assert [urlsplit(request.path).path for request in server.requests] == [path, path]
    assert "Invalid API key ***" in str(caught.value)
    assert KEY not in str(caught.value)
    assert "_apikey_" in caplog.text  # httpx logged the request, with the placeholder
    assert KEY not in caplog.text
    assert KEY not in repr(tariff.request_url())
