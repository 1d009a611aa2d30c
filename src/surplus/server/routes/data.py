"""Read-only data: tariffs and the sessions history."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import Response

from surplus.errors import RequestError
from surplus.server.context import ApiContext
from surplus.server.responses import json_response
from surplus.state import format_time
from surplus.store.sessions import list_sessions, parse_db_time

TARIFF_TYPES = ("grid", "feedin", "co2", "planner", "solar", "temperature")
ZERO_TIME = "0001-01-01T00:00:00Z"


def session_json(row: dict[str, Any]) -> dict[str, Any]:
    values = dict(row)
    for key in ("created", "finished"):
        instant = parse_db_time(values[key])
        values[key] = format_time(instant) if instant else ZERO_TIME
    for key in ("loadpoint", "identifier", "vehicle"):
        values[key] = values[key] or ""
    values["chargedEnergy"] = values["chargedEnergy"] or 0.0
    if values["odometer"] is not None:
        values["odometer"] = round(values["odometer"], 1)
    return values


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["data"])

    @api.get("/tariff/{kind}", summary="Rates of a tariff: grid, feedin, co2, planner, solar or temperature")
    async def tariff(kind: str) -> Response:
        if kind not in TARIFF_TYPES:
            raise RequestError(f"unknown tariff type '{kind}'; allowed: {', '.join(TARIFF_TYPES)}", 404)
        rates = context.tariff_rates(kind)
        if rates is None:
            raise RequestError(f"tariff not available: no {kind} tariff is configured", 404)
        return json_response({"rates": [{"start": r.start, "end": r.end, "value": r.value} for r in rates]})

    @api.get("/sessions", summary="Charging sessions, newest first")
    async def sessions() -> Response:
        if context.database is None:
            raise RequestError("database offline")
        rows = await list_sessions(context.database)
        return json_response([session_json(row) for row in rows])

    return api
