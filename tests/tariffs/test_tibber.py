"""Tibber: the GraphQL request (token, query, home), quarter-hourly rates, and errors that keep the token secret."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta, timezone
from itertools import pairwise
from pathlib import Path

import pytest

from surplus.clock import VirtualClock
from surplus.config.errors import ConfigError
from surplus.config.schema import DeviceEntry
from surplus.config.source import SourceMap
from surplus.core.rates import Rate
from surplus.devices.registry import BuildContext, registry
from surplus.tariffs.base import PermanentTariffError, TariffError, TariffKind
from surplus.tariffs.providers.tibber import Tibber
from tests.tariffs.building import build_tariff, fetch_once
from tests.tariffs.fixture_server import Reply, Request, Server

FIXTURES = Path(__file__).parent / "fixtures"
HOMES = (FIXTURES / "tibber_homes.json").read_text()
HOME = (FIXTURES / "tibber_home.json").read_text()
ERROR = (FIXTURES / "tibber_error.json").read_text()
GQL = "/v1-beta/gql"
TOKEN = "5K4MVS-OjfWhK_4yrjOlFe1F6kJXPVf7eQYggo8ebAE"
HOME_ID = "96a14971-525a-4420-aae9-e5aedaa129ff"
NOW = datetime(2025, 6, 1, 10, 17, tzinfo=timezone(timedelta(hours=2)))
MIDNIGHT = datetime(2025, 5, 31, 22, tzinfo=UTC)  # local midnight of 1 June (+02:00)
QUARTER = timedelta(minutes=15)


def build(**params: object) -> Tibber:
    return build_tariff(Tibber, {"name": "grid", "type": "tibber", **params}, NOW)


async def fetch(**params: object) -> list[Rate]:
    tariff = build(**{"token": TOKEN, **params})
    return await fetch_once(tariff)


def graphql(request: Request) -> dict[str, object]:
    body = json.loads(request.body)
    assert isinstance(body, dict)
    return body


def contiguous(rates: list[Rate]) -> bool:
    return all(earlier.end == later.start for earlier, later in pairwise(rates))


async def test_discovers_the_first_home_with_a_subscription(server: Server) -> None:
    server.routes[GQL] = Reply(HOMES)
    rates = await fetch(url=server.url)

    (request,) = server.requests
    assert (request.method, request.path) == ("POST", GQL)
    headers = {name.lower(): value for name, value in request.headers.items()}
    assert headers["authorization"] == f"Bearer {TOKEN}"
    assert headers["content-type"] == "application/json"
    body = graphql(request)
    assert set(body) == {"query"}
    query = " ".join(str(body["query"]).split())
    assert "viewer { homes { id currentSubscription { priceInfo(resolution: QUARTER_HOURLY) {" in query
    assert "today { total energy startsAt } tomorrow { total energy startsAt }" in query

    # the first home has no subscription; the second one's today (tomorrow is not published yet)
    assert len(rates) == 96
    assert rates[0] == Rate(MIDNIGHT, MIDNIGHT + QUARTER, 0.3297)
    assert rates[-1] == Rate(MIDNIGHT + 95 * QUARTER, MIDNIGHT + 96 * QUARTER, 0.348)
    assert all(rate.start.tzinfo is UTC and rate.end - rate.start == QUARTER for rate in rates)
    assert contiguous(rates)


async def test_a_configured_home_is_asked_for_by_id(server: Server) -> None:
    server.routes[GQL] = Reply(HOME)
    rates = await fetch(url=server.url, homeid=HOME_ID)

    body = graphql(server.requests[0])
    assert body["variables"] == {"id": HOME_ID}
    assert "home(id: $id)" in str(body["query"])
    assert "homes" not in str(body["query"])
    # today and tomorrow, one contiguous run of quarter hours
    assert len(rates) == 192
    assert (rates[0].start, rates[-1].end) == (MIDNIGHT, MIDNIGHT + timedelta(days=2))
    assert contiguous(rates)
    assert min(rate.value for rate in rates) > 0  # Tibber's total includes fees and VAT


@pytest.mark.parametrize("composition", [{"charges": 0.1881}, {"tax": 0.19}, {"formula": "price * 2"}])
async def test_with_a_price_composition_the_energy_price_is_used(
    server: Server, composition: dict[str, object]
) -> None:
    server.routes[GQL] = Reply(HOME)
    rates = await fetch(url=server.url, homeid=HOME_ID, **composition)
    assert rates[0].value == 0.089
    noon = next(rate for rate in rates if rate.start == datetime(2025, 6, 1, 10, 30, tzinfo=UTC))
    assert noon.value == -0.0123


async def test_the_last_price_lasts_as_long_as_the_ones_before(server: Server) -> None:
    hourly = {
        "data": {
            "viewer": {
                "home": {
                    "id": HOME_ID,
                    "currentSubscription": {
                        "priceInfo": {
                            "today": [
                                {"total": 0.31, "energy": 0.07, "startsAt": "2025-06-01T22:00:00.000+02:00"},
                                {"total": 0.29, "energy": 0.05, "startsAt": "2025-06-01T23:00:00.000+02:00"},
                            ],
                            "tomorrow": None,
                        }
                    },
                }
            }
        }
    }
    server.routes[GQL] = Reply(json.dumps(hourly))
    rates = await fetch(url=server.url, homeid=HOME_ID)
    assert [rate.end - rate.start for rate in rates] == [timedelta(hours=1), timedelta(hours=1)]


def test_kind_interval_and_required_token() -> None:
    tariff = build(token=TOKEN)
    assert tariff.kind() is TariffKind.PRICE_FORECAST
    assert tariff.interval() == timedelta(hours=1)
    with pytest.raises(ConfigError, match="required"):
        build()


async def test_graphql_errors_are_permanent_and_carry_the_message(server: Server) -> None:
    server.routes[GQL] = Reply(ERROR)
    with pytest.raises(PermanentTariffError, match="Could not find a home with id 0c7a1f3e"):
        await fetch(url=server.url, homeid="0c7a1f3e-5d2b-4e8a-9f61-2b7d8c4e1a90")


async def test_no_home_with_a_subscription_is_permanent(server: Server) -> None:
    lonely = {"data": {"viewer": {"homes": [{"id": HOME_ID, "currentSubscription": None}]}}}
    server.routes[GQL] = Reply(json.dumps(lonely))
    with pytest.raises(PermanentTariffError, match="no home with a subscription"):
        await fetch(url=server.url)


async def test_an_unknown_home_is_permanent(server: Server) -> None:
    server.routes[GQL] = Reply('{"data": {"viewer": {"home": null}}}')
    with pytest.raises(PermanentTariffError, match="not found"):
        await fetch(url=server.url, homeid="0c7a1f3e-5d2b-4e8a-9f61-2b7d8c4e1a90")


@pytest.mark.parametrize("status", [400, 401, 403, 404])
async def test_a_refused_request_carries_the_graphql_error(server: Server, status: int) -> None:
    rejected = {"errors": [{"message": "invalid token", "extensions": {"code": "UNAUTHENTICATED"}}]}
    server.routes[GQL] = Reply(json.dumps(rejected), status=status)
    with pytest.raises(PermanentTariffError, match=f"HTTP {status}.*invalid token"):
        await fetch(url=server.url)


@pytest.mark.parametrize(
    "body",
    [
        "[]",
        '{"data": {"viewer": {"homes": "many"}}}',
        '{"data": {"viewer": {"home": {"id": "x", "currentSubscription": {"priceInfo": {"today": [{"total": 1}]}}}}}}',
    ],
)
async def test_garbage_is_permanent(server: Server, body: str) -> None:
    server.routes[GQL] = Reply(body)
    with pytest.raises(PermanentTariffError):
        await fetch(url=server.url, homeid="x")


async def test_the_token_never_reaches_a_message_or_a_log(server: Server, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    echoing = {"errors": [{"message": f"token {TOKEN} has expired"}]}
    messages: list[str] = []
    for reply in [
        Reply(HOMES),
        Reply(json.dumps(echoing)),
        Reply(json.dumps(echoing), status=401),
        Reply(f"upstream said {TOKEN}", status=502, content_type="application/json"),
        Reply(f'{{"data": "{TOKEN}"}}'),
    ]:
        server.routes[GQL] = reply
        try:
            await fetch(url=server.url)
        except TariffError as error:
            messages.append(str(error))
    assert len(messages) == 4
    assert all("***" in message for message in messages[:3])
    assert caplog.records, "the fetches log something (httpx at least)"
    assert not [record for record in caplog.records if TOKEN in record.getMessage()]
    assert not [message for message in messages if TOKEN in message]
    assert TOKEN not in repr(
        registry.build(
            "tariff",
            DeviceEntry.model_validate({"type": "tibber", "token": TOKEN}),
            ("tariffs", "grid"),
            SourceMap(),
            BuildContext(clock=VirtualClock(NOW)),
        ).params
    )
