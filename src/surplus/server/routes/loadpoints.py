"""Loadpoint setters under ``/api/loadpoints/<id>/`` (ids count from 1)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import Response

from surplus.core.types import ChargeMode
from surplus.errors import RequestError
from surplus.server.context import ApiContext
from surplus.server.params import parse_bool, parse_choice, parse_float, parse_int, parse_time
from surplus.server.plans import plan_json, preview_json, strategy_from_body
from surplus.server.responses import json_response

MAX_AMPERES = 1000.0
#: powers (W) and prices beyond this are typing errors, not settings
LIMIT = 1e6


def loadpoint_number(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise RequestError(f"loadpoint {text} does not exist", 404)
    return int(text)


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(prefix="/api/loadpoints/{id}", tags=["loadpoints"])
    setters = context.set

    @api.post("/mode/{mode}", summary="Charge mode: off, now, minpv or pv")
    async def mode(id: str, mode: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.mode(number, parse_choice("mode", mode, ChargeMode)))

    @api.post("/limitsoc/{soc}", summary="Stop charging at this vehicle soc (0 = no limit for this session)")
    async def limit_soc(id: str, soc: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.loadpoint_value(number, "limit_soc", parse_int("limitsoc", soc, 0, 100)))

    @api.post("/limitenergy/{energy}", summary="Stop charging after this energy in kWh (0 = no limit)")
    async def limit_energy(id: str, energy: str) -> Response:
        number = loadpoint_number(id)
        value = parse_float("limitenergy", energy, 0, 1000)
        return json_response(await setters.loadpoint_value(number, "limit_energy", value))

    @api.post("/mintemp/{soc}", summary="Minimum soc (evcc's name; heating devices use it as minimum temperature)")
    async def min_temp(id: str, soc: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.loadpoint_value(number, "min_soc", parse_int("mintemp", soc, 0, 100)))

    @api.post("/minsoc/{soc}", summary="Charge fast until the vehicle reaches this soc")
    async def min_soc(id: str, soc: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.loadpoint_value(number, "min_soc", parse_int("minsoc", soc, 0, 100)))

    @api.post("/mincurrent/{current}", summary="Minimum charge current in A")
    async def min_current(id: str, current: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.min_current(number, parse_float("mincurrent", current, 0.1, MAX_AMPERES)))

    @api.post("/maxcurrent/{current}", summary="Maximum charge current in A")
    async def max_current(id: str, current: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.max_current(number, parse_float("maxcurrent", current, 0.1, MAX_AMPERES)))

    @api.post("/phases/{phases}", summary="Phases: 0 automatic (switchable chargers), 1 or 3")
    async def phases(id: str, phases: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.phases(number, parse_int("phases", phases, 0, 3)))

    @api.post("/enable/threshold/{power}", summary="Site power (W) at or below which PV charging may start")
    async def enable_threshold(id: str, power: str) -> Response:
        number = loadpoint_number(id)
        value = parse_float("enable threshold", power, -LIMIT, LIMIT)
        return json_response(await setters.loadpoint_value(number, "enable_threshold", value))

    @api.post("/enable/delay/{seconds}", summary="Seconds the enable condition must hold; answered in ns")
    async def enable_delay(id: str, seconds: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.delay(number, "enable_delay", parse_int("enable delay", seconds, 0, 86400)))

    @api.post("/disable/threshold/{power}", summary="Site power (W) at or above which PV charging stops")
    async def disable_threshold(id: str, power: str) -> Response:
        number = loadpoint_number(id)
        value = parse_float("disable threshold", power, -LIMIT, LIMIT)
        return json_response(await setters.loadpoint_value(number, "disable_threshold", value))

    @api.post("/disable/delay/{seconds}", summary="Seconds the disable condition must hold; answered in ns")
    async def disable_delay(id: str, seconds: str) -> Response:
        number = loadpoint_number(id)
        value = parse_int("disable delay", seconds, 0, 86400)
        return json_response(await setters.delay(number, "disable_delay", value))

    @api.post("/priority/{priority}", summary="Higher numbers get PV surplus first")
    async def priority(id: str, priority: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.loadpoint_value(number, "priority", parse_int("priority", priority, 0, 100)))

    @api.post("/batteryboost/{enable}", summary="Let the vehicle draw from the home battery in PV modes")
    async def battery_boost(id: str, enable: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.battery_boost(number, parse_bool("batteryboost", enable)))

    @api.post("/batteryboostlimit/{soc}", summary="Battery boost stops below this home battery soc (100 = off)")
    async def battery_boost_limit(id: str, soc: str) -> Response:
        number = loadpoint_number(id)
        value = parse_int("batteryboostlimit", soc, 0, 100)
        return json_response(await setters.loadpoint_value(number, "battery_boost_limit", value))

    @api.post("/smartcostlimit/{cost}", summary="Charge fast at or below this price")
    async def smart_cost_limit(id: str, cost: str) -> Response:
        number = loadpoint_number(id)
        value = parse_float("smartcostlimit", cost, -LIMIT, LIMIT)
        return json_response(await setters.loadpoint_value(number, "smart_cost_limit", value))

    @api.delete("/smartcostlimit", summary="Remove the smart cost limit")
    async def delete_smart_cost_limit(id: str) -> Response:
        return json_response(await setters.loadpoint_value(loadpoint_number(id), "smart_cost_limit", None))

    @api.post("/smartfeedinprioritylimit/{cost}", summary="Pause PV charging when feed-in pays at least this")
    async def smart_feedin_limit(id: str, cost: str) -> Response:
        number = loadpoint_number(id)
        value = parse_float("smartfeedinprioritylimit", cost, -LIMIT, LIMIT)
        return json_response(await setters.loadpoint_value(number, "smart_feedin_priority_limit", value))

    @api.delete("/smartfeedinprioritylimit", summary="Remove the smart feed-in priority limit")
    async def delete_smart_feedin_limit(id: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.loadpoint_value(number, "smart_feedin_priority_limit", None))

    @api.post("/plan/energy/{energy}/{time}", summary="Charge this energy (kWh) by this time")
    async def energy_plan(id: str, energy: str, time: str) -> Response:
        number = loadpoint_number(id)
        value = parse_float("energy", energy, 0, 1000)
        return json_response(await setters.energy_plan(number, value, parse_time("time", time)))

    @api.delete("/plan/energy", summary="Remove the energy plan")
    async def delete_energy_plan(id: str) -> Response:
        return json_response(await setters.delete_energy_plan(loadpoint_number(id)))

    @api.get("/plan", summary="The charging plan: when it charges, for how long, at what power")
    async def get_plan(id: str) -> Response:
        loadpoint = setters.loadpoint(loadpoint_number(id))
        return json_response(plan_json(loadpoint, context.clock.now(), context.planner_rates()))

    @api.get("/plan/static/preview/{kind}/{value}/{time}", summary="What a soc or energy plan would look like")
    async def preview_plan(id: str, kind: str, value: str, time: str) -> Response:
        loadpoint = setters.loadpoint(loadpoint_number(id))
        if kind not in ("soc", "energy"):
            raise RequestError(f"preview: unknown plan type '{kind}'; allowed: soc, energy")
        amount = parse_float(kind, value, 0, 100 if kind == "soc" else 1000)
        when = parse_time("time", time)
        return json_response(preview_json(loadpoint, context.clock.now(), context.planner_rates(), kind, amount, when))

    @api.post("/plan/strategy", summary="Plan strategy: continuous window and precondition seconds")
    async def plan_strategy(id: str, body: Annotated[Any, Body()]) -> Response:
        number = loadpoint_number(id)
        strategy = strategy_from_body(body)
        return json_response((await setters.loadpoint_value(number, "plan_strategy", strategy)).to_json())

    @api.post("/vehicle/{name}", summary="Assign a configured vehicle")
    async def vehicle(id: str, name: str) -> Response:
        return json_response(await setters.select_vehicle(loadpoint_number(id), name))

    @api.delete("/vehicle", summary="Back to the guest vehicle")
    async def delete_vehicle(id: str) -> Response:
        await setters.select_vehicle(loadpoint_number(id), None)
        return json_response({})

    @api.patch("/vehicle", summary="Detect the vehicle again")
    async def detect_vehicle(id: str) -> Response:
        return json_response(await setters.detect_vehicle(loadpoint_number(id)))

    return api
