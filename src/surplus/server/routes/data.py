"""Read-only data: the tariffs' rates."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from surplus.errors import RequestError
from surplus.server.context import ApiContext
from surplus.server.responses import json_response

TARIFF_TYPES = ("grid", "feedin", "co2", "planner", "solar", "temperature")


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

    return api
