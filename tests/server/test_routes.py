"""Every seed route of evcc's API: status, body, effect on /api/state, effect on control, survival of a restart."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from surplus.core.types import ChargeStatus
from tests.server.harness import running

# (method, path, expected body, jq into /api/state, expected state value)
SETTERS: list[tuple[str, str, Any, str, Any]] = [
    ("POST", "/api/prioritysoc/20", 20, ".prioritySoc", 20),
    ("POST", "/api/buffersoc/60", 60, ".bufferSoc", 60),
    ("POST", "/api/bufferstartsoc/80", 80, ".bufferStartSoc", 80),
    ("POST", "/api/residualpower/-100", -100, ".residualPower", -100),
    ("POST", "/api/batterydischargecontrol/true", True, ".batteryDischargeControl", True),
    ("POST", "/api/batterygridchargelimit/0.12", 0.12, ".batteryGridChargeLimit", 0.12),
    ("POST", "/api/smartcostlimit/0.25", 0.25, ".loadpoints[1].smartCostLimit", 0.25),
    ("POST", "/api/smartfeedinprioritylimit/0.3", 0.3, ".loadpoints[0].smartFeedInPriorityLimit", 0.3),
    ("POST", "/api/settings/telemetry/true", True, ".telemetry", True),
    ("POST", "/api/vehicles/ev/minsoc/25", {"soc": 25}, ".vehicles.ev.minSoc", 25),
    ("POST", "/api/vehicles/ev/limitsoc/85", {"soc": 85}, ".vehicles.ev.limitSoc", 85),
    ("POST", "/api/vehicles/van/mode/minpv", {"mode": "minpv"}, ".vehicles.van.mode", "minpv"),
    (
        "POST",
        "/api/vehicles/ev/plan/soc/80/2026-06-02T07:00:00+02:00",
        {"soc": 80, "time": "2026-06-02T07:00:00+02:00"},
        ".vehicles.ev.plan",
        {"soc": 80, "time": "2026-06-02T07:00:00+02:00"},
    ),
    ("POST", "/api/loadpoints/2/mode/pv", "pv", ".loadpoints[1].mode", "pv"),
    ("POST", "/api/loadpoints/1/limitsoc/80", 80, ".loadpoints[0].limitSoc", 80),
    ("POST", "/api/loadpoints/1/limitenergy/12.5", 12.5, ".loadpoints[0].limitEnergy", 12.5),
    ("POST", "/api/loadpoints/1/mincurrent/8", 8, ".loadpoints[0].minCurrent", 8),
    ("POST", "/api/loadpoints/1/maxcurrent/14", 14, ".loadpoints[0].maxCurrent", 14),
    ("POST", "/api/loadpoints/1/phases/1", 1, ".loadpoints[0].phasesConfigured", 1),
    ("POST", "/api/loadpoints/1/enable/threshold/-500", -500, ".loadpoints[0].enableThreshold", -500),
    ("POST", "/api/loadpoints/1/enable/delay/90", 90_000_000_000, ".loadpoints[0].enableDelay", 90),
    ("POST", "/api/loadpoints/1/disable/threshold/300", 300, ".loadpoints[0].disableThreshold", 300),
    ("POST", "/api/loadpoints/1/disable/delay/240", 240_000_000_000, ".loadpoints[0].disableDelay", 240),
    ("POST", "/api/loadpoints/2/priority/3", 3, ".loadpoints[1].priority", 3),
    ("POST", "/api/loadpoints/2/batteryboostlimit/40", 40, ".loadpoints[1].batteryBoostLimit", 40),
    ("POST", "/api/loadpoints/2/smartcostlimit/0.1", 0.1, ".loadpoints[1].smartCostLimit", 0.1),
    (
        "POST",
        "/api/loadpoints/2/plan/energy/20/2026-06-02T07:00:00Z",
        {"energy": 20, "time": "2026-06-02T07:00:00Z"},
        ".loadpoints[1].planEnergy",
        20,
    ),
]


@pytest.mark.parametrize(("method", "path", "body", "query", "value"), SETTERS, ids=[s[1] for s in SETTERS])
async def test_a_setter_answers_the_effective_value_publishes_it_and_keeps_it_over_a_restart(
    tmp_path: Path, method: str, path: str, body: Any, query: str, value: Any
) -> None:
    database = tmp_path / "surplus.db"
    async with running(database) as app:
        response = await app.client.request(method, path)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"] == "application/json"
        assert response.json() == body
        assert await app.state(query) == value
        await app.cycle()
        assert await app.state(query) == value
    async with running(database) as restarted:
        assert await restarted.state(query) == value


async def test_mode_now_makes_the_charger_get_its_maximum_at_once(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        await app.cycle()
        assert app.script.chargers["wallbox"].commands == []
        assert (await app.client.post("/api/loadpoints/1/mode/now")).json() == "now"
        await app.runtime.controller.cycle()
        assert app.script.chargers["wallbox"].commands == [{"phases1p3p": 3}, {"maxCurrent": 16}, {"enable": True}]
        assert await app.state(".loadpoints[0].enabled") is True


async def test_limits_stop_charging_and_the_api_can_lift_them(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        wallbox = app.script.chargers["wallbox"]
        wallbox.status = ChargeStatus.C
        await app.client.post("/api/loadpoints/1/mode/now")
        await app.cycle()
        assert wallbox.enabled
        await app.client.post("/api/loadpoints/1/limitsoc/30")  # the scripted car is at 40 %
        await app.cycle()
        assert not wallbox.enabled
        await app.client.post("/api/loadpoints/1/limitsoc/0")
        await app.cycle()
        assert wallbox.enabled


async def test_vehicle_selection_and_detection(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        assert (await app.client.post("/api/loadpoints/2/vehicle/van")).json() == {"vehicle": "White van"}
        assert await app.state(".loadpoints[1].vehicleTitle") == "White van"
        assert (await app.client.delete("/api/loadpoints/2/vehicle")).json() == {}
        assert await app.state(".loadpoints[1].vehicleName") == ""
        assert (await app.client.patch("/api/loadpoints/2/vehicle")).json() == {}
        response = await app.client.post("/api/loadpoints/2/vehicle/bicycle")
        assert (response.status_code, response.json()) == (400, {"error": "not found: bicycle"})


async def test_battery_boost_needs_a_pv_mode(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        await app.client.post("/api/loadpoints/1/mode/now")
        refused = await app.client.post("/api/loadpoints/1/batteryboost/true")
        assert refused.status_code == 400
        assert "only available in PV modes" in refused.json()["error"]
        await app.client.post("/api/loadpoints/1/mode/pv")
        assert (await app.client.post("/api/loadpoints/1/batteryboost/1")).json() is True
        assert await app.state(".loadpoints[0].batteryBoost") is True
        await app.client.post("/api/loadpoints/1/mode/minpv")  # a mode change ends the boost
        assert await app.state(".loadpoints[0].batteryBoost") is False


async def test_battery_mode_is_set_from_outside_and_handed_back(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        assert (await app.client.post("/api/batterymode/hold")).json() == 2
        assert await app.state(".batteryModeExternal") == "hold"
        await app.cycle()
        assert app.script.meters["battery"].modes[-1].name == "HOLD"
        assert (await app.client.delete("/api/batterymode")).json() == 0


async def test_deleting_limits_answers_null(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        await app.client.post("/api/smartcostlimit/0.2")
        assert (await app.client.delete("/api/smartcostlimit")).json() is None
        assert await app.state(".loadpoints[0].smartCostLimit") is None
        assert (await app.client.delete("/api/loadpoints/1/plan/energy")).json() == {}
        await app.client.post("/api/vehicles/ev/plan/soc/80/2026-06-02T07:00:00+02:00")
        assert (await app.client.delete("/api/vehicles/ev/plan/soc")).json() == {}
        assert await app.state(".vehicles.ev.plan") is None
        assert (await app.client.delete("/api/vehicles/ev/mode")).json() == {"mode": ""}


async def test_plan_strategy_bodies(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        body = {"continuous": True, "precondition": 1800}
        assert (await app.client.post("/api/loadpoints/1/plan/strategy", json=body)).json() == body
        assert await app.state(".loadpoints[0].planStrategy") == body
        assert (await app.client.post("/api/vehicles/ev/plan/strategy", json=body)).json() == body
        bad = await app.client.post("/api/loadpoints/1/plan/strategy", json={"precondition": "soon"})
        assert bad.status_code == 400
        assert "precondition must be a number of seconds" in bad.json()["error"]


async def test_plan_route_answers_without_a_plan(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        plan = (await app.client.get("/api/loadpoints/1/plan")).json()
        assert plan == {"planId": 0, "planTime": "0001-01-01T00:00:00Z", "duration": 0, "plan": None, "power": 0}


async def test_read_only_routes(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        assert (await app.client.get("/api/settings/telemetry")).json() is False
        assert (await app.client.get("/api/sessions")).json() == []
        health = await app.client.get("/api/health")
        assert (health.status_code, health.text) == (200, "OK\n")
        tariff = await app.client.get("/api/tariff/grid")
        assert tariff.status_code == 404
        assert tariff.json() == {"error": "tariff not available: no grid tariff is configured"}
        unknown = await app.client.get("/api/tariff/weather")
        assert unknown.status_code == 404
        assert "allowed: grid, feedin, co2, planner, solar, temperature" in unknown.json()["error"]


@pytest.mark.parametrize(
    ("method", "path", "status", "error"),
    [
        ("POST", "/api/loadpoints/1/limitsoc/150", 400, "limitsoc: 150 is out of range 0..100"),
        ("POST", "/api/loadpoints/1/mode/fast", 400, "mode: invalid value 'fast'; allowed: off, now, minpv, pv"),
        ("POST", "/api/loadpoints/1/mode/NOW", 400, "mode: invalid value 'NOW'; allowed: off, now, minpv, pv"),
        ("POST", "/api/loadpoints/3/mode/now", 404, "loadpoint 3 does not exist; loadpoints: 1..2"),
        ("POST", "/api/loadpoints/0/mode/now", 404, "loadpoint 0 does not exist; loadpoints: 1..2"),
        ("POST", "/api/loadpoints/x/mode/now", 404, "loadpoint x does not exist"),
        ("POST", "/api/loadpoints/1/mincurrent/20", 400, "mincurrent: min current must be smaller or equal"),
        ("POST", "/api/loadpoints/1/maxcurrent/2", 400, "maxcurrent: max current must be greater or equal"),
        ("POST", "/api/loadpoints/2/phases/0", 400, "phases: charger does not support phase switching"),
        ("POST", "/api/loadpoints/1/phases/2", 400, "phases: invalid number of phases: 2"),
        ("POST", "/api/loadpoints/1/limitenergy/abc", 400, "limitenergy: 'abc' is not a number"),
        ("POST", "/api/residualpower/nan", 400, "residualpower: 'nan' is not a finite number"),
        ("POST", "/api/buffersoc/10", 400, "buffersoc: 10 must not be below prioritysoc"),
        ("POST", "/api/batterydischargecontrol/yes", 400, "batterydischargecontrol: 'yes' is not a boolean"),
        ("POST", "/api/batterymode/turbo", 400, "batterymode: invalid value 'turbo'"),
        ("POST", "/api/vehicles/bike/minsoc/20", 400, "not found: bike"),
        ("POST", "/api/vehicles/ev/plan/soc/80/2020-01-01T00:00:00Z", 400, "timestamp is in the past"),
        ("POST", "/api/vehicles/ev/plan/soc/80/tomorrow", 400, "time: 'tomorrow' is not an RFC 3339 time"),
        ("POST", "/api/loadpoints/1/plan/energy/10/2026-06-01T08:00:00", 400, "has no time zone"),
        # 10000-01-01 in UTC: the control loop failed every cycle with an OverflowError, the preview with a 500
        ("POST", "/api/vehicles/ev/plan/soc/80/9999-12-31T23:59:59-14:00", 400, "is out of range; allowed: years"),
        ("GET", "/api/loadpoints/1/plan/static/preview/soc/80/9999-12-31T23:59:59-14:00", 400, "is out of range"),
        ("GET", "/api/nothing", 404, "not found: /api/nothing"),
        ("GET", "/api/loadpoints/1/mode/now", 405, "method GET is not allowed"),
    ],
)
async def test_bad_input_is_a_json_error_that_says_what_is_allowed(
    tmp_path: Path, method: str, path: str, status: int, error: str
) -> None:
    async with running(tmp_path / "s.db") as app:
        await app.client.post("/api/prioritysoc/20")
        response = await app.client.request(method, path)
        assert response.status_code == status
        assert response.headers["content-type"] == "application/json"
        assert error in response.json()["error"]


@pytest.mark.parametrize(
    ("query", "status", "answer"),
    [
        (".siteTitle", 200, "Test home"),
        (".result.siteTitle", 200, "Test home"),
        (".loadpoints | length", 200, 2),
        (".apiReady | select(.)", 400, {"error": "jq: empty result"}),
        (".loadpoints[].title", 400, {"error": "jq: too many results"}),
        (".siteTitle[0]", 400, {"error": "jq: query failed: Cannot index string with number (0)"}),
        # libjq would hand out the process environment (tokens); evcc's gojq answers an empty object
        ("env", 200, {}),
        ("$ENV.PATH", 200, None),
        ('"\\($ENV)"', 200, "{}"),
    ],
)
async def test_state_with_jq_gives_exactly_one_value(tmp_path: Path, query: str, status: int, answer: Any) -> None:
    async with running(tmp_path / "s.db") as app:
        response = await app.client.get("/api/state", params={"jq": query})
        assert (response.status_code, response.json()) == (status, answer)


async def test_a_jq_syntax_error_names_the_problem(tmp_path: Path) -> None:
    async with running(tmp_path / "s.db") as app:
        response = await app.client.get("/api/state", params={"jq": ".a |||"})
        assert response.status_code == 400
        assert "syntax error" in response.json()["error"]
