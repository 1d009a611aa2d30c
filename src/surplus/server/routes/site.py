"""Site setters: battery settings, residual power, smart limits, telemetry."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import Response

from surplus.core.types import BatteryMode
from surplus.errors import RequestError
from surplus.server.context import ApiContext
from surplus.server.params import LIMIT, parse_bool, parse_float
from surplus.server.responses import json_response

BATTERY_MODES = {str(mode): mode for mode in BatteryMode}


def router(context: ApiContext) -> APIRouter:
    api = APIRouter(prefix="/api", tags=["site"])
    setters = context.set

    @api.post("/prioritysoc/{soc}", summary="Below this soc the home battery charges before any vehicle")
    async def priority_soc(soc: str) -> Response:
        return json_response(await setters.priority_soc(parse_float("prioritysoc", soc, 0, 100)))

    @api.post("/buffersoc/{soc}", summary="Above this soc a charging vehicle may draw from the home battery")
    async def buffer_soc(soc: str) -> Response:
        return json_response(await setters.buffer_soc(parse_float("buffersoc", soc, 0, 100)))

    @api.post("/bufferstartsoc/{soc}", summary="Above this soc charging may start from the home battery")
    async def buffer_start_soc(soc: str) -> Response:
        return json_response(await setters.buffer_start_soc(parse_float("bufferstartsoc", soc, 0, 100)))

    @api.post("/residualpower/{power}", summary="Grid power (W) to keep: positive keeps exporting, negative imports")
    async def residual_power(power: str) -> Response:
        return json_response(await setters.residual_power(parse_float("residualpower", power, -LIMIT, LIMIT)))

    @api.post("/batterydischargecontrol/{enable}", summary="Hold the home battery while vehicles charge fast")
    async def battery_discharge_control(enable: str) -> Response:
        return json_response(await setters.battery_discharge_control(parse_bool("batterydischargecontrol", enable)))

    @api.post("/batterygridchargelimit/{cost}", summary="Charge the home battery from the grid at or below this price")
    async def battery_grid_charge_limit(cost: str) -> Response:
        return json_response(
            await setters.battery_grid_charge_limit(parse_float("batterygridchargelimit", cost, -LIMIT, LIMIT))
        )

    @api.delete("/batterygridchargelimit", summary="Stop charging the home battery from the grid")
    async def delete_battery_grid_charge_limit() -> Response:
        return json_response(await setters.battery_grid_charge_limit(None))

    @api.post("/batterymode/{mode}", summary="Set the home battery's mode from outside (refresh within a minute)")
    async def battery_mode(mode: str) -> Response:
        chosen = BATTERY_MODES.get(mode)
        if chosen is None:
            raise RequestError(f"batterymode: invalid value '{mode}'; allowed: {', '.join(BATTERY_MODES)}")
        return json_response(await setters.battery_mode(chosen))

    @api.delete("/batterymode", summary="Hand the home battery back to automatic control")
    async def delete_battery_mode() -> Response:
        return json_response(await setters.battery_mode(BatteryMode.UNKNOWN))

    @api.post("/smartcostlimit/{cost}", summary="Charge every PV loadpoint fast at or below this price")
    async def smart_cost_limit(cost: str) -> Response:
        return json_response(await setters.smart_cost_limit(parse_float("smartcostlimit", cost, -LIMIT, LIMIT)))

    @api.delete("/smartcostlimit", summary="Remove the smart cost limit from every loadpoint")
    async def delete_smart_cost_limit() -> Response:
        return json_response(await setters.smart_cost_limit(None))

    @api.post("/smartfeedinprioritylimit/{cost}", summary="Pause PV charging when feed-in pays at least this")
    async def smart_feedin_priority_limit(cost: str) -> Response:
        return json_response(
            await setters.smart_feedin_priority_limit(parse_float("smartfeedinprioritylimit", cost, -LIMIT, LIMIT))
        )

    @api.delete("/smartfeedinprioritylimit", summary="Remove the smart feed-in priority limit")
    async def delete_smart_feedin_priority_limit() -> Response:
        return json_response(await setters.smart_feedin_priority_limit(None))

    @api.get("/settings/telemetry", summary="Whether telemetry is on (Surplus sends none; kept for clients)")
    async def get_telemetry() -> Response:
        return json_response(setters.telemetry)

    @api.post("/settings/telemetry/{enable}", summary="Switch telemetry on or off")
    async def set_telemetry(enable: str) -> Response:
        return json_response(await setters.set_telemetry(parse_bool("telemetry", enable)))

    return api
