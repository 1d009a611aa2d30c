"""Loadpoint setters under ``/api/loadpoints/<id>/`` (ids count from 1)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import Response

from surplus.core.types import ChargeMode
from surplus.errors import RequestError
from surplus.server.context import ApiContext
from surplus.server.params import LIMIT, parse_bool, parse_choice, parse_float, parse_int, parse_time
from surplus.server.plans import plan_json, preview_json, strategy_from_body
from surplus.server.responses import json_response

MAX_AMPERES = 1000.0


def loadpoint_number(text: str) -> int:
    if not text.isascii() or not text.isdigit() or len(text) > 6:
        raise RequestError(f"loadpoint {text} does not exist", 404)
    return int(text)


Parser = Callable[[str, str], Any]


def int_in(low: int, high: int) -> Parser:
    return lambda name, text: parse_int(name, text, low, high)


def float_in(low: float, high: float) -> Parser:
    return lambda name, text: parse_float(name, text, low, high)


#: settings that take effect with the next cycle and nothing else: (path, field, parser, summary)
PLAIN: tuple[tuple[str, str, Parser, str], ...] = (
    ("limitsoc", "limit_soc", int_in(0, 100), "Stop charging at this vehicle soc (0 = no limit for this session)"),
    ("limitenergy", "limit_energy", float_in(0, 1000), "Stop charging after this energy in kWh (0 = no limit)"),
    ("mintemp", "min_soc", int_in(0, 100), "Minimum soc (evcc's name; heating devices use it as minimum temperature)"),
    ("minsoc", "min_soc", int_in(0, 100), "Charge fast until the vehicle reaches this soc"),
    ("enable/threshold", "enable_threshold", float_in(-LIMIT, LIMIT), "Site power (W) at or below which PV starts"),
    ("disable/threshold", "disable_threshold", float_in(-LIMIT, LIMIT), "Site power (W) at or above which PV stops"),
    ("priority", "priority", int_in(0, 100), "Higher numbers get PV surplus first"),
    ("batteryboostlimit", "battery_boost_limit", int_in(0, 100), "Battery boost stops below this soc (100 = off)"),
    ("smartcostlimit", "smart_cost_limit", float_in(-LIMIT, LIMIT), "Charge fast at or below this price"),
    (
        "smartfeedinprioritylimit",
        "smart_feedin_priority_limit",
        float_in(-LIMIT, LIMIT),
        "Pause PV charging when feed-in pays at least this",
    ),
)
#: limits a DELETE removes
CLEARABLE = {"smartcostlimit": "smart_cost_limit", "smartfeedinprioritylimit": "smart_feedin_priority_limit"}
#: delays are set in seconds and answered in nanoseconds, as evcc does
DELAYS = {"enable/delay": "enable_delay", "disable/delay": "disable_delay"}


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(prefix="/api/loadpoints/{id}", tags=["loadpoints"])
    setters = context.set

    def plain(path: str, field: str, parse: Parser) -> Callable[[str, str], Awaitable[Response]]:
        name = path.replace("/", " ")

        async def set_value(id: str, value: str) -> Response:
            number = loadpoint_number(id)
            return json_response(await setters.loadpoint_value(number, field, parse(name, value)))

        return set_value

    def clear(field: str) -> Callable[[str], Awaitable[Response]]:
        async def clear_value(id: str) -> Response:
            return json_response(await setters.loadpoint_value(loadpoint_number(id), field, None))

        return clear_value

    def delay(path: str, field: str) -> Callable[[str, str], Awaitable[Response]]:
        async def set_delay(id: str, value: str) -> Response:
            seconds = parse_int(path.replace("/", " "), value, 0, 86400)
            return json_response(await setters.delay(loadpoint_number(id), field, seconds))

        return set_delay

    for path, field, parse, summary in PLAIN:
        api.post(f"/{path}/{{value}}", summary=summary, name=f"set_{field}")(plain(path, field, parse))
    for path, field in CLEARABLE.items():
        api.delete(f"/{path}", summary=f"Remove the {path} setting", name=f"clear_{field}")(clear(field))
    for path, field in DELAYS.items():
        summary = "Seconds the condition must hold before acting; answered in nanoseconds"
        api.post(f"/{path}/{{value}}", summary=summary, name=f"set_{field}")(delay(path, field))

    @api.post("/mode/{mode}", summary="Charge mode: off, now, minpv or pv")
    async def mode(id: str, mode: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.mode(number, parse_choice("mode", mode, ChargeMode)))

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

    @api.post("/batteryboost/{enable}", summary="Let the vehicle draw from the home battery in PV modes")
    async def battery_boost(id: str, enable: str) -> Response:
        number = loadpoint_number(id)
        return json_response(await setters.battery_boost(number, parse_bool("batteryboost", enable)))

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
