"""Planner scenarios of core.md §8 through the whole application: set a plan over HTTP, read GET …/plan.

The charger gives 11.04 kW (16 A, three phases, 230 V), so an energy plan of 11.04 kWh needs one hour.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.replay.replaying import replayed

HOUR = 11.04  # kWh per hour at 16 A on three phases


def replay_file(rates: list[float] | None, api: list[list[Any]]) -> str:
    tariff = ""
    if rates is not None:
        slots = ", ".join(f"{{start: {h * 3600}, end: {(h + 1) * 3600}, value: {v}}}" for h, v in enumerate(rates))
        tariff = f"tariffs:\n  grid: [{slots}]\n"
    calls = ", ".join("[" + ", ".join(str(part) for part in call) + "]" for call in api)
    return f"""\
start: 2026-06-01T00:00:00+00:00
site: {{meters: [grid]}}
{tariff}loadpoints:
  - title: Garage
    mode: pv
    charger: {{phases: 3}}
timeline:
  - at: 0
    grid: 500
    loadpoints: [{{status: B, chargePower: 0}}]
    api: [{calls}]
"""


def plan_of(lines: list[dict[str, Any]]) -> dict[str, Any]:
    response = lines[0]["responses"][-1]
    assert response["status"] == 200, response
    body: dict[str, Any] = response["body"]
    return body


PRICES = [20, 60, 10, 80, 40, 90]


async def test_scenario_67_one_hour_goes_into_the_cheapest_hour(tmp_path: Path) -> None:
    api = [["POST", f"/api/loadpoints/1/plan/energy/{HOUR}/2026-06-01T06:00:00Z"], ["GET", "/api/loadpoints/1/plan"]]
    plan = plan_of(await replayed(replay_file(PRICES, api), tmp_path))
    assert plan["planId"] == 1
    assert plan["duration"] == 3600
    assert plan["power"] == 11040
    assert [(slot["start"], slot["end"], slot["value"]) for slot in plan["plan"]] == [
        ("2026-06-01T02:00:00Z", "2026-06-01T03:00:00Z", 10)
    ]


async def test_scenario_68_two_hours_take_the_two_cheapest(tmp_path: Path) -> None:
    api = [
        ["POST", f"/api/loadpoints/1/plan/energy/{2 * HOUR}/2026-06-01T06:00:00Z"],
        ["GET", "/api/loadpoints/1/plan"],
    ]
    plan = plan_of(await replayed(replay_file(PRICES, api), tmp_path))
    assert [(slot["start"], slot["value"]) for slot in plan["plan"]] == [
        ("2026-06-01T00:00:00Z", 20),
        ("2026-06-01T02:00:00Z", 10),
    ]
    assert sum(slot["value"] for slot in plan["plan"]) == 30


async def test_scenario_73_without_a_tariff_the_plan_ends_at_its_time(tmp_path: Path) -> None:
    api = [["POST", f"/api/loadpoints/1/plan/energy/{HOUR}/2026-06-01T06:00:00Z"], ["GET", "/api/loadpoints/1/plan"]]
    plan = plan_of(await replayed(replay_file(None, api), tmp_path))
    assert [(slot["start"], slot["end"], slot["value"]) for slot in plan["plan"]] == [
        ("2026-06-01T05:00:00Z", "2026-06-01T06:00:00Z", 0)
    ]


async def test_a_plan_that_cannot_be_met_charges_at_once_and_reports_the_overrun(tmp_path: Path) -> None:
    api = [["POST", f"/api/loadpoints/1/plan/energy/{3 * HOUR}/2026-06-01T02:00:00Z"]]
    lines = await replayed(replay_file(PRICES, api), tmp_path)
    loadpoint = lines[0]["state"]["loadpoints"][0]
    assert loadpoint["planActive"] is True
    assert loadpoint["planOverrun"] == 3600  # three hours of charging, two hours left
    assert lines[0]["charger"][0] == [{"maxCurrent": 16}, {"enable": True}]


async def test_negative_prices_are_preferred(tmp_path: Path) -> None:
    prices = [0.3, -0.05, 0.1, -0.02, 0.2, 0.3]
    api = [
        ["POST", f"/api/loadpoints/1/plan/energy/{2 * HOUR}/2026-06-01T06:00:00Z"],
        ["GET", "/api/loadpoints/1/plan"],
    ]
    plan = plan_of(await replayed(replay_file(prices, api), tmp_path))
    assert [slot["value"] for slot in plan["plan"]] == [-0.05, -0.02]


async def test_a_plan_in_the_past_or_with_a_bad_time_is_refused(tmp_path: Path) -> None:
    api = [
        ["POST", f"/api/loadpoints/1/plan/energy/{HOUR}/2026-05-31T06:00:00Z"],
        ["POST", f"/api/loadpoints/1/plan/energy/{HOUR}/tomorrow"],
        ["POST", "/api/loadpoints/1/plan/energy/-5/2026-06-01T06:00:00Z"],
    ]
    responses = (await replayed(replay_file(PRICES, api), tmp_path))[0]["responses"]
    assert [r["status"] for r in responses] == [400, 400, 400]
    assert responses[0]["body"] == {"error": "timestamp is in the past"}
    assert "not an RFC 3339 time" in responses[1]["body"]["error"]
    assert "out of range" in responses[2]["body"]["error"]
