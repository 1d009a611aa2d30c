"""``type: sunspec``: a grid meter, PV inverter or battery that speaks SunSpec, without listing its points.

::

    meters:
      - name: grid
        type: sunspec
        uri: 192.168.1.20:502
        id: 200
        usage: grid        # or pv, battery

Like evcc's generic SunSpec templates, this is a ``type: custom`` meter whose values are ``source: sunspec``
points, the first model the device has winning. Signs follow evcc (devices.md §3.1):

- grid: W of meter models 201–204 / 211–214 (import +); energy TotWhImp, return energy TotWhExp (kWh);
  currents AphA–C, voltages PhVphA–C, powers WphA–C.
- pv: W of inverter models 101–103 / 111–113; energy WH (kWh).
- battery: DC power of MPPT module 4 (discharging) minus module 3 (charging) of model 160, as hybrid
  inverters such as Fronius GEN24 report their battery; soc from model 802 SoC, else model 124 ChaState.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field

from surplus.devices.custom.meter import CustomMeter, CustomMeterParams
from surplus.devices.custom.meter import build as build_custom_meter
from surplus.devices.modbus.params import ConnectionParams
from surplus.devices.registry import BuildContext, DeviceParams, registry

METERS = (201, 211, 202, 212, 203, 213, 204, 214)
INVERTERS = (101, 111, 102, 112, 103, 113)
PHASES = ("A", "B", "C")
KWH = 0.001


class SunSpecMeterParams(DeviceParams, ConnectionParams):
    usage: Literal["grid", "pv", "battery"]
    subdevice: int = Field(0, ge=0)
    capacity: float = Field(0.0, ge=0)


def _point(models: tuple[int, ...], name: str) -> list[str]:
    return [f"{model}:{name}" for model in models]


def _values(usage: str) -> dict[str, Any]:
    """The meter's values as lists of SunSpec candidates (a tuple: one per phase; a dict: a whole source)."""
    if usage == "grid":
        return {
            "power": _point(METERS, "W"),
            "energy": {"value": _point(METERS, "TotWhImp"), "scale": KWH},
            "returnenergy": {"value": _point(METERS, "TotWhExp"), "scale": KWH},
            "currents": tuple(_point(METERS, f"Aph{phase}") for phase in PHASES),
            "voltages": tuple(_point(METERS, f"PhVph{phase}") for phase in PHASES),
            "powers": tuple(_point(METERS, f"Wph{phase}") for phase in PHASES),
        }
    if usage == "pv":
        return {"power": _point(INVERTERS, "W"), "energy": {"value": _point(INVERTERS, "WH"), "scale": KWH}}
    return {
        "power": {"add": [{"value": ["160:4:DCW"]}, {"value": ["160:3:DCW"], "scale": -1}]},
        "soc": ["802:SoC", "124:ChaState"],
    }


@registry.register("meter", "sunspec", SunSpecMeterParams, "a SunSpec grid meter, PV inverter or battery")
def build(params: SunSpecMeterParams, context: BuildContext) -> CustomMeter:
    connection = params.model_dump(by_alias=True, include=set(ConnectionParams.model_fields), exclude_none=True)
    connection["subdevice"] = params.subdevice

    def source(value: Any) -> dict[str, Any]:
        if isinstance(value, list):
            return {"source": "sunspec", **connection, "value": value}
        if "add" in value:
            return {"source": "calc", "add": [source(operand) for operand in value["add"]]}
        return {"source": "sunspec", **connection, **value}

    config: dict[str, Any] = {
        key: [source(phase) for phase in value] if isinstance(value, tuple) else source(value)
        for key, value in _values(params.usage).items()
    }
    if params.capacity:
        config["capacity"] = params.capacity
    return build_custom_meter(CustomMeterParams.model_validate(config), context)
