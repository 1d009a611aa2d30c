"""Vehicle settings under ``/api/vehicles/<name>/`` (the name from the configuration)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body
from fastapi.responses import Response

from surplus.core.types import ChargeMode
from surplus.server.context import ApiContext
from surplus.server.params import parse_choice, parse_int, parse_time
from surplus.server.plans import repeating_from_body, strategy_from_body
from surplus.server.responses import json_response


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(prefix="/api/vehicles/{name}", tags=["vehicles"])
    setters = context.set

    @api.post("/minsoc/{soc}", summary="Charge fast until this soc, whatever the mode")
    async def min_soc(name: str, soc: str) -> Response:
        value = await setters.vehicle_value(name, "min_soc", parse_int("minsoc", soc, 0, 100))
        return json_response({"soc": value})

    @api.post("/limitsoc/{soc}", summary="Stop charging this vehicle at this soc (0 = no limit)")
    async def limit_soc(name: str, soc: str) -> Response:
        value = await setters.vehicle_value(name, "limit_soc", parse_int("limitsoc", soc, 0, 100))
        return json_response({"soc": value})

    @api.post("/plan/soc/{soc}/{time}", summary="Reach this soc by this time")
    async def soc_plan(name: str, soc: str, time: str) -> Response:
        value = parse_int("soc", soc, 0, 100)
        return json_response(await setters.soc_plan(name, value, parse_time("time", time)))

    @api.delete("/plan/soc", summary="Remove the soc plan")
    async def delete_soc_plan(name: str) -> Response:
        return json_response(await setters.delete_soc_plan(name))

    @api.post("/plan/strategy", summary="Plan strategy: continuous window and precondition seconds")
    async def plan_strategy(name: str, body: Annotated[Any, Body()]) -> Response:
        strategy = await setters.vehicle_value(name, "plan_strategy", strategy_from_body(body))
        return json_response(strategy.to_json())

    @api.post("/plan/repeating", summary="Weekly plans: weekdays (0 = Sunday), HH:MM, time zone, soc, active")
    async def repeating_plans(name: str, body: Annotated[Any, Body()]) -> Response:
        plans = await setters.vehicle_value(name, "repeating_plans", repeating_from_body(body))
        return json_response([plan.to_json() for plan in plans])

    @api.post("/mode/{mode}", summary="Charge mode applied when this vehicle is identified")
    async def mode(name: str, mode: str) -> Response:
        value = await setters.vehicle_value(name, "mode", parse_choice("mode", mode, ChargeMode))
        return json_response({"mode": value.value})

    @api.delete("/mode", summary="No mode of its own for this vehicle")
    async def delete_mode(name: str) -> Response:
        await setters.vehicle_value(name, "mode", None)
        return json_response({"mode": ""})

    return api
