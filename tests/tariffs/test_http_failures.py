"""Every HTTP tariff provider maps a failed request the same way: a refusal is permanent, trouble is worth a retry.

A 4xx answer is a PermanentTariffError naming the status (a 401 or 403 says to check the token), a 429 or a 5xx
answer and a refused connection are a TariffError to retry, and a web page where data was expected is permanent.
Each message starts with the provider's name and the host, and never shows the token. What one provider adds (an
error body's explanation, a GraphQL error, an XML acknowledgement, a rate limit's wait) is tested in its module.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus

import pytest

from surplus.devices.protocols import Closable
from surplus.tariffs.base import PermanentTariffError, TariffError
from surplus.tariffs.providers.awattar import Awattar
from surplus.tariffs.providers.co2 import ElectricityMaps, GrunstromIndex
from surplus.tariffs.providers.custom import Custom
from surplus.tariffs.providers.energycharts import EnergyCharts
from surplus.tariffs.providers.entsoe import Entsoe
from surplus.tariffs.providers.forecastsolar import ForecastSolar
from surplus.tariffs.providers.octopus import Octopus
from surplus.tariffs.providers.openmeteo import OpenMeteo
from surplus.tariffs.providers.tibber import Tibber
from tests.tariffs.building import ClosingTariff, build_tariff, fetch_once, refused_url
from tests.tariffs.fixture_server import Reply, Server

NOW = datetime(2025, 6, 1, 8, 17, 30, tzinfo=UTC)
TOKEN = "s3cr3t-t0k3n-Qy5wZ"
PLANE = {"lat": 49.2442, "lon": 8.6653, "dec": 30, "az": -20, "kwp": 5}
#: the error answers: a JSON one a provider may explain itself with, and a web page; both echo the token
BODIES = [
    pytest.param(Reply(json.dumps({"error": f"nope for {TOKEN}"})), id="json"),
    pytest.param(Reply(f"<html>down for maintenance, {TOKEN}</html>", content_type="text/html"), id="html"),
]


@dataclass(frozen=True)
class Provider:
    name: str
    """How its messages begin."""
    route: str
    """The path it asks the fixture server for."""
    build: Callable[[str], ClosingTariff]
    """The tariff, asking the server at this base URL."""
    token: bool = False
    """Built with TOKEN: a 401 or 403 says to check it, and no message shows it."""


def tariff(kind: type[ClosingTariff], entry: Mapping[str, object], section: str = "grid") -> ClosingTariff:
    path: tuple[str | int, ...] = ("tariffs", section, 0) if section == "solar" else ("tariffs", section)
    return build_tariff(kind, entry, NOW, path)


PROVIDERS = [
    Provider(
        "awattar",
        "/v1/marketdata",
        lambda url: tariff(Awattar, {"name": "grid", "type": "awattar", "url": url}),
    ),
    Provider(
        "entsoe",
        "/api",
        lambda url: tariff(
            Entsoe,
            {"name": "grid", "type": "entsoe", "url": url, "securitytoken": TOKEN, "domain": "10Y1001A1001A82H"},
        ),
        token=True,
    ),
    Provider(
        "tibber",
        "/v1-beta/gql",
        lambda url: tariff(Tibber, {"name": "grid", "type": "tibber", "url": url, "token": TOKEN}),
        token=True,
    ),
    Provider(
        "octopus",
        "/v1/products/AGILE-24-10-01/electricity-tariffs/E-1R-AGILE-24-10-01-C/standard-unit-rates/",
        lambda url: tariff(
            Octopus, {"name": "grid", "type": "octopus", "url": url, "productcode": "AGILE-24-10-01", "region": "C"}
        ),
    ),
    Provider(
        "energy-charts",
        "/price",
        lambda url: tariff(EnergyCharts, {"name": "grid", "type": "energy-charts", "url": url + "/price"}),
    ),
    Provider(
        "grunstromindex",
        "/v2.0/gsi/prediction",
        lambda url: tariff(
            GrunstromIndex,
            {"type": "grunstromindex", "url": url + "/v2.0/gsi/prediction", "zip": "69168", "token": TOKEN},
            "co2",
        ),
        token=True,
    ),
    Provider(
        "electricitymaps",
        "/v3/carbon-intensity/forecast",
        lambda url: tariff(
            ElectricityMaps, {"type": "electricitymaps", "url": url + "/v3", "token": TOKEN, "zone": "DE"}, "co2"
        ),
        token=True,
    ),
    Provider(
        "forecast-solar",
        f"/{TOKEN}/estimate/49.2442/8.6653/30/-20/5",
        lambda url: tariff(ForecastSolar, {"type": "forecast-solar", "url": url, "apikey": TOKEN, **PLANE}, "solar"),
        token=True,
    ),
    Provider(
        "open-meteo",
        "/v1/forecast",
        lambda url: tariff(OpenMeteo, {"type": "open-meteo", "url": url, "apikey": TOKEN, **PLANE}, "solar"),
        token=True,
    ),
    Provider(
        "custom tariff 'grid'",
        "/prices",
        lambda url: tariff(
            Custom,
            {
                "name": "grid",
                "type": "custom",
                "forecast": {
                    "source": "http",
                    "uri": url + "/prices",
                    "jq": ".",
                    "auth": {"type": "bearer", "token": TOKEN},
                },
            },
        ),
        token=True,
    ),
]
EVERY_PROVIDER = pytest.mark.parametrize("provider", PROVIDERS, ids=lambda provider: provider.name.split()[0])


async def failure(provider: Provider, server: Server, reply: Reply) -> TariffError:
    """The error one fetch raises while the server answers every request with ``reply``."""
    server.routes[provider.route] = reply
    with pytest.raises(TariffError) as raised:
        await fetch_once(provider.build(server.url))
    assert server.requests, "the provider asked the server"
    if provider.token:
        assert TOKEN not in str(raised.value)
    return raised.value


def answered(provider: Provider, status: int) -> str:
    return f"{provider.name}: 127.0.0.1 answered HTTP {status} {HTTPStatus(status).phrase}"


@EVERY_PROVIDER
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("status", [400, 404, 422])
async def test_a_client_error_is_permanent(provider: Provider, status: int, body: Reply, server: Server) -> None:
    error = await failure(provider, server, Reply(body.body, status, body.content_type))
    assert isinstance(error, PermanentTariffError)
    assert str(error).startswith(answered(provider, status))


@EVERY_PROVIDER
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("status", [401, 403])
async def test_a_refused_token_is_permanent_and_says_to_check_it(
    provider: Provider, status: int, body: Reply, server: Server
) -> None:
    error = await failure(provider, server, Reply(body.body, status, body.content_type))
    assert isinstance(error, PermanentTariffError)
    assert str(error).startswith(answered(provider, status) + ("; check the token" if provider.token else ""))


@EVERY_PROVIDER
@pytest.mark.parametrize("body", BODIES)
@pytest.mark.parametrize("status", [429, 500, 502, 503])
async def test_a_busy_or_failing_server_is_worth_a_retry(
    provider: Provider, status: int, body: Reply, server: Server
) -> None:
    error = await failure(provider, server, Reply(body.body, status, body.content_type))
    assert not isinstance(error, PermanentTariffError)
    assert str(error).startswith(answered(provider, status))


@EVERY_PROVIDER
async def test_connection_refused_is_worth_a_retry(provider: Provider) -> None:
    with pytest.raises(TariffError) as raised:
        await fetch_once(provider.build(refused_url()))
    assert not isinstance(raised.value, PermanentTariffError)
    assert str(raised.value).startswith(f"{provider.name}: cannot reach 127.0.0.1")
    assert TOKEN not in str(raised.value)


@EVERY_PROVIDER
async def test_a_web_page_instead_of_data_is_permanent(provider: Provider, server: Server) -> None:
    error = await failure(provider, server, Reply("<html>maintenance</html>", content_type="text/html"))
    assert isinstance(error, PermanentTariffError)
    assert str(error).startswith(f"{provider.name}: ")


@EVERY_PROVIDER
def test_the_shutdown_closes_every_provider(provider: Provider) -> None:
    """The application closes the devices that are Closable; a provider's HTTP client was left open (``aclose``)."""
    assert isinstance(provider.build(refused_url()), Closable)
